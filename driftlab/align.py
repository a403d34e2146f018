"""Align two statements by lineage: every new passage beside its ancestor.

What a link means
-----------------
An old passage is linked to a new one when an analyst comparing the two
statements would want to read it beside the new one to judge what changed in
the position it states: **same subject and function, whatever the wording**.
The subject is what the passage is about (DPRK launches, the Taiwan Strait,
the coordinating body of the partnership), not the stock phrases every
passage shares ("rules-based international order"). Different subjects are
never linked, even when their wording overlaps.

Why not an order-keeping aligner
--------------------------------
Successive joint statements reorder, split and merge passages freely; on real
pairs an order-keeping dynamic programme (Bertalign's) scores *below* naive
word matching. So nothing here assumes monotone order: every old passage may
link to any new one, crossing links are normal, and order only matters
afterwards, to call a carried passage ``moved``.

The algorithm
-------------
Inputs are the sentence embeddings of both statements (L2-normalised rows).
A paragraph's vector is the length-weighted mean of its sentences' vectors,
renormalised: no extra encoding, and no truncation at the model's window.

1. **Candidates, not all pairs.** Each sentence keeps its ``neighbours`` most
   similar sentences on the other side (cosine, both directions), and each
   paragraph its ``neighbours`` most similar paragraphs. Only those pairs are
   scored: the cost is ``O(S_old · S_new · d)`` multiply-adds done in blocks
   of at most :data:`BLOCK_CELLS` similarities, and ``O((S_old + S_new) · k)``
   memory — no dense all-pairs matrix is ever held.
2. **Sentence evidence** for candidate pairs: cosine, and word-level Indel
   similarity of their content words (rapidfuzz, on cosmetically folded
   words). Pairs scoring ``½ cosine + ½ lexical ≥ sentence_threshold`` are
   *carried*, matched one-to-one from the best.
3. **Paragraph evidence** for candidate pairs: cosine of the paragraph
   vectors; *shared wording* — IDF-weighted Dice overlap of content words
   (order-insensitive; words every passage uses count little); *coverage* —
   the share of each side's characters carried by matched sentences — and
   content-bigram *containment* (survives sentences being re-cut).
4. **Copied-text beads** (phase A). A pair is a *whole* edge when
   ``½ cosine + ½ wording ≥ link_threshold`` and ``wording ≥ min_lexical``;
   a *part* edge when one side is mostly made of the other. Edges are taken
   strongest first into beads: 1–1, split 1–n, merged n–1.
5. **Lineage beads** (phase B), for what phase A left unlinked: the same
   subject restated in new words. A pair is a *subject* edge when the
   paragraph cosine reaches ``rewrite_cosine`` and the two share subject
   evidence: a sentence of one restating a sentence of the other (sentence
   cosine ≥ ``lineage_cosine``) or distinctive words in common
   (IDF-weighted wording ≥ :data:`SUBJECT_MIN_WORDING`). Those cosines are
   taken net of *hubness* (CSLS): a passage or a stock sentence close to
   everything on the other side says nothing of a subject, and a generic
   line would otherwise be the best partner of many passages at once.
   Between two unlinked
   passages the edge must be the best for both (mutual best): that is what
   keeps two passages that merely share a theme apart. A passage whose
   partner is already in a bead joins that bead — a long paragraph fanning
   out into several new ones, several condensed into one — and a bead that
   grows on both sides is an n–m ``group``; only a passage beside one of
   the bead's own on its side makes it n–m (one block of text re-cut
   differently), never a distant one that merely resembles it. A new
   passage of *m* sentences condenses at most *m* old passages on subject
   evidence: each is restated in at least one of its sentences. An old passage joins a long new
   paragraph it is condensed into only when at least
   :data:`FANOUT_MIN_SHARE` of it restates that paragraph's sentences: one
   restated stock opener is not its subject.
   A passage also joins the link of its best subject partner when it
   continues a sentence of that partner that nothing in the link continues
   (a sentence with no other place to go: an old paragraph's second
   sentence restated as a new passage of its own), as long as the link
   keeps its shape (a split gains a piece, a merge a part; no n–m); a
   passage condensed into a long new paragraph still needs
   :data:`FANOUT_MIN_SHARE` of it restated there.
   Two links holding one contiguous block on each side, interleaving, with
   the subject crossing between them both ways, are one block re-cut
   differently: they fuse into a ``group``.
   A section heading is linked only to a heading, in either phase: it names
   a section and states no position, so its function differs from a
   paragraph's even when it shares the paragraph's subject words.
6. **Openings and closings.** The first passages of both statements
   (headings aside) frame them — who met, where, in what spirit — and the
   last ones close them (the way ahead, thanks, the values the partners
   share): when one is linked and the other is alone, the lone one joins
   that link if the two are close in meaning (:data:`OPENING_MIN_COSINE`).
   An opening and the other statement's closing have different functions
   and resemble each other (both speak of the whole relationship): phase B
   never links them on subject evidence alone, in a statement with a body
   between the two (:func:`_frame`).
7. **Cut sentences.** A passage opening in lower case continues the
   sentence of the passage before it (a verbatim record or a scraped page
   cut mid-sentence); when only one of the two is linked, the other joins
   its link. A one-sentence passage ending in a colon is a list's lead-in:
   it takes the link of the passage it introduces.
8. **Leftovers** are ``dropped`` / ``added``. Matched sentences whose
   paragraphs ended up in different beads are *migrated sentences*.
9. **Types.** Beads off the longest chain that keeps old and new order
   (longest increasing subsequence) are ``moved``. A 1–1 bead whose texts
   fold alike is ``unchanged`` (or ``moved``); founded on a subject edge it
   is ``rewritten`` (no word redline pretends the new text is an edit of the
   old); otherwise ``edited`` (or ``moved_edited``). 1–n is ``split``, n–1
   ``merged``, n–m ``group``.
10. **Sentence lineage inside each link** (``sentence_links``): every new
   sentence with its source sentence(s) in the link — carried, edited or
   rewritten — or marked added; every old sentence kept, or dropped, or
   migrated elsewhere. This is what lets the report pair sentences inside a
   long paragraph that fans out, and the flags compare a sentence with the
   sentence it came from.

Confidence is the bead's strength above its threshold, discounted when a
member paragraph has a near rival outside the bead (small margin). Every link
carries its scores and readable evidence: shared subject words, sentences
carried or restated, the rival it beat, why it counts as moved. Paragraph
numbers in evidence count from 1 (``¶1`` is the first), as on the page.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from .normalize import content_words, fold
from .segment import is_heading
from .types import Document, Link, reading_order

#: Below this many content words a sentence is too generic ("They welcomed
#: this.") to be evidence that it migrated between paragraphs.
MIN_MIGRATING_WORDS = 5
#: A part edge needs one side to be at least this much made of the other.
PART_DOMINANCE = 0.5
#: Cosine floor for part edges: protects against bigram collisions of stock
#: phrases ("rules-based international order") between unrelated passages.
PART_MIN_COSINE = 0.45
#: Cosine above which a paragraph sharing a fair part of its content
#: (``split_coverage``) with a bead's paragraph joins it as a split/merge even
#: when their wording as a whole differs (leaders condensing ministers' text).
LOOSE_COSINE = 0.7
#: A reworded sentence counts as migrated only with this cosine and this
#: combined score (and as a mutual best match): true moves on the gold pairs
#: score cosine 0.80–0.95, combined 0.69–0.74; unrelated best matches stay
#: below cosine 0.8.
REWORDED_MIN_COSINE = 0.8
REWORDED_MIN_SCORE = 0.65
#: Subject evidence from words alone: the IDF-weighted share of distinctive
#: vocabulary two restated passages have in common. Below it, only a sentence
#: restating another (``lineage_cosine``) shows the subject is the same.
#: Set at 0.06 on five tuning pairs; on eleven, restated passages of speeches
#: (a UN debate speech re-cut into one-sentence paragraphs) share 4–6 % and
#: 0.04 links them (tuning all-links F1 0.701 → 0.715, the stress views of
#: ``bench/lineage_quality.py`` no lower); at 0.03 stock vocabulary starts
#: to pair passages (0.705). The pair must still be mutual best.
SUBJECT_MIN_WORDING = 0.04
#: A lineage link between two unlinked passages may score at most this much
#: below the best subject edge either passage has (to a passage already
#: linked); further below, the passage more likely continues that one.
SUBJECT_MARGIN = 0.1
#: A passage joins an existing link on subject evidence when its score to
#: the link is at most this much below the link's own members' best.
JOIN_MARGIN = 0.1
#: A paragraph with more sentences than this is "long": its sentences may
#: fan out into several new passages (and several old ones may be condensed
#: into one long new passage) on sentence evidence alone.
FANOUT_SENTENCES = 5
#: An old passage joins a long new paragraph it is condensed into (on one
#: restated sentence) only when at least this share of its text restates
#: sentences of it: otherwise the restated line is a stock opener, and the
#: passage's subject lies in the rest of it. On the tuning pairs the one
#: wrong join had 0.20, the right ones 0.57 and 1.0; a third is the middle.
FANOUT_MIN_SHARE = 1 / 3
#: The two statements' opening passages (who met, where, to do what) are
#: linked at this paragraph cosine without further subject evidence: the
#: same function, and an analyst reads them side by side (every tuning pair
#: links them); below it an opening is about something else. Closings
#: likewise (the gold links them in 11 of 19 tuning pairs).
OPENING_MIN_COSINE = 0.5
#: A rival within this margin of the chosen partner lowers confidence.
MARGIN_SCALE = 0.15
#: Width of the logistic that turns strength above the threshold into confidence.
CONFIDENCE_SCALE = 0.06
#: Most similarities held at once while finding neighbours (4 M floats, 16 MB).
BLOCK_CELLS = 1 << 22


@dataclass(frozen=True)
class AlignParams:
    link_threshold: float = 0.44
    min_lexical: float = 0.16
    sentence_threshold: float = 0.8
    split_coverage: float = 0.3
    rewrite_cosine: float = 0.6
    lineage_cosine: float = 0.7
    neighbours: int = 10


# --------------------------------------------------------------------------
# Text features


class _Vocab:
    """Maps words to private code points so rapidfuzz compares word sequences
    at C speed (one character per word)."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}

    def encode(self, words: Sequence[str]) -> str:
        ids = self.ids
        return "".join(chr(0x10000 + ids.setdefault(w, len(ids))) for w in words)


