"""The shared sentence view of the flag rules (driftlab/flags/sentences.py),
seen through the flags it feeds: which sentence a rule compares with which
(the aligner's sentence lineage, else shared wording), "added" / "dropped"
when a sentence has no counterpart, and quotes that start and stop at whole
phrases. Hand-made statement pairs, the small deterministic setup of
tests/test_flags.py.
"""

from __future__ import annotations

import pytest

from driftlab.flags import compute_flags
from driftlab.topics import tag_documents
from driftlab.types import Link

from .test_flags import CONFIG, doc, flags_for, link


def flags_of(old, new, links):
    return compute_flags(old, new, links, tag_documents(old, new, CONFIG), CONFIG)


def lineage_link(old, oi, new, ni, pairs, type_="edited") -> Link:
    """A link as the lineage aligner gives it: ``pairs`` of (old sentences, new
    sentences), each sentence ``(paragraph, sentence)``."""
    base = link(old, oi, new, ni, type_)
    sentence_links = tuple({"old": [list(o) for o in olds], "new": [list(n) for n in news], "type": "edited",
                            "score": 0.8} for olds, news in pairs)
    return Link(old=base.old, new=base.new, type=type_, confidence=0.9, opcodes=base.opcodes,
                sentence_links=sentence_links)


def modality(flags) -> list[tuple[str, str, str, float]]:
    """(explanation, old quote, new quote, sentence similarity) of each modality flag."""
    return [(f.explanation, f.old_text, f.new_text, f.evidence["sentence_similarity"])
            for f in flags if f.rule == "modality"]


# ------------------------------------------------------------------ which sentence pairs with which

SAME = "We will meet again next year to review our cooperation."
EXCHANGES = "We discussed cultural exchanges among universities."
MAY = "The partners may expand the exercise programme next spring."
WILL = "The partners will enlarge naval drills soon."


def test_a_sentence_merged_from_two_pairs_with_the_one_sharing_its_words():
    # The aligner says the new sentence came from both old ones. Each shares
    # under half its words, so both are lifted to the lineage floor (0.5);
    # the one sharing "partners" is the counterpart, whatever the order the
    # lineage lists them in: one shift, "may" → "will", not two half flags.
    old, new = doc(f"{EXCHANGES} {MAY}"), doc(WILL)
    for olds in ([(0, 0), (0, 1)], [(0, 1), (0, 0)]):
        flags = flags_of(old, new, [lineage_link(old, [0], new, [0], [(olds, [(0, 0)])])])
        assert modality(flags) == [("Modality firmer: 'may' → 'will'", MAY[:-1], WILL[:-1], 0.5)]


def test_the_lineage_decides_the_counterpart_over_shared_wording():
    # By wording, "will enlarge naval drills" shares one word in eleven with
    # the old sentence: no counterpart, the cue came with its sentence.
    old, new = doc(f"{EXCHANGES} {MAY}"), doc(f"{WILL} {EXCHANGES}")
    assert modality(flags_of(old, new, [link(old, [0], new, [0])])) == [
        ("Modality cue added with its sentence: 'will'", "", WILL[:-1], 0.091)]
    # The aligner says it is the "may" sentence rewritten: its counterpart,
    # quoted, at the lineage floor of 0.5.
    lineage = [([(0, 1)], [(0, 0)]), ([(0, 0)], [(0, 1)])]
    assert modality(flags_of(old, new, [lineage_link(old, [0], new, [0], lineage)])) == [
        ("Modality firmer: 'may' → 'will'", MAY[:-1], WILL[:-1], 0.5)]


EXPAND = "The partners will expand the exercise programme next spring."


def test_a_counterpart_sharing_most_words_is_quoted_by_its_own_novel_words():
    # Six content words of seven shared: similarity 6/7, by wording and by
    # lineage alike (the floor only lifts). The old side quotes what only it
    # says ("The partners may"), the new side the words around its cue.
    old, new = doc(f"{EXCHANGES} {MAY}"), doc(f"{EXCHANGES} {EXPAND}")
    expected = [("Modality firmer: 'may' → 'will'", "The partners may",
                 "The partners will expand the exercise programme next", 0.857)]
    assert modality(flags_of(old, new, [link(old, [0], new, [0])])) == expected
    lineage = [([(0, 0)], [(0, 0)]), ([(0, 1)], [(0, 1)])]
    assert modality(flags_of(old, new, [lineage_link(old, [0], new, [0], lineage)])) == expected


