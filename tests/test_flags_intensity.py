"""Intensity shifts as the analyst reads them (issue 12, mutation testing).

Each test pins what a flag says — its explanation ("up 2 rungs", the ladder,
the words quoted), its quotes, its topics, the sentence similarity in its
evidence — on small invented statement pairs, so that a changed pairing
rule, threshold or quote window shows. Built like tests/test_flags.py: one
edited link per paragraph, term tags only, no model.
"""

from __future__ import annotations

from dataclasses import replace

from driftlab.flags import compute_flags
from driftlab.topics import tag_documents
from driftlab.types import Link

from .test_flags import CONFIG, _partial_doc, _unlinked, doc, flags_for, link


def shifts(flags) -> list[tuple]:
    """(explanation, old quote, new quote) of each intensity flag, in rank order."""
    return [(f.explanation, f.old_text, f.new_text) for f in flags if f.rule == "intensity_shift"]


def explanations(flags) -> list[str]:
    return [f.explanation for f in flags if f.rule == "intensity_shift"]


def _flags(old, new, links):
    return compute_flags(old, new, links, tag_documents(old, new, CONFIG), CONFIG)


# ------------------------------------------------------------------ per link: which ladders, which shift is kept

def test_a_ladder_left_out_of_the_statement_wide_comparison_still_shifts_within_a_link():
    # "support" is compared only between paired sentences (statement_wide: false).
    assert shifts(flags_for("We support the fishing communities of the northern coast.",
                            "We express unwavering support for the fishing communities of the northern coast.")) == [(
        "Intensity up 2 rungs (support): 'support' → 'unwavering support'",
        "We support the fishing communities of the northern coast.",
        "We express unwavering support for the fishing communities of the northern coast.")]


def test_of_two_ladders_on_the_same_words_the_larger_shift_is_kept():
    # "oppose" → "reject": two rungs on the opposition ladder, one on the
    # disapproval ladder: one flag, the larger.
    assert explanations(flags_for("We oppose the closure of the northern ports to fishing boats.",
                                  "We reject the closure of the northern ports to fishing boats.")) == [
        "Intensity up 2 rungs (opposition): 'oppose' → 'reject'"]


def test_old_words_answered_twice_in_one_new_sentence_make_one_shift():
    # "concern" → "grave concern and strongly condemn": the disapproval ladder
    # (5 rungs) and the concern ladder (2) answer the same old word in one new
    # sentence: one flag, the larger. The next sentence's own shift stays.
    flags = flags_for(
        "We express concern about the closure of the northern ports. We support the fishing communities.",
        "We express grave concern and strongly condemn the closure of the northern ports. "
        "We strongly support the fishing communities.")
    assert shifts(flags) == [
        ("Intensity up 5 rungs (disapproval): 'concern' → 'strongly condemn'",
         "We express concern about the closure of the northern ports.",
         "concern and strongly condemn the closure of the northern ports."),
        ("Intensity up 1 rung (support): 'support' → 'strongly support'",
         "We support the fishing communities.", "We strongly support the fishing communities.")]
    # Five rungs would be size 3; the score clips it at 2.5.
    assert flags[0].evidence["score"]["size"] == 2.5


# ------------------------------------------------------------------ topics of a shift come from both sentences

def test_a_shift_takes_the_topics_of_the_old_sentence_and_of_the_new():
    for old, new in [("We express concern about the missile launches by the DPRK near the coast.",
                      "We express grave concern about the missile launches near the coast."),
                     ("We express concern about the missile launches near the coast.",
                      "We express grave concern about the missile launches by the DPRK near the coast.")]:
        (f,) = [f for f in flags_for(old, new) if f.rule == "intensity_shift"]
        assert f.topics == ("dprk_nuclear",)
        assert f.explanation == ("Intensity up 2 rungs on DPRK nuclear and missile programmes (concern): "
                                 "'concern' → 'grave concern'")


# ------------------------------------------------------------------ which old sentence a new one is compared with

