"""``modality`` and ``negation``: hedging and firming cues, negation cues and
polarity reversals in the changed words of a link.
"""

from __future__ import annotations

import re

from ..normalize import content_words
from .numbers import _DATE_RE
from .sentences import _LinkView, _best_pair, _cue_changes, _fold_words, _is_content, _norm, _pair_for, _quote, _topics_for
from .ranking import _Builder

def _rule_cues(view: _LinkView, b: _Builder) -> None:
    # Modality and hedging, one flag per sentence pair: cues gained in one
    # sentence and lost in an unrelated one of a merged passage are no shift
    # ("could … should" in one sentence, "steadfastly" in another).
    matcher, label = b.config.cue_matcher("modality")
    gained, lost = _cue_changes(view, matcher, label)
    # "May" in a date ("May 12, 2024", "in May 2024") is the month: a
    # meeting moved from March to May is no softer wording.
    gained = [h for h in gained if not _in_date(view.new.text, h[1]) and not _passive(view.new.text, h[1], h[2])]
    lost = [h for h in lost if not _in_date(view.old.text, h[1]) and not _passive(view.old.text, h[1], h[2])]
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
        sim = _best_pair(src, hp, hs, htext, dst, other_paras)[2]
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
        if unpaired:
            # No counterpart: nothing was hedged or firmed up, a sentence
            # holding the cue came or went. Saying "firmer" here reverses
            # what happened when a hedged sentence was dropped.
            evidence["direction"] = direction = "added" if side_name == "new" else "dropped"
            explanation = (f"Modality cue {direction} with its sentence{b.topic_label(topics)}: "
                           f"{_quote(gained_w if side_name == 'new' else lost_w)}")
            if side_name == "new":
                o = (o[0], o[1], "")
            else:
                n = (n[0], n[1], "")
        else:
            explanation = f"Modality {direction}{b.topic_label(topics)}: {_quote(lost_w)} → {_quote(gained_w)}"
        b.add("modality", topics, [o[0]], [n[0]], o[2], n[2], key=f"{_norm(lost_w)}>{_norm(gained_w)}",
              size=(1.0 if direction != "qualifiers changed" else 0.7) * (0.5 if unpaired else 1.0),
              changed_share=view.share, explanation=explanation, evidence=evidence, link=view.link)

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
        sim = _best_pair(src, hp, hs, htext, dst, view.link.old if pos_side == "new" else view.link.new)[2]
        # A negation in a sentence with no counterpart (a wholly added or
        # dropped sentence: "a world without nuclear weapons") reverses
        # nothing; it is part of new (or dropped) wording and ranks as such.
        unpaired = sim < NEGATION_PAIR_SIMILARITY
        evidence = {"added": sorted({w for _, _, w in gained}), "removed": sorted({w for _, _, w in lost}),
                    "sentence_similarity": round(sim, 3)}
        if unpaired:
            evidence["unpaired"] = (f"the sentence shares under {NEGATION_PAIR_SIMILARITY:.0%} of its content "
                                    "words with any sentence on the other side: added or dropped, not negated")
        if unpaired:
            # The negation came or went with its whole sentence: say so, and
            # quote no unrelated sentence as its counterpart.
            what = "added with its sentence" if pos_side == "new" else "dropped with its sentence"
            if pos_side == "new":
                o = (o[0], o[1], "")
            else:
                n = (n[0], n[1], "")
        b.add("negation", topics, [o[0]], [n[0]], o[2], n[2], key="neg:" + _norm(" ".join(words)),
              size=UNPAIRED_NEGATION_SIZE if unpaired else 1.0, changed_share=view.share,
              explanation=f"Negation {what}{b.topic_label(topics)}: {_quote(', '.join(words))}",
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


_BE = frozenset("is are was were be been being".split())


def _passive(text: str, pos: int, words: str) -> bool:
    """Is the cue at ``pos`` a passive participle ("resolutions that *are
    intended to* prohibit …", "options *were considered*")? Then it says
    what something is for, not how firmly the statement commits: no hedge."""
    first = words.split()[0].lower() if words.split() else ""
    if not first.endswith("ed"):
        return False
    before = text[max(0, pos - 20):pos].split()
    return bool(before) and before[-1].lower() in _BE


def _in_date(text: str, pos: int) -> bool:
    """Is the word at ``pos`` part of a date (a month next to a day or a year)?"""
    return any(m.start() <= pos < m.end() for m in _DATE_RE.finditer(text, max(0, pos - 12), pos + 24))


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
