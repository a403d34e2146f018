"""Cosmetic normalisation: tokens, keys, spelling, fold(), content words."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from driftlab import normalize
from driftlab.normalize import (
    STOPWORDS,
    Token,
    americanize,
    content_words,
    fold,
    tokenize,
    word_units,
)


def texts(text: str) -> list[str]:
    return [t.text for t in tokenize(text)]


# --- tokenize -----------------------------------------------------------------


def test_tokenize_words_numbers_and_punctuation():
    text = "People-to-people ties: Russia's 1,000 troops, 3.5% of GDP in 2025 (COVID-19)."
    assert texts(text) == [
        "People-to-people", "ties", ":", "Russia's", "1,000", "troops", ",", "3.5%",
        "of", "GDP", "in", "2025", "(", "COVID-19", ")", ".",
    ]


def test_tokenize_spans_are_absolute_with_offset():
    text = "  We  reaffirm\n“peace”."
    toks = tokenize(text, offset=100)
    assert all(isinstance(t, Token) for t in toks)
    for t in toks:
        assert text[t.start - 100 : t.end - 100] == t.text
    assert [t.start for t in toks] == [102, 106, 115, 116, 121, 122]


def test_spans_index_the_text_itself_by_default():
    # Without an offset a span indexes into the text passed in, for tokens and units alike.
    assert [(t.start, t.end) for t in tokenize("We met.")] == [(0, 2), (3, 6), (6, 7)]
    assert [(u.start, u.end) for u in word_units("coast guard")] == [(0, 11)]


def test_tokenize_keeps_number_ranges_apart_but_joins_hyphenated_words():
    # A range is three tokens whichever dash is used, so hyphen vs en dash
    # between two numbers is a dash-style difference only.
    assert texts("2025-2030") == ["2025", "-", "2030"]
    assert texts("2025–2030") == ["2025", "–", "2030"]
    assert texts("ROK–US–Japan") == ["ROK–US–Japan"]
    assert texts("5-year U.S.-Japan") == ["5-year", "U.S.-Japan"]


def test_tokenize_dashes_and_ellipses():
    assert texts("peace--and—order … more...") == [
        "peace", "--", "and", "—", "order", "…", "more", "...",
    ]


def test_tokenize_skips_invisible_characters_and_keeps_soft_hyphenated_words_whole():
    assert texts("mili\u00adtarisation\u200b now") == ["mili\u00adtarisation", "now"]


def test_tokenize_empty_and_whitespace():
    assert tokenize("") == []
    assert tokenize(" \n\t\u00a0") == []


# --- keys: one test per cosmetic class --------------------------------------------


@pytest.mark.parametrize(
    "a, b",
    [
        # case and Unicode compatibility forms
        ("The Parties", "the parties"),
        ("Ｇ７ summit", "G7 summit"),
        # quote and apostrophe style
        ("“free and open”", '"free and open"'),
        ("Russia’s war", "Russia's war"),
        ("‘rules-based’", "'rules-based'"),
        # dash style
        ("peace — and order", "peace – and order"),
        ("peace—and order", "peace -- and order"),
        ("2025–2030", "2025-2030"),
        ("Russia–Ukraine", "Russia-Ukraine"),
        ("people‑to‑people", "people-to-people"),
        ("co-operation", "cooperation"),
        # whitespace
        ("We  reaffirm\n our\tcommitment", "We reaffirm our commitment"),
        ("peace , and", "peace, and"),
        ("3.5 %", "3.5%"),
        # invisible characters and diacritics
        ("mili\u00adtarisation", "militarization"),
        ("zero\u200bwidth", "zerowidth"),
        ("Türkiye", "Turkiye"),
        ("… …", "... ..."),
        # abbreviation dots
        ("U.S.-Japan alliance", "US-Japan alliance"),
        # spelling: table
        ("defence programme", "defense program"),
        ("the centre of labour", "the center of labor"),
        ("centres, centred", "centers, centered"),
        ("honourable behaviour", "honorable behavior"),
        ("fuelled fulfilment", "fueled fulfillment"),
        ("self-defence", "self-defense"),
        ("towards whilst amongst", "toward while among"),
        # spelling: -ise / -isation / -yse rule
        ("militarisation", "militarization"),
        ("recognise recognised recognising", "recognize recognized recognizing"),
        ("organisations", "organizations"),
        ("analysed paralysing", "analyzed paralyzing"),
        # compounds: closed, hyphenated, open
        ("coastguard", "coast guard"),
        ("coast-guard", "coast guard"),
        ("per cent", "percent"),
        ("cyber-security", "cybersecurity"),
        ("cyber security", "cyber-security"),
        ("long-term", "long term"),
    ],
)
def test_cosmetic_variants_fold_alike(a, b):
    assert fold(a) == fold(b)


@pytest.mark.parametrize(
    "a, b",
    [
        ("will", "may"),
        ("shall", "should"),
        ("its", "it's"),
        ("2024", "2025"),
        ("1,000", "1000"),
        ("we will act", "we will not act"),
        ("condemn", "condemns"),
        ("peace.", "peace"),
        ("dialogue", "dialog, too"),
        ("the analyses", "the analyzes"),  # noun plural left alone (documented cost)
    ],
)
def test_wording_changes_do_not_fold_alike(a, b):
    assert fold(a) != fold(b)


@pytest.mark.parametrize(
    "word",
    [
        "rise", "rises", "rising", "arise", "arising", "raise", "raised", "praise", "precise",
        "concise", "enterprise", "enterprises", "exercise", "exercised", "promise", "promises",
        "promising", "comprise", "comprised", "franchise", "advise", "advised", "adviser",
        "revise", "revised", "supervise", "improvisation", "televise", "compromise", "surprise",
        "surprising", "expertise", "premise", "premises", "otherwise", "likewise", "wise",
        "noise", "cruise", "disguise", "advertise", "advertising", "chastise", "uprising",
        "fundraising", "treatise", "merchandise", "paradise", "crises", "disable", "wiser",
        "liaise", "dialogue", "analyses", "our", "four", "your", "hour", "vigorous",
        "humorous", "laborious", "programmed", "controlled", "president",
        # Plurals of nouns in -is: long enough for the -ise rule, still not verbs.
        "metropolises", "trellises", "pelvises",
    ],
)
def test_americanize_leaves_words_that_are_not_british(word):
    assert americanize(word) == word


@pytest.mark.parametrize(
    "british, american",
    [
        ("militarisation", "militarization"),
        ("defence", "defense"),
        ("programme", "program"),
        ("centre", "center"),
        ("labour", "labor"),
        ("prioritise", "prioritize"),
        ("prioritising", "prioritizing"),
        ("denuclearisation", "denuclearization"),
        ("stabilisation", "stabilization"),
        ("weaponised", "weaponized"),
        ("emphasises", "emphasizes"),
        ("fertilisers", "fertilizers"),
        ("recognisable", "recognizable"),
        ("catalyse", "catalyze"),
        ("analyser", "analyzer"),
        ("kilometres", "kilometers"),
        ("manoeuvres", "maneuvers"),
        ("travelling", "traveling"),
        ("self-defence", "self-defense"),
        ("judgement", "judgment"),
    ],
)
def test_americanize_british_forms(british, american):
    assert americanize(british) == american


def test_spelling_table_is_consistent():
    # Every American form is already American (no chains such as a→b→c), and
    # no line maps a word to itself.
    table = normalize._SPELLING
    assert len(table) > 500
    for british, american in table.items():
        assert british != american
        assert americanize(american) == american, (british, american)


def test_spelling_table_compounds_fold_their_three_forms_alike():
    for parts in normalize._OPEN_COMPOUNDS_RAW:
        open_form = " ".join(parts)
        assert fold(open_form) == fold("".join(parts)) == fold("-".join(parts)), open_form


def test_word_units_join_compounds_and_percent_with_original_text():
    text = "The coast\nguard grew 3 % and per cent."
    units = word_units(text, offset=10)
    assert [(u.text, u.key) for u in units] == [
        ("The", "the"), ("coast\nguard", "coastguard"), ("grew", "grew"),
        ("3 %", "3%"), ("and", "and"), ("per cent", "percent"), (".", "."),
    ]
    for u in units:
        assert text[u.start - 10 : u.end - 10] == u.text


def test_percent_joins_its_number_at_the_very_end_of_a_text():
    assert [(u.text, u.key) for u in word_units("rose by 3 %")] == [("rose", "rose"), ("by", "by"), ("3 %", "3%")]
    assert word_units("%")[0].key == "%" and word_units("3")[0].key == "3"


def test_three_word_compound_with_a_possessive_folds_like_its_closed_form():
    # "people to people" is the table's one three-word compound; the possessive
    # sits on its last part.
    assert fold("people to people's ties") == fold("people-to-people's ties") == "peopletopeople's ties"
    assert fold("people to people ties") == fold("peopletopeople ties")


def test_fold_is_space_joined_keys():
    assert fold("We “reaffirm” the Coastguard’s rôle — in 2025.") == (
        'we " reaffirm " the coastguard\'s role - in 2025 .'
    )


# --- content words ------------------------------------------------------------------


def test_content_words_drop_stop_words_and_punctuation_but_keep_modals_and_negation():
    words = content_words("We will not accept the militarisation of the coastguard, and we may act.")
    assert words == ["will", "not", "accept", "militarization", "coastguard", "may", "act"]


def test_stopwords_exclude_words_that_carry_commitment():
    for word in ("not", "no", "never", "will", "shall", "must", "should", "may", "can", "would"):
        assert word not in STOPWORDS
    assert {"the", "of", "and", "to"} <= STOPWORDS
    # Keys are compared against the list, so it must be in key form.
    assert all(normalize.token_key(w) == w for w in STOPWORDS)


# --- properties --------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.text(), st.integers(min_value=0, max_value=10_000))
def test_tokenize_spans_cover_every_visible_character(text, offset):
    toks = tokenize(text, offset)
    covered = set()
    last = offset
    for t in toks:
        assert t.text
        assert text[t.start - offset : t.end - offset] == t.text
        assert t.start >= last  # in order, never overlapping
        last = t.end
        covered.update(range(t.start - offset, t.end - offset))
    invisible = set(" \u00ad\u200b\u200c\u200d\u2060\ufeff")
    for i, ch in enumerate(text):
        if i not in covered:
            assert ch.isspace() or ch in invisible, (text, i)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_fold_is_idempotent_on_keys(text):
    # Folding is a normal form: the keys are already folded.
    for t in tokenize(text):
        assert normalize.token_key(t.key) == t.key


# Words that build units (open compounds, a number's "%") and the punctuation
# around them, so generated texts hit the joining path, not only plain tokens.
_UNIT_PIECES = st.sampled_from(
    ["coast", "guard", "guard's", "Coast", "per", "cent", "cyber", "defence", "3.5", "12", "%", "％", "cent%",
     "people", "to", "free", "and", "open",
     "Taiwan", "U.S.", "-", "'", ",", ".", " ", "  ", "\n", "\u00ad"]
)


def _units_one_by_one(text):
    """The units, joined by walking every token in order: the plain statement
    of the rule that unit_spans implements by visiting join candidates only."""
    tokens = [(t.start, t.end, t.key) for t in tokenize(text)]
    out, i = [], 0
    while i < len(tokens):
        joined = 1
        for size in normalize._COMPOUND_LENGTHS:
            keys = [k for _, _, k in tokens[i : i + size]]
            if len(keys) == size and tuple(keys[:-1] + [keys[-1].split("'", 1)[0]]) in normalize._OPEN_COMPOUNDS:
                joined = size
                break
        if joined == 1 and i + 1 < len(tokens) and tokens[i + 1][2] == "%" and tokens[i][2][-1:].isdigit():
            joined = 2
        part = tokens[i : i + joined]
        out.append((part[0][0], part[-1][1], "".join(k for _, _, k in part)))
        i += joined
    return out


@settings(max_examples=400, deadline=None)
@given(st.lists(_UNIT_PIECES, max_size=14).map("".join) | st.text())
def test_unit_keys_are_the_keys_of_unit_spans(text):
    # unit_keys is the fast path of the flags' folds; it must never disagree
    # with the units the diff and the rules see, nor with the rule itself.
    spans = normalize.unit_spans(text)
    assert spans == _units_one_by_one(text)
    assert normalize.unit_keys(text) == [k for _, _, k in spans]
    assert spans == [(t.start, t.end, t.key) for t in normalize.word_units(text)]


@pytest.mark.parametrize("text", [
    "people to people ties, coast guard",  # a candidate inside a join, then another join
    "people to people to people",  # overlapping compounds: the first wins
    "% 3 %, coast guard %",  # a "%" opening the text joins nothing
    "free and open free and open",
    "12 % per cent 5%",
])
def test_joins_follow_the_one_by_one_rule(text):
    assert normalize.unit_spans(text) == _units_one_by_one(text)
    assert normalize.unit_keys(text) == [k for _, _, k in _units_one_by_one(text)]


def test_units_join_compounds_and_percent_signs():
    text = "The coast guard's 3.5 % rise, per cent and 12％."
    assert normalize.unit_keys(text) == ["the", "coastguard's", "3.5%", "rise", ",", "percent", "and", "12%", "."]
    spans = normalize.unit_spans(text)
    assert [text[s:e] for s, e, _ in spans][:3] == ["The", "coast guard's", "3.5 %"]


@settings(max_examples=400, deadline=None)
@given(st.text() | st.lists(_UNIT_PIECES | st.sampled_from(["\u00a0", "\u2003", "\u3000", "\x1c", "\u2028"]),
                            max_size=14).map("".join))
def test_keys_chunk_by_chunk_are_the_keys_of_the_whole_text(text):
    # unit_keys tokenises whitespace-separated chunks one by one (and once
    # each): a token never spans whitespace, whatever Unicode calls space.
    assert normalize.unit_keys(text) == [t.key for t in normalize.word_units(text)]


def test_chunk_key_cache_stays_bounded_and_right(monkeypatch):
    from driftlab import normalize

    cache = normalize._ChunkKeys()
    monkeypatch.setattr(normalize._ChunkKeys, "LIMIT", 3)
    monkeypatch.setattr(normalize, "_CHUNK_KEYS", cache)
    words = ["Defence,", "“Taiwan”", "co-operate", "programme.", "(UNSC)"]
    for _ in range(2):
        assert normalize.unit_keys(" ".join(words)) == [k for w in words for k in map(normalize.token_key, normalize._TOKEN_RE.findall(w))]
        assert len(cache) <= 3
    assert normalize.unit_keys("the coast guard") == ["the", "coastguard"]
