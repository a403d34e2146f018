"""Changes (driftlab/changes.py) as an analyst reads them: headlines, the
pieces and score components of a change's JSON evidence, ranks, topics,
statement-level flags joining a change or standing alone, ids, the
per-topic overview, and ``driftlab.changes_frame``. Hand-made statement
pairs, built as in tests/test_changes.py.
"""

from __future__ import annotations

import json

import pytest

import driftlab
from driftlab.changes import BREADTH_SHARE, NO_FLAG_STRENGTH, topic_overview
from driftlab.types import Link, content_id

from .test_changes import SAME, run, taiwan
from .test_flags import CONFIG, doc, link

FORMULA = "strongest_rule × topic_weight × (0.7 + 0.3 × changed_share) × (0.6 + 0.4 × novelty) × breadth"


def edited(old_text: str, new_text: str):
    old, new = doc(old_text), doc(new_text)
    return run(old, new, [link(old, [0], new, [0])])


def strength(f) -> float:
    sc = f.evidence["score"]
    return sc["rule_weight"] * sc["size"]


def check_components(result, change) -> None:
    """What every change's score components must say about its own flags."""
    flags = [f for f in result.flags if f.id in change.flags]
    sc = change.evidence["score"]
    assert sc["formula"] == FORMULA
    assert change.evidence["rules"] == sorted({f.rule for f in flags})
    if flags:
        top = max(flags, key=strength)
        assert sc["strongest_rule"] == round(max(NO_FLAG_STRENGTH, strength(top)), 4)
        assert sc["strongest_rule_name"] == top.rule
    else:
        assert (sc["strongest_rule"], sc["strongest_rule_name"]) == (NO_FLAG_STRENGTH, "")
    # Breadth counts the rules hitting at least BREADTH_SHARE as hard as the strongest.
    by_rule = {r: max(strength(f) for f in flags if f.rule == r) for r in {f.rule for f in flags}}
    broad = sorted(r for r, v in by_rule.items() if v >= BREADTH_SHARE * sc["strongest_rule"] - 1e-4)
    assert sc["breadth_rules"] == broad
    assert sc["breadth"] == round(1 + 0.1 * min(3, max(0, len(broad) - 1)), 4)
    # The topic weight is that of the topics the passages are about (not
    # those named in passing), never of a topic the change does not hold.
    assert set(sc["weighing_topics"]) <= set(change.topics)
    assert bool(sc["weighing_topics"]) == bool(change.topics)
    assert sc["topic_weight"] == max((CONFIG.topic_weight(t) for t in sc["weighing_topics"]),
                                     default=CONFIG.untagged_weight)
    assert change.score == pytest.approx(
        sc["strongest_rule"] * sc["topic_weight"] * (0.7 + 0.3 * sc["changed_share"])
        * (0.6 + 0.4 * sc["novelty"]) * sc["breadth"], abs=2e-4)
    # The change lists its flags strongest first, and each flag points back at it.
    assert list(change.flags) == [f.id for f in sorted(flags, key=lambda f: (-f.score, f.id))]
    assert all(f.change_id == change.id for f in flags)


# ------------------------------------------------------------------ pieces, novelty, changed share

def test_two_words_changed_apart_are_two_pieces_and_their_novelty_is_counted_per_word():
    result = edited("We support the free flow of data and the security of cables. We value trusted partners.",
                    "We support the trusted flow of data and the resilience of cables. We value trusted partners.")
    (c,) = result.changes
    assert c.evidence["type"] == "edited"
    assert c.evidence["pieces"] == [{"kind": "reworded", "old": "free", "new": "trusted"},
                                    {"kind": "reworded", "old": "security", "new": "resilience"}]
    # "trusted" is in the old statement (moved in from elsewhere), "resilience" is not.
    assert c.evidence["score"]["novelty"] == 0.5
    assert c.evidence["score"]["changed_share"] == 0.1932
    assert c.headline == "'security' → 'resilience'; 'free' → 'trusted'"
    assert c.topics == () and c.evidence["score"]["topic_weight"] == CONFIG.untagged_weight
    check_components(result, c)


