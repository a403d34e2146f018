"""bench/lineage_quality.py: the stress view (one side's paragraphs joined into a few long ones)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import lineage_quality as lq  # noqa: E402

from driftlab.ingest import parse_text  # noqa: E402
from driftlab.segment import segment  # noqa: E402

PARAS = ["Alpha one. Alpha two.", "Beta one.", "Gamma one. Gamma two.", "Delta one.", "Epsilon one."]


def _doc():
    return segment(parse_text("\n\n".join(PARAS)))


def test_join_units_keeps_every_sentence_and_never_cuts_a_unit():
    doc = _doc()
    units = [[p.start, p.end] for p in doc.paragraphs]
    units[1:3] = [[units[1][0], units[2][1]]]  # "Beta" and "Gamma" are one gold unit
    joined, block_of_unit, spans = lq.join_units(doc, units, 2)
    # Four units, two a block: Alpha+Beta/Gamma, then Delta+Epsilon.
    assert block_of_unit == {0: 0, 1: 0, 2: 1, 3: 1}
    assert [p.text for p in joined.paragraphs] == ["\n\n".join(PARAS[:3]), "\n\n".join(PARAS[3:])]
    assert [s.text for p in joined.paragraphs for s in p.sentences] == [s.text for p in doc.paragraphs for s in p.sentences]
    assert [[s.index for s in p.sentences] for p in joined.paragraphs] == [[0, 1, 2, 3, 4], [0, 1]]
    assert spans == [[p.start, p.end] for p in joined.paragraphs]


def test_block_gold_maps_links_and_drops_a_block_only_when_none_of_it_links():
    g = {"name": "x", "split": "tuning", "units": {"old": [[0, 1]] * 4, "new": [[0, 1]] * 3},
         "links": [{"old": [0], "new": [0], "confidence": "certain"},
                   {"old": [1], "new": [], "confidence": "certain"},   # dropped, but its block links
                   {"old": [2, 3], "new": [1], "confidence": "probable"},
                   {"old": [], "new": [2], "confidence": "certain"}],
         "probable_pairs": [[2, 1]]}
    bg = lq.block_gold(g, "old", {0: 0, 1: 0, 2: 1, 3: 1}, [[0, 5], [6, 9]])
    assert bg["units"]["old"] == [[0, 5], [6, 9]] and bg["units"]["new"] == g["units"]["new"]
    assert [(lk["old"], lk["new"], lk["confidence"]) for lk in bg["links"]] == [
        ([0], [0], "certain"), ([1], [1], "certain"), ([], [2], "certain")]
    certain, every, p_old, p_new, weak = lq.gold_pairs(bg)
    assert certain == every == {(0, 0), (1, 1), (None, 2)} and not (p_old or p_new or weak)
