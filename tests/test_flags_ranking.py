"""Flag order, scores and their components as the report and JSON show them
(issue 12, mutation testing).

Each test pins, on small invented statements, the ranked list a user reads:
each flag's score (exact, as the JSON carries it), the components in
``evidence["score"]``, the per-link rank and penalty, the partial-statement
demotion and its reason, and how repeats of one sentence merge. Built like
tests/test_flags.py: hand-made links, term tags only, no model.
"""

from __future__ import annotations

from driftlab.flags import compute_flags
from driftlab.topics import tag_documents
from driftlab.types import Link

from .test_flags import CONFIG, _partial_doc, _unlinked, doc, flags_for, link

FORMULA = "rule_weight × size × topic_weight × (0.75 + 0.25 × changed_share)"


def ranked(flags) -> list[tuple]:
    """(rule, score, explanation) in rank order."""
    return [(f.rule, f.score, f.explanation) for f in flags]


def _flags(old, new, links):
    return compute_flags(old, new, links, tag_documents(old, new, CONFIG), CONFIG)


# ------------------------------------------------------------------ the score and its components

def test_a_score_is_its_formula_rounded_to_four_places_with_every_component_shown():
    flags = flags_for("We support the fishing communities of the northern coast.",
                      "We express unwavering support for the fishing communities of the northern coast.")
    (f,) = [f for f in flags if f.rule == "intensity_shift"]
    # 1.2 × 1.5 × 0.5 × (0.75 + 0.25 × 10/26) = 0.76153…
    assert f.score == 0.7615
    assert f.evidence["score"] == {"formula": FORMULA, "rule_weight": 1.2, "size": 1.5, "topic_weight": 0.5,
                                   "changed_share": 0.385}


# ------------------------------------------------------------------ per-link decay

def test_each_link_ranks_its_own_flags_and_an_unpaired_negation_decays_with_them():
    """Two edited passages. In the first, the intensity shift leads; the
    negation of an added sentence ("never") has no counterpart, so it is not
    exempt from the decay: second in its link, × 0.8. The second passage's
    only flag is first in its own link: no penalty."""
    old = doc("We express concern about the closure of the northern ports.",
              "We support the fishing communities of the northern coast.")
    new = doc("We express grave concern about the closure of the northern ports. "
              "The ferries will never sail again from the old harbour.",
              "We strongly support the fishing communities of the northern coast.")
    flags = _flags(old, new, [link(old, [0], new, [0]), link(old, [1], new, [1])])
    assert [(f.rule, f.new, f.score, f.evidence["score"].get("link_rank"), f.evidence["score"].get("link_penalty"))
            for f in flags] == [
        ("intensity_shift", (0,), 0.7894, None, None),
        ("intensity_shift", (1,), 0.4688, None, None),
        ("negation", (0,), 0.2105, 2, 0.8),  # 0.2631 × 0.8, rounded to four places
        ("new_wording", (0,), 0.1544, 3, 0.64),
        ("new_wording", (1,), 0.1031, 2, 0.8),
        ("new_wording", (0,), 0.0864, 4, 0.512),
        ("modality", (0,), 0.0539, 5, 0.4096)]
    assert "unpaired" in flags[2].evidence


# ------------------------------------------------------------------ the same shift reached twice

def test_the_same_shift_in_three_passages_keeps_the_best_scored_and_lists_the_others():
    """Three passages edited alike ("concern" → "grave concern", the same
    quoted words): one flag. The one on the DPRK (topic weight 1) outscores
    the untagged one and the one on technology (0.8): it is kept, with the
    other passages in ``also_at`` and the topics of all three."""
    plain = "We expressed concern over the port of the northern island town, as we said before."
    tech = "We expressed concern over the port of the northern island town, a hub for semiconductors."
    dprk = "We expressed concern over the port of the northern island town, which the DPRK shelled."
    old = doc(plain, tech, dprk)
    new = doc(*(p.replace("concern", "grave concern") for p in (plain, tech, dprk)))
    flags = _flags(old, new, [link(old, [i], new, [i]) for i in range(3)])
    (f,) = [f for f in flags if f.rule == "intensity_shift"]
    assert (f.old, f.new, f.topics) == ((2,), (2,), ("dprk_nuclear", "technology"))
    assert f.evidence["also_at"] == [{"old": [0], "new": [0]}, {"old": [1], "new": [1]}]
    assert f.explanation == ("Intensity up 2 rungs on DPRK nuclear and missile programmes (concern): "
                             "'concern' → 'grave concern'")


# ------------------------------------------------------------------ partial statements

OPENING = "We, the ministers, met in Seoul to advance our cooperation on fisheries."
COMPACT = "We support the fishing communities of the northern coast and the Westford Fisheries Compact with Russia."
FERRY = "We discussed the ferry timetable for the islands at length."
OLD_PARTIAL = ("the old statement is partial (only its opening): what is absent from it may be carried over from "
               "beyond the excerpt")


def _demotions(flags) -> list[tuple]:
    return [(f.rule, f.score, f.evidence.get("change"), f.evidence["score"].get("partial_demotion"),
             f.evidence.get("partial")) for f in flags]


