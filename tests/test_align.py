"""Alignment: every kind of edit on invented text (fast encoder), then the real
model against hand-checked gold alignments of real statement pairs."""

from __future__ import annotations

import json

import pytest

from driftlab.ingest import parse_text
from driftlab.pipeline import align_documents, load_document
from driftlab.segment import segment
from driftlab.settings import Settings

from driftlab.embed import HashingEncoder

from .conftest import GOLD

P = {
    "intro": "The foreign ministers of Freedonia and Sylvania met in Marsport on 3 March to review the alliance. They welcomed the progress made since the summit in Eastbay.",
    "ports": "The ministers agreed to expand joint patrols of the northern shipping lanes. They committed to share radar data on vessels entering the strait in real time.",
    "grain": "They condemned the blockade of grain exports by the Vandal Republic. They called for the immediate reopening of the river ports to commercial traffic.",
    "health": "The ministers launched a programme to train rural nurses in both countries. The first cohort of two hundred nurses will graduate next spring.",
    "youth": "They applauded the exchange scheme for university students and young diplomats. More than five hundred students have taken part since its creation.",
    "close": "The ministers will meet again in Sylvania before the end of the year to take stock of these commitments.",
}
NEW_CONTENT = "The ministers discussed the outlook for the textile industry and agreed that tariff schedules on woollen goods should be published quarterly by customs authorities."


def doc(*paras: str):
    return segment(parse_text("\n\n".join(paras)))


def run(old_paras, new_paras, encoder, **settings):
    old, new = doc(*old_paras), doc(*new_paras)
    return align_documents(old, new, encoder, Settings().updated(settings))


def pairs(links):
    return {(lk.old, lk.new): lk.type for lk in links}


def base():
    return [P[k] for k in ("intro", "ports", "grain", "health", "youth", "close")]


def test_identical_statements_are_all_unchanged(hashing_encoder):
    links = run(base(), base(), hashing_encoder)
    assert [lk.type for lk in links] == ["unchanged"] * 6
    assert [(lk.old, lk.new) for lk in links] == [((i,), (i,)) for i in range(6)]
    assert all(lk.confidence >= 0.99 for lk in links)


def test_cosmetic_differences_stay_unchanged(hashing_encoder):
    new = base()
    new[3] = new[3].replace("programme", "program")
    new[1] = new[1].replace("real time", "real  time")
    links = run(base(), new, hashing_encoder)
    assert pairs(links)[((3,), (3,))] == "unchanged"
    assert pairs(links)[((1,), (1,))] == "unchanged"


def test_reordering_gives_crossing_moved_links(hashing_encoder):
    old = base()
    new = [old[0], old[3], old[1], old[2], old[4], old[5]]  # health moved up
    links = run(old, new, hashing_encoder)
    got = pairs(links)
    assert got[((3,), (1,))] == "moved"
    for i, j in [(0, 0), (1, 2), (2, 3), (4, 4), (5, 5)]:
        assert got[((i,), (j,))] == "unchanged"


def test_edit_and_move_together(hashing_encoder):
    old = base()
    edited = old[2].replace("condemned", "strongly condemned")
    new = [old[0], edited, old[1], old[3], old[4], old[5]]
    got = pairs(run(old, new, hashing_encoder))
    assert got[((2,), (1,))] in ("moved_edited", "edited")
    assert "moved_edited" in got.values() or "moved" in got.values()


def test_split_one_old_into_two_new(hashing_encoder):
    old = base()
    first, second = old[1].split(". ", 1)
    new = [old[0], first + ".", second, old[2], old[3], old[4], old[5]]
    links = run(old, new, hashing_encoder)
    assert pairs(links)[((1,), (1, 2))] == "split"


def test_merge_two_old_into_one_new(hashing_encoder):
    old = base()
    new = [old[0], old[1] + " " + old[2], old[3], old[4], old[5]]
    links = run(old, new, hashing_encoder)
    assert pairs(links)[((1, 2), (1,))] == "merged"