class _Idf:
    """Inverse document frequency of content words over both statements'
    paragraphs: words every passage uses ("support", "international") weigh
    little, distinctive ones ("Freedom Edge", "munitions") much."""

    def __init__(self, word_lists: Sequence[Sequence[str]]):
        df: dict[str, int] = {}
        for words in word_lists:
            for w in set(words):
                df[w] = df.get(w, 0) + 1
        n = max(1, len(word_lists))
        self.weight = {w: math.log((n + 1) / (c + 0.5)) for w, c in df.items()}

    def mass(self, words: Iterable[str]) -> float:
        weight = self.weight
        return sum(weight[w] for w in words if w in weight)

    def dice(self, a: frozenset[str], b: frozenset[str], mass_a: float, mass_b: float) -> float:
        """IDF-weighted Dice overlap of two word sets.

        Order-insensitive on purpose: leaders condensing ministers' text
        reorder clauses freely, and an in-order measure (Indel) then
        undercounts what is shared. On the hand-checked real pairs it
        separates carried passages (≥ 0.16 but one) from same-topic new ones
        (≤ 0.15) where word-level Indel overlaps.
        """
        denom = mass_a + mass_b
        if denom <= 0:
            return 0.0
        return 2.0 * sum(map(self.weight.__getitem__, a & b)) / denom

    def top_shared(self, a: frozenset[str], b: frozenset[str], limit: int = 5) -> list[str]:
        """The most distinctive words both sides use: the subject they share."""
        shared = sorted(a & b, key=lambda w: (-self.weight.get(w, 0.0), w))
        return shared[:limit]


def _bigrams(words: Sequence[str]) -> frozenset[str]:
    if len(words) < 2:
        return frozenset(words)
    return frozenset(a + " " + b for a, b in zip(words, words[1:]))


def paragraph_vectors(doc: Document, sent_vecs: np.ndarray) -> np.ndarray:
    """``(P, d)``: each paragraph's length-weighted mean sentence vector, renormalised."""
    rows = []
    k = 0
    for p in doc.paragraphs:
        n = len(p.sentences)
        w = np.array([max(1, s.end - s.start) for s in p.sentences], dtype=np.float32)
        v = (sent_vecs[k : k + n] * w[:, None]).sum(axis=0)
        k += n
        norm = np.linalg.norm(v)
        rows.append(v / norm if norm else v)
    return np.stack(rows) if rows else np.zeros((0, sent_vecs.shape[1] if sent_vecs.ndim == 2 else 1))