def test_wording_carried_from_elsewhere_in_the_statement_is_no_news():
    (c,) = edited("We support the free flow of data. We value trusted partners.",
                  "We support the trusted flow of data. We value trusted partners.").changes
    assert c.evidence["score"]["novelty"] == 0.0 and c.headline == "'free' → 'trusted'"


def test_changes_two_words_apart_join_into_one_piece_three_apart_do_not():
    (c,) = edited("We support the free flow of data across borders.",
                  "We support the trusted flow of information across borders.").changes
    assert c.evidence["pieces"] == [{"kind": "reworded", "old": "free flow of data",
                                     "new": "trusted flow of information"}]
    # "trusted" and "flow" are in the new side only; "of" is no content word.
    assert c.evidence["score"]["novelty"] == 0.6667
    (c,) = edited("We support the free flow of all data across borders.",
                  "We support the trusted flow of all information across borders.").changes
    assert [p["old"] for p in c.evidence["pieces"]] == ["free", "data"]
    assert c.headline == "'data' → 'information'; 'free' → 'trusted'"


def test_a_dropped_phrase_counts_its_novelty_against_the_new_statement():
    (c,) = edited("We support dialogue and we reject coercion by any party in the region.",
                  "We support dialogue in the region. We reject coercion.").changes
    dropped = [p for p in c.evidence["pieces"] if p["kind"] == "dropped"]
    assert dropped and all(p["new"] == "" for p in dropped)


def test_a_related_long_rewording_is_quoted_clause_by_clause():
    result = edited(
        "We will strengthen cooperation on maritime security, including information sharing and capacity "
        "building for coastal states in the region.",
        "We will strengthen cooperation on maritime domain awareness, including satellite data sharing and "
        "training for coastal states in the wider region.")
    (c,) = result.changes
    assert c.evidence["pieces"] == [
        {"kind": "reworded", "old": "security, including information sharing and capacity building",
         "new": "domain awareness, including satellite data sharing and training"},
        {"kind": "added", "old": "", "new": "wider"}]
    assert c.headline == ("Maritime order and the South and East China Seas: 'security, including information sharing "
                          "and capacity building' → 'domain awareness, including satellite data sharing and "
                          "training'; 'wider' added")
    assert c.topics == ("maritime",)
    check_components(result, c)


def test_unrelated_long_clauses_are_one_dropped_and_one_added_each_cut_to_its_weightiest_clause():
    result = edited(
        "We will strengthen cooperation on maritime security, including information sharing, capacity building "
        "for coastal states, and joint exercises in the region.",
        "We will deepen collaboration on critical minerals supply chains, particularly the processing of rare "
        "earth elements, battery materials and recycling technologies across partners.")
    (c,) = result.changes
    assert c.evidence["pieces"] == [
        {"kind": "dropped", "old": "strengthen cooperation on maritime security", "new": ""},
        {"kind": "added", "old": "", "new": "deepen collaboration on critical minerals supply chains"}]
    # The strongest hit is the maritime topic dropped from the statement:
    # the headline leads with it.
    assert c.headline == ("Maritime order and the South and East China Seas: 'strengthen cooperation on maritime "
                          "security' dropped; 'deepen collaboration on critical minerals supply chains' added")
    assert c.evidence["score"]["novelty"] == 1.0
    check_components(result, c)


def test_the_taiwan_change_in_full():
    result = taiwan()
    (c,) = result.changes
    assert c.evidence["pieces"] == [
        {"kind": "reworded", "old": "reaffirmed", "new": "recognize"},
        {"kind": "reworded", "old": "international community", "new": "Indo-Pacific region"},
        {"kind": "dropped", "old": "We expressed concern about provocative actions, particularly the recent military "
                                   "drills around Taiwan", "new": ""}]
    assert c.evidence["score"]["changed_share"] == 0.4982 and c.evidence["score"]["novelty"] == 0.9231
    assert (c.old, c.new, c.topics) == ((0,), (0,), ("taiwan",))
    check_components(result, c)


