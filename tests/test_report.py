"""Report stage: JSON shape, HTML structure and escaping, CSV, atomic writes.

The DiffResults here are built by hand from short invented texts; opcodes
come from a token-level difflib run so spans are real character offsets.
Golden JSON: tests/fixtures/report/small.json; regenerate with
``DRIFTLAB_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_report.py``.
"""

from __future__ import annotations

import difflib
import io
import json
import os
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from driftlab import report
from driftlab.changes import compute_changes
from driftlab.topics import load_config
from driftlab.errors import OutputError
from driftlab.types import (
    LINK_TYPES,
    DiffResult,
    Document,
    Flag,
    Link,
    Meta,
    Paragraph,
    Sentence,
    Statement,
    TopicTag,
    content_id,
)

from .conftest import shared_file, updating

GOLDEN = Path(__file__).resolve().parent / "fixtures" / "report" / "small.json"
HOSTILE = "<script>alert(1)</script> <img src=x onerror=alert(1)>"

# --------------------------------------------------------------------------- builders


def make_doc(paragraphs: list[str], meta: Meta | None = None, path: str = "x.txt") -> Document:
    """A Document whose paragraphs are joined by blank lines, sentences split after '. '."""
    text = "\n\n".join(paragraphs)
    paras = []
    pos = 0
    for i, ptext in enumerate(paragraphs):
        start = text.index(ptext, pos)
        sents = []
        for k, m in enumerate(re.finditer(r"[^.]+(?:\.|$)\s*", ptext)):
            s_text = m.group().rstrip()
            if not s_text:
                continue
            sents.append(Sentence(k, start + m.start(), start + m.start() + len(s_text), s_text))
        paras.append(Paragraph(i, start, start + len(ptext), ptext, tuple(sents)))
        pos = start + len(ptext)
    return Document(Statement(path, "text", meta or Meta(), text), tuple(paras))


def _tokens(doc: Document, indices: tuple[int, ...]) -> list[tuple[str, int, int]]:
    out = []
    for i in indices:
        p = doc.paragraphs[i]
        for m in re.finditer(r"\S+", p.text):
            out.append((m.group(), p.start + m.start(), p.start + m.end()))
    return out


def _norm(tok: str) -> str:
    return tok.lower().replace("honour", "honor")


def opcodes(old: Document, new: Document, oi: tuple[int, ...], ni: tuple[int, ...]):
    """Word opcodes over the tokens of the given paragraphs, as character offsets."""
    a, b = _tokens(old, oi), _tokens(new, ni)
    sm = difflib.SequenceMatcher(None, [_norm(t[0]) for t in a], [_norm(t[0]) for t in b], autojunk=False)
    ops = []
    for tag, x1, x2, y1, y2 in sm.get_opcodes():
        if tag == "equal":
            # Split equal runs where the surface differs: those are cosmetic.
            for k in range(x2 - x1):
                ta, tb = a[x1 + k], b[y1 + k]
                t = "equal" if ta[0] == tb[0] else "cosmetic"
                ops.append((t, ta[1], ta[2], tb[1], tb[2]))
            continue
        i1 = a[x1][1] if x1 < x2 else (a[x1 - 1][2] if x1 else (old.paragraphs[oi[0]].start if oi else 0))
        i2 = a[x2 - 1][2] if x1 < x2 else i1
        j1 = b[y1][1] if y1 < y2 else (b[y1 - 1][2] if y1 else (new.paragraphs[ni[0]].start if ni else 0))
        j2 = b[y2 - 1][2] if y1 < y2 else j1
        ops.append((tag, i1, i2, j1, j2))
    return tuple(ops)


def link(old, new, oi, ni, type_, conf=0.9, **kw) -> Link:
    return Link(tuple(oi), tuple(ni), type_, conf, opcodes=opcodes(old, new, tuple(oi), tuple(ni)), **kw)


OLD_PARAS = [
    "The leaders met in Seoul. They reaffirmed their alliance.",
    "They expressed concern about missile launches.",
    "They discussed trade and investment.",
    "They welcomed cooperation on energy security.",
    "They honoured the victims of the flood.",
    "They agreed to hold talks. Officials will report by June.",
]
NEW_PARAS = [
    "They welcomed cooperation on energy security.",
    "The leaders met in Seoul. They reaffirmed their alliance.",
    "They strongly condemned missile launches.",
    "They honored the victims of the flood.",
    "They launched a dialogue on space. " + HOSTILE,
    "They agreed to hold talks.",
    "Officials will report by June. A secretariat will be set up.",
]


