"""Shared fixtures. Real statements come from ../shared (skipped when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from driftlab.embed import HashingEncoder

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SHARED_CORPUS = SHARED / "corpus"
SEED = SHARED / "seed" / "2024-10-16_trilateral_vice_fm_seoul_raw_webpage.txt"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
GOLD = Path(__file__).resolve().parent / "gold"


def shared_file(relpath: str) -> Path:
    """A file under ../shared/corpus, or skip the test with a clear reason."""
    p = SHARED_CORPUS / relpath
    if not p.exists():
        pytest.skip(f"real corpus file not available: {p} (../shared is absent)")
    return p


@pytest.fixture
def seed_path() -> Path:
    if not SEED.exists():
        pytest.skip(f"seed statement not available: {SEED} (../shared is absent)")
    return SEED


@pytest.fixture
def hashing_encoder() -> HashingEncoder:
    return HashingEncoder()


@pytest.fixture(scope="session")
def real_encoder():
    """The real default model (bundled all-MiniLM-L6-v2), loaded once per session."""
    from driftlab.embed import SentenceTransformerEncoder

    return SentenceTransformerEncoder()


@pytest.fixture(autouse=True)
def _no_personal_review_store(monkeypatch, tmp_path_factory):
    """``driftlab diff`` uses the default review store when it exists: point
    the default at an empty directory so no test reads or writes the user's."""
    monkeypatch.delenv("DRIFTLAB_STORE", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.getbasetemp() / "xdg-data"))
