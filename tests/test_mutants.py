"""Bugs that once survived the whole suite (issue 12), one test each.

Each test names, in its docstring, the small deliberate bug it catches; each
was checked by planting that bug and seeing the test fail. They go through
the public entry points (``diff_files``, the report functions) and assert what
a user sees — a link's confidence, a moved sentence in the JSON, an
explanation, a CSV cell, the rendered HTML — so they survive refactors of
the modules behind them. Texts are invented; the small deterministic encoder
stands in for the model.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import replace
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from driftlab import Settings, diff_files, report
from driftlab.embed import HashingEncoder

# Paragraphs that raise no flag of their own: they keep the statements long
# enough for IDF weights and rivals to behave as in real text.
PORTS = ("The ministers agreed to expand joint patrols of the northern shipping lanes and to share "
         "radar data on vessels entering the strait.")
GRAIN = ("They condemned the blockade of grain exports by the Vandal Republic and called for reopening "
         "the river ports.")
NURSES = ("The ministers launched a programme to train rural nurses in both countries, with the first "
          "cohort graduating next spring.")
CLOSE = "The ministers will meet again in Sylvania before the end of the year."


def statement(tmp_path: Path, paragraphs: list[str], front_matter: str = "") -> Path:
    text = "\n\n".join(paragraphs) + "\n"
    if front_matter:
        text = f"---\n{front_matter.strip()}\n---\n\n{text}"
    path = tmp_path / (hashlib.sha256(text.encode()).hexdigest()[:12] + ".txt")
    path.write_text(text, encoding="utf-8")
    return path


def run(tmp_path: Path, old: list[str], new: list[str], old_meta: str = "", new_meta: str = ""):
    """``diff_files`` on two invented statements, small encoder, no disk cache."""
    return diff_files(
        statement(tmp_path, old, old_meta),
        statement(tmp_path, new, new_meta),
        Settings().updated({"use_cache": False}),
        encoder=HashingEncoder(),
    )


def link_between(result, old: tuple[int, ...], new: tuple[int, ...]):
    found = [lk for lk in result.links if lk.old == old and lk.new == new]
    assert found, f"no link {old} → {new}: {[(lk.type, lk.old, lk.new) for lk in result.links]}"
    return found[0]


def flags_of(result, rule: str):
    return [f for f in result.flags if f.rule == rule]


# --------------------------------------------------------------------------- align


def test_close_rival_lowers_link_confidence(tmp_path):
    """Bug: the close-rival discount removed from link confidence
    (``conf = base`` instead of ``base × (0.7 + 0.3 × margin/MARGIN_SCALE)``).

    The same edited link is computed twice: alone, and with an old paragraph
    that scores nearly as well against the new one (the same vocabulary in
    another order, so it stays a separate, dropped passage). The rival must
    cost confidence and be named in the evidence.
    """
    edited = (PORTS.replace("expand", "widen").replace("radar data", "sonar readings")
              .replace("entering", "crossing").replace("northern shipping lanes", "northern lanes used by shipping"))
    rival = ("Readings from the strait were shared by the vessels; patrols of lanes crossing the north were "
             "widened, and the shipping ministers agreed on sonar for joint use.")
    alone = link_between(run(tmp_path, [PORTS, GRAIN, NURSES], [edited, GRAIN, NURSES]), (0,), (0,))
    contested_result = run(tmp_path, [PORTS, rival, GRAIN, NURSES], [edited, GRAIN, NURSES])
    contested = link_between(contested_result, (0,), (0,))
    assert link_between(contested_result, (1,), ()).type == "dropped"
    assert alone.type == contested.type == "edited"
    # The link's own strength barely moves between the two runs...
    assert abs(alone.scores["combined"] - contested.scores["combined"]) < 0.03
    # ...but a rival within the margin costs it real confidence.
    assert contested.scores["margin"] < 0.15
    assert contested.confidence < alone.confidence - 0.05, (alone.confidence, contested.confidence)
    # The rival is old paragraph index 1, which readers see as ¶2.
    assert any("closest rival: old ¶2" in e for e in contested.evidence)


def test_a_sentence_sharing_a_frame_but_not_its_claim_is_not_migrated(tmp_path):
    """Bug: a reworded sentence accepted as migrated on either condition
    (cosine ≥ 0.8 *or* combined ≥ 0.65) instead of both.

    "share radar data on vessels" leaves one passage and "share weather data
    on aircraft" appears in another: same frame, different claim, combined
    score above 0.65 but cosine below 0.8. No moved sentence may be reported;
    the same sentence moved verbatim must be.
    """
    p = {
        "intro": "The foreign ministers of Freedonia and Sylvania met in Marsport on 3 March to review the alliance. "
                 "They welcomed the progress made since the summit in Eastbay.",
        "ports": "The ministers agreed to expand joint patrols of the northern shipping lanes. "
                 "They committed to share radar data on vessels entering the strait in real time.",
        "grain": "They condemned the blockade of grain exports by the Vandal Republic. "
                 "They called for the immediate reopening of the river ports to commercial traffic.",
        "health": "The ministers launched a programme to train rural nurses in both countries. "
                  "The first cohort of two hundred nurses will graduate next spring.",
        "youth": "They applauded the exchange scheme for university students and young diplomats. "
                 "More than five hundred students have taken part since its creation.",
        "close": CLOSE,
    }
    old = list(p.values())

    def moved_sentences(sentence: str):
        new = list(old)
        new[1] = "The ministers agreed to expand joint patrols of the northern shipping lanes."
        new[4] = old[4] + " " + sentence
        result = run(tmp_path, old, new)
        assert link_between(result, (1,), (1,)).type == "edited"
        assert link_between(result, (4,), (4,)).type == "edited"
        return {(tuple(m["old"]), tuple(m["new"])) for lk in result.links for m in lk.moved_sentences}

    assert moved_sentences("They committed to share weather data on aircraft entering the strait in real time.") == set()
    assert moved_sentences("They committed to share radar data on vessels entering the strait in real time.") == {
        ((1, 1), (4, 2))
    }


# --------------------------------------------------------------------------- diff


def test_word_diff_never_bridges_a_paragraph_break(tmp_path):
    """Bug: the word diff's "no confetti" bridge allowed across a paragraph
    break (the ``same_paragraph`` condition dropped).

    Two old paragraphs merged into one new one, with an edit on each side of
    the old break and only two equal units (". Ministers") between them: the old
    second paragraph's unchanged opening words must not be shown as changed.
    """
    old = [
        "The foreign ministers of Freedonia and Sylvania met in Marsport to review the alliance and its budget.",
        "Ministers agreed to widen joint patrols of the northern shipping lanes next year.",
        NURSES,
        CLOSE,
    ]
    merged = ("The foreign ministers of Freedonia and Sylvania met in Marsport to review the alliance and its "
              "finances. Ministers decided to widen joint patrols of the northern shipping lanes next year.")
    result = run(tmp_path, old, [merged, NURSES, CLOSE])
    lk = link_between(result, (0, 1), (0,))
    assert lk.type == "merged"
    text = result.old.statement.text
    changed_old = [text[i1:i2] for tag, i1, i2, _, _ in lk.opcodes if tag not in ("equal", "cosmetic")]
    assert changed_old == ["budget", "agreed"], changed_old
    # The rendered redline marks the same words, one per old paragraph.
    soup = BeautifulSoup(report.render_html(result), "html.parser")
    assert [d.get_text() for d in soup.select("#old-p0 del")] == ["budget"]
    assert [d.get_text() for d in soup.select("#old-p1 del")] == ["agreed"]


# --------------------------------------------------------------------------- flags


# The dropped passage is about the Middle East as a whole, not a passing
# "Gaza": the small encoder's cosine of "… the situation in Gaza." to the
# topic's texts (0.35) is below flags/passages.PASSING_TOPIC_COSINE, and a
# topic named only in passing is not dropped from the statement.
ADDED_DROPPED = (
    ["We will deepen cooperation on semiconductors.",
     "We are concerned about the deteriorating situation in the Middle East and Gaza.", CLOSE],
    ["We will deepen cooperation on semiconductors.",
     "We emphasize the importance of peace and stability across the Taiwan Strait.", CLOSE],
)


def test_added_and_dropped_explanations_say_which(tmp_path):
    """Bug: the "New"/"Dropped" (and "added to"/"dropped from") explanation
    texts swapped between the added and the dropped side."""
    result = run(tmp_path, *ADDED_DROPPED)
    (added,) = flags_of(result, "passage_added")
    (dropped,) = flags_of(result, "passage_dropped")
    assert added.explanation.startswith("New passage") and "Taiwan Strait" in added.explanation
    assert dropped.explanation.startswith("Dropped passage") and "Gaza" in dropped.explanation
    (t_added,) = flags_of(result, "topic_added")
    (t_dropped,) = flags_of(result, "topic_dropped")
    assert t_added.explanation.startswith("Topic added to the statement")
    assert t_dropped.explanation.startswith("Topic dropped from the statement")


def test_qualifier_only_change_is_not_firmer(tmp_path):
    """Bug: a modality change with no firm or hedged cue on either side
    ("are committed" → "remain committed") labelled "firmer" (``firm >= soft``)."""
    result = run(
        tmp_path,
        ["We are committed to the dialogue with our neighbours on maritime security.", CLOSE],
        ["We remain committed to the dialogue with our neighbours on maritime security.", CLOSE],
    )
    (f,) = flags_of(result, "modality")
    assert f.explanation.startswith("Modality qualifiers changed")
    assert "firmer" not in f.explanation and "softer" not in f.explanation
    assert f.evidence["added"] == ["remain"]


def test_not_only_added_is_no_negation(tmp_path):
    """Bug: the "not only … but also" filter dropped on the added side (a
    spurious "Negation added: 'not'")."""
    result = run(
        tmp_path,
        ["The programme is a threat to the region and to the world, and it grows.", CLOSE],
        ["The programme is a threat not only to the region but also to the world, and it grows.", CLOSE],
    )
    assert link_between(result, (0,), (0,)).type == "edited"
    assert flags_of(result, "negation") == []
    # A real negation in the same place is still flagged.
    real = run(
        tmp_path,
        ["The programme is a threat to the region and to the world, and it grows.", CLOSE],
        ["The programme is not a threat to the region and to the world, and it grows.", CLOSE],
    )
    assert [f.explanation.split(":")[0] for f in flags_of(real, "negation")] == ["Negation added"]


def test_negation_ranked_second_in_its_link_escapes_the_decay(tmp_path):
    """Bug: the negation exemption deleted from the per-link decay.

    Here the intensity shift outranks the dropped "no preconditions" in the
    same link, so the negation is its link's second flag: without the
    exemption it would be scored × 0.8 and carry a ``link_penalty``.
    """
    result = run(
        tmp_path,
        ["We expressed concern over the DPRK missile launches and remain committed to dialogue with the DPRK "
         "with no preconditions. We will meet in Seoul.", CLOSE],
        ["We expressed grave concern over the DPRK missile launches and remain committed to dialogue with "
         "the DPRK. We will meet in Seoul.", CLOSE],
    )
    (neg,) = flags_of(result, "negation")
    (shift,) = flags_of(result, "intensity_shift")
    assert neg.link_id == shift.link_id != ""
    assert shift.score > neg.score  # the negation is not its link's first flag
    assert "link_penalty" not in neg.evidence["score"]
    parts = neg.evidence["score"]
    undecayed = parts["rule_weight"] * parts["size"] * parts["topic_weight"] * (0.75 + 0.25 * parts["changed_share"])
    assert neg.score == pytest.approx(undecayed, abs=2e-3)
    # The third flag of the link does take the decay.
    others = [f for f in result.flags if f.link_id == neg.link_id and f.rule not in ("negation", "intensity_shift")]
    assert others and all("link_penalty" in f.evidence["score"] for f in others)


def test_figure_carried_from_elsewhere_is_no_number_change(tmp_path):
    """Bug: the carried-number check always false.

    "27" joins an edited passage next to the word it sits beside elsewhere in
    the old statement ("the 27 member states"): carried over, no
    number_change. A figure found nowhere before ("28 member states") is one.
    """
    old = ["The ministers reviewed the 12 projects of the partnership.",
           "We thank the 27 member states for their support to the fund."]
    carried = run(tmp_path, old, ["The ministers reviewed the 12 projects of the partnership with the 27 member states.",
                                  old[1]])
    assert link_between(carried, (0,), (0,)).type == "edited"
    assert flags_of(carried, "number_change") == []
    new_figure = run(tmp_path, old, ["The ministers reviewed the 12 projects of the partnership with the 28 member states.",
                                     old[1]])
    assert [f.evidence["new_numbers"] for f in flags_of(new_figure, "number_change")] == [["28"]]


# --------------------------------------------------------------------------- report


def test_flag_table_numbers_paragraphs_from_one(tmp_path):
    """Bug: paragraph numbers off by one in the HTML flag table ("¶1" for the
    second paragraph), while JSON and CSV stay 0-based."""
    result = run(tmp_path, *ADDED_DROPPED)
    assert result.flags and all(f.old in ((), (1,)) and f.new in ((), (1,)) for f in result.flags)
    soup = BeautifulSoup(report.render_html(result), "html.parser")
    flags_section = soup.find(id="flags")
    shown = set(re.findall(r"¶\s*(\d+)", flags_section.get_text()))
    assert shown == {"2"}, shown
    # The data formats keep the 0-based index they document.
    rows = list(csv.DictReader(io.StringIO(report.to_csv(result))))
    assert {r["old"] for r in rows} | {r["new"] for r in rows} == {"", "1"}


@pytest.mark.parametrize("lead", ["-", "\t", "\r", "=", "+", "@"])
def test_csv_defuses_every_formula_lead(tmp_path, lead):
    """Bug: the CSV formula guard without "-" (or tab, or carriage return):
    "-2+3" or "\\t=cmd" in statement text would run as a formula in a spreadsheet."""
    result = run(tmp_path, *ADDED_DROPPED)
    hostile = lead + "2+3+cmd|' /C calc'!A0"
    first = replace(result.flags[0], old_text=hostile, new_text=hostile, explanation=hostile)
    result = replace(result, flags=(first,) + result.flags[1:])
    text = report.to_csv(result)
    # Compared on the raw text: a cell starting with "\r" is not quoted by
    # pandas, so a CSV reader would cut the row there.
    assert text.count("'" + hostile) == 3
    assert not re.search("(^|,)" + re.escape(hostile), text, re.MULTILINE), "a cell starts with a formula"
    # Cells that do not start with a formula lead are left alone.
    assert "'passage_added" not in text and ",passage_added," in text


def test_source_link_only_for_http_even_with_a_host_part(tmp_path):
    """Bug: the link-scheme check accepting any scheme with a host part, so
    ``javascript://%0aalert(1)`` (a comment, a newline, then code) became a
    clickable link. The text stays visible; only http(s) sources are links."""
    hostile = "javascript://%0aalert(1)"
    result = run(tmp_path, *ADDED_DROPPED,
                 old_meta=f'source: "{hostile}"', new_meta='source: "https://example.org/statement?id=2"')
    soup = BeautifulSoup(report.render_html(result), "html.parser")
    hrefs = [a.get("href", "") for a in soup.find_all("a")]
    assert not [h for h in hrefs if not h.startswith(("#", "https://", "http://"))], hrefs
    assert "https://example.org/statement?id=2" in hrefs
    assert hostile in soup.get_text()
