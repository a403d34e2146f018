"""The pipeline end to end on real statements with the real model, and the
cache promise: a second run over the same statements never imports torch."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from driftlab import pipeline
from driftlab.pipeline import diff_files
from driftlab.settings import Settings

from .conftest import ROOT, shared_file

LIMA = "trilateral_rok_us_japan/2024-11-15_lima_trilateral_leaders_joint_statement.txt"
SEED_CLEAN = ROOT / "corpus" / "2024-10-16_trilateral_vice_fm_seoul.txt"

RUN = r"""
import json, sys
from driftlab.pipeline import diff_files
from driftlab.settings import Settings
from driftlab.report import to_json
r = diff_files(sys.argv[1], sys.argv[2], Settings(cache_dir=sys.argv[3]))
print(json.dumps({"torch": "torch" in sys.modules, "st": "sentence_transformers" in sys.modules,
                  "json": to_json(r)}))
"""


def _run(old, new, cache):
    out = subprocess.run([sys.executable, "-c", RUN, str(old), str(new), str(cache)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.real_model
@pytest.mark.shared
def test_second_run_is_served_from_cache_without_torch(tmp_path, seed_path):
    lima = shared_file(LIMA)
    cold = _run(seed_path, lima, tmp_path / "cache")
    warm = _run(seed_path, lima, tmp_path / "cache")
    assert cold["torch"] is True
    assert warm["torch"] is False and warm["st"] is False
    assert warm["json"] == cold["json"]  # byte-identical report from cached vectors


@pytest.mark.real_model
@pytest.mark.shared
def test_seed_against_lima_report_reads_right(tmp_path, real_encoder):
    lima = shared_file(LIMA)
    timings: dict = {}
    r = diff_files(SEED_CLEAN, lima, Settings(cache_dir=str(tmp_path)), encoder=real_encoder, timings=timings)
    assert len(r.old.paragraphs) == 15 and len(r.new.paragraphs) == 12
    assert set(timings) >= {"reading", "embedding", "aligning", "word diff", "topics", "flags"}
    by_pair = {(lk.old, lk.new): lk for lk in r.links}
    # People-to-people paragraph carried over with edits (hand-checked gold).
    assert by_pair[((13,), (10,))].type in ("edited", "moved_edited")
    # Middle East paragraph has no counterpart in Lima.
    assert by_pair[((7,), ())].type == "dropped"
    # Every paragraph on each side appears in exactly one link.
    assert sorted(i for lk in r.links for i in lk.old) == list(range(15))
    assert sorted(j for lk in r.links for j in lk.new) == list(range(12))
    # Ranked flags, every one explained.
    scores = [f.score for f in r.flags]
    assert scores == sorted(scores, reverse=True) and r.flags
    assert all(f.explanation and f.rule for f in r.flags)


@pytest.mark.real_model
@pytest.mark.shared
def test_partial_statement_gives_a_report(tmp_path, real_encoder):
    part = shared_file("trilateral_rok_us_japan/partial/2022-06-08_trilateral_vice_fm_seoul_PARTIAL.txt")
    r = diff_files(part, SEED_CLEAN, Settings(cache_dir=str(tmp_path)), encoder=real_encoder)
    assert r.old.statement.meta.partial is True
    assert r.links and all(0 <= lk.confidence <= 1 for lk in r.links)


def test_statement_against_itself_fast_encoder(hashing_encoder, tmp_path):
    r = diff_files(SEED_CLEAN, SEED_CLEAN, Settings(use_cache=False), encoder=hashing_encoder)
    assert {lk.type for lk in r.links} == {"unchanged"}
    assert r.flags == ()


@pytest.mark.parametrize("enabled", [True, False])
def test_diff_pauses_the_cycle_collector_and_restores_it(hashing_encoder, monkeypatch, enabled):
    import gc

    from driftlab import pipeline

    during = []
    real_align = pipeline.align

    def align(*args, **kwargs):
        during.append(gc.isenabled())
        return real_align(*args, **kwargs)

    monkeypatch.setattr(pipeline, "align", align)
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        r = diff_files(SEED_CLEAN, SEED_CLEAN, Settings(use_cache=False), encoder=hashing_encoder)
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
    assert during == [False]  # paused while the analysis ran
    assert {lk.type for lk in r.links} == {"unchanged"}


def testwithout_cyclic_gc_pauses_and_restores_even_on_error():
    import gc

    from driftlab.pipeline import without_cyclic_gc

    was = gc.isenabled()
    gc.enable()
    try:
        with pytest.raises(RuntimeError):
            with without_cyclic_gc():
                assert not gc.isenabled()
                raise RuntimeError("boom")
        assert gc.isenabled()
        gc.disable()
        with without_cyclic_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the caller's choice is kept
    finally:
        (gc.enable if was else gc.disable)()


def test_meanwhile_runs_its_tasks_in_another_thread_and_waits_for_them():
    import threading
    import time

    ran: list[tuple[str, int]] = []

    def slow():
        time.sleep(0.2)
        ran.append(("slow", threading.get_ident()))

    def broken():
        raise RuntimeError("a task that fails")

    def after():
        ran.append(("after", threading.get_ident()))

    with pipeline.meanwhile((slow, broken, after)):
        body = threading.get_ident()
        assert ran == []  # the body does not wait for the tasks ...
    # ... the end of the block does; a failing task stops neither the others nor the caller
    assert [name for name, _ in ran] == ["slow", "after"]
    assert all(ident != body for _, ident in ran)


def test_meanwhile_without_tasks_starts_no_thread(monkeypatch):
    import threading

    started = []
    monkeypatch.setattr(threading.Thread, "start", lambda self: started.append(self))
    with pipeline.meanwhile(()):
        pass
    assert started == []