def test_a_sentence_the_lineage_leaves_unpaired_is_dropped_and_its_rewording_added():
    # The paragraph has lineage and it pairs only the exchanges sentences:
    # the "may" sentence went and the "will" sentence came, though they
    # share six words. Neither quotes the other; each flag still points at
    # the link's paragraph on the side with no counterpart (¶2, not ¶1).
    old, new = doc(SAME, f"{EXCHANGES} {MAY}"), doc(SAME, f"{EXCHANGES} {EXPAND}")
    links = [link(old, [0], new, [0], "unchanged"), lineage_link(old, [1], new, [1], [([(1, 0)], [(1, 0)])])]
    flags = flags_of(old, new, links)
    assert modality(flags) == [
        ("Modality cue dropped with its sentence: 'may'", "The partners may", "", 0.0),
        ("Modality cue added with its sentence: 'will'", "", "The partners will expand the exercise programme next", 0.0),
    ]
    assert [(f.old, f.new) for f in flags if f.rule == "modality"] == [((1,), (1,)), ((1,), (1,))]


def test_the_lineage_counterpart_wins_over_a_sentence_sharing_most_words():
    # The aligner pairs each "partners" sentence with the exchanges sentence
    # of the other side (a reordering it saw): the cue sentences are not
    # compared with each other, though they share six words in seven.
    old, new = doc(f"{EXCHANGES} {MAY}"), doc(f"{EXPAND} {EXCHANGES}")
    lineage = [([(0, 0)], [(0, 0)]), ([(0, 1)], [(0, 1)])]
    flags = flags_of(old, new, [lineage_link(old, [0], new, [0], lineage)])
    assert [(m[0], m[3]) for m in modality(flags)] == [("Modality firmer: 'may' → '—'", 0.5),
                                                       ("Modality firmer: '—' → 'will'", 0.5)]


def test_a_merged_passage_pairs_with_the_sentence_of_the_right_paragraph():
    # Two old paragraphs merged into one: the "will" sentence pairs with
    # sentence 1 of old ¶2 ("may"), not with sentence 1 of old ¶1.
    old, new = doc(EXCHANGES, MAY), doc(EXPAND)
    flags = flags_of(old, new, [link(old, [0, 1], new, [0], "merged")])
    assert [(f.old, f.new, f.explanation, f.evidence["sentence_similarity"]) for f in flags
            if f.rule == "modality"] == [((1,), (0,), "Modality firmer: 'may' → 'will'", 0.857)]


def test_a_lineage_counterpart_outside_the_link_is_no_counterpart():
    # The lineage names old paragraph 1 as the source of new sentence 0.0,
    # but the link holds old paragraph 0 only: within the link, the "will"
    # sentence has no counterpart.
    old, new = doc(MAY, EXCHANGES), doc(EXPAND, EXCHANGES)
    links = [lineage_link(old, [0], new, [0], [([(1, 0)], [(0, 0)])]),
             lineage_link(old, [1], new, [1], [([(1, 0)], [(1, 0)])], "unchanged")]
    assert [m[0] for m in modality(flags_of(old, new, links))] == [
        "Modality cue dropped with its sentence: 'may'", "Modality cue added with its sentence: 'will'"]


def test_a_link_without_lineage_pairs_by_wording_among_links_with_it():
    old, new = doc(MAY, EXCHANGES), doc(EXPAND, "We discussed cultural exchanges among our universities.")
    links = [link(old, [0], new, [0]), lineage_link(old, [1], new, [1], [([(1, 0)], [(1, 0)])])]
    assert modality(flags_of(old, new, links)) == [
        ("Modality firmer: 'may' → 'will'", "The partners may", "The partners will expand the exercise programme next",
         0.857)]


# ------------------------------------------------------------------ quotes that start and stop at whole phrases