def top_neighbours(a: np.ndarray, b: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """For each row of ``a``, the ``k`` rows of ``b`` with the highest dot product.

    Returns ``(idx, sims)``, both ``(len(a), min(k, len(b)))``, best first.
    Rows of ``a`` are processed in blocks so that at most ``BLOCK_CELLS``
    similarities exist at once: memory stays linear in the inputs whatever
    their product. Ties break on the lower index, so results are stable.
    """
    n, m = len(a), len(b)
    k = min(k, m)
    if not n or not k:
        return np.zeros((n, 0), dtype=np.int64), np.zeros((n, 0), dtype=np.float32)
    idx = np.empty((n, k), dtype=np.int64)
    sims = np.empty((n, k), dtype=np.float32)
    step = max(1, BLOCK_CELLS // max(1, m))
    bt = np.ascontiguousarray(b.T, dtype=np.float32)
    for r in range(0, n, step):
        block = np.asarray(a[r : r + step], dtype=np.float32) @ bt
        if k < m:
            part = np.argpartition(-block, k - 1, axis=1)[:, :k]
        else:
            part = np.broadcast_to(np.arange(m), block.shape).copy()
        vals = np.take_along_axis(block, part, axis=1)
        # Best first; among equal scores the lower index first.
        order = np.lexsort((part, -vals), axis=1)
        idx[r : r + step] = np.take_along_axis(part, order, axis=1)
        sims[r : r + step] = np.take_along_axis(vals, order, axis=1)
    return idx, np.clip(sims, -1.0, 1.0)


def _shared_phrases(a: Sequence[str], b: Sequence[str], limit: int = 6) -> list[str]:
    """Longest runs of content words common to both sides, longest first."""
    from cydifflib import SequenceMatcher  # difflib's, compiled: the same blocks

    sm = SequenceMatcher(None, list(a), list(b), autojunk=False)
    runs = [m for m in sm.get_matching_blocks() if m.size >= 2]
    runs.sort(key=lambda m: (-m.size, m.a))
    return [" ".join(a[m.a : m.a + m.size]) for m in runs[:limit]]


# --------------------------------------------------------------------------
# Evidence


@dataclass(frozen=True)
class PairEvidence:
    """What one candidate paragraph pair rests on (see the module docstring)."""

    cosine: float
    wording: float  # IDF-weighted Dice of content words
    part_old: float  # share of the old paragraph found in the new one
    part_new: float  # share of the new paragraph taken from the old one
    restated: float  # best sentence cosine between the two (lineage evidence)
    fanout: bool = False  # one side is a long paragraph (> FANOUT_SENTENCES sentences)
    local: float | None = None  # cosine less both sides' hubness (see _hubness); None: the plain cosine
    restated_local: float | None = None  # ``restated`` less both sentences' hubness; None: ``restated``

    @property
    def cosine_net(self) -> float:
        """The passages' cosine less both sides' hubness (the plain one when not computed)."""
        return self.cosine if self.local is None else self.local

    @property
    def restated_net(self) -> float:
        """``restated`` less both sentences' hubness (the plain one when not computed)."""
        return self.restated if self.restated_local is None else self.restated_local

    @property
    def combined(self) -> float:
        return 0.5 * self.cosine + 0.5 * self.wording


@dataclass
class Features:
    """Sparse evidence between two documents: only candidate pairs are scored.

    ``sent`` maps ``(old sentence, new sentence)`` (flat reading-order
    indices) to ``(cosine, lexical)``; ``pairs`` maps ``(old paragraph, new
    paragraph)`` to :class:`PairEvidence`.
    """

    o_sents: list
    n_sents: list
    o_sent_par: np.ndarray
    n_sent_par: np.ndarray
    o_pw: list
    n_pw: list
    o_sw: list
    o_pv: np.ndarray
    n_pv: np.ndarray
    sent: dict[tuple[int, int], tuple[float, float]]
    carried: list[tuple[int, int]]
    pairs: dict[tuple[int, int], PairEvidence]
    idf: _Idf
    by_old: dict[int, list[int]] = field(default_factory=dict)
    by_new: dict[int, list[int]] = field(default_factory=dict)
    sent_by_new: dict[int, list[int]] = field(default_factory=dict)
    o_first: list = field(default_factory=list)
    n_first: list = field(default_factory=list)

    def o_range(self, i: int) -> range:
        """Flat indices of old paragraph ``i``'s sentences."""
        return range(self.o_first[i], self.o_first[i + 1])

    def n_range(self, j: int) -> range:
        return range(self.n_first[j], self.n_first[j + 1])


def _sentence_candidates(ov: np.ndarray, nv: np.ndarray, k: int,
                         hubs: list | None = None) -> dict[tuple[int, int], float]:
    """Cosine of each sentence pair that is among either side's ``k`` nearest.
    ``hubs``, when given, receives each side's sentence hubness (old, new; :func:`_hubness`)."""
    out: dict[tuple[int, int], float] = {}
    idx, sims = top_neighbours(nv, ov, k)
    for b in range(idx.shape[0]):
        for a, c in zip(idx[b].tolist(), sims[b].tolist()):
            out[(a, b)] = c
    n_sims = sims
    idx, sims = top_neighbours(ov, nv, k)
    for a in range(idx.shape[0]):
        for b, c in zip(idx[a].tolist(), sims[a].tolist()):
            out[(a, b)] = c
    if hubs is not None:
        hubs.extend((_hubness(sims), _hubness(n_sims)))
    return out


def features(old: Document, new: Document, old_sent_vecs: np.ndarray, new_sent_vecs: np.ndarray,
             params: AlignParams = AlignParams()) -> Features:
    o_sents = [s for p in old.paragraphs for s in p.sentences]
    n_sents = [s for p in new.paragraphs for s in p.sentences]
    o_sent_par = np.array([p.index for p in old.paragraphs for _ in p.sentences], dtype=np.int64)
    n_sent_par = np.array([p.index for p in new.paragraphs for _ in p.sentences], dtype=np.int64)
    assert old_sent_vecs.shape[0] == len(o_sents) and new_sent_vecs.shape[0] == len(n_sents)
    k = max(1, params.neighbours)

    # --- words ---------------------------------------------------------------
    o_sw = [content_words(s.text) for s in o_sents]
    n_sw = [content_words(s.text) for s in n_sents]
    # Sentences cover every word of their paragraph, so a paragraph's content
    # words are its sentences' in order: no second tokenisation.
    o_pw = _paragraph_words(old, o_sw)
    n_pw = _paragraph_words(new, n_sw)
    idf = _Idf(o_pw + n_pw)

    # --- 1–2. sentence candidates and their evidence ---------------------------
    from rapidfuzz.distance import Indel

    vocab = _Vocab()
    o_enc = [vocab.encode(w) for w in o_sw]
    n_enc = [vocab.encode(w) for w in n_sw]
    sent: dict[tuple[int, int], tuple[float, float]] = {}
    s_hubs: list = []
    for (a, b), cos in _sentence_candidates(old_sent_vecs, new_sent_vecs, k, s_hubs).items():
        lex = Indel.normalized_similarity(o_enc[a], n_enc[b]) if o_enc[a] and n_enc[b] else 0.0
        sent[(a, b)] = (cos, float(lex))
    # Identical sentences always pair, even beyond the k nearest (a statement
    # repeating a stock sentence more than k times).
    by_text: dict[str, list[int]] = {}
    for a, s in enumerate(o_sents):
        by_text.setdefault(fold(s.text), []).append(a)
    for b, s in enumerate(n_sents):
        for a in by_text.get(fold(s.text), ())[: 4 * k]:
            sent[(a, b)] = (1.0, 1.0)

    cand = sorted(sent, key=lambda ab: (-(sent[ab][0] + sent[ab][1]), ab))
    used_o: set[int] = set()
    used_n: set[int] = set()
    carried: list[tuple[int, int]] = []
    for a, b in cand:
        cos, lex = sent[(a, b)]
        if 0.5 * cos + 0.5 * lex < params.sentence_threshold or a in used_o or b in used_n:
            continue
        used_o.add(a)
        used_n.add(b)
        carried.append((a, b))

    # --- 3. paragraph candidates and their evidence ----------------------------
    o_pv = paragraph_vectors(old, old_sent_vecs)
    n_pv = paragraph_vectors(new, new_sent_vecs)
    restated: dict[tuple[int, int], float] = {}
    restated_local: dict[tuple[int, int], float] = {}
    o_shub, n_shub = s_hubs
    for (a, b), (cos, _lex) in sent.items():
        key = (int(o_sent_par[a]), int(n_sent_par[b]))
        if cos > restated.get(key, -1.0):
            restated[key] = cos
        loc = cos - 0.5 * (o_shub[a] + n_shub[b])
        if loc > restated_local.get(key, -1.0):
            restated_local[key] = loc
    keys = set(restated)
    idx, n_sims = top_neighbours(n_pv, o_pv, k)
    keys.update((int(i), j) for j in range(idx.shape[0]) for i in idx[j])
    idx, o_sims = top_neighbours(o_pv, n_pv, k)
    keys.update((i, int(j)) for i in range(idx.shape[0]) for j in idx[i])
    o_hub, n_hub = _hubness(o_sims), _hubness(n_sims)
    keys.update(_identical_pairs(old, new, o_pw, n_pw))

    o_len = [max(1, p.end - p.start) for p in old.paragraphs]
    n_len = [max(1, p.end - p.start) for p in new.paragraphs]
    cov_old: dict[tuple[int, int], float] = {}
    cov_new: dict[tuple[int, int], float] = {}
    for a, b in carried:
        key = (int(o_sent_par[a]), int(n_sent_par[b]))
        cov_old[key] = cov_old.get(key, 0.0) + (o_sents[a].end - o_sents[a].start) / o_len[key[0]]
        cov_new[key] = cov_new.get(key, 0.0) + (n_sents[b].end - n_sents[b].start) / n_len[key[1]]
    o_sets = [frozenset(w) for w in o_pw]
    n_sets = [frozenset(w) for w in n_pw]
    o_mass = [idf.mass(s) for s in o_sets]
    n_mass = [idf.mass(s) for s in n_sets]
    o_bi = [_bigrams(w) for w in o_pw]
    n_bi = [_bigrams(w) for w in n_pw]
    pairs: dict[tuple[int, int], PairEvidence] = {}
    by_old: dict[int, list[int]] = {}
    by_new: dict[int, list[int]] = {}
    keys_sorted = sorted(keys)
    if keys_sorted:
        ii = np.fromiter((i for i, _ in keys_sorted), dtype=np.int64, count=len(keys_sorted))
        jj = np.fromiter((j for _, j in keys_sorted), dtype=np.int64, count=len(keys_sorted))
        # In chunks: gathering all rows at once would hold (pairs × d) floats.
        step = max(1, BLOCK_CELLS // max(1, o_pv.shape[1]))
        cosines = np.concatenate([
            np.einsum("ij,ij->i", o_pv[ii[r : r + step]], n_pv[jj[r : r + step]])
            for r in range(0, len(ii), step)
        ]).clip(-1.0, 1.0).tolist()
    else:
        cosines = []
    for (i, j), cos in zip(keys_sorted, cosines):
        inter = len(o_bi[i] & n_bi[j])
        c_old = inter / max(1, len(o_bi[i]))
        c_new = inter / max(1, len(n_bi[j]))
        pairs[(i, j)] = PairEvidence(
            cosine=cos,
            wording=idf.dice(o_sets[i], n_sets[j], o_mass[i], n_mass[j]),
            part_old=min(1.0, max(cov_old.get((i, j), 0.0), c_old)),
            part_new=min(1.0, max(cov_new.get((i, j), 0.0), c_new)),
            restated=restated.get((i, j), 0.0),
            fanout=max(len(old.paragraphs[i].sentences), len(new.paragraphs[j].sentences)) > FANOUT_SENTENCES,
            local=min(1.0, cos - 0.5 * (o_hub[i] + n_hub[j])),
            restated_local=min(1.0, restated_local.get((i, j), 0.0)),
        )
        by_old.setdefault(i, []).append(j)
        by_new.setdefault(j, []).append(i)
    sent_by_new: dict[int, list[int]] = {}
    for a, b in sorted(sent):
        sent_by_new.setdefault(b, []).append(a)
    return Features(o_sents, n_sents, o_sent_par, n_sent_par, o_pw, n_pw, o_sw, o_pv, n_pv,
                    sent, carried, pairs, idf, by_old, by_new, sent_by_new,
                    _firsts(old), _firsts(new))


def _hubness(sims: np.ndarray) -> list[float]:
    """Each passage's (or sentence's) *hubness*: the mean cosine to its
    ``neighbours`` nearest on the other side (the rows of ``sims``), less
    the median one's.

    A generic passage ("for the first time since 1945 we see a chance for
    genuine multilateralism") is close to everything the other statement
    says, and by plain cosine it becomes the best subject partner of many
    passages at once: a merge of six old passages into one new line. Taking
    half of both sides' hubness off a pair's cosine (CSLS, cross-domain
    similarity local scaling, halved to stay on the cosine's scale, and
    centred on the median so the thresholds keep their meaning) ranks a
    partner by how much closer it is than each side's usual neighbour.
    Sentences likewise: a stock line restated in every speech is a hub.
    Cost: the top-k similarities already found, O((P + S) · k).
    """
    if not sims.size:
        return [0.0] * sims.shape[0]
    r = sims.mean(axis=1)
    return (r - float(np.median(r))).tolist()


def _firsts(doc: Document) -> list[int]:
    """Flat index of each paragraph's first sentence, plus the total at the end."""
    out = [0]
    for p in doc.paragraphs:
        out.append(out[-1] + len(p.sentences))
    return out


# --------------------------------------------------------------------------
# Beads


@dataclass
class _Bead:
    old: list[int]
    new: list[int]
    strength: float
    kind: str  # founding edge: "whole", "part" or "subject"
    joined_by_subject: bool = False
    cohesion: float = 0.0  # best subject score among its member pairs
    opening: float = 0.0  # cosine of the two openings when one joined as such
    closing: float = 0.0  # cosine of the two closings when one joined as such
    notes: list = field(default_factory=list)  # passages joined by the text's structure, for evidence


@dataclass
class _Beads:
    """Beads and which bead each paragraph belongs to."""

    beads: list[_Bead] = field(default_factory=list)
    of_old: dict[int, _Bead] = field(default_factory=dict)
    of_new: dict[int, _Bead] = field(default_factory=dict)

    def open(self, i: int, j: int, strength: float, kind: str) -> None:
        b = _Bead([i], [j], strength, kind)
        self.beads.append(b)
        self.of_old[i] = b
        self.of_new[j] = b

    def add_new(self, b: _Bead, j: int) -> None:
        b.new.append(j)
        self.of_new[j] = b

    def add_old(self, b: _Bead, i: int) -> None:
        b.old.append(i)
        self.of_old[i] = b

    def move(self, side: str, p: int, to: _Bead) -> bool:
        """Move passage ``p`` of ``side`` ("old"/"new") into bead ``to``;
        refused (False) when it is the only passage on its side of its bead,
        which would leave that bead's other side linked to nothing."""
        of = self.of_old if side == "old" else self.of_new
        cur = of.get(p)
        if cur is not None:
            members = cur.old if side == "old" else cur.new
            if len(members) == 1:
                return False
            members.remove(p)
        (to.old if side == "old" else to.new).append(p)
        of[p] = to
        return True


def _copied_beads(f: Features, old: Document, new: Document, params: AlignParams,
                  heads: tuple[list[bool], list[bool]] | None = None) -> _Beads:
    """Phase A: beads on copied text — whole edges, then splits and merges."""
    same = set(_identical_pairs(old, new, f.o_pw, f.n_pw))
    o_head, n_head = heads or (_headings(old), _headings(new))
    edges: list[tuple[float, int, int, bool, bool]] = []
    for (i, j), e in f.pairs.items():
        if o_head[i] != n_head[j]:
            continue  # a heading names a section, a paragraph states a position
        whole = (e.combined >= params.link_threshold and e.wording >= params.min_lexical) or (i, j) in same
        dominant = e.part_old >= PART_DOMINANCE or e.part_new >= PART_DOMINANCE
        involved = min(e.part_old, e.part_new) >= params.split_coverage
        # A part edge: one side mostly made of the other. For a split piece,
        # the new paragraph is mostly old text (part_new high) though it
        # carries only a share of the old one; "involved" keeps a single
        # stock sentence from making a passage part of another.
        part = dominant and e.cosine >= PART_MIN_COSINE and (involved or e.part_new >= 0.8 or e.part_old >= 0.8)
        # Weaker edges may only join an existing bead, never found one.
        joining = max(e.part_old, e.part_new) >= params.split_coverage and e.cosine >= PART_MIN_COSINE
        if not (whole or part or joining):
            continue
        if (i, j) in same:
            strength = 1.0 + 1e-3 * (i == j)  # identical first; same place first among duplicates
        elif whole:
            strength = e.combined
        else:
            strength = 0.5 * e.cosine + 0.5 * max(e.part_old, e.part_new) * min(1.0, e.wording + 0.5)
        edges.append((strength, i, j, whole, part))
    edges.sort(key=lambda t: (-t[0], t[1], t[2]))

    def can_join(share: float, e: PairEvidence, whole: bool) -> bool:
        """May a paragraph join the other's bead as a split piece / merged part?

        ``share`` is how much of the joining paragraph comes from the bead's
        paragraph. It joins when mostly made of it, or when a fair share
        (``split_coverage``) comes from it and the two are linkable in their
        own right or close in meaning (leaders condensing ministers' text).
        A phase-A bead never grows on both sides.
        """
        return share >= PART_DOMINANCE or (
            share >= params.split_coverage and (whole or e.cosine >= LOOSE_COSINE)
        )

    bs = _Beads()
    for strength, i, j, whole, part in edges:
        e = f.pairs[(i, j)]
        bi, bj = bs.of_old.get(i), bs.of_new.get(j)
        if bi is None and bj is None:
            if whole or part:
                bs.open(i, j, strength, "whole" if whole else "part")
        elif bi is not None and bj is None and len(bi.old) == 1 and can_join(e.part_new, e, whole):
            bs.add_new(bi, j)  # split
        elif bj is not None and bi is None and len(bj.new) == 1 and can_join(e.part_old, e, whole):
            bs.add_old(bj, i)  # merge
    return bs


def subject_score(e: PairEvidence, params: AlignParams) -> float:
    """Strength of the evidence that two passages have the same subject, or 0.

    Meaning carries it (paragraph cosine ≥ ``rewrite_cosine``; for a long
    paragraph, the cosine of the sentence restated), but meaning
    alone links passages that merely share a theme; so one of two pieces of
    subject evidence is required: a sentence restating a sentence of the
    other (``lineage_cosine``), or distinctive words in common.

    Every cosine here is taken net of hubness (:func:`_hubness`): a passage,
    or a stock sentence ("Korea is committed to shouldering its due
    responsibility"), close to everything the other statement says is
    evidence of no particular subject.
    """
    # A long paragraph's mean vector blends its many subjects, so against one
    # of the passages it fans out into, the sentence it continues speaks for
    # the subject.
    cos = _subject_cosine(e)
    if cos < params.rewrite_cosine:
        return 0.0
    rs = e.restated_net
    if rs < params.lineage_cosine and e.wording < SUBJECT_MIN_WORDING:
        return 0.0
    return 0.5 * cos + 0.25 * max(rs, 0.0) + 0.25 * min(1.0, 2.0 * e.wording)


def _subject_cosine(e: PairEvidence) -> float:
    """The meaning term of :func:`subject_score`: the cosine less both
    passages' hubness (:func:`_hubness`); against a long paragraph, the
    sentence it continues (less both sentences' hubness) when closer."""
    return max(e.cosine_net, e.restated_net) if e.fanout else e.cosine_net


def _lineage_beads(f: Features, old: Document, new: Document, params: AlignParams, bs: _Beads,
                   heads: tuple[list[bool], list[bool]] | None = None) -> None:
    """Phase B: link what copied text left apart, by subject (see the docstring)."""
    o_head, n_head = heads or (_headings(old), _headings(new))
    crossed = _opening_and_closing(o_head, n_head)
    scores: dict[tuple[int, int], float] = {}
    for key, e in f.pairs.items():
        if o_head[key[0]] != n_head[key[1]]:
            continue  # different function: a heading and a paragraph
        if key in crossed:
            continue  # different function: an opening and a closing
        s = subject_score(e, params)
        if s > 0:
            scores[key] = s
    if not scores:
        return

    def best_new(i: int, free_only: bool) -> int | None:
        cands = [(scores[(i, j)], -j, j) for j in f.by_old.get(i, ()) if (i, j) in scores
                 and (not free_only or j not in bs.of_new)]
        return max(cands)[2] if cands else None

    def best_old(j: int, free_only: bool) -> int | None:
        cands = [(scores[(i, j)], -i, i) for i in f.by_new.get(j, ()) if (i, j) in scores
                 and (not free_only or i not in bs.of_old)]
        return max(cands)[2] if cands else None

    o_nsent = [len(p.sentences) for p in old.paragraphs]
    n_nsent = [len(p.sentences) for p in new.paragraphs]
    # How close a bead's own members are: a passage joins a bead only when
    # it is about as close to it as its members are to each other.
    for b in bs.beads:
        b.cohesion = max((scores.get((i, j), 0.0) for i in b.old for j in b.new), default=0.0)

    def may_join(s: float, e: PairEvidence, bead: _Bead, long_side: bool, other_side: list[int],
                 mostly_restated: Callable[[], bool], beside: bool) -> bool:
        # Close to the bead. Making it n–m takes more: the passage sits
        # beside one of the link's passages on its own side, so the link
        # holds one block of text re-cut differently (a readout and a
        # condemnation, two old passages, re-cut into two new ones). Far
        # apart, passages that merely resemble each other would fuse — a
        # statement's opening and its closing.
        if bead.cohesion and s >= bead.cohesion - JOIN_MARGIN and (len(other_side) == 1 or beside):
            return True
        # Fan-out: a long paragraph whose sentences continue in several
        # passages; each continuation restates one of its sentences. A new
        # passage continuing one sentence of a long old paragraph develops
        # it and joins, however much it adds. An old passage condensed into
        # a long new paragraph must be mostly found there: an old passage on
        # global health whose only restated line is a stock opener ("Korea
        # is committed to shouldering its due responsibility") has its
        # subject elsewhere, and its subject was dropped.
        return long_side and e.restated >= params.lineage_cosine and mostly_restated()

    # Strongest first, so a contested passage goes to its clearest partner.
    for (i, j), s in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0])):
        bi, bj = bs.of_old.get(i), bs.of_new.get(j)
        e = f.pairs[(i, j)]
        if bi is None and bj is None:
            # Two unlinked passages link when the edge is the best either has
            # among unlinked partners (greedy order makes it so) and not far
            # below the best either has at all — a passage whose clear best
            # partner is already taken more likely continues that one.
            bo, bn = best_new(i, False), best_old(j, False)
            if scores[(i, bo)] - s <= SUBJECT_MARGIN and scores[(bn, j)] - s <= SUBJECT_MARGIN:
                bs.open(i, j, s, "subject")
                bs.of_old[i].cohesion = s
        elif bj is None and bi is not None:
            if best_old(j, False) != i:
                continue
            if may_join(s, e, bi, o_nsent[i] > FANOUT_SENTENCES, bi.old,
                        lambda: True, _beside(j, bi.new)):  # develops a sentence of it
                bs.add_new(bi, j)
                bi.joined_by_subject = True
            elif len(bi.old) == 1 and (k := _uncovered_sentence(f, params, i, j, bi, "new")) is not None:
                bs.add_new(bi, j)
                bi.joined_by_subject = True
                bi.notes.append(f"new ¶{j + 1} continues sentence {k + 1} of old ¶{i + 1}, which no other "
                                "passage of this link continues: a split piece")
        elif bi is None and bj is not None:
            if best_new(i, False) != j:
                continue
            # A merge condenses each old passage into at least one sentence
            # of the new one: on subject evidence, a new passage of m
            # sentences takes at most m (a two-sentence reply to US
            # "hostility" does not stand for three old passages on talks,
            # offers and drills). A split has no such bound: one old
            # sentence may be developed into several new passages.
            if len(bj.new) == 1 and len(bj.old) >= n_nsent[j]:
                continue
            if may_join(s, e, bj, n_nsent[j] > FANOUT_SENTENCES, bj.new,
                        lambda: _restated_share(f, i, j, params.lineage_cosine) >= FANOUT_MIN_SHARE,
                        _beside(i, bj.old)):
                bs.add_old(bj, i)
                bj.joined_by_subject = True
            elif (len(bj.new) == 1 and n_nsent[j] <= FANOUT_SENTENCES  # a long one: mostly restated, above
                  and (k := _uncovered_sentence(f, params, i, j, bj, "old")) is not None):
                bs.add_old(bj, i)
                bj.joined_by_subject = True
                bj.notes.append(f"old ¶{i + 1} continues in sentence {k + 1} of new ¶{j + 1}, which no other "
                                "passage of this link is the source of: a merged part")
    _fuse_recut(f, params, bs, scores)