# ------------------------------------------------------------------ intensity, passages, statement-level flags

def test_an_intensity_shift_leads_its_change_as_the_ladder_words():
    old = doc(SAME, "We expressed concern over the military cooperation between the DPRK and Russia.")
    new = doc(SAME, "We expressed grave concern over the military cooperation between the DPRK and Russia.")
    result = run(old, new, [link(old, [0], new, [0], "unchanged"), link(old, [1], new, [1])])
    (c,) = result.changes
    assert c.headline == "DPRK–Russia military cooperation: 'concern' → 'grave concern'"
    assert c.topics == ("dprk_nuclear", "dprk_russia") and (c.old, c.new) == ((1,), (1,))
    assert c.evidence["pieces"] == [{"kind": "added", "old": "", "new": "grave"}]
    assert c.evidence["score"]["strongest_rule_name"] == "intensity_shift"
    assert c.evidence["score"]["topic_weight"] == 1.2 and c.evidence["score"]["novelty"] == 1.0
    check_components(result, c)


def test_added_and_dropped_passages_in_full():
    # Also: both are changes, ranked by weight (the new DPRK passage first).
    old = doc(SAME, "We discussed cultural exchanges among our universities.")
    new = doc(SAME, "We condemn the DPRK's ballistic missile launches and its nuclear tests.")
    links = [link(old, [0], new, [0], "unchanged"), Link(old=(1,), new=(), type="dropped", confidence=1.0),
             Link(old=(), new=(1,), type="added", confidence=1.0)]
    result = run(old, new, links)
    added, dropped = result.changes
    assert added.headline == ("DPRK nuclear and missile programmes: 'condemn the DPRK's ballistic missile launches "
                              "and its nuclear tests' added")
    assert dropped.headline == "passage dropped: 'We discussed cultural exchanges among our universities'"
    assert added.evidence["pieces"] == [{"kind": "added", "old": "", "new": ""}]
    assert dropped.evidence["pieces"] == [{"kind": "dropped", "old": "", "new": ""}]
    for c in (added, dropped):
        assert (c.evidence["score"]["changed_share"], c.evidence["score"]["novelty"]) == (1.0, 1.0)
        check_components(result, c)
    # The statement-level flags (the DPRK named for the first time, the topic
    # added) join the change holding the passage they quote.
    assert {f.rule for f in result.flags if f.change_id == added.id} == {"actor_change", "topic_added",
                                                                          "passage_added"}
    assert (added.old, added.new, dropped.old, dropped.new) == ((), (1,), (1,), ())
    assert added.links == (result.links[2].id,) and dropped.links == (result.links[1].id,)
    assert [c.rank for c in result.changes] == [1, 2] and added.score > dropped.score
    assert [c.evidence["type"] for c in result.changes] == ["added", "dropped"]
    assert "dprk_nuclear" in added.topics


def test_a_statement_level_flag_quoting_no_changed_passage_is_a_change_of_its_own():
    # Both passages moved unchanged; across the statement the strongest
    # language on human rights rose. No changed group holds it.
    hr_old = "We voice concern about the human rights situation in the northern provinces."
    hr_new = "We voice our grave concern about the human rights situation in the northern provinces."
    meeting = "We met in the capital to review our cooperation on trade and ports."
    old, new = doc(meeting, hr_old), doc(hr_new, meeting)
    result = run(old, new, [link(old, [0], new, [1], "moved"), link(old, [1], new, [0], "moved")])
    (c,) = result.changes
    (f,) = result.flags
    assert f.rule == "intensity_shift" and f.link_id == "" and f.change_id == c.id
    assert c.id == content_id("change", "flag", f.id) and c.rank == 1
    assert c.headline == "Human rights, abductees and detainees: Strongest language: 'concern' → 'grave concern'"
    assert (c.topics, c.links, c.flags, c.old, c.new) == (("human_rights",), (), (f.id,), (1,), (0,))
    assert c.evidence == {"type": "statement", "pieces": [], "rules": ["intensity_shift"], "score": {
        "formula": "strongest_rule × topic_weight", "strongest_rule": round(strength(f), 4),
        "strongest_rule_name": "intensity_shift", "topic_weight": 1.0, "changed_share": 1.0, "novelty": 1.0,
        "breadth": 1.0}}
    assert c.score == round(strength(f) * CONFIG.topic_weight("human_rights"), 4)