def intensity_quotes(old_text: str, new_text: str) -> tuple[str, str]:
    f = next(f for f in flags_for(old_text, new_text) if f.rule == "intensity_shift")
    return f.old_text, f.new_text


def test_an_intensity_quote_starts_at_the_name_and_runs_past_a_dangling_and():
    # Two words before the cue ("Brown expressed") would cut the name: the
    # quote reaches back to "Deputy", not into the sentence before. Eight
    # words after it end on "and": the quote runs on into the name it joins.
    said = ("The ministers met in Seoul. Deputy Secretary General Alice Brown expressed {}concern over growing "
            "military cooperation between the DPRK and Russian Federation forces.")
    quote = ("Deputy Secretary General Alice Brown expressed {}concern over growing military cooperation between "
             "the DPRK and Russian Federation")
    assert intensity_quotes(said.format(""), said.format("grave ")) == (quote.format(""), quote.format("grave "))


@pytest.mark.parametrize("said", [
    "We welcome that Deputy Secretary General Alice Brown expressed {}concern over the launches.",
    # A capitalised word ending on a comma is no part of the name.
    "Ministers, Deputy Secretary General Alice Brown expressed {}concern over the launches.",
])
def test_an_intensity_quote_reaches_back_to_the_start_of_a_name_inside_its_sentence(said):
    quote = "Deputy Secretary General Alice Brown expressed {}concern over the launches."
    assert intensity_quotes(said.format(""), said.format("grave ")) == (quote.format(""), quote.format("grave "))


def test_an_intensity_quote_ending_on_a_comma_does_not_run_on_into_the_next_name():
    said = "They expressed {}concern over the launches of missiles by the DPRK, Iran and Syria."
    quote = "They expressed {}concern over the launches of missiles by the DPRK"
    assert intensity_quotes(said.format(""), said.format("grave ")) == (quote.format(""), quote.format("grave "))


def test_an_intensity_quote_stops_at_a_lower_case_word_before_a_name():
    assert intensity_quotes("We welcome that Brown expressed concern over the launches.",
                            "We welcome that Brown expressed grave concern over the launches.") == (
        "Brown expressed concern over the launches.", "Brown expressed grave concern over the launches.")


def test_an_intensity_quote_stays_inside_its_sentence():
    # The cue opens the sentence: nothing of "met in Seoul." before it, and
    # the eight words after it stop at the sentence's end, not in "Talks".
    said = "The ministers met in Seoul. {}oncern was expressed over the launches. Talks will continue."
    assert intensity_quotes(said.format("C"), said.format("Grave c")) == (
        "Concern was expressed over the launches.", "Grave concern was expressed over the launches.")


def test_a_comma_right_after_the_cue_is_one_of_the_eight_steps_of_the_quote():
    # The window takes eight steps after the cue; the comma right after it
    # is the first (so the quote ends on "ballistic", a plain word), and the
    # comma before "and urged" is never reached.
    said = ("They expressed {}concern, in particular over the launches of ballistic missiles by the DPRK in "
            "the region, and urged restraint.")
    assert intensity_quotes(said.format(""), said.format("grave ")) == (
        "They expressed concern, in particular over the launches of ballistic",
        "They expressed grave concern, in particular over the launches of ballistic")


def test_a_spacing_change_inside_a_compound_is_no_change():
    # "Indo Pacific" and "Indo-Pacific" fold to the same letters: no new
    # wording, no change.
    assert flags_for("We support a free and open Indo Pacific region.",
                     "We support a free and open Indo-Pacific region.") == ()


# ------------------------------------------------------------------ the counterpart's quote

def actor_quotes(old_text: str, new_text: str) -> list[tuple[str, str, str]]:
    return [(f.explanation.split(" on ")[0].split(":")[0], f.old_text, f.new_text)
            for f in flags_for(old_text, new_text) if f.rule == "actor_change"]