def _fuse_recut(f: Features, params: AlignParams, bs: _Beads, scores: dict[tuple[int, int], float]) -> None:
    """Two links that share one block of text re-cut become one ``group``.

    Two or more old passages re-cut into two new ones (economic security and
    technology, each new passage taking sentences of several old ones) come
    out of the greedy phases as two merges, each old passage beside only one
    of the new passages it feeds. They are one group when

    - together they hold a contiguous block on each side (every passage in
      both spans belongs to one of them) and their passages interleave on
      one side: the block was cut differently, not two subjects side by side;
    - the subject crosses in both directions: an old passage of each link is,
      to a new passage of the other, about as close (within ``JOIN_MARGIN``)
      as its own partners are — for the old passage or for the new one — or
      shares its text with it (at least ``split_coverage`` of each side).

    A single crossing edge is a contested passage, not a re-cut. Each link
    fuses at most once, strongest crossing first, so groups do not chain.
    Cost: one pass over the subject edges (top-k per passage).
    """
    own_o: dict[int, float] = {}
    own_n: dict[int, float] = {}
    for (i, j), s in scores.items():
        b = bs.of_old.get(i)
        if b is not None and b is bs.of_new.get(j):
            own_o[i] = max(own_o.get(i, 0.0), s)
            own_n[j] = max(own_n.get(j, 0.0), s)
    # Beads by a stable key (their first old passage), never by id().
    key = {id(b): min(b.old) for b in bs.beads}
    crossing: dict[tuple[int, int], float] = {}
    for (i, j), e in f.pairs.items():
        a, b = bs.of_old.get(i), bs.of_new.get(j)
        if a is None or b is None or a is b:
            continue
        s = scores.get((i, j), 0.0)
        shared = min(e.part_old, e.part_new) >= params.split_coverage and e.cosine >= PART_MIN_COSINE
        if shared:
            s = max(s, e.combined)
        elif not s or (s < own_o.get(i, 1.0) - JOIN_MARGIN and s < own_n.get(j, 1.0) - JOIN_MARGIN):
            continue
        k = (key[id(a)], key[id(b)])
        crossing[k] = max(crossing.get(k, 0.0), s)
    by_key = {key[id(b)]: b for b in bs.beads}
    cands = []
    for (ka, kb), s in crossing.items():
        back = crossing.get((kb, ka))
        if back is None or ka > kb:
            continue
        a, b = by_key[ka], by_key[kb]
        if _one_block(a, b):
            cands.append((min(s, back), ka, kb))
    fused: set[int] = set()
    for _, ka, kb in sorted(cands, key=lambda t: (-t[0], t[1], t[2])):
        if ka in fused or kb in fused:
            continue
        fused.update((ka, kb))
        a, b = by_key[ka], by_key[kb]
        for i in b.old:
            bs.add_old(a, i)
        for j in b.new:
            bs.add_new(a, j)
        a.notes.append("one block of text re-cut differently: two links sharing it, the subject crossing "
                       "between them both ways")
        a.strength = max(a.strength, b.strength)
        bs.beads.remove(b)