def test_against_an_old_excerpt_a_new_name_is_demoted_but_a_dropped_passage_is_not():
    """The old statement is an excerpt: a name "not in the old statement"
    may sit beyond it, so it is demoted × 0.4 (and says why); what was
    dropped from the excerpt was there, so the dropped passage is not; nor
    is Russia named in the passage (the old passage is known)."""
    old = _partial_doc(OPENING, "We support the fishing communities of the northern coast.", FERRY)
    new = doc(OPENING, COMPACT)
    links = [link(old, [0], new, [0], "unchanged"), link(old, [1], new, [1]),
             Link(old=(2,), new=(), type="dropped", confidence=0.0)]
    assert _demotions(_flags(old, new, links)) == [
        ("actor_change", 0.3877, "named", None, OLD_PARTIAL),
        ("passage_dropped", 0.2333, None, None, None),
        ("new_wording", 0.1327, None, None, None),
        # 0.3877 × 0.4 = 0.1551, × 0.64 (third in its link), × 0.5 (a repeat of Russia named).
        ("actor_change", 0.0496, "new name", 0.4, OLD_PARTIAL)]


def test_against_a_new_excerpt_an_added_passage_and_a_new_name_stand():
    old = doc(OPENING, "We support the fishing communities of the northern coast.")
    new = _partial_doc(OPENING, COMPACT, FERRY)
    links = [link(old, [0], new, [0], "unchanged"), link(old, [1], new, [1]),
             Link(old=(), new=(2,), type="added", confidence=0.0)]
    assert _demotions(_flags(old, new, links)) == [
        ("actor_change", 0.585, "named", None, None),
        ("passage_added", 0.2625, None, None, None),
        ("actor_change", 0.1938, "new name", None, None),
        ("new_wording", 0.1327, None, None, None)]


def test_an_added_passage_against_an_old_excerpt_is_demoted_and_says_why():
    old = _partial_doc(OPENING)
    new = doc(OPENING, FERRY)
    flags = _flags(old, new, [link(old, [0], new, [0], "unchanged"),
                              Link(old=(), new=(1,), type="added", confidence=0.0)])
    # 0.2625 (its score against the whole statement) × 0.4.
    assert _demotions(flags) == [("passage_added", 0.105, None, 0.4, OLD_PARTIAL)]


# ------------------------------------------------------------------ repeats of one sentence

CAPITAL = "We discussed trade and ports at length in the capital."


def test_a_dropped_topic_leads_the_flags_repeating_its_sentences():
    """A dropped passage on the Middle East: the topic flag quotes both its
    sentences, so it is the primary; it keeps its own score (the best), and
    names "Hamas no longer named" in full (the quote is short). The
    repeats keep half their score and point at it."""
    flags = _unlinked([CAPITAL, "We condemn Hamas. We call for the release of all hostages in Gaza."], [CAPITAL])
    assert ranked(flags) == [
        ("topic_dropped", 1.1, "Topic dropped from the statement: The Middle East (1 passage) — also: Hamas no "
                               "longer named anywhere in the statement: 'We condemn Hamas'"),
        ("actor_change", 0.468, "Hamas no longer named anywhere in the statement: 'We condemn Hamas'"),
        # "We call for the release of all hostages" is policy, not a release
        # line: the passage is a dropped passage of its own words.
        ("passage_dropped", 0.24, "Dropped passage on The Middle East: 'We condemn Hamas'")]
    primary, repeat, passage = flags
    assert primary.evidence["also"] == [{"id": f.id, "rule": f.rule, "explanation": f.explanation}
                                        for f in (repeat, passage)]
    assert "taken_from_repeat" not in primary.evidence["score"]
    for f in (repeat, passage):
        assert f.evidence["repeat_of"] == primary.id and f.evidence["score"]["repeat_demotion"] == 0.5
    assert primary.topics == repeat.topics == ("middle_east",)


def test_a_sentence_flagged_once_does_not_stop_the_merging_of_others():
    # An edited first passage raises one new-wording flag of its own (no
    # repeat); the added passage's name and the passage itself still merge.
    old = doc(CAPITAL)
    new = doc("We discussed trade, ports and the new shipyard contracts at length in the capital.",
              "The Westford Fisheries Compact was signed by the harbour masters of the islands.")
    flags = _flags(old, new, [link(old, [0], new, [0]), Link(old=(), new=(1,), type="added", confidence=0.0)])
    assert [(f.rule, f.score, f.evidence.get("repeat_of")) for f in flags] == [
        ("actor_change", 0.54, None), ("new_wording", 0.1908, None), ("passage_added", 0.111, flags[0].id)]
    assert flags[0].explanation == "New name, not in the old statement: 'Westford Fisheries Compact'"
    assert [a["rule"] for a in flags[0].evidence["also"]] == ["passage_added"]