def build_result(flags: bool = True) -> DiffResult:
    old = make_doc(
        OLD_PARAS,
        Meta(
            title="Leaders' Statement <script>alert('t')</script>",
            date="2023-05-01",
            series="test-series",
            parties="A; B",
            source="javascript:alert(1)",
            extra=(("kind", "joint <b>statement</b>"),),
        ),
        path="old.txt",
    )
    new = make_doc(
        NEW_PARAS,
        Meta(
            title="Leaders' Statement 2024",
            date="2024-05-01",
            series="test-series",
            parties="A; B",
            source="https://example.org/statement?a=1&b=2",
            partial=True,
        ),
        path="new.txt",
    )
    moved = {"old": [5, 1], "new": [6, 0], "similarity": 0.97123456, "lexical": 1.0}
    links = (
        link(old, new, [0], [1], "unchanged", 0.99),
        link(old, new, [1], [2], "edited", 0.8123456, scores={"cosine": 0.71234567, "lexical": 0.5},
             evidence=("shared words: missile launches",)),
        link(old, new, [2], [], "dropped", 0.7),
        link(old, new, [3], [0], "moved", 0.95, evidence=("identical text",)),
        link(old, new, [4], [3], "edited", 0.98),
        link(old, new, [], [4], "added", 0.9),
        link(old, new, [5], [5], "edited", 0.85, moved_sentences=(moved,),
             sentence_links=({"old": [[5, 0]], "new": [[5, 0]], "type": "edited", "score": 0.8312345},
                             {"old": [[5, 1]], "new": [], "type": "moved", "score": 0.0})),
        link(old, new, [], [6], "added", 0.6, moved_sentences=(moved,)),
    )
    by_type = {(lk.type, lk.old, lk.new): lk for lk in links}
    edited = by_type[("edited", (1,), (2,))]
    fl: tuple[Flag, ...] = ()
    if flags:
        fl = (
            Flag(
                content_id("flag", "ladder", 1, 2), "ladder_up", ("dprk", "security"), (1,), (2,),
                "expressed concern about", "strongly condemned", 0.91234567,
                "Language on missile launches hardened from concern to condemnation.",
                {"from": "concern", "to": "condemn", "steps": 2, "weight": 0.333333,
                 "score": {"size": 2.5, "rule_weight": 1.0}, "novel": ["condemned", "strongly"]},
                edited.id,
            ),
            Flag(
                content_id("flag", "new", 4), "new_passage", ("space",), (), (4,), "",
                "They launched a dialogue on space. " + HOSTILE, 0.5,
                "A new passage on space " + HOSTILE, {"note": HOSTILE},
                by_type[("added", (), (4,))].id,
            ),
            Flag(
                content_id("flag", "dropped", 2), "dropped_passage", ("trade",), (2,), (), "They discussed trade and investment.",
                "", 0.4, "The passage on trade was dropped.", {}, "",
            ),
        )
    tags = (
        TopicTag("security", "old", 1, None, "term", 0.8, ("missile",)),
        TopicTag("security", "new", 2, 0, "term+meaning", 0.912345678, ("missile", "condemned")),
        TopicTag("space", "new", 4, None, "meaning", 0.61, ()),
    )
    run = {"model": "hashing-test", "precision": "float32", "link_threshold": 0.5, "min_lexical": 0.3}
    # Changes are built by the real builder from these links and flags (the
    # default topics file labels the topics it knows).
    changes, fl = compute_changes(old, new, links, fl, tags, load_config())
    return DiffResult(old, new, links, fl, tags, run, changes=changes)


@pytest.fixture
def result() -> DiffResult:
    return build_result()


@pytest.fixture
def soup(result) -> BeautifulSoup:
    return BeautifulSoup(report.render_html(result), "html.parser")


def test_builders_make_consistent_spans(result):
    # The fixture itself must be right, or the rendering tests prove nothing.
    for doc in (result.old, result.new):
        for p in doc.paragraphs:
            assert doc.statement.text[p.start : p.end] == p.text
            for s in p.sentences:
                assert doc.statement.text[s.start : s.end] == s.text
    assert {lk.type for lk in result.links} >= {"unchanged", "edited", "moved", "added", "dropped"}