def _beside(p: int, members: Sequence[int]) -> bool:
    """Is passage ``p`` next to one of ``members`` (passages of the same statement)?"""
    return any(abs(p - m) == 1 for m in members)


def _one_block(a: _Bead, b: _Bead) -> bool:
    """Do two beads hold one contiguous block on each side, interleaving on one?"""
    def contiguous(xs: list[int]) -> bool:
        xs = sorted(xs)
        return xs[-1] - xs[0] == len(xs) - 1

    def interleave(x: list[int], y: list[int]) -> bool:
        return max(x) > min(y) and max(y) > min(x)

    return (contiguous(a.old + b.old) and contiguous(a.new + b.new)
            and (interleave(a.old, b.old) or interleave(a.new, b.new)))


def _restated_share(f: Features, i: int, j: int, floor: float) -> float:
    """Share of old passage ``i``, by characters, in sentences restated
    (cosine ≥ ``floor``) by a sentence of new passage ``j``. Reads only the
    candidate sentence pairs (top-k per sentence)."""
    par = f.o_sent_par
    restated = {a for b in f.n_range(j) for a in f.sent_by_new.get(b, ())
                if int(par[a]) == i and f.sent[(a, b)][0] >= floor}
    sents = f.o_sents
    total = sum(max(1, sents[a].end - sents[a].start) for a in f.o_range(i))
    return sum(max(1, sents[a].end - sents[a].start) for a in restated) / total if total else 0.0


def _restates(f: Features, params: AlignParams, a: int, b: int) -> bool:
    """Is new sentence ``b`` old sentence ``a`` carried or restated? The test
    :func:`sentence_links` uses to give a new sentence its source."""
    cos, lex = f.sent.get((a, b), (0.0, 0.0))
    return cos >= params.lineage_cosine or 0.5 * cos + 0.5 * lex >= params.sentence_threshold


def _uncovered_sentence(f: Features, params: AlignParams, i: int, j: int, bead: _Bead, side: str) -> int | None:
    """Sentence lineage completing a link: the sentence (index in its
    paragraph) by which the lone passage continues its partner where no
    passage of the partner's link does, or None.

    ``side="new"``: new passage ``j`` joins the link of old passage ``i``
    when it restates a sentence of ``i`` that no new passage of the link
    restates — that old sentence went to ``j`` and nowhere else (an old
    paragraph's two sentences, the congratulations to the President of the
    Assembly and the tribute to the Secretary-General, each becoming a
    one-sentence passage). ``side="old"``: old passage ``i`` joins the link
    of new passage ``j`` when a sentence of ``j`` restates a sentence of
    ``i`` and takes nothing from the link's own old passages. A sentence
    already continued inside the link is no evidence: the lone passage
    would only repeat what the link holds.
    Cost: the candidate sentence pairs (top-k) of the passages involved.
    """
    par = f.o_sent_par
    if side == "new":
        covered = {a for jj in bead.new for b in f.n_range(jj) for a in f.sent_by_new.get(b, ())
                   if _restates(f, params, a, b)}
        for b in f.n_range(j):
            for a in f.sent_by_new.get(b, ()):
                if int(par[a]) == i and a not in covered and _restates(f, params, a, b):
                    return f.o_sents[a].index
        return None
    own = set(bead.old)
    for b in f.n_range(j):
        sources = [a for a in f.sent_by_new.get(b, ()) if _restates(f, params, a, b)]
        if any(int(par[a]) in own for a in sources):
            continue
        if any(int(par[a]) == i for a in sources):
            return f.n_sents[b].index
    return None