def test_the_same_shift_kept_first_still_lists_every_other_passage():
    # The DPRK passage comes first and stays the best: the technology and
    # the untagged passages are both recorded, in reading order.
    plain = "We expressed concern over the port of the northern island town, as we said before."
    tech = "We expressed concern over the port of the northern island town, a hub for semiconductors."
    dprk = "We expressed concern over the port of the northern island town, which the DPRK shelled."
    old = doc(dprk, tech, plain)
    new = doc(*(p.replace("concern", "grave concern") for p in (dprk, tech, plain)))
    (f,) = [f for f in _flags(old, new, [link(old, [i], new, [i]) for i in range(3)]) if f.rule == "intensity_shift"]
    assert (f.old, f.new) == ((0,), (0,))
    assert f.evidence["also_at"] == [{"old": [1], "new": [1]}, {"old": [2], "new": [2]}]


def test_the_same_shift_twice_in_one_passage_lists_no_other_passage():
    flags = flags_for("We express concern over the port. We express concern over the port.",
                      "We express grave concern over the port. We express grave concern over the port.")
    (f,) = [f for f in flags if f.rule == "intensity_shift"]
    assert (f.old, f.new, f.score) == ((0,), (0,), 0.705)
    assert "also_at" not in f.evidence


def test_a_primary_names_each_fact_of_its_repeats_and_keeps_its_own_topics():
    flags = _unlinked([CAPITAL, "We condemn Hamas. We condemn Hezbollah. We call for the release of all hostages "
                                "in Gaza."], [CAPITAL])
    assert flags[0].explanation == (
        "Topic dropped from the statement: The Middle East (1 passage) — also: Hamas no longer named anywhere in the "
        "statement: 'We condemn Hamas'; Hezbollah no longer named anywhere in the statement: 'We condemn Hezbollah'")
    # The topic flag's topics are its claim (the Middle East dropped), not
    # those of the repeats (the Hamas sentence is also about human rights).
    shared = "We discussed human rights, trade and ports at length in the capital."
    flags = _unlinked([shared, "We condemn Hamas for the abduction of civilians. We call for the release of all "
                               "hostages in Gaza."], [shared])
    assert [(f.rule, f.topics) for f in flags] == [
        ("topic_dropped", ("middle_east",)), ("actor_change", ("human_rights", "middle_east")),
        ("passage_dropped", ("human_rights", "middle_east"))]


def test_a_fact_is_named_without_its_quote_only_when_the_quote_is_long():
    # A quote of 41 characters (with its closing mark) is left out of the
    # primary's "also"; one of 40 is kept.
    def also(sentence: str) -> str:
        flags = _unlinked([CAPITAL, sentence + ". We call for the release of all hostages in Gaza."], [CAPITAL])
        return flags[0].explanation.split(" — also: ")[1]

    assert also("We condemn Hamas and all its armed wings") == "Hamas no longer named anywhere in the statement"
    assert also("We condemn Hamas and all its armed wing") == ("Hamas no longer named anywhere in the statement: "
                                                               "'We condemn Hamas and all its armed wing'")


def test_a_name_leads_a_one_sentence_topic_dropped_with_it():
    # The topic flag quotes one sentence: the name, scoring over 0.8 of it,
    # is the primary and names the topic dropped as a fact.
    flags = _unlinked([CAPITAL, "We condemn the terror attacks by Hamas on the civilians of the southern towns."],
                      [CAPITAL])
    assert ranked(flags) == [
        ("actor_change", 1.1, "Hamas no longer named anywhere in the statement: 'We condemn the terror attacks by "
                              "Hamas on the civilians of the southern towns' — also: Topic dropped from the "
                              "statement: The Middle East (1 passage)"),
        ("topic_dropped", 0.55, "Topic dropped from the statement: The Middle East (1 passage)"),
        ("passage_dropped", 0.2467, "Dropped passage on The Middle East: 'We condemn the terror attacks by Hamas on "
                                    "the civilians of the southern towns'")]
    assert flags[0].evidence["score"]["taken_from_repeat"] == 1.1


def test_against_a_new_excerpt_a_dropped_passage_is_demoted_and_says_which_statement_is_partial():
    old = doc(OPENING, FERRY)
    new = _partial_doc(OPENING)
    flags = _flags(old, new, [link(old, [0], new, [0], "unchanged"), Link(old=(1,), new=(), type="dropped",
                                                                          confidence=0.0)])
    assert _demotions(flags) == [("passage_dropped", 0.0933, None, 0.4,
                                  "the new statement is partial (only its opening): what is absent from it may be "
                                  "carried over from beyond the excerpt")]


def test_against_an_old_excerpt_new_conduct_is_demoted():
    old = _partial_doc("We seek constructive and stable relations with China.", "We oppose economic coercion.")
    new = doc("We seek constructive and stable relations with China.",
              "We oppose economic coercion. We are concerned about China's rapid expansion of its long-range bomber "
              "fleet near our shores.")
    flags = _flags(old, new, [link(old, [0], new, [0], "unchanged"), link(old, [1], new, [1])])
    (f,) = [f for f in flags if f.evidence.get("change") == "new conduct"]
    assert (f.score, f.evidence["score"]["partial_demotion"], f.evidence["partial"]) == (0.216, 0.4, OLD_PARTIAL)
