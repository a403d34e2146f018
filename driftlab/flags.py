"""Flagged shifts: the few changes that matter, each a named rule with evidence.

Rules (names are part of the JSON contract):

``intensity_shift``  the strongest rung of a language ladder (concern → grave
                     concern) differs between paired sentences of a link.
``actor_change``     a configured actor named in a passage where it was not
                     (or no longer named); a capitalised name absent from the
                     whole old statement counts as a new actor too.
``modality``         firm / hedged / qualifier cues in the changed words.
``negation``         a negation cue in the changed words, or a polarity pair
                     swapped (support ↔ oppose).
``number_change``    numbers, dates, ordinals, amounts in the changed words.
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

    score = rule_weight × size × topic_weight × (0.5 + 0.5 × changed_share)

* ``rule_weight``: per rule, from the config (an intensity shift matters more
  than a changed date);
* ``size``: the size of the shift — ``1 + 0.5 × (rungs − 1)`` for intensity,
  grows with the number of new content words for new wording and passages,
  1 otherwise; clipped to [0.5, 2.5];
* ``topic_weight``: the highest watch weight among the flag's topics, or the
  config's ``untagged_weight`` for passages on no topic, so a statement
  outside the default topics still ranks by kind and size of change;
* ``changed_share``: the share of the passage's characters in changed
  opcodes (1 for whole added/dropped passages and statement-level topics).

Ids are ``content_id("flag", rule, topics, key, fold(old_text),
fold(new_text))``: the words, never paragraph indices, so an id survives a
re-segmentation and re-runs.

Cost: per edited link a handful of regex scans over its paragraphs (all
compiled once per config); the G7 communiqué pair (~400 paragraphs each)
flags in well under half a second.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Mapping, Sequence

from .normalize import fold
from .topics import PhraseMatcher, TopicConfig, term_hits
from .types import Document, Flag, Link, TopicTag, content_id

CARRIED = ("unchanged", "moved")
CHANGED_TAGS = ("replace", "delete", "insert")

_WORD = re.compile(r"[A-Za-z][\w'’\-]*|\d[\d,.]*")
_NUMBER = re.compile(
    r"(?<!\w)(?:[$€£¥]\s?)?\d[\d,]*(?:\.\d+)?(?:\s?(?:%|percent|per cent))?"
    r"(?:\s(?:million|billion|trillion|thousand|hundred))?(?!\w)"
    r"|(?<!\w)(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|fifty|"
    r"hundred|thousand|million|billion|trillion|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|"
    r"tenth|half|twice|double|triple|dozens?|January|February|March|April|May|June|July|August|September|"
    r"October|November|December)(?!\w)",
    re.IGNORECASE,
)
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

def _content(words: Iterable[str]) -> list[str]:
    return [w for w in words if len(w) > 2 and w not in STOP and not w[0].isdigit()]


_POSSESSIVE = re.compile(r"['’]s?$")


@lru_cache(maxsize=65536)
def _fold_words(text: str) -> tuple[str, ...]:
    """Cosmetic-insensitive words of ``text``; possessives dropped ("Beijing's" = "Beijing").

    Cached: the same sentences are folded by several rules.
    """
    return tuple(_POSSESSIVE.sub("", w).strip("'’-") for w in _WORD.findall(fold(text)))


def _overlaps(a: int, b: int, spans: Sequence[tuple[int, int]]) -> bool:
    for s, e in spans:
        if s < b and a < e:
            return True
        if s == e and a <= s < b:  # a zero-width insertion point inside the match
            return True
    return False


@dataclass
class _Side:
    """One statement's text, sentence lookup and tags."""

    doc: Document
    name: str
    tags: Mapping[tuple[int, int | None], set[str]]

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

    def topics_of(self, pi: int, si: int | None) -> set[str]:
        got = self.tags.get((pi, si), set())
        if not got and si is not None:
            got = self.tags.get((pi, None), set())
        return got


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
    def __init__(self, config: TopicConfig):
        self.config = config
        self.flags: dict[str, Flag] = {}

    def add(self, rule: str, topics: Iterable[str], old: Iterable[int], new: Iterable[int],
            old_text: str, new_text: str, key: str, size: float, changed_share: float,
            explanation: str, evidence: dict, link: Link | None = None) -> None:
        topics = tuple(sorted(set(topics)))
        rule_weight = self.config.rule_weights.get(rule, 1.0)
        topic_weight = max((self.config.topic_weight(t) for t in topics), default=self.config.untagged_weight)
        size = min(2.5, max(0.5, size))
        share = min(1.0, max(0.0, changed_share))
        score = round(rule_weight * size * topic_weight * (0.5 + 0.5 * share), 4)
        evidence = dict(evidence)
        evidence["score"] = {
            "formula": "rule_weight × size × topic_weight × (0.5 + 0.5 × changed_share)",
            "rule_weight": rule_weight,
            "size": round(size, 3),
            "topic_weight": topic_weight,
            "changed_share": round(share, 3),
        }
        fid = content_id("flag", rule, ",".join(topics), key, _norm(old_text), _norm(new_text))
        flag = Flag(
            id=fid, rule=rule, topics=topics, old=tuple(sorted(set(old))), new=tuple(sorted(set(new))),
            old_text=old_text, new_text=new_text, score=score, explanation=explanation,
            evidence=evidence, link_id=link.id if link else "",
        )
        prev = self.flags.get(fid)
        if prev is None or prev.score < flag.score:
            self.flags[fid] = flag

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

    def old_span(self) -> tuple[int, int]:
        ps = [self.old.para[i] for i in self.link.old]
        return min(p.start for p in ps), max(p.end for p in ps)

    def new_span(self) -> tuple[int, int]:
        ps = [self.new.para[i] for i in self.link.new]
        return min(p.start for p in ps), max(p.end for p in ps)

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
        for s, e, p in ms:
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


