"""Shared fixtures. Real statements come from ../shared (skipped when absent).

Two things a green run can hide are said loudly at its end
(:func:`pytest_terminal_summary`): tests skipped because ../shared is absent,
and golden files rewritten by an update switch instead of being checked.
"""

from __future__ import annotations

import os
from collections import Counter
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


# --------------------------------------------------------------------------- end-of-run summary

#: Golden files rewritten in this run by an update switch: (switch, path).
_REWRITTEN: list[tuple[str, Path]] = []
#: The switches that rewrite golden files instead of comparing with them.
UPDATE_SWITCHES = ("DRIFTLAB_UPDATE_GOLDEN", "DRIFTLAB_UPDATE_DOCS")


def updating(switch: str, path: Path) -> bool:
    """Is ``switch`` set (to anything but "" or "0")? Then the caller rewrites
    ``path`` instead of comparing with it, and the end of the run says that
    nothing was asserted about that file."""
    if os.environ.get(switch, "") in ("", "0"):
        return False
    _REWRITTEN.append((switch, path))
    return True


def _skip_reason(report) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    skipped = terminalreporter.stats.get("skipped", [])
    no_shared = [r for r in skipped if "../shared is absent" in _skip_reason(r)]
    if no_shared:
        terminalreporter.section(f"{len(no_shared)} TESTS SKIPPED: ../shared IS ABSENT", sep="!", red=True, bold=True)
        terminalreporter.write_line(
            f"{SHARED} does not exist, so no test ran on real statements (real corpus, seed, gold files). "
            "A green run here says nothing about them; CI (.ci/run with CI=true) refuses to run without it.",
            red=True, bold=True,
        )
        # One line per reason, most frequent first; the reason names the missing file.
        reasons = Counter(_skip_reason(r).split(" (../shared")[0] for r in no_shared)
        for reason, n in reasons.most_common():
            terminalreporter.write_line(f"  {n:>3} × {reason}")
    switches = [s for s in UPDATE_SWITCHES if os.environ.get(s, "") not in ("", "0")]
    if switches:
        terminalreporter.section("GOLDEN FILES REWRITTEN, NOT CHECKED", sep="!", yellow=True, bold=True)
        for switch in switches:
            paths = sorted({str(p) for s, p in _REWRITTEN if s == switch})
            if paths:
                for p in paths:
                    terminalreporter.write_line(
                        f"{switch} is set: {p} was rewritten from this run's output; this run asserted "
                        "nothing about it. Review its diff (git diff) before committing.",
                        yellow=True, bold=True,
                    )
            else:
                terminalreporter.write_line(f"{switch} is set, but no test in this run rewrote a file.", yellow=True)


# --------------------------------------------------------------------------- mutation runs

#: bench/mutation.py sets DRIFTLAB_MUTATION=1. Each surviving mutant reruns
#: every covering test, so property tests are capped at this many examples
#: there (their failing examples, kept in the Hypothesis database of the
#: scratch copy, are replayed for the next mutant). Normal runs are untouched.
MUTATION_MAX_EXAMPLES = 30


def pytest_collection_modifyitems(config, items):
    if not os.environ.get("DRIFTLAB_MUTATION"):
        return
    import sys

    from hypothesis import settings

    # mutmut forks each mutant's test run from a process that already ran the
    # tests unmutated: a memoised result (fold, token_key) would hide the
    # mutant behind the right answer. Start every mutant's run cold.
    for name, module in list(sys.modules.items()):
        if name.startswith("driftlab"):
            for obj in list(vars(module).values()):
                if callable(getattr(obj, "cache_clear", None)) and getattr(obj, "__module__", "") == name:
                    obj.cache_clear()
    # Topic configs keep their compiled matchers and per-text memos (term
    # hits, run weights, phrase matches) and are shared by content: a config
    # built by a test module at import would answer a mutant's questions
    # from the unmutated run. Drop them all.
    import gc

    from driftlab import topics

    topics._CONFIGS.clear()
    for obj in gc.get_objects():
        if isinstance(obj, topics.TopicConfig):
            obj._compiled.clear()

    for item in items:
        fn = getattr(getattr(item, "obj", None), "__func__", getattr(item, "obj", None))
        # Hypothesis keeps a test's @settings on this attribute and reads it
        # at call time; there is no public way to lower an explicit max_examples.
        current = getattr(fn, "_hypothesis_internal_use_settings", None)
        if current is not None and current.max_examples > MUTATION_MAX_EXAMPLES:
            fn._hypothesis_internal_use_settings = settings(current, max_examples=MUTATION_MAX_EXAMPLES)
