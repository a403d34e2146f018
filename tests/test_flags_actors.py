"""``actor_change`` flags as an analyst reads them (mutation testing, issue 12).

Small invented statement pairs; each test pins what the flag says — its
explanation, the quoted words, which actors or names it lists, its size and
evidence — or that nothing is flagged, so a changed rule in
``driftlab/flags/actors.py`` shows.
"""

from __future__ import annotations

import pytest

from driftlab.flags import compute_flags
from driftlab.topics import tag_documents
from driftlab.types import Link

from .test_flags import CONFIG, doc, flags_for, link


def _flags(old, new, links):
    return compute_flags(old, new, links, tag_documents(old, new, CONFIG), CONFIG)


def _actor_flags(flags) -> list:
    return [f for f in flags if f.rule == "actor_change"]


def _view(f) -> tuple:
    """What the reader sees of an actor flag: explanation, quotes, passages,
    size, changed share and evidence (without the score breakdown)."""
    return (f.explanation, f.old_text, f.new_text, f.old, f.new, f.evidence["score"]["size"],
            f.evidence["score"]["changed_share"],
            {k: v for k, v in f.evidence.items() if k not in ("score", "also", "repeat_of", "also_at")})


def _edited_second(old: list[str], new: list[str]):
    """First paragraphs unchanged, second ones an edited link."""
    o, n = doc(*old), doc(*new)
    return _flags(o, n, [link(o, [0], n, [0], "unchanged"), link(o, [1], n, [1])])


def _unlinked(old_paras: list[str], new_paras: list[str]):
    """First paragraphs unchanged; the others dropped / added."""
    old, new = doc(*old_paras), doc(*new_paras)
    links = [link(old, [0], new, [0], "unchanged")]
    links += [Link(old=(i,), new=(), type="dropped", confidence=0.0, opcodes=()) for i in range(1, len(old_paras))]
    links += [Link(old=(), new=(i,), type="added", confidence=0.0, opcodes=()) for i in range(1, len(new_paras))]
    return _flags(old, new, links)


# ------------------------------------------------------------------ new conduct of a watched actor

def _conduct(sentence: str, actor: str = "China") -> list[tuple[str, int]]:
    """(quote, novel words) of the new-conduct flags when ``sentence`` is
    added to an edited passage; ``actor`` is named in both statements."""
    flags = _edited_second([f"We discussed {actor} at length.", "We oppose unilateral changes."],
                           [f"We discussed {actor} at length.", "We oppose unilateral changes. " + sentence])
    return [(f.new_text, f.evidence["novel_words"]) for f in _actor_flags(flags)
            if f.evidence.get("change") == "new conduct"]


@pytest.mark.parametrize("sentence, quote, novel", [
    # A possessive heading a behaviour noun: listed ("procurement"), or by
    # its ending (-ing, -ion … in a word of six letters or more).
    ("China's procurement of attack drones threatens fishing villages everywhere.",
     "China's procurement of attack drones threatens fishing villages everywhere", 7),
    ("China’s procurement of attack drones threatens fishing villages everywhere.",
     "China’s procurement of attack drones threatens fishing villages everywhere", 7),
    ("China's arming worries fishing villages everywhere.", "China's arming worries fishing villages everywhere", 5),
    # Up to three lower-case words before the head noun.
    ("China's large rapid naval expansion worries fishing villages everywhere.",
     "China's large rapid naval expansion worries fishing villages everywhere", 8),
    # A subject: a listed verb, or a lower-case word of four letters or more ending in -ed or -s.
    ("China has deployed new attack drones near the border of its neighbours.",
     "China has deployed new attack drones near the border of its neighbours", 7),
    ("China deployed new attack drones near the border of its neighbours.",
     "China deployed new attack drones near the border of its neighbours", 7),
    ("China sits near new attack drones by the border of its neighbours.",
     "China sits near new attack drones by the border of its neighbours", 7),
    ("China uses new attack drones near the border of its neighbours.",
     "China uses new attack drones near the border of its neighbours", 7),
])
def test_new_conduct_is_a_possessive_behaviour_or_a_subject_verb(sentence, quote, novel):
    assert _conduct(sentence) == [(quote, novel)]