def test_a_repeated_dropped_paragraph_gets_an_id_of_its_own():
    repeated = "We discussed cultural exchanges among our universities."
    old, new = doc(SAME, repeated, repeated, repeated), doc(SAME)
    links = [link(old, [0], new, [0], "unchanged")] + [
        Link(old=(i,), new=(), type="dropped", confidence=1.0) for i in (1, 2, 3)]
    first, second, third = run(old, new, links).changes
    assert first.headline == second.headline == third.headline == f"passage dropped: '{repeated[:-1]}'"
    assert second.id == content_id("change", first.id, 1) and third.id == content_id("change", first.id, 2)
    assert (first.rank, second.rank, third.rank) == (1, 2, 3)
    # The repeat raised no flag of its own: it ranks at the no-flag strength.
    assert second.flags == () and second.evidence["score"]["strongest_rule"] == NO_FLAG_STRENGTH


def test_release_lines_and_headings_added_or_dropped_are_no_change():
    old = doc("For release at 2:00 p.m. EDT", SAME)
    new = doc(SAME, "Women, Peace and Security")
    links = [Link(old=(0,), new=(), type="dropped", confidence=1.0), link(old, [1], new, [0], "moved"),
             Link(old=(), new=(1,), type="added", confidence=1.0)]
    assert run(old, new, links).changes == ()
    # Nor do they stop the changes after them from being read.
    old = doc("For release at 2:00 p.m. EDT", SAME, "We support the free flow of data.")
    new = doc("Women, Peace and Security", SAME, "We support the trusted flow of data.")
    links = [Link(old=(0,), new=(), type="dropped", confidence=1.0), Link(old=(), new=(0,), type="added", confidence=1.0),
             link(old, [1], new, [1], "unchanged"), link(old, [2], new, [2])]
    assert headlines(run(old, new, links)) == ["'free' → 'trusted'"]


def test_a_change_without_flags_takes_the_topics_of_its_old_paragraph():
    # The term is on the old side only; "The dialogue continues" elsewhere:
    # no topic dropped, and a deletion is no new wording.
    old = doc("We discussed the dialogue today.", "The dialogue continues.")
    new = doc("We discussed it today.", "The dialogue continues.")
    result = run(old, new, [link(old, [0], new, [0]), link(old, [1], new, [1], "unchanged")])
    (c,) = result.changes
    assert c.flags == () and c.topics == ("institutions",)


def test_a_change_without_flags_takes_its_topics_from_its_paragraphs():
    result = edited("We support the dialogue between the parties.", "We support a dialogue between the parties.")
    (c,) = result.changes
    assert c.flags == () and c.topics == ("institutions",)
    assert c.headline == "Institutions of the partnership: 'the dialogue' → 'a dialogue'"
    assert c.evidence["score"]["novelty"] == 0.0
    check_components(result, c)


# ------------------------------------------------------------------ the per-topic overview and the frame