def _pair_for(view: _LinkView, side: str, pos: int):
    """The sentence at ``pos`` on ``side`` and its best counterpart: (old tuple, new tuple)."""
    if side == "new":
        pi, si, _, _, text = view.new.sentence_at(pos, view.link.new)
        opi, osi, otext, _ = _best_pair(view.new, pi, si, text, view.old, view.link.old)
        return (opi, osi, otext), (pi, si, text)
    pi, si, _, _, text = view.old.sentence_at(pos, view.link.old)
    npi, nsi, ntext, _ = _best_pair(view.old, pi, si, text, view.new, view.link.new)
    return (pi, si, text), (npi, nsi, ntext)


def _topics_for(view: _LinkView, o, n) -> set[str]:
    return view.old.topics_of(o[0], o[1]) | view.new.topics_of(n[0], n[1])


def _rule_intensity(view: _LinkView, b: _Builder) -> None:
    for ladder, matcher, rung_of in b.config.ladder_matchers():
        old_texts, new_texts = view.texts()
        new_hits = _matches(matcher, new_texts)
        old_hits = _matches(matcher, old_texts)
        if not new_hits or not old_hits:
            continue
        # Strongest rung per sentence on each side.
        def per_sentence(side: _Side, hits, paras):
            best: dict[tuple, tuple[int, str]] = {}
            for s, e, p in hits:
                pi, si, _, _, _ = side.sentence_at(s, paras)
                r = rung_of[p]
                if (pi, si) not in best or r > best[(pi, si)][0]:
                    best[(pi, si)] = (r, side.text[s:e])
            return best
        old_best = per_sentence(view.old, old_hits, view.link.old)
        new_best = per_sentence(view.new, new_hits, view.link.new)
        for (pi, si), (rung, words) in sorted(new_best.items(), key=lambda kv: (kv[0][0], kv[0][1] or -1)):
            text = view.new.sent[(pi, si)].text if si is not None else view.new.para[pi].text
            # Compare with the most similar old sentence that used this ladder.
            mine = view.new.content_set(pi, si, text)
            cand = None
            for (opi, osi), (orung, owords) in old_best.items():
                otext = view.old.sent[(opi, osi)].text if osi is not None else view.old.para[opi].text
                theirs = view.old.content_set(opi, osi, otext)
                union = mine | theirs
                sim = len(mine & theirs) / len(union) if union else 0.0
                if cand is None or sim > cand[0]:
                    cand = (sim, opi, osi, otext, orung, owords)
            # A pair must be about the same thing: one shared fifth of content
            # words, unless each side has a single use of the ladder.
            if cand is None or (cand[0] < 0.2 and not (len(old_best) == 1 and len(new_best) == 1)):
                continue
            sim, opi, osi, otext, orung, owords = cand
            if orung == rung:
                continue
            delta = rung - orung
            topics = view.old.topics_of(opi, osi) | view.new.topics_of(pi, si)
            direction = "up" if delta > 0 else "down"
            n = abs(delta)
            b.add(
                "intensity_shift", topics, [opi], [pi], otext, text,
                key=f"{ladder.id}:{_norm(owords)}>{_norm(words)}",
                size=1 + 0.5 * (n - 1), changed_share=view.share,
                explanation=(f"Intensity {direction} {n} rung{'s' if n > 1 else ''}{b.topic_label(topics)}"
                             f" ({ladder.name}): {_quote(owords)} → {_quote(words)}"),
                evidence={"ladder": ladder.id, "old_rung": orung, "new_rung": rung, "delta": delta,
                          "old_words": owords, "new_words": words, "sentence_similarity": round(sim, 3)},
                link=view.link,
            )