@pytest.mark.parametrize("sentence", [
    # The head noun is four words on: too far to be the possessive's.
    "China's very large rapid naval expansion worries fishing villages everywhere.",
    # A status, a place or a possession is no conduct.
    "China's territorial expansion worries fishing villages everywhere.",
    # A figure, a capitalised word or punctuation ends the search.
    "China's 2024 expansion worries fishing villages everywhere.",
    "China's Navy expansion worries fishing villages everywhere greatly.",
    "China's, expansion worries fishing villages everywhere.",
    # Five letters are too short for the -al ending to mark a behaviour.
    "China's trial, which worries fishing villages everywhere greatly, goes on.",
    # A preposition ends the phrase before a behaviour noun after it.
    *(f"China's ties {p} aggression worry fishing villages everywhere greatly."
      for p in ("of", "to", "in", "as", "with", "for", "on", "and", "by")),
    # Not read as a verb: three letters ("led" is missed, the price of
    # skipping short words), an -ss word, no ending, or nothing after the name.
    "China led new attack drones near the border of its neighbours.",
    "China ate new attack drones near the border of its neighbours.",
    "China grass new attack drones near the border of its neighbours.",
    "China, deployed new attack drones near the border of its neighbours.",
    "China abroad deployed new attack drones near the border of its neighbours.",
])
def test_a_mention_that_is_no_possessor_or_subject_of_conduct_raises_nothing(sentence):
    assert _conduct(sentence) == []


def test_possessive_at_the_very_end_of_a_paragraph_is_no_conduct():
    # Nothing follows the head word: no behaviour noun was found.
    assert _conduct("Fishing villages everywhere fear the naval might of China's navy") == []


def test_new_conduct_size_stops_at_a_fifth_more_and_counts_only_watched_actors_named_in_both():
    # Eleven novel words: 1 + 11/40 would be 1.275, capped at 1.2.
    flags = _edited_second(["We discussed China at length.", "We oppose unilateral changes."],
                           ["We discussed China at length.", "We oppose unilateral changes. China has deployed new "
                            "attack drones near the fishing villages along the southern coast of its neighbours."])
    (f,) = [f for f in _actor_flags(flags) if f.evidence.get("change") == "new conduct"]
    assert _view(f)[5:] == (1.2, 1.0, {"actor": "China", "actors": ["China"], "change": "new conduct",
                                       "novel_words": 11})
    # The conduct sentence also brings new wording: one entry for the sentence, the conduct first.
    assert "new_wording" in [a["rule"] for a in f.evidence.get("also", [])]
    # An actor no topic is about (Belarus), though named in both: no conduct flag.
    assert _conduct("Belarus has deployed new attack drones near the border of its neighbours.", "Belarus") == []
    # A watched actor new to the statement is "named for the first time", not "new conduct".
    flags = _edited_second(["We discussed trade at length.", "We oppose unilateral changes."],
                           ["We discussed trade at length.", "We oppose unilateral changes. Russia has deployed new "
                            "attack drones near the border of its neighbours."])
    assert [f.evidence["change"] for f in _actor_flags(flags)] == ["named"]


def test_new_conduct_quotes_the_first_of_two_equally_long_runs():
    flags = _edited_second(["We discussed China at length.", "We oppose unilateral changes."],
                           ["We discussed China at length.", "We oppose unilateral changes. China has deployed new "
                            "attack drones near fishing villages. China continues building artificial islands "
                            "near coral reefs."])
    (f,) = [f for f in _actor_flags(flags) if f.evidence.get("change") == "new conduct"]
    assert f.new_text == "China has deployed new attack drones near fishing villages"
    assert f.evidence["novel_words"] == 7


# ------------------------------------------------------------------ named / no longer named in a linked passage

T = "We discussed trade and ports at length in the capital."
BORDER = "We oppose unilateral changes to the border."
PARTIAL = "the {} statement is partial (only its opening): what is absent from it may be carried over from beyond the excerpt"


def _partial_doc(*paragraphs: str):
    from driftlab.ingest import parse_text
    from driftlab.segment import segment

    return segment(parse_text("---\npartial: true\n---\n" + "\n\n".join(paragraphs), path="excerpt.txt"))


def _linked(old, new, old_paras=(1,), new_paras=(1,)):
    links = [link(old, [0], new, [0], "unchanged"), link(old, list(old_paras), new, list(new_paras))]
    return _flags(old, new, links), links[1]


def test_an_actor_no_topic_is_about_named_for_the_first_time_is_a_passage_level_flag():
    # Belarus is new to the statement, but no topic watches it: size 1, weighed by the passage's change.
    (f,) = _actor_flags(_edited_second([T, BORDER], [T, "We oppose unilateral changes to the border by Belarus."]))
    assert _view(f) == ("Belarus named for the first time in the statement: 'by Belarus'", "", "by Belarus",
                        (1,), (1,), 1.0, 0.189, {"actor": "Belarus", "actors": ["Belarus"], "change": "named",
                                                 "words": ["Belarus"], "scope": "passage"})