def test_the_most_similar_old_sentence_is_the_counterpart():
    # Both old sentences use the support ladder; the new one shares its
    # matter with the first: up 2 from "support", not up 1 from "strongly support".
    flags = flags_for("We support the fishing quotas. We strongly support the ferry link.",
                      "We express unwavering support for the fishing quotas.")
    (f,) = [f for f in flags if f.rule == "intensity_shift"]
    assert f.explanation == "Intensity up 2 rungs (support): 'support' → 'unwavering support'"
    assert f.evidence["sentence_similarity"] == 0.6


def test_of_two_equally_similar_old_sentences_the_first_is_the_counterpart():
    # Both old sentences share three of seven content words with the new one.
    flags = flags_for("We gladly support the fishing quotas. We strongly support the ferry quotas.",
                      "We express unwavering support for the fishing and ferry quotas.")
    (f,) = [f for f in flags if f.rule == "intensity_shift"]
    assert (f.explanation, f.old_text) == ("Intensity up 2 rungs (support): 'support' → 'unwavering support'",
                                           "We gladly support the fishing quotas.")
    assert f.evidence["sentence_similarity"] == 0.429


def test_each_new_sentence_is_compared_in_turn():
    # The first new sentence keeps its rung; the second is the shift.
    assert explanations(flags_for("We support the fishing quotas. We support the ferry link.",
                                  "We support the fishing quotas. We strongly support the ferry link.")) == [
        "Intensity up 1 rung (support): 'support' → 'strongly support'"]


FAR = ("Our partners and the coastal regulators, meeting in the capital this spring, expressed unwavering "
       "support for the fishing quotas.")


def test_a_loose_pair_counts_only_when_each_side_uses_the_ladder_once():
    # Under a quarter of the content words shared: the only use on each side
    # still pairs (both bear on "fishing quotas")…
    flags = flags_for("We support the fishing quotas agreed last winter by the northern villages.", FAR)
    (f,) = [f for f in flags if f.rule == "intensity_shift"]
    assert f.explanation == "Intensity up 2 rungs (support): 'support' → 'unwavering support'"
    assert f.evidence["sentence_similarity"] == 0.188
    # …but not when the old statement uses it twice: the loose pair is
    # dropped, and the next new sentence, a close pair, is still compared.
    assert shifts(flags_for(
        "We support the fishing quotas agreed last winter by the northern villages. "
        "We support the ferry link to the islands.",
        FAR + " We strongly support the ferry link to the islands.")) == [(
            "Intensity up 1 rung (support): 'support' → 'strongly support'",
            "We support the ferry link to the islands.", "We strongly support the ferry link to the islands.")]
    # Nor when the new statement uses it twice.
    assert explanations(flags_for("We support the fishing quotas agreed last winter by the northern villages.",
                                  FAR + " We strongly support the ferry link to the islands.")) == []


def test_a_close_pair_counts_whatever_else_uses_the_ladder():
    flags = flags_for("We support the fishing quotas. We support the ferry link to the islands.",
                      "We strongly support the fishing quotas.")
    assert shifts(flags) == [("Intensity up 1 rung (support): 'support' → 'strongly support'",
                              "We support the fishing quotas.", "We strongly support the fishing quotas.")]


def test_sentences_sharing_half_their_words_are_compared_without_looking_at_what_the_cues_bear_on():
    # Exactly half the content words shared (Arden, Belmont, support of six);
    # what the cues bear on (fishing / ferries) differs, and does not matter.
    flags = flags_for("Arden and Belmont support fishing.", "Arden and Belmont strongly support ferries.")
    (f,) = [f for f in flags if f.rule == "intensity_shift"]
    assert f.evidence["sentence_similarity"] == 0.5
    assert f.explanation == "Intensity up 1 rung (support): 'support' → 'strongly support'"


def test_what_a_cue_bears_on_stays_inside_its_sentence():
    # "concern over it": the fishing fleet of the next sentence is not what
    # the old concern bore on, so "grave concern over the idle fishing fleet"
    # is another matter (either way round).
    assert explanations(flags_for("We express concern over it. The fishing fleet is idle.",
                                  "We express grave concern over the idle fishing fleet.")) == []
    assert explanations(flags_for("We express concern over the idle fishing fleet.",
                                  "We express grave concern over it. The fishing fleet is idle.")) == []


