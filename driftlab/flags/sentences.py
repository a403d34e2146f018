"""The shared sentence view of the flag rules: both statements' sentences,
their folded words, novel runs and quotes, and the pairing of a hit with
its counterpart sentence. Every rule family reads the statements through it.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Mapping, Sequence

from ..normalize import unit_keys, unit_spans
from ..segment import is_heading
from ..topics import PhraseMatcher, TopicConfig, term_hits
from ..types import Document, Link

CARRIED = ("unchanged", "moved")
CHANGED_TAGS = ("replace", "delete", "insert")
# Capitalised names (with "of", "the", "and" inside) for the generic actor rule.
# A whole name, not a fragment: middle initials are part of it ("Loretta J.
# Mester", never "Loretta J"), up to two linking words may join its parts
# ("Guidelines for the Quad Partnership", never "Guidelines"), and a word
# after a slash belongs to a document symbol ("S/RES/2735"), not a name.
_NAME_WORD = r"[A-Z][\w’'\-]*"
_INITIALS = r"(?:\s+[A-Z]\.(?=\s+[A-Z]))*"
_NAME = re.compile(rf"(?<![\w’'/]){_NAME_WORD}{_INITIALS}"
                   rf"(?:\s+(?:(?:of|the|and|for|on)\s+){{0,2}}{_NAME_WORD}{_INITIALS})*")

#: Words never counted as content (function words and the boilerplate of these
#: statements, which would otherwise make "we" and "leaders" new wording).
STOP = frozenset(
    """a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had has
    have having he her here hers him his how i if in into is it its itself just me more most my no nor not
    now of off on once only or other our ours ourselves out over own same she should so some such than that
    the their theirs them themselves then there these they this those through to too under until up very
    was we were what when where which while who whom why will with would you your yours also including
    well within toward towards upon among across through throughout us leaders today year years
    furthermore moreover additionally however therefore thus finally lastly""".split()
)


@lru_cache(maxsize=1 << 16)
def _is_content(w: str) -> bool:
    # Numbers count as content ("50 billion" is news); short words do not.
    # Cached: ~160,000 calls on a G7 pair, over a few thousand distinct words.
    return bool(w) and (w[0].isdigit() or (len(w) > 2 and w not in STOP))


def _content(words: Iterable[str]) -> list[str]:
    if isinstance(words, tuple):  # a _fold_words result: content of it is asked for again and again
        return list(_content_of_folded(words))
    return [w for w in words if _is_content(w)]


@lru_cache(maxsize=65536)
def _content_of_folded(words: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(w for w in words if _is_content(w))


_POSSESSIVE = re.compile(r"['’]s?$")


@lru_cache(maxsize=65536)
def _fold_words(text: str) -> tuple[str, ...]:
    """Cosmetic-insensitive words of ``text``; possessives dropped ("Beijing's" = "Beijing").

    Cached: the same sentences are folded by several rules.
    """
    # The keys only (no spans): most folds are of quotes and clauses whose
    # positions no rule asks for.
    return tuple(k for k in map(_word_key, unit_keys(text)) if k is not None)


@lru_cache(maxsize=65536)
def _units(text: str) -> tuple[tuple[int, int, str], ...]:
    """Word units of ``text`` as ``(start, end, key)`` relative to ``text``; cached
    per sentence so runs, content sets and the statement index share one fold."""
    out = []
    for start, end, unit_key in unit_spans(text):
        key = _word_key(unit_key)
        if key is not None:
            out.append((start, end, key))
    return tuple(out)


@lru_cache(maxsize=65536)
def _word_key(unit_key: str) -> str | None:
    """:func:`_key` of a unit, or ``None`` for punctuation (no letter or digit).
    Cached: a statement has a few thousand distinct words and ~200,000 units
    are folded in a G7 pair (half the time of the flags before the cache)."""
    return _key(unit_key) if any(c.isalnum() for c in unit_key) else None


def _key(unit_key: str) -> str:
    return _POSSESSIVE.sub("", unit_key).strip("'")


def _overlaps(a: int, b: int, spans: Sequence[tuple[int, int]]) -> bool:
    for s, e in spans:
        if s < b and a < e:
            return True
        if s == e and a <= s < b:  # a zero-width insertion point inside the match
            return True
    return False


#: Novel words at most this many tokens apart form one quoted run.
_RUN_GAP = 5


@dataclass
class _Side:
    """One statement's text, sentence lookup and tags."""

    doc: Document
    name: str
    #: (paragraph, sentence) → {"term": topics, "meaning": topics}
    tags: Mapping[tuple[int, int | None], Mapping[str, set[str]]]
    #: Content words and content-word pairs of the *other* statement: what
    #: counts as carried over when quoting this side.
    known_words: set[str]
    known_pairs: set[tuple[str, str]]
    #: The other statement's folded words (" w1 w2 … "), for phrase look-ups.
    other_all: str = ""
    #: Sentence lineage from the aligner (``Link.sentence_links``): sentence
    #: → the other side's sentences it came from or became. Paragraphs in
    #: ``lineage_paras`` have lineage; a sentence there with no entry has no
    #: counterpart (it was added or dropped), whatever its neighbours say.
    lineage: Mapping[tuple[int, int], Sequence[tuple[int, int]]] | None = None
    lineage_paras: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        self.text = self.doc.statement.text
        self.para = {p.index: p for p in self.doc.paragraphs}
        self.sent_starts: list[int] = []
        self.sent_keys: list[tuple[int, int]] = []
        for p in self.doc.paragraphs:
            for s in p.sentences or ():
                self.sent_starts.append(s.start)
                self.sent_keys.append((p.index, s.index))
        self.sent = {(p.index, s.index): s for p in self.doc.paragraphs for s in p.sentences or ()}
        self._cw: dict[tuple[int, int], set[str]] = {}
        self._runs: dict[tuple[int, int], list[tuple[int, int]]] = {}

    def sentence_at(self, pos: int, paras: Sequence[int]) -> tuple[int, int | None, int, int, str]:
        """(paragraph, sentence, start, end, text) of the sentence holding ``pos``."""
        i = bisect.bisect_right(self.sent_starts, pos) - 1
        if i >= 0:
            key = self.sent_keys[i]
            s = self.sent[key]
            if key[0] in paras and s.start <= pos <= s.end:
                return key[0], key[1], s.start, s.end, s.text
        for pi in paras:
            p = self.para[pi]
            if p.start <= pos <= p.end:
                return pi, None, p.start, p.end, p.text
        p = self.para[paras[0]]
        return p.index, None, p.start, p.end, p.text

    def sentences(self, paras: Sequence[int]):
        for pi in paras:
            p = self.para[pi]
            if p.sentences:
                for s in p.sentences:
                    yield pi, s.index, s.start, s.end, s.text
            else:
                yield pi, None, p.start, p.end, p.text

    def content_set(self, pi: int, si: int | None, text: str) -> set[str]:
        key = (pi, -1 if si is None else si)
        if key not in self._cw:
            self._cw[key] = set(_content(_fold_words(text)))
        return self._cw[key]

    def runs(self, pi: int, si: int | None) -> list[tuple[int, int]]:
        """Spans of a sentence not carried over from the other statement.

        A content word is carried over when it forms a content-word pair
        that the other statement also has; the rest, grouped when at most
        ``_RUN_GAP`` tokens apart, are the runs. A lone uncovered word the
        other statement also uses is dropped: a reshuffled sentence is not
        news. Quoting runs (not whole sentences) keeps carried-over wording
        out of flag texts.
        """
        key = (pi, -1 if si is None else si)
        if key in self._runs:
            return self._runs[key]
        if si is None:
            p = self.para[pi]
            start, text = p.start, p.text
        else:
            sent = self.sent[(pi, si)]
            start, text = sent.start, sent.text
        toks = [(a + start, b + start, k) for a, b, k in _units(text)]
        content = [i for i, t in enumerate(toks) if _is_content(t[2])]
        covered: set[int] = set()
        for a, c in zip(content, content[1:]):
            if (toks[a][2], toks[c][2]) in self.known_pairs:
                covered |= {a, c}
        novel = [i for i in content if i not in covered]
        groups: list[list[int]] = []
        for i in novel:
            if groups and i - groups[-1][-1] <= _RUN_GAP:
                groups[-1].append(i)
            else:
                groups.append([i])
        spans = []
        for g in groups:
            if len(g) == 1 and toks[g[0]][2] in self.known_words:
                continue
            # Take in the function words and name parts that lead into the run
            # ("By the end of 2023", "the People's Republic of China"): a
            # quote should read as a phrase.
            first, last = g[0], g[-1]
            for _ in range(3):
                k = first - 1
                if k < 0 or (_is_content(toks[k][2]) and not text[toks[k][0] - start].isupper()):
                    break
                first = k
            for _ in range(3):
                k = last + 1
                if k >= len(toks) or not text[toks[k][0] - start].isupper():
                    break
                last = k
            s0, e0 = toks[first][0], toks[last][1]
            while e0 > s0 and not self.text[e0 - 1].isalnum() and self.text[e0 - 1] not in "%)":
                e0 -= 1
            spans.append((s0, e0))
        self._runs[key] = spans
        return spans

    def runs_text(self, pi: int, si: int | None) -> str:
        return " … ".join(self.text[s:e] for s, e in self.runs(pi, si))

    def snippet(self, s: int, e: int, paras: Sequence[int]) -> str:
        """The words around a hit at ``s:e``: its novel run, else a few words either side."""
        pi, si, ss, se, _ = self.sentence_at(s, paras)
        for rs, re_ in self.runs(pi, si):
            if rs < e and s < re_:
                lo, hi = min(rs, s), max(re_, e)
                if hi - lo <= 240:
                    return self.text[lo:hi]
                break
        return self.window(s, e, ss, se, before=5, after=5)

    def window(self, s: int, e: int, ss: int, se: int, before: int, after: int) -> str:
        """``before`` words before and ``after`` words after ``s:e``, inside ``ss:se``."""
        lo = s
        for _ in range(before):
            j = self.text.rfind(" ", ss, lo - 1)
            if j < ss:
                lo = ss
                break
            lo = j + 1
        hi = e
        for _ in range(after):
            j = self.text.find(" ", hi + 1, se)
            if j == -1:
                hi = se
                break
            hi = j
        lo, hi = self._whole_phrase(lo, hi, ss, se)
        return self.text[lo:hi].strip(" ,;:")

    #: Words a quote may grow by to end on a whole phrase.
    _PHRASE_SLACK = 6

    def _whole_phrase(self, lo: int, hi: int, ss: int, se: int) -> tuple[int, int]:
        """Widen ``lo:hi`` (inside the sentence ``ss:se``) so a quote neither
        starts inside a name ("Secretary expressed …" of "Deputy Secretary")
        nor stops on a linking word or inside a name ("… between the DPRK
        and"): at most ``_PHRASE_SLACK`` words either way, never across
        punctuation."""
        text = self.text
        for _ in range(self._PHRASE_SLACK):
            if lo <= ss or not text[lo:lo + 1].isupper():
                break
            j = text.rfind(" ", ss, lo - 1)
            prev = text[j + 1 if j >= ss else ss:lo].strip()
            if not prev or not prev[0].isupper() or prev[-1] in ".,;:":
                break
            lo = j + 1 if j >= ss else ss
        for _ in range(self._PHRASE_SLACK):
            if hi >= se:
                break
            last = text[text.rfind(" ", lo, hi) + 1:hi]
            nxt_end = text.find(" ", hi + 1, se)
            nxt_end = se if nxt_end == -1 else nxt_end
            nxt = text[hi:nxt_end].strip()
            if not nxt or last[-1:] in ",;:.)" or not nxt[0].isalnum():
                break
            dangling = last.lower().strip("’'") in STOP
            if not (dangling or nxt[0].isupper()):
                break
            hi = nxt_end
        return lo, hi  # the caller strips the punctuation a quote ends on

    def topics_of(self, pi: int, si: int | None) -> set[str]:
        """Topics of a sentence: its term tags, else its meaning tags, else
        those of the nearest tagged sentence before it in its paragraph (else
        the paragraph's, if no sentence of it is tagged). Term evidence is
        preferred because a meaning tag on a sentence also naming a topic
        term is mostly spill-over."""
        def own(key) -> set[str]:
            by_method = self.tags.get(key)
            return set(by_method.get("term") or by_method.get("meaning") or ()) if by_method else set()

        found = own((pi, si))
        if found or si is None:
            return found
        # A sentence naming no topic carries on from the nearest sentence
        # before it that does ("This undermines…" after a DPRK sentence):
        # topics carry forward, never backward, so an opening formula ("We,
        # the leaders of …, convened…") does not take the topic its
        # paragraph turns to later. Only when no sentence of the paragraph
        # is tagged does a paragraph-level (meaning) tag stand in.
        for sj in range(si - 1, -1, -1):
            found = own((pi, sj))
            if found:
                break
        else:
            p = self.para.get(pi)
            tagged = any(self.tags.get((pi, s.index)) for s in (p.sentences if p else ()) or ())
            found = set() if tagged else own((pi, None))
        # Inherited only when the source is about one or two things: the
        # untagged sentence after one touching five topics is general talk,
        # and would otherwise take the weight of the heaviest of them.
        return found if len(found) <= 2 else set()