def test_against_a_partial_statement_an_actor_is_named_where_it_was_not_and_says_why():
    flags, moved = _linked(_partial_doc(T, BORDER), doc(T, "We oppose unilateral changes to the border by Belarus."))
    (f,) = _actor_flags(flags)
    assert _view(f) == ("Belarus named where it was not: 'by Belarus'", "", "by Belarus", (1,), (1,), 1.0, 0.189,
                        {"actor": "Belarus", "actors": ["Belarus"], "change": "named", "words": ["Belarus"],
                         "scope": "passage", "partial": PARTIAL.format("old")})
    assert f.link_id == moved.id
    flags, _ = _linked(doc(T, "We oppose unilateral changes to the border by Belarus."), _partial_doc(T, BORDER))
    (f,) = _actor_flags(flags)
    assert _view(f) == ("Belarus no longer named in this passage: 'by Belarus'", "by Belarus", "", (1,), (1,), 1.0,
                        0.189, {"actor": "Belarus", "actors": ["Belarus"], "change": "no longer named",
                                "words": ["Belarus"], "scope": "passage", "partial": PARTIAL.format("new")})
    # Named elsewhere in the excerpt too: provable, no partial note.
    flags, _ = _linked(_partial_doc("We discussed Belarus at length.", BORDER),
                       doc("We discussed Belarus at length.", "We oppose unilateral changes to the border by Belarus."))
    (f,) = _actor_flags(flags)
    assert "partial" not in f.evidence and f.explanation.startswith("Belarus named where it was not")


def test_actors_of_different_sentences_or_paragraphs_make_separate_flags():
    # A passage split in two (old ¶1 → new ¶1, ¶2): each new paragraph's actor is its own flag.
    flags, _ = _linked(doc(T, "We oppose unilateral changes to the border and support the talks."),
                       doc(T, "We oppose unilateral changes to the border by Belarus.",
                           "We support the talks with Myanmar."), (1,), (1, 2))
    assert sorted((f.evidence["actors"], f.new, f.new_text) for f in _actor_flags(flags)) == [
        (["Belarus"], (1,), "by Belarus"), (["Myanmar"], (2,), "with Myanmar")]
    # Two passages merged into one: each dropped actor keeps its own old paragraph.
    flags, _ = _linked(doc(T, "We oppose unilateral changes to the border by Belarus.",
                           "We support the talks with Myanmar."),
                       doc(T, "We oppose unilateral changes to the border and support the talks."), (1, 2), (1,))
    assert sorted((f.explanation, f.old, f.old_text) for f in _actor_flags(flags)) == [
        ("Belarus no longer named anywhere in the statement: 'by Belarus'", (1,), "by Belarus"),
        ("Myanmar no longer named anywhere in the statement: 'with Myanmar'", (2,), "with Myanmar")]
    # Two actors far apart in one sentence: one flag, quoting the first.
    (f,) = _actor_flags(_edited_second(
        [T, "We oppose unilateral changes to the border and the long list of grievances raised at the summit."],
        [T, "We oppose unilateral changes to the border by Belarus and the long list of grievances raised at the "
            "summit by Myanmar."]))
    assert (f.explanation, f.evidence["actors"], f.evidence["words"]) == (
        "Belarus, Myanmar named for the first time in the statement: 'by Belarus'", ["Belarus", "Myanmar"],
        ["Belarus", "Myanmar"])


def test_an_actor_dropped_from_a_passage_shares_its_sentence_with_the_dropped_topic():
    # Iran leaves the statement with the Middle East topic: one entry for the sentence.
    (f,) = _actor_flags(_edited_second(
        [T, "We call on Iran to stop its support for armed proxies. We discussed trade."], [T, "We discussed trade."]))
    assert f.explanation == ("Iran no longer named anywhere in the statement on The Middle East: 'We call on Iran to "
                             "stop its support for armed proxies' — also: Topic dropped from the statement: The "
                             "Middle East (1 passage)")
    assert (f.old, f.new, f.evidence["scope"]) == ((1,), (1,), "statement")


def test_the_fullest_naming_of_an_actor_is_quoted():
    (f,) = _actor_flags(_edited_second(
        [T, "We oppose coercion in the waters of the region."],
        [T, "We oppose coercion by the People's Republic of China in the waters of the region, and China must stop."]))
    assert f.evidence["words"] == ["People's Republic of China"]
    assert "People's Republic of China" in f.new_text


# ------------------------------------------------------------------ named / no longer named anywhere in the statement

