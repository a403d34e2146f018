"""``passage_added`` / ``passage_dropped`` and ``topic_added`` /
``topic_dropped``: whole passages and topics present on one side only.
"""

from __future__ import annotations

from typing import Sequence

from ..topics import TopicConfig, tag_cosine, term_hits
from ..types import Link, TopicTag
from .numbers import _FIGURE, _FIGURE_SIZE
from .sentences import _NAME, _metadata, _Side, _content, _fold_words, _norm, _quote
from .ranking import _Builder
from .intensity import _ladder_index

def _run_weight(text: str, config: TopicConfig) -> float:
    """How much a novel run says: topic terms, actors, ladder words and figures
    count most; then full capitalised names; then length.

    Memoised per config: the change summaries weigh every clause of every
    changed passage, many of them more than once."""
    memo = config._compiled.setdefault("run_weight", {})
    weight = memo.get(text)
    if weight is None:
        weight = _weigh_run(text, config)
        if len(memo) < 50_000:  # bounded, as term_hits
            memo[text] = weight
    return weight


def _weigh_run(text: str, config: TopicConfig) -> float:
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
    for pi, si, _, _, stext in side.sentences(paras):
        # Release and date lines, voter lists and headings are metadata.
        if _metadata(side.para[pi].text) or _metadata(stext):
            continue
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
        seen: dict[str, str] = {}
        for f in figures:
            seen.setdefault(_norm(f), f)  # each figure once, as first spelled
        distinct = list(seen.values())
        quote = " … ".join(side.window(s0, e0, unit.start, unit.end, before=4, after=5) for s0, e0 in spans[:3])
        stopics = side.topics_of(pi, si) or topics
        b.add("number_change", stopics, [] if added else [pi], [pi] if added else [],
              "" if added else quote, quote if added else "",
              key=("+" if added else "-") + _norm(" ".join(figures)), size=_FIGURE_SIZE, changed_share=1.0,
              # A figure said twice in the sentence ("eight million — eight
              # million on the brink of famine") is one figure to read.
              explanation=(f"{'New' if added else 'Dropped'} figure{'s' if len(distinct) > 1 else ''}"
                           f"{b.topic_label(stopics)} in a{' new' if added else ' dropped'} passage: "
                           f"{_quote(', '.join(distinct))}"),
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


#: A topic named in one passage only, in sentences whose meaning stays this
#: far from the topic (cosine to its description and examples below it), is
#: named in passing: "We know the possible effects of spreading the war into
#: cyberspace" (0.41) makes no Cyber topic of a speech on the war, nor "Russia
#: turned Syria into ruins" (0.25) a Middle East topic, nor "It is not a
#: dialogue between the so-called great Powers" (0.29) an Institutions topic.
#: Read off the tuning pairs' one-passage topic flags (47, the actor-only
#: topics aside): of the 30 below 0.5 nearly all were passing mentions (a
#: list item, a country in a row of countries, a word of another subject's
#: sentence); two were not: Russia 2022 → 2023's "… commitments it made back
#: in 2009 to providing $100 billion annually to the climate …" (0.38) and
#: Korea 2023's digital-rules proposal ("fair access to artificial
#: intelligence (AI) and digital technologies", 0.43), both still said as
#: passages dropped. Topics a passage is about sat at 0.50–0.86 ("… the
#: deteriorating situation in the Middle East" 0.73, "Deepening military
#: cooperation between the DPRK and Russia …" 0.78); the sentence meaning
#: threshold is 0.64.
PASSING_TOPIC_COSINE = 0.5


def _in_passing(ts: Sequence[TopicTag]) -> bool:
    """Is a topic, present on one side only through the tags ``ts``, only
    named in passing there: in one passage, by sentences none of which means
    the topic (``PASSING_TOPIC_COSINE``)? Without vectors nothing is known
    to be in passing."""
    if len({t.paragraph for t in ts}) > 1:
        return False
    cosines = [tag_cosine(t) for t in ts if t.sentence is not None]
    return bool(cosines) and None not in cosines and max(cosines) < PASSING_TOPIC_COSINE


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
        if _in_passing(ts):
            continue  # a topic named in passing is no topic of the statement
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
