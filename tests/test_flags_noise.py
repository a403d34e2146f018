"""Noise rules of the flag rules, each from a case seen on real statements (issue 7).

Invented sentences shaped like the real ones, so each case runs in
milliseconds; the real pairs are scored by tests/test_flags_gold.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Tuple

from driftlab.flags import compute_flags
from driftlab.flags.sentences import _metadata
from driftlab.ingest import parse_text
from driftlab.segment import segment
from driftlab.topics import tag_documents
from driftlab.types import Link

from .test_flags import CONFIG, doc, flags_for, link

PARTIES = ("---\ntitle: \"Joint Statement of Japan, the Republic of Korea, and the United States\"\n"
           "parties: \"Japan; Republic of Korea; United States (leaders: Ishiba, Yoon, Biden; Lima, Peru)\"\n---\n")


def names(flags) -> list[str]:
    return [f.evidence["actor"] for f in flags if f.rule == "actor_change" and f.evidence.get("change") == "new name"]


def numbers(flags) -> list[tuple[list[str], list[str]]]:
    return [(f.evidence["old_numbers"], f.evidence["new_numbers"]) for f in flags if f.rule == "number_change"]


# ------------------------------------------------------------------ names are whole proper names

def test_a_middle_initial_is_part_of_the_name_never_a_fragment():
    flags = flags_for("The committee met to review policy. Members discussed the outlook.",
                      "The committee met to review policy. Members discussed the outlook with Loretta J. Mester.")
    assert names(flags) == ["Loretta J. Mester"]


def test_a_document_symbol_is_no_name():
    flags = flags_for("We welcome the resolution and urge all parties to implement it.",
                      "We welcome UNSCR S/RES/2735 (2024) and urge all parties to implement it.")
    assert not [n for n in names(flags) if "UNSCR" in n or "RES" in n]


def test_an_article_number_is_no_name():
    flags = flags_for("Ukraine has the right of self-defence under the Charter.",
                      "Ukraine has the right of self-defence under Article 51 of the Charter.")
    assert "Article" not in names(flags)


def test_a_sentence_initial_connective_is_neither_name_nor_new_wording():
    flags = flags_for("We will hold regular meetings. We will expand exchanges.",
                      "We will hold regular meetings. Furthermore, we will expand exchanges.")
    assert "Furthermore" not in names(flags)
    assert not [f for f in flags if f.rule == "new_wording" and "Furthermore" in f.new_text]


def test_a_common_noun_capitalised_in_a_list_is_no_name():
    flags = flags_for("We support the economic empowerment of women and girls.",
                      "We support the economic empowerment of women and girls and the Women, Peace and Security agenda.")
    assert "Women" not in names(flags)


def test_a_name_runs_through_two_linking_words():
    flags = flags_for("We welcome cooperation on disaster relief and the guidelines of the partners.",
                      "We welcome cooperation on disaster relief and the Guidelines for the Joint Partnership on HADR.")
    assert "Guidelines" not in names(flags)
    assert any("Guidelines for the Joint Partnership" in n for n in names(flags))


def test_a_grouping_of_common_words_is_no_name():
    flags = flags_for("Russia has a special responsibility as a member of the council.",
                      "Russia, a Permanent Member, has a special responsibility in the council.")
    assert "Permanent Member" not in names(flags)


def test_a_role_is_no_name():
    flags = flags_for("The envoys met to review the defense plans of the partners.",
                      "The envoys met to review the defense plans of the partners. The plan was approved by "
                      "a Prime Minister, by our Defense Ministers and by Admiral Tanaka Ryo.")
    assert "Defense Ministers" not in names(flags) and "Prime Minister" not in names(flags)
    assert "Admiral Tanaka Ryo" in names(flags)


def test_a_name_cut_at_an_abbreviation_is_read_without_its_lone_letter():
    flags = flags_for("Officers trained with partner navies.",
                      "Officers trained in the Naval Staff College and U.S. shipyards.")
    assert "Naval Staff College" in names(flags)
    assert not [n for n in names(flags) if n.endswith(" U")]


def test_a_possessive_common_noun_and_a_weekday_are_no_names():
    flags = flags_for("The organization must act. Members met in the morning.",
                      "The organization must act. Members met in the morning. We must restore this "
                      "Organization’s standing, and on Friday, members agreed.")
    assert not [n for n in names(flags) if n.startswith("Organization") or n == "Friday"]


def test_a_sentence_initial_ordinary_word_is_not_part_of_a_name():
    flags = flags_for("We keep implementing the plan.",
                      "We keep implementing the plan. Implementing KESTREL will require trust.")
    assert "Implementing KESTREL" not in names(flags)


def test_the_statements_own_leaders_are_no_new_names():
    old = segment(parse_text(PARTIES + "We remain committed to our partnership.", path="old.txt"))
    new = segment(parse_text(PARTIES + "We remain committed to our partnership. President Biden reiterates "
                             "the commitment of the United States.", path="new.txt"))
    links = [link(old, [0], new, [0])]
    flags = compute_flags(old, new, links, tag_documents(old, new, CONFIG), CONFIG)
    assert "President Biden" not in names(flags)


# ------------------------------------------------------------------ amounts, dates, metadata

def test_an_amount_with_a_plus_is_one_figure():
    old = doc("We will fund research.", "We support open markets.")
    new = doc("We will fund research.", "We support open markets.",
              "We are pleased to announce an inaugural $7.5+ million in funding opportunities for research partners.")
    links = [link(old, [0], new, [0], "unchanged"), link(old, [1], new, [1], "unchanged"),
             Link(old=(), new=(2,), type="added", confidence=1.0)]
    flags = compute_flags(old, new, links, tag_documents(old, new, CONFIG), CONFIG)
    figures = [n for f in flags if f.rule == "number_change" for n in f.evidence["new_numbers"]]
    assert figures == ["$7.5+ million"]


def test_meeting_years_are_metadata_not_a_number_change():
    flags = flags_for("We look forward to the next in-person Quad Leaders’ Summit in 2024.",
                      "We look forward to the Foreign Ministers’ meeting in the United States in 2025, and the "
                      "next Quad Leaders’ Summit hosted by India in 2025.")
    assert numbers(flags) == []


def test_meeting_dates_are_metadata_not_a_number_change():
    flags = flags_for("We endorse the outcomes of the Foreign Ministers’ Meeting in March 2023.",
                      "We endorse the outcomes of the tabletop exercise held in Honolulu in November 2024.")
    assert numbers(flags) == []


def test_a_date_in_the_same_place_still_counts():
    flags = flags_for("The review ends on May 12, 2024.", "The review ends on June 30, 2024.")
    assert numbers(flags) == [(["May 12, 2024"], ["June 30, 2024"])]


def test_amounts_compare_with_amounts_not_with_years():
    flags = flags_for("In 2023 we provided $10 million to the fund.",
                      "In 2023 we provided $12 million to the fund.")
    assert numbers(flags) == [(["$10 million"], ["$12 million"])]


def test_a_currency_code_is_part_of_its_amount():
    # "USD 50 billion" → "EUR 50 billion" changes the money, not the figure:
    # reading the bare "50 billion" on both sides would report nothing at all
    # (found by bench/entities_quality.py: the pattern dropped the code).
    flags = flags_for("We will mobilise USD 50 billion for Ukraine.", "We will mobilise EUR 50 billion for Ukraine.")
    assert numbers(flags) == [(["USD 50 billion"], ["EUR 50 billion"])]
    flags = flags_for("Australia will invest AUD 29.6 million in the program.",
                      "Australia will invest AUD 30 million in the program.")
    assert numbers(flags) == [(["AUD 29.6 million"], ["AUD 30 million"])]


def test_a_range_of_years_is_one_figure():
    # "2024-2025" is one term, not two years.
    flags = flags_for("Korea will serve as a member of the Security Council for the 2022-2023 term.",
                      "Korea will serve as a member of the Security Council for the 2024–2025 term.")
    assert numbers(flags) == [(["2022-2023"], ["2024–2025"])]


def test_release_lines_voter_lists_and_headings_are_metadata():
    assert _metadata("For release at 2:00 p.m. EDT")
    assert _metadata("November 6, 2024")
    assert _metadata("Voting for the monetary policy action were Jerome H. Powell, Chair; John C. Williams.")
    assert _metadata("Women, Peace and Security")
    assert _metadata("Begin Text:") and _metadata("End Text.") and _metadata("End text")
    assert _metadata("Mr. Dang Hoang Giang (Viet Nam), Vice-President, took the Chair.")
    for address in ("Mr. President,", "Distinguished Delegates,", "Excellencies, ladies and gentlemen,",
                    "Thank you, Mr. Secretary-General.", "Madam President, Heads of State and Government,",
                    "Thank you very much."):
        assert _metadata(address), address
    assert not _metadata("Thank you, Japan, for hosting us.")
    # "Release" alone is policy, not a release line.
    assert _metadata("Released: November 7, 2024") and _metadata("Release date: 7 November 2024")
    assert not _metadata("We call for the immediate release of all hostages.")
    # A press office's line introducing the text: who issued it, not what it says.
    assert _metadata("The below text is a joint statement on behalf of Envoy Lind, Vice Minister Aho and Director "
                     "General Berg following their June 24 call to discuss recent developments in the region.")
    assert _metadata("The following joint statement was released by the governments of Arden and Borland.")
    assert not _metadata("The following steps will strengthen our deterrence against the launches.")
    assert not _metadata("We welcome the release of the detained journalists.")
    assert not _metadata("Mr. President, the war must end.")
    assert not _metadata("We will hold the rate at 4.25 per cent.")
    assert not _metadata("We will begin text-based negotiations on the treaty.")
    assert not _metadata("The Republic of Korea took the chair of the group in a year of crisis and reform.")
    assert not _metadata("The Committee decided to lower the target range by 1/4 percentage point.")


def test_a_changed_release_line_and_voter_list_raise_nothing():
    old = doc("November 7, 2024", "The Committee decided to maintain the target range.",
              "Voting for the monetary policy action were Jerome H. Powell, Chair; Michelle W. Bowman.")
    new = doc("December 18, 2024", "The Committee decided to maintain the target range.",
              "Voting for the monetary policy action were Jerome H. Powell, Chair; Beth M. Hammack.")
    links = [link(old, [0], new, [0]), link(old, [1], new, [1], "unchanged"), link(old, [2], new, [2])]
    flags = compute_flags(old, new, links, tag_documents(old, new, CONFIG), CONFIG)
    assert flags == ()


# ------------------------------------------------------------------ quotes and pairings

def test_quotes_end_on_a_whole_phrase():
    flags = flags_for(
        "The Deputy Secretary expressed concern over deepening military cooperation between the DPRK and Russia, "
        "including arms transfers.",
        "The Deputy Secretary expressed grave concern over deepening military cooperation between the DPRK and "
        "Russia, including arms transfers.")
    f = next(f for f in flags if f.rule == "intensity_shift")
    assert f.new_text.endswith("DPRK and Russia")
    assert f.new_text.startswith("The Deputy Secretary") or not f.new_text.startswith("Secretary")


def test_no_pairing_with_an_unrelated_sentence():
    flags = flags_for("They met in Seoul. They discussed the regional situation at length.",
                      "They met in Seoul. Three vessels entered the strait without notice on Monday.")
    for f in flags:
        if f.rule in ("number_change", "actor_change", "modality", "negation"):
            assert f.old_text.strip() not in ("They", "They met"), f.explanation


def test_a_cue_dropped_with_its_sentence_is_no_reversed_modality():
    flags = flags_for(
        "We reaffirmed the importance of peace across the Taiwan Strait. We could consider joint patrols "
        "to deter provocative actions, particularly the recent military drills around Taiwan.",
        "We recognize the importance of peace across the Taiwan Strait.")
    mod = [f for f in flags if f.rule == "modality"]
    assert mod, "the dropped hedge is reported"
    assert all("firmer" not in f.explanation and "softer" not in f.explanation for f in mod)
    assert any("dropped with its sentence" in f.explanation for f in mod)


# ------------------------------------------------------------------ lineage from the aligner

@dataclass(frozen=True)
class LineageLink(Link):
    """A link as the lineage aligner gives it (``sentence_links``)."""

    sentence_links: Tuple[Mapping[str, Any], ...] = ()


def _lineage_case(sentence_links):
    old = doc("We express concern over the missile launches. We express grave concern over the nuclear tests.")
    new = doc("We express concern over the nuclear tests.")
    base = link(old, [0], new, [0])
    if sentence_links is None:
        links = [base]
    else:
        links = [LineageLink(old=base.old, new=base.new, type="rewritten", confidence=0.9, opcodes=base.opcodes,
                             sentence_links=sentence_links)]
    return compute_flags(old, new, links, tag_documents(old, new, CONFIG), CONFIG)


def test_sentence_lineage_decides_the_counterpart():
    # By wording, the new sentence pairs with old sentence 1 ("grave concern
    # over the nuclear tests"): intensity down.
    assert any(f.rule == "intensity_shift" and f.evidence["delta"] < 0 for f in _lineage_case(None))
    # The aligner says it came from old sentence 0 ("concern over the missile
    # launches"), rewritten: same rung, no shift; old sentence 1 was dropped.
    flags = _lineage_case(({"old": [[0, 0]], "new": [[0, 0]], "type": "rewritten", "score": 0.6},))
    assert not any(f.rule == "intensity_shift" and "evidence" and f.evidence.get("scope") != "statement"
                   for f in flags)


def test_a_list_items_first_word_is_no_new_name():
    from .test_flags import _unlinked

    flags = _unlinked(["We discussed trade and ports at length in the capital."],
                      ["We discussed trade and ports at length in the capital.",
                       "Our plan has three phases:\n- Starting next year, patrol boats will visit the Westford Islands.\n"
                       "- Beginning in 2030, the fleet will grow."])
    names = {f.evidence.get("actor") for f in flags if f.evidence.get("change") == "new name"}
    assert "Westford Islands" in names
    assert not names & {"Starting", "Beginning"}, names


# ------------------------------------------------------------------ a topic named in passing is no topic of the statement

def _topic_embed(about: str):
    """A stand-in encoder for tag_documents: the cyber topic's own texts
    point one way; a sentence saying ``about`` points nearly the same way
    (cosine 0.9), a sentence merely holding "cyber" mostly elsewhere
    (cosine 0.3), every other text a third way."""
    import numpy as np

    cyber = {t for t in (CONFIG.topic("cyber").description, *CONFIG.topic("cyber").examples) if t}

    def embed(texts):
        out = []
        for t in texts:
            if t in cyber:
                out.append([1.0, 0.0, 0.0])
            elif about in t:
                out.append([0.9, 0.0, 0.436])
            elif "cyber" in t.lower():
                out.append([0.3, 0.0, 0.954])
            else:
                out.append([0.0, 1.0, 0.0])
        return np.asarray(out, dtype=np.float32)
    return embed


def _topic_flags(*added: str, about: str = "ransomware", vectors: bool = True):
    old = doc("We will meet again next year to review our cooperation.")
    new = doc("We will meet again next year to review our cooperation.", *added)
    links = [link(old, [0], new, [0], "unchanged")]
    links += [Link(old=(), new=(i,), type="added", confidence=1.0) for i in range(1, len(added) + 1)]
    tags = tag_documents(old, new, CONFIG, _topic_embed(about) if vectors else None)
    return [f for f in compute_flags(old, new, links, tags, CONFIG) if f.rule == "topic_added"]


def test_a_topic_named_in_passing_in_one_passage_is_not_added_to_the_statement():
    passing = "The aggressor kills civilians every day, and we know the possible effects of spreading the war into cyberspace."
    assert _topic_flags(passing) == []
    # Without vectors nothing is known to be in passing: the term still tags the topic.
    assert [f.topics for f in _topic_flags(passing, vectors=False)] == [("cyber",)]
    # A passage about the topic (its sentence means what the topic's texts mean) adds it.
    about = "We will counter malicious cyber activities, ransomware and cryptocurrency theft together."
    assert [f.topics for f in _topic_flags(about)] == [("cyber",)]
    # Named in two passages, even in passing, the topic is the statement's.
    again = "Our partners are defending their networks in cyberspace against the aggressor."
    assert [f.topics for f in _topic_flags(passing, again)] == [("cyber",)]
