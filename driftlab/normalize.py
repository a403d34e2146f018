"""Cosmetic normalisation: what two wordings must differ in to count as different.

Successive statements are retyped, re-templated and re-spelt. None of the
following is a wording change, and every one of them is folded away here:

* Unicode compatibility forms (NFKC: full-width letters, ligatures, ``…``),
  letter case and diacritics (``Türkiye`` = ``Turkiye``);
* quote and apostrophe style (``“ ” „ « »`` = ``"``; ``‘ ’ ` ´`` = ``'``);
* dash style: every dash is ``-``; a run of dashes (``--``) is one dash;
  hyphens and en dashes *inside* a word (``Russia–Ukraine``, ``co-operation``)
  are dropped, so hyphenated, closed and (for listed compounds) open forms fold
  alike: ``coast-guard`` = ``coastguard`` = ``coast guard``;
* whitespace (never a token), soft hyphens and zero-width characters;
* abbreviation dots (``U.S.`` = ``US``) and a space before ``%``;
* British vs American spelling (``defence``/``defense``, ``programme``,
  ``centre``, ``labour``, ``-ise``/``-isation``/``-yse``…), see
  :func:`americanize` and ``data/spelling.tsv``.

The folded form of a token is its :attr:`Token.key`. Two texts are
*cosmetically equal* iff :func:`fold` gives the same string.

What it costs: a hyphen that changes meaning (``re-sign``/``resign``,
``re-form``/``reform``) is folded away too; and the noun plural ``analyses`` is
left alone by the ``-yse`` rule (so the verb ``analyses``/``analyzes`` shows as
a change). Both are rare in official statements; the opposite error, flagging
every re-hyphenation as a wording change, is not.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import NamedTuple

__all__ = [
    "STOPWORDS",
    "Token",
    "americanize",
    "content_words",
    "fold",
    "token_key",
    "tokenize",
    "word_units",
    "unit_spans",
    "unit_keys",
]


class Token(NamedTuple):
    """A token with its absolute character span and its cosmetic-insensitive key."""

    text: str
    start: int
    end: int
    key: str


# --- tokenising -------------------------------------------------------------

# Soft hyphen and zero-width characters: invisible, so never a token; inside a
# word they do not split it.
_IGNORABLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
# Characters that join the parts of one word: hyphens, the non-breaking hyphen
# and the en dash ("ROK–US–Japan"), and apostrophes. The em dash is never a
# joiner: "Japan—the" is two words with a dash between, like "Japan — the".
_HYPHENS = "-\u2010\u2011\u2013"
_APOSTROPHES = "'\u2019"
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"

_LETTER = r"[^\W\d_]"
# A word part: an abbreviation with dots ("U.S.", "e.g.") or a run of word
# characters in which "," and "." may sit between digits ("1,000", "3.5").
_PART = rf"(?:(?:{_LETTER}\.){{2,}}|\w+(?:(?<=\d)[.,](?=\d)\w+|[{_IGNORABLE}]+(?=\w)\w+)*)"
# Parts join with an apostrophe, or a hyphen with a letter on at least one
# side ("COVID-19", "5-year"), but not between two numbers: "2025-2030" is
# three tokens, exactly like "2025–2030".
_JOIN = (
    rf"(?:[{_APOSTROPHES}](?=\w)"
    rf"|(?<={_LETTER})[{_HYPHENS}](?=\w)"
    rf"|(?<=[\d.])[{_HYPHENS}](?={_LETTER}))"
)
_TOKEN_RE = re.compile(
    rf"{_PART}(?:{_JOIN}{_PART})*(?:(?<=\d)%)?"  # word or number
    rf"|[{_DASHES}]+"  # a dash, or "--" standing for one
    rf"|\.{{2,}}"  # an ellipsis typed as dots
    rf"|[^\s{_IGNORABLE}]"  # any other character is its own token
)

_QUOTES = str.maketrans(
    {
        **{c: '"' for c in "\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033\u301d\u301e\uff02"},
        **{c: "'" for c in "\u2018\u2019\u201a\u201b`\u00b4\u2032\uff07"},
        **{c: "-" for c in _DASHES},
        **{c: None for c in _IGNORABLE},
    }
)
_ABBREVIATION_RE = re.compile(rf"^(?:{_LETTER}\.){{2,}}$")
_WORD_SPLIT_RE = re.compile(r"(['-])")


def tokenize(text: str, offset: int = 0) -> list[Token]:
    """Split ``text`` into words, numbers and single punctuation characters.

    Words keep their internal hyphens and apostrophes (``people-to-people``,
    ``Russia's``); numbers keep ``,``, ``.`` and a trailing ``%``. Whitespace is
    never a token. Spans are absolute: ``start``/``end`` are shifted by
    ``offset`` so that ``text[t.start - offset:t.end - offset] == t.text``.
    """
    return [
        Token(m.group(), m.start() + offset, m.end() + offset, token_key(m.group()))
        for m in _TOKEN_RE.finditer(text)
    ]


@lru_cache(maxsize=65536)
def token_key(token: str) -> str:
    """The cosmetic-insensitive form of one token (see the module docstring)."""
    s = unicodedata.normalize("NFKC", token).casefold()
    if not s.isascii():
        # Drop diacritics: decompose, remove combining marks, recompose.
        s = unicodedata.normalize(
            "NFC",
            "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c)),
        )
    s = s.translate(_QUOTES)
    if not any(c.isalnum() for c in s):
        if s and set(s) == {"-"}:
            return "-"
        if s and set(s) == {"."} and len(s) > 1:
            return "..."
        return s
    parts = _WORD_SPLIT_RE.split(s)
    # Americanise each part; keep apostrophes ("it's" is not "its"), drop
    # hyphens so that hyphenated and closed compounds fold alike, and drop
    # abbreviation dots ("U.S.-Japan" = "US-Japan").
    return "".join(
        "" if p == "-" else p if p == "'" else americanize(p.replace(".", "") if _ABBREVIATION_RE.match(p) else p)
        for p in parts
    )


# --- spelling ---------------------------------------------------------------


def _load_spelling() -> tuple[dict[str, str], frozenset[tuple[str, ...]]]:
    words: dict[str, str] = {}
    compounds: set[tuple[str, ...]] = set()
    raw = (Path(__file__).parent / "data" / "spelling.tsv").read_text(encoding="utf-8")
    for lineno, line in enumerate(raw.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        british, sep, american = line.partition("\t")
        if not sep or not british or not american:
            raise ValueError(f"spelling.tsv line {lineno}: expected 'british<TAB>american'")
        if " " in british or " " in american:
            for form in (british, american):
                if " " in form:
                    compounds.add(tuple(form.split()))
        else:
            words[british] = american
    return words, frozenset(compounds)


_SPELLING, _OPEN_COMPOUNDS_RAW = _load_spelling()

# British -ise/-isation/-yse → American -ize/-ization/-yze. The suffix rule
# only fires when what precedes "is" is at least 3 letters long ("rise",
# "wise", "raise", "noise" never qualify) and the base verb is not a word
# whose "-ise" is not the Greek -ize suffix. Whole families are excepted by
# their ending ("-vise": advise, revise, supervise, improvise; "-wise";
# "-chise": franchise; "-aise", "-oise", "-uise": raise, noise, cruise).
_ISE_RE = re.compile(r"^([a-z]{3,})is(e|es|ed|ing|er|ers|ation|ations|ational|able)$")
_ISE_EXCEPT_ENDINGS = ("vise", "wise", "chise", "aise", "oise", "uise", "guise")
_ISE_EXCEPTIONS = frozenset(
    """
    advertise arise chastise circumcise comprise compromise concise demise despise
    enterprise excise exercise exorcise expertise imprecise incise merchandise mortise
    paradise precise premise promise prise remise reprise apprise sunrise moonrise uprise surmise
    surprise treatise chemise valise cerise anise denise elise eloise louise marquise
    """.split()
)
# Plurals of nouns in -is that end like "-ises" ("crises" is not "crizes").
_ISE_PLURALS = frozenset("crises irises metropolises trellises mantises pelvises".split())
_YSE_RE = re.compile(r"^([a-z]{2,}ly)s(e|ed|ing|er|ers)$")


def americanize(word: str) -> str:
    """American spelling of one lowercase word (unchanged if not British).

    A hyphenated word is americanised part by part (``self-defence`` →
    ``self-defense``). The explicit table (``data/spelling.tsv``) wins; then
    the ``-ise``/``-yse`` rule with its exceptions.
    """
    if "-" in word:
        return "-".join(americanize(p) for p in word.split("-"))
    hit = _SPELLING.get(word)
    if hit is not None:
        return hit
    if "is" in word and word not in _ISE_PLURALS:
        m = _ISE_RE.match(word)
        if m:
            base = m.group(1) + "ise"
            if base not in _ISE_EXCEPTIONS and not base.endswith(_ISE_EXCEPT_ENDINGS):
                return m.group(1) + "iz" + m.group(2)
    if "lys" in word:
        m = _YSE_RE.match(word)
        if m:
            return m.group(1) + "z" + m.group(2)
    return word


# Open compounds as tuples of *keys* ("coast", "guard"), so that the parts of
# a compound are matched after spelling ("cyber", "defence" → "defense").
_OPEN_COMPOUNDS = frozenset(tuple(token_key(p) for p in parts) for parts in _OPEN_COMPOUNDS_RAW)
_COMPOUND_LENGTHS = sorted({len(c) for c in _OPEN_COMPOUNDS}, reverse=True)
#: First keys of the open compounds: most tokens start none, and checking
#: this set first skips building candidate tuples for them (word_units is
#: the hottest loop of a cached run).
_COMPOUND_FIRST = frozenset(c[0] for c in _OPEN_COMPOUNDS)


def word_units(text: str, offset: int = 0) -> list[Token]:
    """:func:`tokenize`, then join what must compare as one unit.

    An open compound listed in ``spelling.tsv`` (``coast guard``, ``per cent``)
    becomes one unit whose key is the closed form (``coastguard``), like the
    hyphenated and closed spellings; a ``%`` after a number joins it
    (``3.5 %`` = ``3.5%``). A unit's ``text`` is the original text of its span,
    inner whitespace included. Diffing and :func:`fold` both work on units, so
    they agree on what is cosmetic.
    """
    return [Token(text[s:e], s + offset, e + offset, k) for s, e, k in unit_spans(text)]


def unit_spans(text: str) -> list[tuple[int, int, str]]:
    """:func:`word_units` as plain ``(start, end, key)`` triples relative to
    ``text``: the same units without building a :class:`Token` for each (the
    flags fold ~200,000 units of a G7 pair and need only spans and keys)."""
    matches = list(_TOKEN_RE.finditer(text))
    keys = [token_key(m.group()) for m in matches]
    out = [(m.start(), m.end(), k) for m, k in zip(matches, keys)]
    # Joins from the last, so the indices of the earlier ones stay right.
    for i, size in reversed(_joins(keys)):
        out[i : i + size] = [(out[i][0], out[i + size - 1][1], "".join(keys[i : i + size]))]
    return out


def unit_keys(text: str) -> list[str]:
    """The keys of :func:`unit_spans`, without the spans, for the many callers
    that compare words only: three times as fast. A token never spans
    whitespace, so the text is keyed chunk by chunk (``str.split``), and each
    distinct chunk ("Taiwan," "(UNSC)") is tokenised once: the flags fold
    ~9,000 quotes and clauses of a G7 pair, made of a few thousand chunks."""
    keys = list(chain.from_iterable(map(_CHUNK_KEYS.__getitem__, text.split())))
    for i, size in reversed(_joins(keys)):
        keys[i : i + size] = ["".join(keys[i : i + size])]
    return keys


class _ChunkKeys(dict):
    """chunk → its token keys, computed on first use. A dict looked up by
    ``map`` costs half what an ``lru_cache`` call does, and unit_keys looks
    up ~350,000 chunks on a G7 pair; emptied when full, so it stays bounded."""

    LIMIT = 1 << 17

    def __missing__(self, chunk: str) -> tuple[str, ...]:
        if len(self) >= self.LIMIT:
            self.clear()
        keys = self[chunk] = tuple(map(token_key, _TOKEN_RE.findall(chunk)))
        return keys


_CHUNK_KEYS = _ChunkKeys()


def _joins(keys: list[str]) -> list[tuple[int, int]]:
    """Runs of tokens that make one unit, as ``(first token, token count)``,
    left to right: open compounds ("coast guard") and a number's ``%`` (also
    the full-width ``％``, whose key is ``%``: "12％" is "12%"). Only the
    tokens that can open a join are visited; most sentences have none."""
    if _COMPOUND_FIRST.isdisjoint(keys) and "%" not in keys:
        return []
    n = len(keys)
    candidates = [c for c, k in enumerate(keys) if k in _COMPOUND_FIRST or k == "%"]
    out: list[tuple[int, int]] = []
    free = 0  # the first token not yet inside a join
    for c in candidates:
        # A "%" at c joins the number before it; a compound starts at c.
        i = c - 1 if keys[c] == "%" else c
        if i < free:
            continue  # inside the previous join (or a "%" opening the text)
        joined = 1
        for size in _COMPOUND_LENGTHS if keys[i] in _COMPOUND_FIRST else ():
            if i + size <= n:
                # A possessive on the last part still makes the compound:
                # "coast guard's" = "coastguard's".
                head = tuple(keys[i : i + size - 1]) + (keys[i + size - 1].split("'", 1)[0],)
                if head in _OPEN_COMPOUNDS:
                    joined = size
                    break
        if joined == 1 and i + 1 < n and keys[i + 1] == "%" and keys[i][-1:].isdigit():
            joined = 2
        if joined > 1:
            out.append((i, joined))
            free = i + joined
    return out


@lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """The cosmetic-insensitive form of ``text``: its unit keys joined by spaces.

    Cached: the aligner, the word diff and the flag rules fold the same
    passages.
    """
    return " ".join(unit_keys(text))


# --- content words -------------------------------------------------------------

#: Function words ignored when comparing content. Deliberately *not* here:
#: negations (not, no, nor, never, without) and modal verbs (will, shall, must,
#: should, may, might, can, could, would): in a communiqué "will" → "may" or an
#: added "not" is exactly the change an analyst is looking for.
STOPWORDS: frozenset[str] = frozenset(
    """
    a about above after again against all also am an and any are aren't as at be because
    been before being below between both but by did didn't do does doesn't doing don't down
    during each few for from further had hadn't has hasn't have haven't having he he'd
    he'll he's her here here's hers herself him himself his how how's i i'd i'll i'm i've
    if in into is isn't it it's its itself let's me more most my myself of off on once only
    or other ought our ours ourselves out over own same she she'd she'll she's so some such
    than that that's the their theirs them themselves then there there's these they they'd
    they'll they're they've this those through to too under until up very was wasn't we
    we'd we'll we're we've were weren't what what's when when's where where's which while
    who who's whom why why's with you you'd you'll you're you've your yours yourself
    yourselves per via upon within among toward onto
    """.split()
)


def content_words(text: str) -> list[str]:
    """Folded keys of ``text`` without stop words and punctuation, in order."""
    return list(_content_words(text))


@lru_cache(maxsize=8192)
def _content_words(text: str) -> tuple[str, ...]:
    return tuple(k for k in unit_keys(text) if k not in STOPWORDS and _has_alnum(k))


@lru_cache(maxsize=65536)
def _has_alnum(key: str) -> bool:
    # Per distinct key: a statement has a few thousand, and ~100,000 units.
    return any(c.isalnum() for c in key)