def test_an_added_passage_naming_actors_for_the_first_time_and_on_new_topics():
    # DPRK and Iran are new to the statement, Russia new on two topics: one flag for the sentence.
    flags = _unlinked([T, "We discussed Russia at length."],
                      [T, "We discussed Russia at length.",
                       "We condemn the ballistic missile launches of the DPRK with Russia and Iran."])
    (f,) = _actor_flags(flags)
    assert f.explanation.startswith(
        "DPRK, Iran, Russia named for the first time in the statement and on DPRK nuclear and missile programmes; "
        "The Middle East for the first time: 'We condemn the ballistic missile launches of the DPRK with Russia and "
        "Iran'")
    assert _view(f)[1:] == ("", "We condemn the ballistic missile launches of the DPRK with Russia and Iran", (),
                            (2,), 1.3, 1.0, {"actor": "DPRK", "actors": ["DPRK", "Iran", "Russia"], "change": "named",
                                             "scope": ["dprk_nuclear", "middle_east"],
                                             "words": ["DPRK", "Iran", "Russia"]})


def test_a_dropped_passage_no_longer_naming_actors_anywhere_or_on_a_topic():
    flags = _unlinked([T, "We discussed Russia at length.",
                       "We condemn the ballistic missile launches of the DPRK and Russia."],
                      [T, "We discussed Russia at length."])
    (f,) = _actor_flags(flags)
    assert f.explanation.startswith(
        "DPRK, Russia no longer named anywhere in the statement and on DPRK nuclear and missile programmes any "
        "more: 'We condemn the ballistic missile launches of the DPRK and Russia'")
    # A dropped actor weighs four fifths of an added one (1.3 × 0.8).
    assert _view(f)[1:] == ("We condemn the ballistic missile launches of the DPRK and Russia", "", (2,), (), 1.04,
                            1.0, {"actor": "DPRK", "actors": ["DPRK", "Russia"], "change": "no longer named",
                                  "scope": ["dprk_nuclear"], "words": ["DPRK", "Russia"]})
    # Actors no topic is about: size 1, and 0.8 when dropped.
    add = _unlinked([T], [T, "We welcome the talks with the Philippines and Myanmar on fisheries."])
    drop = _unlinked([T, "We welcome the talks with the Philippines and Myanmar on fisheries."], [T])
    assert [_view(f)[0] for f in _actor_flags(add)] == [
        "Myanmar, Philippines named for the first time in the statement: 'We welcome the talks with the Philippines "
        "and Myanmar on fisheries'"]
    assert [(_view(f)[0], _view(f)[5]) for f in _actor_flags(drop)] == [
        ("Myanmar, Philippines no longer named anywhere in the statement: 'We welcome the talks with the "
         "Philippines and Myanmar on fisheries'", 0.8)]
    # The flag ids tell the added from the dropped.
    assert _actor_flags(add)[0].id != _actor_flags(drop)[0].id


def test_an_actor_new_on_a_topic_is_flagged_once_per_topic():
    # Russia on the DPRK topic (sentence 1), on cyber (sentence 2), on the DPRK topic again (sentence 3): two flags.
    flags = _unlinked([T, "We discussed Russia at length."],
                      [T, "We discussed Russia at length.",
                       "We condemn the ballistic missile launches of the DPRK and Russia. We oppose the cyber attacks "
                       "by Russia. We condemn the nuclear tests by the DPRK and Russia."])
    assert sorted(f.explanation.split(":")[0] for f in _actor_flags(flags)) == [
        "DPRK, Russia named for the first time in the statement and on DPRK nuclear and missile programmes for the "
        "first time",
        "Russia named on Cyber for the first time"]
    # An actor no topic is about, in both statements, on a new topic: no news.
    assert _actor_flags(_unlinked([T, "We discussed the Philippines at length."],
                                  [T, "We discussed the Philippines at length.",
                                   "We oppose the cyber attacks on the Philippines."])) == []


def test_the_fullest_naming_is_quoted_for_an_actor_new_to_the_statement():
    (f,) = _actor_flags(_unlinked([T], [T, "We condemn the People's Republic of China for its support. China must "
                                           "stop."]))
    assert (f.new_text, f.evidence["words"]) == ("We condemn the People's Republic of China for its support",
                                                 ["People's Republic of China"])
    (f,) = _actor_flags(_unlinked([T], [T, "We discussed China and the People's Republic of Belarus at length."]))
    assert f.evidence["actors"] == ["Belarus", "China"] and "Republic of Belarus" in f.new_text


def test_an_actor_named_in_many_paragraphs_is_an_author_not_news_on_a_topic():
    # The old statement: four paragraphs, Russia in two (≥ 30 %): the statement is
    # about Russia, and naming it on the DPRK topic is no news. In one of four
    # (and two of eight new paragraphs), it is.
    cyber = "We oppose the cyber attacks on our networks."
    new = [T, "We discussed Russia at length.", cyber, "We support free trade.", "We will meet again next year.",
           "We thank our hosts.", "We welcome the new port rules.",
           "We condemn the ballistic missile launches of the DPRK and Russia."]
    many = [T, "We discussed Russia at length.", "Russia joined the talks on trade.", cyber]
    assert [f.evidence["actors"] for f in _actor_flags(_unlinked(many, new))] == [["DPRK"]]
    few = [T, "We discussed Russia at length.", "We joined the talks on trade.", cyber]
    assert [f.evidence["actors"] for f in _actor_flags(_unlinked(few, new))] == [["DPRK", "Russia"]]