def _best_pair(src: _Side, pi: int, si: int | None, text: str, other: _Side,
               paras: Sequence[int]) -> tuple[int, int | None, float]:
    """The sentence of ``other`` (within ``paras``, never empty: the link's
    other side) sharing most content words with ``text``, as ``(paragraph,
    sentence, similarity)``.

    When the aligner gave sentence lineage for this paragraph, only the
    sentence's lineage counterparts are candidates, and a sentence without
    one pairs with nothing (similarity 0: added or dropped). A lineage pair
    scores at least ``LINEAGE_SIMILARITY``: a rewritten sentence shares
    little wording with its ancestor but is its counterpart all the same.
    """
    mine = src.content_set(pi, si, text)
    best = (paras[0], None, -1.0)
    if src.lineage is not None and pi in src.lineage_paras and si is not None:
        cands = [c for c in src.lineage.get((pi, si), ()) if c[0] in paras]
        if not cands:
            return (paras[0], None, 0.0)
        # Among several counterparts (a sentence merged from two), the one
        # sharing most words wins: the floor lifts them all to the same
        # score, so the shared wording decides, not the order they are listed.
        best_shared = -1.0
        for opi, osi in cands:
            sent = other.sent.get((opi, osi))
            if sent is None:
                continue
            theirs = other.content_set(opi, osi, sent.text)
            union = mine | theirs
            shared = len(mine & theirs) / len(union) if union else 0.0
            if shared > best_shared:
                best, best_shared = (opi, osi, max(LINEAGE_SIMILARITY, shared)), shared
        if best[2] >= 0:
            return best
    for opi, osi, _, _, otext in other.sentences(paras):
        theirs = other.content_set(opi, osi, otext)
        union = mine | theirs
        score = len(mine & theirs) / len(union) if union else 0.0
        if score > best[2]:
            best = (opi, osi, score)
    return best


