"""Segment: split a statement's text into paragraphs and sentences.

A paragraph is a maximal run of non-blank lines; one or more blank lines
separate paragraphs. Gold alignment files written by hand count paragraphs
this way ("paragraph *i* is the *i*-th blank-line-separated block after the
front matter"), so this rule must not get cleverer — with one exception:
a block of four or more lines most of which end a sentence is a text that
puts one paragraph per line (UN General Debate speeches, pasted bullet
lists); its lines are its paragraphs. Hard-wrapped prose (lines cut at a
fixed width, mostly mid-sentence) stays one paragraph per block.

Sentences are found with a rule-based splitter tuned for diplomatic prose:
it knows the abbreviations these texts use (U.S., D.C., No. 5, Mr., e.g.,
Jan.…), does not split inside parentheses, keeps closing quotes with their
sentence and treats "1." at the start of a line as a list number.

A sentence longer than ``max_sentence_chars`` (text without punctuation,
a table flattened into one line) is cut into pieces of at most that size, at
the last clause boundary (``;`` ``:`` ``,`` or a dash) in the second half of
the window, else at the last space, else mid-word. Later stages compare
sentences pairwise and scan each for phrases; bounding the length keeps
every one of them linear in the statement, and the report still shows all
of the text. Likewise a block longer than ``max_paragraph_chars`` (a whole
statement without blank lines) is cut into paragraphs at sentence ends: the
word diff of a linked pair is quadratic in the paragraphs' length.

Every span is ``(start, end)`` into the statement text, stripped of
surrounding whitespace, so ``text[start:end]`` is the paragraph or sentence.
Segmentation is linear in the text: no step rescans a paragraph per
sentence or per line.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from .normalize import STOPWORDS
from .settings import Settings
from .types import Document, Paragraph, Sentence, Statement

__all__ = ["segment", "segment_text", "sentence_spans", "cut_long"]

#: Defaults of the ``max_sentence_chars`` and ``max_paragraph_chars`` settings.
MAX_SENTENCE_CHARS = Settings.max_sentence_chars
MAX_PARAGRAPH_CHARS = Settings.max_paragraph_chars


def segment(
    statement: Statement,
    max_sentence_chars: int = MAX_SENTENCE_CHARS,
    max_paragraph_chars: int = MAX_PARAGRAPH_CHARS,
) -> Document:
    """Split ``statement.text`` into paragraphs, each with its sentences.

    Sentences longer than ``max_sentence_chars`` are cut (see :func:`cut_long`);
    blocks longer than ``max_paragraph_chars`` become several paragraphs,
    cut between sentences.
    """
    text = statement.text
    paragraphs = []
    for start, end in segment_text(text):
        spans = [
            piece
            for s, e in sentence_spans(text, start, end)
            for piece in cut_long(text, s, e, max_sentence_chars)
        ]
        for group in _paragraph_groups(spans, start, end, max_paragraph_chars):
            a, b = group[0][0], group[-1][1]
            sentences = tuple(
                Sentence(index=s_index, start=s, end=e, text=text[s:e]) for s_index, (s, e) in enumerate(group)
            )
            paragraphs.append(
                Paragraph(index=len(paragraphs), start=a, end=b, text=text[a:b], sentences=sentences)
            )
    return Document(statement=statement, paragraphs=tuple(paragraphs))


def _paragraph_groups(
    spans: list[tuple[int, int]], start: int, end: int, max_chars: int
) -> list[list[tuple[int, int]]]:
    """Sentence spans grouped into paragraphs of at most ``max_chars`` (a single
    longer sentence stays whole); one group when the block fits."""
    if end - start <= max_chars or len(spans) < 2:
        return [spans] if spans else [[(start, end)]]
    groups: list[list[tuple[int, int]]] = [[]]
    for s, e in spans:
        if groups[-1] and e - groups[-1][0][0] > max_chars:
            groups.append([])
        groups[-1].append((s, e))
    return groups


def segment_text(text: str) -> list[tuple[int, int]]:
    """Paragraph spans of ``text``: blocks of non-blank lines, stripped."""
    spans: list[tuple[int, int]] = []
    block_start: int | None = None
    block_end = 0
    pos = 0
    for line in text.split("\n"):
        line_end = pos + len(line)
        if line.strip():
            if block_start is None:
                block_start = pos + (len(line) - len(line.lstrip()))
            block_end = line_end - (len(line) - len(line.rstrip()))
        elif block_start is not None:
            spans.append((block_start, block_end))
            block_start = None
        pos = line_end + 1
    if block_start is not None:
        spans.append((block_start, block_end))
    out: list[tuple[int, int]] = []
    for start, end in spans:
        for s, e in _line_paragraphs(text, start, end) or [(start, end)]:
            out.extend(_inline_items(text, s, e))
    return out


#: An inline bullet after a sentence end: "… the war. - Russia started …".
_INLINE_BULLET = re.compile(r"""(?<=[.!?;:"'”’)\]])[ \t]+(?=[-•▪●][ \t]+["“‘(]?[A-Z])""")
#: An inline section number after a sentence end: "… Soviet Union. 2. Seventy…".
_INLINE_NUMBER = re.compile(r"""(?<=[.!?;"'”’)\]])[ \t]+(?=(\d{1,2})\.[ \t]+["“‘(]?[A-Z])""")
#: Inline markers a block needs before its items count as separate passages:
#: one stray " - " inside a sentence is a dash, not a list.
INLINE_ITEMS_MIN = 2


def _inline_items(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split a paragraph whose list items were run together on one line.

    Scraped statements sometimes lose the line breaks of a bulleted or
    numbered list, leaving one block of a thousand words with " - " or
    " 2. " between the items (the G7 Ukraine anniversary statements).
    Each item is a unit of alignment in its own right, so the block is cut
    before every marker. Bullets need ``INLINE_ITEMS_MIN`` markers (or a
    block that itself opens with one); numbers need a run counting up by
    one, so a "… in 2. " inside a sentence never cuts.
    """
    cuts: list[int] = []
    bullets = [m.end() for m in _INLINE_BULLET.finditer(text, start, end)]
    opens_with_bullet = text[start] in "-•▪●" and text[start + 1 : start + 2].isspace()
    if len(bullets) >= INLINE_ITEMS_MIN or (bullets and opens_with_bullet):
        cuts.extend(bullets)
    numbers = [(int(m.group(1)), m.end()) for m in _INLINE_NUMBER.finditer(text, start, end)]
    run = [pos for k, (num, pos) in enumerate(numbers)
           if (k > 0 and numbers[k - 1][0] == num - 1) or (k + 1 < len(numbers) and numbers[k + 1][0] == num + 1)]
    if len(run) >= INLINE_ITEMS_MIN:
        cuts.extend(run)
    if not cuts:
        return [(start, end)]
    bounds = [start] + sorted(set(cuts)) + [end]
    out = []
    for a, b in zip(bounds, bounds[1:]):
        chunk = text[a:b]
        if chunk.strip():
            s = a + (len(chunk) - len(chunk.lstrip()))
            out.append((s, s + len(chunk.strip())))
    return out


#: A line ending like this ends a sentence (closing quotes and brackets allowed).
_SENTENCE_END = re.compile(r"""[.!?:;][\"'”’)\]]*\s*$""")
#: Lines per block, and the share of them ending a sentence, from which a
#: block is read as one paragraph per line.
LINE_PARAGRAPHS_MIN_LINES = 4
LINE_PARAGRAPHS_MIN_SHARE = 0.6


def _line_paragraphs(text: str, start: int, end: int) -> list[tuple[int, int]] | None:
    """The block's lines as paragraph spans when it is one paragraph per line, else None."""
    lines = []
    pos = start
    for line in text[start:end].split("\n"):
        if line.strip():
            lead = len(line) - len(line.lstrip())
            lines.append((pos + lead, pos + len(line.rstrip()), line))
        pos += len(line) + 1
    if len(lines) < LINE_PARAGRAPHS_MIN_LINES:
        return None
    ending = sum(1 for _, _, line in lines if _SENTENCE_END.search(line))
    if ending < LINE_PARAGRAPHS_MIN_SHARE * len(lines):
        return None
    return [(s, e) for s, e, _ in lines]


# -------------------------------------------------------------- sentences --

_CLAUSE_BREAK = re.compile(r"[;:,](?=\s)|\s[–—-](?=\s)")


def cut_long(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """``text[start:end]`` in pieces of at most ``max_chars`` characters.

    Each cut goes after the last clause break (``;`` ``:`` ``,`` followed by
    a space, or a spaced dash) in the second half of the window, else at
    the last whitespace there, else at ``max_chars`` (one endless word).
    Pieces are stripped. Linear: each window is searched once.
    """
    if end - start <= max_chars:
        return [(start, end)]
    out: list[tuple[int, int]] = []
    pos = start
    while end - pos > max_chars:
        limit = pos + max_chars
        half = pos + max_chars // 2
        cut = -1
        for m in _CLAUSE_BREAK.finditer(text, half, limit):
            cut = m.end()
        if cut < 0:
            space = max(text.rfind(" ", half, limit), text.rfind("\n", half, limit), text.rfind("\t", half, limit))
            cut = space if space > pos else limit
        piece = text[pos:cut]
        if piece.strip():
            s = pos + (len(piece) - len(piece.lstrip()))
            out.append((s, s + len(piece.strip())))
        pos = cut
        while pos < end and text[pos].isspace():
            pos += 1
    if pos < end:
        out.append((pos, end))
    return out


#: Words that end in a full stop without ending a sentence. Lower case,
#: without the final dot.
_ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof st mt ft gen lt col maj capt cmdr adm sgt gov sen rep amb hon rev
    pres jr sr messrs mme mlle art arts para paras sec vol fig figs pp cf vs
    approx dept univ inc ltd corp co assn
    jan feb mar apr jun jul aug sep sept oct nov dec
    """.split()
)

#: Only abbreviations when a number follows ("No. 5", "para. 12"); "no." in
#: "the answer was no. We…" ends a sentence.
_NUMBER_ABBREVIATIONS = frozenset({"no", "nos", "nr", "para", "paras", "art", "arts"})

#: Dotted initialisms (U.S., D.C., a.m.) and "etc." end sentences often
#: enough in statements ("…with the U.S. They agreed…") that refusing to
#: split after them would glue sentences together. They are split only when
#: the next word is one that typically opens a sentence; "U.S. Department"
#: and "U.S. President" stay whole.
_SENTENCE_OPENERS = frozenset(
    """
    the a an this that these those they we he she it its our their there here
    in on at as for to with by from after before during since while when if
    both all each every however moreover furthermore further also additionally
    leaders ministers members participants
    """.split()
)

_TERMINATOR = re.compile(r"(?:[.!?]+|…)[\"'”’»)\]]*")
_LIST_MARKER = re.compile(r"(?:[-*•▪●◦‣–]|\(?\d{1,3}[.)]|\(?[a-zA-Z][.)]|\([ivxIVX]+\))\s")
_OPENING = "\"'“‘«([¿¡"
_ROMAN = re.compile(r"[ivxlcdm]+|[IVXLCDM]+")


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans of ``text[start:end]``, absolute offsets into ``text``.

    The spans are ordered, do not overlap, are stripped of whitespace and
    together cover every non-space character of the range.
    """
    end = len(text) if end is None else end
    cuts = [start]
    closes = _Parentheses(_paren_pairs(text, start, end))
    for m in _TERMINATOR.finditer(text, start, end):
        cut = m.end()
        if cut < end and not text[cut].isspace():
            continue  # "3.25", "U.S.-Japan", "…?!" mid-token
        if closes.inside(m.start(), cut):
            continue
        nxt = _next_word(text, cut, end)
        if nxt is None:
            continue  # end of range: the final span ends there anyway
        if nxt[0].islower():
            continue  # "approx. five", "e.g. the": sentences start upper case
        if "." in m.group() and not _ends_sentence(text, start, m.start(), nxt):
            continue
        cuts.append(cut)
    # A line break before a list item also starts a new sentence, so items
    # without final punctuation do not fuse into one long "sentence".
    pos = text.find("\n", start, end)
    while pos >= 0:
        # Matched in place: slicing "the rest of the paragraph" at every
        # line break would be quadratic on a block of many short lines.
        first = pos + 1
        while first < end and text[first] in " \t":
            first += 1
        if _LIST_MARKER.match(text, first, end):
            cuts.append(pos + 1)
        pos = text.find("\n", pos + 1, end)
    cuts = sorted(set(cuts)) + [end]
    spans = []
    for a, b in zip(cuts, cuts[1:]):
        chunk = text[a:b]
        stripped = chunk.strip()
        if stripped:
            s = a + (len(chunk) - len(chunk.lstrip()))
            spans.append((s, s + len(stripped)))
    return spans


def _next_word(text: str, pos: int, end: int) -> str | None:
    """The next word after ``pos`` (opening quotes/brackets skipped), or None."""
    while pos < end and text[pos].isspace():
        pos += 1
    while pos < end and text[pos] in _OPENING:
        pos += 1
    if pos >= end:
        return None
    m = re.compile(r"[^\s]+").match(text, pos, end)
    return m.group() if m else None


def _ends_sentence(text: str, start: int, dot: int, nxt: str) -> bool:
    """Does the full stop at ``dot`` end a sentence, given the next word?"""
    # The token the dot belongs to: back to the previous whitespace.
    # Tokens followed by a space are disjoint, so this walk is linear overall.
    tok_start = dot
    while tok_start > start and not text[tok_start - 1].isspace():
        tok_start -= 1
    token = text[tok_start:dot].lstrip(_OPENING)
    low = token.lower()
    if not token:
        return True
    # "1." / "iv." / "b." opening a line, or a short number right after a
    # sentence end ("…Soviet Union. 2. Seventy-seven years…", numbered
    # paragraphs run together), is an item number that belongs to the
    # sentence it introduces.
    # Only the last word before the token matters: a bounded look-back keeps
    # a long line of "x. x. x." from being rescanned at every dot.
    window = max(start, tok_start - _LOOK_BACK)
    line_start = text.rfind("\n", window, tok_start) + 1
    before = text[max(line_start, window) : tok_start].rstrip()
    numbering = (token.isdigit() and len(token) <= 3) or _ROMAN.fullmatch(token) or len(token) == 1
    if numbering and (not before or before[-1] in ".!?:;\"'”’)"):
        # …unless that "sentence end" is itself an abbreviation: "on Jan. 5."
        previous = before.split()[-1].rstrip(".").lower() if before else ""
        if previous not in _ABBREVIATIONS and previous not in _NUMBER_ABBREVIATIONS:
            return False
    if low in _NUMBER_ABBREVIATIONS:
        return not nxt[0].isdigit()
    if low in _ABBREVIATIONS:
        return False
    if low in ("e.g", "i.e", "cf", "viz"):
        return False
    if len(token) == 1 and token.isalpha():
        return False  # a middle initial: "Kurt M. Campbell"
    if "." in token or low == "etc":
        return _bare(nxt).lower() in _SENTENCE_OPENERS
    return True


def _bare(word: str) -> str:
    return word.strip(".,;:!?\"'“”‘’()[]")


#: A heading ("I. SECURE THE INDO-PACIFIC AND BEYOND", "Women, Peace and
#: Security") is one line of at most this many words.
HEADING_MAX_WORDS = 10


def is_heading(text: str, stop: frozenset[str] = STOPWORDS) -> bool:
    """Is ``text`` a section heading: one short line with no sentence end,
    every word capitalised, or a numeral, a dash, or one of the ``stop``
    words ("and", "the" …; the flags pass their own, longer list)?

    A heading names a section; it states no position. The aligner links a
    heading only to a heading, and the flags read one as metadata.
    """
    t = " ".join(text.split())
    words = t.split()
    if not words or len(words) > HEADING_MAX_WORDS or t[-1] in ".!?;:,\"”)’":
        return False
    return all(not w[0].isalpha() or w[0].isupper() or w.lower() in stop for w in words)


def _paren_pairs(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Matched ``(`` … ``)`` pairs in the range. Unmatched ones are ignored,
    so a stray "1)" list marker or an unclosed "(" cannot swallow the rest
    of the paragraph."""
    stack: list[int] = []
    pairs: list[tuple[int, int]] = []
    # Only the parentheses are visited (a character loop over a communiqué
    # cost ~25 ms a pair).
    for m in _PAREN.finditer(text, start, end):
        i = m.start()
        if text[i] == "(":
            stack.append(i)
        elif stack:
            pairs.append((stack.pop(), i))
    return pairs


_PAREN = re.compile(r"[()]")


#: Characters looked back from a full stop for the word before it.
_LOOK_BACK = 200


class _Parentheses:
    """Answers "is this terminator inside a matched ( … )?" in O(log n).

    A terminator inside "( … )" does not end the sentence, unless the
    closing parenthesis is part of the terminator run: "(See annex.) Next".
    That is: some pair opens before ``term`` and closes at or after ``cut``.
    With the pairs sorted by opening, that is the largest closing position
    among the pairs opened before ``term`` (a prefix maximum), so a
    paragraph of many parentheses and full stops is not quadratic.
    """

    def __init__(self, pairs: list[tuple[int, int]]):
        pairs = sorted(pairs)
        self.opens = [o for o, _ in pairs]
        self.reach: list[int] = []
        best = -1
        for _, c in pairs:
            best = max(best, c)
            self.reach.append(best)

    def inside(self, term: int, cut: int) -> bool:
        k = bisect_left(self.opens, term)
        return k > 0 and self.reach[k - 1] >= cut