# --------------------------------------------------------------------------- JSON


def _paths(value, prefix: str = "") -> set[str]:
    """Dotted field paths of a JSON value, stopping at open mappings."""
    out: set[str] = set()
    if isinstance(value, dict):
        for k, v in value.items():
            p = f"{prefix}.{k}" if prefix else k
            out.add(p)
            if p not in report.JSON_OPEN_FIELDS:
                out |= _paths(v, p)
    elif isinstance(value, list):
        for item in value:
            out |= _paths(item, prefix + "[]")
    return out


def test_json_fields_documentation_matches_output(result):
    doc = report.to_dict(result)
    assert _paths(doc) == set(report.JSON_FIELDS)
    assert report.JSON_OPEN_FIELDS <= set(report.JSON_FIELDS)


def test_json_shape(result):
    doc = json.loads(report.to_json(result))
    assert set(doc) == {"driftlab_version", "run", "old", "new", "summary", "links", "flags", "tags", "changes"}
    assert doc["summary"]["links_by_type"] == {
        "unchanged": 1, "edited": 3, "moved": 1, "moved_edited": 0, "rewritten": 0,
        "split": 0, "merged": 0, "group": 0, "added": 2, "dropped": 1,
    }
    assert list(report.to_dict(result)["summary"]["links_by_type"]) == list(LINK_TYPES)
    assert doc["summary"]["flags"] == 3
    # Changes: ranked, each flag carries the id of its change, ids unique.
    assert doc["summary"]["changes"] == len(doc["changes"]) > 0
    assert [c["rank"] for c in doc["changes"]] == list(range(1, len(doc["changes"]) + 1))
    assert [c["score"] for c in doc["changes"]] == sorted((c["score"] for c in doc["changes"]), reverse=True)
    assert len({c["id"] for c in doc["changes"]}) == len(doc["changes"])
    change_ids = {c["id"]: c for c in doc["changes"]}
    for f in doc["flags"]:
        assert f["id"] in change_ids[f["change_id"]]["flags"]
    assert doc["old"]["paragraphs"][1]["text"] == OLD_PARAS[1]
    assert doc["old"]["paragraphs"][0]["sentences"][1] == {"index": 1, "start": 26, "end": 57}
    assert doc["new"]["partial"] is True
    assert len(doc["links"]) == len(result.links)
    for lk in doc["links"]:
        for op in lk["opcodes"]:
            assert len(op) == 5 and op[0] in {"equal", "cosmetic", "replace", "delete", "insert"}
    edited = next(lk for lk in doc["links"] if lk["old"] == [1])
    assert edited["confidence"] == 0.8123
    assert edited["scores"] == {"cosine": 0.7123, "lexical": 0.5}
    assert doc["flags"][0]["score"] == 0.9123
    assert doc["flags"][0]["evidence"]["weight"] == 0.3333
    assert doc["tags"][1]["score"] == 0.9123
    assert doc["tags"][0]["sentence"] is None
    moved = next(lk for lk in doc["links"] if lk["moved_sentences"])
    assert moved["moved_sentences"][0] == {"old": [5, 1], "new": [6, 0], "similarity": 0.9712, "lexical": 1.0}


def test_json_links_in_new_reading_order(result):
    doc = report.to_dict(result)
    order = [(lk["type"], lk["old"], lk["new"]) for lk in doc["links"]]
    assert order == [
        ("moved", [3], [0]),
        ("unchanged", [0], [1]),
        ("edited", [1], [2]),
        ("dropped", [2], []),  # right after the link of its predecessor, old ¶1
        ("edited", [4], [3]),
        ("added", [], [4]),
        ("edited", [5], [5]),
        ("added", [], [6]),
    ]


def test_ordered_links_leading_and_consecutive_dropped():
    old = make_doc(["Gone one.", "Gone two.", "Kept.", "Gone three.", "Gone four."])
    new = make_doc(["Kept."])
    links = (
        link(old, new, [4], [], "dropped"),
        link(old, new, [2], [0], "unchanged"),
        link(old, new, [1], [], "dropped"),
        link(old, new, [3], [], "dropped"),
        link(old, new, [0], [], "dropped"),
    )
    got = [(lk.old, lk.new) for lk in report.ordered_links(DiffResult(old, new, links))]
    assert got == [((0,), ()), ((1,), ()), ((2,), (0,)), ((3,), ()), ((4,), ())]