def test_a_partial_old_statement_still_reports_actors_it_no_longer_names():
    # Only "named for the first time" is unprovable against an excerpt; what the excerpt named and the
    # complete new statement does not is still news.
    old, new = _partial_doc(T, "We condemn the war waged by Belarus."), doc(T, "We welcome Myanmar's talks.")
    links = [link(old, [0], new, [0], "unchanged"),
             Link(old=(1,), new=(), type="dropped", confidence=0.0, opcodes=()),
             Link(old=(), new=(1,), type="added", confidence=0.0, opcodes=())]
    assert [_view(f)[:6] for f in _actor_flags(_flags(old, new, links))] == [
        ("Belarus no longer named anywhere in the statement: 'We condemn the war waged by Belarus'",
         "We condemn the war waged by Belarus", "", (1,), (), 0.8)]


def test_the_statements_own_parties_are_never_flagged():
    def front(body: str):
        from driftlab.ingest import parse_text
        from driftlab.segment import segment

        return segment(parse_text("---\nparties: Japan, Philippines\n---\n" + body, path="own.txt"))

    old = front(T + "\n\nWe discussed trade.")
    new = front(T + "\n\nWe discussed trade.\n\nJapan and the Philippines condemn the war waged by Russia.")
    links = [link(old, [0], new, [0], "unchanged"), link(old, [1], new, [1], "unchanged"),
             Link(old=(), new=(2,), type="added", confidence=0.0, opcodes=())]
    assert [f.evidence["actors"] for f in _actor_flags(_flags(old, new, links))] == [["Russia"]]


# ------------------------------------------------------------------ new capitalised names

PORT = "We discussed the trade agenda and the port."


def _names(old: str, new: str) -> list[tuple[str, str, str]]:
    """(name, kind, quote) of the new-name flags for an edited one-paragraph pair."""
    return sorted((f.evidence["actor"], f.evidence["name_kind"], f.new_text) for f in _actor_flags(flags_for(old, new))
                  if f.evidence.get("change") == "new name")


@pytest.mark.parametrize("added, expected", [
    # A sentence-initial function word is the sentence's capital, not the name's.
    (" The Westford Compact entered into force.", [("Westford Compact", "proper name", "The Westford Compact "
                                                    "entered into force")]),
    (" The Westford delegation arrived.", [("Westford", "single word", "The Westford delegation arrived")]),
    (" The Westford Fund for Westford Fisheries opened.",
     [("Westford Fund for Westford Fisheries", "full name", "The Westford Fund for Westford Fisheries opened")]),
    # Inside a sentence it belongs to the name.
    (" It was signed in The Hague.", [("The Hague", "full name", "It was signed in The Hague")]),
    # Three letters are a name, two are too short to tell.
    (" We met the IEA.", [("IEA", "single word", "We met the IEA")]),
    (" We met the UK.", []),
    # What comes before a name does not hide it: an opening word, a reference, an actor, a month.
    (" Together we welcome the Westford Compact.", [("Westford Compact", "proper name",
                                                     "Together we welcome the Westford Compact")]),
    (" We act under Article 51 with the Westford Compact.", [("Westford Compact", "proper name",
                                                             "We act under Article 51 with the Westford Compact")]),
    (" We met in May with the Westford Compact.", [("Westford Compact", "proper name",
                                                   "We met in May with the Westford Compact")]),
    (" We met China. We welcome the Westford Compact.", [("Westford Compact", "proper name",
                                                          "We welcome the Westford Compact")]),
    (" We met the Trade Port. We welcome the Westford Compact.",
     [("Westford Compact", "proper name", "We welcome the Westford Compact")]),
    # The same name twice: one flag.
    (" We welcome the Westford Compact. The Westford Compact opened.",
     [("Westford Compact", "proper name", "We welcome the Westford Compact")]),
    # One word the statements use in lower case, capitalised: a common noun; in capitals, an acronym.
    (" We welcome the new Guidelines and will apply these guidelines.", []),
    (" We launched the AIM initiative to aim higher.", [("AIM", "single word",
                                                        "We launched the AIM initiative to aim higher")]),
    # A role (ending in "member") is no name; titles alone are.
    (" We met an Arden Board Member.", []),
    (" We met the Vice Chancellor.", [("Vice Chancellor", "proper name", "We met the Vice Chancellor")]),
])
def test_new_names_read_as_a_reader_would(added, expected):
    assert _names(PORT, PORT + added) == expected