def _rule_actors(view: _LinkView, b: _Builder, old_all_words: str) -> None:
    old_lo, old_hi = view.old_span()
    new_lo, new_hi = view.new_span()
    old_hits = term_hits(view.old.text[old_lo:old_hi], b.config, offset=old_lo).actors
    new_hits = term_hits(view.new.text[new_lo:new_hi], b.config, offset=new_lo).actors
    for actor in sorted(set(new_hits) - set(old_hits)):
        s, e = new_hits[actor][0]
        o, n = _pair_for(view, "new", s)
        topics = _topics_for(view, o, n)
        b.add("actor_change", topics, [o[0]], [n[0]], o[2], n[2], key=f"+{actor}", size=1.0,
              changed_share=view.share,
              explanation=f"{actor} named where it was not{b.topic_label(topics)}: {_quote(view.new.text[s:e])}",
              evidence={"actor": actor, "change": "named", "words": view.new.text[s:e]}, link=view.link)
    for actor in sorted(set(old_hits) - set(new_hits)):
        s, e = old_hits[actor][0]
        o, n = _pair_for(view, "old", s)
        topics = _topics_for(view, o, n)
        b.add("actor_change", topics, [o[0]], [n[0]], o[2], n[2], key=f"-{actor}", size=1.0,
              changed_share=view.share,
              explanation=f"{actor} no longer named{b.topic_label(topics)}: {_quote(view.old.text[s:e])} dropped",
              evidence={"actor": actor, "change": "no longer named", "words": view.old.text[s:e]},
              link=view.link)
    # Generic names (any text): a capitalised name in the inserted words that
    # the whole old statement never used. Sentence-initial single words are
    # skipped: "Together" or "Today" opening a sentence is not a name.
    known = {a for hits in (old_hits, new_hits) for a in hits}
    seen: set[str] = set()
    for j1, j2 in view.new_changed:
        if j1 == j2:
            continue
        lo = view.new.text.rfind(" ", 0, j1) + 1
        for m in _NAME.finditer(view.new.text, lo, j2):
            name = m.group(0).strip()
            words = name.split()
            if len(words) == 1 and (_sentence_initial(view.new.text, m.start()) or len(name) < 3):
                continue
            key = _norm(name)
            if not key or key in seen or f" {key} " in old_all_words or _NUMBER.fullmatch(name):
                continue
            if term_hits(name, b.config).actors.keys() & known:
                continue
            seen.add(key)
            o, n = _pair_for(view, "new", m.start())
            topics = _topics_for(view, o, n)
            b.add("actor_change", topics, [o[0]], [n[0]], o[2], n[2], key=f"+name:{key}", size=0.7,
                  changed_share=view.share,
                  explanation=f"New name{b.topic_label(topics)}, not in the old statement: {_quote(name)}",
                  evidence={"actor": name, "change": "new name"}, link=view.link)


def _sentence_initial(text: str, pos: int) -> bool:
    before = text[:pos].rstrip()
    return not before or before[-1] in ".!?:;\n\"“(" or before.endswith("—")