def test_an_actor_no_longer_named_quotes_what_its_counterpart_says_instead():
    # The new sentence's own novel runs, joined by " … ".
    assert actor_quotes(
        "We oppose the dangerous behavior of China in the waters of the region and urge restraint.",
        "We firmly oppose the dangerous behavior in the waters of the region and urge restraint by all coastal "
        "states.") == [("China no longer named anywhere in the statement", "of China",
                        "We firmly … by all coastal states")]
    assert actor_quotes("We oppose the dangerous behavior of China in the waters of the region.",
                        "We oppose dangerous and unlawful behavior in the waters of the region.") == [
        ("China no longer named anywhere in the statement", "behavior of China", "and unlawful behavior")]


def test_a_counterpart_sharing_a_fifth_of_its_words_is_quoted_and_one_sharing_less_is_not():
    # {partners, oppose, china} against {partners, welcome, fishing}: 1 of 5.
    # With "boats" it is 1 of 6: no counterpart, nothing quoted. Both ways.
    dropped = "China no longer named anywhere in the statement"
    assert actor_quotes("Partners oppose China.", "Partners welcome fishing.") == [
        (dropped, "Partners oppose China", "Partners welcome fishing")]
    assert actor_quotes("Partners oppose China.", "Partners welcome fishing boats.") == [
        (dropped, "Partners oppose China", "")]
    added = "China named for the first time in the statement"
    assert actor_quotes("Partners welcome fishing.", "Partners oppose China.") == [
        (added, "Partners welcome fishing", "Partners oppose China")]
    assert actor_quotes("Partners welcome fishing boats.", "Partners oppose China.") == [
        (added, "", "Partners oppose China")]


def test_a_hit_in_a_very_long_novel_run_is_quoted_by_the_words_around_it():
    # The whole run (over 240 characters) would be a wall of text: five words
    # either side of the name instead.
    items = "sustained maritime cooperation, coastal resilience programmes, harbour dredging projects, " \
            "lighthouse maintenance schedules"
    new = f"We welcome fishing patrols by China along with {items} {items} {items}."
    assert actor_quotes("We welcome fishing patrols.", new) == [
        ("China named for the first time in the statement", "",
         "We welcome fishing patrols by China along with sustained maritime cooperation")]


# ------------------------------------------------------------------ topics of a pair, formulas

def test_a_cue_takes_the_topics_of_its_two_sentences_not_of_their_paragraphs():
    taiwan = "We support peace across the Taiwan Strait."
    # Sentence 1 of ¶2 names no topic and has none before it: the Taiwan
    # sentences after it (and in ¶1) lend it nothing.
    old = doc(taiwan, f"{MAY} {taiwan}")
    new = doc(taiwan, f"{EXPAND} {taiwan}")
    links = [link(old, [0], new, [0], "unchanged"), link(old, [1], new, [1])]
    assert [f.topics for f in flags_of(old, new, links) if f.rule == "modality"] == [()]
    # The new sentence names the Strait: the pair is about Taiwan.
    new = doc(taiwan, "The partners will expand the exercise programme in the Taiwan Strait next spring. " + taiwan)
    links = [link(old, [0], new, [0], "unchanged"), link(old, [1], new, [1])]
    assert [f.topics for f in flags_of(old, new, links) if f.rule == "modality"] == [("taiwan",)]


def test_only_an_opening_or_closing_sentence_naming_two_own_parties_is_a_formula():
    from driftlab.ingest import parse_text
    from driftlab.segment import segment

    header = '---\ntitle: "Joint Statement"\nparties: "Japan; Republic of Korea"\n---\n'

    def statement(text: str, path: str):
        return segment(parse_text(header + text, path=path))

    old = statement("We, the leaders of Japan and the Republic of Korea, met in Tokyo.\n\nWe support fishing quotas."
                    "\n\nWe will meet again.", "old.txt")
    new = statement("We, the leaders of Japan and the Republic of Korea, convened in Tokyo to celebrate remarkable "
                    "progress.\n\nJapan and the Republic of Korea support fishing quotas and deep sea mining "
                    "licences.\n\nWe will meet again.", "new.txt")
    links = [link(old, [i], new, [i]) for i in range(3)]
    wording = {f.new: f for f in flags_of(old, new, links) if f.rule == "new_wording"}
    # The opening names exactly two of the statement's parties (as actors): a formula.
    assert "formula" in wording[(0,)].evidence and wording[(0,)].evidence["score"]["size"] == 0.5
    # The same two names in a middle paragraph are policy.
    assert "formula" not in wording[(1,)].evidence and wording[(1,)].evidence["score"]["size"] == 0.9


