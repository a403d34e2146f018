"""``intensity_shift``: a language ladder's strongest rung differs, per
paired sentences of a link and per watched topic across the statement.
"""

from __future__ import annotations

import re
from typing import Iterable, Mapping, Sequence

from ..topics import PhraseMatcher, TopicConfig, term_hits
from ..types import TopicTag
from .sentences import _LinkView, _Side, _around, _is_content, _matches, _norm, _overlaps, _quote, _units
from .ranking import _Builder

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
        # In reading order (the order of the hits); the shifts found are
        # sorted below, so this order decides nothing.
        for (pi, si), (rung, words, ns, ne) in new_best.items():
            text = view.new.sent[(pi, si)].text if si is not None else view.new.para[pi].text
            # Compare with the most similar old sentence that used this ladder.
            mine = view.new.content_set(pi, si, text)
            cand = None
            # With sentence lineage, only the sentence this one came from is compared.
            allowed = (view.new.lineage.get((pi, si), ()) if view.new.lineage is not None
                       and pi in view.new.lineage_paras and si is not None else None)
            for (opi, osi), (orung, owords, os_, oe) in old_best.items():
                if allowed is not None and (opi, osi) not in allowed:
                    continue
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
                # Numbered as the page shows them: ¶1 is the first paragraph.
                where = f"¶{pi + 1}" + (f", sentence {si + 1}" if si is not None else "")
                words.append(f"{side.text[s0:e0]} ({where})")
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
    # The rung's and each term's own words are units, so every search below
    # finds one: first and last unit of the rung, then of each term.
    first = next(i for i, u in enumerate(units) if u[1] > s)
    last = next(i for i in range(len(units) - 1, -1, -1) if units[i][0] < e)
    hits = term_hits(text, config).topics
    near = []
    for t in topics:
        for words in hits.get(t, ()):
            for m in re.finditer(re.escape(words), text):
                ti = next(i for i, u in enumerate(units) if u[1] > m.start())
                tj = next(i for i in range(len(units) - 1, -1, -1) if units[i][0] < m.end())
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
