"""Scoring and ranking of flags: the builder that scores each flag as it is
raised (see the formula in :mod:`driftlab.flags`), then partial-statement
demotion, merging of repeats on one sentence and the per-link decay.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable, Mapping, Sequence

from ..topics import TopicConfig
from ..types import Flag, Link, content_id
from .sentences import _Own, _norm

class _Builder:
    def __init__(self, config: TopicConfig, partial: Mapping[str, bool], own: _Own):
        self.config = config
        self.flags: dict[str, Flag] = {}
        #: side → is that statement only an excerpt (``Meta.partial``)?
        self.partial = dict(partial)
        #: The statements' own parties and leaders.
        self.own = own
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
        # Every rule has a weight: the config starts from 1.0 for each of RULES.
        rule_weight = self.config.rule_weights[rule]
        topic_weight = max((self.config.topic_weight(t) for t in topics), default=self.config.untagged_weight)
        size = min(2.5, max(0.5, size))
        share = changed_share  # a share of characters: in [0, 1] by construction
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
            # Every passage either one was reached from, the other's own
            # also_at included: when a third passage outscores the first
            # two, the first must not drop out of the record.
            here = {"old": list(keep.old), "new": list(keep.new)}
            also = []
            for at in [*keep.evidence.get("also_at", []), {"old": list(other.old), "new": list(other.new)},
                       *other.evidence.get("also_at", [])]:
                if at != here and at not in also:
                    also.append(at)
            if also:
                ev["also_at"] = sorted(also, key=lambda at: (at["old"], at["new"]))
            flag = replace(keep, topics=tuple(sorted(set(keep.topics) | set(other.topics))), evidence=ev)
        self.flags[fid] = flag
        if anchor:
            single = isinstance(anchor, tuple) and isinstance(anchor[0], str)
            self.anchors.setdefault(fid, {anchor} if single else set(anchor))

    def topic_label(self, topics: Iterable[str]) -> str:
        names = [self.config.topic_name(t) for t in sorted(set(topics))]
        return " on " + "; ".join(names) if names else ""


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
        ev["score"] = {**ev["score"], "partial_demotion": PARTIAL_DEMOTION}
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
            ev["score"] = {**ev["score"], "taken_from_repeat": top}
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
            ev["score"] = {**ev["score"], "repeat_demotion": REPEAT_DEMOTION}
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
            ev["score"] = {**ev["score"], "link_penalty": round(factor, 4), "link_rank": k + 1}
            out.append(replace(f, score=round(f.score * factor, 4), evidence=ev))
    return out
