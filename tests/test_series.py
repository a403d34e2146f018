"""Series: corpus index, lineage, timeline, keyness, drift, history, trace, and the CLI.

Unit tests run on small invented series with the deterministic hashing
encoder; the real-model tests at the end read the US–Japan and G7 folders of
../shared and check facts found by hand (see each test's docstring).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from driftlab import pipeline
from driftlab.cli import cli
from driftlab.corpus import build_index, resolve_series, select, series_notes
from driftlab.embed import EmbeddingCache, HashingEncoder, embed_texts
from driftlab.errors import ConfigError
from driftlab.pipeline import diff_documents, load_document
from driftlab.series import (
    ResultCache, build_series_report, history_record, log_likelihood, statement_trigrams, trace, with_history,
)
from driftlab.settings import Settings

from .conftest import SHARED_CORPUS

A = ("The Leaders reaffirmed their commitment to a free and open Indo-Pacific region, grounded in "
     "the rule of law and respect for sovereignty and territorial integrity.")
B1 = "The Leaders expressed concern over the missile launches of North Korea in the past year."
B2 = "The Leaders expressed grave concern over the repeated ballistic missile launches of North Korea this year."
B3 = ("The Leaders strongly condemned the repeated ballistic missile launches of North Korea and urged "
      "it to abandon its programmes.")
C = ("The Leaders welcomed progress in cooperation on clean energy, critical minerals and resilient "
     "supply chains for the green transition of both economies.")
D = "The Leaders launched a new dialogue on space exploration and lunar research between their agencies."
E = "The Leaders announced a youth exchange programme for students of science and engineering."


def _write(folder: Path, name: str, date: str, paragraphs: list[str], series: str | None = "Test leaders",
           title: str = "Joint Leaders' Statement") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    head = "---\n" + f'title: "{title}"\ndate: "{date}"\n' + (f'series: "{series}"\n' if series else "") + "---\n"
    p = folder / name
    p.write_text(head + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return p


@pytest.fixture
def small_series(tmp_path) -> Path:
    """Three statements: A carried throughout; B reworded each year; C said,
    dropped, said again; D only in the middle; E new in the last."""
    folder = tmp_path / "leaders"
    _write(folder, "2021-01-01_a.txt", "2021-01-01", [A, B1, C])
    _write(folder, "2022-01-01_b.txt", "2022-01-01", [A, B2, D])
    _write(folder, "2023-01-01_c.txt", "2023-01-01", [A, B3, C, E])
    return folder


@pytest.fixture
def enc_cache(tmp_path):
    return HashingEncoder(), EmbeddingCache(tmp_path / "cache")


def _report(folder, enc_cache, results=None):
    enc, cache = enc_cache
    return build_series_report(resolve_series(str(folder)), Settings(), enc, cache, results=results)


# --------------------------------------------------------------------------- corpus


def test_index_groups_by_front_matter_else_folder_and_orders_by_date(tmp_path):
    _write(tmp_path / "g", "b.txt", "2023-05-01", [A], series="Alpha")
    _write(tmp_path / "g", "a.txt", "2024-05-01", [B1], series="Alpha")
    _write(tmp_path / "g", "c.txt", "2022-05-01", [C], series=None)
    (tmp_path / "g" / "README.md").write_text("# About this corpus\n\nNot a statement.\n")
    idx = build_index([tmp_path / "g"])
    assert idx.names() == ["Alpha", "g"]
    alpha = select(idx, "alpha")
    assert [e.date for e in alpha.entries] == ["2023-05-01", "2024-05-01"]
    assert {e.rule for e in alpha.entries} == {"front matter"}
    assert [e.rule for e in select(idx, "g").entries] == ["folder name"]
    folder = build_index([tmp_path / "g"], "folder").series
    assert len(folder) == 1 and len(folder[0].entries) == 3  # README left out
    notes = series_notes(folder[0])
    assert "Placed in this series by: folder given (3)." in notes
    assert any(n.startswith("Statements of different kinds: 1") is False for n in notes)


def test_parties_grouping_splits_one_front_matter_series(tmp_path):
    for party in ("China", "Republic of Korea", "Democratic People's Republic of Korea"):
        for year in (2021, 2022):
            p = tmp_path / "ungd" / f"{year}_{party[:3]}.txt"
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(f'---\ndate: "{year}-09-01"\nseries: "UNGD"\nparties: "{party} (single speaker)"\n---\n'
                         f"{party} speaks in {year} about peace and development.\n")
    idx = build_index([tmp_path / "ungd"], "parties")
    assert len(idx.series) == 3
    # The party name picks one series even where it is inside another's name.
    assert select(idx, "Republic of Korea").name == "UNGD — Republic of Korea"
    with pytest.raises(ConfigError, match="names 2 series"):
        select(idx, "Korea")


def test_notes_state_gaps_and_kinds(tmp_path):
    _write(tmp_path / "s", "a.txt", "2019-01-01", [A], title="Foreign Ministers' Statement")
    _write(tmp_path / "s", "b.txt", "2022-01-01", [A], title="Joint Leaders' Statement")
    notes = series_notes(build_index([tmp_path / "s"], "folder").series[0])
    assert "No statement in 2020, 2021 (a gap, not an error)." in notes
    assert any("ministers' statement → 2022-01-01 leaders' statement" in n for n in notes)


# --------------------------------------------------------------------------- lineage and timeline


def test_lineage_marks_carried_changed_returning_and_new(small_series, enc_cache):
    rep = _report(small_series, enc_cache)
    status = {pl.paragraph: pl for pl in rep.lineage}
    assert status[0].status == "carried"
    assert [a.statement for a in status[0].ancestors] == [1, 0] and status[0].origin == 0
    assert status[1].status == "changed"
    assert status[2].status == "returning" and status[2].absent_for == 1
    assert status[2].ancestors[0].statement == 0 and status[2].ancestors[0].link_type == "returning"
    assert status[3].status == "new" and status[3].ancestors == ()


def test_sentence_links_of_the_aligner_refine_lineage():
    """Links gaining ``sentence_links`` (lists of [paragraph, sentence] per
    side, as the sentence-lineage aligner writes them) give sentence pairs;
    links without them, or added sentences, give none."""
    from driftlab.series import _sentence_links
    from driftlab.types import Link

    plain = Link(old=(0,), new=(0,), type="edited", confidence=1.0)
    assert _sentence_links(plain) == ()

    class WithSentences:
        sentence_links = (
            {"old": [[0, 0]], "new": [[0, 1]], "type": "rewritten", "score": 0.9},
            {"old": [[0, 1], [0, 2]], "new": [[0, 2]], "type": "edited", "score": 0.8},
            {"old": [], "new": [[0, 0]], "type": "added", "score": 0.0},
            {"old": [1, 3], "new": [2, 4]},  # a single pair, the older shape
        )

    assert _sentence_links(WithSentences()) == (
        ((0, 0), (0, 1)), ((0, 1), (0, 2)), ((0, 2), (0, 2)), ((1, 3), (2, 4)))


def test_phrase_in_every_statement_is_never_new(small_series, enc_cache):
    """A (the Indo-Pacific passage) is in all three statements: its passage is
    carried, its key phrases were first seen in the first statement, and its
    history says it was already there."""
    rep = _report(small_series, enc_cache)
    a = rep.lineage[0]
    assert a.status != "new"
    assert a.key_phrases and all(k.first_seen == 0 and k.statements == 3 for k in a.key_phrases)
    prior = [statement_trigrams(d) for d in rep.series.documents[:2]]
    rec = history_record("", "free and open Indo-Pacific region", prior, ["2021", "2022"])
    assert rec["kind"] == "recurring"


def test_absent_topic_is_never_present_and_has_no_drift(small_series, enc_cache):
    rep = _report(small_series, enc_cache)
    taiwan = [c for c in rep.timeline if c.topic == "taiwan"]
    assert len(taiwan) == 3 and not any(c.present or c.share for c in taiwan)
    assert all(c.drift is None for c in rep.drift if c.topic == "taiwan")
    dprk = [c for c in rep.timeline if c.topic == "dprk_nuclear"]
    assert all(c.present for c in dprk)
    # The ladder of concern climbs: concern → grave concern → strongly condemned.
    rungs = [c.strongest["phrase"] for c in dprk]
    assert rungs[0] == "concern" and rungs[1] == "grave concern" and "condemned" in rungs[2]
    drift = [c.drift for c in rep.drift if c.topic == "dprk_nuclear"]
    assert all(0 < d <= 1 for d in drift)


def test_keyness_finds_emerging_terms_with_first_appearance(tmp_path, enc_cache):
    folder = tmp_path / "k"
    filler = "The partners reviewed the agenda of their regular meeting and thanked the hosts."
    for year, extra in ((2020, []), (2021, []), (2022, ["Quantum computing cooperation grows."] * 3),
                        (2023, ["Quantum computing research expands.", "Quantum computing talent."] * 2)):
        _write(folder, f"{year}.txt", f"{year}-01-01", [filler, *extra])
    rep = _report(folder, enc_cache)
    row = next(t for t in rep.terms if t.term == "quantum computing")
    assert row.trend == "emerging" and row.first_seen == 2 and row.last_seen == 3 and row.series_ll > 3.84
    assert not any(t.term == "quantum computing" and t.trend == "fading" for t in rep.terms)
    assert log_likelihood(10, 0, 100, 100) > 0 > log_likelihood(0, 10, 100, 100)
    assert log_likelihood(5, 5, 100, 100) == 0.0


def test_result_cache_makes_a_second_run_compute_nothing(small_series, enc_cache, tmp_path):
    results = ResultCache(tmp_path / "results")
    first = _report(small_series, enc_cache, results)
    enc = enc_cache[0]
    calls = enc.calls
    again = _report(small_series, enc_cache, results)
    assert enc.calls == calls  # nothing encoded
    assert again.lineage == first.lineage and again.timeline == first.timeline


def test_adding_a_statement_embeds_only_that_statement(small_series, enc_cache, tmp_path):
    results = ResultCache(tmp_path / "results")
    _report(small_series, enc_cache, results)
    enc, cache = enc_cache
    _write(small_series, "2024-01-01_d.txt", "2024-01-01", [A, B3, "A brand new passage on ocean plastics."])
    seen: list[list[str]] = []
    original = enc.encode

    def spy(texts):
        seen.append(list(texts))
        return original(texts)

    enc.encode = spy
    rep = _report(small_series, enc_cache, results)
    assert len(rep.steps) == 3
    encoded = [t for batch in seen for t in batch]
    assert any("ocean plastics" in t for t in encoded)
    assert not any("space exploration" in t or "clean energy" in t for t in encoded)


# --------------------------------------------------------------------------- history


def test_history_kinds_and_multipliers():
    def grams(*texts):
        from driftlab.series import trigram_set

        return [trigram_set(t) for t in texts]

    old_w = "we express concern over the situation in the region"
    new_w = "we express grave concern over the situation in the region"
    prior = grams(old_w, old_w, old_w)
    rec = history_record(old_w, new_w, prior, ["1", "2", "3"])
    assert rec["kind"] == "stable_then_changed" and rec["n"] == 3 and rec["multiplier"] == 1.2
    rec = history_record(old_w, "", prior, ["1", "2", "3"])
    assert rec["kind"] == "dropped_after" and rec["n"] == 3
    back = "we call for the complete denuclearization of the peninsula"
    rec = history_record("", back, grams(back, old_w, old_w), ["1", "2", "3"])
    assert rec["kind"] == "restored" and rec["n"] == 2 and rec["multiplier"] < 1
    assert rec["seen_in"] == ["1"]
    # An edit is judged by the words it changes: "grave" concern is new even
    # though the rest of the sentence stood for three statements.
    rec = history_record(old_w, new_w, grams(old_w, new_w, old_w), ["1", "2", "3"])
    assert rec["kind"] == "restored" and rec["n"] == 1
    rec = history_record("", "an entirely fresh pledge on deep sea mining", prior, ["1", "2", "3"])
    assert rec["kind"] == "first_in_series" and rec["multiplier"] > 1
    # A name or a number alone has no history worth a multiplier.
    assert history_record("", "DPRK's", prior, ["1", "2", "3"]) is None


def test_diff_with_corpus_attaches_history_and_reranks(small_series, enc_cache):
    enc, cache = enc_cache
    files = sorted(small_series.glob("*.txt"))
    old, new = load_document(files[1]), load_document(files[2])
    plain = diff_documents(old, new, enc, Settings(), cache)
    result = with_history(plain, build_index([small_series]))
    assert result.run["history"] == {"series": "Test leaders", "prior_statements": 2}
    by_id = {f.id: f for f in result.flags}
    assert by_id and all("history" in f.evidence for f in by_id.values() if f.new_text or f.old_text)
    returning = [f for f in result.flags if f.rule == "passage_added" and "clean energy" in f.new_text]
    assert returning and returning[0].evidence["history"]["kind"] == "restored"
    new_passage = [f for f in result.flags if f.rule == "passage_added" and "youth exchange" in f.new_text]
    assert new_passage[0].evidence["history"]["kind"] == "first_in_series"
    before = {f.id: f.score for f in plain.flags}
    for f in result.flags:
        h = f.evidence.get("history")
        if h:
            assert f.score == round(before[f.id] * h["multiplier"], 4)
    assert [f.score for f in result.flags] == sorted((f.score for f in result.flags), reverse=True)


def test_cli_diff_corpus_option(small_series, monkeypatch, tmp_path):
    monkeypatch.setattr(pipeline, "make_encoder", lambda *a, **k: HashingEncoder())
    files = sorted(small_series.glob("*.txt"))
    out = tmp_path / "d.json"
    res = CliRunner().invoke(cli, ["diff", str(files[1]), str(files[2]), "--no-html", "--json", str(out), "-q",
                                   "--cache-dir", str(tmp_path / "c"), "--corpus", str(small_series)])
    assert res.exit_code == 0, res.output
    flags = json.loads(out.read_text())["flags"]
    kinds = {f["evidence"]["history"]["kind"] for f in flags if "history" in f["evidence"]}
    assert {"first_in_series", "restored"} <= kinds


# --------------------------------------------------------------------------- trace


def test_trace_exact_cosmetic_and_reworded(tmp_path, enc_cache):
    folder = tmp_path / "t"
    _write(folder, "1.txt", "2020-01-01", ["We support the defence of the rule of law in the South China Sea."])
    _write(folder, "2.txt", "2021-01-01", ["Nothing on the sea this year; trade only."])
    _write(folder, "3.txt", "2022-01-01", ["We support the Defense of the Rule of Law in the South China Sea."])
    _write(folder, "4.txt", "2023-01-01", ["We firmly support defending the rule of law across the South China Sea."])
    series = resolve_series(str(folder))
    enc, cache = enc_cache
    phrase = "defence of the rule of law in the South China Sea"
    t = trace(phrase, series, lambda xs: embed_texts(xs, enc, cache), threshold=0.5)
    kinds = [(h.date, h.kind) for h in t.hits]
    assert kinds == [("2020-01-01", "exact"), ("2022-01-01", "cosmetic"), ("2023-01-01", "reworded")]
    assert t.hits[-1].score >= 0.5
    assert t.first_seen == "2020-01-01" and t.last_seen == "2023-01-01"
    assert t.gaps == ({"after": "2020-01-01", "before": "2022-01-01", "statements": ["2021-01-01"]},)
    strict = trace(phrase, series, lambda xs: embed_texts(xs, enc, cache), threshold=0.99)
    assert [h.kind for h in strict.hits] == ["exact", "cosmetic"]


def test_cli_trace_json_and_errors(tmp_path):
    folder = tmp_path / "t"
    _write(folder, "1.txt", "2020-01-01", ["We support the rule of law.", "Other matters."])
    _write(folder, "2.txt", "2021-01-01", ["We uphold the Rule of Law.", "Other matters."])
    r = CliRunner().invoke(cli, ["trace", "rule of law", str(folder), "--json", "--no-reworded"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert [(h["date"], h["paragraph"], h["kind"]) for h in data["hits"]] == [
        ("2020-01-01", 0, "exact"), ("2021-01-01", 0, "cosmetic")]
    assert data["first_seen"] == "2020-01-01" and data["last_seen"] == "2021-01-01"
    assert data["hits"][1]["text"] == "We uphold the Rule of Law."
    r = CliRunner().invoke(cli, ["trace", "rule of law", "Some series"])
    assert r.exit_code == 1
    assert r.output == "Error: No folder 'Some series'; to look up a series by name, give --corpus DIR.\n"
    r = CliRunner().invoke(cli, ["trace", "rule of law", "Nope", "--corpus", str(folder)])
    assert r.exit_code == 1
    assert r.output == "Error: No series named 'Nope' in the corpus. Known series: Test leaders.\n"
    r = CliRunner().invoke(cli, ["trace", "  ", str(folder), "--no-reworded"])
    assert r.output == "Error: The phrase to trace is empty.\n"


# --------------------------------------------------------------------------- the series command


@pytest.fixture
def hashing_cli(monkeypatch):
    monkeypatch.setattr(pipeline, "make_encoder", lambda *a, **k: HashingEncoder())


def test_cli_series_writes_report_steps_json_and_tables(small_series, tmp_path, hashing_cli):
    out = tmp_path / "out" / "s.html"
    r = CliRunner().invoke(cli, ["series", str(small_series), "-o", str(out), "--json", str(tmp_path / "s.json"),
                                 "--tables", str(tmp_path / "tables"), "--parquet", "--cache-dir", str(tmp_path / "c")])
    assert r.exit_code == 0, r.output
    assert "leaders: 3 statements, 2 steps" in r.output
    soup = BeautifulSoup(out.read_text(), "html.parser")
    links = [a["href"] for a in soup.select("table.statements a")]
    assert links == ["s_steps/01_2021-01-01_a_vs_2022-01-01_b.html", "s_steps/02_2022-01-01_b_vs_2023-01-01_c.html"]
    assert all((out.parent / h).is_file() for h in links)
    assert len(soup.select("svg.plot")) == 2 and not soup.select("script")
    statuses = [b.get_text() for b in soup.select("table.lineage .badge")]
    assert statuses == ["carried over", "changed", "returning after an absence", "new ever"]
    data = json.loads((tmp_path / "s.json").read_text())
    assert data["series"] == "leaders" and [s["date"] for s in data["statements"]] == ["2021-01-01", "2022-01-01", "2023-01-01"]
    assert {"timeline", "lineage", "terms", "drift", "step_terms"} <= set(data)
    import pandas as pd

    timeline = pd.read_csv(tmp_path / "tables" / "timeline.csv")
    assert set(timeline.columns) >= {"statement", "topic", "present", "share", "ladder", "rung", "phrase"}
    assert pd.read_parquet(tmp_path / "tables" / "lineage.parquet")["status"].tolist() == [
        "carried", "changed", "returning", "new"]


def test_timeline_draws_the_topics_the_series_names_and_lists_the_others(small_series, tmp_path, hashing_cli):
    # A watched topic no statement names (Taiwan here) is one line under the
    # plot, not a row of "absent" dots above the topics that matter.
    out = tmp_path / "s.html"
    r = CliRunner().invoke(cli, ["series", str(small_series), "-o", str(out), "-q", "--no-cache"])
    assert r.exit_code == 0, r.output
    soup = BeautifulSoup(out.read_text(), "html.parser")
    rows = [th.get_text() for th in soup.select("table.timeline tbody th")]
    assert "DPRK nuclear and missile programmes" in rows and "Taiwan and cross-Strait relations" not in rows
    never = soup.select_one("p.never-named").get_text()
    assert "Taiwan and cross-Strait relations" in never and "DPRK nuclear" not in never
    plot = soup.select("svg.plot")[0].get_text()
    assert "DPRK nuclear and missile programmes" in plot and "Taiwan" not in plot


def test_a_series_naming_no_watched_topic_says_so(tmp_path, hashing_cli):
    folder = tmp_path / "x"
    _write(folder, "1.txt", "2020-01-01", ["We meet."])
    _write(folder, "2.txt", "2021-01-01", ["We meet again."])
    out = tmp_path / "x.html"
    r = CliRunner().invoke(cli, ["series", str(folder), "-o", str(out), "-q", "--no-cache"])
    assert r.exit_code == 0, r.output
    soup = BeautifulSoup(out.read_text(), "html.parser")
    assert "No watched topic is named in any statement of this series." in soup.get_text()
    assert not soup.select("table.timeline tbody tr")


def test_series_html_escapes_statement_text(tmp_path, hashing_cli):
    folder = tmp_path / "x"
    _write(folder, "1.txt", "2020-01-01", ["<script>alert(1)</script> We meet."], title="<b>T</b>")
    _write(folder, "2.txt", "2021-01-01", ["<img src=x onerror=alert(2)> We meet again."], title="<b>T</b>")
    out = tmp_path / "x.html"
    r = CliRunner().invoke(cli, ["series", str(folder), "-o", str(out), "-q", "--cache-dir", str(tmp_path / "c")])
    assert r.exit_code == 0, r.output
    soup = BeautifulSoup(out.read_text(), "html.parser")
    assert not soup.select("script") and not soup.select("img") and not soup.select("main b")
    assert "<img src=x onerror=alert(2)> We meet again." in soup.select_one("table.lineage td.text").get_text()


def test_series_html_is_deterministic(small_series, tmp_path, hashing_cli):
    texts = []
    for k in range(2):
        out = tmp_path / f"r{k}" / "s.html"
        r = CliRunner().invoke(cli, ["series", str(small_series), "-o", str(out), "-q", "--no-cache"])
        assert r.exit_code == 0, r.output
        texts.append(out.read_text())
    assert texts[0] == texts[1]


def test_cli_series_errors(tmp_path):
    (tmp_path / "empty").mkdir()
    r = CliRunner().invoke(cli, ["series", "Alpha"])
    assert r.output == "Error: No folder 'Alpha'; to look up a series by name, give --corpus DIR.\n"
    r = CliRunner().invoke(cli, ["series", str(tmp_path / "empty")])
    assert r.exit_code == 1
    assert r.output == "Error: No series named 'empty' in the corpus.\n"
    r = CliRunner().invoke(cli, ["series", str(tmp_path), "--parquet"])
    assert r.output == "Error: --parquet needs --tables DIR.\n"
    r = CliRunner().invoke(cli, ["series", str(tmp_path), "--workers", "2", "--scheduler", "tcp://x:1"])
    assert r.output == "Error: Give --workers or --scheduler, not both.\n"


def test_index_command_lists_series(small_series, tmp_path):
    r = CliRunner().invoke(cli, ["index", str(small_series), "--no-embed"])
    assert r.exit_code == 0, r.output
    assert "Test leaders: 3 statements, 2021-01-01 to 2023-01-01 (placed by front matter)" in r.output


def test_no_dask_without_workers_or_scheduler(small_series, tmp_path):
    """Dask is imported only for --workers/--scheduler: a plain run never pays for it."""
    code = (
        "import sys; from click.testing import CliRunner; from driftlab.cli import cli; "
        "import driftlab.pipeline as p; from driftlab.embed import HashingEncoder; "
        "p.make_encoder = lambda *a, **k: HashingEncoder(); "
        f"r = CliRunner().invoke(cli, ['trace', 'rule of law', {str(small_series)!r}, '--no-reworded']); "
        f"r2 = CliRunner().invoke(cli, ['index', {str(small_series)!r}, '--no-embed']); "
        f"r3 = CliRunner().invoke(cli, ['series', {str(small_series)!r}, '-q', '--no-cache', "
        f"'-o', {str(tmp_path / 's.html')!r}]); "
        "print(r.exit_code, r2.exit_code, r3.exit_code, "
        "any(m == 'dask' or m.startswith(('dask.', 'distributed')) for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["0", "0", "0", "False"]
    assert (tmp_path / "s.html").is_file()


# --------------------------------------------------------------------------- real statements


def _shared_folder(name: str) -> Path:
    p = SHARED_CORPUS / name
    if not p.is_dir():
        pytest.skip(f"real corpus folder not available: {p} (../shared is absent)")
    return p


@pytest.mark.shared
def test_trace_first_appearances_in_g7_and_us_japan_checked_by_hand():
    """Checked by hand with grep over the statement bodies (front matter
    removed), case-insensitive, in ../shared/corpus:
    "war of aggression" is absent from the 2021 Carbis Bay communiqué and in
    every G7 text from 2022-03-24 on; "Hiroshima AI Process" first appears in
    the Hiroshima communiqué (2023-05-20), is missing from the 2024-02-24
    statement and back in the Apulia communiqué; "Camp David" appears in the
    US–Japan folder only in 2024-04-10; "peace and stability across the
    Taiwan Strait" is in all five US–Japan statements."""
    g7 = resolve_series(str(_shared_folder("g7")))
    t = trace("war of aggression", g7)
    assert t.first_seen == "2022-03-24" and t.last_seen == "2024-06-14" and t.gaps == ()
    assert {h.date for h in t.hits} == {e.date for e in g7.entries[1:]}
    t = trace("Hiroshima AI Process", g7)
    assert t.first_seen == "2023-05-20" and t.last_seen == "2024-06-14"
    assert t.gaps == ({"after": "2023-12-06", "before": "2024-06-14", "statements": ["2024-02-24"]},)
    usj = resolve_series(str(_shared_folder("us_japan")))
    t = trace("Camp David", usj)
    assert {h.date for h in t.hits} == {"2024-04-10"}
    t = trace("peace and stability across the Taiwan Strait", usj)
    assert len({h.statement for h in t.hits}) == 5 and t.first_seen == "2021-04-16"