def test_added_and_dropped_passages(hashing_encoder):
    old = base()
    new = [old[0], old[1], NEW_CONTENT, old[2], old[4], old[5]]  # health dropped, textile added
    links = run(old, new, hashing_encoder)
    got = pairs(links)
    assert got[((), (2,))] == "added"
    assert got[((3,), ())] == "dropped"
    dropped = next(lk for lk in links if lk.type == "dropped")
    assert dropped.evidence and "closest candidate" in dropped.evidence[0]
    # reading order: the dropped passage follows the link of its predecessor (old 2)
    order = [(lk.old, lk.new) for lk in links]
    assert order.index(((3,), ())) == order.index(((2,), (3,))) + 1


def test_same_topic_new_content_is_not_a_link(hashing_encoder):
    old = base()
    new = list(old)
    new[3] = ("The ministers noted that hospitals in both countries face shortages of surgeons. "
              "They asked health agencies to report on waiting lists for operations by the autumn.")
    got = pairs(run(old, new, hashing_encoder))
    assert got[((3,), ())] == "dropped"
    assert got[((), (3,))] == "added"


def test_sentence_migrating_between_paragraphs(hashing_encoder):
    old = base()
    moving = "They committed to share radar data on vessels entering the strait in real time."
    new = list(old)
    new[1] = old[1].replace(" " + moving, "")
    new[4] = old[4] + " " + moving
    links = run(old, new, hashing_encoder)
    got = pairs(links)
    assert got[((1,), (1,))] == "edited"
    assert got[((4,), (4,))] == "edited"
    moved = {(tuple(m["old"]), tuple(m["new"])) for lk in links for m in lk.moved_sentences}
    assert ((1, 1), (4, 2)) in moved


def test_links_cover_every_paragraph_once_and_carry_evidence(hashing_encoder):
    old = base()
    new = [old[5], NEW_CONTENT, old[2], old[0] + " " + old[1], old[4]]
    links = run(old, new, hashing_encoder)
    olds = sorted(i for lk in links for i in lk.old)
    news = sorted(j for lk in links for j in lk.new)
    assert olds == list(range(6)) and news == list(range(5))
    for lk in links:
        assert 0.0 <= lk.confidence <= 1.0
        assert lk.evidence
        if lk.old and lk.new:
            assert {"cosine", "lexical", "combined", "margin"} <= set(lk.scores)


def test_opcodes_index_into_statement_texts(hashing_encoder):
    old = base()
    new = list(old)
    new[2] = old[2].replace("condemned", "strongly condemned")
    o, n = doc(*old), doc(*new)
    links = align_documents(o, n, hashing_encoder)
    lk = next(lk for lk in links if lk.old == (2,))
    changes = [(o.statement.text[i1:i2], n.statement.text[j1:j2]) for t, i1, i2, j1, j2 in lk.opcodes
               if t not in ("equal", "cosmetic")]
    assert any("strongly" in new_words for _, new_words in changes)


def test_alignment_is_deterministic(hashing_encoder):
    old = base()
    new = [old[3], old[0], old[1] + " " + old[2], NEW_CONTENT, old[5]]
    assert run(old, new, hashing_encoder) == run(old, new, hashing_encoder)


# ---------------------------------------------------------------------------
# Lineage: the same subject restated in new words


class ConceptEncoder:
    """A deterministic encoder that knows synonyms: each word counts for its
    concept (``vessel`` and ``submarine`` are one), other words for
    themselves. Restated passages are close in meaning with little shared
    wording — what the hashing encoder cannot model."""

    CONCEPTS = {
        "submarine": ["submarine", "submarines", "boats", "vessels", "ssn"],
        "build": ["build", "construct", "construction", "produce", "production", "shipyards", "yards"],
        "navy": ["navy", "naval", "fleet", "maritime"],
        "deliver": ["deliver", "delivery", "handover", "transfer", "provide"],
        "body": ["mechanism", "secretariat", "office", "body"],
        "coordinate": ["coordinate", "coordinating", "coordination", "liaison"],
        "launch": ["launches", "launch", "firings", "tests"],
        "missile": ["missile", "missiles", "rockets", "ballistic"],
    }

    def __init__(self, dim: int = 256):
        self.dim = dim
        self.key = "concept-test"
        self.of = {w: c for c, ws in self.CONCEPTS.items() for w in ws}
        self.words = HashingEncoder(dim)
        self.concepts = HashingEncoder(dim)

    def encode(self, texts):
        import re as _re

        import numpy as np

        words = [_re.findall(r"\w+", t.lower()) for t in texts]
        concepts = self.concepts.encode([" ".join(self.of[w] for w in ws if w in self.of) for ws in words])
        # Concepts carry the meaning; the rest of the words a little.
        v = 3.0 * concepts + self.words.encode([" ".join(ws) for ws in words])
        return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-9)


