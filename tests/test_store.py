"""The review store: migrations, decisions and their history across re-runs,
orphaned decisions, corrections, dismissals that teach the ranking,
concurrency (threads and processes), kill -9 mid-write, unusable databases."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from driftlab.cli import cli
from driftlab.embed import HashingEncoder
from driftlab.pipeline import diff_files
from driftlab.report import render_html
from driftlab.settings import Settings
from driftlab.store import (
    DISMISSAL_DEMOTION,
    STORE_MIGRATIONS,
    ReviewConflict,
    Store,
    StoreError,
    default_store_path,
    pair_key,
    phrase_of,
)

ROOT = Path(__file__).resolve().parent.parent

# Invented statements (not from the corpus): one intensity shift, one modality
# change, one added passage naming a new actor.
OLD = """---
title: Joint Statement of the Ministers
date: 2024-01-10
series: Test ministerial series
---
The Ministers met in Geneva to review their partnership and its progress over the past year.

We express concern about the situation in the South China Sea and call on all parties to respect international law.

We will expand cooperation on clean energy and critical minerals supply chains.

We reaffirm our commitment to a free and open Indo-Pacific region.

The Ministers thanked the host for the hospitality extended to the delegations.
"""

NEW = """---
title: Joint Statement of the Ministers
date: 2024-06-10
series: Test ministerial series
---
The Ministers met in Geneva to review their partnership and its progress over the past year.

We express grave concern about the situation in the South China Sea and urge all parties to respect international law.

We may expand cooperation on clean energy and critical minerals supply chains.

We reaffirm our commitment to a free and open Indo-Pacific region.

We condemn the missile launches by the DPRK in violation of Security Council resolutions.