def test_topic_overview_rows_give_presence_passages_strongest_language_and_ranks():
    old = doc(SAME, "We expressed concern over the military cooperation between the DPRK and Russia.",
              "We oppose coercion in the South China Sea.", "We support freedom of navigation in the East China Sea.")
    new = doc(SAME, "We expressed grave concern over the military cooperation between the DPRK and Russia.",
              "We support peace across the Taiwan Strait.")
    links = [link(old, [0], new, [0], "unchanged"), link(old, [1], new, [1]),
             Link(old=(2,), new=(), type="dropped", confidence=1.0), Link(old=(3,), new=(), type="dropped", confidence=1.0),
             Link(old=(), new=(2,), type="added", confidence=1.0)]
    result = run(old, new, links)

    def ranks(topic):
        return [(c.rank, c.id) for c in result.changes if topic in c.topics]

    def row(topic, old_passages, new_passages, old_strongest, new_strongest):
        return {"topic": topic, "name": CONFIG.topic_name(topic), "old_present": old_passages > 0,
                "new_present": new_passages > 0, "old_passages": old_passages, "new_passages": new_passages,
                "old_strongest": old_strongest, "new_strongest": new_strongest, "changes": ranks(topic)}

    # Config order (Taiwan, DPRK, DPRK–Russia, then the seas after Ukraine,
    # which neither statement mentions and which is left out).
    assert topic_overview(result.old, result.new, result.tags, result.changes, CONFIG) == [
        row("taiwan", 0, 1, "", "support (support)"),
        row("dprk_nuclear", 1, 1, "concern (concern)", "grave concern (concern)"),
        row("dprk_russia", 1, 1, "concern (concern)", "grave concern (concern)"),
        row("maritime", 2, 0, "oppose (disapproval)", ""),
    ]
    assert len(ranks("maritime")) == 2 and ranks("maritime") == sorted(ranks("maritime"))


def test_a_statement_level_change_weighs_by_its_topic():
    meeting = "We met in the capital to review our cooperation on trade and ports."
    old = doc(meeting, "We express concern over the military cooperation between the DPRK and Russia.")
    new = doc("We express grave concern over the military cooperation between the DPRK and Russia.", meeting)
    result = run(old, new, [link(old, [0], new, [1], "moved"), link(old, [1], new, [0], "moved")])
    (c,) = result.changes
    (f,) = result.flags
    assert c.headline == "DPRK–Russia military cooperation: Strongest language: 'concern' → 'grave concern'"
    assert c.evidence["score"]["topic_weight"] == 1.2
    assert c.score == round(strength(f) * 1.2, 4)


def test_changes_frame_carries_each_change_with_its_evidence():
    old = doc(SAME, "We discussed cultural exchanges among our universities.")
    new = doc(SAME, "We condemn the DPRK's ballistic missile launches and its nuclear tests.")
    links = [link(old, [0], new, [0], "unchanged"), Link(old=(1,), new=(), type="dropped", confidence=1.0),
             Link(old=(), new=(1,), type="added", confidence=1.0)]
    result = run(old, new, links)
    frame = driftlab.changes_frame(result)
    assert list(frame["rank"]) == [1, 2]
    assert list(frame["old"]) == ["", "1"] and list(frame["new"]) == ["1", ""]
    assert frame.loc[0, "rules"] == "actor_change;passage_added;topic_added"
    assert frame.loc[0, "flags"] == ";".join(result.changes[0].flags)
    assert json.loads(frame.loc[0, "evidence"]) == json.loads(json.dumps(result.changes[0].evidence))
    assert list(frame["score"]) == [c.score for c in result.changes]


def test_a_rewritten_passage_that_moved_quotes_each_side_from_its_own_text():
    # Old ¶2 rewritten as new ¶1: each side's clause is read at its own
    # offsets, and the clause both kept is no change. The two clauses left
    # hold different subjects (detained journalists, power plants): one was
    # dropped and the other added, not one rewritten as the other.
    kept = "Russia’s aggression against Ukraine continues to threaten the international order"
    old = doc("We met in the capital to review our cooperation on trade and ports.",
              f"{kept}, and we call for the immediate release of detained journalists and for humanitarian "
              "access to the occupied areas.")
    new = doc(f"{kept}, and we will provide winter energy equipment to reconstruct damaged power plants across "
              "Ukrainian cities.")
    result = run(old, new, [link(old, [1], new, [0], "rewritten"),
                            Link(old=(0,), new=(), type="dropped", confidence=1.0)])
    c = result.changes[0]
    assert c.evidence["pieces"] == [
        {"kind": "dropped", "new": "",
         "old": "we call for the immediate release of detained journalists and for humanitarian access to the "
                "occupied areas"},
        {"kind": "added", "old": "",
         "new": "we will provide winter energy equipment to reconstruct damaged power plants across Ukrainian "
                "cities"}]
    # The side naming the change's topic (Ukrainian cities) comes first.
    assert c.headline == ("Russia's war against Ukraine: 'we will provide winter energy equipment to reconstruct "
                          "damaged power plants across Ukrainian cities' added; 'we call for the immediate release of "
                          "detained journalists and for humanitarian access to the occupied areas' dropped")
    assert (c.old, c.new, c.evidence["type"]) == ((1,), (0,), "rewritten")
    check_components(result, c)