def test_a_sentence_takes_meaning_topics_when_it_names_no_term_and_carries_them_forward():
    from driftlab.types import TopicTag

    def tag(topic, sentence, method="meaning"):
        return TopicTag(topic=topic, side="new", paragraph=0, sentence=sentence, method=method, score=0.6,
                        evidence=())

    # The cue sits in sentence 3 of the paragraph; the tags are given by hand
    # (the meaning tags need the real model).
    pre = "We met in the capital. The talks were long."
    old = doc(f"{pre} {MAY}")
    new = doc(f"{pre} {EXPAND}")

    def topics(*tags):
        flags = compute_flags(old, new, [link(old, [0], new, [0])], list(tags), CONFIG)
        return [f.topics for f in flags if f.rule == "modality"]

    assert topics(tag("taiwan", 2)) == [("taiwan",)]  # its own meaning tag
    assert topics(tag("taiwan", 2), tag("maritime", 2, "term")) == [("maritime",)]  # a term tag wins
    assert topics(tag("taiwan", None)) == [("taiwan",)]  # no sentence tagged: the paragraph's
    assert topics(tag("taiwan", None), tag("maritime", 1)) == [("maritime",)]  # the nearest sentence before
    assert topics(tag("taiwan", 0)) == [("taiwan",)]  # two sentences back
    assert topics(tag("taiwan", 0), tag("maritime", 0)) == [("maritime", "taiwan")]
    # A sentence touching three topics is general talk: nothing carried on.
    assert topics(tag("taiwan", 0), tag("maritime", 0), tag("ukraine", 0)) == [()]


# ------------------------------------------------------------------ what counts as changed

def test_a_cosmetic_change_before_a_real_one_hides_nothing_and_counts_for_nothing():
    # "Indo Pacific" → "Indo-Pacific" is the same letters: not part of the
    # changed share, and the cue changed after it is still read.
    flags = flags_for("We support a free and open Indo Pacific region and we may expand patrols.",
                      "We support a free and open Indo-Pacific region and we will expand patrols.")
    assert [(f.explanation, f.evidence["score"]["changed_share"]) for f in flags] == [
        ("Modality firmer: 'may' → 'will'", 0.057)]


def test_a_cue_moved_within_its_sentence_is_no_modality_change_but_one_of_two_dropped_is():
    assert flags_for("The partners will expand the fleet and widen the ports.",
                     "The partners expand the fleet and will widen the ports.") == ()
    flags = flags_for("The partners may expand the fleet and may widen the ports.",
                      "The partners may expand the fleet and widen the ports.")
    assert [f.explanation for f in flags] == ["Modality firmer: 'may' → '—'"]


def test_a_novel_run_takes_in_at_most_three_capitalised_words_after_it_and_keeps_a_percent_sign():
    # "Alpha Beta Gamma Delta Epsilon" was in the old statement: the run is
    # "endorse", and it reads on into the name by three words.
    flags = flags_for("Alpha Beta Gamma Delta Epsilon met. We thank them.",
                      "We endorse Alpha Beta Gamma Delta Epsilon today.")
    assert [(f.rule, f.new_text) for f in flags] == [("new_wording", "We endorse Alpha Beta Gamma")]
    flags = flags_for("Growth was solid.", "Growth was solid at 4.5%.")
    assert [(f.rule, f.new_text) for f in flags] == [("number_change", "at 4.5%"), ("new_wording", "at 4.5%")]


def test_lineage_given_by_a_later_link_still_counts():
    # The first link (in reading order) carries no lineage; the second does
    # and it says the "will" sentence came from the exchanges sentence.
    old, new = doc(SAME, f"{EXCHANGES} {MAY}"), doc(SAME, f"{EXPAND} {EXCHANGES}")
    links = [link(old, [0], new, [0], "unchanged"),
             lineage_link(old, [1], new, [1], [([(1, 0)], [(1, 0)]), ([(1, 1)], [(1, 1)])])]
    assert [(m[0], m[3]) for m in modality(flags_of(old, new, links))] == [
        ("Modality firmer: 'may' → '—'", 0.5), ("Modality firmer: '—' → 'will'", 0.5)]