def test_a_sentence_of_a_longer_paragraph_is_quoted_and_compared_on_its_own():
    # The cue opens the paragraph's second sentence: the quote starts there,
    # and the similarity is the two sentences', not the paragraphs'.
    flags = flags_for("The talks on the river went well. Concern over the closure of the ports is widespread.",
                      "The talks on the river went well. Grave concern over the closure of the ports is widespread.")
    (f,) = [f for f in flags if f.rule == "intensity_shift"]
    assert (f.explanation, f.old_text, f.new_text) == (
        "Intensity up 2 rungs (concern): 'Concern' → 'Grave concern'",
        "Concern over the closure of the ports is widespread.",
        "Grave concern over the closure of the ports is widespread.")
    assert f.evidence["sentence_similarity"] == 0.8


# ------------------------------------------------------------------ demands: the party addressed

def test_demands_later_in_the_sentence_on_different_parties_are_no_shift():
    # The demand verb comes late in its sentence: the party is read after it.
    assert explanations(flags_for(
        "In view of the launches, the ministers urge the DPRK to abide by the resolutions.",
        "In view of the launches, the ministers call on all UN Member States to abide by the resolutions.")) == []
    # The same party, asked more firmly, is a shift.
    assert explanations(flags_for(
        "In view of the launches, the ministers urge the DPRK to abide by the resolutions.",
        "In view of the launches, the ministers demand the DPRK to abide by the resolutions.")) == [
        "Intensity up 1 rung on DPRK nuclear and missile programmes (calls and demands): 'urge' → 'demand'"]


def test_the_party_addressed_is_read_inside_the_demands_sentence():
    # "urge calm." names no party ("To our partners" opens the next
    # sentence), so the demand on the navy is the same demand, firmer.
    assert explanations(flags_for("We urge calm. To our partners we send thanks.",
                                  "We demand that the navy return to calm. To our partners we send thanks.")) == [
        "Intensity up 1 rung (calls and demands): 'urge' → 'demand'"]
    assert explanations(flags_for("We demand that the navy return to calm. To our partners we send thanks.",
                                  "We urge calm. To our partners we send thanks.")) == [
        "Intensity down 1 rung (calls and demands): 'demand' → 'urge'"]


def test_the_party_addressed_is_read_up_to_nine_words_after_the_verb():
    # "to" as the ninth word after "urge": the party is read, and differs.
    far = "We urge the fishing fleets of the northern coastal islands to respect the quotas."
    assert explanations(flags_for(far, "We demand the navy to respect the quotas.")) == []
    # "to" as the tenth: no party read, the demand shifts.
    farther = "We urge the fishing fleets of the northern and southern islands to respect the quotas."
    assert explanations(flags_for(farther, "We demand the navy to respect the quotas.")) == [
        "Intensity up 1 rung (calls and demands): 'urge' → 'demand'"]


# ------------------------------------------------------------------ sentence lineage decides the counterpart

def _with_lineage(lk: Link, *pairs: tuple[list, list]) -> Link:
    return replace(lk, sentence_links=tuple({"old": o, "new": n, "type": "rewritten", "score": 0.6} for o, n in pairs))


def test_with_lineage_the_sentence_a_new_one_came_from_is_its_counterpart():
    old = doc("We express concern over the ferry fares. We express grave concern over the fishing rules.")
    new = doc("We express concern over the fishing rules.")
    # The aligner says the new sentence came from the second old one: down 2.
    flags = _flags(old, new, [_with_lineage(link(old, [0], new, [0]), ([[0, 1]], [[0, 0]]))])
    assert explanations(flags) == ["Intensity down 2 rungs (concern): 'grave concern' → 'concern'"]


def test_with_lineage_a_new_sentence_from_nowhere_has_no_counterpart():
    old = doc("We will meet in the capital. We express concern over the fishing rules.")
    new = doc("We will meet in the capital. We express grave concern over the fishing rules.")
    # Only the first sentence has lineage: the second was added, so its
    # "grave concern" answers no old sentence.
    flags = _flags(old, new, [_with_lineage(link(old, [0], new, [0]), ([[0, 0]], [[0, 0]]))])
    assert explanations(flags) == []


