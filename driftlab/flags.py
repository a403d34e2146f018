"""Flagged shifts: the few changes that matter, each a named rule with evidence.

Rules (names are part of the JSON contract):

``intensity_shift``  the strongest rung of a language ladder (concern → grave
                     concern) differs between paired sentences of a link.
``actor_change``     a configured actor named in a passage where it was not
                     (or no longer named); a capitalised name absent from the
                     whole old statement counts as a new actor too; a watched
                     actor named in both but given new conduct ("the PRC's
                     accelerating build-up …", see :func:`_rule_conduct`).
``modality``         firm / hedged / qualifier cues in the changed words.
``negation``         a negation cue in the changed words, or a polarity pair
                     swapped (support ↔ oppose); exempt from the per-link decay
                     unless its sentence has no counterpart (``unpaired``).
``number_change``    numbers, dates, ordinals, amounts in the changed words
                     (not counts carried over or standing alone, not numbers
                     inside names; see :func:`_rule_numbers`).
``topic_added`` / ``topic_dropped``      a topic present on one side only.
``passage_added`` / ``passage_dropped``  an unlinked passage (only its
                     sentences not carried over from the other statement).
``new_wording``      changed words of an edited passage holding content words
                     or content-word pairs found nowhere in the old statement.

What raises nothing: ``unchanged`` and ``moved`` links (carried-over text);
``equal`` and ``cosmetic`` opcodes. Every word-level rule looks only at cue
matches that overlap a ``replace``/``delete``/``insert`` span *and* whose
count differs between the two sides of the link, so a word that merely moved
within the passage does not fire.

Significance (``Flag.score``; components in ``evidence["score"]``)::

    score = rule_weight × size × topic_weight × (0.75 + 0.25 × changed_share) × link_penalty

* ``rule_weight``: per rule, from the config (an intensity shift matters more
  than a changed date);
* ``size``: the size of the shift, clipped to [0.5, 2.5] — ``1 + 0.5 ×
  (rungs − 1)`` for intensity; 1.3 for a watched actor (one some topic is
  about) new to or gone from the whole statement, 1 otherwise, 1 for a new
  full name and 0.7 for a new single capitalised word; ``0.5 + min(1,
  novel words / 10)`` for new wording, +0.5 when it names a topic term or a
  full name, +0.25 when it sets a year, date or figure; ``0.5 + min(0.5, novel words / 60)`` for passages; ``1 +
  min(0.5, passages / 10)`` for topics; 1.5 for a polarity reversal;
* ``topic_weight``: the highest watch weight among the flag's topics, or the
  config's ``untagged_weight`` for passages on no topic, so a statement
  outside the default topics still ranks by kind and size of change;
* ``changed_share``: the share of the passage's characters in changed
  opcodes (1 for whole added/dropped passages and statement-level rules).
  It only moves a score by a quarter: a one-word shift inside a long
  paragraph ("concern" → "grave concern") is the classic subtle change and
  must not sink;
* ``link_penalty``: ``LINK_DECAY ** k`` for the k-th flag (from 0) of one
  link, so a rewritten passage cannot fill the list (see :func:`_diminish`);
* after that, ``repeat_demotion`` on a repeat of another flag's sentence,
  and ``taken_from_repeat`` (the score itself) on the primary it merged into.

Noise kept down: the statements' own parties (``Meta.parties``) are never
flagged as actors; actors gained in one sentence make one flag; a new name
that is an event, meeting, region or made of the statements' title and
party words (leaders, host city) has size 0.5, a proper name of a person
or place (no word used in lower case in either statement) 1.2.
Topics added or dropped on the same passages make one flag; a polarity cue
in participle form after a noun ("behavior *supporting* claims") is someone
else's conduct, never one side of a reversal; conduct is counted in lower-
case words, so a possessive before names ("Russia's status as a Permanent
Member") is not new conduct; a watched actor new to or gone from the whole
statement scores with ``changed_share`` 1 (a statement-level fact).
Precision at the top: new conduct needs a behaviour noun after a
possessive ("the PRC's *build-up*", not "Russia's *status* as …"); rungs are
compared only when they bear on the same matter (shared lower-case words
around the cues, or near-identical sentences); modality flags pair one
sentence with one; "not only" is no negation; an untagged sentence takes
topics from the sentence before it, never from later ones; an opening or
closing formula naming the statement's own parties or leaders is new
wording of the lowest size; the statement-wide rung comparison ignores
tags resting on one actor's name alone.
Statement-wide: ``intensity_shift`` also compares the strongest rung per
watched topic across the whole statements (see
:func:`_rule_topic_intensity`), counting a rung for a topic only within a
few words of that topic's own terms ("strong condemnation of Russia's
seizure of … the plant, the abduction …" is not about human rights);
added passages quote their weightiest runs
and raise ``number_change`` for new figures (see :func:`_rule_passage`).
Demands pair only when addressed to the same party (ladders with
``addressee: true``: "urge the DPRK to" is no softer "call on all UN Member
States to"). A person or place opening an added passage takes the
passage's topics ("Alexei Navalny" before the sentences naming human
rights); a capitalised function word opening a sentence ("In April 2024")
and a heading are no names.

Repeats: topic, passage, actor and new-wording flags quoting the same
sentence merge into one primary (the group's best score, the others in
``evidence["also"]`` and demoted ``× REPEAT_DEMOTION`` with
``evidence["repeat_of"]``; see :func:`_merge_repeats`). Intensity,
negation, modality and number flags are distinct shifts and never merge.

Partial statements (``Meta.partial``, an excerpt): statement-level rules on
the excerpt's side are suppressed and flags of passages that may lie beyond
it are demoted, with ``evidence["partial"]`` (see :func:`_demote_partial`).

Flag texts quote the words involved, not whole sentences: the novel *runs*
of a sentence (words not carried over from the other statement, see
``_Side.runs``) around the hit, so carried-over wording never appears as
if it were new.

Ids are ``content_id("flag", rule, key, folded old_text, folded new_text)``
(``key`` names the ladder, actor or cue): the words, never paragraph indices
or topics, so an id survives a re-segmentation, re-runs and an edited topics
file (review decisions key on it). Two flags with the same id (the same
shift reached twice) are merged into one, the higher-scoring, taking in the
other's topics, so ids are unique within a report.

Cost: one fold per sentence (cached and shared by all rules) and a few
phrase scans per edited link, with matchers compiled once per config. The
G7 Hiroshima 2023 / Apulia 2024 pair (~130 KB each) flags in ~0.52 s in a
fresh process on 2 cores given its tags and links (~0.4 s with warm fold
caches), most of it folding every sentence; the per-link intensity rule
scans all ladders in one pass.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Iterable, Mapping, Sequence

from .normalize import content_words, word_units
from .topics import PhraseMatcher, TopicConfig, term_hits
from .types import Document, Flag, Link, TopicTag, content_id

CARRIED = ("unchanged", "moved")
CHANGED_TAGS = ("replace", "delete", "insert")

_MONTH = r"(?-i:January|February|March|April|May|June|July|August|September|October|November|December)"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
#: A date: a month name only next to a day number or a year ("May 12",
#: "12 May 2024", "May 2024"). A bare month name is no date: "may" and "May"
#: are mostly the modal verb ("It may adjust policy"), and "in June" alone
#: is rarely the news.
_DATE = (rf"{_MONTH}\s+{_DAY}(?:,?\s+\d{{4}})?(?!\w)"
         rf"|{_DAY}\s+{_MONTH}(?:,?\s+\d{{4}})?(?!\w)"
         rf"|{_MONTH},?\s+\d{{4}}(?!\w)")
_SPELLED = (r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|fifty|"
            r"hundred|thousand|million|billion|trillion|first|second|third|fourth|fifth|sixth|seventh|eighth|"
            r"ninth|tenth|half|twice|double|triple|dozens?")
_NUMBER = re.compile(
    rf"(?<!\w)(?:{_DATE})"
    r"|(?<!\w)(?:[$€£¥]\s?)?\d+(?:,\d{3})*(?:\.\d+)?(?:\s?(?:%|percent|per cent))?"
    r"(?:\s(?:million|billion|trillion|thousand|hundred))?(?!\w)"
    rf"|(?<!\w)(?:{_SPELLED})(?:\s(?:%|percent|per cent))?(?:\s(?:million|billion|trillion|thousand|hundred))?(?!\w)",
    re.IGNORECASE,
)
_DATE_RE = re.compile(rf"(?:{_DATE})", re.IGNORECASE)
_YEAR = re.compile(r"(?<![\w.,])(?:19|20)\d\d(?![\w.]\d)")
_MONTH_RE = re.compile(_MONTH)
# Capitalised names (with "of", "the", "and" inside) for the generic actor rule.
_NAME = re.compile(r"(?<![\w’'])(?:[A-Z][\w’'\-]*|[A-Z]{2,})(?:\s+(?:of|the|and|for|on)?\s*[A-Z][\w’'\-]*)*")

#: Words never counted as content (function words and the boilerplate of these
#: statements, which would otherwise make "we" and "leaders" new wording).
STOP = frozenset(
    """a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had has
    have having he her here hers him his how i if in into is it its itself just me more most my no nor not
    now of off on once only or other our ours ourselves out over own same she should so some such than that
    the their theirs them themselves then there these they this those through to too under until up very
    was we were what when where which while who whom why will with would you your yours also including
    well within toward towards upon among across through throughout us leaders today year years""".split()
)


# --------------------------------------------------------------------------- helpers

def _is_content(w: str) -> bool:
    # Numbers count as content ("50 billion" is news); short words do not.
    return bool(w) and (w[0].isdigit() or (len(w) > 2 and w not in STOP))


def _content(words: Iterable[str]) -> list[str]:
    return [w for w in words if _is_content(w)]


_POSSESSIVE = re.compile(r"['’]s?$")


@lru_cache(maxsize=65536)
def _fold_words(text: str) -> tuple[str, ...]:
    """Cosmetic-insensitive words of ``text``; possessives dropped ("Beijing's" = "Beijing").

    Cached: the same sentences are folded by several rules.
    """
    return tuple(k for _, _, k in _units(text))


@lru_cache(maxsize=65536)
def _units(text: str) -> tuple[tuple[int, int, str], ...]:
    """Word units of ``text`` as ``(start, end, key)`` relative to ``text``; cached
    per sentence so runs, content sets and the statement index share one fold."""
    return tuple((u.start, u.end, _key(u.key)) for u in word_units(text) if any(c.isalnum() for c in u.key))


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
        return self.text[lo:hi].strip(" ,;:")

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
               paras: Sequence[int]) -> tuple[int, int | None, str, float]:
    """The sentence of ``other`` (within ``paras``) sharing most content words with ``text``."""
    mine = src.content_set(pi, si, text)
    best = (paras[0] if paras else -1, None, "", -1.0)
    for opi, osi, _, _, otext in other.sentences(paras):
        theirs = other.content_set(opi, osi, otext)
        union = mine | theirs
        score = len(mine & theirs) / len(union) if union else 0.0
        if score > best[3]:
            best = (opi, osi, otext, score)
    return best


class _Builder:
    def __init__(self, config: TopicConfig, partial: Mapping[str, bool] | None = None):
        self.config = config
        self.flags: dict[str, Flag] = {}
        #: side → is that statement only an excerpt (``Meta.partial``)?
        self.partial = dict(partial or {"old": False, "new": False})
        #: The statements' own parties and leaders (set by :func:`compute_flags`).
        self.own = _Own(frozenset(), frozenset())
        #: flag id → the sentence its quote rests on, ``(side, paragraph,
        #: sentence)``: flags quoting the same sentence are repeats (see
        #: :func:`_merge_repeats`).
        self.anchors: dict[str, set[tuple[str, int, int | None]]] = {}

    def blind(self, side_name: str) -> bool:
        """Is a statement-level claim about ``side_name``'s text *absent from
        the other statement* unprovable, because the other one is partial?
        (Something "new" against an excerpt may sit beyond the excerpt.)"""
        return self.partial["old" if side_name == "new" else "new"]

    def add(self, rule: str, topics: Iterable[str], old: Iterable[int], new: Iterable[int],
            old_text: str, new_text: str, key: str, size: float, changed_share: float,
            explanation: str, evidence: dict, link: Link | None = None,
            anchor: tuple[str, int, int | None] | Iterable[tuple[str, int, int | None]] | None = None) -> None:
        topics = tuple(sorted(set(topics)))
        rule_weight = self.config.rule_weights.get(rule, 1.0)
        topic_weight = max((self.config.topic_weight(t) for t in topics), default=self.config.untagged_weight)
        size = min(2.5, max(0.5, size))
        share = min(1.0, max(0.0, changed_share))
        score = round(rule_weight * size * topic_weight * (0.75 + 0.25 * share), 4)
        evidence = dict(evidence)
        evidence["score"] = {
            "formula": "rule_weight × size × topic_weight × (0.75 + 0.25 × changed_share)",
            "rule_weight": rule_weight,
            "size": round(size, 3),
            "topic_weight": topic_weight,
            "changed_share": round(share, 3),
        }
        # The id leaves topics out: review decisions key on it, and editing
        # the topics file must not orphan them.
        fid = content_id("flag", rule, key, _norm(old_text), _norm(new_text))
        flag = Flag(
            id=fid, rule=rule, topics=topics, old=tuple(sorted(set(old))), new=tuple(sorted(set(new))),
            old_text=old_text, new_text=new_text, score=score, explanation=explanation,
            evidence=evidence, link_id=link.id if link else "",
        )
        prev = self.flags.get(fid)
        if prev is not None:
            # Same rule, key and words (the same shift reached twice, e.g. from
            # two passages of a merged link): one flag, the higher-scoring
            # one (the first on a tie), taking in the other's topics and
            # recording its passages, so ids stay unique within a report.
            keep, other = (prev, flag) if prev.score >= flag.score else (flag, prev)
            ev = dict(keep.evidence)
            also = list(ev.get("also_at", []))
            if (other.old, other.new) != (keep.old, keep.new):
                also.append({"old": list(other.old), "new": list(other.new)})
            if also:
                ev["also_at"] = also
            flag = replace(keep, topics=tuple(sorted(set(keep.topics) | set(other.topics))), evidence=ev)
        self.flags[fid] = flag
        if anchor:
            single = isinstance(anchor, tuple) and isinstance(anchor[0], str)
            self.anchors.setdefault(fid, {anchor} if single else set(anchor))

    def topic_label(self, topics: Iterable[str]) -> str:
        names = [self.config.topic_name(t) for t in sorted(set(topics))]
        return " on " + "; ".join(names) if names else ""


def _norm(text: str) -> str:
    return " ".join(_fold_words(text))


def _squash(text: str) -> str:
    return "".join(_fold_words(text)).replace("-", "")


def _quote(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return "'" + (text if len(text) <= limit else text[: limit - 1] + "…") + "'"


# --------------------------------------------------------------------------- rules on a link

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
            if tag != "insert":
                old_changed.append((i1, i2))
            else:
                old_changed.append((i1, i1))
            if tag != "delete":
                new_changed.append((j1, j2))
            else:
                new_changed.append((j1, j1))
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
    if side == "new":
        pi, si, _, _, text = view.new.sentence_at(pos, view.link.new)
        opi, osi, _, _ = _best_pair(view.new, pi, si, text, view.old, view.link.old)
        return (opi, osi, view.old.runs_text(opi, osi)), (pi, si, view.new.snippet(pos, end, view.link.new))
    pi, si, _, _, text = view.old.sentence_at(pos, view.link.old)
    npi, nsi, _, _ = _best_pair(view.old, pi, si, text, view.new, view.link.new)
    return (pi, si, view.old.snippet(pos, end, view.link.old)), (npi, nsi, view.new.runs_text(npi, nsi))


def _topics_for(view: _LinkView, o, n) -> set[str]:
    return view.old.topics_of(o[0], o[1]) | view.new.topics_of(n[0], n[1])


def _rule_intensity(view: _LinkView, b: _Builder) -> None:
    # Ladders overlap ("grave concern" is on the concern and the disapproval
    # ladder): of shifts on the same words only the largest is kept, while
    # shifts on different words of one sentence ("concern" → "grave concern"
    # and "called for" → "demanded") are each flagged.
    found: list[tuple[int, tuple[int, int], tuple[int, int], dict]] = []
    # One scan per side over every ladder's phrases, then split by ladder:
    # scanning once per ladder cost a third of the flagging time on a G7
    # communiqué pair once central-bank ladders joined the default file.
    matcher, index = _ladder_index(b.config, every=True)
    old_texts, new_texts = view.texts()
    old_all, new_all = _matches(matcher, old_texts), _matches(matcher, new_texts)
    if not old_all or not new_all:
        return
    old_by: dict[int, list] = {}
    new_by: dict[int, list] = {}
    for hits, by in ((old_all, old_by), (new_all, new_by)):
        for s0, e0, p in hits:
            for li, _ in index[p]:
                by.setdefault(li, []).append((s0, e0, p))
    for li in sorted(set(old_by) & set(new_by)):
        ladder = b.config.ladders[li]
        rung_of = {p: r for p in {h[2] for h in old_by[li] + new_by[li]} for l2, r in index[p] if l2 == li}
        new_hits, old_hits = new_by[li], old_by[li]
        # Strongest rung per sentence on each side.
        def per_sentence(side: _Side, hits, paras):
            best: dict[tuple, tuple[int, str]] = {}
            for s, e, p in hits:
                pi, si, _, _, _ = side.sentence_at(s, paras)
                r = rung_of[p]
                if (pi, si) not in best or r > best[(pi, si)][0]:
                    best[(pi, si)] = (r, side.text[s:e], s, e)
            return best
        old_best = per_sentence(view.old, old_hits, view.link.old)
        new_best = per_sentence(view.new, new_hits, view.link.new)
        for (pi, si), (rung, words, ns, ne) in sorted(new_best.items(), key=lambda kv: (kv[0][0], kv[0][1] or -1)):
            text = view.new.sent[(pi, si)].text if si is not None else view.new.para[pi].text
            # Compare with the most similar old sentence that used this ladder.
            mine = view.new.content_set(pi, si, text)
            cand = None
            for (opi, osi), (orung, owords, os_, oe) in old_best.items():
                otext = view.old.sent[(opi, osi)].text if osi is not None else view.old.para[opi].text
                theirs = view.old.content_set(opi, osi, otext)
                union = mine | theirs
                sim = len(mine & theirs) / len(union) if union else 0.0
                if cand is None or sim > cand[0]:
                    cand = (sim, opi, osi, otext, orung, owords, os_, oe)
            # A pair must be about the same thing: a quarter of content
            # words, unless each side has a single use of the ladder.
            if cand is None or (cand[0] < 0.25 and not (len(old_best) == 1 and len(new_best) == 1)):
                continue
            sim, opi, osi, otext, orung, owords, os_, oe = cand
            if orung == rung:
                continue
            # Two rungs are one shift only when they bear on the same matter:
            # "opposition to Russia's war" and "strong opposition to any
            # attempts by the PRC", or "urge the DPRK to abide by" and "call
            # on all UN Member States to implement", share a ladder and some
            # sentence words but are different statements.
            ounit = view.old.sent[(opi, osi)] if osi is not None else view.old.para[opi]
            nunit = view.new.sent[(pi, si)] if si is not None else view.new.para[pi]
            if sim < SAME_SENTENCE_SIMILARITY and not (
                    _object_words(view.old.text, os_, oe, ounit.start, ounit.end)
                    & _object_words(view.new.text, ns, ne, nunit.start, nunit.end)):
                continue
            # Demands on different parties ("urge the DPRK to …" / "call on
            # all UN Member States to …") are two demands, not one softened.
            if ladder.addressee:
                oa = _addressee(view.old.text, oe, ounit.end)
                na = _addressee(view.new.text, ne, nunit.end)
                if oa is not None and na is not None and not oa & na:
                    continue
            delta = rung - orung
            topics = view.old.topics_of(opi, osi) | view.new.topics_of(pi, si)
            direction = "up" if delta > 0 else "down"
            n = abs(delta)
            found.append((n, (os_, oe, pi, si), (ns, ne), dict(
                rule="intensity_shift", topics=topics, old=[opi], new=[pi],
                # The ladder words and what they bear on ("condemn the dangerous use of …").
                old_text=_around(view.old, opi, osi, os_, oe), new_text=_around(view.new, pi, si, ns, ne),
                key=f"{ladder.id}:{_norm(owords)}>{_norm(words)}",
                size=1 + 0.5 * (n - 1), changed_share=view.share,
                explanation=(f"Intensity {direction} {n} rung{'s' if n > 1 else ''}{b.topic_label(topics)}"
                             f" ({ladder.name}): {_quote(owords)} → {_quote(words)}"),
                evidence={"ladder": ladder.id, "old_rung": orung, "new_rung": rung, "delta": delta,
                          "old_words": owords, "new_words": words, "sentence_similarity": round(sim, 3)},
                link=view.link,
            )))
    # The same new words, or the same old words answered in the same new
    # sentence, make one shift.
    kept: list[tuple[tuple, tuple[int, int]]] = []
    for _n, ospan, nspan, kwargs in sorted(found, key=lambda x: (-x[0], x[2], x[1])):
        if any(_overlaps(*nspan, [n2]) or (ospan[2:] == o2[2:] and _overlaps(*ospan[:2], [o2[:2]]))
               for o2, n2 in kept):
            continue
        kept.append((ospan, nspan))
        b.add(**kwargs)


#: Content-word similarity of two sentences above which their rungs are
#: compared without checking what each bears on (near-identical sentences).
SAME_SENTENCE_SIMILARITY = 0.5
#: The verbs that frame a statement's stance ("we *express* concern", "we
#: *reaffirm* our support"): shared by any two stances, they say nothing of
#: what a cue bears on.
_FRAME = frozenset("express expressed expresses reaffirm reaffirmed reaffirms reiterate reiterated reiterates "
                   "continue continued continues remain remained remains".split())
#: Ordinary words after (and before) a cue that say what it bears on.
_OBJECT_AFTER, _OBJECT_BEFORE = 7, 3


def _object_words(text: str, s: int, e: int, ss: int, se: int) -> set[str]:
    """Lower-case content words around a cue at ``s:e`` in the sentence
    ``ss:se``: what it bears on ("condemn *the dangerous use of coast
    guard*"). Names are left out: "Russia" after two cues in one
    statement about Russia does not make them one matter."""
    after = [k for a, _, k in _units(text[e:se]) if _is_content(k) and text[e + a].islower() and k not in _FRAME]
    before = [k for a, _, k in _units(text[ss:s]) if _is_content(k) and text[ss + a].islower() and k not in _FRAME]
    return set(after[:_OBJECT_AFTER]) | set(before[-_OBJECT_BEFORE:])


#: Words a demand may put between its verb and "to" (the party addressed).
_ADDRESSEE_SPAN = 8


def _addressee(text: str, e: int, se: int) -> set[str] | None:
    """Content words between a demand verb ending at ``e`` and its "to" ("urge
    *the DPRK* to", "call on *all UN Member States* to"), names included; None
    when no "to" follows within a few words ("call for a ceasefire")."""
    words = [k for _, _, k in _units(text[e:se])][: _ADDRESSEE_SPAN + 1]
    if "to" not in words:
        return None
    party = {w for w in words[: words.index("to")] if _is_content(w)}
    return party or None


def _ladder_index(config: TopicConfig, every: bool = False) -> tuple[PhraseMatcher, dict[str, list[tuple[int, int]]]]:
    """One matcher over every ladder's phrases: phrase → [(ladder index, rung)].

    One scan per sentence instead of one per ladder keeps the statement-wide
    rule cheap (a G7 communiqué has ~600 sentences). ``every`` takes in the
    ladders that are not ``statement_wide`` too (for the per-link rule). Longest phrase wins
    across ladders too, which only ever prefers the fuller phrase ("note with
    concern" over "note").
    """
    key = "ladder_index:all" if every else "ladder_index"
    if key not in config._compiled:
        index: dict[str, list[tuple[int, int]]] = {}
        for li, lad in enumerate(config.ladders):
            if not (lad.statement_wide or every):
                continue
            for r, rung in enumerate(lad.rungs):
                for ph in rung:
                    index.setdefault(ph, []).append((li, r))
        config._compiled[key] = (PhraseMatcher(index), index)
    return config._compiled[key]


def _rule_topic_intensity(old: _Side, new: _Side, term_topics: Mapping[str, Mapping], b: _Builder,
                          covered: set[str]) -> None:
    """The strongest rung reached on a watched topic, across the whole statement.

    Per-link intensity flags compare paired sentences; a topic whose strongest
    language sits in an added passage ("grave concern" over DPRK–Russia
    cooperation in one statement, "strongly condemn … particularly egregious"
    in a new paragraph of the next) escapes them. Here, for each topic named
    by terms on both sides, the strongest rung of each ladder is compared;
    the ladder with the largest shift raises one flag, quoting where each
    rung was found (up to three sentences on the stronger side). Topics that
    already carry a per-link intensity flag (``covered``) are skipped: the
    passage-level flag says it with a closer pairing. Topics of weight below
    1 (not on the watch list proper) are skipped: whole-statement rungs on a
    secondary topic are mostly coincidence of wording.
    """
    matcher, index = _ladder_index(b.config)
    # side → topic → ladder → [(rung, paragraph, sentence, start, end)]
    found: dict[str, dict[str, dict[int, list[tuple[int, int, int | None, int, int]]]]] = {}
    for side in (old, new):
        per = found.setdefault(side.name, {})
        for (pi, si), topics in term_topics[side.name].items():
            topics = [t for t in topics if b.config.topic_weight(t) >= 1.0 and t not in covered]
            if not topics:
                continue
            sent = side.sent.get((pi, si))
            if sent is None:
                continue
            for s0, e0, ph in matcher.find(sent.text, offset=sent.start):
                # A rung counts for a topic only near the topic's own words:
                # "our strong condemnation of Russia's seizure of … Nuclear
                # Power Plant, the abduction …" is about the plant, not about
                # human rights, though "abduction" tags the sentence.
                near = _topics_near(sent.text, s0 - sent.start, e0 - sent.start, topics, b.config)
                for li, r in index[ph]:
                    for t in near:
                        per.setdefault(t, {}).setdefault(li, []).append((r, pi, si, s0, e0))
    for topic in sorted(set(found["old"]) & set(found["new"])):
        best = None
        for li in sorted(set(found["old"][topic]) & set(found["new"][topic])):
            o_top = max(h[0] for h in found["old"][topic][li])
            n_top = max(h[0] for h in found["new"][topic][li])
            delta = n_top - o_top
            # Against an excerpt, its strongest rung is only a lower bound:
            # "up" from a partial old (or "down" to a partial new) may be an artefact.
            if (delta > 0 and b.partial["old"]) or (delta < 0 and b.partial["new"]):
                continue
            if delta and (best is None or abs(delta) > abs(best[1])):
                best = (li, delta, o_top, n_top)
        if best is None:
            continue
        li, delta, o_top, n_top = best
        ladder = b.config.ladders[li]
        up = delta > 0

        def quotes(side: _Side, hits, above: int) -> tuple[list[str], list[int], list[str]]:
            # The stronger side: every sentence above the other side's top
            # (strongest first); the weaker side: the sentences at its top.
            chosen = sorted((h for h in hits if h[0] > above), key=lambda h: (-h[0], h[1], h[2] or -1))
            out, paras, words, seen = [], [], [], set()
            for _r, pi, si, s0, e0 in chosen:
                if (pi, si) in seen:
                    continue
                seen.add((pi, si))
                out.append(_around(side, pi, si, s0, e0))
                paras.append(pi)
                words.append(f"{side.text[s0:e0]} (paragraph {pi}, sentence {si})")
                if len(out) == 3:
                    break
            return out, paras, words

        if up:
            nq, np_, nw = quotes(new, found["new"][topic][li], o_top)
            oq, op, ow = quotes(old, found["old"][topic][li], o_top - 1)
        else:
            oq, op, ow = quotes(old, found["old"][topic][li], n_top)
            nq, np_, nw = quotes(new, found["new"][topic][li], n_top - 1)
        n = abs(delta)
        name = b.config.topic_name(topic)
        b.add("intensity_shift", [topic], op, np_, " … ".join(oq), " … ".join(nq),
              key=f"topic:{topic}:{ladder.id}:{o_top}>{n_top}", size=1 + 0.5 * (n - 1), changed_share=1.0,
              explanation=(f"Strongest language on {name} {'up' if up else 'down'} {n} rung{'s' if n > 1 else ''}"
                           f" ({ladder.name}), across the statement: {_quote(ow[0].split(' (')[0])}"
                           f" → {_quote(nw[0].split(' (')[0])}"),
              evidence={"ladder": ladder.id, "scope": "statement", "old_rung": o_top, "new_rung": n_top,
                        "delta": delta, "old_found": ow, "new_found": nw})


#: Words after (and before) a rung within which one of a topic's own terms
#: must sit for the rung to count on that topic across the statement. Measured
#: on the gold pairs: "grave concern over deepening *military cooperation*"
#: (3 words), "strongly condemn the decisions by the leaders of the *DPRK*"
#: (7); the G7's "strong condemnation of Russia's … Nuclear Power Plant, the
#: *abduction*" (13) is about the plant.
_TOPIC_NEAR_AFTER, _TOPIC_NEAR_BEFORE = 10, 8


def _topics_near(text: str, s: int, e: int, topics: Iterable[str], config: TopicConfig) -> list[str]:
    """The ``topics`` one of whose matched terms lies within a few words of the
    rung at ``s:e`` of the sentence ``text`` (offsets relative to it)."""
    units = _units(text)
    first = next((i for i, u in enumerate(units) if u[1] > s), len(units))
    last = max(first, next((i for i in range(len(units) - 1, -1, -1) if units[i][0] < e), first))
    hits = term_hits(text, config).topics
    near = []
    for t in topics:
        for words in hits.get(t, ()):
            for m in re.finditer(re.escape(words), text):
                ti = next((i for i, u in enumerate(units) if u[1] > m.start()), len(units))
                tj = next((i for i in range(len(units) - 1, -1, -1) if units[i][0] < m.end()), ti)
                if ti - last <= _TOPIC_NEAR_AFTER and first - tj <= _TOPIC_NEAR_BEFORE:
                    near.append(t)
                    break
            else:
                continue
            break
    return near


def _substantive_term_topics(tags: Sequence[TopicTag], config: TopicConfig) -> dict[str, dict]:
    """side → (paragraph, sentence) → topics tagged by more than one actor's name.

    "The DPRK" alone tags DPRK nuclear and missile programmes (the topic is
    about that actor), but "grave concern over the human rights situation in
    the DPRK" says nothing about missiles: comparing the strongest language
    across a statement on such tags pairs unrelated matters. A tag counts
    here when its evidence holds a topic term that names no actor ("ballistic
    missile"), or two actors (the DPRK *and* Russia make DPRK–Russia).
    """
    out: dict[str, dict[tuple[int, int | None], set[str]]] = {"old": {}, "new": {}}
    for t in tags:
        if "term" not in t.method or t.sentence is None:
            continue
        actors: set[str] = set()
        plain = False
        for ev in t.evidence:
            if ev.startswith("term: "):
                named = term_hits(ev[6:], config).actors
                actors |= set(named)
                plain = plain or not named
        if plain or len(actors) >= 2:
            out[t.side].setdefault((t.paragraph, t.sentence), set()).add(t.topic)
    return out


def _around(side: _Side, pi: int, si: int | None, s: int, e: int) -> str:
    unit = side.sent[(pi, si)] if si is not None else side.para[pi]
    return side.window(s, e, unit.start, unit.end, before=2, after=8)


def _rule_actors(view: _LinkView, b: _Builder, old_all_words: str, reported: set[tuple],
                 everywhere: Mapping[str, set[str]], own: "_Own") -> None:
    """Actors named in one side of a link only, and capitalised names new to the statement.

    The statement's own parties (``Meta.parties`` of either side) are skipped:
    "Japan, the ROK and the United States condemn…" names its authors, not an
    actor. Actors gained (or lost) in the same sentence pair make one flag
    listing them all ("DPRK, Russia named…"), so one sentence cannot fill
    the top of the list on its own.
    """
    def actors(side: _Side, paras: Sequence[int]) -> dict[str, list[tuple[int, int]]]:
        out: dict[str, list[tuple[int, int]]] = {}
        for pi in paras:
            p = side.para[pi]
            for name, spans in term_hits(p.text, b.config, offset=p.start).actors.items():
                if name not in own.parties:
                    out.setdefault(name, []).extend(spans)
        return out

    old_hits = actors(view.old, view.link.old)
    new_hits = actors(view.new, view.link.new)
    for added, hits, other, side_name in ((True, new_hits, old_hits, "new"), (False, old_hits, new_hits, "old")):
        side = view.new if added else view.old
        groups: dict[tuple, dict] = {}
        for actor in sorted(set(hits) - set(other)):
            # Quote the fullest naming ("the People's Republic of China" over "China").
            s, e = max(hits[actor], key=lambda se: se[1] - se[0])
            o, n = _pair_for(view, side_name, s, e)
            reported.add((actor, side_name, *(n[:2] if added else o[:2])))
            elsewhere = everywhere["old" if added else "new"]
            first = actor not in elsewhere and actor in everywhere["watched"]
            g = groups.setdefault((o[0], o[1], n[0], n[1]), {"o": o, "n": n, "actors": [], "words": [], "first": False})
            g["actors"].append(actor)
            g["words"].append(side.text[s:e])
            # Against a partial statement, "first time in the statement" is
            # unprovable: the flag stays a passage-level one.
            blind = b.blind(side_name)
            g["first"] = g["first"] or (first and not blind)
            g["whole"] = g.get("whole", True) and actor not in elsewhere and not blind
            g["blind"] = g.get("blind", False) or (blind and actor not in elsewhere)
        for g in groups.values():
            o, n, names = g["o"], g["n"], g["actors"]
            topics = _topics_for(view, o, n)
            who = ", ".join(names)
            if added:
                where = "for the first time in the statement" if g["whole"] else "where it was not"
                verb = "named"
            else:
                where = "anywhere in the statement" if g["whole"] else "in this passage"
                verb = "no longer named"
            b.add("actor_change", topics, [o[0]], [n[0]], o[2], n[2], key=("+" if added else "-") + "+".join(names),
                  # A watched actor new to (or gone from) the whole statement is a
                  # statement-level fact: how much of this passage changed does not
                  # make it less so ("China no longer named" in a lightly edited passage).
                  size=1.3 if g["first"] else 1.0, changed_share=1.0 if g["first"] else view.share,
                  explanation=f"{who} {verb} {where}{b.topic_label(topics)}: {_quote((n if added else o)[2])}",
                  evidence={"actor": names[0], "actors": names, "change": verb, "words": g["words"],
                            "scope": "statement" if g["first"] else "passage",
                            **({"partial": _partial_reason(b, "new" if added else "old")} if g["blind"] else {})},
                  link=view.link, anchor=("new", n[0], n[1]) if added else ("old", o[0], o[1]))
    known = {a for hits in (old_hits, new_hits) for a in hits}
    for name, s, e in _new_names(view.new.text, view.new_changed, old_all_words, b.config, known | own.parties):
        o, n = _pair_for(view, "new", s, e)
        topics = _topics_for(view, o, n)
        size, kind = _name_size(name, own)
        b.add("actor_change", topics, [o[0]], [n[0]], o[2], n[2], key=f"+name:{_norm(name)}",
              size=size, changed_share=view.share,
              explanation=f"New name{b.topic_label(topics)}, not in the old statement: {_quote(name)}",
              evidence={"actor": name, "change": "new name", "name_kind": kind}, link=view.link,
              anchor=("new", n[0], n[1]))


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
    common = {w.lower() for doc in (old_doc, new_doc) for w in _LOWER_WORD.findall(doc.statement.text)}
    people: set[str] = set()
    for doc in (old_doc, new_doc):
        for inner in re.findall(r"\(([^)]*)\)", doc.statement.meta.parties):
            inner = re.sub(r"^\s*(?:leaders|\+)\s*:?", "", inner)
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


#: Last words of names that denote a meeting, an event, a document, a region
#: or a bare grouping ("Apulia Summit", "Core Group", "Cold War", "Northeast
#: Asia", "Permanent Member"): named in passing, they are rarely the news an
#: analyst reads a statement for. Institutions ("Trilateral Secretariat"),
#: programmes and people keep the full weight.
_EVENT_WORDS = frozenset("""summit summits meeting meetings conference session sessions ministerial ministerials
    group groups forum dialogue declaration statement statements communique communiqué vision visions war
    asia ocean oceans region sea seas member members day days week year games expo olympics paralympics
    chair chairs presidency""".split())


def _name_size(name: str, own: _Own | None = None) -> tuple[float, str]:
    """Size and kind of a new capitalised name.

    A full name ("Alexei Navalny", "Trilateral Secretariat") says more than
    one capitalised word ("Rome", "UNSCRs"), which is often a place or an
    acronym; a meeting, event or region, or a name made of the statements'
    own title and party words (the leaders, the host city), says least.
    """
    words = _fold_words(name)
    if words and (words[-1] in _EVENT_WORDS or (own and any(w in own.words for w in words))):
        return 0.5, "event, place or own party"
    if len(name.split()) == 1:
        return 0.7, "single word"
    # A name none of whose words either statement uses as an ordinary lower-
    # case word ("Alexei Navalny") is a person or a place: news in itself.
    # Names of common words ("Grain Verification Scheme", "World Bank") are
    # bodies and programmes, weighed as full names.
    if own and not any(w in own.common for w in words if w.isalpha()):
        return 1.2, "proper name"
    return 1.0, "full name"


def _new_names(text: str, spans: Sequence[tuple[int, int]], old_all_words: str, config: TopicConfig,
               known: set[str]) -> list[tuple[str, int, int]]:
    """Capitalised names inside ``spans`` that the whole old statement never used.

    Works on any text (a central bank's "Arden Treasury", a dissident's
    name). Sentence-initial single words are skipped: "Together" or "Today"
    opening a sentence is not a name; configured actors are left to the
    actor rules.
    """
    out, seen = [], set()
    for j1, j2 in spans:
        if j1 == j2:
            continue
        lo = text.rfind(" ", 0, j1) + 1
        for m in _NAME.finditer(text, lo, j2):
            name = m.group(0).strip()
            words = name.split()
            if _sentence_initial(text, m.start()) and len(words) > 1 and words[0].lower() in STOP:
                # "In April 2024 …", "The July 2016 award": the capital is the sentence's.
                m_start = m.start() + m.group(0).index(words[1], len(words[0]))
                name = text[m_start:m.end()].strip()
                words = words[1:]
            else:
                m_start = m.start()
            if len(words) == 1 and (_sentence_initial(text, m_start) or len(name) < 3):
                continue
            key = _norm(name)
            if (not key or key in seen or f" {key} " in old_all_words or _NUMBER.fullmatch(name)
                    or _MONTH_RE.fullmatch(name)):
                continue
            # Every word already used in the old statement ("Permanent Member",
            # "Vice Ministers" re-capitalised): a rephrasing, not a new name.
            if all(f" {w} " in old_all_words for w in key.split()):
                continue
            if term_hits(name, config).actors:
                continue
            seen.add(key)
            out.append((name, m_start, m_start + len(name)))
    # "Navalny’s" after "Alexei Navalny": the same person once.
    keys = [_norm(n) for n, _, _ in out]
    return [o for o, k in zip(out, keys)
            if not any(k != other and f" {k} " in f" {other} " for other in keys)]


def _sentence_initial(text: str, pos: int) -> bool:
    before = text[:pos].rstrip()
    return not before or before[-1] in ".!?:;\n\"“(" or before.endswith("—")


def _rule_cues(view: _LinkView, b: _Builder) -> None:
    # Modality and hedging, one flag per sentence pair: cues gained in one
    # sentence and lost in an unrelated one of a merged passage are no shift
    # ("could … should" in one sentence, "steadfastly" in another).
    matcher, label = b.config.cue_matcher("modality")
    gained, lost = _cue_changes(view, matcher, label)
    groups: dict[tuple, dict] = {}
    for side_name, hits in (("new", gained), ("old", lost)):
        for hit in hits:
            o, n = _pair_for(view, side_name, hit[1], hit[1] + len(hit[2]))
            g = groups.setdefault((o[0], o[1], n[0], n[1]), {"o": o, "n": n, "new": [], "old": [], "at": (side_name, hit)})
            g[side_name].append(hit)
    for g in groups.values():
        o, n, g_new, g_old = g["o"], g["n"], g["new"], g["old"]
        firm = sum(1 for c, _, _ in g_new if c == "firm") + sum(1 for c, _, _ in g_old if c == "hedged")
        soft = sum(1 for c, _, _ in g_new if c == "hedged") + sum(1 for c, _, _ in g_old if c == "firm")
        direction = "firmer" if firm > soft else "softer" if soft > firm else "qualifiers changed"
        side_name, hit = g["at"]
        src, dst = (view.new, view.old) if side_name == "new" else (view.old, view.new)
        paras, other_paras = ((view.link.new, view.link.old) if side_name == "new" else (view.link.old, view.link.new))
        hp, hs, _, _, htext = src.sentence_at(hit[1], paras)
        sim = _best_pair(src, hp, hs, htext, dst, other_paras)[3]
        # A cue in a sentence with no counterpart ("we will" in a wholly new
        # sentence) hedges or firms up nothing that was said before: it is
        # part of new wording and ranks as such.
        unpaired = sim < NEGATION_PAIR_SIMILARITY
        topics = _topics_for(view, o, n)
        lost_w = ", ".join(sorted({w for _, _, w in g_old})) or "—"
        gained_w = ", ".join(sorted({w for _, _, w in g_new})) or "—"
        evidence = {"direction": direction, "added": sorted({w for _, _, w in g_new}),
                    "removed": sorted({w for _, _, w in g_old}), "sentence_similarity": round(sim, 3)}
        if unpaired:
            evidence["unpaired"] = "the sentence has no counterpart on the other side: added or dropped, not hedged"
        b.add("modality", topics, [o[0]], [n[0]], o[2], n[2], key=f"{_norm(lost_w)}>{_norm(gained_w)}",
              size=(1.0 if direction != "qualifiers changed" else 0.7) * (0.5 if unpaired else 1.0),
              changed_share=view.share,
              explanation=(f"Modality {direction}{b.topic_label(topics)}: {_quote(lost_w)} → {_quote(gained_w)}"
                           + (" (in a sentence with no counterpart)" if unpaired else "")),
              evidence=evidence, link=view.link)

    # Negation cues. "not only … but also" adds, it negates nothing.
    matcher, label = b.config.cue_matcher("negation")
    gained, lost = _cue_changes(view, matcher, label)
    gained = [h for h in gained if not _NOT_ONLY.match(view.new.text, h[1])]
    lost = [h for h in lost if not _NOT_ONLY.match(view.old.text, h[1])]
    if gained or lost:
        pos_side, hit = ("new", gained[0]) if gained else ("old", lost[0])
        o, n = _pair_for(view, pos_side, hit[1], hit[1] + len(hit[2]))
        topics = _topics_for(view, o, n)
        what = "added" if gained and not lost else "removed" if lost and not gained else "changed"
        words = sorted({w for _, _, w in gained} | {w for _, _, w in lost})
        src, dst = (view.new, view.old) if pos_side == "new" else (view.old, view.new)
        hp, hs, _, _, htext = src.sentence_at(hit[1], view.link.new if pos_side == "new" else view.link.old)
        sim = _best_pair(src, hp, hs, htext, dst, view.link.old if pos_side == "new" else view.link.new)[3]
        # A negation in a sentence with no counterpart (a wholly added or
        # dropped sentence: "a world without nuclear weapons") reverses
        # nothing; it is part of new (or dropped) wording and ranks as such.
        unpaired = sim < NEGATION_PAIR_SIMILARITY
        evidence = {"added": sorted({w for _, _, w in gained}), "removed": sorted({w for _, _, w in lost}),
                    "sentence_similarity": round(sim, 3)}
        if unpaired:
            evidence["unpaired"] = (f"the sentence shares under {NEGATION_PAIR_SIMILARITY:.0%} of its content "
                                    "words with any sentence on the other side: added or dropped, not negated")
        b.add("negation", topics, [o[0]], [n[0]], o[2], n[2], key="neg:" + _norm(" ".join(words)),
              size=UNPAIRED_NEGATION_SIZE if unpaired else 1.0, changed_share=view.share,
              explanation=(f"Negation {what}{b.topic_label(topics)}: {_quote(', '.join(words))}"
                           + (" (in a sentence with no counterpart)" if unpaired else "")),
              evidence=evidence, link=view.link)

    # Polarity reversal: one side of a pair lost, the other gained.
    matcher, label = b.config.cue_matcher("polarity")
    gained, lost = _cue_changes(view, matcher, label)
    for lab, pos, words in gained:
        pair, sign = lab.split(":")
        if _participle(view.new.text, pos, words):
            continue
        o, n = _pair_for(view, "new", pos, pos + len(words))
        # A reversal is the same thing now opposed that was supported: the
        # lost cue must sit in the old sentence paired with this one, and
        # the words right after both cues must share a content word. Without
        # this, "supporting X" and "opposing Y" anywhere in a long merged
        # passage read as a reversal.
        old_sent = view.old.sent.get((o[0], o[1])) if o[1] is not None else None
        opposite = [
            (w, p) for lab2, p, w in lost
            if lab2.split(":")[0] == pair and lab2.split(":")[1] != sign
            and not _participle(view.old.text, p, w)
            and (old_sent is None or old_sent.start <= p < old_sent.end)
            and _same_object(view.old.text, p + len(w), view.new.text, pos + len(words))
        ]
        if not opposite:
            continue
        topics = _topics_for(view, o, n)
        b.add("negation", topics, [o[0]], [n[0]], o[2], n[2], key=f"pol:{_norm(opposite[0][0])}>{_norm(words)}",
              size=1.5, changed_share=view.share,
              explanation=f"Polarity reversed{b.topic_label(topics)}: {_quote(opposite[0][0])} → {_quote(words)}",
              evidence={"old_words": opposite[0][0], "new_words": words}, link=view.link)


_NOT_ONLY = re.compile(r"not\s+only\b", re.IGNORECASE)

#: Jaccard similarity of content words (``evidence["sentence_similarity"]``)
#: below which a negation's sentence has no counterpart on the other side.
#: Measured on the gold pairs: negations in wholly new or dropped sentences
#: ("a world without nuclear weapons", "no change in our basic positions")
#: pair at 0.00–0.18; the dropped "dialogue … with no preconditions" pairs
#: with its rewritten sentence at 0.25.
NEGATION_PAIR_SIMILARITY = 0.2
#: Size of such an unpaired negation flag (and it takes the per-link decay).
UNPAIRED_NEGATION_SIZE = 0.5

#: Verbs after which an -ing cue is still the speaker's own act ("continue supporting").
_ASPECT = frozenset("continue continues continued keep keeps remain remains".split())


def _participle(text: str, pos: int, words: str) -> bool:
    """Is the cue at ``pos`` an -ing form right after a content word ("the
    aggressive behavior *supporting* unlawful claims")? Then it describes
    that thing, someone else's conduct, not the statement's own stance, and
    cannot be one side of a reversal ("we recognize the importance of
    *opposing* unlawful claims" is the same stance, not its opposite)."""
    if not words.lower().endswith("ing"):
        return False
    before = _fold_words(text[max(0, pos - 40):pos])
    return bool(before) and _is_content(before[-1]) and before[-1] not in _ASPECT


def _same_object(old_text: str, old_end: int, new_text: str, new_end: int, window: int = 6) -> bool:
    """Do the few content words after two cues overlap ("support *the
    resolution*" / "oppose *the resolution*")?"""
    a = set(content_words(old_text[old_end : old_end + 160])[:window])
    b = set(content_words(new_text[new_end : new_end + 160])[:window])
    return bool(a & b)


def _number_kind(words: str) -> str:
    """``date``, ``figure`` (an amount or share), ``count`` (a spelled-out
    count or ordinal: "three", "first") or ``digits`` (a bare year or figure)."""
    if _DATE_RE.fullmatch(words):
        return "date"
    if _FIGURE.search(words):
        return "figure"
    return "count" if words[0].isalpha() else "digits"


def _name_part(text: str, s: int, e: int, sentence_start: int) -> bool:
    """Is the number at ``s:e`` part of a name, not a quantity? Glued by a hyphen
    to a capitalised word ("Bio-5", "COVID-19"), or a spelled-out number
    capitalised inside a sentence ("Group of Seven", "Five Eyes")."""
    before = text[max(0, s - 30):s]
    if re.search(r"(?<![\w-])[A-Z][\w]*-$", before) or re.match(r"-[A-Z]", text[e:e + 2]):
        return True
    return text[s].isupper() and text[s:e].isalpha() and s > sentence_start and not _sentence_initial(text, s)


def _carried_number(side: _Side, s: int, e: int, sentence_start: int, sentence_end: int) -> bool:
    """Does the number at ``s:e`` appear in the other statement next to the
    same content word ("our three countries" / "the three countries")? Then
    it plays the same role on both sides and is no change."""
    key = _norm(side.text[s:e])
    before = [w for w in _fold_words(side.text[max(sentence_start, s - 40):s])]
    after = [w for w in _fold_words(side.text[e:min(sentence_end, e + 40)])]
    phrases = []
    if before and _is_content(before[-1]):
        phrases.append(f" {before[-1]} {key} ")
    if after and _is_content(after[0]):
        phrases.append(f" {key} {after[0]} ")
    return any(p in side.other_all for p in phrases)


def _rule_numbers(view: _LinkView, b: _Builder) -> None:
    """Numbers, dates and amounts changed between the two sides of a link.

    Noise kept out (boilerplate of these statements is full of counts):

    * a number that is part of a name ("Bio-5", "COVID-19", "Group of
      Seven") is no quantity;
    * a count or ordinal next to the same content word in the other
      statement ("our three countries" / "the three countries") is
      carried over, whichever sentence it sits in;
    * a spelled-out count or ordinal ("first", "two iterations") fires only
      when the paired sentence on the other side holds a count too (a count
      that *changed*, "two" → "three"); one standing alone in new prose is
      new wording, which :func:`_rule_new_wording` reports.

    Figures ("two percent of GDP", "EUR 50 billion"), dates ("May 12, 2024")
    and digits always count.
    """
    old_texts, new_texts = view.texts()

    def numbers(side: _Side, texts, changed, paras):
        out = []
        for start, text in texts:
            for m in _NUMBER.finditer(text):
                s, e = m.start() + start, m.end() + start
                if not _overlaps(s, e, changed):
                    continue
                _, _, ss, se, _ = side.sentence_at(s, paras)
                if _name_part(side.text, s, e, ss):
                    continue
                words = side.text[s:e]
                if _number_kind(words) in ("count", "digits") and _carried_number(side, s, e, ss, se):
                    continue
                out.append((s, words))
        return out

    new_nums = numbers(view.new, new_texts, view.new_changed, view.link.new)
    old_nums = numbers(view.old, old_texts, view.old_changed, view.link.old)
    old_keys = sorted(_norm(w) for _, w in old_nums)
    new_keys = sorted(_norm(w) for _, w in new_nums)
    if old_keys == new_keys:
        return
    # One flag per new sentence holding changed numbers (or per old one, if only removed).
    groups: dict[tuple, dict] = {}
    for side, nums in (("new", new_nums), ("old", old_nums)):
        for pos, words in nums:
            o, n = _pair_for(view, side, pos, pos + len(words))
            g = groups.setdefault((o[0], o[1], n[0], n[1]), {"o": o, "n": n, "old": [], "new": []})
            g[side].append((words, (n if side == "new" else o)[2]))
    for g in groups.values():
        # A count on one side only ("the second Youth Summit in 2025" / "the
        # 2025 Youth Summit") is new (or dropped) wording, not a changed count.
        counts = {side: any(_number_kind(w) == "count" for w, _ in g[side]) for side in ("old", "new")}
        if not (counts["old"] and counts["new"]):
            for side in ("old", "new"):
                g[side] = [(w, q) for w, q in g[side] if _number_kind(w) != "count"]
        olds, news = [w for w, _ in g["old"]], [w for w, _ in g["new"]]
        if sorted(map(_norm, olds)) == sorted(map(_norm, news)):
            continue
        o, n = g["o"], g["n"]
        topics = _topics_for(view, o, n)
        old_q = " … ".join(dict.fromkeys(q for _, q in g["old"])) or o[2]
        new_q = " … ".join(dict.fromkeys(q for _, q in g["new"])) or n[2]
        # A changed amount or share ("4.25 per cent" → "4.00 per cent") weighs
        # like a new figure; dates and counts less.
        figure = any(_FIGURE.search(w) for w in olds + news)
        b.add("number_change", topics, [o[0]], [n[0]], old_q, new_q,
              key=f"{_norm(' '.join(olds))}>{_norm(' '.join(news))}", size=_FIGURE_SIZE if figure else 1.0,
              changed_share=view.share,
              explanation=(f"Numbers changed{b.topic_label(topics)}: "
                           f"{_quote(', '.join(olds) or '—')} → {_quote(', '.join(news) or '—')}"),
              evidence={"old_numbers": olds, "new_numbers": news}, link=view.link)


def _rule_new_wording(view: _LinkView, b: _Builder) -> None:
    """Novel runs (see :meth:`_Side.runs`) that overlap the changed words, one flag per sentence."""
    changed = [(j1, j2) for j1, j2 in view.new_changed if j2 > j1]
    if not changed:
        return
    # Every sentence touched by a change: one inserted span can cover several.
    for pi, si, ss, se, _ in view.new.sentences(view.link.new):
        if not _overlaps(ss, se, changed):
            continue
        runs = [(rs, re_) for rs, re_ in view.new.runs(pi, si) if _overlaps(rs, re_, changed)]
        if not runs:
            continue  # every content pair here was already in the old statement
        phrases = [view.new.text[rs:re_] for rs, re_ in runs]
        novel = [w for rs, re_ in runs for w in _content(_fold_words(view.new.text[rs:re_]))]
        # New wording that names a topic term or a proper name ("Trilateral
        # Secretariat") says more than rephrased prose.
        named = any(term_hits(ph, b.config).topics for ph in phrases) or any(
            len(m.group(0).split()) > 1 for ph in phrases for m in _NAME.finditer(ph))
        # So does wording that sets a date or a figure ("By the end of 2023",
        # "two percent of GDP"): a deadline or target is specific news.
        dated = any(_YEAR.search(ph) or _DATE_RE.search(ph) or _FIGURE.search(ph) for ph in phrases)
        old_hit = [(i1, i2) for (i1, i2), (n1, n2) in zip(view.old_changed, view.new_changed)
                   if i2 > i1 and any(rs < max(n2, n1 + 1) and n1 < re_ for rs, re_ in runs)]
        old_text = " … ".join(" ".join(view.old.text[i1:i2].split()) for i1, i2 in old_hit)
        topics = view.new.topics_of(pi, si)
        new_text = " … ".join(phrases)
        size = 0.5 + min(1.0, len(novel) / 10) + (0.5 if named else 0.0) + (0.25 if dated else 0.0)
        evidence: dict = {"novel_words": novel[:30]}
        if _formula(view.new, pi, si, b.own, b.config):
            # The opening "We, the leaders of …, met in …" is reworded at every
            # meeting: new words, no news. Kept, at the bottom of the scale.
            size = 0.5
            evidence["formula"] = "opening or closing sentence naming the statement's own parties or leaders"
        b.add("new_wording", topics, view.link.old, [pi], old_text, new_text, key=f"s{_norm(new_text)}",
              size=size, changed_share=view.share,
              explanation=f"New wording{b.topic_label(topics)}, not in the old statement: {_quote(new_text)}",
              evidence=evidence, link=view.link, anchor=("new", pi, si))


# --------------------------------------------------------------------------- passages and topics

#: A *figure*: an amount or a share ("EUR 50 billion", "two percent",
#: "$1.5 million", "2%"), as opposed to bare years, dates and ordinals, which
#: added passages are full of ("October 7", "the 2016 award").
_FIGURE = re.compile(
    r"(?<!\w)(?:(?:[$€£¥]|(?:US\$|USD|EUR|JPY|GBP|AUD|INR)\s?)\d[\d,]*(?:\.\d+)?"
    r"(?:\s(?:million|billion|trillion))?"
    r"|(?:\d[\d,]*(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|fifty|hundred)"
    r"\s?(?:%|percent|per cent|(?:million|billion|trillion)(?:\s(?:US\s)?(?:dollars|euros|yen))?))(?!\w)",
    re.IGNORECASE,
)


#: Size of a number_change on an amount or share ("EUR 50 billion", "two
#: percent of GDP", "4.25 → 4.00 per cent"): a new target or sum is among the
#: first things an analyst looks for, above a new passage of prose.
_FIGURE_SIZE = 1.7


def _run_weight(text: str, config: TopicConfig) -> float:
    """How much a novel run says: topic terms, actors, ladder words and figures
    count most; then full capitalised names; then length."""
    hits = term_hits(text, config)
    score = 2.0 * (len(hits.topics) + len(hits.actors)) + 2.0 * len(_FIGURE.findall(text))
    score += 2.0 * len(_ladder_index(config)[0].find(text))
    score += sum(1.0 for m in _NAME.finditer(text) if len(m.group(0).split()) > 1)
    return score + min(1.0, len(text) / 200)


#: Passage flags quote at most this many runs: the weightiest, in reading order.
_PASSAGE_RUNS = 4


def _rule_passage(link: Link, side: _Side, b: _Builder) -> None:
    """An unlinked passage, quoted by its weightiest runs not carried over from the other statement.

    Alignment may leave a passage unlinked although its sentences migrated
    elsewhere; quoting only the novel runs keeps that carried-over text out
    of the flag, and a passage with fewer than three novel content words
    raises nothing. The quote is the ``_PASSAGE_RUNS`` runs that say most
    (see :func:`_run_weight`: topic terms, actors, ladder words, figures,
    names), so "particularly egregious" or "Trilateral Secretariat" shows
    instead of the passage's first words.

    Figures in the passage ("two percent of GDP", "EUR 50 billion") also
    raise a ``number_change`` with an empty other side (size ``_FIGURE_SIZE``, exempt from
    the per-link decay): a new (or dropped) target or amount is what an
    analyst looks for first in a new passage, whatever its topic.
    """
    paras = link.new if side.name == "new" else link.old
    runs, novel = [], 0
    for pi, si, _, _, _ in side.sentences(paras):
        for rs, re_ in side.runs(pi, si):
            text = side.text[rs:re_]
            runs.append((rs, re_, pi, si, text))
            novel += len(_content(_fold_words(text)))
    if novel < 3:
        return
    topics: set[str] = set()
    for pi in paras:
        topics |= side.topics_of(pi, None)
    weights = {r[:2]: _run_weight(r[4], b.config) for r in runs}
    weighted = sorted(runs, key=lambda r: -weights[r[:2]])[:_PASSAGE_RUNS]
    # Capped at 1.0: a long new passage of general prose must not outrank
    # the specific shifts (a named actor, a new figure) at the top of the list.
    size = 0.5 + min(0.5, novel / 60)
    lead = sorted(weighted)[0]
    quotes = [r[4] for r in sorted(weighted)]
    text = " … ".join(quotes)
    added = side.name == "new"
    rule = "passage_added" if added else "passage_dropped"
    b.add(rule, topics, [] if added else paras, paras if added else [],
          "" if added else text, text if added else "", key="", size=size,
          changed_share=1.0,
          explanation=(f"{'New' if added else 'Dropped'} passage{b.topic_label(topics)}: {_quote(weighted[0][4])}"),
          evidence={"novel_words": novel, "runs": len(runs), "quoted_runs": len(quotes)}, link=link,
          anchor=(side.name, lead[2], lead[3]))
    # Figures inside the novel runs, one flag per sentence.
    per_sentence: dict[tuple, list[tuple[int, int]]] = {}
    for rs, _re, pi, si, rtext in runs:
        for m in _FIGURE.finditer(rtext):
            per_sentence.setdefault((pi, si), []).append((rs + m.start(), rs + m.end()))
    for (pi, si), spans in per_sentence.items():
        unit = side.sent[(pi, si)] if si is not None else side.para[pi]
        figures = [side.text[s0:e0] for s0, e0 in spans]
        quote = " … ".join(side.window(s0, e0, unit.start, unit.end, before=4, after=5) for s0, e0 in spans[:3])
        stopics = side.topics_of(pi, si) or topics
        b.add("number_change", stopics, [] if added else [pi], [pi] if added else [],
              "" if added else quote, quote if added else "",
              key=("+" if added else "-") + _norm(" ".join(figures)), size=_FIGURE_SIZE, changed_share=1.0,
              explanation=(f"{'New' if added else 'Dropped'} figure{'s' if len(figures) > 1 else ''}"
                           f"{b.topic_label(stopics)} in a{' new' if added else ' dropped'} passage: "
                           f"{_quote(', '.join(figures))}"),
              evidence={"old_numbers": [] if added else figures, "new_numbers": figures if added else [],
                        "scope": "statement"}, link=link)


def _tag_quote(side: _Side, tag: TopicTag) -> str:
    """The words that carry a tag: the sentence's novel runs holding its terms, else around the first term."""
    unit = side.sent[(tag.paragraph, tag.sentence)] if tag.sentence is not None else side.para[tag.paragraph]
    terms = [ev[6:] for ev in tag.evidence if ev.startswith("term: ")]
    runs = [side.text[rs:re_] for rs, re_ in side.runs(tag.paragraph, tag.sentence)]
    with_terms = [r for r in runs if any(t in r for t in terms)]
    if with_terms:
        return " … ".join(with_terms)
    for ev in tag.evidence:
        if ev.startswith("term: "):
            at = unit.text.find(ev[6:])
            if at >= 0:
                s = unit.start + at
                return side.snippet(s, s + len(ev) - 6, [tag.paragraph])
    return side.runs_text(tag.paragraph, tag.sentence) or unit.text


def _actor_mentions(side: _Side, config: TopicConfig) -> dict[str, list[tuple[int, int | None, int, int]]]:
    """actor → mentions ``(paragraph, sentence, start, end)`` in reading order."""
    out: dict[str, list[tuple[int, int | None, int, int]]] = {}
    for pi, si, start, _, text in side.sentences([p.index for p in side.doc.paragraphs]):
        for actor, spans in term_hits(text, config, offset=start).actors.items():
            out.setdefault(actor, []).extend((pi, si, s, e) for s, e in spans)
    return out


def _defining(config: TopicConfig, topic_id: str) -> set[str]:
    """Actors a topic is defined by (``@Actor`` in its terms or requires)."""
    t = config.topic(topic_id)
    if t is None:
        return set()
    refs = list(t.terms) + [x for g in t.requires for x in g]
    return {r[1:] for r in refs if r.startswith("@")}


def _rule_statement_actors(old: _Side, new: _Side, term_topics: Mapping[str, Mapping], b: _Builder,
                           reported: set[tuple], mentions: Mapping[str, Mapping], own: _Own) -> None:
    """Actors named (or no longer named) anywhere in the statement, or named
    on a topic for the first time ("Russia" in a DPRK sentence).

    Passage-level actor flags only see linked passages; an actor appearing in
    an added passage, or attributed a new behaviour in another paragraph, is
    caught here. ``reported`` holds ``(actor, side, paragraph, sentence)``
    already flagged by the passage-level rule, which are not repeated.
    Actors of one sentence make one flag ("DPRK, Russia named on…").
    """
    # Actors some topic is about (China, the DPRK, Russia, Iran…) are watched:
    # their appearance on a new topic is news; the Philippines or the UN on a
    # new topic is not, and they are flagged only when new to the statement.
    watched = {a for t in b.config.topics for a in _defining(b.config, t.id)}
    # The statement's own authors are named on every topic ("Japan, the ROK
    # and the United States condemn…"): their presence is no news, and they
    # are never flagged here (the parties line, or named in 30% of paragraphs).
    authors = set(own.parties)
    for side in (old, new):
        n_paras = max(1, len(side.doc.paragraphs))
        for actor, ms in mentions[side.name].items():
            if len({m[0] for m in ms}) >= 0.3 * n_paras and n_paras >= 4:
                authors.add(actor)
    pairs = {side: {(a, t) for a, ms in mentions[side].items() for pi, si, _, _ in ms
                    for t in term_topics[side].get((pi, si), ())}
             for side in ("old", "new")}
    for side_name, other_name in (("new", "old"), ("old", "new")):
        if b.blind(side_name):
            continue  # "named for the first time" / "no longer named" against an excerpt: an artefact
        side = new if side_name == "new" else old
        added = side_name == "new"
        groups: dict[tuple, list] = {}
        for actor, ms in sorted(mentions[side_name].items()):
            if actor in own.parties:
                continue
            if actor not in mentions[other_name]:
                todo = [(max(ms, key=lambda m: m[3] - m[2]), None)]
            elif actor in authors or actor not in watched:
                todo = []
            else:
                # One entry per sentence, naming the topics the actor is new on.
                todo = []
                done_topics: set[str] = set()
                for m in ms:
                    fresh = [t for t in sorted(term_topics[side_name].get((m[0], m[1]), ()))
                             if (actor, t) not in pairs[other_name] and t not in done_topics
                             and actor not in _defining(b.config, t)]
                    if fresh:
                        done_topics |= set(fresh)
                        todo.append((m, fresh))
            for (pi, si, s, e), topic in todo:
                if (actor, side_name, pi, si) in reported:
                    continue
                reported.add((actor, side_name, pi, si))
                groups.setdefault((pi, si), []).append((actor, s, e, topic))
        for (pi, si), entries in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or -1)):
            names = [a for a, _, _, _ in entries]
            # Quote around the fullest naming; the snippet takes in its novel run.
            _, s, e, _ = max(entries, key=lambda x: x[2] - x[1])
            quote = side.snippet(s, e, [pi])
            topics = side.topics_of(pi, si)
            whole = [a for a, _, _, t in entries if t is None]
            on = sorted({t for _, _, _, ts in entries if ts for t in ts})
            parts = []
            if whole:
                parts.append("for the first time in the statement" if added else "anywhere in the statement")
            if on:
                names_on = "; ".join(b.config.topic_name(t) for t in on)
                parts.append(f"on {names_on} for the first time" if added else f"on {names_on} any more")
            size = 1.3 if any(a in watched for a in whole) else 1.0
            verb = "named" if added else "no longer named"
            key = f"{'+' if added else '-'}{'+'.join(names)}:{','.join(on)}"
            b.add("actor_change", topics, [] if added else [pi], [pi] if added else [],
                  "" if added else quote, quote if added else "", key=key,
                  size=size if added else size * 0.8, changed_share=1.0,
                  explanation=f"{', '.join(names)} {verb} {' and '.join(parts)}: {_quote(quote)}",
                  evidence={"actor": names[0], "actors": names, "change": verb,
                            "scope": on or ["statement"], "words": [side.text[s2:e2] for _, s2, e2, _ in entries]},
                  anchor=(side_name, pi, si))


_NEXT_WORD = re.compile(r"[’']s\b|\s+([a-z]+)")
#: Verbs that make a mention the subject of what follows ("North Korea
#: continues …", "the PRC has …"); other lower-case words ending in -s/-ed
#: count too.
_SUBJECT_VERBS = frozenset("is has was were are have continues continue remains must".split())


def _conduct_of(text: str, end: int) -> bool:
    """Is the actor mention ending at ``end`` a possessor of a behaviour ("the
    PRC's build-up") or the subject of a verb ("Russia has deployed") of what follows?"""
    if text[end - 2:end] in ("’s", "'s"):
        return _behaviour_follows(text, end)
    m = _NEXT_WORD.match(text, end)
    if not m:
        return False
    if m.group(1) is None:
        return True
    w = m.group(1)
    return w in _SUBJECT_VERBS or (len(w) > 3 and (w.endswith("ed") or (w.endswith("s") and not w.endswith("ss"))))


#: Nouns of conduct: what an actor *does* ("the PRC's build-up", "Russia's
#: procurement", "North Korea's exports"). Nouns ending in -ion, -ment, -ance,
#: -ence, -ing, -al ("withdrawal") and -ity ("activity") count too.
_BEHAVIOUR_NOUNS = frozenset("""build-up buildup buildups attack attacks use uses war wars aggression actions
    action behavior behaviour conduct support exports export transfers transfer provocations provocation
    program programs programme programmes launches launch test tests decision decisions threat threats campaign
    invasion strikes strike violations efforts expansion claims coercion pressure assistance involvement
    acquisition abuses abuse seizure capture repression crackdown refusal failure attempts attempt moves
    pursuit purchases sale sales shipments deliveries supply procurement help backing""".split())
_BEHAVIOUR_SUFFIX = ("ion", "ions", "ment", "ments", "ance", "ence", "ing", "al", "ity", "ities")
#: Nouns ending like behaviour that name a status, a place or a possession
#: ("Russia's position as…", "Ukraine's infrastructure", "Taiwan's population").
_STATUS_NOUNS = frozenset("""position positions population nation region territory territorial sovereignty
    legislation constitution jurisdiction delegation administration nationals national people citizens
    capital coastal""".split())
#: Lower-case words a possessive may skip to reach its head noun ("the DPRK's
#: *illicit cyber* activities", "the PRC's *accelerating* build-up").
_HEAD_SKIP = 3


def _behaviour_follows(text: str, end: int) -> bool:
    """Does a behaviour noun head the phrase after a possessive ("Russia's
    *procurement* of …")? A status or title ("Russia's *status* as a
    Permanent Member", "Ukraine's *infrastructure*") attributes no conduct:
    the possessor holds it, it did nothing. The head is the first
    behaviour noun among the next few lower-case words, stopping at a
    capitalised word, a preposition or punctuation."""
    for i, m in enumerate(re.finditer(r"[^\s,;:.()]+|[,;:.()]", text[end:end + 120])):
        w = m.group(0)
        if i > _HEAD_SKIP or not w[0].isalpha() or not w[0].islower() or w in ("of", "to", "in", "as", "with",
                                                                                "for", "on", "and", "by"):
            return False
        if w in _STATUS_NOUNS:
            return False
        if w in _BEHAVIOUR_NOUNS or (len(w) > 5 and w.endswith(_BEHAVIOUR_SUFFIX)):
            return True
    return False


def _ordinary_words(text: str) -> int:
    """Content words of ``text`` written in lower case (or figures): what a
    run says *happened*. Capitalised words are names ("Russia's status as a
    Permanent Member of the UN Security Council" names things, it describes
    no conduct)."""
    return sum(1 for a, _, k in _units(text) if _is_content(k) and not text[a].isupper())


def _rule_conduct(old: _Side, new: _Side, links: Sequence[Link], mentions: Mapping[str, Mapping],
                  b: _Builder, own: _Own) -> None:
    """A watched actor, named in both statements, attributed conduct the old statement never described.

    "China" in both statements raises no actor flag, yet "the PRC's
    accelerating build-up of its nuclear arsenal" is a behaviour attributed
    to China for the first time. Cheap and explainable: in the changed or
    added passages of the new statement, a mention of a watched actor as a
    possessor ("the PRC's …") or a subject ("Russia has …", "North Korea
    continues …") directly followed by a novel run (words not carried over
    from the old statement, see :meth:`_Side.runs`) of at least four ordinary (lower-case) content
    words. Only actors some topic is about are watched, never the
    statement's own parties (an ally doing something new is the statement's
    ordinary business). One flag per actor, its longest such run, so a
    statement that says much that is new about China does not fill the list.
    """
    watched = {a for t in b.config.topics for a in _defining(b.config, t.id)} - own.parties
    # An actor named in a third of the paragraphs is what the statement is
    # about (Ukraine in a Ukraine statement): everything said of it is "new".
    n_paras = max(1, len(new.doc.paragraphs))
    watched = {a for a in watched
               if n_paras < 4 or len({m[0] for m in mentions["new"].get(a, ())}) < 0.3 * n_paras}
    paras = {i for link in links if link.type not in CARRIED for i in link.new}
    starts: dict[tuple[int, int | None], list[tuple[int, int, int]]] = {}
    best: dict[str, tuple[int, int, int | None, int, int]] = {}
    for actor, ms in sorted(mentions["new"].items()):
        if actor not in watched or actor not in mentions["old"]:
            continue
        for pi, si, s, e in ms:
            if pi not in paras or not _conduct_of(new.text, e):
                continue
            if (pi, si) not in starts:
                starts[(pi, si)] = [(rs, re_, _ordinary_words(new.text[rs:re_])) for rs, re_ in new.runs(pi, si)]
            for rs, re_, novel in starts[(pi, si)]:
                # The run holds the mention, or begins within a word or two after it.
                if novel >= 4 and (rs <= s < re_ or 0 <= rs - e <= 6 or len(new.text[e:rs].split()) <= 1 <= rs - e):
                    if actor not in best or novel > best[actor][0]:
                        # Quote from the mention on: "the PRC's accelerating build-up …".
                        best[actor] = (novel, pi, si, min(max(rs, s), re_), re_)
                    break
    for actor, (novel, pi, si, rs, re_) in sorted(best.items()):
        quote = new.text[rs:re_]
        topics = new.topics_of(pi, si)
        b.add("actor_change", topics, [], [pi], "", quote, key=f"conduct:{actor}",
              size=1.0 + min(0.2, novel / 40), changed_share=1.0,
              explanation=(f"New conduct attributed to {actor}{b.topic_label(topics)}, "
                           f"not said of it in the old statement: {_quote(quote)}"),
              evidence={"actor": actor, "actors": [actor], "change": "new conduct", "novel_words": novel},
              anchor=("new", pi, si))


def _rule_topics(old: _Side, new: _Side, tags: Sequence[TopicTag], b: _Builder) -> None:
    present: dict[str, dict[str, list[TopicTag]]] = {"old": {}, "new": {}}
    for t in tags:
        present[t.side].setdefault(t.topic, []).append(t)
    merged: dict[tuple[str, tuple[int, ...], str], dict] = {}
    for topic in sorted(set(present["new"]) ^ set(present["old"])):
        side_name = "new" if topic in present["new"] else "old"
        if b.blind(side_name):
            continue  # a topic "added" to (or "dropped" from) an excerpt may sit beyond it
        side = new if side_name == "new" else old
        ts = present[side_name][topic]
        t = b.config.topic(topic)
        if t and not t.requires and t.terms and all(x.startswith("@") for x in t.terms):
            continue  # a topic that is one actor ("China named as an actor"): the actor rule says it
        # Meaning-only presence on one sentence is too thin for a statement-level claim.
        if not any("term" in t.method for t in ts) and len({t.paragraph for t in ts}) < 2:
            continue
        ranked = sorted(ts, key=lambda t: (("term" in t.method), t.sentence is not None,
                                           sum(e.startswith("term: ") for e in t.evidence), t.score, -t.paragraph),
                        reverse=True)
        best = ranked[0]
        # Quote up to three sentences that carry the topic, strongest evidence first.
        quotes: list[str] = []
        quoted: list[tuple[str, int, int | None]] = []
        for t in ranked:
            if t.sentence is None or len(quotes) == 3:
                continue
            q = _tag_quote(side, t)
            if q not in quotes:
                quotes.append(q)
                quoted.append((side_name, t.paragraph, t.sentence))
        text = " … ".join(quotes) or _tag_quote(side, best)
        paras = sorted({t.paragraph for t in ts})
        # Topics added (or dropped) on the very same passages and words make
        # one flag: "North Korea's exports and Russia's procurement of …
        # ballistic missiles" adds DPRK–Russia *and* DPRK nuclear, and two
        # flags quoting one sentence would push another shift out of the top.
        g = merged.setdefault((side_name, tuple(paras), text), {"topics": [], "evidence": []})
        # The flags on its quoted sentences (a new name, new wording, an
        # actor named for the first time) say it again: see _merge_repeats.
        g.setdefault("anchor", set()).update(quoted)
        g["topics"].append(topic)
        g["evidence"].extend(best.evidence)
    for (side_name, paras_t, text), g in merged.items():
        paras = list(paras_t)
        added = side_name == "new"
        names = "; ".join(b.config.topic_name(t) for t in g["topics"])
        b.add("topic_added" if added else "topic_dropped", g["topics"], [] if added else paras,
              paras if added else [], "" if added else text, text if added else "", key="",
              size=1 + min(0.5, len(paras) / 10), changed_share=1.0,
              explanation=(f"Topic{'s' if len(g['topics']) > 1 else ''} {'added to' if added else 'dropped from'}"
                           f" the statement: {names} ({len(paras)} passage{'s' if len(paras) != 1 else ''})"),
              evidence={"paragraphs": paras, "tag_evidence": list(dict.fromkeys(g["evidence"]))},
              anchor=g.get("anchor"))


# --------------------------------------------------------------------------- entry point

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


def compute_flags(old_doc: Document, new_doc: Document, links: Sequence[Link],
                  tags: Sequence[TopicTag], config: TopicConfig) -> tuple[Flag, ...]:
    """Every flag of a diff, ranked by score (highest first, ties by id)."""
    tag_index: dict[str, dict[tuple[int, int | None], dict[str, set[str]]]] = {"old": {}, "new": {}}
    for t in tags:
        kind = "term" if "term" in t.method else "meaning"
        tag_index[t.side].setdefault((t.paragraph, t.sentence), {}).setdefault(kind, set()).add(t.topic)
    old_words, old_pairs, old_all = _word_index(old_doc)
    new_words, new_pairs, new_all = _word_index(new_doc)
    old = _Side(old_doc, "old", tag_index["old"], new_words, new_pairs, new_all)
    new = _Side(new_doc, "new", tag_index["new"], old_words, old_pairs, old_all)
    b = _Builder(config, {"old": old_doc.statement.meta.partial, "new": new_doc.statement.meta.partial})
    reported: set[tuple] = set()
    term_topics: dict[str, dict[tuple[int, int | None], set[str]]] = {"old": {}, "new": {}}
    for t in tags:
        if "term" in t.method and t.sentence is not None:
            term_topics[t.side].setdefault((t.paragraph, t.sentence), set()).add(t.topic)

    own = _own(old_doc, new_doc, config)
    b.own = own
    mentions = {"old": _actor_mentions(old, config), "new": _actor_mentions(new, config)}
    everywhere = {k: set(v) for k, v in mentions.items()}
    everywhere["watched"] = {a for t in config.topics for a in _defining(config, t.id)}

    for link in links:
        if link.type in CARRIED:
            continue
        if link.type == "added" or not link.old:
            if link.new:
                _rule_passage(link, new, b)
                spans = [(new.para[i].start, new.para[i].end) for i in link.new]
                for name, s, e in _new_names(new.text, spans, old_all, config, set(own.parties)):
                    pi, si, _, _, _ = new.sentence_at(s, link.new)
                    if new.para[pi].text.strip(" .:") == name:
                        continue  # a heading ("Middle East"): the topic rules say what follows it
                    quote = new.snippet(s, e, link.new)
                    # A person or place opening a new passage ("we pay tribute
                    # to … Alexei Navalny", before the sentences that name
                    # human rights) is on the passage's topics, as its passage
                    # flag is. Names of ordinary words ("Arms Regulations")
                    # would carry a topic's terms if they were on it.
                    size, kind = _name_size(name, own)
                    topics = new.topics_of(pi, si) or (new.topics_of(pi, None) if kind == "proper name" else set())
                    b.add("actor_change", topics, [], [pi], "", quote, key=f"+name:{_norm(name)}",
                          size=size, changed_share=1.0,
                          explanation=f"New name{b.topic_label(topics)}, not in the old statement: {_quote(name)}",
                          evidence={"actor": name, "change": "new name", "name_kind": kind}, link=link,
                          anchor=("new", pi, si))
            continue
        if link.type == "dropped" or not link.new:
            _rule_passage(link, old, b)
            continue
        view = _link_view(link, old, new)
        if not view.new_changed and not view.old_changed:
            continue  # only equal/cosmetic opcodes: nothing changed in wording
        _rule_intensity(view, b)
        _rule_actors(view, b, old_all, reported, everywhere, own)
        _rule_cues(view, b)
        _rule_numbers(view, b)
        _rule_new_wording(view, b)
    _rule_statement_actors(old, new, term_topics, b, reported, mentions, own)
    _rule_conduct(old, new, links, mentions, b, own)
    covered = {t for f in b.flags.values() if f.rule == "intensity_shift" for t in f.topics}
    _rule_topic_intensity(old, new, _substantive_term_topics(tags, config), b, covered)
    _rule_topics(old, new, tags, b)
    flags = _demote_partial(b, links, b.flags.values())
    return tuple(sorted(_merge_repeats(_diminish(flags), b.anchors), key=lambda f: (-f.score, f.id)))


#: Score factor of a flag that may be an artefact of a partial statement (an
#: added passage compared with an excerpt may be carried over from beyond it).
PARTIAL_DEMOTION = 0.4


def _partial_reason(b: _Builder, side_name: str) -> str:
    other = "old" if side_name == "new" else "new"
    return (f"the {other} statement is partial (only its opening): what is absent from it "
            f"may be carried over from beyond the excerpt")


def _demote_partial(b: _Builder, links: Sequence[Link], flags: Iterable[Flag]) -> list[Flag]:
    """Demote (never drop) the flags a partial statement may have caused.

    Old partial: every flag of an added passage (``passage_added``, its
    figures and new names), new names and new conduct "not in the old
    statement" anywhere. New partial: every flag of a dropped passage. The score is
    multiplied by ``PARTIAL_DEMOTION`` and ``evidence["partial"]`` says why.
    Statement-level rules on the partial side (topic added/dropped, actor
    named for the first time / no longer named, strongest language across
    the statement) are suppressed where they run (see :meth:`_Builder.blind`).
    """
    if not (b.partial["old"] or b.partial["new"]):
        return list(flags)
    suspect: dict[str, str] = {}
    for link in links:
        if b.partial["old"] and link.new and not link.old:
            suspect[link.id] = "new"
        elif b.partial["new"] and link.old and not link.new:
            suspect[link.id] = "old"
    out = []
    for f in flags:
        side = suspect.get(f.link_id)
        if (side is None and b.partial["old"] and f.rule == "actor_change"
                and f.evidence.get("change") in ("new conduct", "new name")):
            side = "new"  # "not in the old statement" cannot be known of an excerpt
        if side is None:
            out.append(f)
            continue
        ev = dict(f.evidence)
        ev["partial"] = _partial_reason(b, side)
        ev["score"] = {**ev.get("score", {}), "partial_demotion": PARTIAL_DEMOTION}
        out.append(replace(f, score=round(f.score * PARTIAL_DEMOTION, 4), evidence=ev))
    return out


#: Rules whose flags on one sentence say one thing: a topic added on one
#: passage, the passage, a name new in it and its new wording. Intensity,
#: negation, modality and number flags are distinct shifts and never merge.
_REPEAT_RULES = frozenset({"actor_change", "new_wording", "topic_added", "topic_dropped",
                           "passage_added", "passage_dropped"})
#: Rules that say something of a whole passage or topic: merged into a
#: flag quoting the specific words ("North Korea-Russia" named) when both
#: rest on one sentence.
_AGGREGATE_RULES = frozenset({"topic_added", "topic_dropped", "passage_added", "passage_dropped"})
#: Score factor of a repeat (kept in the list, below its primary's evidence).
REPEAT_DEMOTION = 0.5
#: A flag naming the specific words is the primary of its repeats when it
#: scores at least this share of the group's best: "North Korea-Russia"
#: named (1.30) over the topic added on its sentence (1.32), but not a
#: stray capitalised word ("UNSCRs", 0.6) over it.
REPEAT_SPECIFIC_SHARE = 0.8


def _merge_repeats(flags: Iterable[Flag], anchors: Mapping[str, set[tuple]]) -> list[Flag]:
    """One flag per sentence among topic, passage, actor and new-wording flags.

    A topic added on one passage, the passage itself, a name new in it and
    its new wording often quote one sentence ("North Korea-Russia military
    cooperation"): each is true, but four flags for one sentence push other
    shifts out of the top. Flags sharing a quoted sentence (``anchors``; a
    topic flag rests on each sentence it quotes) form a group. Its *primary*,
    among the flags scoring at least ``REPEAT_SPECIFIC_SHARE`` of the
    group's best: a topic added or dropped quoting several sentences (it
    says more than any one of them: "The Middle East" over "Israel named");
    else the flag naming the specific words (an actor, new wording); else
    the best. The primary takes the group's
    highest score, lists the others in ``evidence["also"]`` and names the
    statement-level ones (topic added, actor named) in its explanation. The
    others stay in the list, scored ``× REPEAT_DEMOTION`` with
    ``evidence["repeat_of"]``, so their ids (and review decisions) survive.
    """
    flags = list(flags)
    members = [f for f in flags if f.rule in _REPEAT_RULES and anchors.get(f.id)]
    parent = {f.id: f.id for f in members}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    first: dict[tuple, str] = {}
    for f in members:
        for a in anchors[f.id]:
            if a in first:
                parent[root(f.id)] = root(first[a])
            else:
                first[a] = f.id
    groups: dict[str, list[Flag]] = {}
    for f in members:
        groups.setdefault(root(f.id), []).append(f)
    changed: dict[str, Flag] = {}
    for group in groups.values():
        if len(group) < 2:
            continue
        best = min(group, key=lambda f: (-f.score, f.id))
        top = best.score
        contenders = [f for f in group if f.score >= REPEAT_SPECIFIC_SHARE * top]
        wide = [f for f in contenders if f.rule in ("topic_added", "topic_dropped") and len(anchors[f.id]) > 1]
        specific = [f for f in contenders if f.rule not in _AGGREGATE_RULES]
        primary = min(wide or specific or [best], key=lambda f: (-f.score, f.id))
        others = sorted((f for f in group if f is not primary), key=lambda f: (-f.score, f.id))
        ev = dict(primary.evidence)
        ev["also"] = [{"id": f.id, "rule": f.rule, "explanation": f.explanation} for f in others]
        if top > primary.score:
            ev["score"] = {**ev.get("score", {}), "taken_from_repeat": top}
        facts = [_fact(f) for f in others if f.rule in ("topic_added", "topic_dropped")
                 or (f.rule == "actor_change" and f.evidence.get("change") in ("named", "no longer named"))]
        explanation = primary.explanation + (" — also: " + "; ".join(dict.fromkeys(facts)) if facts else "")
        changed[primary.id] = replace(primary, score=top, explanation=explanation, evidence=ev,
                                      # A topic flag's topics are its claim ("DPRK–Russia added"),
                                      # with those of topics added alongside; a name or new
                                      # wording takes in the topics of all its repeats.
                                      topics=tuple(sorted(set(primary.topics) | {
                                          t for f in others if f.rule == primary.rule for t in f.topics}))
                                      if primary.rule in _AGGREGATE_RULES
                                      else tuple(sorted({t for f in group for t in f.topics})))
        for f in others:
            ev = dict(f.evidence)
            ev["repeat_of"] = primary.id
            ev["score"] = {**ev.get("score", {}), "repeat_demotion": REPEAT_DEMOTION}
            changed[f.id] = replace(f, score=round(f.score * REPEAT_DEMOTION, 4), evidence=ev)
    return [changed.get(f.id, f) for f in flags]


def _fact(flag: Flag) -> str:
    """A repeat's claim without its quote ("Israel named for the first time in the statement")."""
    head, sep, quote = flag.explanation.partition(": '")
    return head if sep and len(quote) > 40 else flag.explanation


#: Each further flag of one link keeps this share of the score of the one
#: before it (the link's 2nd flag × 0.8, 3rd × 0.64, …).
LINK_DECAY = 0.8

def _diminish(flags: Iterable[Flag]) -> list[Flag]:
    """Diminishing returns within a link: a heavily rewritten passage raises
    many flags (new wording per sentence, names, cues), and without this they
    would all outrank the single flag of another passage. A link's flags are
    ranked by score and the k-th (from 0) is multiplied by ``LINK_DECAY ** k``; the factor is kept in
    ``evidence["score"]["link_penalty"]``. Statement-level flags (no link, or
    a watched actor new to / gone from the whole statement,
    ``evidence["scope"] == "statement"``) and negation flags are not
    penalised: a negation added or dropped reverses a commitment ("dialogue
    with no preconditions"), however much else the passage rewrote, and a
    link raises at most two of them (a cue change and a polarity swap)."""
    by_link: dict[str, list[Flag]] = {}
    out: list[Flag] = []
    for f in flags:
        exempt = f.rule == "negation" and "unpaired" not in f.evidence
        if f.link_id and f.evidence.get("scope") != "statement" and not exempt:
            by_link.setdefault(f.link_id, []).append(f)
        else:
            out.append(f)
    for group in by_link.values():
        for k, f in enumerate(sorted(group, key=lambda f: (-f.score, f.id))):
            if k == 0:
                out.append(f)
                continue
            factor = LINK_DECAY ** k
            ev = dict(f.evidence)
            ev["score"] = {**ev.get("score", {}), "link_penalty": round(factor, 4), "link_rank": k + 1}
            out.append(replace(f, score=round(f.score * factor, 4), evidence=ev))
    return out