The Ministers thanked the host for the hospitality extended to the delegations.
"""


def write_pair(directory: Path, old: str = OLD, new: str = NEW) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    o, n = directory / "old.md", directory / "new.md"
    o.write_text(old, encoding="utf-8")
    n.write_text(new, encoding="utf-8")
    return o, n


def run(store: Store | None, old: Path, new: Path):
    return diff_files(old, new, Settings(use_cache=False), encoder=HashingEncoder(), store=store)


def flag_of(result, rule: str, needle: str = ""):
    return next(f for f in result.flags if f.rule == rule and needle in f.explanation)


@pytest.fixture
def pair(tmp_path):
    return write_pair(tmp_path / "pair")


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "review.sqlite")
    yield s
    s.close()


# --------------------------------------------------------------------------- location and schema


def test_default_location_follows_option_then_env_then_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv("DRIFTLAB_STORE", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_store_path() == tmp_path / "xdg" / "driftlab" / "driftlab.sqlite"
    monkeypatch.delenv("XDG_DATA_HOME")
    assert default_store_path() == Path("~/.local/share/driftlab/driftlab.sqlite").expanduser()
    monkeypatch.setenv("DRIFTLAB_STORE", str(tmp_path / "env.sqlite"))
    assert default_store_path() == tmp_path / "env.sqlite"
    assert default_store_path(tmp_path / "opt.sqlite") == tmp_path / "opt.sqlite"


def test_fresh_store_is_wal_with_versioned_schema(store):
    con = sqlite3.connect(store.path)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert con.execute("SELECT component, version FROM schema_versions").fetchall() == [
        ("store", len(STORE_MIGRATIONS))]
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"statements", "pairs", "runs", "links", "flags", "reviews", "corrections"} <= tables
    con.close()


def test_another_component_migrates_its_own_tables_in_the_same_file(store):
    watch_v1 = ["CREATE TABLE watch_sources (url TEXT PRIMARY KEY);"]
    assert store.migrate("watch", watch_v1) == 1
    with store.transaction() as con:
        con.execute("INSERT INTO watch_sources VALUES ('https://example.org/a')")
    # Version 2 adds a column; the row written under version 1 survives.
    watch_v2 = watch_v1 + ["ALTER TABLE watch_sources ADD COLUMN etag TEXT NOT NULL DEFAULT '';"]
    assert store.migrate("watch", watch_v2) == 2
    assert store.migrate("watch", watch_v2) == 2  # idempotent
    assert store.schema_version("watch") == 2
    assert store.schema_version("store") == len(STORE_MIGRATIONS)
    rows = store._read("SELECT url, etag FROM watch_sources")
    assert [tuple(r) for r in rows] == [("https://example.org/a", "")]


def test_failed_migration_leaves_the_component_at_its_old_version(store):
    bad = ["CREATE TABLE w (a TEXT);", "CREATE TABLE w (a TEXT);"]  # v2 fails: table exists
    assert store.migrate("w", bad[:1]) == 1
    with pytest.raises(StoreError, match="already exists"):
        store.migrate("w", bad)
    assert store.schema_version("w") == 1


def test_newer_schema_is_a_clear_error(tmp_path):
    path = tmp_path / "new.sqlite"
    Store(path).close()
    con = sqlite3.connect(path)
    con.execute("UPDATE schema_versions SET version = 99 WHERE component = 'store'")
    con.commit()
    con.close()
    with pytest.raises(StoreError) as e:
        Store(path)
    assert str(e.value) == (f"Review store {path} has store schema version 99, newer than this driftlab "
                            f"knows ({len(STORE_MIGRATIONS)}); upgrade driftlab or pass another --store")
    r = CliRunner().invoke(cli, ["review", "list", "--store", str(path)])
    assert r.exit_code == 1
    assert r.output == f"Error: {e.value}\n"


def test_corrupt_file_is_a_clear_error(tmp_path):
    path = tmp_path / "corrupt.sqlite"
    path.write_bytes(b"this is not a database, just some bytes\n" * 200)
    with pytest.raises(StoreError, match="is not a driftlab database or is corrupt"):
        Store(path)
    r = CliRunner().invoke(cli, ["review", "list", "--store", str(path)])
    assert r.exit_code == 1
    assert r.output.startswith(f"Error: Review store {path} is not a driftlab database or is corrupt (")
    assert r.output.count("\n") == 1


def test_another_sqlite_file_is_refused_untouched(tmp_path):
    path = tmp_path / "other.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE vectors (k TEXT)")
    con.commit()
    con.close()
    with pytest.raises(StoreError) as e:
        Store(path)
    assert str(e.value) == (f"{path} is an SQLite database but not a driftlab review store (no schema_versions "
                            "table); pass another --store")
    con = sqlite3.connect(path)
    assert [r[0] for r in con.execute("SELECT name FROM sqlite_master")] == ["vectors"]
    con.close()


def test_review_commands_refuse_a_missing_store(tmp_path):
    path = tmp_path / "none.sqlite"
    r = CliRunner().invoke(cli, ["review", "export", "--store", str(path)])
    assert r.exit_code == 1
    assert r.output == f"Error: No review store at {path}: run 'driftlab diff OLD NEW --store {path}' first\n"
    assert not path.exists()


# --------------------------------------------------------------------------- decisions and identity


def test_decisions_keep_full_history_and_survive_a_rerun(store, pair):
    r1 = run(store, *pair)
    run1 = store.record_run(r1)
    pid = pair_key(r1.old.statement, r1.new.statement)
    f = flag_of(r1, "intensity_shift", "grave concern")
    store.decide(pid, "flag", f.id, "discuss", reviewer="ann", note="is this new?")
    store.decide(pid, "flag", f.id, "confirm", reviewer="bob", note="yes, escalation")
    hist = store.history(pid, "flag", f.id)
    assert [(d.decision, d.reviewer, d.note) for d in hist] == [
        ("discuss", "ann", "is this new?"), ("confirm", "bob", "yes, escalation")]
    assert hist[0].run_id == run1 and hist[0].rule == "intensity_shift" and hist[0].phrase == phrase_of(f)
    r2 = run(store, *pair)
    run2 = store.record_run(r2)
    assert run2 != run1
    assert f.id in {g.id for g in r2.flags}
    current = store.decisions_for_run(run2)
    assert current[f"flag:{f.id}"].decision == "confirm"
    assert store.orphaned(pid) == []
    assert f.id not in {u["id"] for u in store.undecided(pid)}
    html = BeautifulSoup(render_html(r2, current), "html.parser")
    row = html.select_one(f"#flag-{f.id}")
    assert row.select_one(".decision.badge").get_text() == "confirmed"
    assert row.select_one(".decision.badge")["title"].startswith("bob, ")
    assert row.select_one("q.decision").get_text() == "yes, escalation"
    assert len(html.select(".decision.badge")) == 1
    assert html.select("#orphaned") == []
    assert render_html(r2) == render_html(r2, {})  # no store: the report as before


def test_unrelated_edit_keeps_the_pair_and_the_decision(store, tmp_path, pair):
    r1 = run(store, *pair)
    store.record_run(r1)
    pid = pair_key(r1.old.statement, r1.new.statement)
    f = flag_of(r1, "intensity_shift", "grave concern")
    store.decide(pid, "flag", f.id, "confirm", reviewer="ann")
    # The new statement re-scraped elsewhere with an unrelated paragraph edited.
    edited = NEW.replace("thanked the host for the hospitality", "thanked the host warmly for the hospitality")
    r2 = run(store, *write_pair(tmp_path / "elsewhere", OLD, edited))
    assert r2.new.statement.id != r1.new.statement.id
    run2 = store.record_run(r2)
    assert store.run_pair(run2) == pid
    assert store.decisions_for_run(run2)[f"flag:{f.id}"].decision == "confirm"
    assert store.orphaned(pid) == []


def test_a_vanished_flag_keeps_its_decision_as_orphaned(store, tmp_path, pair):
    r1 = run(store, *pair)
    store.record_run(r1)
    pid = pair_key(r1.old.statement, r1.new.statement)
    f = flag_of(r1, "modality")
    store.decide(pid, "flag", f.id, "dismiss", reviewer="ann", note="same commitment")
    fixed = NEW.replace("We may expand", "We will expand")  # the modality change is gone
    r2 = run(store, *write_pair(tmp_path / "fixed", OLD, fixed))
    assert f.id not in {g.id for g in r2.flags}
    run2 = store.record_run(r2)
    orphans = store.orphaned(pid)
    assert [(d.object_id, d.decision, d.note) for d in orphans] == [(f.id, "dismiss", "same commitment")]
    assert "Modality softer" in orphans[0].summary
    listed = CliRunner().invoke(cli, ["review", "list", "--orphaned", "--store", str(store.path)])
    assert listed.output == f"{pid}\tflag\t{f.id}\tdismiss\tann\t{orphans[0].summary}\n"
    rows = store.export_rows()
    assert [(r["object_id"], r["orphaned"]) for r in rows] == [(f.id, 1)]
    html = BeautifulSoup(render_html(r2, store.decisions_for_run(run2)), "html.parser")
    assert html.select_one("#orphaned").get_text() == "Decisions on flags no longer raised"
    (item,) = html.select("ul.orphaned li")
    assert item.select_one(".badge").get_text() == "dismissed"
    assert "Modality softer" in item.get_text() and item.get_text().endswith(": same commitment")


def test_explicit_conflict_when_someone_decided_first(store, pair):
    r = run(store, *pair)
    store.record_run(r)
    pid = pair_key(r.old.statement, r.new.statement)
    f = r.flags[0]
    first = store.decide(pid, "flag", f.id, "confirm", reviewer="ann", expect=0)
    with pytest.raises(ReviewConflict, match=r"decided meanwhile by ann \(confirmed\); reload to see it"):
        store.decide(pid, "flag", f.id, "dismiss", reviewer="bob", expect=0)
    store.decide(pid, "flag", f.id, "dismiss", reviewer="bob", expect=first.id)
    assert [d.reviewer for d in store.history(pid, "flag", f.id)] == ["ann", "bob"]


def test_decide_refuses_unknown_objects_and_values(store, pair):
    r = run(store, *pair)
    store.record_run(r)
    pid = pair_key(r.old.statement, r.new.statement)
    with pytest.raises(StoreError, match="No flag 000000000000 in any run of pair"):
        store.decide(pid, "flag", "000000000000", "confirm", reviewer="ann")
    with pytest.raises(StoreError, match="Unknown decision 'maybe'"):
        store.decide(pid, "flag", r.flags[0].id, "maybe", reviewer="ann")
    with pytest.raises(StoreError, match="needs the reviewer's name"):
        store.decide(pid, "flag", r.flags[0].id, "confirm", reviewer="  ")
    # A change (the coming change layer) is accepted by id.
    d = store.decide(pid, "change", "c0ffee000000", "confirm", reviewer="ann", summary="grouped change")
    assert (d.kind, d.summary) == ("change", "grouped change")


# --------------------------------------------------------------------------- corrections and lessons


def test_link_and_unlink_corrections_apply_on_the_next_run(store, pair):
    r1 = run(store, *pair)
    store.record_run(r1)
    pid = pair_key(r1.old.statement, r1.new.statement)
    # The reviewer says the old "will expand" paragraph is not the new "may expand" one…
    wrong = next(lk for lk in r1.links if lk.old == (2,) and lk.new == (2,))
    store.correct(pid, "unlink", [r1.old.paragraphs[2].id], [r1.new.paragraphs[2].id], reviewer="ann",
                  note="different programme")
    r2 = run(store, *pair)
    assert wrong.id not in {lk.id for lk in r2.links}
    assert {(lk.type, lk.old, lk.new) for lk in r2.links} >= {("dropped", (2,), ()), ("added", (), (2,))}
    assert r2.run["review_corrections"] == ["unlinked: unlink old ¶3 with new ¶3 (by ann)"]
    dropped = next(lk for lk in r2.links if lk.old == (2,))
    assert dropped.evidence == ("unlinked: reviewer correction by ann: different programme",)
    # … and that old ¶5 (thanks) goes with new ¶5 (the DPRK passage): a link
    # that takes each paragraph out of its previous link.
    store.correct(pid, "link", [r1.old.paragraphs[4].id], [r1.new.paragraphs[4].id], reviewer="bob")
    r3 = run(store, *pair)
    made = next(lk for lk in r3.links if lk.old == (4,))
    assert (made.type, made.new, made.confidence) == ("edited", (4,), 1.0)
    assert made.opcodes and made.evidence == ("linked: reviewer correction by bob",)
    assert any(lk.type == "added" and lk.new == (5,) for lk in r3.links)  # its former partner
    assert "linked: link old ¶5 with new ¶5 (by bob)" in r3.run["review_corrections"]
    # Every paragraph is still in exactly one link.
    assert sorted(i for lk in r3.links for i in lk.old) == list(range(5))
    assert sorted(j for lk in r3.links for j in lk.new) == list(range(6))
    # Withdrawing the unlink restores the aligner's link.
    store.correct(pid, "clear", [r1.old.paragraphs[2].id], [r1.new.paragraphs[2].id], reviewer="ann")
    r4 = run(store, *pair)
    assert wrong.id in {lk.id for lk in r4.links}
    # Without a store nothing is corrected.
    assert "review_corrections" not in run(None, *pair).run


def test_a_dismissal_ranks_the_same_kind_of_change_lower_later_in_the_series(store, tmp_path, pair):
    r1 = run(store, *pair)
    store.record_run(r1)
    pid = pair_key(r1.old.statement, r1.new.statement)
    f = flag_of(r1, "intensity_shift", "'call on' → 'urge'")
    store.decide(pid, "flag", f.id, "dismiss", reviewer="ann", note="routine")
    # A later pair of the same series, different wording around the same shift.
    later_old = OLD.replace("2024-01-10", "2024-06-10").replace(
        "South China Sea and call on all parties", "Red Sea; we now call on the parties")
    later_new = NEW.replace("2024-06-10", "2024-12-01").replace(
        "South China Sea and urge all parties", "Red Sea; we now urge the parties").replace("grave concern", "concern")
    d = tmp_path / "later"
    plain = run(None, *write_pair(d, later_old, later_new))
    taught = run(store, d / "old.md", d / "new.md")
    before = flag_of(plain, "intensity_shift", "'call on' → 'urge'")
    after = flag_of(taught, "intensity_shift", "'call on' → 'urge'")
    assert before.id != f.id  # a different flag, the same kind of change
    assert after.score == pytest.approx(before.score * DISMISSAL_DEMOTION, abs=1e-4)
    assert after.evidence["score"]["dismissal_demotion"] == DISMISSAL_DEMOTION
    assert after.evidence["dismissed_before"] == (
        "reviewers dismissed this kind of change (intensity_shift on 'call:1>2') 1 time in "
        "test ministerial series: ranked lower")
    assert [g.score for g in taught.flags] == sorted((g.score for g in taught.flags), reverse=True)
    row = BeautifulSoup(render_html(taught), "html.parser").select_one(f"#flag-{after.id}")
    shown = dict(zip((dt.get_text() for dt in row.select("dt")), (dd.get_text() for dd in row.select("dd"))))
    assert shown["dismissed_before"] == after.evidence["dismissed_before"]
    untouched = [g for g in taught.flags if g.id != after.id]
    assert all("dismissed_before" not in g.evidence for g in untouched)
    # Another series learns nothing from it.
    other = run(store, *write_pair(tmp_path / "other", later_old.replace("Test ministerial", "Other"),
                                   later_new.replace("Test ministerial", "Other")))
    assert flag_of(other, "intensity_shift", "'call on' → 'urge'").score == before.score


def test_confirmations_export_as_labelled_examples(store, pair):
    r = run(store, *pair)
    store.record_run(r)
    pid = pair_key(r.old.statement, r.new.statement)
    store.decide(pid, "flag", r.flags[0].id, "confirm", reviewer="ann")
    store.decide(pid, "flag", r.flags[1].id, "dismiss", reviewer="ann")
    store.decide(pid, "flag", r.flags[2].id, "discuss", reviewer="ann")
    ex = store.labelled_examples()
    assert [(e["flag_id"], e["label"], e["rank"]) for e in ex] == [(r.flags[0].id, 1, 1), (r.flags[1].id, 0, 2)]
    assert ex[0]["flags_in_run"] == len(r.flags) and ex[0]["rule"] == r.flags[0].rule


# --------------------------------------------------------------------------- concurrency and crashes


def test_threads_deciding_at_once_lose_nothing(store, pair):
    r = run(store, *pair)
    store.record_run(r)
    pid = pair_key(r.old.statement, r.new.statement)
    fid = r.flags[0].id
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def work(n: int) -> None:
        try:
            start.wait()
            for k in range(20):
                store.decide(pid, "flag", fid, ("confirm", "dismiss")[k % 2], reviewer=f"t{n}", note=str(k))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    hist = store.history(pid, "flag", fid)
    assert len(hist) == 120
    assert sorted((d.reviewer, int(d.note)) for d in hist) == sorted((f"t{n}", k) for n in range(6) for k in range(20))
    # The current decision is the last one written.
    assert store.current(pid)[(pid, "flag", fid)].id == max(d.id for d in hist)


WRITER = textwrap.dedent("""
    import sys
    from driftlab.store import Store
    store = Store(sys.argv[1])
    pid, fid, who, n = sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
    for k in range(n):
        d = store.decide(pid, "flag", fid, "confirm", reviewer=who, note=str(k))
        print(d.id, flush=True)
