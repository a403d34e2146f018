"""Changes: one per aligned group that changed, ranked, with a headline built from the evidence."""

from __future__ import annotations

import io

import pandas as pd
import pytest

import driftlab
from driftlab import report
from driftlab.changes import compute_changes
from driftlab.flags import compute_flags
from driftlab.topics import tag_documents
from driftlab.types import DiffResult, Link

from .test_flags import CONFIG, doc, link

TAIWAN_OLD = ("We reaffirmed the importance of maintaining peace and stability across the Taiwan Strait as an "
              "indispensable element of security and prosperity in the international community. We expressed "
              "concern about provocative actions, particularly the recent military drills around Taiwan.")
TAIWAN_NEW = ("We recognize the importance of maintaining peace and stability across the Taiwan Strait as an "
              "indispensable element of security and prosperity in the Indo-Pacific region.")
SAME = "We will meet again next year to review our cooperation."


def run(old, new, links):
    tags = tag_documents(old, new, CONFIG)
    flags = compute_flags(old, new, links, tags, CONFIG)
    changes, flags = compute_changes(old, new, links, flags, tags, CONFIG)
    return DiffResult(old, new, tuple(links), flags, tags, {}, changes=changes)


def taiwan(prefix: tuple[str, ...] = ()):
    old, new = doc(*prefix, TAIWAN_OLD, SAME), doc(*prefix, TAIWAN_NEW, SAME)
    n = len(prefix)
    links = [link(old, [i], new, [i], "unchanged") for i in range(n)]
    links += [link(old, [n], new, [n]), link(old, [n + 1], new, [n + 1], "unchanged")]
    return run(old, new, links)


def test_headline_says_what_was_dropped_and_reworded_in_whole_phrases():
    result = taiwan()
    assert len(result.changes) == 1  # the unchanged paragraph makes no change
    c = result.changes[0]
    assert c.headline.startswith("Taiwan and cross-Strait relations: ")
    assert "concern about 'provocative actions, particularly the recent military drills around Taiwan' dropped" \
        in c.headline
    assert "'international community' → 'Indo-Pacific region'" in c.headline
    assert "'reaffirmed' → 'recognize'" in c.headline
    assert c.rank == 1 and c.links == (result.links[0].id,)



def test_a_sentence_replaced_by_an_unrelated_one_is_dropped_and_added_not_reworded():
    # The word diff sees one replace running from "Leaders" to the end; the
    # sentences on its two sides share no subject. "X → Y" would tell the
    # analyst the Taiwan sentence became the sea sentence.
    old = doc("Leaders noted that their basic positions on Taiwan remain unchanged and called for dialogue.")
    new = doc("Leaders recalled the July 2016 arbitral award on the South China Sea as final and binding.")
    result = run(old, new, [link(old, [0], new, [0])])
    change = result.changes[0]
    assert " → " not in change.headline and "Taiwan remain unchanged and called for dialogue' dropped" in change.headline
    # Named after what its lead quote is about, not the sea passage it lost the headline to.
    assert change.headline.startswith("Taiwan and cross-Strait relations: ")
    kinds = {p["kind"]: p["old"] or p["new"] for p in change.evidence["pieces"]}
    assert set(kinds) == {"dropped", "added"}
    assert "Taiwan" in kinds["dropped"] and "July 2016 arbitral award" in kinds["added"]


def test_a_word_against_a_whole_new_clause_is_not_a_rewording():
    old = doc("We support the Pacific.")
    new = doc("We support efforts opposing unlawful maritime claims, coercive fishing practices and dangerous manoeuvres.")
    pieces = run(old, new, [link(old, [0], new, [0])]).changes[0].evidence["pieces"]
    assert [p["kind"] for p in pieces] == ["dropped", "added"]


def test_a_short_rewording_still_reads_as_one():
    # Few content words on each side: "international community" →
    # "Indo-Pacific region" is a rewording, though no word is shared.
    assert "'international community' → 'Indo-Pacific region'" in taiwan().changes[0].headline

