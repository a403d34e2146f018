"""segment: paragraphs and sentences with exact character spans."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from driftlab.ingest import load_statement
from driftlab.segment import segment, segment_text, sentence_spans
from driftlab.types import Meta, Statement

ROOT = Path(__file__).resolve().parent.parent
SHARED_CORPUS = ROOT.parent / "shared" / "corpus"
EXAMPLES = ROOT / "corpus" / "examples"


def sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in sentence_spans(text)]


def doc(text: str):
    return segment(Statement(path="<t>", format="text", meta=Meta(), text=text))


# ------------------------------------------------------------ paragraphs --


def test_paragraphs_are_blank_line_separated_blocks():
    text = "  First line\nsame paragraph  \n\n\n \t\nSecond.\n\nThird one."
    d = doc(text)
    assert [p.text for p in d.paragraphs] == ["First line\nsame paragraph", "Second.", "Third one."]
    assert [p.index for p in d.paragraphs] == [0, 1, 2]
    for p in d.paragraphs:
        assert text[p.start : p.end] == p.text


def test_empty_text_has_no_paragraphs():
    assert segment_text("") == []
    assert segment_text("\n  \n") == []


def test_sentence_spans_are_absolute():
    text = "Intro paragraph here.\n\nOne. Two is here. Three!"
    d = doc(text)
    second = d.paragraphs[1]
    assert [s.text for s in second.sentences] == ["One.", "Two is here.", "Three!"]
    assert [s.index for s in second.sentences] == [0, 1, 2]
    for s in second.sentences:
        assert text[s.start : s.end] == s.text
        assert second.start <= s.start < s.end <= second.end


# ------------------------------------------------------------- sentences --


@pytest.mark.parametrize(
    "text, expected",
    [
        # Abbreviations that never end a sentence.
        (
            "Mr. Halloran and Dr. Marrow met St. Clair on Jan. 5. They agreed.",
            ["Mr. Halloran and Dr. Marrow met St. Clair on Jan. 5.", "They agreed."],
        ),
        ("See Box No. 3 of the report. The answer was no. We left.",
         ["See Box No. 3 of the report.", "The answer was no.", "We left."]),
        ("Risks, e.g. Energy prices, i.e. Oil, remain. Next.", ["Risks, e.g. Energy prices, i.e. Oil, remain.", "Next."]),
        # Dotted initialisms: split only before a typical sentence opener.
        (
            "Ties with the U.S. They welcomed the U.S. Department and the ROK-U.S. Alliance in Washington D.C. The end.",
            ["Ties with the U.S.", "They welcomed the U.S. Department and the ROK-U.S. Alliance in Washington D.C.", "The end."],
        ),
        ("Ships, ports, etc. They will meet. Ships, ports, etc. Norway joins.",
         ["Ships, ports, etc.", "They will meet.", "Ships, ports, etc. Norway joins."]),
        # Middle initials.
        ("Kurt M. Campbell spoke. Others listened.", ["Kurt M. Campbell spoke.", "Others listened."]),
        # Closing quotes and brackets stay with their sentence.
        ("He said, “We will act.” They did. ‘Fine.’ Done.", ["He said, “We will act.”", "They did.", "‘Fine.’", "Done."]),
        # No split inside parentheses, but a parenthesised sentence ends at ")".
        (
            "The quota fell (see para. 4. Also Annex B.) and stocks rose. (This is an aside.) Then more.",
            ["The quota fell (see para. 4. Also Annex B.) and stocks rose.", "(This is an aside.)", "Then more."],
        ),
        # An unclosed parenthesis does not swallow the rest of the paragraph.
        ("Items 1) and 2) apply. (Unclosed remark. Next sentence.", ["Items 1) and 2) apply.", "(Unclosed remark.", "Next sentence."]),
        # Numbered items belong to the sentence they introduce.
        ("1. First item.\n2. Second item.", ["1. First item.", "2. Second item."]),
        ("…the Soviet Union. 2. Seventy-seven years later. 3. Today we met.",
         ["…the Soviet Union.", "2. Seventy-seven years later.", "3. Today we met."]),
        ("The war ended in 1945. The peace began.", ["The war ended in 1945.", "The peace began."]),
        # Decimals, lowercase continuations, question and exclamation marks.
        ("The rate is 4.25 per cent. approx. five members agreed? Yes! Done", 
         ["The rate is 4.25 per cent. approx. five members agreed?", "Yes!", "Done"]),
        # List items on their own lines are separate sentences even without punctuation.
        ("Measures:\n- closing the grounds\n- a review", ["Measures:", "- closing the grounds", "- a review"]),
    ],
)
def test_sentence_splitting(text, expected):
    assert sentences(text) == expected


def test_one_long_sentence_is_one_sentence():
    long = "The Ministers, " + ", ".join(f"recalling resolution {i} of the Council" for i in range(200)) + ", agreed."
    assert sentences(long) == [long]


def test_sentence_spans_within_a_range():
    text = "Skip this. Keep one. Keep two. Skip that."
    start = text.index("Keep one")
    end = text.index(" Skip that")
    assert [text[a:b] for a, b in sentence_spans(text, start, end)] == ["Keep one.", "Keep two."]


# ------------------------------------------------------- property checks --

ALPHABET = st.sampled_from(list("aAbU S.!?()”’\"'\n\t1 ") + [". ", "\n\n", "U.S. ", "No. 5", "e.g. ", "(", ")"])


def covers_non_space(text: str, spans: list[tuple[int, int]], lo: int = 0, hi: int | None = None) -> None:
    hi = len(text) if hi is None else hi
    covered = set()
    previous_end = lo
    for a, b in spans:
        assert lo <= previous_end <= a < b <= hi  # ordered, non-overlapping, inside
        assert not text[a].isspace() and not text[b - 1].isspace()  # stripped
        covered.update(range(a, b))
        previous_end = b
    assert {i for i in range(lo, hi) if not text[i].isspace()} <= covered


@settings(max_examples=300, deadline=None)
@given(st.lists(ALPHABET, max_size=80).map("".join))
def test_paragraph_and_sentence_spans_cover_text(text):
    paras = segment_text(text)
    covers_non_space(text, paras)
    for start, end in paras:
        assert "\n\n" not in text[start:end].replace(" ", "").replace("\t", "")
        covers_non_space(text, sentence_spans(text, start, end), start, end)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=120))
def test_spans_cover_arbitrary_unicode(text):
    d = doc(text)
    covers_non_space(text, [(p.start, p.end) for p in d.paragraphs])
    for p in d.paragraphs:
        covers_non_space(text, [(s.start, s.end) for s in p.sentences], p.start, p.end)
        assert all(s.text == text[s.start : s.end] for s in p.sentences)


# -------------------------------------------------------------- real data --


def test_examples_segment():
    old = segment(load_statement(EXAMPLES / "2031-03-12_bank_of_arden_policy_statement.txt"))
    new = segment(load_statement(EXAMPLES / "2031-05-07_bank_of_arden_policy_statement.txt"))
    assert len(old.paragraphs) == 7 and len(new.paragraphs) == 8
    # "Box No. 3" and "e.g. on wages" do not end sentences.
    assert [s.text for s in old.paragraphs[3].sentences] == [
        "Global conditions remain uncertain.",
        "Energy prices have been volatile since the closure of the Northern Pipeline "
        "(see Box No. 3 of the March Report), and a sharp rise in shipping costs would add "
        "to imported inflation.",
    ]
    assert len(old.paragraphs[4].sentences) == 2
    assert new.paragraphs[3].text == old.paragraphs[5].text  # the moved, unchanged paragraph


@pytest.mark.shared
def test_seed_has_15_paragraphs(seed_path):
    d = segment(load_statement(seed_path))
    assert len(d.paragraphs) == 15
    assert d.paragraphs[0].text.startswith("The 1st Vice Foreign Minister")
    assert d.paragraphs[-1].text.startswith("The Vice Ministers and the Deputy Secretary highlighted")
    # "Kurt M. Campbell", "ROK-U.S. Alliance" and "Washington D.C. later" stay inside sentences.
    assert len(d.paragraphs[0].sentences) == 2
    assert len(d.paragraphs[4].sentences) == 2
    assert d.paragraphs[13].sentences[-1].text.endswith("Washington D.C. later this year.")


@pytest.mark.shared
def test_every_shared_corpus_file_loads_and_segments():
    files = sorted(SHARED_CORPUS.rglob("*.txt"))
    if not files:
        pytest.skip(f"real corpus not available: {SHARED_CORPUS} (../shared is absent)")
    partial = 0
    for f in files:
        s = load_statement(f)
        d = segment(s)
        assert d.paragraphs, f
        assert all(p.sentences for p in d.paragraphs), f
        partial += s.meta.partial
        # The first gold files count paragraphs as blank-line blocks after
        # the front matter; only one-paragraph-per-line blocks and inline
        # list items may add paragraphs.
        body = f.read_text(encoding="utf-8").split("\n---\n", 1)[1]
        blocks = [b for b in re.split(r"\n\s*\n", body) if b.strip()]
        assert len(d.paragraphs) >= len(blocks), f
        if str(f.relative_to(SHARED_CORPUS)) in _gold_paths():
            assert len(d.paragraphs) == len(blocks), f
    assert partial >= 1  # the partial openings were among them


def _gold_paths() -> set[str]:
    """Corpus files the hand-written gold files index by paragraph."""
    import json

    from .conftest import GOLD

    paths = set()
    for g in GOLD.glob("align_*.json"):
        spec = json.loads(g.read_text(encoding="utf-8"))
        paths |= {spec["old"], spec["new"]}
    return paths - {"seed"}


def test_one_paragraph_per_line_blocks_are_split():
    lines = [f"Sentence number {k} ends here with a full stop." for k in range(5)]
    text = "Heading\n\n" + "\n".join(lines)
    spans = segment_text(text)
    assert [text[s:e] for s, e in spans] == ["Heading"] + lines


def test_hard_wrapped_prose_stays_one_paragraph():
    text = ("Today, humanity has once again come to a historical crossroads. We are facing a changing and\n"
            "turbulent world. Challenges of insecurity, imbalanced development and ineffective governance are\n"
            "increasingly prominent. Hotspot conflicts, major-country confrontation and geopolitical tensions\n"
            "keep emerging. The future of this planet is becoming a cause for growing concern. Meanwhile, we\n"
            "are also embracing a world full of hope.")
    assert segment_text(text) == [(0, len(text))]


def test_short_blocks_of_long_lines_keep_the_gold_convention():
    # Two or three lines in one block stay one paragraph, as gold files count them.
    text = "First long line of a paragraph that ends.\nSecond line that also ends.\nThird one too."
    assert segment_text(text) == [(0, len(text))]


def test_inline_bullets_run_together_are_items():
    text = ("- At the one-year mark we met. We condemn the war. - Russia started this war. "
            "We call on Russia to stop. - We welcome the resolution.")
    assert [text[s:e] for s, e in segment_text(text)] == [
        "- At the one-year mark we met. We condemn the war.",
        "- Russia started this war. We call on Russia to stop.",
        "- We welcome the resolution.",
    ]


def test_one_dash_inside_prose_is_not_a_list():
    text = "We met in Seoul. - Later we agreed on a plan - and kept it."
    assert segment_text(text) == [(0, len(text))]


def test_inline_numbered_sections_need_a_counting_run():
    text = "1. Today we met. 2. Seventy-seven years later, war. 3. Today, we were joined."
    assert [text[s:e] for s, e in segment_text(text)] == [
        "1. Today we met.", "2. Seventy-seven years later, war.", "3. Today, we were joined."]
    lone = "We spent 5. Then came the rest. The budget is 12. Other things follow."
    assert segment_text(lone) == [(0, len(lone))]