""")


def test_processes_deciding_at_once_lose_nothing(store, pair):
    r = run(store, *pair)
    store.record_run(r)
    pid = pair_key(r.old.statement, r.new.statement)
    fid = r.flags[0].id
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(store.path), pid, fid, f"p{n}", "15"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
             for n in range(3)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [o[1] for o in outs]
    reported = {int(line) for out, _ in outs for line in out.split()}
    hist = store.history(pid, "flag", fid)
    assert len(reported) == 45 and {d.id for d in hist} == reported


CRASHER = textwrap.dedent("""
    import sys
    from driftlab.embed import HashingEncoder
    from driftlab.pipeline import diff_files
    from driftlab.settings import Settings
    from driftlab.store import Store
    store = Store(sys.argv[1])
    pid, fid, old, new = sys.argv[2:6]
    result = diff_files(old, new, Settings(use_cache=False), encoder=HashingEncoder())
    k = 0
    while True:  # a batch of writes, until killed: decisions and whole runs
        d = store.decide(pid, "flag", fid, "dismiss", reviewer="crash", note=str(k))
        print("decision", d.id, flush=True)
        if k % 3 == 0:
            print("run", store.record_run(result), flush=True)
        k += 1
""")


def test_kill_9_mid_batch_loses_no_committed_decision(store, pair):
    r = run(store, *pair)
    store.record_run(r)
    pid = pair_key(r.old.statement, r.new.statement)
    fid = r.flags[0].id
    proc = subprocess.Popen([sys.executable, "-c", CRASHER, str(store.path), pid, fid, *map(str, pair)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    committed: dict[str, set[int]] = {"decision": set(), "run": set()}
    deadline = time.monotonic() + 120
    try:
        while len(committed["decision"]) < 40 and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            kind, ident = line.split()
            committed[kind].add(int(ident))
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    assert len(committed["decision"]) >= 40, "the writer did not get going"
    store.close()
    reopened = Store(store.path)
    try:
        assert reopened._read("PRAGMA integrity_check")[0][0] == "ok"
        ids = {d.id for d in reopened.history(pid, "flag", fid)}
        assert committed["decision"] <= ids
        # A run is all or nothing: every stored run has all its flag rows.
        for info in reopened.runs(pid):
            assert info.flags == len(reopened.run_json(info.id)["flags"])
        assert committed["run"] <= {info.id for info in reopened.runs(pid)}
        # The store is still writable after the crash.
        reopened.decide(pid, "flag", fid, "confirm", reviewer="after")
    finally:
        reopened.close()


def test_bench_review_ranking_reads_the_exported_examples(store, pair, tmp_path, capsys):
    import importlib.util

    spec = importlib.util.spec_from_file_location("driftlab_bench_review_ranking", ROOT / "bench" / "review_ranking.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    r = run(store, *pair)
    store.record_run(r)
    pid = pair_key(r.old.statement, r.new.statement)
    # Analysts keep the 3rd flag and drop the 1st and 2nd: the ranking got 0 of 2 pairs right.
    store.decide(pid, "flag", r.flags[2].id, "confirm", reviewer="ann")
    store.decide(pid, "flag", r.flags[0].id, "dismiss", reviewer="ann")
    store.decide(pid, "flag", r.flags[1].id, "dismiss", reviewer="ann")
    figures = bench.figures(store.labelled_examples())
    assert figures["pairwise"] == 0.0 and figures["precision@5"] == pytest.approx(1 / 3)
    store.decide(pid, "flag", r.flags[1].id, "confirm", reviewer="ann")  # changed their mind
    assert bench.figures(store.labelled_examples())["pairwise"] == 0.0  # 2 confirmed below the dismissed 1st
    store.decide(pid, "flag", r.flags[0].id, "confirm", reviewer="ann")
    store.decide(pid, "flag", r.flags[3].id, "dismiss", reviewer="ann")
    assert bench.figures(store.labelled_examples())["pairwise"] == 1.0
    assert bench.main(["--store", str(store.path)]) == 0
    out = capsys.readouterr().out
    assert "labelled flags: 4 in 1 run(s)" in out
    assert "pairwise ordering accuracy (confirmed above dismissed): 1.000" in out


def test_diff_uses_a_store_only_when_named_or_already_there(tmp_path, monkeypatch):
    from driftlab.cli import _diff_store

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert _diff_store(None) is None
    assert not (tmp_path / "xdg").exists()  # a plain diff creates no database
    named = _diff_store(tmp_path / "named.sqlite")
    assert named.path == tmp_path / "named.sqlite" and named.path.exists()
    named.close()
    Store(tmp_path / "xdg" / "driftlab" / "driftlab.sqlite").close()
    found = _diff_store(None)
    assert found.path == tmp_path / "xdg" / "driftlab" / "driftlab.sqlite"
    found.close()


def test_the_cli_does_not_import_the_web_framework():
    code = "import sys, driftlab.cli; print('flask' in sys.modules, 'torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_statement_identity_needs_a_date_else_the_file_name(tmp_path):
    from driftlab.ingest import load_statement
    from driftlab.store import statement_key

    dated = tmp_path / "a" / "x.md"
    dated.parent.mkdir()
    dated.write_text("---\ntitle: Joint Statement\ndate: 2024-01-02\nseries: S\n---\nText one.\n", encoding="utf-8")
    moved = tmp_path / "b" / "y.md"
    moved.parent.mkdir()
    moved.write_text("---\ntitle: Joint  statement\ndate: 2024-01-02\nseries: S\n---\nText two.\n", encoding="utf-8")
    assert statement_key(load_statement(dated)) == statement_key(load_statement(moved)) == "s|2024-01-02|joint statement"
    titled = tmp_path / "a" / "t.md"
    titled.write_text("---\ntitle: Joint Statement\n---\nText.\n", encoding="utf-8")
    assert statement_key(load_statement(titled)) == "file|t.md"


def test_linking_out_of_a_merge_leaves_the_rest_of_it(pair):
    from driftlab.pipeline import load_document
    from driftlab.store import Correction, apply_corrections
    from driftlab.types import Link

    old, new = (load_document(p) for p in pair)
    merged = Link((1, 2), (1,), "merged", 0.7)
    split = Link((3,), (2, 3), "split", 0.6)
    links = [Link((0,), (0,), "unchanged", 1.0), merged, split, Link((4,), (5,), "unchanged", 1.0),
             Link((), (4,), "added", 0.9)]
    fix = Correction(7, "p", "link", (old.paragraphs[2].id,), (new.paragraphs[3].id,), "", "ann", "t")
    out, said = apply_corrections(old, new, links, [fix])
    got = {(lk.old, lk.new): lk.type for lk in out}
    assert got == {((0,), (0,)): "unchanged", ((1,), (1,)): "edited", ((3,), (2,)): "edited",
                   ((4,), (5,)): "unchanged", ((), (4,)): "added", ((2,), (3,)): "edited"}
    assert said == ("linked: link old ¶3 with new ¶4 (by ann)",)
    rest = next(lk for lk in out if lk.old == (1,))
    assert rest.evidence == ("a reviewer linked one of its paragraphs elsewhere",)
    # A correction whose passages are gone is skipped, and said so.
    gone = Correction(8, "p", "unlink", ("000000000000",), (new.paragraphs[0].id,), "", "bob", "t")
    out2, said2 = apply_corrections(old, new, links, [gone])
    assert out2 == tuple(links)
    assert said2 == ("not applied, passages no longer present: unlink correction #8 by bob",)