def test_json_is_deterministic_and_plain(result):
    a, b = report.to_json(result), report.to_json(build_result())
    assert a == b
    assert "<script>" in a  # ensure_ascii=False: text as is, JSON is not HTML
    assert "NaN" not in a


def test_dumps_matches_json_semantics(result):
    doc = report.to_dict(result)
    text = report.to_json(result)
    assert json.loads(text) == json.loads(json.dumps(doc))
    assert text.endswith("}\n")
    assert '"opcodes": [\n' in text and '["equal", ' in text  # one opcode per line
    assert report.dumps({"b": [], "a": {}, "c": [1, "x\\"]}) == '{\n  "a": {},\n  "b": [],\n  "c": [1, "x\\\\"]\n}'


def test_json_non_finite_and_numpy_like_values():
    old = make_doc(["Same."])
    lk = link(old, old, [0], [0], "unchanged", float("nan"), scores={"cosine": float("inf"), "n": True})
    doc = report.to_dict(DiffResult(old, old, (lk,), run={"thresholds": (0.5, -0.00001)}))
    assert doc["links"][0]["confidence"] is None
    assert doc["links"][0]["scores"] == {"cosine": None, "n": True}
    assert doc["run"] == {"thresholds": [0.5, 0.0]}
    json.loads(json.dumps(doc, allow_nan=False))


def test_json_golden(result):
    doc = report.to_dict(result)
    doc["driftlab_version"] = "<version>"  # a version bump is not a rendering change
    text = report.dumps(doc) + "\n"
    if updating("DRIFTLAB_UPDATE_GOLDEN", GOLDEN):
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(text, encoding="utf-8")
    assert GOLDEN.exists(), "golden file missing: run with DRIFTLAB_UPDATE_GOLDEN=1"
    assert text == GOLDEN.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- HTML


def test_html_is_deterministic(result):
    assert report.render_html(result) == report.render_html(build_result())


def test_html_one_row_per_link(soup, result):
    rows = soup.select("table.aligned tbody tr.link")
    assert len(rows) == len(result.links)
    ids = [r["id"] for r in rows]
    assert ids == [f"link-{lk.id}" for lk in report.ordered_links(result)]
    # Every paragraph of both statements has exactly one anchor.
    for side, doc in (("old", result.old), ("new", result.new)):
        for p in doc.paragraphs:
            assert len(soup.select(f"#{side}-p{p.index}")) == 1
    all_ids = [t["id"] for t in soup.find_all(id=True)]
    assert len(all_ids) == len(set(all_ids))


def test_html_redline_words(soup, result):
    edited = next(lk for lk in result.links if lk.old == (1,))
    row = soup.find(id=f"link-{edited.id}")
    assert [d.get_text() for d in row.select("td.old del")] == ["expressed concern about"]
    assert [i.get_text() for i in row.select("td.new ins")] == ["strongly condemned"]
    assert row.select_one(".badge").get_text() == "edited"
    # Text outside the marks is copied from the statement, whitespace included.
    assert row.select_one("td.old .ptext").get_text() == OLD_PARAS[1]
    assert row.select_one("td.new .ptext").get_text() == NEW_PARAS[2]
    # Evidence and scores are there, folded.
    details = row.select_one("td.meta details.evidence")
    assert "shared words: missile launches" in details.get_text()
    # Its rule hits are listed by readable name, folded too.
    assert row.select_one("td.meta details.flaglist a.flagref").get_text() == "⚑ 1: Ladder up"
    assert "0.7123" in details.get_text()


def test_html_cosmetic_is_not_a_change(soup, result):
    lk = next(lk for lk in result.links if lk.old == (4,))
    row = soup.find(id=f"link-{lk.id}")
    assert not row.select("del") and not row.select("ins")
    cos = row.select("td.new span.cos")
    assert [c.get_text() for c in cos] == ["honored"]
    assert cos[0]["title"].startswith("cosmetic:") and "honoured" in cos[0]["title"]


