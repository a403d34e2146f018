"""The end of a test run says loudly what a green run did not check: tests
skipped because ../shared is absent, and golden files rewritten by an update
switch. Run in a subprocess on a copy of tests/conftest.py placed where
../shared does not exist."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT

CONFTEST = Path(__file__).resolve().parent / "conftest.py"

TESTS = '''
from pathlib import Path

from .conftest import shared_file, updating


def test_reads_corpus():
    shared_file("g7/2024-06-14_apulia.txt")


def test_reads_seed(seed_path):
    assert seed_path.exists()


def test_plain():
    assert 1 + 1 == 2


def test_golden(tmp_path):
    target = Path(__file__).parent / "golden.txt"
    if updating("DRIFTLAB_UPDATE_GOLDEN", target):
        target.write_text("new", encoding="utf-8")
    assert target.read_text(encoding="utf-8") == "new"
'''


def _run(tmp_path: Path, with_shared: bool, **env: str) -> subprocess.CompletedProcess:
    repo = tmp_path / "repo"
    tests = repo / "tests"
    tests.mkdir(parents=True, exist_ok=True)
    (tests / "__init__.py").write_text("", encoding="utf-8")
    shutil.copy(CONFTEST, tests / "conftest.py")
    (tests / "test_x.py").write_text(TESTS, encoding="utf-8")
    (tests / "golden.txt").write_text("new", encoding="utf-8")
    if with_shared:
        corpus = tmp_path / "shared" / "corpus" / "g7"
        corpus.mkdir(parents=True)
        (corpus / "2024-06-14_apulia.txt").write_text("x", encoding="utf-8")
        seed = tmp_path / "shared" / "seed"
        seed.mkdir(parents=True)
        (seed / "2024-10-16_trilateral_vice_fm_seoul_raw_webpage.txt").write_text("x", encoding="utf-8")
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("DRIFTLAB_UPDATE_")}
    child_env.update(env)
    child_env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rN", "tests"],
        cwd=repo, env=child_env, capture_output=True, text=True, timeout=120,
    )


def test_missing_shared_is_reported_at_the_end(tmp_path):
    out = _run(tmp_path, with_shared=False)
    assert out.returncode == 0, out.stdout + out.stderr  # skips are not failures...
    tail = out.stdout.split("short test summary")[-1]
    # ...but the end of the run says so, with the count and each reason.
    assert "2 TESTS SKIPPED: ../shared IS ABSENT" in tail
    assert f"{tmp_path / 'shared'} does not exist" in tail
    assert "1 × real corpus file not available: " + str(tmp_path / "shared" / "corpus" / "g7" / "2024-06-14_apulia.txt") in tail
    assert "1 × seed statement not available: " in tail
    assert "GOLDEN FILES" not in tail


def test_no_banner_when_shared_is_present(tmp_path):
    out = _run(tmp_path, with_shared=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "4 passed" in out.stdout
    assert "SHARED IS ABSENT" not in out.stdout and "GOLDEN FILES" not in out.stdout


def test_update_switch_warns_that_nothing_was_asserted(tmp_path):
    out = _run(tmp_path, with_shared=True, DRIFTLAB_UPDATE_GOLDEN="1", DRIFTLAB_UPDATE_DOCS="1")
    assert out.returncode == 0, out.stdout + out.stderr
    golden = tmp_path / "repo" / "tests" / "golden.txt"
    assert "GOLDEN FILES REWRITTEN, NOT CHECKED" in out.stdout
    assert (f"DRIFTLAB_UPDATE_GOLDEN is set: {golden} was rewritten from this run's output; "
            "this run asserted nothing about it.") in out.stdout
    assert "DRIFTLAB_UPDATE_DOCS is set, but no test in this run rewrote a file." in out.stdout


def test_ci_refuses_to_run_without_shared(tmp_path):
    """.ci/run with CI=true stops before installing anything when ../shared is missing."""
    repo = tmp_path / "repo"
    (repo / ".ci").mkdir(parents=True)
    shutil.copy(ROOT / ".ci" / "run", repo / ".ci" / "run")
    # A stand-in installer: reaching it means the check did not stop the run.
    (repo / "scripts").mkdir()
    (repo / "scripts" / "install.sh").write_text("echo INSTALLER RAN; exit 3\n", encoding="utf-8")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    out = subprocess.run(["bash", ".ci/run"], cwd=repo, env={**env, "CI": "true"}, capture_output=True, text=True)
    assert out.returncode == 1
    assert out.stderr.startswith("Error: ../shared/corpus is missing (")
    assert "INSTALLER RAN" not in out.stdout
    # Outside CI the run goes on (and here reaches the stand-in installer).
    out = subprocess.run(["bash", ".ci/run"], cwd=repo, env=env, capture_output=True, text=True)
    assert out.returncode == 3 and "INSTALLER RAN" in out.stdout
    # With ../shared present, CI goes on too.
    (tmp_path / "shared" / "corpus").mkdir(parents=True)
    out = subprocess.run(["bash", ".ci/run"], cwd=repo, env={**env, "CI": "true"}, capture_output=True, text=True)
    assert out.returncode == 3 and "INSTALLER RAN" in out.stdout
