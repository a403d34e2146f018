"""``new_wording``: changed words of an edited passage holding content words
or content-word pairs found nowhere in the old statement.
"""

from __future__ import annotations


from ..topics import term_hits
from .numbers import _DATE_RE, _FIGURE, _YEAR
from .sentences import _LinkView, _NAME, _metadata, _content, _fold_words, _formula, _norm, _overlaps, _quote
from .ranking import _Builder

def _rule_new_wording(view: _LinkView, b: _Builder) -> None:
    """Novel runs (see :meth:`_Side.runs`) that overlap the changed words, one flag per sentence."""
    changed = [(j1, j2) for j1, j2 in view.new_changed if j2 > j1]
    if not changed:
        return
    # Every sentence touched by a change: one inserted span can cover several.
    for pi, si, ss, se, stext in view.new.sentences(view.link.new):
        if not _overlaps(ss, se, changed):
            continue
        if _metadata(view.new.para[pi].text) or _metadata(stext):
            continue  # a release line, a voter list or a heading: metadata, not wording
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