def test_html_moved_and_migrated_sentences_point_at_anchors(soup, result):
    moved = next(lk for lk in result.links if lk.type == "moved")
    row = soup.find(id=f"link-{moved.id}")
    a = row.select_one("td.new a.moved-from")
    assert a.get_text().strip() == "↰ moved from old ¶4"
    assert a["href"] == "#old-p3" and soup.find(id="old-p3") is not None
    old_note = soup.find(id="old-p5").select_one(".notes a")
    assert old_note.get_text() == "sentence 2 moved to new ¶7" and old_note["href"] == "#new-p6"
    new_note = soup.find(id="new-p6").select_one(".notes a")
    assert new_note.get_text() == "sentence 1 moved from old ¶6" and new_note["href"] == "#old-p5"
    # Every in-page link resolves.
    for a in soup.select('a[href^="#"]'):
        assert soup.find(id=a["href"][1:]) is not None, a["href"]


def test_html_added_and_dropped_are_explicit(soup, result):
    added = next(lk for lk in result.links if lk.new == (4,))
    row = soup.find(id=f"link-{added.id}")
    assert row.select_one("td.old .placeholder").get_text() == "— new passage —"
    dropped = next(lk for lk in result.links if lk.type == "dropped")
    row = soup.find(id=f"link-{dropped.id}")
    assert row.select_one("td.new .placeholder").get_text() == "— passage dropped —"
    assert OLD_PARAS[2] in row.select_one("td.old").get_text()


def test_html_changes_come_first_then_topics_side_by_side_and_rule_hits(soup, result):
    sections = soup.select("main > section")
    assert [s["id"] for s in sections] == ["changes", "topics", "aligned", "rule-hits"]
    items = soup.select("#changes li.change")
    assert [li["id"] for li in items] == [f"change-{c.id}" for c in result.changes]
    assert [li.select_one(".headline").get_text() for li in items] == [c.headline for c in result.changes]
    for li in items:  # every change links to its passage in the side-by-side
        href = li.select_one("a.go")["href"]
        assert soup.find(id=href[1:]) is not None
    rows = soup.select("table.flags tbody tr.flag")
    assert len(rows) == len(result.flags)
    # Rules and topics read as words, not ids (ids stay in data attributes).
    assert [r.select("td")[2].get_text() for r in rows] == ["Ladder up", "New passage", "Dropped passage"]
    for r, f in zip(rows, result.flags):
        href = r.select_one("td:last-child a")["href"]
        assert soup.find(id=href[1:]) is not None
        assert r["data-rule"] == f.rule and r["data-topics"] == ";".join(f.topics)
    assert rows[0].select_one("td:last-child a")["href"] == f"#link-{result.flags[0].link_id}"
    assert rows[2].select_one("td:last-child a")["href"] == "#old-p2"  # no link id: the old paragraph
    assert rows[0].select_one("del").get_text() == "expressed concern about"
    evidence = dict(
        zip([dt.get_text() for dt in rows[0].select("details dt")], [dd.get_text() for dd in rows[0].select("details dd")])
    )
    assert evidence == {
        "from": "concern", "novel": "condemned, strongly", "score.rule_weight": "1.0", "score.size": "2.5",
        "steps": "2", "to": "condemn", "weight": "0.3333",
    }
    # Filters exist but are hidden until the script shows them.
    form = soup.select_one("form#filter")
    assert form.has_attr("hidden")
    assert [o["value"] for o in form.select("#topic-filter option")] == ["", "dprk", "security", "space", "trade", "-"]
    assert [o["value"] for o in form.select("#rule-filter option")] == ["", "dropped_passage", "ladder_up", "new_passage"]


def test_html_without_flags_says_so():
    soup = BeautifulSoup(report.render_html(build_result(flags=False)), "html.parser")
    assert not soup.select("table.flags")
    assert "No flags" in soup.select_one("#rule-hits").get_text()


def test_html_summary_counts(soup):
    items = {li.select_one(".badge").get_text(): li.get_text() for li in soup.select("ul.summary li") if li.select_one(".badge")}
    assert len(items) == len(LINK_TYPES)
    assert items["edited"].split()[-1] == "3"
    assert items["moved + edited"].split()[-1] == "0"
    assert soup.select_one("ul.summary .total").get_text() == "3 flags"