def _frame(heads: list[bool]) -> tuple[int, int] | None:
    """A statement's opening and closing passage (its first and last that
    is no heading), or None when it has fewer than three such passages: with
    no body between them, its opening is also its closing."""
    body = [k for k, h in enumerate(heads) if not h]
    return (body[0], body[-1]) if len(body) >= 3 else None


def _opening_and_closing(o_head: list[bool], n_head: list[bool]) -> set[tuple[int, int]]:
    """The pairs joining one statement's opening to the other's closing.

    Both speak of the relationship as a whole (who met and in what spirit;
    the way ahead and the values shared), so they resemble each other, but
    their functions differ: a closing taken into the link of the openings
    (Camp David's "the trilateral partnership … a new era" merged with
    Lima's opening) hides both the closing that changed and the one it
    should stand beside."""
    fo, fn = _frame(o_head), _frame(n_head)
    if fo is None or fn is None:
        return set()
    return {(fo[0], fn[1]), (fo[1], fn[0])}


def _join_openings(f: Features, bs: _Beads, heads: tuple[list[bool], list[bool]]) -> None:
    """The opening passages of both statements (the first that is no heading)
    have one function: they frame the statement — who met, where, in what
    spirit. When one is linked and the other left alone (a vice ministers'
    meeting restated as a leaders' summit shares little wording), the lone
    one joins the other's link, provided it keeps that link's shape (no n–m,
    unless it sits beside one of the link's passages on its side: one block
    re-cut) and the two are close in meaning (``OPENING_MIN_COSINE``).

    The closings likewise (the last passage that is no heading, in
    statements with a body between opening and closing): the way ahead, the
    thanks, the values the partners share — an analyst reads them side by
    side even when one is restated in new words."""
    o_first = next((k for k, h in enumerate(heads[0]) if not h), None)
    n_first = next((k for k, h in enumerate(heads[1]) if not h), None)
    if o_first is not None and n_first is not None:
        _join_by_function(f, bs, o_first, n_first, "opening")
    fo, fn = _frame(heads[0]), _frame(heads[1])
    if fo is not None and fn is not None:
        _join_by_function(f, bs, fo[1], fn[1], "closing")


def _join_by_function(f: Features, bs: _Beads, i: int, j: int, role: str) -> None:
    """Old passage ``i`` and new passage ``j`` have the same function
    (``role``): when one is linked and the other alone, the lone one joins
    the link if the two are close in meaning — keeping its shape, or
    making it n–m only from beside one of its own (:func:`_beside`)."""
    e = f.pairs.get((i, j))
    if e is None or e.cosine < OPENING_MIN_COSINE:
        return
    bo, bn = bs.of_old.get(i), bs.of_new.get(j)
    if bo is None and bn is not None and (len(bn.new) == 1 or _beside(i, bn.old)):
        bs.add_old(bn, i)
        setattr(bn, role, e.cosine)
    elif bn is None and bo is not None and (len(bo.old) == 1 or _beside(j, bo.new)):
        bs.add_new(bo, j)
        setattr(bo, role, e.cosine)


def _join_continuations(f: Features, params: AlignParams, bs: _Beads, old: Document, new: Document) -> None:
    """A passage cut mid-sentence and the passage continuing it are one
    passage: one sentence has one subject. When only one of the two is
    linked, the other joins its link (its own evidence is a half sentence
    too short to find a partner). Two halves linked apart are left as they
    are: each found its partner on its own evidence.

    A list's lead-in (a one-sentence passage ending in a colon) has the
    subject of what it introduces: it takes the link of the passage after
    it, even from another link — its few words ("to deliver submarines …
    the following phased approach:") resemble the statement's summary more
    than the items they introduce — provided it is close in meaning
    (``rewrite_cosine``) to a passage on that link's other side."""
    for side, doc, of, add in (("old", old, bs.of_old, bs.add_old), ("new", new, bs.of_new, bs.add_new)):
        for p in _continued(doc):
            a, b = of.get(p), of.get(p + 1)
            note = f"{side} ¶{p + 2} continues the sentence of {side} ¶{p + 1}: one passage, one link"
            if a is None and b is not None:
                add(b, p)
                b.notes.append(note)
            elif b is None and a is not None:
                add(a, p + 1)
                a.notes.append(note)
        for p in _lead_ins(doc):
            a, b = of.get(p), of.get(p + 1)
            if b is None or a is b:
                continue
            # What it introduces must be the link's subject: the lead-in is
            # close in meaning to a passage on the link's other side.
            pairs = ((p, j) for j in b.new) if side == "old" else ((i, p) for i in b.old)
            if max((f.pairs[k].cosine for k in pairs if k in f.pairs), default=-1.0) < params.rewrite_cosine:
                continue
            if bs.move(side, p, b):
                b.notes.append(f"{side} ¶{p + 1} ends in a colon and introduces {side} ¶{p + 2}: it follows its link")


# --------------------------------------------------------------------------
# Alignment


def align(
    old: Document,
    new: Document,
    old_sent_vecs: np.ndarray,
    new_sent_vecs: np.ndarray,
    params: AlignParams = AlignParams(),
) -> tuple[Link, ...]:
    """Links between ``old`` and ``new`` paragraphs (opcodes left empty).

    ``old_sent_vecs``: ``(S_old, d)`` L2-normalised vectors of the old
    statement's sentences in reading order (paragraph by paragraph);
    ``new_sent_vecs`` likewise. Links come in the new statement's reading
    order, each dropped passage after the link of its old predecessor.
    """
    f = features(old, new, old_sent_vecs, new_sent_vecs, params)
    heads = (_headings(old), _headings(new))
    bs = _copied_beads(f, old, new, params, heads)
    _lineage_beads(f, old, new, params, bs, heads)
    _join_openings(f, bs, heads)
    _join_continuations(f, params, bs, old, new)
    for b in bs.beads:
        b.old.sort()
        b.new.sort()
    migrations = _migrations(f, bs)
    in_order = _longest_ordered_chain(bs.beads)
    links = [_bead_link(b, f, old, new, params, migrations, id(b) not in in_order) for b in bs.beads]
    for i in range(len(old.paragraphs)):
        if i not in bs.of_old:
            links.append(_unmatched("dropped", i, None, f, params, migrations))
    for j in range(len(new.paragraphs)):
        if j not in bs.of_new:
            links.append(_unmatched("added", None, j, f, params, migrations))
    return tuple(reading_order(links))


def _migrations(f: Features, bs: _Beads) -> list[dict[str, Any]]:
    """Carried or reworded sentences whose paragraphs ended in different beads.

    A sentence rewritten while it moved ("The Deputy Secretary reiterated
    that … ironclad" → "President Biden reiterates that … ironclad") falls
    below the carried threshold but is the same claim; those must be mutual
    best matches with a high cosine *and* a fair combined score, so a stock
    phrase shared by two unrelated sentences does not count.
    """
    out = []
    for a, b in sorted(f.carried + _reworded_pairs(f)):
        i, j = int(f.o_sent_par[a]), int(f.n_sent_par[b])
        bo, bn = bs.of_old.get(i), bs.of_new.get(j)
        if bo is not None and bo is bn:
            continue
        if len(f.o_sw[a]) < MIN_MIGRATING_WORDS:
            continue
        cos, lex = f.sent[(a, b)]
        out.append({"old": [i, f.o_sents[a].index], "new": [j, f.n_sents[b].index],
                    "similarity": round(cos, 4), "lexical": round(lex, 4)})
    return out


def _rival(f: Features, i: int | None, j: int | None, bead: _Bead | None) -> tuple[float, str]:
    """Best combined score of a member paragraph to a paragraph outside the bead."""
    best, label = 0.0, ""
    # by_old and by_new list partners in ascending order, so on a tie the
    # lower-numbered paragraph, met first, stays the rival.
    if i is not None:
        for jj in f.by_old.get(i, ()):
            if bead is not None and jj in bead.new:
                continue
            s = f.pairs[(i, jj)].combined
            if s > best:
                best, label = s, f"new ¶{jj + 1}"
    if j is not None:
        for ii in f.by_new.get(j, ()):
            if bead is not None and ii in bead.old:
                continue
            s = f.pairs[(ii, j)].combined
            if s > best:
                best, label = s, f"old ¶{ii + 1}"
    return best, label


