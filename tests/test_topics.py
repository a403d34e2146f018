"""Topic config loading and validation, term tagging edge cases, meaning tags."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from driftlab.errors import ConfigError
from driftlab.ingest import parse_text
from driftlab.segment import segment
from driftlab.topics import (
    DEFAULT_CONFIG_PATH,
    RULES,
    PhraseMatcher,
    config_from_dict,
    load_config,
    tag_documents,
    term_hits,
)

ROOT = Path(__file__).resolve().parent.parent
CONFIG = load_config()


def topics_of(text: str) -> set[str]:
    return set(term_hits(text, CONFIG).topics)


# ------------------------------------------------------------------ the default config

def test_corpus_copy_is_identical_to_packaged_default():
    assert (ROOT / "corpus" / "topics.yaml").read_bytes() == DEFAULT_CONFIG_PATH.read_bytes()


def test_default_topics_and_ladders():
    ids = {t.id for t in CONFIG.topics}
    assert ids == {
        "taiwan", "dprk_nuclear", "dprk_russia", "ukraine", "maritime", "china", "middle_east",
        "economic_security", "technology", "human_rights", "cyber", "energy_climate", "institutions",
        "people_to_people", "defense",
    }
    ladders = {lad.id: lad for lad in CONFIG.ladders}
    assert {"concern", "condemn", "support", "call", "welcome", "commitment"} <= set(ladders)
    assert ladders["concern"].rungs[-1][0] == "grave concern"
    assert set(CONFIG.rule_weights) == set(RULES)


# ------------------------------------------------------------------ term matching

def test_aliases_tag_the_same_topic():
    for text in ("the DPRK launched", "North Korea launched", "Pyongyang launched",
                 "the Democratic People's Republic of Korea launched"):
        assert "dprk_nuclear" in topics_of(text), text
        assert term_hits(text, CONFIG).actors.keys() == {"DPRK"}, text


def test_states_in_a_roll_call_are_counted_not_spoken_about():
    # Invented text: a vote count and a list of thanks name states only to count them.
    vote = "Just six states voted no: Laos, Cuba, North Korea, Mali, Russia and Syria."
    assert "dprk_russia" not in topics_of(vote) and "dprk_nuclear" not in topics_of(vote)
    assert term_hits(vote, CONFIG).actors == {}
    thanks = "Our thanks go to Chile, Ghana, Egypt, Peru, China, Fiji, Nepal and Oman for their grain."
    assert "china" not in topics_of(thanks)
    # Five names in a row, and a state named in a sentence about it, still speak.
    accuse = "Their papers openly accuse Russia, China, Belarus, North Korea, and Iran of threats."
    assert {"china", "dprk_russia"} <= topics_of(accuse)
    assert "China" in term_hits("We urge China, as a permanent member, to act.", CONFIG).actors


def test_china_inside_sea_name_tags_maritime_only():
    got = topics_of("We oppose unlawful claims in the South China Sea.")
    assert "maritime" in got and "china" not in got
    assert "China" not in term_hits("in the East China Sea", CONFIG).actors
    assert "china" in topics_of("We are concerned about China's coercion in the South China Sea.")


def test_republic_of_korea_is_not_the_dprk():
    hits = term_hits("The Republic of Korea and Japan met in Seoul.", CONFIG)
    assert "DPRK" not in hits.actors and "dprk_nuclear" not in hits.topics
    assert "ROK" in hits.actors


def test_exclude_phrase_swallows_its_words():
    cfg = config_from_dict({"topics": [{"id": "war", "terms": ["war"], "exclude": ["war of words"]}]})
    assert "war" not in term_hits("a war of words broke out", cfg).topics
    assert "war" in term_hits("the war goes on", cfg).topics


def test_korean_peninsula_needs_its_phrase():
    assert "dprk_nuclear" in topics_of("the complete denuclearization of the Korean Peninsula")
    assert "dprk_nuclear" not in topics_of("Korean cuisine and the Korean Peninsula's mountains")


def test_composite_topic_needs_both_actors_in_one_sentence():
    assert "dprk_russia" in topics_of("arms transfers between the DPRK and Russia")
    assert "dprk_russia" in topics_of("deepening North Korea-Russia military cooperation")
    assert "dprk_russia" not in topics_of("the DPRK launched a missile")
    assert "dprk_russia" not in topics_of("Russia's war against Ukraine")


def test_inflections_plurals_possessives_and_dashes():
    assert "taiwan" in topics_of("Taiwan’s status")
    assert "taiwan" in topics_of("cross–Strait issues")
    assert "economic_security" in topics_of("resilient supply chains")
    assert "technology" in topics_of("Semiconductors and quantum")
    assert "institutions" in topics_of("institutionalizing our cooperation")


def test_whole_words_only_and_acronyms_case_sensitive():
    cfg = config_from_dict({"topics": [{"id": "ally", "terms": ["ally", "US"]}]})
    assert "ally" not in term_hits("a rally in the square", cfg).topics
    assert "ally" not in term_hits("join us tomorrow", cfg).topics
    assert "ally" in term_hits("the US said", cfg).topics


def test_verb_endings_with_tilde():
    m = PhraseMatcher(["strongly condemn~", "condemn~"])
    found = [p for _, _, p in m.find("They strongly condemned it; condemning that; condemns this.")]
    assert found == ["strongly condemn~", "condemn~", "condemn~"]
    commit = PhraseMatcher(["commit~ to"])
    assert commit.find("we are committed to peace")


# ------------------------------------------------------------------ tagging documents

def _doc(*paragraphs: str):
    return segment(parse_text("\n\n".join(paragraphs), path="invented.txt"))


def test_tag_documents_terms_with_evidence():
    old = _doc("We discussed the weather.")
    new = _doc("We oppose coercion in the South China Sea. We support peace across the Taiwan Strait.")
    tags = tag_documents(old, new, CONFIG)
    sent = {(t.sentence, t.topic): t for t in tags if t.side == "new" and t.sentence is not None}
    assert sent[(0, "maritime")].method == "term"
    assert "term: South China Sea" in sent[(0, "maritime")].evidence
    assert (1, "taiwan") in sent and (0, "taiwan") not in sent
    para = {t.topic for t in tags if t.side == "new" and t.sentence is None}
    assert {"maritime", "taiwan"} <= para
    assert not [t for t in tags if t.side == "old"]


def test_meaning_route_with_a_fake_embedding():
    """Meaning tags come from cosine ≥ threshold; composite topics never tag by meaning alone."""
    cfg = config_from_dict({
        "topics": [
            {"id": "rates", "description": "interest rate decisions", "terms": []},
            {"id": "pair", "description": "cooperation between two states", "requires": [["Aland"], ["Borduria"]]},
        ],
        "settings": {"meaning_threshold": 0.8, "sentence_meaning_threshold": 0.8},
    })
    vectors = {"interest rate decisions": [1, 0, 0], "cooperation between two states": [0, 1, 0]}

    def embed(texts):
        out = []
        for t in texts:
            if t in vectors:
                out.append(vectors[t])
            elif "policy rate" in t:
                out.append([0.9, 0.1, 0.0])
            elif "cooperat" in t:
                out.append([0.0, 1.0, 0.0])
            else:
                out.append([0.0, 0.0, 1.0])
        arr = np.asarray(out, dtype=np.float32)
        return arr / np.linalg.norm(arr, axis=1, keepdims=True)

    new = _doc("The committee raised the policy rate.", "They deepened cooperation.", "Nothing here.")
    tags = tag_documents(_doc("Old text."), new, cfg, embed)
    rates = [t for t in tags if t.topic == "rates" and t.side == "new"]
    assert rates and all(t.method == "meaning" and t.paragraph == 0 for t in rates)
    assert any("cosine" in e and "interest rate decisions" in e for e in rates[0].evidence)
    assert not [t for t in tags if t.topic == "pair"]


# ------------------------------------------------------------------ config errors

@pytest.mark.parametrize("data, message", [
    ({"topcs": []}, "Did you mean 'topics'"),
    ({"topics": [{"id": "x", "term": ["a"]}]}, "Did you mean 'terms'"),
    ({"topics": [{"id": "x", "terms": ["a"], "weight": "high"}]}, "must be a number"),
    ({"topics": [{"id": "x"}]}, "can never tag"),
    ({"topics": [{"id": "x", "terms": ["a"]}, {"id": "x", "terms": ["b"]}]}, "Duplicate topic id"),
    ({"topics": [{"id": "bad id", "terms": ["a"]}]}, "letters, digits and underscores"),
    ({"topics": [{"id": "x", "terms": ["@Atlantis"]}]}, "Unknown actor reference"),
    ({"ladders": [{"id": "l", "rungs": [["a"]]}]}, "at least two rungs"),
    ({"rule_weights": {"intensity": 1}}, "Did you mean 'intensity_shift'"),
    ({"settings": {"meaning_treshold": 0.5}}, "Did you mean 'meaning_threshold'"),
    ({"negation": [False]}, "non-empty strings"),
    ({"polarity": [["support~"]]}, "pair"),
])
def test_config_errors_name_the_problem(data, message):
    with pytest.raises(ConfigError, match=message):
        config_from_dict(data)


def test_config_file_errors(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("topics: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(bad)


def test_user_file_inherits_missing_sections(tmp_path):
    f = tmp_path / "mine.yaml"
    f.write_text(
        "topics:\n"
        "  - id: rates\n"
        "    name: Policy rate\n"
        "    terms: [policy rate, federal funds rate]\n"
        "ladders:\n"
        "  - id: vigilance\n"
        "    rungs: [[monitor~], [attentive], [vigilant]]\n"
        "rule_weights:\n"
        "  number_change: 2.0\n",
        encoding="utf-8",
    )
    cfg = load_config(f)
    assert [t.id for t in cfg.topics] == ["rates"]
    assert [lad.id for lad in cfg.ladders] == ["vigilance"]
    assert cfg.rule_weights["number_change"] == 2.0
    assert cfg.rule_weights["intensity_shift"] == CONFIG.rule_weights["intensity_shift"]
    assert cfg.modality == CONFIG.modality  # inherited from the default
    assert "DPRK" in cfg.actors


# ------------------------------------------------------------------ real model on real text

@pytest.mark.real_model
@pytest.mark.shared
def test_real_model_tags_real_statement(real_encoder, tmp_path):
    from driftlab.embed import EmbeddingCache, embed_texts
    from driftlab.ingest import load_statement

    from .conftest import shared_file as shared

    path = shared("trilateral_rok_us_japan/2024-11-15_lima_trilateral_leaders_joint_statement.txt")
    doc = segment(load_statement(path))
    cache = EmbeddingCache(tmp_path)
    tags = tag_documents(doc, doc, CONFIG, lambda texts: embed_texts(list(texts), real_encoder, cache))
    para_topics: dict[int, set[str]] = {}
    for t in tags:
        if t.side == "new" and t.sentence is None:
            para_topics.setdefault(t.paragraph, set()).add(t.topic)
    troops = next(p.index for p in doc.paragraphs if "deploy troops" in p.text)
    assert {"dprk_russia", "ukraine", "dprk_nuclear"} <= para_topics[troops]
    people = next(p.index for p in doc.paragraphs if p.text.startswith("People-to-people"))
    assert "people_to_people" in para_topics[people]
    assert "taiwan" not in para_topics[people]
    # Meaning-only tags stay a minority: terms do the bulk of the work.
    meaning = sum(t.method == "meaning" for t in tags)
    assert meaning <= 0.3 * len(tags)


def test_proper_noun_terms_keep_their_capital():
    assert not term_hits("They were served dinner on fine china tableware.", CONFIG).actors
    assert "China" in term_hits("China and the ROK met.", CONFIG).actors
    assert "China" in term_hits("RELATIONS WITH CHINA", CONFIG).actors  # only the initial is fixed
    # A lower-case term still matches in any case.
    assert "cyber" in term_hits("Cyber threats grew.", CONFIG).topics


def test_term_leading_a_longer_name_tags_nothing():
    hits = term_hits("Taiwan Semiconductor Manufacturing Company will build a plant.", CONFIG)
    assert "Taiwan" not in hits.actors and "taiwan" not in hits.topics
    assert "technology" in hits.topics  # "Semiconductor" is still a technology term
    # The rest of the name is a known term: the leading term names its owner.
    assert "China" in term_hits("The China Coast Guard blocked the vessels.", CONFIG).actors
    # A possessive belongs to its owner.
    assert "Taiwan" in term_hits("Taiwan's Democratic Progressive Party won.", CONFIG).actors


def test_ignore_phrases_name_nothing():
    hits = term_hits("Delegates ate Russian salad in cyber cafes.", CONFIG)
    assert not hits.actors and not hits.topics
    cfg = config_from_dict({"ignore": ["Ukraine Facility"]})
    assert "Ukraine" not in term_hits("The Ukraine Facility disbursed funds.", cfg).actors


def test_config_header_names_the_cli_option():
    text = DEFAULT_CONFIG_PATH.read_text(encoding="utf-8")
    assert "--topics-file" not in text and "`--topics " in text


def test_names_of_events_and_laws_keep_their_place():
    # Only a company's name hides its place word.
    assert "ukraine" in term_hits("The Ukraine Recovery Conference will meet in Rome.", CONFIG).topics
    assert "taiwan" in term_hits("consistent with the Taiwan Relations Act", CONFIG).topics


def test_ladder_addressee_option():
    from driftlab.errors import ConfigError

    cfg = load_config()
    assert next(l for l in cfg.ladders if l.id == "call").addressee
    assert not next(l for l in cfg.ladders if l.id == "concern").addressee
    own = config_from_dict({"ladders": [{"id": "ask", "rungs": [["ask~"], ["insist~"]], "addressee": True}]},
                           inherit=False)
    assert own.ladders[0].addressee
    with pytest.raises(ConfigError):
        config_from_dict({"ladders": [{"id": "ask", "rungs": [["ask~"], ["insist~"]], "addressee": "maybe"}]},
                         inherit=False)


def _scan_every_word(matcher, text):
    """The matcher's contract, spelled out: at each word (a ``\\w+`` run) not
    inside the previous match, try the phrases filed under its first four
    folded letters, longest first."""
    import re

    out, pos = [], 0
    folded = "".join(c.lower()[0] for c in text).replace("’", "'")
    for w in re.finditer(r"\w+", text):
        if w.start() < pos:
            continue
        for _, phrase, source in matcher._buckets.get(folded[w.start():min(w.start() + 4, w.end())], ()):
            m = re.compile(source, re.IGNORECASE).match(text, w.start())
            if m:
                out.append((m.start(), m.end(), phrase))
                pos = m.end()
                break
    return out


@pytest.mark.parametrize("text", [
    "The DPRK and Russia’s military co-operation; the EU and eu-wide rules; Taiwan’s Strait.",
    "İstanbul talks on the South China Sea, the east china sea and the Korean Peninsula.",
    "We condemn, strongly condemn and CONDEMN the launches; grave concern; concerned; concerns.",
    "US-ROK-Japan, U.S., us, A.I., AI-enabled, 5G, G7's, G-7, non-proliferation",
    "",
    "   ",
])
def test_phrase_matcher_tries_exactly_the_word_starts_of_its_contract(text):
    # find() jumps to candidate word starts with one regex over the bucket
    # keys; it must find what visiting every word finds, on every matcher.
    matchers = [CONFIG.term_matcher()[0]] + [m for _, m, _ in CONFIG.ladder_matchers()]
    matchers += [CONFIG.cue_matcher(f)[0] for f in ("modality", "negation", "polarity")]
    for matcher in matchers:
        assert matcher.find(text) == _scan_every_word(matcher, text)

def test_load_config_is_parsed_once_per_content_and_never_stale(tmp_path):
    # A series run asks for the topic config once per step diff and per step
    # report: the same bytes give the same (immutable) config object; changed
    # bytes are parsed afresh.
    from driftlab.topics import load_config

    assert load_config() is load_config()
    f = tmp_path / "topics.yaml"
    f.write_text("topics:\n  - id: ocean\n    name: Oceans\n    terms: [ocean]\n", encoding="utf-8")
    first = load_config(f)
    assert load_config(f) is first and first.topic_name("ocean") == "Oceans"
    f.write_text("topics:\n  - id: ocean\n    name: Seas and oceans\n    terms: [ocean]\n", encoding="utf-8")
    assert load_config(f).topic_name("ocean") == "Seas and oceans"
    f.unlink()
    with pytest.raises(ConfigError, match="not found"):
        load_config(f)


def test_trie_regex_matches_exactly_its_words():
    from driftlab.topics import _trie_regex

    words = ["chin", "chip", "cyb", "us", "usa", "u"]
    rx = re.compile("(?:" + _trie_regex(words) + r")(?!\w)")
    for w in words:
        assert rx.fullmatch(w), w
    for other in ["chi", "chim", "c", "cy", "usb", "s", ""]:
        assert not rx.fullmatch(other), other
    # Longer words win where a shorter one is their prefix.
    assert rx.match("usa").group() == "usa"


def test_matchers_compiled_ahead_find_what_matchers_compiled_on_first_use_find():
    from driftlab.topics import PhraseMatcher, load_config

    text = "We express GRAVE concern over the DPRK's launches and the Taiwan Strait; we must not waver."
    lazy = PhraseMatcher(["grave concern", "dprk", "taiwan strait", "must not", "east china sea"])
    eager = PhraseMatcher(["grave concern", "dprk", "taiwan strait", "must not", "east china sea"])
    eager.compile_all()
    assert all(e[0] is not None for entries in eager._buckets.values() for e in entries)
    assert eager.find(text) == lazy.find(text) != []

    config = load_config(None)
    config.compile_matchers()
    m = config.term_matcher()[0]
    assert all(e[0] is not None for entries in m._buckets.values() for e in entries)
    assert [p for _, _, p in m.find(text)]  # still finds the config's terms