SUBS_OLD = ("The partners will build nuclear-powered submarines in their shipyards. "
            "Construction of the first boat will begin in Adelaide within five years.")
SUBS_NEW = ("Yards in both countries now produce the vessels. "
            "Production of the first SSN for the fleet started in Adelaide in 2024.")


def test_restated_passage_is_linked_as_rewritten():
    old = base()
    old[3] = SUBS_OLD
    new = list(old)
    new[3] = SUBS_NEW
    links = run(old, new, ConceptEncoder())
    lk = next(lk for lk in links if lk.old == (3,))
    assert (lk.type, lk.new) == ("rewritten", (3,))
    assert lk.scores["lexical"] < 0.16 and "subject" in lk.scores  # not copied text: linked by subject
    assert any("same subject in new words" in e for e in lk.evidence)
    assert 0 < lk.confidence < 1


def test_restated_passage_keeps_its_sentence_lineage():
    old = base()
    old[3] = SUBS_OLD
    new = list(old)
    new[3] = SUBS_NEW
    lk = next(lk for lk in run(old, new, ConceptEncoder()) if lk.old == (3,))
    kinds = {sl["type"] for sl in lk.sentence_links}
    assert kinds <= {"rewritten", "edited", "carried", "added", "dropped", "moved"}
    assert "rewritten" in kinds
    # Every sentence of the link appears exactly once on its side.
    olds = sorted(tuple(x) for sl in lk.sentence_links for x in sl["old"])
    news = sorted(tuple(x) for sl in lk.sentence_links for x in sl["new"])
    assert olds == [(3, 0), (3, 1)] and news == [(3, 0), (3, 1)]


def test_different_subject_sharing_stock_phrases_is_not_linked():
    old = base()
    old[3] = SUBS_OLD + " This upholds the rules-based international order."
    new = list(old)
    new[3] = ("Missile launches by the North violate the rules-based international order. "
              "Ballistic firings threaten the region.")
    got = pairs(run(old, new, ConceptEncoder()))
    assert got[((3,), ())] == "dropped" and got[((), (3,))] == "added"


def test_long_paragraph_fans_out_into_the_passages_continuing_it():
    topics = [
        "The partners will build nuclear-powered submarines in their shipyards.",
        "Missile launches in the region are a grave concern to the partners.",
        "A coordinating mechanism will be established before the next summit.",
        "The partners will expand joint patrols of the northern shipping lanes.",
        "They will train rural nurses in both countries through a new programme.",
        "Student exchanges between the universities will double by next year.",
    ]
    old = [P["intro"], " ".join(topics), P["close"]]
    new = [
        P["intro"],
        "Shipyards now produce the first vessels for the fleet of the partners.",
        "Ballistic rockets fired in the region are a grave concern to the partners, who condemn the firings.",
        "A coordinating secretariat was established this spring.",
        P["close"],
    ]
    links = run(old, new, ConceptEncoder())
    fan = next(lk for lk in links if 1 in lk.old)
    assert fan.type == "split" and set(fan.new) >= {1, 2, 3}
    # Sentence lineage says which old sentence each new passage continues.
    src = {tuple(sl["new"][0]): tuple(sl["old"][0]) for sl in fan.sentence_links if sl["old"] and sl["new"]}
    assert src[(1, 0)] == (1, 0) and src[(2, 0)] == (1, 1) and src[(3, 0)] == (1, 2)
    dropped = {tuple(sl["old"][0]) for sl in fan.sentence_links if sl["type"] == "dropped"}
    assert {(1, 4), (1, 5)} <= dropped


def test_top_neighbours_match_a_dense_ranking_in_small_blocks(monkeypatch):
    import numpy as np

    from driftlab import align as A

    rng = np.random.default_rng(0)
    a = rng.normal(size=(57, 16)).astype(np.float32)
    b = rng.normal(size=(91, 16)).astype(np.float32)
    a /= np.linalg.norm(a, axis=1, keepdims=True)
    b /= np.linalg.norm(b, axis=1, keepdims=True)
    monkeypatch.setattr(A, "BLOCK_CELLS", 200)  # forces blocks of 2 rows
    idx, sims = A.top_neighbours(a, b, 5)
    dense = a @ b.T
    want = np.argsort(-dense, axis=1, kind="stable")[:, :5]
    assert (idx == want).all()
    assert np.allclose(sims, np.take_along_axis(dense, want, axis=1), atol=1e-5)
    idx_all, _ = A.top_neighbours(a[:3], b[:4], 10)  # k larger than the other side
    assert idx_all.shape == (3, 4)