def test_an_explanation_quotes_up_to_ninety_characters_then_cuts_with_an_ellipsis():
    said = "We met. Delegates {} big harbour lighthouses, orchard cooperatives, glacier monitoring and fer."
    (f,) = flags_for("We met.", said.format("lauded"))  # a 90-character run: whole
    assert f.explanation == ("New wording, not in the old statement: 'Delegates lauded big harbour lighthouses, orchard "
                             "cooperatives, glacier monitoring and fer'")
    (f,) = flags_for("We met.", said.format("praised"))  # 91 characters: 89 and "…"
    assert f.explanation == ("New wording, not in the old statement: 'Delegates praised big harbour lighthouses, orchard "
                             "cooperatives, glacier monitoring and f…'")


# ------------------------------------------------------------------ found while measuring

@pytest.mark.parametrize("old, new, expected", [
    # The month of a date is no modal verb.
    ("The review ends on May 12, 2024.", "The review ends on June 30, 2024.",
     ["Numbers changed: 'May 12, 2024' → 'June 30, 2024'", "New wording, not in the old statement: 'on June 30, 2024'"]),
    ("The ministers met in March 2024 in Tokyo.", "The ministers met in May 2024 in Tokyo.",
     ["Numbers changed: 'March 2024' → 'May 2024'", "New wording, not in the old statement: 'in May'"]),
    # The modal still is.
    ("The review may end soon.", "The review will end soon.", ["Modality firmer: 'may' → 'will'"]),
])
def test_the_month_may_is_no_modality_cue(old, new, expected):
    assert [f.explanation for f in flags_for(old, new)] == expected


def test_each_paragraph_of_a_group_link_pairs_its_own_sentences():
    # Two paragraphs edited as one group: each cue pairs with the sentence of
    # its own paragraph (both are sentence 1 of theirs).
    old = doc(MAY, "The ministers should review fisheries quotas annually.")
    new = doc(EXPAND, "The ministers must review fisheries quotas annually.")
    flags = flags_of(old, new, [link(old, [0, 1], new, [0, 1])])
    assert [(f.old, f.new, f.explanation, f.evidence["sentence_similarity"]) for f in flags
            if f.rule == "modality"] == [((1,), (1,), "Modality firmer: 'should' → 'must'", 0.833),
                                         ((0,), (0,), "Modality firmer: 'may' → 'will'", 0.857)]


def test_the_changed_share_adds_up_every_changed_span():
    # "free" → "trusted" and "security" → "resilience": both replacements
    # count (each by its longer side), not only the last one.
    (f,) = flags_for("We support the free flow of data and the security of cables.",
                     "We support the trusted flow of data and the resilience of cables.")
    assert f.evidence["score"]["changed_share"] == 0.279


def test_a_counterpart_is_quoted_from_its_own_sentence_not_its_paragraph():
    # The new paragraph's second sentence is new wording too, but it is not
    # the counterpart of the sentence that named China.
    assert actor_quotes(
        "We oppose the dangerous behavior of China in the waters of the region. We met.",
        "We oppose dangerous and unlawful behavior in the waters of the region. We also discussed fisheries "
        "quotas.") == [("China no longer named anywhere in the statement", "behavior of China", "and unlawful behavior")]


@pytest.mark.parametrize("text, pos, initial", [
    ("Together we stand", 0, True),
    ("We met. Together we stand", 8, True),
    ("We met.\u00a0 \nTogether", 10, True),       # any whitespace between
    ("They said: Together", 11, True),
    ("a pause — Together", 10, True),
    ("(Together", 1, True),
    ("“Together", 1, True),
    ("we stand Together", 9, False),
    ("we stand, Together", 10, False),
    ("   ", 3, True),                             # nothing but whitespace before
])
def test_sentence_initial_reads_back_over_whitespace(text, pos, initial):
    from driftlab.flags.sentences import _sentence_initial

    assert _sentence_initial(text, pos) is initial
