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
