"""The CLI runs numpy's OpenBLAS on one thread unless the user chose otherwise.

Its products are small and the second thread's spinning cost a cached G7
diff ~0.2–0.7 CPU-seconds on two cores (bench/README.md, branch spd2). The
setting must be made before numpy loads, so it is checked in a fresh
process running the real entry point (``driftlab.cli.main``).
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

# The entry point, then what the process ended up with: the variable and the
# thread count OpenBLAS itself reports (via numpy's bundled library).
PROBE = """
import os, sys
sys.argv = ["driftlab", "settings"]
from driftlab import cli
try:
    cli.main()
except SystemExit:
    pass
import numpy
print(os.environ.get("OPENBLAS_NUM_THREADS"))
try:
    from threadpoolctl import threadpool_info
except ImportError:
    print("?")
else:
    print(",".join(str(i["num_threads"]) for i in threadpool_info() if i["internal_api"] == "openblas") or "?")
"""


def _probe(env_value: str | None) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if env_value is not None:
        env["OPENBLAS_NUM_THREADS"] = env_value
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True)
    return out.stdout.split("\n")[-3:-1]


def test_cli_runs_openblas_single_threaded_by_default():
    var, threads = _probe(None)
    assert var == "1"
    if threads != "?":
        assert set(threads.split(",")) == {"1"}


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs 2 cores to tell 2 threads from 1")
def test_a_users_own_setting_wins():
    var, threads = _probe("2")
    assert var == "2"
    if threads != "?":
        assert set(threads.split(",")) == {"2"}