def test_a_link_without_lineage_pairs_by_wording_when_another_link_has_some():
    old = doc("We will meet in the capital.", "We express concern over the fishing rules.")
    new = doc("We will meet again in the capital.", "We express grave concern over the fishing rules.")
    links = [_with_lineage(link(old, [0], new, [0]), ([[0, 0]], [[0, 0]])), link(old, [1], new, [1])]
    assert explanations(_flags(old, new, links)) == ["Intensity up 2 rungs (concern): 'concern' → 'grave concern'"]


# ------------------------------------------------------------------ across the statement

MEETING = "We met in the capital to review our cooperation on trade and ports."


def statement_wide(flags) -> list[tuple]:
    return [(f.explanation, f.old_text, f.new_text, f.old, f.new, f.topics, f.evidence["old_found"],
             f.evidence["new_found"], f.evidence["score"]["size"])
            for f in flags if f.rule == "intensity_shift" and f.evidence.get("scope") == "statement"]


def test_one_rung_up_across_the_statement():
    assert statement_wide(_unlinked(
        [MEETING, "We voice concern about the human rights situation in the northern provinces."],
        [MEETING, "We voice serious concern about the human rights situation in the northern provinces."])) == [(
            "Strongest language on Human rights, abductees and detainees up 1 rung (concern), across the statement: "
            "'concern' → 'serious concern'",
            "We voice concern about the human rights situation in the northern",
            "We voice serious concern about the human rights situation in the northern", (1,), (1,),
            ("human_rights",), ["concern (¶2, sentence 1)"], ["serious concern (¶2, sentence 1)"], 1.0)]


def test_three_rungs_up_across_the_statement_is_size_two():
    (f,) = statement_wide(_unlinked(
        [MEETING, "We note the human rights situation in the northern provinces."],
        [MEETING, "We voice grave concern about the human rights situation in the northern provinces."]))
    assert f[0].startswith("Strongest language on Human rights, abductees and detainees up 3 rungs (concern)")
    assert f[-1] == 2.0


STRONGER = [MEETING, "We voice concern about human rights in prisons. Grave concern and alarm about human rights "
                     "defenders were voiced.",
            "We express grave concern about the human rights of detainees. Talks were held.",
            "We express serious concern about the human rights of fishermen."]
WEAKER = [MEETING, "Talks were held. We note concern about human rights defenders.",
          "We voice serious concern about the human rights situation in the northern provinces."]


def test_the_stronger_side_quotes_each_sentence_above_the_other_sides_top_once():
    """Up: the new side quotes each sentence above the old top ('serious
    concern'), strongest first and in reading order, a sentence once though
    it holds two such rungs; the old side quotes its sentences at its top,
    not those below it. Quotes stay inside their sentence."""
    assert statement_wide(_unlinked(WEAKER, STRONGER)) == [(
        "Strongest language on Human rights, abductees and detainees up 1 rung (concern), across the statement: "
        "'serious concern' → 'Grave concern'",
        "We voice serious concern about the human rights situation in the northern",
        "Grave concern and alarm about human rights defenders were voiced. … We express grave concern about the "
        "human rights of detainees.",
        (2,), (1, 2), ("human_rights",), ["serious concern (¶3, sentence 1)"],
        ["Grave concern (¶2, sentence 2)", "grave concern (¶3, sentence 1)"], 1.0)]
    # Down: the same, the sides swapped.
    assert statement_wide(_unlinked(STRONGER, WEAKER)) == [(
        "Strongest language on Human rights, abductees and detainees down 1 rung (concern), across the statement: "
        "'Grave concern' → 'serious concern'",
        "Grave concern and alarm about human rights defenders were voiced. … We express grave concern about the "
        "human rights of detainees.",
        "We voice serious concern about the human rights situation in the northern",
        (1, 2), (2,), ("human_rights",), ["Grave concern (¶2, sentence 2)", "grave concern (¶3, sentence 1)"],
        ["serious concern (¶3, sentence 1)"], 1.0)]