def test_a_name_is_read_within_the_change_and_sixty_characters_before_it():
    # The change ends inside a carried name: only its new word is read.
    assert _names("We adopted the rules of the Joint Partnership.",
                  "We adopted the rules of the Westford Joint Partnership.") == [
        ("Westford", "single word", "of the Westford Joint Partnership")]
    # A name whose first words were carried over is read whole …
    assert _names("We adopted the Guidelines for the Joint Review today.",
                  "We adopted the Guidelines for the Joint Partnership Review today.") == [
        ("Guidelines for the Joint Partnership", "full name", "Guidelines for the Joint Partnership Review")]
    # … from at most sixty characters before the change, starting at a word.
    old = "We adopted the rules of the Arden Harbour Safety Standards of the Joint Sea Rescue Operations Centre today."
    name = "Harbour Safety Standards of the Joint Sea Rescue Operations Partnership"
    assert [n for n, _, _ in _names(old, old.replace("Centre", "Partnership"))] == [name]
    # A name opening a paragraph after a heading is read from the paragraph's start.
    o, n = doc("Fisheries", "Partners agreed to share data."), doc("Fisheries", "Westford Compact partners agreed "
                                                                                "to share data.")
    flags, moved = _linked(o, n)
    (f,) = _actor_flags(flags)
    assert _view(f) == ("New name, not in the old statement: 'Westford Compact'", "", "Westford Compact", (1,), (1,),
                        1.2, 0.356, {"actor": "Westford Compact", "change": "new name", "name_kind": "proper name"})
    assert f.link_id == moved.id


def test_a_new_name_after_a_deletion_in_the_same_passage_is_still_read():
    assert _names("We discussed the long and difficult trade agenda with partners.",
                  "We discussed the trade agenda with partners and the Westford Compact.") == [
        ("Westford Compact", "proper name", "and the Westford Compact")]


def test_the_leaders_and_titles_of_the_statements_are_no_new_names():
    def front(body: str):
        from driftlab.ingest import parse_text
        from driftlab.segment import segment

        return segment(parse_text("---\nparties: 'Japan, Philippines (leaders: Ishiba, Marcos, Blinken)'\n---\n" + body,
                                  path="own.txt"))

    old = front("We discussed trade.")
    for sentence in ("We thank Prime Minister Ishiba and President Marcos.", "We thank Secretary of State Blinken."):
        new = front(f"We discussed trade. {sentence}")
        flags = _flags(old, new, [link(old, [0], new, [0])])
        assert not [f.evidence for f in _actor_flags(flags)], sentence


def test_a_new_name_in_a_later_sentence_shares_its_entry_with_the_new_wording():
    (f,) = _actor_flags(_edited_second([T, "We discussed the port."],
                                       [T, "We discussed the port. We welcome the Westford Compact on fishing quotas."]))
    assert f.explanation.startswith("New name, not in the old statement: 'Westford Compact'")
    assert "new_wording" in [a["rule"] for a in f.evidence.get("also", [])]


def test_names_in_an_added_passage():
    flags = _unlinked([T], [T, "Northern Shelf", "We welcome the Trade Port. Aleksander Vorontsky spoke "
                                                 "on human rights abuses."])
    got = sorted((f.evidence["actor"], f.evidence["name_kind"], f.topics, f.new_text, f.evidence["score"]["size"],
                  f.evidence["score"]["changed_share"]) for f in _actor_flags(flags))
    # The heading is no name; a person takes the passage's topics even in a sentence of its own, a
    # name of ordinary words ("trade", "port") does not.
    assert got == [
        ("Aleksander Vorontsky", "proper name", ("human_rights",),
         "Aleksander Vorontsky spoke on human rights abuses", 1.2, 1.0),
        ("Trade Port", "full name", (), "We welcome the Trade Port", 1.0, 1.0)]


def test_actors_of_one_sentence_are_new_to_the_statement_only_if_all_are():
    # Belarus is named elsewhere, Myanmar is not: the pair is named "where it was not".
    (f,) = _actor_flags(_edited_second(["We discussed Belarus at length.", "We oppose changes to the border."],
                                       ["We discussed Belarus at length.",
                                        "We oppose changes to the border by Belarus and Myanmar."]))
    assert _view(f)[:3] == ("Belarus, Myanmar named where it was not: 'by Belarus and Myanmar'", "",
                            "by Belarus and Myanmar")
    # Against an excerpt naming Myanmar, Belarus's absence is unprovable: the note is kept for the pair.
    flags, _ = _linked(_partial_doc("We discussed Myanmar at length.", "We oppose changes to the border."),
                       doc("We discussed Myanmar at length.", "We oppose changes to the border by Belarus and Myanmar."))
    (f,) = _actor_flags(flags)
    assert (f.explanation, f.evidence.get("partial")) == (
        "Belarus, Myanmar named where it was not: 'by Belarus and Myanmar'", PARTIAL.format("old"))