def test_every_flag_belongs_to_its_change_and_the_score_has_its_components():
    result = taiwan()
    c = result.changes[0]
    assert result.flags and all(f.change_id == c.id for f in result.flags)
    assert set(c.flags) == {f.id for f in result.flags}
    sc = c.evidence["score"]
    assert set(sc) >= {"strongest_rule", "topic_weight", "changed_share", "novelty", "breadth"}
    expected = (sc["strongest_rule"] * sc["topic_weight"] * (0.7 + 0.3 * sc["changed_share"])
                * (0.6 + 0.4 * sc["novelty"]) * sc["breadth"])
    assert c.score == pytest.approx(expected, abs=1e-3)


def test_change_ids_are_content_hashes_not_positions():
    plain = taiwan()
    shifted = taiwan(prefix=("An opening paragraph that did not change at all.",))
    assert plain.changes[0].id == shifted.changes[0].id
    assert plain.changes[0].headline == shifted.changes[0].headline


def test_cosmetic_and_carried_links_make_no_change():
    old = doc("We support the co-operation of our coast guards.", SAME)
    new = doc("We support the cooperation of our coast guards.", SAME)
    result = run(old, new, [link(old, [0], new, [0]), link(old, [1], new, [1], "unchanged")])
    assert result.changes == ()


def test_changes_frame_and_csv_through_the_public_api():
    result = taiwan()
    frame = driftlab.changes_frame(result)
    assert list(frame.columns) == list(report.CHANGE_COLUMNS)
    assert list(frame["id"]) == [c.id for c in result.changes]
    assert frame.loc[0, "headline"] == result.changes[0].headline
    back = pd.read_csv(io.StringIO(report.changes_csv(result)))
    assert list(back["rank"]) == [1]


def test_changes_csv_defuses_formulas():
    old, new = doc(SAME, "Fine."), doc(SAME, "=HYPERLINK(\"http://x\") cells are formulas in spreadsheets today.")
    result = run(old, new, [link(old, [0], new, [0], "unchanged"), link(old, [1], new, [1])])
    text = report.changes_csv(result)
    assert "\n=" not in text and ",=" not in text


def test_a_stance_verb_far_from_the_quote_is_marked_with_an_ellipsis():
    # The headline quotes the weightiest clause of an added sentence and the
    # stance verb that opened the sentence. They are not adjacent, so gluing
    # them ("'welcome Q-CHAMP includes …'") would quote words the statement
    # does not hold.
    opening = "We will meet again next year to review our cooperation."
    old = doc(opening)
    new = doc(opening + " We welcome the new partnership of our four countries, and Q-CHAMP includes ongoing"
              " activities on climate adaptation, clean energy and disaster resilience across the Indo-Pacific.")
    headline = run(old, new, [link(old, [0], new, [0])]).changes[0].headline
    assert "'welcome … Q-CHAMP includes ongoing activities on climate adaptation' added" in headline
    new = doc(opening + " We welcome Q-CHAMP.")
    assert run(old, new, [link(old, [0], new, [0])]).changes[0].headline == "'We welcome Q-CHAMP' added"


def test_a_rewritten_passage_is_quoted_by_what_differs_not_by_the_clause_both_kept():
    kept = "Russia’s aggression against Ukraine continues to threaten the international order"
    old = doc(f"{kept}, and we call for the immediate release of detained journalists and for humanitarian "
              "access to the occupied areas.")
    new = doc(f"{kept}, and we will provide winter energy equipment to reconstruct damaged power plants across "
              "Ukrainian cities.")
    change = run(old, new, [link(old, [0], new, [0], "rewritten")]).changes[0]
    assert change.headline.count("aggression against Ukraine continues") == 0
    assert "journalists" in change.headline and "energy equipment" in change.headline