def test_alignment_memory_grows_with_the_text_not_its_square(hashing_encoder):
    import tracemalloc

    import numpy as np

    from driftlab.align import align

    def sized(n):
        paras = [f"Item {k} concerns topic {k % 97} and region {k % 89}." for k in range(n)]
        d = doc(*paras)
        v = hashing_encoder.encode([s.text for p in d.paragraphs for s in p.sentences])
        return d, np.asarray(v)

    peaks = []
    for n in (1000, 4000):
        d, v = sized(n)
        tracemalloc.start()
        align(d, d, v, v)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    # A dense (n × n) float32 matrix would be 64 MB at 4000; four times the
    # paragraphs may cost a little over four times the memory, not sixteen.
    assert peaks[1] < 6 * peaks[0], peaks


# ---------------------------------------------------------------------------
# Real model, real statements, hand-read lineage gold (tests/gold/lineage)


def _lineage_figures(real_encoder):
    import sys

    sys.path.insert(0, str(GOLD.parent.parent / "bench"))
    import lineage_quality as lq

    if not lq.CORPUS.is_dir():
        pytest.skip(f"real corpus not available: {lq.CORPUS} (../shared is absent)")
    return lq.run("all")


@pytest.fixture(scope="module")
def lineage(real_encoder):
    return _lineage_figures(real_encoder)


#: Regression guards, not targets: set well below the figures measured when
#: they were written (bench/lineage_quality.py, 2026-11-30: tuning certain
#: F1 0.805, all 0.760; test certain 0.651, all 0.625; the old design 0.550 /
#: 0.538 certain). A floor is never lowered in the change that makes it fail.
FLOORS = {"tuning": {"certain": 0.72, "all": 0.68}, "test": {"certain": 0.58, "all": 0.55}}


@pytest.mark.real_model
@pytest.mark.shared
@pytest.mark.parametrize("split", ["tuning", "test"])
def test_lineage_gold_scores_hold(lineage, split):
    summ = lineage["summary"][split]
    for kind, floor in FLOORS[split].items():
        assert summ["driftlab"][kind]["f1"] >= floor, (split, kind, summ["driftlab"][kind])
    # Lineage is the point: it must beat the copied-text design on the same gold.
    if "old_design" in summ:
        assert summ["driftlab"]["certain"]["f1"] > summ["old_design"]["certain"]["f1"] + 0.05


@pytest.mark.real_model
@pytest.mark.shared
def test_seed_restated_passages_are_linked(lineage):
    """The analyst's main links on seed → Lima (issue 6): the coordinating
    mechanism promised by the vice ministers and the Secretariat the leaders
    established; the condemnation of DPRK violations carried into the
    DPRK–Russia passage."""
    row = next(r for r in lineage["pairs"] if r["name"] == "seed_vs_lima")
    assert row["driftlab"]["certain"]["recall"] >= 0.9


@pytest.mark.real_model
def test_real_model_separates_rewording_from_new_content(real_encoder):
    old = doc(
        "We express grave concern over the deepening military cooperation between the DPRK and Russia, including arms transfers in violation of UN Security Council resolutions.",
        "We reaffirm our commitment to maintaining peace and stability across the Taiwan Strait.",
    )
    new = doc(
        "We reaffirm the importance of maintaining peace and stability across the Taiwan Strait as an indispensable element of global security.",
        "We strongly condemn the growing military cooperation between North Korea and Russia, including munitions transfers that violate UNSC resolutions.",
        "We will hold the first trilateral ministerial meeting on critical minerals and semiconductor supply chains next year.",
    )
    links = align_documents(old, new, real_encoder)
    got = pairs(links)
    assert got[((0,), (1,))] in ("moved_edited", "edited")
    assert got[((1,), (0,))] in ("moved_edited", "edited")
    assert got[((), (2,))] == "added"