# ------------------------------------------------------------------ headlines

def headlines(result) -> list[str]:
    return [c.headline for c in result.changes]


def added_passage(text: str):
    old, new = doc(SAME), doc(SAME, text)
    return run(old, new, [link(old, [0], new, [0], "unchanged"), Link(old=(), new=(1,), type="added", confidence=1.0)])


@pytest.mark.parametrize("text, headline", [
    # A stance verb in its first words is quoted with its object.
    ("We strongly condemn the launch of ballistic missiles by the DPRK.",
     "DPRK nuclear and missile programmes: 'strongly condemn the launch of ballistic missiles by the DPRK' added"),
    # Further in, the passage is quoted as a new passage.
    ("Together with our partners across the region we strongly condemn the launch of ballistic missiles.",
     "DPRK nuclear and missile programmes: new passage: 'Together with our partners across the region we strongly "
     "condemn the launch of ballistic missiles'"),
    # A concern is said as what it is about.
    ("We express concern about the deteriorating situation in the region.",
     "concern about 'the deteriorating situation in the region' added"),
    ("We will hold regular consultations among our foreign ministers.",
     "new passage: 'We will hold regular consultations among our foreign ministers'"),
])
def test_an_added_passage_headline_says_its_stance_or_quotes_it(text, headline):
    assert headlines(added_passage(text)) == [headline]


def test_a_headline_shows_the_three_weightiest_pieces():
    result = edited(
        "We support growth in the north, we value trade with the south, we expand ports in the east and we protect "
        "fisheries in the west.",
        "We support stability in the north, we value dialogue with the south, we expand shipyards in the east and we "
        "protect forests in the west.")
    (c,) = result.changes
    assert [(p["old"], p["new"]) for p in c.evidence["pieces"]] == [
        ("growth", "stability"), ("trade", "dialogue"), ("ports", "shipyards"), ("fisheries", "forests")]
    assert c.headline == ("Institutions of the partnership: 'trade' → 'dialogue'; 'fisheries' → 'forests'; "
                          "'growth' → 'stability'")


def test_a_headline_stops_adding_pieces_past_220_characters_but_always_shows_the_first():
    (c,) = edited(
        "Governments acknowledged extraordinary international humanitarian responsibilities regarding internationally "
        "displaced populations throughout northeastern territories.",
        "Parliaments recognised unprecedented multilateral environmental obligations concerning transboundary "
        "atmospheric pollution throughout southwestern archipelagos.").changes
    assert [p["kind"] for p in c.evidence["pieces"]] == ["dropped", "added"]
    assert c.headline == ("'Governments acknowledged extraordinary international humanitarian responsibilities "
                          "regarding internationally displaced populations throughout northeastern territories' "
                          "dropped")


def test_long_pieces_are_cut_to_whole_clauses_in_the_headline():
    (c,) = edited(
        "We support the development of sustainable regional infrastructure networks in the north, we value the long "
        "and productive trade relationships with the south, and we protect the traditional coastal fisheries in the "
        "west.",
        "We support the construction of resilient digital connectivity corridors in the north, we value the emerging "
        "and strategic energy partnerships with the south, and we protect the endangered mangrove forests in the "
        "west.").changes
    assert c.headline == ("'development of sustainable regional infrastructure networks' dropped; 'construction of "
                          "resilient digital connectivity corridors' added; 'traditional coastal fisheries' → "
                          "'endangered mangrove forests'")
    assert len(c.evidence["pieces"]) == 5