def test_html_escapes_hostile_text(soup, result):
    scripts = soup.find_all("script")
    assert len(scripts) == 1 and "topic-filter" in scripts[0].get_text()
    assert not soup.find_all("img")
    for tag in soup.find_all(True):
        for attr in tag.attrs:
            assert not attr.lower().startswith("on"), (tag.name, attr)
    # The hostile text is shown, as text.
    new_p4 = soup.find(id="new-p4")
    assert HOSTILE in new_p4.get_text()
    assert HOSTILE in soup.select("table.flags tbody tr.flag")[1].get_text()
    assert "<script>alert('t')</script>" in soup.select_one("h1").get_text()
    assert "joint <b>statement</b>" in soup.select_one("header").get_text()


def test_html_source_link_only_for_http(soup):
    old, new = soup.select("section.statement")
    assert old.find("a") is None
    assert "javascript:alert(1)" in old.get_text()
    a = new.find("a")
    assert a["href"] == "https://example.org/statement?a=1&b=2"
    assert "partial text" in new.get_text()


@pytest.mark.parametrize(
    "source, href",
    [
        ("https://example.org/x", "https://example.org/x"),
        ("HTTP://example.org", "HTTP://example.org"),
        ("javascript:alert(1)", ""),
        (" javascript:alert(1)", ""),
        ("data:text/html,<b>x</b>", ""),
        ("http:/no-host", ""),
        ("https://exa mple.org", ""),
        ("www.example.org", ""),
        ("", ""),
    ],
)
def test_http_href(source, href):
    assert report._http_href(source) == href


def test_html_has_no_external_resources(soup):
    for tag in soup.find_all(True):
        for attr in ("src", "href", "action", "srcset", "data", "poster"):
            value = tag.get(attr)
            if value is None:
                continue
            if tag.name == "a" and tag.find_parent("section", class_="statement"):
                continue  # the metadata source link, checked above
            assert not re.match(r"\s*(https?:)?//", value), (tag.name, attr, value)
    assert not soup.find_all("link")
    assert "@import" not in soup.style.get_text() and "url(" not in soup.style.get_text()


def test_html_csp_pins_inline_script_and_style(soup):
    csp = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})["content"]
    assert "default-src 'none'" in csp
    assert report._csp_hash(soup.script.string) in csp
    assert report._csp_hash(soup.style.string) in csp


def test_html_size_is_modest():
    # ~100 paragraphs on each side with edits in every one.
    words = "the parties reaffirmed their commitment to peace and stability in the region".split()
    old_paras = [" ".join(words) + f" item {i}." for i in range(100)]
    new_paras = [" ".join(words).replace("peace", "lasting peace") + f" item {i}." for i in range(100)]
    old, new = make_doc(old_paras), make_doc(new_paras)
    links = tuple(link(old, new, [i], [i], "edited") for i in range(100))
    html = report.render_html(DiffResult(old, new, links))
    text_size = len(old.statement.text) + len(new.statement.text)
    assert len(html.encode()) < 30_000 + 4 * text_size


# --------------------------------------------------------------------------- CSV


def test_flags_frame_and_csv(result):
    frame = report.flags_frame(result)
    assert list(frame.columns) == list(report.FLAG_COLUMNS)
    assert list(frame["rank"]) == [1, 2, 3]
    assert frame.loc[0, "topics"] == "dprk;security"
    assert frame.loc[0, "old"] == "1" and frame.loc[2, "new"] == ""
    assert frame.loc[0, "score"] == 0.9123
    import pandas as pd

    back = pd.read_csv(io.StringIO(report.to_csv(result)), keep_default_na=False)
    assert list(back.columns) == list(report.FLAG_COLUMNS)
    assert list(back["rule"]) == ["ladder_up", "new_passage", "dropped_passage"]
    assert back.loc[1, "new_text"] == NEW_PARAS[4]


def test_csv_empty_has_header():
    text = report.to_csv(build_result(flags=False))
    assert text == ",".join(report.FLAG_COLUMNS) + "\n"


def test_csv_defuses_formulas():
    r = build_result()
    f = r.flags[0]
    bad = Flag(f.id, f.rule, f.topics, f.old, f.new, "=HYPERLINK(\"http://x\")", "+1", f.score, "@cmd", {}, "")
    r2 = DiffResult(r.old, r.new, r.links, (bad,), r.tags, r.run)
    row = report.to_csv(r2).splitlines()[1]
    assert "'=HYPERLINK" in row and ",'+1," in row and "'@cmd" in row
    assert report.flags_frame(r2).loc[0, "old_text"].startswith("=")  # the frame keeps the data