def test_an_actor_flagged_in_its_passage_is_not_flagged_again_for_the_statement():
    # The new sentence is the third of its paragraph, its counterpart the second.
    (f,) = _actor_flags(_edited_second([T, "We discussed trade. We oppose changes to the border."],
                                       [T, "We discussed trade. We met partners. We oppose changes to the border by "
                                           "Belarus."]))
    assert f.explanation == "Belarus named for the first time in the statement: 'by Belarus'"


def test_a_new_name_and_the_new_wording_of_its_sentence_are_one_entry():
    (f,) = _actor_flags(_edited_second([T, "We discussed the port."],
                                       [T, "We welcome the Westford Compact on fishing quotas. We discussed the port."]))
    assert _view(f)[:5] == ("New name, not in the old statement: 'Westford Compact'", "",
                            "We welcome the Westford Compact on fishing quotas", (1,), (1,))
    assert "new_wording" in [a["rule"] for a in f.evidence.get("also", [])]


def test_names_in_an_added_passage_under_a_heading():
    # One added link: a heading and its paragraph. The heading is no name, nor is a capitalised word
    # the statement uses in lower case; a person takes the paragraph's topics, "Trade Port" does not.
    old = doc(T)
    new = doc(T, "Northern Shelf:", "We welcome the Trade Port and will apply these guidelines to the new Guidelines. "
                                    "We pay tribute to Aleksander Vorontsky. We call for an end to human rights abuses.")
    added = Link(old=(), new=(1, 2), type="added", confidence=0.0, opcodes=())
    flags = _flags(old, new, [link(old, [0], new, [0], "unchanged"), added])
    got = sorted((f.evidence["actor"], f.evidence["name_kind"], f.topics, f.new_text, f.new, f.link_id,
                  f.evidence["score"]["size"]) for f in _actor_flags(flags))
    assert got == [
        ("Aleksander Vorontsky", "proper name", ("human_rights",), "We pay tribute to Aleksander Vorontsky", (2,),
         added.id, 1.2),
        ("Trade Port", "full name", (), "We welcome the Trade Port and will apply these guidelines to the new "
                                        "Guidelines", (2,), added.id, 1.0)]


@pytest.mark.parametrize("known, sentence, expected", [
    # "China has" carried over from the old statement: the novel run holds the mention all the same.
    ("We discussed how China has changed.", "China has deployed new attack drones near the border of its neighbours.",
     [("China has deployed new attack drones near the border of its neighbours", 7)]),
    # A carried "China must": the run begins one short word after the mention, and is quoted from there.
    ("We discussed how China must change.", "China must withdraw new attack drones near the border of its neighbours.",
     [("withdraw new attack drones near the border of its neighbours", 7)]),
    # One carried word of any length between mention and run.
    ("We discussed how China continues to matter.", "China continues building artificial islands near coral reefs.",
     [("building artificial islands near coral reefs", 6)]),
    # Three carried words: the run is no longer about the mention.
    ("We discussed how China continues to matter greatly.",
     "China continues to matter greatly building artificial islands near coral reefs.", []),
])
def test_new_conduct_runs_begin_at_or_just_after_the_mention(known, sentence, expected):
    flags = _edited_second([known, "We oppose unilateral changes."], [known, "We oppose unilateral changes. " + sentence])
    assert [(f.new_text, f.evidence["novel_words"]) for f in _actor_flags(flags)
            if f.evidence.get("change") == "new conduct"] == expected


def test_four_novel_ordinary_words_are_enough_for_new_conduct():
    assert _conduct("China has deployed attack drones nearby.") == [("China has deployed attack drones nearby", 4)]
    assert _conduct("China has deployed attack drones.") == []


def test_an_actor_named_in_a_third_of_the_paragraphs_is_what_the_statement_is_about_not_new_conduct():
    conduct = "We oppose unilateral changes. China has deployed new attack drones near the border of its neighbours."

    def run(first_new: str):
        old = doc("We discussed China at length.", "We oppose unilateral changes.", "We met.", "We left.")
        new = doc(first_new, conduct, "We met.", "We left.")
        links = [link(old, [0], new, [0], "unchanged" if first_new == old.paragraphs[0].text else "edited"),
                 link(old, [1], new, [1]), link(old, [2], new, [2], "unchanged"), link(old, [3], new, [3], "unchanged")]
        return [f.evidence["actor"] for f in _actor_flags(_flags(old, new, links))
                if f.evidence.get("change") == "new conduct"]

    # China in two of four new paragraphs: everything said of it is "new"; no flag.
    assert run("We discussed China at length.") == []
    # In one of four: its new conduct is news.
    assert run("We discussed trade at length.") == ["China"]