def _norm(text: str) -> str:
    return " ".join(_fold_words(text))


def _squash(text: str) -> str:
    # Folded words hold no hyphen ("Indo-Pacific" folds to "indopacific"):
    # joining them is all it takes for "Indo Pacific" to equal it.
    return "".join(_fold_words(text))


def _quote(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return "'" + (text if len(text) <= limit else text[: limit - 1] + "…") + "'"


@dataclass
class _LinkView:
    link: Link
    old: _Side
    new: _Side
    old_changed: list[tuple[int, int]]
    new_changed: list[tuple[int, int]]
    share: float

    def texts(self) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
        return ([(self.old.para[i].start, self.old.para[i].text) for i in self.link.old],
                [(self.new.para[i].start, self.new.para[i].text) for i in self.link.new])


def _link_view(link: Link, old: _Side, new: _Side) -> _LinkView:
    old_changed, new_changed = [], []
    changed_chars = total = 0
    for tag, i1, i2, j1, j2 in link.opcodes:
        total += max(i2 - i1, j2 - j1)
        if tag == "replace" and _squash(old.text[i1:i2]) == _squash(new.text[j1:j2]):
            continue  # cosmetic after all: "coast guard's" / "coastguard's", "co-operate" / "cooperate"
        if tag in CHANGED_TAGS:
            changed_chars += max(i2 - i1, j2 - j1)
            # An insertion is a zero-width point on the old side (i1 == i2),
            # a deletion one on the new side (j1 == j2).
            old_changed.append((i1, i2))
            new_changed.append((j1, j2))
    share = changed_chars / total if total else 0.0
    return _LinkView(link, old, new, old_changed, new_changed, share)


def _matches(matcher: PhraseMatcher, texts: list[tuple[int, str]]) -> list[tuple[int, int, str]]:
    out = []
    for start, text in texts:
        out.extend(matcher.find(text, offset=start))
    return out


def _cue_changes(view: _LinkView, matcher: PhraseMatcher, label: Mapping[str, str]):
    """Cue matches in changed spans whose count differs between the two sides.

    Returns ``(gained, lost)``: lists of ``(label, span start, matched words)``
    on the new and old side respectively.
    """
    old_texts, new_texts = view.texts()
    old_m = _matches(matcher, old_texts)
    new_m = _matches(matcher, new_texts)

    def count(ms, side_text):
        c: dict[str, int] = {}
        for s, e, _ in ms:
            k = _norm(side_text[s:e])
            c[k] = c.get(k, 0) + 1
        return c

    oc, nc = count(old_m, view.old.text), count(new_m, view.new.text)
    gained = [(label[p], s, view.new.text[s:e]) for s, e, p in new_m
              if _overlaps(s, e, view.new_changed)
              and nc[_norm(view.new.text[s:e])] > oc.get(_norm(view.new.text[s:e]), 0)]
    lost = [(label[p], s, view.old.text[s:e]) for s, e, p in old_m
            if _overlaps(s, e, view.old_changed)
            and oc[_norm(view.old.text[s:e])] > nc.get(_norm(view.old.text[s:e]), 0)]
    return gained, lost


def _pair_for(view: _LinkView, side: str, pos: int, end: int | None = None):
    """The hit at ``pos:end`` on ``side`` and its counterpart sentence: (old, new) triples
    ``(paragraph, sentence, quoted words)``. The hit side quotes the words
    around the hit; the other side quotes its sentence's own novel runs."""
    end = pos if end is None else end
    # A counterpart sharing almost no content words is no counterpart: it
    # is quoted as nothing (the hit reads as added or dropped), never as
    # "was: *They*" from an unrelated neighbour.
    if side == "new":
        pi, si, _, _, text = view.new.sentence_at(pos, view.link.new)
        opi, osi, sim = _best_pair(view.new, pi, si, text, view.old, view.link.old)
        quote = view.old.runs_text(opi, osi) if sim >= PAIR_SIMILARITY else ""
        return (opi, osi, quote), (pi, si, view.new.snippet(pos, end, view.link.new))
    pi, si, _, _, text = view.old.sentence_at(pos, view.link.old)
    npi, nsi, sim = _best_pair(view.old, pi, si, text, view.new, view.link.new)
    quote = view.new.runs_text(npi, nsi) if sim >= PAIR_SIMILARITY else ""
    return (pi, si, view.old.snippet(pos, end, view.link.old)), (npi, nsi, quote)


#: Content-word similarity below which a sentence has no counterpart to quote.
PAIR_SIMILARITY = 0.2
#: Similarity given to a sentence pair the aligner's lineage links.
LINEAGE_SIMILARITY = 0.5


def lineage_index(links: Sequence[Link]) -> dict[str, tuple[dict, frozenset[int]] | None]:
    """side → (sentence → counterparts on the other side, paragraphs covered),
    from ``Link.sentence_links`` (None per side when no link carries any:
    the aligner gave no sentence lineage, and pairing falls back to shared
    wording)."""
    out: dict[str, dict[tuple[int, int], list[tuple[int, int]]]] = {"old": {}, "new": {}}
    covered: dict[str, set[int]] = {"old": set(), "new": set()}
    seen = False
    for link in links:
        pairs = getattr(link, "sentence_links", None)
        if not pairs:
            continue  # a link built without lineage (every aligned link has some)
        seen = True
        covered["old"].update(link.old)
        covered["new"].update(link.new)
        for sl in pairs:
            olds = [tuple(x) for x in sl.get("old", ())]
            news = [tuple(x) for x in sl.get("new", ())]
            for o in olds:
                out["old"].setdefault(o, []).extend(n for n in news if n not in out["old"][o])
            for n in news:
                out["new"].setdefault(n, []).extend(o for o in olds if o not in out["new"][n])
    if not seen:
        return {"old": None, "new": None}
    return {side: (out[side], frozenset(covered[side])) for side in ("old", "new")}


def _topics_for(view: _LinkView, o, n) -> set[str]:
    return view.old.topics_of(o[0], o[1]) | view.new.topics_of(n[0], n[1])


def _around(side: _Side, pi: int, si: int | None, s: int, e: int) -> str:
    unit = side.sent[(pi, si)] if si is not None else side.para[pi]
    return side.window(s, e, unit.start, unit.end, before=2, after=8)


@dataclass(frozen=True)
class _Own:
    """What the statements say about themselves: their parties (as configured
    actors) and the words of their titles and parties lines (leaders' names,
    the host city), which are not news when they appear as names."""

    parties: frozenset[str]
    words: frozenset[str]
    #: Words either statement uses in lower case: ordinary words.
    common: frozenset[str] = frozenset()
    #: Folded words of the parties line's parenthesis that name no actor:
    #: the leaders and the host city ("leaders: Ishiba, Yoon, Biden; Lima").
    people: frozenset[str] = frozenset()


def _own(old_doc: Document, new_doc: Document, config: TopicConfig) -> _Own:
    parties: set[str] = set()
    words: set[str] = set()
    for doc in (old_doc, new_doc):
        meta = doc.statement.meta
        parties |= set(term_hits(meta.parties, config).actors)
        for text in (meta.parties, meta.title):
            words |= {w for w in _fold_words(text) if _is_content(w)}
    common = {w for doc in (old_doc, new_doc) for w in _LOWER_WORD.findall(doc.statement.text)}  # lower case already
    people: set[str] = set()
    for doc in (old_doc, new_doc):
        # "(leaders: Calder, Dunmore; Eastport)": "leaders" is a stop word,
        # so the label needs no stripping.
        for inner in re.findall(r"\(([^)]*)\)", doc.statement.meta.parties):
            if not term_hits(inner, config).actors:
                people |= {w for w in _fold_words(inner) if _is_content(w)}
    return _Own(frozenset(parties), frozenset(words), frozenset(common), frozenset(people))


def _formula(side: _Side, pi: int, si: int | None, own: _Own, config: TopicConfig) -> bool:
    """Is this an opening or closing formula: a sentence of the statement's
    first or last paragraph naming two or more of its own parties or leaders
    ("We, the leaders of Japan, the ROK and the United States, convened in
    the spirit of Camp David…", "We thank Prime Minister X for hosting")?
    Its wording is new at every meeting and says nothing of policy."""
    first, last = side.doc.paragraphs[0].index, side.doc.paragraphs[-1].index
    if pi not in (first, last):
        return False
    text = side.sent[(pi, si)].text if si is not None else side.para[pi].text
    named = set(term_hits(text, config).actors) & own.parties
    named |= set(_fold_words(text)) & own.people
    return len(named) >= 2


_LOWER_WORD = re.compile(r"(?<![\w’'-])[a-z][a-z]+(?![\w-])")


_VOTERS = re.compile(r"^\W*(?:voting (?:for|against)\b|voted (?:for|against)\b|members voting\b|"
                     r"the (?:members|committee members) (?:who )?voted\b)", re.IGNORECASE)
# "Release" alone is no release line: "We call for the immediate release
# of all hostages." is policy. Only the press office's forms are.
_RELEASE = re.compile(r"\b(?:for (?:immediate )?release|release (?:date|time)\b|embargo(?:ed)?\b|press release|"
                      r"\d{1,2}[:.]\d{2}\s*(?:a\.m\.|p\.m\.|am|pm)|(?:a\.m\.|p\.m\.)\s*(?:[A-Z]{2,4}T)\b)"
                      r"|^\W*released?\b", re.IGNORECASE)
#: The markers a press office puts around a statement's text ("Begin Text:"
#: … "End Text.") and a UN verbatim record's procedural lines ("Mr. X
#: (Viet Nam), Vice-President, took the Chair."): furniture, not policy.
_FURNITURE = re.compile(r"^\W*(?:begin|end)(?: of)? text\W*$|\b(?:took|resumed|assumed) the chair\W*$",
                        re.IGNORECASE)
#: A press office's line introducing the text ("The below text is a joint
#: statement on behalf of … following their June 24 call", "The following
#: is the text of …", "The following joint statement was released by …"):
#: who issued it and when, not what it says.
_PREAMBLE = re.compile(r"^\W*(?:the (?:below|following) text\b|below is the (?:full )?text\b|the following is the "
                       r"(?:full )?text\b|the text of the (?:following|joint)\b|the following (?:joint )?(?:statement|"
                       r"readout|communiqu[eé]|declaration) (?:was|has been|is) (?:released|issued)\b)",
                       re.IGNORECASE)
#: Words of a speech's forms of address and thanks ("Mr. President,",
#: "Distinguished Delegates,", "Excellencies, ladies and gentlemen,",
#: "Thank you very much."): a passage of nothing else says nothing.
_ADDRESS_WORDS = frozenset(
    "mr mrs ms madam madame mister president presidents chair chairman chairperson co chairs secretary general "
    "secretarygeneral excellency excellencies distinguished dear honourable honorable delegates delegations "
    "colleagues guests friends ladies gentlemen your majesty majesties highness heads of state and government "
    "fellow the all thank thanks you very much i for attention kind".split())
_CLOCK = re.compile(r"\d{1,2}[:.]\d{2}|\b(?:19|20)\d\d\b|\b\d{1,2}(?:st|nd|rd|th)?\b|\b(?:a\.m|p\.m)\b|"
                    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December|"
                    r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|[A-Z]{2,4}T)\b")


#: A readout's meeting line: "… met in Seoul on October 16, 2024", "…
#: convened for the second trilateral meeting".
#: (Not "met with President X": whom they met is news.)
_MEETING_LINE = re.compile(r"\b(?:met|meet|meets|convened|gathered)\s+(?:in|at|on|virtually|for|today|via)\b")
#: Words a meeting line says besides names, titles, places and dates.
_MEETING_WORDS = frozenset("""met meet meets meeting meetings convened gathered held first second third fourth
    fifth sixth seventh eighth ninth tenth trilateral bilateral today leaders since""".split())


def _meeting_words_only(phrase: str, sentence: str) -> bool:
    """Is ``phrase`` (a stretch of ``sentence``, or the sentence itself)
    only who met, where and when: ``sentence`` a meeting line, and the
    phrase's only lower-case content words the meeting's ("met", "second",
    "trilateral")? Names, titles, places and dates are capitalised or
    figures."""
    if not (_MEETING_LINE.search(sentence) or ("met with" in sentence and _COUNTED_MEETING.search(sentence))):
        # ("met with X for the fourth trilateral meeting" is a meeting line
        # too; "met with President X for a bilateral meeting" names whom.)
        return False
    return all(w in _MEETING_WORDS or not _is_content(w) for w in _LOWER_RUN.findall(phrase))


_LOWER_RUN = re.compile(r"\b[a-z][\w’'-]*")
_COUNTED_MEETING = re.compile(r"\b(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)\b[^.]*"
                              r"\bmeeting\b")


@lru_cache(maxsize=16384)
def _metadata(text: str) -> bool:
    """Is ``text`` (a paragraph or sentence) metadata rather than a statement
    of policy: a release or date line ("For release at 2:00 p.m. EDT",
    "November 6, 2024"), a list of voters ("Voting for the monetary policy
    action were …"), a marker of the text's start or end ("Begin Text:"), a
    record's procedural line ("… took the Chair."), a readout's meeting
    line ("… met in Seoul on October 16, 2024 for the fourth trilateral
    meeting": names, places, dates), a form of address or thanks ("Mr.
    President,", "Thank you.") or a heading ("Women, Peace and Security")? These change
    at every meeting and say nothing: they are neither new passages nor new
    wording."""
    t = " ".join(text.split())
    if not t:
        return True
    if _VOTERS.match(t):
        return True
    if len(t.split()) <= 16 and _FURNITURE.search(t):
        return True
    if len(t.split()) <= 80 and _PREAMBLE.match(t):
        return True
    if len(t.split()) <= 8 and set(_fold_words(t.replace("-", " "))) <= _ADDRESS_WORDS:
        return True
    words = t.split()
    if len(words) <= 16 and _RELEASE.search(t):
        return True
    if "met" in t and _meeting_words_only(t, t):
        return True  # a readout's meeting line: who met, where and when
    if len(words) <= 12 and _CLOCK.search(t):
        rest = [w for w in _fold_words(_CLOCK.sub(" ", t)) if _is_content(w) and not w[0].isdigit()]
        if len(rest) <= 1:
            return True  # a date line: nothing but a date, a time and a place
    return is_heading(t, STOP)


def _sentence_initial(text: str, pos: int) -> bool:
    """Does ``pos`` open a sentence, clause, quote or list item (after ". ",
    ":", "(", "—", a line's "- " …)?"""
    # Back over whitespace without copying the text before ``pos`` (the
    # whole statement, thousands of times on a G7 pair).
    i = pos
    while i > 0 and text[i - 1].isspace():
        i -= 1
    if i < pos and i > 0 and text[i - 1] in "-–•*" and (i == 1 or text[i - 2].isspace()):
        return True  # a list item's marker ("- Starting in the early 2030s, …")
    return i == 0 or text[i - 1] in ".!?:;\"“(—"


def _word_index(doc: Document) -> tuple[set[str], set[tuple[str, str]], str]:
    """Content words, content-word pairs and the folded word string of a statement.

    Built sentence by sentence (the folds are cached and reused by the rules);
    a pair never spans two sentences.
    """
    words_all: list[str] = []
    content_words: set[str] = set()
    pairs: set[tuple[str, str]] = set()
    for p in doc.paragraphs:
        for text in ([s.text for s in p.sentences] or [p.text]):
            words = _fold_words(text)
            content = _content(words)
            content_words.update(content)
            pairs.update(zip(content, content[1:]))
            words_all.extend(words)
    return content_words, pairs, " " + " ".join(words_all) + " "