def _rule_cues(view: _LinkView, b: _Builder) -> None:
    # Modality and hedging.
    matcher, label = b.config.cue_matcher("modality")
    gained, lost = _cue_changes(view, matcher, label)
    if gained or lost:
        firm = sum(1 for c, _, _ in gained if c == "firm") + sum(1 for c, _, _ in lost if c == "hedged")
        soft = sum(1 for c, _, _ in gained if c == "hedged") + sum(1 for c, _, _ in lost if c == "firm")
        direction = "firmer" if firm > soft else "softer" if soft > firm else "qualifiers changed"
        pos_side, pos = ("new", gained[0][1]) if gained else ("old", lost[0][1])
        o, n = _pair_for(view, pos_side, pos)
        topics = _topics_for(view, o, n)
        lost_w = ", ".join(sorted({w for _, _, w in lost})) or "—"
        gained_w = ", ".join(sorted({w for _, _, w in gained})) or "—"
        b.add("modality", topics, [o[0]], [n[0]], o[2], n[2], key=f"{_norm(lost_w)}>{_norm(gained_w)}",
              size=1.0 if direction != "qualifiers changed" else 0.7, changed_share=view.share,
              explanation=f"Modality {direction}{b.topic_label(topics)}: {_quote(lost_w)} → {_quote(gained_w)}",
              evidence={"direction": direction, "added": sorted({w for _, _, w in gained}),
                        "removed": sorted({w for _, _, w in lost})}, link=view.link)

    # Negation cues.
    matcher, label = b.config.cue_matcher("negation")
    gained, lost = _cue_changes(view, matcher, label)
    if gained or lost:
        pos_side, pos = ("new", gained[0][1]) if gained else ("old", lost[0][1])
        o, n = _pair_for(view, pos_side, pos)
        topics = _topics_for(view, o, n)
        what = "added" if gained and not lost else "removed" if lost and not gained else "changed"
        words = sorted({w for _, _, w in gained} | {w for _, _, w in lost})
        b.add("negation", topics, [o[0]], [n[0]], o[2], n[2], key="neg:" + _norm(" ".join(words)),
              size=1.0, changed_share=view.share,
              explanation=f"Negation {what}{b.topic_label(topics)}: {_quote(', '.join(words))}",
              evidence={"added": sorted({w for _, _, w in gained}), "removed": sorted({w for _, _, w in lost})},
              link=view.link)

    # Polarity reversal: one side of a pair lost, the other gained.
    matcher, label = b.config.cue_matcher("polarity")
    gained, lost = _cue_changes(view, matcher, label)
    for lab, pos, words in gained:
        pair, sign = lab.split(":")
        opposite = [(w, p) for lab2, p, w in lost if lab2.split(":")[0] == pair and lab2.split(":")[1] != sign]
        if not opposite:
            continue
        o, n = _pair_for(view, "new", pos)
        topics = _topics_for(view, o, n)
        b.add("negation", topics, [o[0]], [n[0]], o[2], n[2], key=f"pol:{_norm(opposite[0][0])}>{_norm(words)}",
              size=1.5, changed_share=view.share,
              explanation=f"Polarity reversed{b.topic_label(topics)}: {_quote(opposite[0][0])} → {_quote(words)}",
              evidence={"old_words": opposite[0][0], "new_words": words}, link=view.link)