# --------------------------------------------------------------------------- writing


def test_write_report_creates_parents_and_replaces(tmp_path):
    target = tmp_path / "a" / "b" / "report.html"
    report.write_report(target, "first")
    report.write_report(str(target), "second ✓")
    assert target.read_text(encoding="utf-8") == "second ✓"
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.html"]
    assert target.stat().st_mode & 0o777 == 0o644


def test_write_report_failure_keeps_old_file(tmp_path, monkeypatch):
    target = tmp_path / "report.json"
    target.write_text("old", encoding="utf-8")

    def boom(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(report.os, "replace", boom)
    with pytest.raises(OutputError) as exc:
        report.write_report(target, "new")
    assert "No space left on device" in str(exc.value) and "\n" not in str(exc.value)
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_write_report_unencodable_text_leaves_nothing(tmp_path):
    target = tmp_path / "r.html"
    with pytest.raises(OutputError):
        report.write_report(target, "lone surrogate \udc80")
    assert list(tmp_path.iterdir()) == []


def test_write_report_to_directory(tmp_path):
    with pytest.raises(OutputError, match="is a directory"):
        report.write_report(tmp_path, "x")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs POSIX permissions, not root")
def test_write_report_permission_denied(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(OutputError, match="Permission denied"):
            report.write_report(locked / "r.html", "x")
    finally:
        locked.chmod(0o700)


# --------------------------------------------------------------------------- odd alignments


def test_html_merge_clips_an_edit_that_spans_a_paragraph_break():
    old = make_doc(["Alpha beta.", "Gamma delta."])
    new = make_doc(["Alpha beta gamma delta."])
    ot, nt = old.statement.text, new.statement.text
    ops = (
        ("equal", 0, 5, 0, 5),
        ("replace", ot.index("beta."), ot.index("Gamma") + 5, nt.index("beta"), nt.index("gamma") + 5),
        ("equal", ot.index("delta"), len(ot), nt.index("delta"), len(nt)),
    )
    lk = Link((0, 1), (0,), "merged", 0.8, opcodes=ops)
    soup = BeautifulSoup(report.render_html(DiffResult(old, new, (lk,))), "html.parser")
    assert [d.get_text() for d in soup.select("#old-p0 del")] == ["beta."]
    assert [d.get_text() for d in soup.select("#old-p1 del")] == ["Gamma"]
    assert [i.get_text() for i in soup.select("#new-p0 ins")] == ["beta gamma"]
    assert soup.select_one("#old-p1 .ptext").get_text() == "Gamma delta."
    assert soup.select_one("tr.link .badge").get_text() == "merged"


def test_html_unaligned_and_repeated_paragraphs_keep_anchors_unique():
    old = make_doc(["One.", "Two.", "Three."])
    new = make_doc(["One.", "Two."])
    links = (
        link(old, new, [0], [0], "unchanged"),
        link(old, new, [0], [1], "edited"),  # old ¶0 twice: malformed, must not duplicate ids
    )
    soup = BeautifulSoup(report.render_html(DiffResult(old, new, links)), "html.parser")
    ids = [t["id"] for t in soup.find_all(id=True)]
    assert len(ids) == len(set(ids))
    unaligned = soup.select_one("#unaligned")
    assert unaligned is not None
    assert unaligned.select_one("#old-p1") and unaligned.select_one("#old-p2")
    assert "Three." in unaligned.get_text()


def test_html_header_shows_run_info(soup):
    run = soup.select_one("details.run")
    text = run.get_text(" ")
    assert "hashing-test" in text and "link_threshold" in text and "0.5" in text


def test_flag_table_shortens_long_wording():
    r = build_result()
    long_text = "word " * 200
    f = r.flags[0]
    r2 = DiffResult(r.old, r.new, r.links, (Flag(f.id, f.rule, f.topics, f.old, f.new, long_text, "x", 1.0, "e"),))
    cell = BeautifulSoup(report.render_html(r2), "html.parser").select_one("table.flags td.change del")
    assert cell.get_text().endswith("word …") and len(cell.get_text()) <= report.FLAG_TEXT_CHARS + 2
    assert report.flags_frame(r2).loc[0, "old_text"] == long_text  # CSV and JSON keep it whole


# --------------------------------------------------------------------------- real statements


@pytest.mark.shared
def test_real_communique_pair_renders_within_budget(hashing_encoder, tmp_path):
    from driftlab.pipeline import diff_files
    from driftlab.settings import Settings

    old = shared_file("g7/2023-05-20_g7_hiroshima_leaders_communique.txt")
    new = shared_file("g7/2024-06-14_g7_apulia_leaders_communique.txt")
    result = diff_files(old, new, Settings(use_cache=False), encoder=hashing_encoder)
    html = report.render_html(result)
    assert len(html.encode()) < 1_500_000  # ~130 KB per side
    soup = BeautifulSoup(html, "html.parser")
    assert len(soup.select("table.aligned tbody tr.link")) == len(result.links)
    assert len(soup.select("table.flags tbody tr.flag")) == len(result.flags)
    ids = {t["id"] for t in soup.find_all(id=True)}
    for a in soup.select('a[href^="#"]'):
        assert a["href"][1:] in ids, a["href"]
    assert _paths(report.to_dict(result)) <= set(report.JSON_FIELDS)


def test_html_pairs_sentences_when_a_long_paragraph_fans_out():
    """Issue 6: inside a link whose old side is a long paragraph split into
    several new ones, each new passage says which old sentence it continues."""
    long = " ".join(f"Sentence {k} is about subject {k}." for k in range(7))
    old = make_doc(["Opening.", long])
    new = make_doc(["Opening.", "Subject one restated.", "Subject four restated."])
    fan = Link((1,), (1, 2), "split", 0.8, opcodes=opcodes(old, new, (1,), (1, 2)), sentence_links=(
        {"old": [[1, 1]], "new": [[1, 0]], "type": "rewritten", "score": 0.61},
        {"old": [[1, 4]], "new": [[2, 0]], "type": "edited", "score": 0.8},
        {"old": [[1, 0]], "new": [], "type": "dropped", "score": 0.0},
    ))
    links = (link(old, new, [0], [0], "unchanged"), fan)
    soup = BeautifulSoup(report.render_html(DiffResult(old, new, links)), "html.parser")
    first = [a.get_text() for a in soup.find(id="new-p1").select(".notes a")]
    second = [a.get_text() for a in soup.find(id="new-p2").select(".notes a")]
    assert first == ["sentence 1 restates old ¶2, sentence 2"]
    assert second == ["sentence 1 edits old ¶2, sentence 5"]
    # A short paragraph split in two needs no such notes.
    short = make_doc(["Opening.", "One. Two."])
    plain = Link((1,), (1, 2), "split", 0.8, opcodes=opcodes(short, new, (1,), (1, 2)), sentence_links=(
        {"old": [[1, 0]], "new": [[1, 0]], "type": "edited", "score": 0.9},))
    soup = BeautifulSoup(report.render_html(DiffResult(short, new, (link(short, new, [0], [0], "unchanged"), plain))),
                         "html.parser")
    assert not soup.find(id="new-p1").select(".notes a")


def test_compiled_template_cache_fails_soft(result, tmp_path):
    # The compiled report template is kept between processes (0.2 s of a
    # cached run). A damaged entry or an unwritable folder must cost only
    # that time, never the report.
    expected = report.render_html(result)
    ctx = report._build_context(result)

    def render(folder) -> str:
        env = report._environment.__wrapped__(str(folder))
        return env.get_template("report.html.j2").render(ctx=ctx)

    good = tmp_path / "bytecode"
    good.mkdir()
    assert render(good) == expected
    entries = list(good.iterdir())
    assert len(entries) == 1  # the compiled template was kept
    from jinja2.bccache import bc_magic

    entries[0].write_bytes(bc_magic + b"\x00garbage")  # a torn entry: right header, then noise
    assert render(good) == expected
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x", encoding="utf-8")
    assert render(not_a_folder) == expected  # every write fails: compiled each time


@pytest.mark.parametrize("value", [0.1, 1 / 3, -0.0, 3.0, 1e300, 2.5e-10, 7, True, None, "é \"q\" \n"])
def test_json_scalars_are_written_as_json_writes_them(value):
    from driftlab.report import _scalar

    assert _scalar(value) == json.dumps(value, ensure_ascii=False, allow_nan=False)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_json_refuses_non_finite_floats(value):
    from driftlab.report import _scalar

    with pytest.raises(ValueError, match="not JSON compliant"):
        _scalar(value)