def _bead_link(b: _Bead, f: Features, old: Document, new: Document, params: AlignParams,
               migrations: list[dict[str, Any]], moved: bool) -> Link:
    o_words = [w for i in b.old for w in f.o_pw[i]]
    n_words = [w for j in b.new for w in f.n_pw[j]]
    members = [f.pairs.get((i, j)) for i in b.old for j in b.new]
    known = [e for e in members if e is not None]
    if len(b.old) == 1 and len(b.new) == 1 and known:
        cos, lex = known[0].cosine, known[0].wording
    else:
        # Score the bead as one passage: summed vectors of each side.
        ov = f.o_pv[b.old].sum(axis=0)
        nv = f.n_pv[b.new].sum(axis=0)
        cos = float(ov @ nv / (np.linalg.norm(ov) * np.linalg.norm(nv) or 1.0))
        oset, nset = frozenset(o_words), frozenset(n_words)
        lex = f.idf.dice(oset, nset, f.idf.mass(oset), f.idf.mass(nset))
    comb = 0.5 * cos + 0.5 * lex
    r_best, r_label = 0.0, ""
    for i in b.old:
        s, lab = _rival(f, i, None, b)
        if s > r_best:
            r_best, r_label = s, lab
    for j in b.new:
        s, lab = _rival(f, None, j, b)
        if s > r_best:
            r_best, r_label = s, lab

    old_text = " ".join(old.paragraphs[i].text for i in b.old)
    new_text = " ".join(new.paragraphs[j].text for j in b.new)
    identical = fold(old_text) == fold(new_text)
    by_subject = b.kind == "subject"
    if len(b.old) > 1 and len(b.new) > 1:
        ltype = "group"
    elif len(b.old) == 1 and len(b.new) > 1:
        ltype = "split"
    elif len(b.old) > 1 and len(b.new) == 1:
        ltype = "merged"
    elif identical:
        ltype = "moved" if moved else "unchanged"
    elif by_subject:
        ltype = "rewritten"
    else:
        ltype = "moved_edited" if moved else "edited"

    # Confidence: a logistic in the distance above the bead's own threshold
    # (0.5 at it, ~0.9 at 0.13 above), scaled down to 0.7× by a rival within
    # MARGIN_SCALE. On the gold pairs nearly every link above its threshold
    # is right, so confidence is mostly lost to a close rival.
    if by_subject:
        strength, thr = b.strength, params.rewrite_cosine
    else:
        strength, thr = max(comb, b.strength), params.link_threshold
    margin = strength - r_best
    base = 1.0 / (1.0 + math.exp(-(strength - thr) / CONFIDENCE_SCALE))
    conf = base * (0.7 + 0.3 * min(1.0, max(0.0, margin) / MARGIN_SCALE))
    if identical and len(b.old) == 1 and len(b.new) == 1:
        conf = max(conf, 0.99)

    evidence = [f"meaning: cosine {cos:.2f}; wording: {lex:.0%} of distinctive vocabulary shared (IDF-weighted)"]
    oset, nset = frozenset(o_words), frozenset(n_words)
    if identical:
        evidence.append("texts are identical up to cosmetic differences")
    else:
        if by_subject or b.joined_by_subject:
            subject = f.idf.top_shared(oset, nset)
            local = _subject_cosine(known[0]) if len(known) == 1 else None
            whose = ("the restated sentence's, net of both sentences' hubness"
                     if local is not None and known[0].fanout and local != known[0].local
                     else "net of both passages' hubness")
            why = (f"same subject in new words: cosine {cos:.2f}"
                   + (f" ({local:.2f} {whose})" if local is not None else "")
                   + f" ≥ {params.rewrite_cosine:.2f}"
                   if by_subject else "a passage continuing the same subject joined this link")
            evidence.append(why + (f"; shared subject words: {', '.join(subject)}" if subject else ""))
        evidence.extend(b.notes)
        if b.opening:
            evidence.append(f"the openings of both statements (same function: framing the statement) joined "
                            f"this link: cosine {b.opening:.2f} ≥ {OPENING_MIN_COSINE:.2f}")
        if b.closing:
            evidence.append(f"the closings of both statements (same function: closing the statement) joined "
                            f"this link: cosine {b.closing:.2f} ≥ {OPENING_MIN_COSINE:.2f}")
        phrases = _shared_phrases(o_words, n_words)
        if phrases:
            evidence.append("shared wording: " + "; ".join(f"“{p}”" for p in phrases))
    s_links = sentence_links(b.old, b.new, f, params, migrations)
    carried = sum(1 for sl in s_links if sl["type"] in ("carried", "edited"))
    restated = sum(1 for sl in s_links if sl["type"] == "rewritten")
    n_old_s = sum(len(old.paragraphs[i].sentences) for i in b.old)
    if carried:
        evidence.append(f"{carried} of {n_old_s} old sentences carried over or edited")
    if restated:
        evidence.append(f"{restated} sentence(s) restated in new words (sentence cosine ≥ {params.lineage_cosine:.2f})")
    if ltype in ("split", "group"):
        shares = ", ".join(f"new ¶{j + 1}: {_part(f, b.old, j, 'new'):.0%} from old" for j in b.new)
        evidence.append(f"{'split' if ltype == 'split' else 'regrouped'}: {shares}")
    if ltype in ("merged", "group"):
        shares = ", ".join(f"old ¶{i + 1}: {_part(f, [i], None, 'old', b.new):.0%} into new" for i in b.old)
        evidence.append(f"merged: {shares}")
    if moved and ltype in ("moved", "moved_edited"):
        evidence.append("position changed: not on the longest chain of passages kept in the same order")
    if r_label:
        evidence.append(f"closest rival: {r_label} at {r_best:.2f} (margin {margin:+.2f})")

    def _cov(attr: str) -> float:
        if identical:
            return 1.0
        return max((getattr(e, attr) for e in known), default=0.0)

    scores = {
        "cosine": round(cos, 4),
        "lexical": round(lex, 4),
        "combined": round(comb, 4),
        "coverage_old": round(_cov("part_old"), 4),
        "coverage_new": round(_cov("part_new"), 4),
        "rival": round(r_best, 4),
        "margin": round(margin, 4),
        "min_pair_cosine": round(min((e.cosine for e in known), default=cos), 4),
        "min_pair_lexical": round(min((e.wording for e in known), default=lex), 4),
    }
    if by_subject or b.joined_by_subject:
        scores["subject"] = round(b.strength if by_subject else max(
            (subject_score(e, params) for e in known), default=0.0), 4)
        if ltype == "rewritten" and known:
            # The cosine that score rests on: less both passages' hubness.
            scores["subject_cosine"] = round(_subject_cosine(known[0]), 4)
    mig = tuple(mv for mv in migrations if mv["old"][0] in b.old or mv["new"][0] in b.new)
    return Link(old=tuple(b.old), new=tuple(b.new), type=ltype, confidence=round(conf, 4),
                scores=scores, evidence=tuple(evidence), moved_sentences=mig,
                sentence_links=tuple(s_links))


def _part(f: Features, olds: Sequence[int], j: int | None, side: str, news: Sequence[int] = ()) -> float:
    """Share of new paragraph ``j`` taken from the link's ``olds`` (side
    "new"), or of old paragraph ``olds[0]`` carried into the link's ``news``
    (side "old"). Each partner holds a different piece, so the shares add up
    (capped at 1): an old paragraph regrouped half into one new passage and
    half into another went wholly into the link, not 50 %."""
    if side == "new":
        return min(1.0, sum(f.pairs[(i, j)].part_new for i in olds if (i, j) in f.pairs))
    return min(1.0, sum(f.pairs[(olds[0], jj)].part_old for jj in news if (olds[0], jj) in f.pairs))