def _rule_numbers(view: _LinkView, b: _Builder) -> None:
    old_texts, new_texts = view.texts()

    def numbers(side: _Side, texts, changed):
        out = []
        for start, text in texts:
            for m in _NUMBER.finditer(text):
                s, e = m.start() + start, m.end() + start
                if _overlaps(s, e, changed):
                    out.append((s, side.text[s:e]))
        return out

    new_nums = numbers(view.new, new_texts, view.new_changed)
    old_nums = numbers(view.old, old_texts, view.old_changed)
    old_keys = sorted(_norm(w) for _, w in old_nums)
    new_keys = sorted(_norm(w) for _, w in new_nums)
    if old_keys == new_keys:
        return
    # One flag per new sentence holding changed numbers (or per old one, if only removed).
    groups: dict[tuple, dict] = {}
    for side, nums in (("new", new_nums), ("old", old_nums)):
        for pos, words in nums:
            o, n = _pair_for(view, side, pos)
            g = groups.setdefault((o[0], o[1], n[0], n[1]), {"o": o, "n": n, "old": [], "new": []})
            g[side].append(words)
    for g in groups.values():
        olds, news = g["old"], g["new"]
        if sorted(map(_norm, olds)) == sorted(map(_norm, news)):
            continue
        o, n = g["o"], g["n"]
        topics = _topics_for(view, o, n)
        b.add("number_change", topics, [o[0]], [n[0]], o[2], n[2],
              key=f"{_norm(' '.join(olds))}>{_norm(' '.join(news))}", size=1.0, changed_share=view.share,
              explanation=(f"Numbers changed{b.topic_label(topics)}: "
                           f"{_quote(', '.join(olds) or '—')} → {_quote(', '.join(news) or '—')}"),
              evidence={"old_numbers": olds, "new_numbers": news}, link=view.link)


def _rule_new_wording(view: _LinkView, b: _Builder, old_words: set[str], old_pairs: set[tuple[str, str]]) -> None:
    by_sentence: dict[tuple, list[str]] = {}
    novel_count: dict[tuple, list[str]] = {}
    replaced: dict[tuple, list[str]] = {}
    for (j1, j2), (i1, i2) in zip(view.new_changed, view.old_changed):
        if j1 == j2:
            continue
        # Widen to whole words: a diff span may start inside a token.
        while j1 > 0 and view.new.text[j1 - 1].isalnum():
            j1 -= 1
        while j2 < len(view.new.text) and view.new.text[j2].isalnum():
            j2 += 1
        segment = view.new.text[j1:j2]
        content = _content(_fold_words(segment))
        novel = [w for w in content if w not in old_words]
        novel += [f"{a} {c}" for a, c in zip(content, content[1:]) if (a, c) not in old_pairs]
        if not novel:
            continue  # every content word and pair was already in the old statement
        pi, si, _, _, _ = view.new.sentence_at(j1, view.link.new)
        key = (pi, si)
        by_sentence.setdefault(key, []).append(" ".join(segment.split()).strip(" ,;:."))
        novel_count.setdefault(key, []).extend(novel)
        if i2 > i1:
            replaced.setdefault(key, []).append(" ".join(view.old.text[i1:i2].split()).strip(" ,;:."))
    for (pi, si), phrases in by_sentence.items():
        topics = view.new.topics_of(pi, si) | {t for i in view.link.old for t in view.old.topics_of(i, None)
                                               if t in view.new.topics_of(pi, None)}
        novel = novel_count[(pi, si)]
        new_text = " … ".join(phrases)
        old_text = " … ".join(replaced.get((pi, si), []))
        b.add("new_wording", topics, view.link.old, [pi], old_text, new_text, key=f"s{_norm(new_text)}",
              size=0.5 + min(1.5, len(novel) / 6), changed_share=view.share,
              explanation=f"New wording{b.topic_label(topics)}, not in the old statement: {_quote(new_text)}",
              evidence={"novel": novel[:20]}, link=view.link)


# --------------------------------------------------------------------------- passages and topics

def _novel_sentences(side: _Side, paras: Sequence[int], other_words: set[str],
                     other_pairs: set[tuple[str, str]]) -> tuple[list[str], int]:
    """Sentences of ``paras`` not carried over from the other statement, and their new-word count.

    A sentence is carried over when at least 60% of its content-word pairs
    occur in the other statement: alignment may leave a passage unlinked even
    though its sentences migrated elsewhere, and those must not read as new.
    """
    keep, novel_total = [], 0
    for pi, si, _, _, text in side.sentences(paras):
        content = _content(_fold_words(text))
        pairs = list(zip(content, content[1:]))
        if not pairs:
            continue
        known = sum(1 for p in pairs if p in other_pairs)
        if known / len(pairs) >= 0.6:
            continue
        keep.append(" ".join(text.split()))
        novel_total += sum(1 for w in content if w not in other_words) + (len(pairs) - known)
    return keep, novel_total


