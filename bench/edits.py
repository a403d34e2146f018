"""Realistic synthetic edits of a real statement, with the gold alignment they imply.

A "new year" version of a statement typically touches 30–50% of its paragraphs:
some are reworded, a few reordered, split, merged, added or dropped, and now
and then a single sentence migrates into a neighbouring paragraph. This module
applies a seeded, reproducible mix of such edits to a statement given as
paragraphs of sentences, and records the links an ideal aligner should find.

Gold semantics (the contract of issue 2):

* every old and every new paragraph is in exactly one link;
* ``added`` (old empty), ``dropped`` (new empty), ``split`` (1 old → n new),
  ``merged`` (n old → 1 new);
* a 1–1 link is ``unchanged`` when the texts are equal modulo cosmetics
  (quote style, British/American spelling, whitespace), else ``edited``;
* a 1–1 link is ``moved``/``moved_edited`` when it lies outside the longest
  increasing subsequence (LIS) of the 1–1 links (sorted by old index, read by
  new index). When several LIS exist a link may be in some but not all of
  them; its type is then ambiguous and ``types_ok`` accepts both readings;
* a sentence moved into another paragraph leaves both paragraph links 1–1
  (``edited``) and adds a ``moved_sentences`` entry
  ``{"old": [p, s], "new": [q, t]}``.

Edits are kept away from the aligner's decision boundaries on purpose, so the
gold is unambiguous: split halves and merge parts each carry ≥ 35% of the text
(the aligner's ``split_coverage`` default is 0.3), a migrated sentence is
< 25% of both paragraphs it touches, inserted paragraphs come from a statement
of another series and share little wording with any old paragraph, and only
paragraphs whose text occurs once are edited.

Everything is pure Python plus rapidfuzz; nothing here reads files, so the
generator is tested fast on invented text (``tests/test_bench_edits.py``).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Sequence

EDIT_KINDS = ("reorder", "split", "merge", "reword", "insert", "delete", "sentence_move", "cosmetic")

#: How often each kind is drawn once the guaranteed structural edits are placed.
#: Rewording dominates real revisions; structural edits are rarer.
_WEIGHTS = {
    "reword": 40,
    "cosmetic": 10,
    "reorder": 10,
    "split": 8,
    "merge": 8,
    "insert": 8,
    "delete": 8,
    "sentence_move": 8,
}

#: Paragraphs shorter than this (headings, "Preamble") are left alone: editing
#: them is unrealistic and their alignment rests on almost no evidence.
MIN_EDIT_CHARS = 60
#: Each side of a split or merge carries at least this share of the characters.
MIN_PART_SHARE = 0.35
#: A migrated sentence is below this share of its source and target paragraph.
MAX_MOVED_SHARE = 0.25
#: Chance that a split or merged paragraph is also reworded.
REWORD_WITH_STRUCTURE = 0.4


@dataclass(frozen=True)
class GoldLink:
    old: tuple[int, ...]
    new: tuple[int, ...]
    type: str
    #: Edit kinds that produced this link (empty: untouched).
    kinds: tuple[str, ...] = ()
    #: Types an aligner may report and still be right (moved-ness can be ambiguous).
    types_ok: tuple[str, ...] = ()

    def as_json(self) -> dict:
        return {
            "old": list(self.old),
            "new": list(self.new),
            "type": self.type,
            "kinds": list(self.kinds),
            "types_ok": list(self.types_ok),
        }


@dataclass(frozen=True)
class Case:
    """One generated pair: old and new paragraphs (as sentences) and the gold links."""

    name: str
    seed: int
    old_paragraphs: tuple[tuple[str, ...], ...]
    new_paragraphs: tuple[tuple[str, ...], ...]
    links: tuple[GoldLink, ...]
    moved_sentences: tuple[dict, ...]

    @property
    def old_text(self) -> str:
        return join_paragraphs(self.old_paragraphs)

    @property
    def new_text(self) -> str:
        return join_paragraphs(self.new_paragraphs)

    def gold_json(self) -> dict:
        """The gold in the format of ``tests/gold/align_*.json`` (plus ``kinds``/``types_ok``)."""
        return {
            "old": self.name,
            "new": f"{self.name}#seed={self.seed}",
            "links": [link.as_json() for link in self.links],
            "moved_sentences": [dict(m) for m in self.moved_sentences],
        }


def join_paragraphs(paragraphs: Sequence[Sequence[str]]) -> str:
    """Statement text: sentences joined by a space, paragraphs by a blank line."""
    return "\n\n".join(" ".join(sentences) for sentences in paragraphs) + "\n"


# --- cosmetic normalisation -------------------------------------------------

#: British ↔ American pairs used both to make cosmetic edits and to decide
#: whether two texts differ only cosmetically. Whole words only.
_SPELLING_PAIRS = (
    ("defence", "defense"),
    ("programme", "program"),
    ("programmes", "programs"),
    ("centre", "center"),
    ("centres", "centers"),
    ("labour", "labor"),
    ("favour", "favor"),
    ("honour", "honor"),
    ("behaviour", "behavior"),
    ("neighbour", "neighbor"),
    ("neighbours", "neighbors"),
    ("endeavour", "endeavor"),
    ("endeavours", "endeavors"),
    ("coastguard", "coast guard"),
    ("coastguards", "coast guards"),
)
#: Stems whose -ise/-isation forms have -ize/-ization twins.
_IZE_STEMS = (
    "recogn", "organ", "emphas", "militar", "stabil", "destabil", "real", "priorit",
    "util", "mobil", "critic", "character", "modern", "minim", "maxim", "normal",
    "final", "author", "special", "optim", "harmon", "decarbon", "weapon", "digital",
    "capital", "operational", "institutional", "central", "subsid", "summar",
)
_IZE_RE = re.compile(
    r"\b(" + "|".join(_IZE_STEMS) + r")i([sz])(e|es|ed|ing|ation|ations|er|ers)\b",
    re.IGNORECASE,
)
_QUOTES = {"’": "'", "‘": "'", "“": '"', "”": '"'}


def _match_case(word: str, like: str) -> str:
    if like.isupper() and len(like) > 1:
        return word.upper()
    if like[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def normalize_cosmetic(text: str) -> str:
    """``text`` with quotes, British spelling and whitespace made canonical (American)."""
    for a, b in _QUOTES.items():
        text = text.replace(a, b)
    text = _IZE_RE.sub(lambda m: m.group(1) + "i" + ("Z" if m.group(2).isupper() else "z") + m.group(3), text)
    for brit, amer in _SPELLING_PAIRS:
        text = re.sub(rf"\b{brit}\b", lambda m, a=amer: _match_case(a, m.group(0)), text, flags=re.IGNORECASE)
    return " ".join(text.split()).lower()


def _cosmetic_edit(text: str, rng: random.Random) -> str:
    """Swap quote styles and British/American spellings; meaning and wording unchanged."""
    out = text
    if any(q in out for q in _QUOTES):
        for a, b in _QUOTES.items():
            out = out.replace(a, b)
    elif "'" in out or '"' in out:
        out = out.replace("'", "’")
        out = re.sub(r'"([^"]*)"', r"“\1”", out)
    # Flip spelling in the direction the text does not use yet.
    def flip_ize(m: re.Match) -> str:
        z = {"s": "z", "z": "s", "S": "Z", "Z": "S"}[m.group(2)]
        return m.group(1) + "i" + z + m.group(3)

    out = _IZE_RE.sub(flip_ize, out)
    for brit, amer in _SPELLING_PAIRS:
        if re.search(rf"\b{brit}\b", out, re.IGNORECASE):
            out = re.sub(rf"\b{brit}\b", lambda m, a=amer: _match_case(a, m.group(0)), out, flags=re.IGNORECASE)
        elif " " not in amer and re.search(rf"\b{amer}\b", out, re.IGNORECASE):
            out = re.sub(rf"\b{amer}\b", lambda m, b=brit: _match_case(b, m.group(0)), out, flags=re.IGNORECASE)
    return out


# --- rewording ----------------------------------------------------------------

#: (pattern, replacement): the shifts of emphasis analysts look for — modal
#: weakening, intensifiers, near-synonyms. Word-boundary regexes, case kept.
_REWORDS = (
    (r"\bconcern\b", "grave concern"),
    (r"\bconcerns\b", "serious concerns"),
    (r"\bwill\b", "may"),
    (r"\bstrongly condemn\b", "condemn"),
    (r"\bcondemn\b", "strongly condemn"),
    (r"\bsupport\b", "firmly support"),
    (r"\bcommit\b", "pledge"),
    (r"\bimportant\b", "critical"),
    (r"\bwelcome\b", "warmly welcome"),
    (r"\breaffirm\b", "reiterate"),
    (r"\bensure\b", "guarantee"),
    (r"\bsignificant\b", "substantial"),
    (r"\bcall on\b", "urge"),
    (r"\bstrengthen\b", "bolster"),
    (r"\bpromote\b", "advance"),
    (r"\bcooperation\b", "collaboration"),
    (r"\bthreat\b", "serious threat"),
    (r"\bpeace and stability\b", "peace, stability and prosperity"),
    (r"\bcontinue to\b", "further"),
    (r"\bdeeply\b", "profoundly"),
    (r"\bfirmly\b", "resolutely"),
    (r"\bshared\b", "common"),
    (r"\bclose\b", "closer"),
    (r"\bintend to\b", "will"),
    (r"\bseek to\b", "aim to"),
)
_NUMBER_RE = re.compile(r"(?<![\w.,])(\d{1,4})(?![\w.,]\d)")
_CLAUSE_RE = re.compile(
    r", (?:including|in particular|as well as|which|such as|especially|notably)[^,.;:]{8,140}(?=[,.;])"
)
_QUALIFIERS_SUFFIX = (
    ", as appropriate",
    ", in accordance with international law",
    ", where possible",
    ", in close coordination with partners",
)
_QUALIFIERS_PREFIX = ("In this regard, ", "Moreover, ", "To this end, ", "Going forward, ")
_LOWERABLE_STARTS = {"We", "The", "This", "These", "Our", "Both", "Each"}


def _change_number(m: re.Match, rng: random.Random) -> str:
    n = int(m.group(1))
    if 1990 <= n <= 2040:
        return str(n + 1)  # "by 2030" → "by 2031": a shifted target year
    return str(n + rng.choice((1, 2, 5, 10)))


def _reword(sentences: list[str], rng: random.Random, hard: bool = False) -> list[str] | None:
    """1–3 word-level substitutions, sometimes a dropped clause or an added qualifier.

    ``hard``: 3–6 substitutions and both a dropped clause and a qualifier
    where possible — a heavy rewrite that still says the same thing.
    Returns the new sentences, or None when nothing applicable was found.
    """
    out = list(sentences)
    # All (sentence, pattern) spots where a substitution applies.
    spots = [(i, pat, rep) for i, s in enumerate(out) for pat, rep in _REWORDS if re.search(pat, s)]
    spots += [(i, "NUMBER", "") for i, s in enumerate(out) if _NUMBER_RE.search(s)]
    rng.shuffle(spots)
    wanted = rng.randint(3, 6) if hard else rng.randint(1, 3)
    done = 0
    for i, pat, rep in spots:
        if done >= wanted:
            break
        before = out[i]
        if pat == "NUMBER":
            matches = list(_NUMBER_RE.finditer(before))
            m = rng.choice(matches)
            out[i] = before[: m.start()] + _change_number(m, rng) + before[m.end():]
        else:
            matches = list(re.finditer(pat, before))
            m = rng.choice(matches)
            out[i] = before[: m.start()] + _match_case(rep, m.group(0)) + before[m.end():]
        done += out[i] != before
    roll = rng.random()
    if hard or roll < 0.25:
        clauses = [(i, m) for i, s in enumerate(out) for m in _CLAUSE_RE.finditer(s)]
        if clauses:
            i, m = rng.choice(clauses)
            out[i] = out[i][: m.start()] + out[i][m.end():]
            done += 1
    if hard or 0.25 <= roll < 0.5 or done == 0:
        i = rng.randrange(len(out))
        s = out[i]
        first = s.split(" ", 1)[0]
        if first in _LOWERABLE_STARTS and rng.random() < 0.5:
            out[i] = rng.choice(_QUALIFIERS_PREFIX) + s[0].lower() + s[1:]
            done += 1
        elif s.endswith("."):
            out[i] = s[:-1] + rng.choice(_QUALIFIERS_SUFFIX) + "."
            done += 1
    if not done or normalize_cosmetic(" ".join(out)) == normalize_cosmetic(" ".join(sentences)):
        return None
    return out


# --- the generator ------------------------------------------------------------


class _Unit:
    """A run of new paragraphs that share one gold link (a split keeps its parts together)."""

    __slots__ = ("old", "paras", "kinds")

    def __init__(self, old: tuple[int, ...], paras: list[list[str]], kinds: set[str] | None = None):
        self.old = old
        self.paras = paras
        self.kinds = kinds or set()


def _chars(sentences: Sequence[str]) -> int:
    return len(" ".join(sentences))


def lis_membership(seq: Sequence[int]) -> list[str]:
    """For each element of ``seq``: "all" (in every longest increasing
    subsequence), "some" (in some but not all) or "none". O(n²); n is a few hundred."""
    n = len(seq)
    if n == 0:
        return []
    end = [1] * n  # longest increasing run ending at i
    for i in range(n):
        for j in range(i):
            if seq[j] < seq[i] and end[j] + 1 > end[i]:
                end[i] = end[j] + 1
    start = [1] * n  # longest increasing run starting at i
    for i in range(n - 1, -1, -1):
        for j in range(i + 1, n):
            if seq[j] > seq[i] and start[j] + 1 > start[i]:
                start[i] = start[j] + 1
    best = max(end)
    on = [end[i] + start[i] - 1 == best for i in range(n)]
    # An element is in every LIS when it is the only one on some LIS at its level.
    per_level: dict[int, int] = {}
    for i in range(n):
        if on[i]:
            per_level[end[i]] = per_level.get(end[i], 0) + 1
    return ["none" if not on[i] else ("all" if per_level[end[i]] == 1 else "some") for i in range(n)]


def link_types(
    links: Sequence[tuple[tuple[int, ...], tuple[int, ...]]],
    old_texts: Sequence[str],
    new_texts: Sequence[str],
) -> list[tuple[str, tuple[str, ...]]]:
    """Type each ``(old, new)`` link by the gold semantics; returns ``(type, types_ok)``.

    Used for the generated gold and to type a baseline's links the same way.
    """
    one_to_one = sorted(
        (i for i, (o, n) in enumerate(links) if len(o) == 1 and len(n) == 1), key=lambda i: links[i][0][0]
    )
    membership = dict(zip(one_to_one, lis_membership([links[i][1][0] for i in one_to_one])))
    out: list[tuple[str, tuple[str, ...]]] = []
    for i, (o, n) in enumerate(links):
        if not o:
            out.append(("added", ("added",)))
        elif not n:
            out.append(("dropped", ("dropped",)))
        elif len(o) == 1 and len(n) > 1:
            out.append(("split", ("split",)))
        elif len(o) > 1 and len(n) == 1:
            out.append(("merged", ("merged",)))
        elif len(o) > 1 and len(n) > 1:
            # n–n beads are outside the contract's vocabulary; call them edited.
            out.append(("edited", ("edited",)))
        else:
            same = normalize_cosmetic(old_texts[o[0]]) == normalize_cosmetic(new_texts[n[0]])
            still, moved = ("unchanged", "moved") if same else ("edited", "moved_edited")
            where = membership[i]
            if where == "all":
                out.append((still, (still,)))
            elif where == "none":
                out.append((moved, (moved,)))
            else:
                out.append((still, (still, moved)))
    return out


def generate(
    paragraphs: Sequence[Sequence[str]],
    seed: int,
    donors: Sequence[Sequence[str]] = (),
    *,
    rate: float | None = None,
    name: str = "",
    hard: bool = False,
) -> Case:
    """Edit ``paragraphs`` (each a sequence of sentences) with a seeded mix of edits.

    ``donors``: paragraphs of statements from *other* series, the source of
    inserted passages. ``rate``: share of paragraphs to touch (default: drawn
    from 0.30–0.50). ``hard``: a stress test rather than a typical revision —
    heavy rewording everywhere a paragraph is reworded, every split and merge
    also reworded, sentences migrating to any paragraph, not just nearby ones.
    Same arguments → same case.
    """
    from rapidfuzz import fuzz

    rng = random.Random(seed)
    old = [list(p) for p in paragraphs]
    n = len(old)
    if n == 0:
        raise ValueError("cannot edit an empty statement")
    texts = [" ".join(p) for p in old]
    counts: dict[str, int] = {}
    for t in texts:
        counts[t] = counts.get(t, 0) + 1
    editable = [i for i in range(n) if len(texts[i]) >= MIN_EDIT_CHARS and counts[texts[i]] == 1]

    units: list[_Unit] = [_Unit((i,), [list(old[i])]) for i in range(n)]
    by_old: dict[int, _Unit] = {i: units[i] for i in range(n)}
    touched: set[int] = set()
    moved_sentences: list[tuple[int, int, _Unit, int]] = []  # old p, old s, target unit, new s
    pending_inserts: list[list[str]] = []
    pending_reorders = 0
    used_donors: set[int] = set()

    def _maybe_reword(sents: list[str], kinds: set[str]) -> list[str]:
        # Real revisions often split or merge *and* reword in one go; the
        # sentence count is kept, so the gold cut points stay valid.
        if hard or rng.random() < REWORD_WITH_STRUCTURE:
            new = _reword(sents, rng, hard)
            if new is not None:
                kinds.add("reword")
                return new
        return list(sents)

    def free(candidates):
        return [i for i in candidates if i not in touched]

    def do(kind: str) -> int:
        """Apply one edit of ``kind``; return how many paragraphs it touched (0: not possible)."""
        nonlocal pending_reorders
        if kind == "reword" or kind == "cosmetic":
            pool = free(editable)
            rng.shuffle(pool)
            for i in pool:
                sents = by_old[i].paras[0]
                if kind == "reword":
                    new = _reword(sents, rng, hard)
                else:
                    new = [_cosmetic_edit(s, rng) for s in sents]
                    if new == sents:
                        new = None
                if new is not None:
                    by_old[i].paras[0] = new
                    by_old[i].kinds.add(kind)
                    touched.add(i)
                    return 1
            return 0
        if kind == "delete":
            pool = free(editable)
            if len(pool) < 2:
                return 0
            i = rng.choice(pool)
            by_old[i].paras = []
            by_old[i].kinds.add("delete")
            touched.add(i)
            return 1
        if kind == "split":
            pool = [i for i in free(editable) if len(old[i]) >= 2]
            rng.shuffle(pool)
            for i in pool:
                sents = old[i]
                total = _chars(sents)
                cuts = [k for k in range(1, len(sents))
                        if min(_chars(sents[:k]), _chars(sents[k:])) >= MIN_PART_SHARE * total]
                if cuts:
                    k = rng.choice(cuts)
                    words = _maybe_reword(sents, by_old[i].kinds)
                    by_old[i].paras = [list(words[:k]), list(words[k:])]
                    by_old[i].kinds.add("split")
                    touched.add(i)
                    return 1
            return 0
        if kind == "merge":
            pool = [i for i in free(editable) if i + 1 in editable and i + 1 not in touched]
            rng.shuffle(pool)
            for i in pool:
                a, b = _chars(old[i]), _chars(old[i + 1])
                if min(a, b) >= MIN_PART_SHARE * (a + b):
                    unit = by_old[i]
                    unit.old = (i, i + 1)
                    unit.paras = [_maybe_reword(list(old[i]) + list(old[i + 1]), unit.kinds)]
                    unit.kinds.add("merge")
                    units.remove(by_old[i + 1])
                    by_old[i + 1] = unit
                    touched.update((i, i + 1))
                    return 2
            return 0
        if kind == "sentence_move":
            sources = [i for i in free(editable) if len(old[i]) >= 2]
            rng.shuffle(sources)
            for i in sources:
                total = _chars(old[i])
                movable = [s for s in range(len(old[i])) if len(old[i][s]) < MAX_MOVED_SHARE * total]
                if not movable:
                    continue
                s = rng.choice(movable)
                sentence = old[i][s]
                targets = [j for j in free(editable) if j != i and (hard or abs(j - i) <= 3)
                           and len(sentence) < MAX_MOVED_SHARE * (_chars(old[j]) + len(sentence) + 1)]
                if not targets:
                    continue
                j = rng.choice(targets)
                src, dst = by_old[i], by_old[j]
                src.paras = [[x for k, x in enumerate(old[i]) if k != s]]
                at_start = rng.random() < 0.5
                dst.paras = [[sentence] + list(old[j])] if at_start else [list(old[j]) + [sentence]]
                moved_sentences.append((i, s, dst, 0 if at_start else len(old[j])))
                src.kinds.add("sentence_move")
                dst.kinds.add("sentence_move")
                touched.update((i, j))
                return 2
            return 0
        if kind == "insert":
            pool = [d for d in range(len(donors)) if d not in used_donors and 150 <= _chars(donors[d]) <= 900]
            rng.shuffle(pool)
            for d in pool[:50]:
                text = " ".join(donors[d])
                # Genuinely new content: little shared wording with every old paragraph.
                if all(fuzz.token_set_ratio(text, t) < 60 for t in texts):
                    used_donors.add(d)
                    pending_inserts.append(list(donors[d]))
                    return 1
            return 0
        if kind == "reorder":
            # A handful of passages move in a real revision, not a shuffle.
            if n < 5 or pending_reorders >= max(2, n // 12):
                return 0
            pending_reorders += 1
            return 1
        raise ValueError(f"unknown edit kind {kind!r}")

    share = rate if rate is not None else rng.uniform(0.30, 0.50)
    budget = max(1, round(share * n))
    # A few structural edits first so every case exercises more than rewording.
    structural = ["split", "merge", "sentence_move", "insert", "delete", "reorder"]
    rng.shuffle(structural)
    plan = structural[: rng.randint(2, 4)]
    kinds, weights = zip(*_WEIGHTS.items())
    attempts = 0
    while budget > 0 and attempts < 10 * n + 50:
        attempts += 1
        kind = plan.pop(0) if plan else rng.choices(kinds, weights)[0]
        budget -= do(kind)

    for paras in pending_inserts:
        units.insert(rng.randrange(len(units) + 1), _Unit((), [paras], {"insert"}))
    for _ in range(pending_reorders):
        # A crossing move: a carried passage jumps at least two places.
        carried = [u for u in units if u.old and u.paras and "reorder" not in u.kinds]
        if len(carried) < 3:
            break
        unit = rng.choice(carried)
        here = units.index(unit)
        units.pop(here)
        spots = [k for k in range(len(units) + 1) if abs(k - here) >= 2]
        units.insert(rng.choice(spots), unit)
        unit.kinds.add("reorder")

    new_paras: list[list[str]] = []
    raw_links: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
    first_new: dict[int, int] = {}
    for unit in units:
        idx = []
        first_new[id(unit)] = len(new_paras)
        for p in unit.paras:
            idx.append(len(new_paras))
            new_paras.append(p)
        raw_links.append((unit.old, tuple(idx)))

    typed = link_types(raw_links, texts, [" ".join(p) for p in new_paras])
    links = tuple(
        GoldLink(o, nw, t, tuple(sorted(u.kinds)), ok)
        for (o, nw), (t, ok), u in zip(raw_links, typed, units)
    )
    moves = tuple(
        {"old": [p, s], "new": [first_new[id(unit)], t]} for p, s, unit, t in moved_sentences
    )
    return Case(
        name=name,
        seed=seed,
        old_paragraphs=tuple(tuple(p) for p in old),
        new_paragraphs=tuple(tuple(p) for p in new_paras),
        links=links,
        moved_sentences=moves,
    )
