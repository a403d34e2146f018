"""Dask glue: the per-statement and per-step work of a series as cluster tasks.

Nothing here is imported unless ``--workers N`` or ``--scheduler ADDRESS`` is
given, and this module imports ``dask.distributed`` only inside
:class:`DaskRunner`.

What runs where:

* **Tasks** (any worker): read and segment a statement;
  diff one consecutive pair (align, word diff, topics, flags); encode a chunk
  of sentences missing from the cache (each once, across the series). A task
  receives plain picklable values (documents, settings, an encoder spec) and
  returns the result plus the vectors it had to compute.
* **The client** (the process running ``driftlab``) is the only writer of
  the SQLite caches. Workers open the embedding cache read-only (when they
  can see it: a LocalCluster shares the disk; remote workers may not, and
  then they simply encode); vectors they compute travel back with the result
  and the client stores them. So SQLite never has two writers.

Results are gathered in submission order, and every task is a pure function
of its inputs, so a cluster run gives byte-identical reports to a serial one
(``tests/test_distributed.py``).
"""

from __future__ import annotations

import os
import sqlite3
from typing import Any, Sequence

import numpy as np

from .types import DiffResult, Document

# One encoder per worker process: loading the model once per task would cost
# more than most tasks.
_WORKER_ENCODERS: dict[tuple[str, str, int], Any] = {}


class ReadOnlyCache:
    """The embedding cache as a worker sees it: reads from SQLite opened
    read-only, writes kept in memory (``pending``) for the client to store."""

    def __init__(self, path: str | None):
        self.path = path
        self.pending: dict[str, dict[str, np.ndarray]] = {}
        self._conn: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection | None:
        if self._conn is None and self.path and os.path.exists(self.path):
            self._conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=30)
        return self._conn

    def get_many(self, model: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        found = {h: v for h in hashes if (v := self.pending.get(model, {}).get(h)) is not None}
        conn = self._connect()
        rest = sorted(set(hashes) - set(found))
        if conn is not None:
            for i in range(0, len(rest), 500):
                chunk = rest[i : i + 500]
                marks = ",".join("?" * len(chunk))
                try:
                    rows = conn.execute(
                        f"SELECT hash, dim, vec FROM vectors WHERE model = ? AND hash IN ({marks})", [model, *chunk]
                    ).fetchall()
                except sqlite3.OperationalError:  # no table yet: nothing cached
                    rows = []
                for h, dim, blob in rows:
                    found[h] = np.frombuffer(blob, dtype=np.float32, count=dim)
        return found

    def put_many(self, model: str, items: dict[str, np.ndarray]) -> None:
        self.pending.setdefault(model, {}).update({k: np.asarray(v, np.float32) for k, v in items.items()})

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def _worker_encoder(spec: Any, settings) -> Any:
    if spec is not None:
        return spec  # a picklable encoder sent by the client (tests send the hashing encoder)
    key = (settings.model, settings.precision, settings.batch_size)
    if key not in _WORKER_ENCODERS:
        from .pipeline import make_encoder

        _WORKER_ENCODERS[key] = make_encoder(settings)
    return _WORKER_ENCODERS[key]


def _load_task(path: str, settings) -> Document:
    from .pipeline import load_document

    return load_document(path, settings)


def _encode_task(chunk: list, spec: Any, settings) -> dict:
    from .series import encode_chunk

    return encode_chunk(_worker_encoder(spec, settings), chunk)


def _diff_task(old: Document, new: Document, spec: Any, settings, cache_path: str | None) -> tuple[DiffResult, dict]:
    from .pipeline import diff_documents

    cache = ReadOnlyCache(cache_path)
    try:
        result = diff_documents(old, new, _worker_encoder(spec, settings), settings, cache)
    finally:
        cache.close()
    return result, cache.pending


def _encoder_spec(encoder) -> Any:
    """What to ship to workers: nothing for the real model (each worker loads
    its own, once), the encoder itself for small picklable ones."""
    from .embed import SentenceTransformerEncoder

    return None if isinstance(encoder, SentenceTransformerEncoder) else encoder


class DaskRunner:
    """Runs series work as tasks on a LocalCluster (``workers``) or on an
    existing scheduler (``scheduler``, e.g. ``tcp://10.0.0.5:8786``)."""

    def __init__(self, workers: int | None = None, scheduler: str | None = None, settings=None):
        from .errors import ConfigError

        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise ConfigError("--workers/--scheduler need Dask: pip install 'dask[distributed]'.") from None
        from .settings import Settings

        self.settings = settings or Settings()
        self.cluster = None
        if scheduler:
            try:
                self.client = Client(scheduler, timeout="10s")
            except (OSError, TimeoutError) as exc:
                raise ConfigError(f"Cannot reach the Dask scheduler at {scheduler}: {exc}") from None
        else:
            if not workers or workers < 1:
                raise ConfigError("--workers must be at least 1.")
            # Processes, one thread each: the encoder and the aligner hold the
            # GIL, so threads would not run in parallel. The scheduler always
            # serves HTTP; ":0" takes a free port, where the default (8787)
            # warned, and under pytest failed, whenever another cluster ran
            # on the machine.
            self.cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                        dashboard_address=":0", silence_logs=40)
            self.client = Client(self.cluster)

    # The context manager closes the cluster even when the run fails.
    def __enter__(self) -> "DaskRunner":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def _gather(self, futures) -> list:
        return self.client.gather(futures)

    def map_documents(self, paths: Sequence[str]) -> list[Document]:
        futures = [self.client.submit(_load_task, p, self.settings, pure=False) for p in paths]
        return self._gather(futures)

    def __call__(self, path) -> Document:  # usable as ``load`` for a single path
        return self.map_documents([str(path)])[0]

    @staticmethod
    def _store(cache, pending: dict) -> None:
        if cache is not None:
            for model, items in pending.items():
                if items:
                    cache.put_many(model, items)

    def embed_documents(self, docs: Sequence[Document], encoder, cache, settings) -> None:
        """Each sentence missing from the cache, once, in chunks spread over
        the workers (see :func:`driftlab.series.missing_chunks`); the client
        stores what comes back."""
        from .series import missing_chunks

        if cache is None:
            return
        spec = _encoder_spec(encoder)
        chunks = missing_chunks(docs, encoder.key, cache)
        futures = [self.client.submit(_encode_task, c, spec, settings, pure=False) for c in chunks]
        for fresh in self._gather(futures):
            cache.put_many(encoder.key, fresh)

    def diff_pairs(self, pairs: Sequence[tuple[Document, Document]], encoder, cache, settings) -> list[DiffResult]:
        spec = _encoder_spec(encoder)
        path = str(cache.path) if cache is not None else None
        futures = [self.client.submit(_diff_task, a, b, spec, settings, path, pure=False) for a, b in pairs]
        out = []
        for result, pending in self._gather(futures):
            self._store(cache, pending)
            out.append(result)
        return out