def test_actor_flag_ids_are_pinned():
    # Review decisions are stored against flag ids: a changed key must come with a migration.
    passage = _actor_flags(_edited_second(["We discussed Belarus at length.", "We oppose changes to the border."],
                                          ["We discussed Belarus at length.",
                                           "We oppose changes to the border by Belarus and Myanmar."]))
    added = _actor_flags(_unlinked([T, "We discussed Russia at length."],
                                   [T, "We discussed Russia at length.",
                                    "We condemn the ballistic missile launches of the DPRK with Russia and Iran."]))
    dropped = _actor_flags(_unlinked([T, "We discussed Russia at length.",
                                      "We condemn the ballistic missile launches of the DPRK and Russia."],
                                     [T, "We discussed Russia at length."]))
    assert [f.id for f in passage + added + dropped] == ["b8827d2aa835", "bfc2be4ac38a", "db44b1f989ef"]


def test_more_readings_of_who_did_what():
    # A six-letter word with a behaviour ending heads the phrase ("arming"); the comma ends the search.
    assert _conduct("China's arming, which worries fishing villages everywhere, goes on.") == [
        ("China's arming, which worries fishing villages everywhere, goes", 6)]
    # An actor no topic is about, named in both statements, does not stop the rule for the next actor.
    flags = _edited_second(["We discussed Belarus and China at length.", "We oppose unilateral changes."],
                           ["We discussed Belarus and China at length.", "We oppose unilateral changes. China has "
                            "deployed new attack drones near the border of its neighbours."])
    assert ("China", "new conduct") in [(f.evidence["actor"], f.evidence["change"]) for f in _actor_flags(flags)]


def test_the_fullest_naming_is_quoted_even_when_a_shorter_one_comes_first():
    (f,) = _actor_flags(_edited_second(
        [T, "We oppose coercion in the waters of the region."],
        [T, "We oppose coercion in the waters of the region, and China must stop, as must the People's Republic "
            "of China."]))
    assert f.evidence["words"] == ["People's Republic of China"]
    (f,) = _actor_flags(_unlinked([T], [T, "China must stop. We condemn the People's Republic of China for its "
                                           "support."]))
    assert (f.new_text, f.evidence["words"]) == ("We condemn the People's Republic of China for its support",
                                                 ["People's Republic of China"])


def test_two_actors_dropped_far_apart_in_one_sentence_make_one_flag():
    (f,) = _actor_flags(_edited_second(
        [T, "We oppose unilateral changes to the border by Belarus and the long list of grievances raised at the "
            "summit by Myanmar."],
        [T, "We oppose unilateral changes to the border and the long list of grievances raised at the summit."]))
    assert (f.explanation, f.evidence["actors"]) == (
        "Belarus, Myanmar no longer named anywhere in the statement: 'by Belarus'", ["Belarus", "Myanmar"])


def test_a_sentence_initial_function_word_leaves_a_two_letter_name_too_short():
    assert _names(PORT, PORT + " The UK joined.") == []



@pytest.mark.parametrize("old,new,named", [
    # "Taiwan named for the first time in the statement" when the old text
    # said "the Taiwan Strait": the term consumed the name.
    ("We support peace and stability across the Taiwan Strait.", "Our basic positions on Taiwan remain unchanged.",
     set()),
    # "DPRK-Russia" names both the same way.
    ("We oppose DPRK-Russia military cooperation.", "We condemn the DPRK and Russia for their military cooperation.",
     set()),
    # "South China Sea" names no China: China does not define the maritime topic.
    ("We oppose coercion in the South China Sea.", "We oppose coercion by China in the South China Sea.", {"China"}),
])
def test_an_actor_named_inside_a_term_of_a_topic_it_defines_is_no_new_name(old, new, named):
    flags = _actor_flags(_edited_second(["We discussed trade at length.", old], ["We discussed trade at length.", new]))
    got = {a for f in flags if f.evidence.get("change") == "named" and "on " not in f.explanation.split(":")[0]
           .replace("on China named", "") for a in f.evidence["actors"]}
    first = {a for f in flags if "first time in the statement" in f.explanation or "where it was not" in f.explanation
             for a in f.evidence["actors"]}
    assert first == named, [f.explanation for f in flags]
    assert got >= named