@pytest.fixture(scope="module")
def usj_report(tmp_path_factory, real_encoder):
    usj = resolve_series(str(_shared_folder("us_japan")))
    cache = EmbeddingCache(tmp_path_factory.mktemp("usj-cache"))
    return build_series_report(usj, Settings(), real_encoder, cache), cache


@pytest.mark.real_model
@pytest.mark.shared
def test_real_us_japan_series_lineage_and_timeline(usj_report, real_encoder):
    """"peace and stability across the Taiwan Strait" is in every US–Japan
    statement (grep, see above): the 2025 passage holding it is never new, and
    the phrase's history before 2025 says it recurs. The Middle East topic's
    terms (Israel, Gaza, Iran, Houthi…) appear only in 2024-04-10 (grep): it
    is never present in the other four."""
    rep, _cache = usj_report
    latest = rep.series.documents[-1]
    taiwan = [pl for pl in rep.lineage if "across the Taiwan Strait" in latest.paragraphs[pl.paragraph].text]
    assert taiwan and all(pl.status != "new" for pl in taiwan)
    assert all(pl.origin < len(rep.series.entries) - 1 for pl in taiwan)
    prior = [statement_trigrams(d) for d in rep.series.documents[:-1]]
    rec = history_record("", "peace and stability across the Taiwan Strait", prior, [e.date for e in rep.series.entries[:-1]])
    assert rec["kind"] == "recurring" and rec["n"] == 4
    present = {c.statement for c in rep.timeline if c.topic == "taiwan" and c.present}
    assert present == {0, 1, 2, 3, 4}
    middle_east = {rep.series.entries[c.statement].date for c in rep.timeline if c.topic == "middle_east" and c.present}
    assert middle_east <= {"2024-04-10"}