def test_a_topic_named_by_one_actor_alone_is_not_compared_across_the_statement():
    # "the DPRK" tags the DPRK programmes topic, but this sentence is about
    # human rights: only that topic shifts across the statement.
    flags = _unlinked([MEETING, "We voice concern about the human rights situation in the DPRK."],
                      [MEETING, "We voice grave concern about the human rights situation in the DPRK."])
    assert [f[5] for f in statement_wide(flags)] == [("human_rights",)]
    # Two actors named (the DPRK and Russia) make DPRK–Russia cooperation a matter of its own.
    flags = _unlinked([MEETING, "We voice concern about the cooperation between the DPRK and Russia."],
                      [MEETING, "We voice grave concern about the cooperation between the DPRK and Russia."])
    assert [f[0] for f in statement_wide(flags)] == [
        "Strongest language on DPRK–Russia military cooperation up 2 rungs (concern), across the statement: "
        "'concern' → 'grave concern'"]


def test_statement_wide_ladders_topics_already_flagged_and_topics_without_a_shift():
    """An edited first passage raises a per-link shift on the Middle East
    (that topic is then left out across the statement); the DPRK missile
    passage keeps its rung; human rights and Taiwan shift across the
    statement. On Taiwan, "support" → "unwavering support" is on a ladder
    not compared across statements: the opposition ladder's two rungs
    ("oppose" → "reject") are the flag, not the disapproval ladder's one."""
    old = doc("We express concern about the situation in Gaza.",
              "We voice concern about the ballistic missile launches.",
              "We voice concern about the human rights situation in the northern provinces.",
              "We support peace across the Taiwan Strait.",
              "We oppose any unilateral change to the status quo in the Taiwan Strait.")
    new = doc("We express grave concern about the situation in Gaza.",
              "We voice concern about the ballistic missile launches.",
              "We voice grave concern about the human rights situation in the northern provinces.",
              "We express unwavering support for peace across the Taiwan Strait.",
              "We reject any unilateral change to the status quo in the Taiwan Strait.")
    links = [link(old, [0], new, [0]), link(old, [1], new, [1], "unchanged")]
    links += [Link(old=(i,), new=(), type="dropped", confidence=0.0) for i in (2, 3, 4)]
    links += [Link(old=(), new=(i,), type="added", confidence=0.0) for i in (2, 3, 4)]
    flags = _flags(old, new, links)
    assert explanations(flags) == [
        "Strongest language on Human rights, abductees and detainees up 2 rungs (concern), across the statement: "
        "'concern' → 'grave concern'",
        "Strongest language on Taiwan and cross-Strait relations up 2 rungs (opposition), across the statement: "
        "'oppose' → 'reject'",
        "Intensity up 2 rungs on The Middle East (concern): 'concern' → 'grave concern'"]


def test_against_an_excerpt_a_rise_across_the_statement_is_not_claimed():
    # The old statement is only an excerpt: its strongest rung is a lower
    # bound, so "up" is unprovable; "down" against a complete new one stands.
    old_paras = [MEETING, "We voice concern about the human rights situation in the northern provinces."]
    new_paras = [MEETING, "We voice serious concern about the human rights situation in the northern provinces."]
    for partial_old, (o, n), expected in [
            (True, (old_paras, new_paras), []),
            (False, (new_paras, old_paras), ["down 1 rung"]),
            (True, (new_paras, old_paras), ["down 1 rung"])]:
        old = _partial_doc(*o) if partial_old else doc(*o)
        new = doc(*n)
        links = [link(old, [0], new, [0], "unchanged"), Link(old=(1,), new=(), type="dropped", confidence=0.0),
                 Link(old=(), new=(1,), type="added", confidence=0.0)]
        got = [f[0] for f in statement_wide(_flags(old, new, links))]
        assert [g.split(" (concern)")[0].split("detainees ")[1] for g in got] == expected


def _human_rights_rung(new_sentence: str) -> list[str]:
    """Statement-wide flags when the old statement voices concern about human
    rights and the new one says ``new_sentence``."""
    return [f[0] for f in statement_wide(_unlinked(
        [MEETING, "We voice concern about human rights."], [MEETING, new_sentence]))]