def test_a_topic_named_in_passing_gives_a_change_no_weight():
    # A passage on energy naming Russia's war against Ukraine once, as the
    # cause of market volatility, is about energy: it weighs as energy
    # (0.7), not as Ukraine (1.0), and ranks under a passage about Ukraine
    # raising the same rules.
    old = doc(SAME)
    energy = ("We will accelerate the clean energy transition, cut emissions and invest in renewable energy and "
              "energy security, given the volatility of markets as a result of Russia's war against Ukraine.")
    ukraine = ("We will support Ukraine's reconstruction and condemn Russia's war against Ukraine, a war of "
               "aggression that threatens the energy security of Europe.")
    new = doc(SAME, energy, ukraine)
    links = [link(old, [0], new, [0], "unchanged"), Link(old=(), new=(1,), type="added", confidence=1.0),
             Link(old=(), new=(2,), type="added", confidence=1.0)]
    result = run(old, new, links)
    by_new = {c.new: c for c in result.changes}
    on_energy, on_ukraine = by_new[(1,)], by_new[(2,)]
    assert {"energy_climate", "ukraine"} <= set(on_energy.topics)
    assert on_energy.evidence["score"]["weighing_topics"] == ["energy_climate"]
    assert on_energy.evidence["score"]["topic_weight"] == CONFIG.topic_weight("energy_climate") == 0.7
    # Named in passing the other way round: energy security in a passage on Ukraine.
    assert on_ukraine.evidence["score"]["weighing_topics"] == ["ukraine"]
    assert on_ukraine.evidence["score"]["topic_weight"] == 1.0
    assert on_ukraine.rank < on_energy.rank
    for c in (on_energy, on_ukraine):
        check_components(result, c)


def test_a_change_about_two_topics_alike_weighs_as_the_weightier():
    # Neither topic is named in passing (one term each): the weightier counts.
    old = doc(SAME)
    new = doc(SAME, "We will cut emissions and support Ukraine's recovery.")
    result = run(old, new, [link(old, [0], new, [0], "unchanged"), Link(old=(), new=(1,), type="added",
                                                                          confidence=1.0)])
    (c,) = result.changes
    assert set(c.evidence["score"]["weighing_topics"]) == {"energy_climate", "ukraine"}
    assert c.evidence["score"]["topic_weight"] == 1.0
    check_components(result, c)


def test_a_topic_weighs_by_its_share_of_the_term_hits_of_every_passage_of_the_group():
    # Three topics in one new passage (the statement's first): energy holds
    # half the term hits (2 of 4), Ukraine and cyber one each. Exactly half
    # is enough to be what the passage is about.
    old = doc(SAME)
    new = doc("We will cut emissions and expand renewable energy, counter ransomware and support Ukraine.", SAME)
    result = run(old, new, [Link(old=(), new=(0,), type="added", confidence=1.0),
                            link(old, [0], new, [1], "unchanged")])
    (c,) = result.changes
    assert set(c.topics) >= {"energy_climate", "ukraine", "cyber"}
    assert c.evidence["score"]["weighing_topics"] == ["energy_climate"]
    assert c.evidence["score"]["topic_weight"] == 0.7
    check_components(result, c)
    # A merged group: the hits of all its passages, old and new, add up
    # (energy 1 + 2, Ukraine 1 + 1 + 1): neither is named in passing.
    old = doc("We will cut emissions and support Ukraine.", "We will support Ukraine's recovery.")
    new = doc("We will cut emissions, expand renewable energy and support Ukraine's recovery.")
    result = run(old, new, [link(old, [0, 1], new, [0], "merged")])
    (c,) = result.changes
    assert set(c.evidence["score"]["weighing_topics"]) == {"energy_climate", "ukraine"}
    assert c.evidence["score"]["topic_weight"] == 1.0
    check_components(result, c)
