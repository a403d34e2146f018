"""Alignment: every kind of edit on invented text (fast encoder), then the real
model against hand-checked gold alignments of real statement pairs."""

from __future__ import annotations

import json

import pytest

from driftlab.ingest import parse_text
from driftlab.pipeline import align_documents, load_document
from driftlab.segment import segment
from driftlab.settings import Settings

from .conftest import GOLD, SEED, SHARED_CORPUS

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
# Real model, real statements, hand-checked gold


def _gold_files():
    return sorted(GOLD.glob("align_*.json"))


def _resolve(ref: str):
    if ref == "seed":
        return SEED
    return SHARED_CORPUS / ref


def _score(links, gold_links):
    got = {(frozenset(lk.old), frozenset(lk.new)) for lk in links}
    want = {(frozenset(g["old"]), frozenset(g["new"])) for g in gold_links}
    tp = len(got & want)
    p = tp / len(got) if got else 0.0
    r = tp / len(want) if want else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


@pytest.mark.real_model
@pytest.mark.shared
@pytest.mark.parametrize("gold_path", _gold_files(), ids=lambda p: p.stem)
def test_real_pairs_against_gold(gold_path, real_encoder, tmp_path):
    gold = json.loads(gold_path.read_text())
    old_p, new_p = _resolve(gold["old"]), _resolve(gold["new"])
    if not old_p.exists() or not new_p.exists():
        pytest.skip(f"../shared is absent: {old_p}")
    old, new = load_document(old_p), load_document(new_p)
    links = align_documents(old, new, real_encoder)
    certain = [g for g in gold["links"] if not g.get("uncertain")]
    # Score the certain gold links: the links we produce for paragraphs they
    # cover must match them.
    covered_old = {i for g in certain for i in g["old"]}
    covered_new = {j for g in certain for j in g["new"]}
    mine = [lk for lk in links if set(lk.old) & covered_old or set(lk.new) & covered_new]
    p, r, f1 = _score(mine, certain)
    print(f"{gold_path.stem}: certain links P={p:.2f} R={r:.2f} F1={f1:.2f}")
    assert f1 >= 0.85, (f1, [(lk.old, lk.new, lk.type) for lk in links])
    _, _, f1_all = _score(links, gold["links"])
    print(f"{gold_path.stem}: all links F1={f1_all:.2f}")
    assert f1_all >= 0.5


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