def _rule_passage(link: Link, side: _Side, b: _Builder, other_words, other_pairs) -> None:
    paras = link.new if side.name == "new" else link.old
    kept, novel = _novel_sentences(side, paras, other_words, other_pairs)
    if not kept:
        return
    topics: set[str] = set()
    for pi in paras:
        topics |= side.topics_of(pi, None)
    text = " ".join(kept)
    added = side.name == "new"
    rule = "passage_added" if added else "passage_dropped"
    b.add(rule, topics, [] if added else paras, paras if added else [],
          "" if added else text, text if added else "", key="", size=0.5 + min(2.0, novel / 40),
          changed_share=1.0,
          explanation=(f"{'New' if added else 'Dropped'} passage{b.topic_label(topics)}: {_quote(text)}"),
          evidence={"sentences": len(kept), "new_words" if added else "dropped_words": novel}, link=link)


def _rule_topics(old: _Side, new: _Side, tags: Sequence[TopicTag], b: _Builder) -> None:
    present: dict[str, dict[str, list[TopicTag]]] = {"old": {}, "new": {}}
    for t in tags:
        present[t.side].setdefault(t.topic, []).append(t)
    for topic in sorted(set(present["new"]) ^ set(present["old"])):
        side_name = "new" if topic in present["new"] else "old"
        side = new if side_name == "new" else old
        ts = present[side_name][topic]
        # Meaning-only presence on one sentence is too thin for a statement-level claim.
        if not any("term" in t.method for t in ts) and len({t.paragraph for t in ts}) < 2:
            continue
        best = max(ts, key=lambda t: (("term" in t.method), t.sentence is not None, t.score, -t.paragraph))
        if best.sentence is not None:
            text = side.sent[(best.paragraph, best.sentence)].text
        else:
            text = side.para[best.paragraph].text
        paras = sorted({t.paragraph for t in ts})
        added = side_name == "new"
        name = b.config.topic_name(topic)
        b.add("topic_added" if added else "topic_dropped", [topic], [] if added else paras,
              paras if added else [], "" if added else text, text if added else "", key="",
              size=1 + min(0.5, len(paras) / 10), changed_share=1.0,
              explanation=(f"Topic {'added to' if added else 'dropped from'} the statement: {name} "
                           f"({len(paras)} passage{'s' if len(paras) != 1 else ''})"),
              evidence={"paragraphs": paras, "tag_evidence": list(best.evidence)})


# --------------------------------------------------------------------------- entry point

def _word_index(text: str) -> tuple[set[str], set[tuple[str, str]], str]:
    words = _fold_words(text)
    content = _content(words)
    return set(content), set(zip(content, content[1:])), " " + " ".join(words) + " "


def compute_flags(old_doc: Document, new_doc: Document, links: Sequence[Link],
                  tags: Sequence[TopicTag], config: TopicConfig) -> tuple[Flag, ...]:
    """Every flag of a diff, ranked by score (highest first, ties by id)."""
    tag_index: dict[str, dict[tuple[int, int | None], set[str]]] = {"old": {}, "new": {}}
    for t in tags:
        tag_index[t.side].setdefault((t.paragraph, t.sentence), set()).add(t.topic)
    old = _Side(old_doc, "old", tag_index["old"])
    new = _Side(new_doc, "new", tag_index["new"])
    old_words, old_pairs, old_all = _word_index(old.text)
    new_words, new_pairs, _ = _word_index(new.text)
    b = _Builder(config)

    for link in links:
        if link.type in CARRIED:
            continue
        if link.type == "added" or not link.old:
            if link.new:
                _rule_passage(link, new, b, old_words, old_pairs)
            continue
        if link.type == "dropped" or not link.new:
            _rule_passage(link, old, b, new_words, new_pairs)
            continue
        view = _link_view(link, old, new)
        if not view.new_changed and not view.old_changed:
            continue  # only equal/cosmetic opcodes: nothing changed in wording
        _rule_intensity(view, b)
        _rule_actors(view, b, old_all)
        _rule_cues(view, b)
        _rule_numbers(view, b)
        _rule_new_wording(view, b, old_words, old_pairs)
    _rule_topics(old, new, tags, b)
    return tuple(sorted(b.flags.values(), key=lambda f: (-f.score, f.id)))