@pytest.mark.real_model
@pytest.mark.shared
def test_real_trace_reworded_hits_have_scores(usj_report, real_encoder):
    rep, cache = usj_report
    t = trace("We oppose any unilateral attempts to change the status quo by force or coercion",
              rep.series, lambda xs: embed_texts(xs, real_encoder, cache))
    assert t.hits and all(h.kind in ("exact", "cosmetic", "reworded") for h in t.hits)
    reworded = [h for h in t.hits if h.kind == "reworded"]
    assert all(h.score >= t.threshold for h in reworded)
    assert all("status quo" in h.text or "coercion" in h.text or "force" in h.text for h in reworded)
    # Checked by hand (grep): "complete denuclearization of North Korea" is
    # said verbatim in 2021 and 2024; 2022 and 2023 say "complete
    # denuclearization of the Korean Peninsula"; 2025 says neither.
    t = trace("complete denuclearization of North Korea", rep.series, lambda xs: embed_texts(xs, real_encoder, cache))
    reworded = {h.date: h for h in t.hits if h.kind == "reworded"}
    assert set(reworded) == {"2022-05-23", "2023-01-13"}
    assert all("denuclearization of the Korean Peninsula" in h.text for h in reworded.values())
    assert {h.date for h in t.hits if h.kind == "exact"} == {"2021-04-16", "2024-04-10"}
