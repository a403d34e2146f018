"""Word diff of alignment links: exact opcodes, chunk merging, splits and
merges, added/dropped passages, offsets, and two properties: restore()
rebuilds both sides, and cosmetic edits never show as wording changes."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from driftlab import normalize
from driftlab.diff import change_ratio, changed_segments, restore, word_diff
from driftlab.normalize import fold, tokenize

from .conftest import shared_file

TAGS = {"equal", "cosmetic", "replace", "delete", "insert"}


def whole(text: str) -> list[tuple[int, int]]:
    return [(0, len(text))] if text else []


def side_tokens(text: str, spans) -> str:
    return " ".join(t.text for s, e in spans for t in tokenize(text[s:e], s))


def check_invariants(ops, old, old_spans, new, new_spans):
    """What every diff must satisfy, whatever the texts."""
    assert restore(ops, old, new, "old") == side_tokens(old, old_spans)
    assert restore(ops, old, new, "new") == side_tokens(new, new_spans)
    last_i = last_j = 0
    for tag, i1, i2, j1, j2 in ops:
        assert tag in TAGS
        assert last_i <= i1 <= i2 and last_j <= j1 <= j2
        last_i, last_j = i2, j2
        # No op reaches across a paragraph boundary.
        if i2 > i1:
            assert any(s <= i1 and i2 <= e for s, e in old_spans)
        if j2 > j1:
            assert any(s <= j1 and j2 <= e for s, e in new_spans)
        if tag == "equal":
            assert old[i1:i2] == new[j1:j2]
        elif tag == "cosmetic":
            assert old[i1:i2] != new[j1:j2] and fold(old[i1:i2]) == fold(new[j1:j2])
        elif tag == "delete":
            assert i2 > i1 and j1 == j2
        elif tag == "insert":
            assert i1 == i2 and j2 > j1
        else:
            assert i2 > i1 and j2 > j1
    ratio = change_ratio(ops, old, new)
    assert 0.0 <= ratio <= 1.0


def diff(old: str, new: str):
    return word_diff(old, whole(old), new, whole(new))


# --- exact opcodes ------------------------------------------------------------------


def test_identical_paragraphs_are_one_equal_op():
    text = "We reaffirm our commitment to peace."
    assert diff(text, text) == (("equal", 0, len(text), 0, len(text)),)
    assert change_ratio(diff(text, text)) == 0.0


def test_short_equal_runs_between_changes_merge_into_one_replace():
    old = "We strongly support the peace process in the region."
    new = "We firmly support a peace process for the region."
    # "support" (1 token) and "peace process" (2 tokens) sit between changes,
    # so the analyst reads one change instead of three.
    assert diff(old, new) == (
        ("equal", 0, 2, 0, 2),
        ("replace", 3, 40, 3, 37),
        ("equal", 41, 52, 38, 49),
    )
    assert old[3:40] == "strongly support the peace process in"
    assert new[3:37] == "firmly support a peace process for"


def test_long_equal_runs_separate_changes():
    old = "We strongly support the peace process in the northern region today."
    new = "We firmly support the peace process in the northern region now."
    ops = diff(old, new)
    assert [op[0] for op in ops] == ["equal", "replace", "equal", "replace", "equal"]
    assert changed_segments(ops, old, new) == [
        ("replace", "strongly", "firmly"),
        ("replace", "today", "now"),
    ]


def test_stop_word_runs_between_changes_merge():
    old = "Leaders discussed trade and of the climate."
    new = "Ministers reviewed security and of the oceans."
    # "and of the" is 3 stop words: no meaning on its own, so bridged.
    ops = diff(old, new)
    assert [op[0] for op in ops] == ["replace", "equal"]


def test_content_runs_of_three_are_not_bridged():
    old = "Leaders discussed trade with Pacific island states today."
    new = "Ministers discussed energy with Pacific island states now."
    ops = diff(old, new)
    # "discussed" (one word) is bridged; "with Pacific island states" is not.
    assert [op[0] for op in ops] == ["replace", "equal", "replace", "equal"]
    assert old[ops[1][1] : ops[1][2]] == "with Pacific island states"
    assert changed_segments(ops, old, new)[0] == (
        "replace", "Leaders discussed trade", "Ministers discussed energy"
    )


def test_insert_and_delete_offsets_point_at_the_words():
    old = "We condemn the attacks on the ships and we call for restraint."
    new = "We condemn the repeated attacks on the ships and we call for restraint by all."
    ops = diff(old, new)
    inserts = [op for op in ops if op[0] == "insert"]
    assert [new[j1:j2] for _, _, _, j1, j2 in inserts] == ["repeated", "by all"]
    for _, i1, i2, _, _ in inserts:
        assert i1 == i2
    assert old[inserts[0][1] - 4 : inserts[0][1]] == " the"  # after "the"

    deleted = diff(new, old)
    dels = [op for op in deleted if op[0] == "delete"]
    assert [new[i1:i2] for _, i1, i2, _, _ in dels] == ["repeated", "by all"]
    check_invariants(ops, old, whole(old), new, whole(new))


def test_changed_words_offsets_inside_full_statement_text():
    old = "Title\n\nFirst paragraph stays.\n\nWe will defend the islands."
    new = "Title\n\nFirst paragraph stays.\n\nWe may defend the islands."
    o_span = [(old.index("We"), len(old))]
    n_span = [(new.index("We"), len(new))]
    ops = word_diff(old, o_span, new, n_span)
    (tag, i1, i2, j1, j2), = [op for op in ops if op[0] not in ("equal", "cosmetic")]
    assert (tag, old[i1:i2], new[j1:j2]) == ("replace", "will", "may")
    assert ops[0][1] == o_span[0][0] and ops[-1][2] == len(old)


# --- cosmetic classes ----------------------------------------------------------------


@pytest.mark.parametrize(
    "old, new",
    [
        ("the “rules-based” order", 'the "rules-based" order'),
        ("Russia’s war", "Russia's war"),
        ("peace — and order", "peace -- and order"),
        ("ROK–US–Japan cooperation", "ROK-US-Japan co-operation"),
        ("We  reaffirm\nour\u00a0commitment", "We reaffirm our commitment"),
        ("the coastguard's militarisation", "the coast guard's militarization"),
        ("defence programme centre labour", "defense program center labor"),
        ("3.5 per cent growth", "3.5 percent growth"),
        ("U.S.-Japan alliance", "US-Japan alliance"),
    ],
)
def test_cosmetic_differences_are_never_changes(old, new):
    ops = diff(old, new)
    assert {op[0] for op in ops} <= {"equal", "cosmetic"}
    assert "cosmetic" in {op[0] for op in ops}
    assert change_ratio(ops) == 0.0 == change_ratio(ops, old, new)
    assert changed_segments(ops, old, new) == []
    check_invariants(ops, old, whole(old), new, whole(new))


def test_cosmetic_op_is_local_to_the_variant_word():
    old = "We support the defence of the region and its people."
    new = "We support the defense of the region and its people."
    assert diff(old, new) == (
        ("equal", 0, 14, 0, 14),
        ("cosmetic", 15, 22, 15, 22),
        ("equal", 23, len(old), 23, len(new)),
    )


def test_spacing_difference_shows_on_the_two_words_around_it():
    old = "We support the  defense of the region."
    new = "We support the defense of the region."
    ops = diff(old, new)
    assert [op[0] for op in ops] == ["equal", "cosmetic", "equal"]
    _, i1, i2, j1, j2 = ops[1]
    assert (old[i1:i2], new[j1:j2]) == ("the  defense", "the defense")


# --- splits, merges, added and dropped passages ------------------------------------------


def test_split_one_old_paragraph_into_two_new():
    old = "Alpha talks began and Beta talks ended in the capital."
    new = "Alpha talks began.\n\nBeta talks ended."
    new_spans = [(0, 18), (20, len(new))]
    ops = word_diff(old, whole(old), new, new_spans)
    assert ops == (
        ("equal", 0, 17, 0, 17),
        ("replace", 18, 21, 17, 18),  # "and" → "."
        ("equal", 22, 38, 20, 36),
        ("delete", 39, 53, 36, 36),
        ("equal", 53, 54, 36, 37),
    )
    check_invariants(ops, old, whole(old), new, new_spans)


def test_merge_of_non_adjacent_paragraphs_never_covers_the_text_between():
    old = "Ships will patrol.\n\nUNRELATED MIDDLE PARAGRAPH.\n\nPlanes will fly."
    new = "Ships will patrol and planes will fly."
    old_spans = [(0, 18), (old.index("Planes"), len(old))]
    ops = word_diff(old, old_spans, new, whole(new))
    check_invariants(ops, old, old_spans, new, whole(new))
    for _, i1, i2, _, _ in ops:
        assert "UNRELATED" not in old[i1:i2]
    assert changed_segments(ops, old, new) == [("replace", ".", "and")]


def test_changes_at_a_paragraph_boundary_are_split_per_paragraph():
    old = "One two three.\n\nFour five six."
    new = "One two seven eight nine five six."
    old_spans = [(0, 14), (16, len(old))]
    ops = word_diff(old, old_spans, new, whole(new))
    check_invariants(ops, old, old_spans, new, whole(new))
    changes = [op for op in ops if op[0] not in ("equal", "cosmetic")]
    assert [old[i1:i2] for _, i1, i2, _, _ in changes] == ["three.", "Four"]


def test_added_passage_is_one_insert():
    new = "We launch a new maritime initiative."
    ops = word_diff("Old text.", [], new, whole(new))
    assert ops == (("insert", 0, 0, 0, len(new)),)
    assert change_ratio(ops) == 1.0
    assert changed_segments(ops, "Old text.", new) == [
        ("insert", "", "We launch a new maritime initiative .")
    ]


def test_dropped_passage_is_one_delete():
    old = "Intro.\n\nWe end the old programme."
    span = [(8, len(old))]
    ops = word_diff(old, span, "", [])
    assert ops == (("delete", 8, len(old), 0, 0),)
    assert restore(ops, old, "", "new") == ""
    assert restore(ops, old, "", "old") == "We end the old programme ."


def test_both_sides_empty():
    assert word_diff("", [], "", []) == ()
    assert word_diff("   ", [(0, 3)], "\n", [(0, 1)]) == ()
    assert change_ratio(()) == 0.0


def test_restore_rejects_an_unknown_side():
    with pytest.raises(ValueError, match="'old' or 'new'"):
        restore((), "", "", "both")


def test_change_ratio_counts_tokens_or_characters():
    old = "We will act now."
    new = "We may act now."
    ops = diff(old, new)
    # 10 tokens in all, "will" and "may" changed.
    assert change_ratio(ops, old, new) == pytest.approx(2 / 10)
    # Without texts: characters of the op spans ("We", "will"/"may", "act now.").
    assert change_ratio(ops) == pytest.approx((4 + 3) / (2 + 2 + 4 + 3 + 8 + 8))


# --- properties ----------------------------------------------------------------------------

VOCAB = ["the", "of", "and", "peace", "security", "Korea", "will", "may", ",", ".", "—", "“", "”", "Russia’s", "3.5%", "long-term"]


@st.composite
def paragraphs(draw, alphabet_text: bool):
    if alphabet_text:
        paras = draw(st.lists(st.text(max_size=40), max_size=3))
    else:
        words = st.lists(st.sampled_from(VOCAB), max_size=15)
        seps = st.sampled_from([" ", "  ", "\n", ""])
        paras = [
            "".join(w + draw(seps) for w in ws)
            for ws in draw(st.lists(words, max_size=3))
        ]
    text, spans = "", []
    for p in paras:
        start = len(text)
        text += p
        spans.append((start, len(text)))
        text += "\n\n"
    return text, spans


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.booleans(), st.data())
def test_restore_rebuilds_both_sides(arbitrary, data):
    old, old_spans = data.draw(paragraphs(arbitrary))
    new, new_spans = data.draw(paragraphs(arbitrary))
    ops = word_diff(old, old_spans, new, new_spans)
    check_invariants(ops, old, old_spans, new, new_spans)
    if fold(side_tokens(old, old_spans)) == fold(side_tokens(new, new_spans)):
        assert change_ratio(ops) == 0.0


# Pieces of a statement, each with its cosmetic variants.
_SPELLING_PAIRS = sorted(normalize._SPELLING.items())
_RULE_PAIRS = [
    ("militarisation", "militarization"),
    ("recognised", "recognized"),
    ("organisations", "organizations"),
    ("analyse", "analyze"),
    ("prioritising", "prioritizing"),
]
_COMPOUNDS = sorted(normalize._OPEN_COMPOUNDS_RAW)
_PLAIN = ["we", "reaffirm", "the", "alliance", "and", "Indo-Pacific", "will", "not", "2025", "1,000"]
_QUOTES = [('"', '"'), ("“", "”"), ("„", "“"), ("«", "»")]
_SQUOTES = [("'", "'"), ("‘", "’")]
_DASHES = [" — ", " – ", " - ", " -- ", "—", "--"]
_SPACES = [" ", "  ", "\n", "\u00a0", " \t ", "\u2009"]


@st.composite
def variant_text_pair(draw):
    """One statement rendered twice with independently chosen cosmetic styles."""
    pieces = draw(
        st.lists(
            st.one_of(
                st.tuples(st.just("word"), st.sampled_from(_PLAIN)),
                st.tuples(st.just("spell"), st.sampled_from(_SPELLING_PAIRS + _RULE_PAIRS)),
                st.tuples(st.just("compound"), st.sampled_from(_COMPOUNDS)),
                st.tuples(st.just("quoted"), st.sampled_from(_PLAIN)),
                st.tuples(st.just("squoted"), st.sampled_from(_PLAIN)),
                st.tuples(st.just("possessive"), st.sampled_from(["Russia", "Japan", "China"])),
                st.tuples(st.just("dash"), st.just("")),
                st.tuples(st.just("punct"), st.sampled_from([",", ".", ";", ":"])),
                st.tuples(st.just("percent"), st.sampled_from(["3.5", "40", "1,000"])),
            ),
            min_size=1,
            max_size=25,
        )
    )

    def render() -> str:
        out = []
        for kind, value in pieces:
            if kind == "word":
                piece = value
            elif kind == "spell":
                piece = draw(st.sampled_from(value))
            elif kind == "compound":
                form = draw(st.sampled_from([" ", "-", "\u2011", ""]))
                piece = form.join(value) if form != " " else draw(st.sampled_from(_SPACES)).join(value)
            elif kind == "quoted":
                left, right = draw(st.sampled_from(_QUOTES))
                piece = f"{left}{value}{right}"
            elif kind == "squoted":
                left, right = draw(st.sampled_from(_SQUOTES))
                piece = f"{left}{value}{right}"
            elif kind == "possessive":
                piece = value + draw(st.sampled_from(["'s", "’s"]))
            elif kind == "dash":
                piece = draw(st.sampled_from(_DASHES))
            elif kind == "percent":
                piece = value + draw(st.sampled_from(["%", " %"]))
            else:
                piece = value
            if draw(st.booleans()) and piece[:1].isalpha():
                piece = piece[0].upper() + piece[1:]
            # Punctuation may hug the previous word; words never touch.
            if kind == "punct" and out and out[-1][-1:].isalnum() and draw(st.booleans()):
                out.append(piece)
            elif kind == "dash" and not piece.startswith(" ") and out and out[-1][-1:].isalnum():
                out.append(draw(st.sampled_from(_SPACES)) + piece)
            else:
                out.append(draw(st.sampled_from(_SPACES)) + piece)
        return "".join(out) + draw(st.sampled_from(["", " ", "\n"]))

    return render(), render()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(variant_text_pair())
def test_cosmetic_edits_are_never_wording_changes(pair):
    old, new = pair
    ops = diff(old, new)
    assert {op[0] for op in ops} <= {"equal", "cosmetic"}, [
        (op[0], old[op[1] : op[2]], new[op[3] : op[4]]) for op in ops
    ]
    assert change_ratio(ops) == 0.0
    assert change_ratio(ops, old, new) == 0.0
    assert fold(old) == fold(new)
    check_invariants(ops, old, whole(old), new, whole(new))


# --- performance ----------------------------------------------------------------------------


def test_a_communique_sized_set_of_links_diffs_to_the_changed_words():
    # Its time is measured by bench/synthetic_speed.py (no timed unit tests).
    base = (
        "We reaffirm our commitment to a free and open Indo-Pacific, based on the rule of law, "
        "and we strongly oppose any unilateral attempts to change the status quo by force or coercion. "
    ) * 3
    old_parts, new_parts = [], []
    for k in range(300):
        old_parts.append(f"{k}. {base}")
        new_parts.append(f"{k + 1}. {base.replace('strongly', 'firmly').replace('defence', 'defense')}")
    old, new = "\n\n".join(old_parts), "\n\n".join(new_parts)
    o_spans = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", old)]
    n_spans = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", new)]
    for k, (a, b) in enumerate(zip(o_spans, n_spans)):
        changed = [(old[i1:i2], new[j1:j2]) for tag, i1, i2, j1, j2 in word_diff(old, [a], new, [b])
                   if tag != "equal"]
        # The list number and "strongly" → "firmly" (three times) change; nothing else does.
        assert changed[0] == (str(k), str(k + 1))
        assert changed[1:] == [("strongly", "firmly")] * 3


# --- real statements --------------------------------------------------------------------------


def _paragraph(path, needle: str) -> tuple[str, tuple[int, int]]:
    text = path.read_text(encoding="utf-8")
    for m in re.finditer(r"[^\n]+", text):
        if needle in m.group():
            return text, (m.start(), m.end())
    raise AssertionError(f"{needle!r} not found in {path}")


@pytest.mark.shared
def test_real_g7_south_china_sea_paragraph():
    old, o = _paragraph(
        shared_file("g7/2023-05-20_g7_hiroshima_leaders_communique.txt"),
        "There is no legal basis for China’s expansive maritime claims",
    )
    new, n = _paragraph(
        shared_file("g7/2024-06-14_g7_apulia_leaders_communique.txt"),
        "there is no legal basis for China’s expansive maritime claims",
    )
    ops = word_diff(old, [o], new, [n])
    check_invariants(ops, old, [o], new, [n])
    segments = changed_segments(ops, old, new)
    olds = [s[1] for s in segments]
    news = [s[2] for s in segments]
    # What an analyst must see: the militarisation sentence widened, the
    # emphasis renewed, UNCLOS spelled out, the date restyled.
    assert any("coercive and intimidation" in s for s in news)
    assert any(s.endswith("re-emphasize") for s in news)
    assert any("United Nations Convention on the Law of the Sea" in s for s in news)
    assert any("July 12 , 2016" in s for s in olds)
    # The core sentence carried over unchanged is one equal run.
    carried = "no legal basis for China’s expansive maritime claims in the South China Sea"
    assert any(t == "equal" and carried in old[i1:i2] for t, i1, i2, _, _ in ops)
    assert 0.3 < change_ratio(ops, old, new) < 0.9


@pytest.mark.shared
def test_real_g7_self_defence_is_cosmetic_but_right_to_of_is_not():
    old, o = _paragraph(
        shared_file("g7/2024-02-24_g7_leaders_statement_ukraine_anniversary.txt"),
        "right to self-defence",
    )
    new, n = _paragraph(
        shared_file("g7/2024-06-14_g7_apulia_leaders_communique.txt"),
        "right of self-defense",
    )
    ops = word_diff(old, [o], new, [n])
    check_invariants(ops, old, [o], new, [n])
    cosmetic = [(old[i1:i2], new[j1:j2]) for t, i1, i2, j1, j2 in ops if t == "cosmetic"]
    assert ("self-defence", "self-defense") in cosmetic
    segments = changed_segments(ops, old, new)
    assert not any("self-defence" in s[1] for s in segments)
    assert ("replace", "to", "of") in segments
    assert any("will continue to" in s[1] for s in segments)


def _americanized_restyled(text: str) -> str:
    """A real paragraph as an American editor with other habits would retype it."""
    from driftlab.normalize import americanize

    def word(m: re.Match) -> str:
        w = m.group()
        low = americanize(w.lower())
        if low == w.lower():
            return w
        return low.capitalize() if w[0].isupper() else low

    text = re.sub(r"[A-Za-z]+", word, text)
    text = text.replace("’", "'").replace("“", '"').replace("”", '"')
    text = text.replace(" – ", " — ").replace(", ", " ,  ")
    return text


@pytest.mark.shared
def test_real_communique_restyled_has_no_wording_change():
    path = shared_file("g7/2021-06-13_g7_carbis_bay_leaders_communique.txt")
    old = path.read_text(encoding="utf-8")
    new = _americanized_restyled(old)
    assert new != old
    o_spans = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", old)]
    n_spans = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", new)]
    assert len(o_spans) == len(n_spans)
    cosmetic = 0
    for a, b in zip(o_spans, n_spans):
        ops = word_diff(old, [a], new, [b])
        assert {op[0] for op in ops} <= {"equal", "cosmetic"}, changed_segments(ops, old, new)
        cosmetic += sum(op[0] == "cosmetic" for op in ops)
    assert cosmetic > 100


# --- edges of the bridging rule and of paragraph boundaries (found by mutation testing) ----


def test_the_docstring_example_is_one_change_even_at_the_end_of_the_text():
    # The last change of a link is still "between two changes" for the run before it.
    old, new = "They strongly condemn the war", "They firmly condemn the aggression"
    assert changed_segments(diff(old, new), old, new) == [
        ("replace", "strongly condemn the war", "firmly condemn the aggression")
    ]


def test_four_stop_words_between_changes_are_bridged_five_are_not():
    four = diff("Leaders discussed trade , and of the climate", "Ministers reviewed security , and of the oceans")
    assert [op[0] for op in four] == ["replace"]
    five = diff("Leaders discussed trade , and of the the climate", "Ministers reviewed security , and of the the oceans")
    assert [op[0] for op in five] == ["replace", "equal", "replace"]


def test_long_paragraphs_diff_like_short_ones():
    # autojunk off: in 200+ units, frequent words would otherwise be junk and
    # one changed word would turn the whole paragraph into one replace.
    sentence = "the ministers of the two countries met in the capital and agreed on the plan . "
    old = sentence * 20
    new = sentence * 10 + sentence.replace("agreed", "disagreed") + sentence * 9
    assert len(tokenize(old)) > 200
    assert changed_segments(diff(old, new), old, new) == [("replace", "agreed", "disagreed")]


def test_bridge_checks_the_units_on_both_sides_of_the_run():
    # Merge: a change opening the old second paragraph, two equal units, a
    # change: all inside that paragraph, so bridged.
    old = "Alpha beta.\n\nGamma delta epsilon zeta."
    new = "Alpha beta. Omega delta epsilon theta."
    spans = [(0, 11), (13, len(old))]
    ops = word_diff(old, spans, new, whole(new))
    check_invariants(ops, old, spans, new, whole(new))
    assert changed_segments(ops, old, new) == [("replace", "Gamma delta epsilon zeta", "Omega delta epsilon theta")]
    # Merge: a change, two equal units ending the first paragraph, a change
    # that is the second paragraph: not bridged across the break.
    old = "Alpha beta gamma.\n\nDelta"
    new = "Alpha omega gamma. Sigma"
    spans = [(0, 17), (19, len(old))]
    ops = word_diff(old, spans, new, whole(new))
    check_invariants(ops, old, spans, new, whole(new))
    assert changed_segments(ops, old, new) == [("replace", "beta", "omega"), ("replace", "Delta", "Sigma")]


@pytest.mark.parametrize("side", ["split", "merge"])
def test_a_paragraph_break_is_no_spacing_difference(side):
    # The same words cut into paragraphs differently: nothing changed, and the
    # break (blank line vs space) is not shown as a cosmetic difference.
    one = "We met in Rome today. We agreed on the plan. We will meet again."
    two = "We met in Rome today.\n\nWe agreed on the plan. We will meet again."
    two_spans = [(0, 21), (23, len(two))]
    if side == "split":
        ops = word_diff(one, whole(one), two, two_spans)
        check_invariants(ops, one, whole(one), two, two_spans)
    else:
        ops = word_diff(two, two_spans, one, whole(one))
        check_invariants(ops, two, two_spans, one, whole(one))
    assert {op[0] for op in ops} == {"equal"}
    assert change_ratio(ops) == 0.0


def test_change_ratio_needs_both_texts_to_count_tokens():
    old, new = "We will act now.", "We may act now."
    ops = diff(old, new)
    # With one text missing it falls back to characters, as with none.
    assert change_ratio(ops, old, None) == change_ratio(ops, None, new) == change_ratio(ops)
    assert change_ratio(ops, old, new) == pytest.approx(2 / 10)


def test_insert_after_the_first_word_points_between_the_words():
    old, new = "We condemn the attack.", "We strongly condemn the attack."
    inserts = [op for op in diff(old, new) if op[0] == "insert"]
    assert inserts == [("insert", 2, 2, 3, 11)]  # after "We" in old, "strongly" in new


def test_a_run_crossing_a_one_word_paragraph_is_not_bridged():
    # Merge whose first paragraph is a single unit: the equal run "Preamble
    # Trade" crosses the break, so the insert before it is not bridged.
    old = "Preamble\n\nTrade grew fast"
    new = "Today Preamble Trade rose fast"
    spans = [(0, 8), (10, len(old))]
    ops = word_diff(old, spans, new, whole(new))
    check_invariants(ops, old, spans, new, whole(new))
    assert changed_segments(ops, old, new) == [("insert", "", "Today"), ("replace", "grew", "rose")]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from("we the a condemn strongly concern grave Taiwan peace , .".split()), max_size=40),
       st.lists(st.sampled_from("we the a condemn strongly concern grave Taiwan peace , .".split()), max_size=40))
def test_compiled_sequence_matcher_gives_difflibs_opcodes(a, b):
    # The word diff relies on cydifflib being difflib's algorithm, not another one.
    import difflib

    import cydifflib

    want = difflib.SequenceMatcher(None, a, b, autojunk=False)
    got = cydifflib.SequenceMatcher(None, a, b, autojunk=False)
    assert [tuple(o) for o in got.get_opcodes()] == want.get_opcodes()
    assert [tuple(m) for m in got.get_matching_blocks()] == [tuple(m) for m in want.get_matching_blocks()]