UP_TWO = ("Strongest language on Human rights, abductees and detainees up 2 rungs (concern), across the statement: "
          "'concern' → 'grave concern'")


def test_a_rung_counts_for_a_topic_up_to_ten_words_before_its_terms():
    # Counted from the rung's last word: "human" is the tenth word after "concern"…
    assert _human_rights_rung(
        "We voice grave concern over the slow and quiet and bitter decline in human rights.") == [UP_TWO]
    # …and the eleventh.
    assert _human_rights_rung(
        "We voice grave concern over the slow and quiet and bitter long decline in human rights.") == []


def test_a_rung_counts_for_a_topic_up_to_eight_words_after_its_terms():
    # Counted from the term's last word: "rights" is eight words before "grave"…
    assert _human_rights_rung("Human rights in the provinces are a matter of grave concern.") == [UP_TWO]
    # …and nine.
    assert _human_rights_rung("Human rights in the northern provinces are a matter of grave concern.") == []


def test_what_a_cue_bears_on_is_read_before_it_too():
    # Less than half the words shared and nothing shared after the cues, but
    # "harbour blockade" before both: one matter, a shift.
    assert shifts(flags_for("The harbour blockade is of concern to villagers in the west.",
                            "The harbour blockade is of grave concern to the whole fleet and its crews.")) == [(
        "Intensity up 2 rungs (concern): 'concern' → 'grave concern'",
        "is of concern to villagers in the west.", "is of grave concern to the whole fleet and its crews.")]


def test_a_new_sentence_on_another_matter_does_not_stop_the_next_one():
    # The first new sentence pairs with "support fishing in the bay" (three
    # of seven words shared) but bears on ferries: another matter. The
    # second is a shift.
    assert shifts(flags_for(
        "Arden and Belmont support fishing in the bay. We support the ferry link to the islands.",
        "Arden and Belmont strongly support ferries. We strongly support the ferry link to the islands.")) == [(
            "Intensity up 1 rung (support): 'support' → 'strongly support'",
            "We support the ferry link to the islands.", "We strongly support the ferry link to the islands.")]


def test_a_demand_on_another_party_does_not_stop_the_next_one():
    assert explanations(flags_for(
        "We urge the pilots to abide by the resolutions. We call on the fleet to respect the quotas.",
        "We call on all UN Member States to abide by the resolutions. We urge the fleet to respect the quotas.")) == [
        "Intensity up 1 rung (calls and demands): 'call on' → 'urge'"]


def test_of_two_cues_on_one_rung_in_a_sentence_the_first_is_quoted():
    assert explanations(flags_for(
        "We are concerned about the ports and express concern about the fees.",
        "We are gravely concerned about the ports and express concern about the fees.")) == [
        "Intensity up 2 rungs (concern): 'concerned' → 'gravely concerned'"]


def test_a_shift_takes_the_topics_of_its_own_sentence_not_of_its_paragraph():
    flags = flags_for("We express concern over the closure of the ports. The DPRK fired a missile.",
                      "We express grave concern over the closure of the ports. The DPRK fired a missile.")
    (f,) = [f for f in flags if f.rule == "intensity_shift"]
    assert (f.topics, f.explanation) == ((), "Intensity up 2 rungs (concern): 'concern' → 'grave concern'")


def test_statement_wide_quotes_of_one_paragraph_follow_its_sentences_and_score_as_whole_statements():
    flags = _unlinked([MEETING, "We voice concern about human rights."],
                      [MEETING, "We voice grave concern about human rights defenders. We voice grave concern about "
                                "the human rights of detainees."])
    (f,) = [f for f in flags if f.rule == "intensity_shift"]
    assert f.evidence["new_found"] == ["grave concern (¶2, sentence 1)", "grave concern (¶2, sentence 2)"]
    # changed_share 1 (a statement-level fact): 1.2 × 1.5 × 1.0 × 1.
    assert (f.score, f.evidence["score"]["changed_share"]) == (1.8, 1.0)