def sentence_links(olds: Sequence[int], news: Sequence[int], f: Features, params: AlignParams,
                   migrations: Sequence[dict[str, Any]] = ()) -> list[dict[str, Any]]:
    """Sentence lineage inside one link: ``[{old, new, type, score}]``.

    ``old``/``new`` are lists of ``[paragraph, sentence]``. Each new sentence
    takes its best source among the link's old sentences when that source is
    carried (combined score ≥ ``sentence_threshold``: type ``carried`` if it
    folds alike, else ``edited``) or restated (cosine ≥ ``lineage_cosine``:
    ``rewritten``); new sentences sharing a source are one entry (a sentence
    cut in two). What is left is ``added`` / ``dropped`` — or ``moved`` when
    it migrated to or from another link. Ordered by the new side, dropped
    sentences after the entry of their old predecessor.
    """
    o_idx = [a for i in olds for a in f.o_range(i)]
    n_idx = [b for j in news for b in f.n_range(j)]
    old_pars = set(olds)
    source: dict[int, tuple[int, float, str]] = {}
    for b in n_idx:
        best: tuple[float, float, int] | None = None
        for a in f.sent_by_new.get(b, ()):
            if int(f.o_sent_par[a]) not in old_pars:
                continue
            if _restates(f, params, a, b):
                cos, lex = f.sent[(a, b)]
                cand = (0.5 * cos + 0.5 * lex, cos, -a)
                if best is None or cand > best:
                    best = cand
        if best is not None:
            a = -best[2]
            if fold(f.o_sents[a].text) == fold(f.n_sents[b].text):
                kind = "carried"
            elif best[0] >= params.sentence_threshold or f.sent[(a, b)][1] >= 0.5:
                kind = "edited"
            else:
                kind = "rewritten"
            source[b] = (a, best[0], kind)

    def ref_o(a: int) -> list[int]:
        return [int(f.o_sent_par[a]), f.o_sents[a].index]

    def ref_n(b: int) -> list[int]:
        return [int(f.n_sent_par[b]), f.n_sents[b].index]

    moved_o = {tuple(m["old"]) for m in migrations}
    moved_n = {tuple(m["new"]) for m in migrations}
    entries: list[dict[str, Any]] = []
    by_source: dict[int, dict[str, Any]] = {}
    for b in n_idx:
        if b in source:
            a, score, kind = source[b]
            if a in by_source:
                e = by_source[a]
                e["new"].append(ref_n(b))
                e["score"] = round(min(e["score"], score), 4)
                if kind != e["type"] and "carried" in (kind, e["type"]):
                    e["type"] = "edited"
                continue
            e = {"old": [ref_o(a)], "new": [ref_n(b)], "type": kind, "score": round(score, 4)}
            by_source[a] = e
            entries.append(e)
        else:
            kind = "moved" if tuple(ref_n(b)) in moved_n else "added"
            entries.append({"old": [], "new": [ref_n(b)], "type": kind, "score": 0.0})
    used = set(by_source)
    # Dropped sentences go after the entry holding their old predecessor.
    for a in o_idx:
        if a in used:
            continue
        kind = "moved" if tuple(ref_o(a)) in moved_o else "dropped"
        e = {"old": [ref_o(a)], "new": [], "type": kind, "score": 0.0}
        pos = 0
        for k, x in enumerate(entries):
            if x["old"] and x["old"][0] < ref_o(a):
                pos = k + 1
        entries.insert(pos, e)
    return entries


def _headings(doc: Document) -> list[bool]:
    # A heading names a section and states no position: its function differs
    # from a paragraph's, so it is linked only to a heading; the words it
    # shares with the paragraphs under it ("Indo-Pacific") are their subject.
    return [len(p.sentences) <= 1 and is_heading(p.text) for p in doc.paragraphs]


#: A list item's marker in lower case ("a. First, we commit", "ii) the"):
#: a new item, not the rest of the sentence before it.
_LIST_ITEM = re.compile(r"[a-z]{1,4}[.)]\s")


def _continued(doc: Document) -> list[int]:
    """Paragraphs whose sentence the next paragraph continues: it opens in
    lower case ("… has scaled up support for those who" / "are in need …"),
    a cut a verbatim record or a scraped page makes mid-sentence."""
    out = []
    for p, q in zip(doc.paragraphs, doc.paragraphs[1:]):
        t = q.text.lstrip()
        if t[:1].isalpha() and t[:1].islower() and not _LIST_ITEM.match(t):
            out.append(p.index)
    return out


def _lead_ins(doc: Document) -> list[int]:
    """One-sentence paragraphs ending in a colon that introduce the next
    paragraph ("… we intend to pursue the following phased approach:"
    before a list of "- " items)."""
    return [p.index for p in doc.paragraphs[:-1]
            if len(p.sentences) == 1 and p.text.rstrip().endswith(":")]


def _paragraph_words(doc: Document, sentence_words: Sequence[Sequence[str]]) -> list[list[str]]:
    out, k = [], 0
    for p in doc.paragraphs:
        out.append([w for ws in sentence_words[k : k + len(p.sentences)] for w in ws])
        k += len(p.sentences)
    return out


def _identical_pairs(old: Document, new: Document, o_pw, n_pw) -> list[tuple[int, int]]:
    """Old/new paragraph pairs whose texts fold alike (cosmetic differences only).

    Equal content words are necessary for that, and cheap to compare; only
    those candidates are folded.
    """
    by_words: dict[tuple[str, ...], list[int]] = {}
    for p, words in zip(old.paragraphs, o_pw):
        by_words.setdefault(tuple(words), []).append(p.index)
    return [
        (i, p.index)
        for p, words in zip(new.paragraphs, n_pw)
        for i in by_words.get(tuple(words), ())
        if fold(old.paragraphs[i].text) == fold(p.text)
    ]


def _reworded_pairs(f: Features) -> list[tuple[int, int]]:
    """Mutual-best sentence pairs, not already carried, that are the same claim reworded."""
    taken_o = {a for a, _ in f.carried}
    taken_n = {b for _, b in f.carried}
    best_n: dict[int, tuple[float, int]] = {}
    best_o: dict[int, tuple[float, int]] = {}
    for (a, b), (cos, lex) in f.sent.items():
        comb = 0.5 * cos + 0.5 * lex
        if comb > best_n.get(a, (-1.0, 0))[0] or (comb == best_n[a][0] and b < best_n[a][1]):
            best_n[a] = (comb, b)
        if comb > best_o.get(b, (-1.0, 0))[0] or (comb == best_o[b][0] and a < best_o[b][1]):
            best_o[b] = (comb, a)
    out = []
    for a, (comb, b) in best_n.items():
        if a in taken_o or b in taken_n or best_o[b][1] != a:
            continue
        cos, _ = f.sent[(a, b)]
        if cos >= REWORDED_MIN_COSINE and comb >= REWORDED_MIN_SCORE:
            out.append((a, b))
    return out


def _unmatched(kind: str, i: int | None, j: int | None, f: Features, params: AlignParams,
               migrations: Sequence[dict[str, Any]]) -> Link:
    best, label = _rival(f, i, j, None)
    thr = params.link_threshold
    # Sure when the best candidate is far below the threshold; unsure near it.
    conf = 0.5 + 0.5 * min(1.0, max(0.0, (thr - best) / 0.25))
    evidence = []
    if label:
        other = int(label.split("¶")[1]) - 1
        e = f.pairs[(i, other)] if i is not None else f.pairs[(other, j)]
        if e.cosine < params.rewrite_cosine:
            why = "no passage on the same subject"
        elif e.local is not None and e.local < params.rewrite_cosine and subject_score(e, params) == 0:
            why = (f"close in meaning, but no closer than the two passages are to the rest of the other "
                   f"statement: cosine less hubness {e.local:.3f} < {params.rewrite_cosine:.2f}")
        elif subject_score(e, params) == 0:
            why = "similar in meaning but no shared subject words and no restated sentence"
        else:
            why = "its closest passage on the same subject is the ancestor of (or descends from) another"
        evidence.append(
            f"closest candidate {label}: cosine {e.cosine:.2f}, wording {e.wording:.0%}, combined {best:.2f} ({why})"
        )
    else:
        evidence.append("no candidate passage on the other side")
    side = "old" if i is not None else "new"
    idx = i if i is not None else j
    mig = tuple(mv for mv in migrations if mv[side][0] == idx)
    if mig:
        evidence.append(f"{len(mig)} sentence(s) migrated {'to' if side == 'old' else 'from'} other passages")
    olds = (i,) if i is not None else ()
    news = (j,) if j is not None else ()
    return Link(
        old=olds,
        new=news,
        type=kind,
        confidence=round(conf, 4),
        scores={"rival": round(best, 4)},
        evidence=tuple(evidence),
        moved_sentences=mig,
        sentence_links=tuple(sentence_links(olds, news, f, params, migrations)),
    )


def _longest_ordered_chain(beads: list[_Bead]) -> set[int]:
    """ids of the beads on a longest chain increasing in both old and new order.

    Patience sorting, O(k log k); ties broken by old position so the result
    is deterministic.
    """
    import bisect

    seq = sorted(beads, key=lambda b: (b.old[0], b.new[0]))
    tails: list[int] = []  # new position of the smallest tail of each length
    tails_idx: list[int] = []
    prev = [-1] * len(seq)
    for k, b in enumerate(seq):
        key = b.new[0]
        pos = bisect.bisect_left(tails, key)
        if pos == len(tails):
            tails.append(key)
            tails_idx.append(k)
        else:
            tails[pos] = key
            tails_idx[pos] = k
        prev[k] = tails_idx[pos - 1] if pos else -1
    chain: set[int] = set()
    k = tails_idx[-1] if tails_idx else -1
    while k >= 0:
        chain.add(id(seq[k]))
        k = prev[k]
    return chain
