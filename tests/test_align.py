"""Alignment: every kind of edit on invented text (fast encoder), then the real
model against hand-checked gold alignments of real statement pairs."""

from __future__ import annotations

import json
import re

import pytest

from driftlab.ingest import parse_text
from driftlab.normalize import content_words, fold
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
    s = Settings().updated(settings)
    links = align_documents(old, new, encoder, s)
    check_links(links, old, new, s)
    return links


# ---------------------------------------------------------------------------
# What every alignment promises its readers, checked on every run above


LINK_SCORES = {"cosine", "lexical", "combined", "coverage_old", "coverage_new", "rival", "margin",
               "min_pair_cosine", "min_pair_lexical"}


def _num(pattern: str, text: str) -> float:
    m = re.search(pattern, text)
    assert m, (pattern, text)
    return float(m.group(1))


def _sentences(d, pars):
    return sorted((i, s.index) for i in pars for s in d.paragraphs[i].sentences)


def check_links(links, old, new, settings):
    """The promises of :class:`driftlab.types.Link` that hold on any input.

    A report shows a link's scores and evidence side by side, so they must
    agree: the cosine and wording quoted in the evidence are the scores', the
    rival named is outside the link, the sentence counts are those of its
    sentence lineage. Numbers are stored rounded to 4 places (stable JSON and
    CSV). Each sentence of a link's paragraphs appears once in its lineage,
    and a sentence marked ``moved`` is one that migrated (``moved_sentences``).
    """
    migrations = {(tuple(m["old"]), tuple(m["new"])) for lk in links for m in lk.moved_sentences}
    moved_old = {o for o, _ in migrations}
    moved_new = {n for _, n in migrations}
    for lk in links:
        where = (lk.type, lk.old, lk.new)
        assert isinstance(lk.confidence, float) and 0.0 <= lk.confidence <= 1.0, where
        assert lk.confidence == round(lk.confidence, 4), where
        for v in lk.scores.values():
            assert isinstance(v, float) and v == round(v, 4), (where, lk.scores)
        # Migrations are listed on the links holding either end (and only there).
        for m in lk.moved_sentences:
            assert m["old"][0] in lk.old or m["new"][0] in lk.new, (where, m)
            assert set(m) == {"old", "new", "similarity", "lexical"}, (where, m)
            assert all(isinstance(m[k], float) and m[k] == round(m[k], 4) for k in ("similarity", "lexical")), m
            assert 0.0 <= m["lexical"] <= 1.0 and 0.0 < m["similarity"] <= 1.0, m
        for o, n in migrations:
            if o[0] in lk.old or n[0] in lk.new:
                assert (o, n) in {(tuple(m["old"]), tuple(m["new"])) for m in lk.moved_sentences}, (where, o, n)
        # Sentence lineage: each sentence once, in its own paragraph.
        sl = lk.sentence_links
        assert sorted(tuple(x) for e in sl for x in e["old"]) == _sentences(old, lk.old), where
        assert sorted(tuple(x) for e in sl for x in e["new"]) == _sentences(new, lk.new), where
        for e in sl:
            assert isinstance(e["score"], float) and e["score"] == round(e["score"], 4), (where, e)
            if e["old"] and e["new"]:
                assert e["type"] in ("carried", "edited", "rewritten") and e["score"] > 0, (where, e)
            else:
                assert e["score"] == 0.0, (where, e)
                ref = tuple(e["old"][0] if e["old"] else e["new"][0])
                moved = ref in (moved_old if e["old"] else moved_new)
                assert e["type"] == ("moved" if moved else "dropped" if e["old"] else "added"), (where, e)
        n_carried = sum(e["type"] in ("carried", "edited") for e in sl)
        n_restated = sum(e["type"] == "rewritten" for e in sl)
        if lk.old and lk.new:
            _check_linked(lk, old, new, settings, n_carried, n_restated)
        else:
            _check_unmatched(lk, settings)


def _check_linked(lk, old, new, settings, n_carried, n_restated):
    where = (lk.type, lk.old, lk.new)
    sc, ev = lk.scores, lk.evidence
    shape = ("group" if len(lk.old) > 1 and len(lk.new) > 1 else "split" if len(lk.new) > 1
             else "merged" if len(lk.old) > 1 else None)
    assert shape is None and lk.type in ("unchanged", "moved", "edited", "moved_edited", "rewritten") \
        or lk.type == shape, where
    assert set(sc) - {"subject", "subject_cosine"} == LINK_SCORES, where
    assert ("subject_cosine" in sc) == (lk.type == "rewritten"), where
    # "subject" is there exactly when the link rests on subject evidence.
    on_subject = any("same subject" in e for e in ev)
    assert ("subject" in sc) == on_subject, where
    if on_subject:
        assert 0.0 < sc["subject"] <= 1.0, where
    if lk.type == "rewritten":
        # Subject evidence: meaning weighs half, shared distinctive words (up
        # to a quarter) and the best restated sentence (up to a quarter) the rest.
        # Meaning is the cosine less both passages' hubness (align._hubness).
        floor = 0.5 * sc["subject_cosine"] + 0.25 * min(1.0, 2 * sc["lexical"])
        assert floor - 2e-4 <= sc["subject"] <= floor + 0.25 + 2e-4, (where, sc)
    assert sc["combined"] == pytest.approx((sc["cosine"] + sc["lexical"]) / 2, abs=1.5e-4), where
    assert 0.0 <= sc["lexical"] <= 1.0 and -1.0 <= sc["cosine"] <= 1.0 + 1e-4, where
    assert 0.0 <= sc["coverage_old"] <= 1.0 and 0.0 <= sc["coverage_new"] <= 1.0, where
    assert sc["min_pair_cosine"] <= sc["cosine"] + 1e-4 or len(lk.old) + len(lk.new) > 2, where
    # The first line quotes the link's own meaning and wording scores.
    assert ev[0].startswith("meaning: cosine ") and "of distinctive vocabulary shared (IDF-weighted)" in ev[0], where
    assert _num(r"cosine (-?[\d.]+);", ev[0]) == pytest.approx(sc["cosine"], abs=0.0051), where
    assert _num(r"wording: (\d+)%", ev[0]) == pytest.approx(100 * sc["lexical"], abs=0.51), where
    identical = fold(" ".join(old.paragraphs[i].text for i in lk.old)) == fold(
        " ".join(new.paragraphs[j].text for j in lk.new))
    assert ("texts are identical up to cosmetic differences" in ev) == identical, where
    if identical:
        assert sc["coverage_old"] == sc["coverage_new"] == sc["lexical"] == 1.0, where
        # Scored as one passage: split pieces together are the old text, the
        # same sentences with the same vectors.
        if " ".join(old.paragraphs[i].text for i in lk.old) == " ".join(new.paragraphs[j].text for j in lk.new):
            assert sc["cosine"] >= 0.999, where
        assert lk.type not in ("edited", "moved_edited", "rewritten"), where
        if shape is None:
            assert lk.confidence >= 0.99, where  # the same text is the same passage
    else:
        assert lk.type not in ("unchanged", "moved"), where
    # Shared subject words and shared wording quote both texts: subject words
    # are content words of both sides (at most five), shared wording runs of
    # at least two content words found in both, longest first (at most six).
    o_words = [w for i in lk.old for s in old.paragraphs[i].sentences for w in content_words(s.text)]
    n_words = [w for j in lk.new for s in new.paragraphs[j].sentences for w in content_words(s.text)]
    for e in ev:
        if "shared subject words: " in e:
            words = e.split("shared subject words: ")[1].split(", ")
            assert 0 < len(words) <= 5 and set(words) <= set(o_words) & set(n_words), (where, e)
    wording = [e for e in ev if e.startswith("shared wording: ")]
    assert len(wording) <= 1 and (not wording or not identical), where
    if wording:
        runs = re.findall(r"“([^”]+)”", wording[0])
        assert 0 < len(runs) <= 6 and wording[0] == "shared wording: " + "; ".join(f"“{r}”" for r in runs), where
        sizes = [len(r.split()) for r in runs]
        assert min(sizes) >= 2 and sizes == sorted(sizes, reverse=True), (where, runs)
        for r in runs:
            assert f" {r} " in f" {' '.join(o_words)} " and f" {r} " in f" {' '.join(n_words)} ", (where, r)
    # "k of n old sentences carried over or edited": the sentence lineage's counts.
    n_old = sum(len(old.paragraphs[i].sentences) for i in lk.old)
    carried_line = [e for e in ev if e.endswith("old sentences carried over or edited")]
    assert carried_line == ([f"{n_carried} of {n_old} old sentences carried over or edited"] if n_carried else []), where
    restated_line = [e for e in ev if "restated in new words" in e]
    want = f"{n_restated} sentence(s) restated in new words (sentence cosine ≥ {settings.lineage_cosine:.2f})"
    assert restated_line == ([want] if n_restated else []), where
    # Split and merge shares name the link's own paragraphs, counted from 1.
    shares = [e for e in ev if e.startswith(("split: ", "regrouped: ", "merged: "))]
    want_shares = []
    if lk.type in ("split", "group"):
        word = "split" if lk.type == "split" else "regrouped"
        want_shares.append((word, [f"new ¶{j + 1}" for j in lk.new], "from old"))
    if lk.type in ("merged", "group"):
        want_shares.append(("merged", [f"old ¶{i + 1}" for i in lk.old], "into new"))
    assert [e.split(": ")[0] for e in shares] == [w for w, _, _ in want_shares], where
    for line, (_, names, tail) in zip(shares, want_shares):
        items = line.split(": ", 1)[1].split(", ")
        assert [it.split(": ")[0] for it in items] == names, where
        assert all(re.fullmatch(r"\d+% " + tail, it.split(": ")[1]) for it in items), where
    assert any(e.startswith("position changed") for e in ev) == (lk.type in ("moved", "moved_edited")), where
    # The rival: outside the link, and the scores' margin and rival.
    rival = [e for e in ev if e.startswith("closest rival: ")]
    assert len(rival) == (1 if sc["rival"] > 0 else 0), where
    if rival:
        side, num = re.match(r"closest rival: (old|new) ¶(\d+) at ", rival[0]).groups()
        assert int(num) - 1 not in (lk.old if side == "old" else lk.new), where
        assert _num(r" at ([\d.]+) ", rival[0]) == pytest.approx(sc["rival"], abs=0.0051), where
        assert _num(r"\(margin ([+-][\d.]+)\)", rival[0]) == pytest.approx(sc["margin"], abs=0.0051), where
    # Margin: the link's strength above its rival (strength is at least the
    # combined score for a copied-text link, the subject score for a rewrite).
    strength = sc["subject"] if lk.type == "rewritten" else sc["combined"]
    assert sc["margin"] >= strength - sc["rival"] - 1.5e-4, where


def _check_unmatched(lk, settings):
    where = (lk.type, lk.old, lk.new)
    assert lk.type == ("dropped" if lk.old else "added") and len(lk.old) + len(lk.new) == 1, where
    assert set(lk.scores) == {"rival"}, where
    rival, ev = lk.scores["rival"], lk.evidence
    # Sure when the best candidate is far below the link threshold, unsure near it.
    thr = settings.link_threshold
    want = 0.5 + 0.5 * min(1.0, max(0.0, (thr - rival) / 0.25))
    assert lk.confidence == pytest.approx(want, abs=2.5e-4), where
    if rival > 0:
        m = re.fullmatch(r"closest candidate (old|new) ¶(\d+): cosine (-?[\d.]+), wording (\d+)%, "
                         r"combined ([\d.]+) \((.+)\)", ev[0])
        assert m, (where, ev[0])
        assert (m.group(1) == "new") == bool(lk.old), where
        assert float(m.group(5)) == pytest.approx(rival, abs=0.0051), where
        cos = float(m.group(3))
        whys = ["no passage on the same subject",
                "similar in meaning but no shared subject words and no restated sentence",
                "its closest passage on the same subject is the ancestor of (or descends from) another"]
        if cos < settings.rewrite_cosine - 0.005:
            assert m.group(6) == whys[0], where
        elif cos > settings.rewrite_cosine + 0.005:
            hub = re.fullmatch(r"close in meaning, but no closer than the two passages are to the rest of the other "
                               r"statement: cosine less hubness (-?[\d.]+) < ([\d.]+)", m.group(6))
            assert m.group(6) in whys[1:] or (hub and float(hub.group(1)) < float(hub.group(2))), where
    else:
        assert ev[0] == "no candidate passage on the other side", where
    n = len(lk.moved_sentences)
    want = [f"{n} sentence(s) migrated {'to' if lk.old else 'from'} other passages"] if n else []
    assert list(ev[1:]) == want, where


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


def test_a_repeated_passage_pairs_in_place(hashing_encoder):
    """The same closing line twice, in both statements: each copy pairs with
    the copy in the same place, not crosswise (which would show two moves)."""
    old = base()
    old.insert(1, P["close"])
    links = run(old, old, hashing_encoder)
    assert [(lk.type, lk.old, lk.new) for lk in links] == [("unchanged", (i,), (i,)) for i in range(7)]


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
    lk = next(lk for lk in links if lk.type == "split")
    # Each piece is wholly old text.
    assert "split: new ¶2: 100% from old, new ¶3: 100% from old" in lk.evidence


def test_merge_two_old_into_one_new(hashing_encoder):
    old = base()
    new = [old[0], old[1] + " " + old[2], old[3], old[4], old[5]]
    links = run(old, new, hashing_encoder)
    assert pairs(links)[((1, 2), (1,))] == "merged"
    lk = next(lk for lk in links if lk.type == "merged")
    # Both old passages went wholly into the new one.
    assert "merged: old ¶2: 100% into new, old ¶3: 100% into new" in lk.evidence


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


def sentence_lineage(lk):
    return [(sl["old"], sl["new"], sl["type"]) for sl in lk.sentence_links]


def test_sentence_dropped_from_the_middle_is_shown_in_its_place(hashing_encoder):
    old, new = base(), base()
    old[3] = ("The envoys welcomed the talks in Eastbay. The ministers launched a programme to train rural nurses in "
              "both countries. The first cohort of two hundred nurses will graduate next spring.")
    new[3] = "The envoys welcomed the talks in Eastbay. The first cohort of two hundred nurses will graduate next spring."
    lk = next(lk for lk in run(old, new, hashing_encoder) if lk.old == (3,))
    assert sentence_lineage(lk) == [([[3, 0]], [[3, 0]], "carried"), ([[3, 1]], [], "dropped"), ([[3, 2]], [[3, 1]], "carried")]


def test_sentence_cut_in_two_is_one_entry_beside_its_source(hashing_encoder):
    """Both halves come from the same old sentence: one entry, "edited", with
    the weaker half's score (neither half alone is the carried sentence).
    ``lineage_cosine`` is lowered so that each half counts as restating it."""
    old, new = base(), base()
    old[3] = ("The partners will build nuclear-powered submarines in their shipyards and deliver the first "
              "submarines to the navy of Freedonia. The first crews will train in Marsport.")
    new[3] = ("The partners will build nuclear-powered submarines in their shipyards. They will deliver the first "
              "submarines to the navy of Freedonia. The first crews will train in Marsport.")
    lk = next(lk for lk in run(old, new, hashing_encoder, lineage_cosine=0.6) if lk.old == (3,))
    assert sentence_lineage(lk) == [([[3, 0]], [[3, 0], [3, 1]], "edited"), ([[3, 1]], [[3, 2]], "carried")]
    assert 0.6 / 2 < lk.sentence_links[0]["score"] < 0.8 and lk.sentence_links[1]["score"] == 1.0


def test_sentence_kept_and_expanded_is_one_edited_entry(hashing_encoder):
    """The old sentence is kept verbatim and then restated at more length:
    both new sentences come from it, so the entry is "edited", not "carried"."""
    old, new = base(), base()
    new[4] = old[4] + " More than five hundred students and young diplomats have taken part since its creation in Eastbay."
    lk = next(lk for lk in run(old, new, hashing_encoder) if lk.old == (4,))
    assert sentence_lineage(lk) == [([[4, 0]], [[4, 0]], "carried"), ([[4, 1]], [[4, 1], [4, 2]], "edited")]
    assert lk.sentence_links[1]["score"] < 1.0  # the weaker of the two, not the verbatim copy


def test_passages_without_content_words_share_no_wording(hashing_encoder):
    """"So be it." and "As it was." have no content word: nothing of their
    wording is shared (not all of it), so they stay apart."""
    old, new = base(), base()
    old.insert(3, "So be it.")
    new.insert(3, "As it was.")
    got = pairs(run(old, new, hashing_encoder))
    assert got[((3,), ())] == "dropped" and got[((), (3,))] == "added"


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


def test_a_passage_edited_and_moved_is_moved_edited(hashing_encoder):
    old = base()
    youth = old[4].replace("applauded", "warmly applauded")
    links = run(old, [youth, old[0], old[1], old[2], old[3], old[5]], hashing_encoder)
    got = pairs(links)
    # The five others keep their order; youth, edited, jumped to the front.
    assert got[((4,), (0,))] == "moved_edited"
    assert [got[((i,), (i + 1,))] for i in range(4)] == ["unchanged"] * 4
    lk = next(lk for lk in links if lk.old == (4,))
    assert [sl["type"] for sl in lk.sentence_links] == ["edited", "carried"]
    # Nearly all its wording kept and no other passage close: a sure link.
    assert lk.scores["combined"] > 0.9 and lk.scores["rival"] < 0.2 and lk.confidence > 0.95


def test_near_identical_twin_paragraphs_unchanged_stay_certain(hashing_encoder):
    """Two paragraphs one word apart, both kept: each is the other's close
    rival, but a passage whose text is unchanged is certain all the same."""
    old = base()
    old.insert(2, old[1].replace("northern", "southern"))
    links = run(old, old, hashing_encoder)
    for lk in links[1:3]:
        assert lk.type == "unchanged" and lk.old == lk.new
        assert lk.scores["margin"] < 0.15  # the rival is close...
        assert lk.confidence >= 0.99  # ...yet the same text is the same passage


MIGRANT_OLD = base()
MIGRANT_OLD[3] += (" Rural hospitals will receive new equipment and medicines from the joint fund."
                   " A mobile clinic will serve remote villages.")
REOPEN = " They called for the immediate reopening of the river ports to commercial traffic."
MIGRANT_NEW = [MIGRANT_OLD[0], MIGRANT_OLD[1], MIGRANT_OLD[2].replace(REOPEN, ""),
               MIGRANT_OLD[4] + " A mobile clinic will serve remote villages.", NEW_CONTENT + REOPEN, MIGRANT_OLD[5]]


def test_sentences_migrating_out_of_a_dropped_passage_and_into_an_added_one(hashing_encoder):
    """The health passage is dropped but its last sentence lives on in the
    youth passage; the grain passage's call to reopen the ports moved into a
    new passage. Each end of a migration says so, in its evidence and in its
    sentence lineage."""
    links = run(MIGRANT_OLD, MIGRANT_NEW, hashing_encoder)
    by = {(lk.old, lk.new): lk for lk in links}
    assert {k: lk.type for k, lk in by.items()} == {
        ((0,), (0,)): "unchanged", ((1,), (1,)): "unchanged", ((2,), (2,)): "edited",
        ((3,), ()): "dropped", ((4,), (3,)): "edited", ((), (4,)): "added", ((5,), (5,)): "unchanged"}
    clinic = {"old": [3, 3], "new": [3, 2]}
    reopen = {"old": [2, 1], "new": [4, 1]}
    moves = {k: [{x: m[x] for x in ("old", "new")} for m in lk.moved_sentences] for k, lk in by.items()}
    assert moves == {((0,), (0,)): [], ((1,), (1,)): [], ((2,), (2,)): [reopen], ((3,), ()): [clinic],
                     ((4,), (3,)): [clinic], ((), (4,)): [reopen], ((5,), (5,)): []}
    dropped, added = by[((3,), ())], by[((), (4,))]
    assert dropped.evidence[1:] == ("1 sentence(s) migrated to other passages",)
    assert added.evidence[1:] == ("1 sentence(s) migrated from other passages",)
    assert [(sl["old"], sl["type"]) for sl in dropped.sentence_links] == [
        ([[3, 0]], "dropped"), ([[3, 1]], "dropped"), ([[3, 2]], "dropped"), ([[3, 3]], "moved")]
    assert [(sl["new"], sl["type"]) for sl in added.sentence_links] == [([[4, 0]], "added"), ([[4, 1]], "moved")]
    grain = [(sl["old"], sl["new"], sl["type"]) for sl in by[((2,), (2,))].sentence_links]
    assert grain == [([[2, 0]], [[2, 0]], "carried"), ([[2, 1]], [], "moved")]
    youth = [(sl["old"], sl["new"], sl["type"]) for sl in by[((4,), (3,))].sentence_links]
    assert youth == [([[4, 0]], [[3, 0]], "carried"), ([[4, 1]], [[3, 1]], "carried"), ([], [[3, 2]], "moved")]


class _DisjointEncoder:
    """Every text gets its own axis: nothing on one side resembles anything on
    the other (cosine 0), as two statements on unrelated matters."""

    key = "disjoint-test"

    def __init__(self):
        self.axes = {}

    def encode(self, texts):
        import numpy as np

        v = np.zeros((len(texts), 64), dtype=np.float32)
        for r, t in enumerate(texts):
            v[r, self.axes.setdefault(t, len(self.axes)) % 64] = 1.0
        return v


def test_nothing_in_common_is_dropped_and_added_with_certainty():
    old = [P["grain"], P["youth"]]  # not a content word in common with NEW_CONTENT
    new = [NEW_CONTENT]
    links = run(old, new, _DisjointEncoder())
    assert sorted((lk.type, lk.old, lk.new) for lk in links) == [
        ("added", (), (0,)), ("dropped", (0,), ()), ("dropped", (1,), ())]
    for lk in links:
        # No shared word and no similarity: no candidate worth naming.
        assert lk.evidence == ("no candidate passage on the other side",)
        assert lk.confidence == 1.0 and lk.scores == {"rival": 0.0}


def test_confidence_of_a_dropped_passage_falls_as_its_best_candidate_nears_the_threshold(hashing_encoder):
    """A dropped passage far from anything is certain; one whose closest
    candidate nearly reached the link threshold is not."""
    links = run(MIGRANT_OLD, MIGRANT_NEW, hashing_encoder)
    added = next(lk for lk in links if lk.type == "added")
    dropped = next(lk for lk in links if lk.type == "dropped")
    assert added.scores["rival"] > 0.4 and 0.5 <= added.confidence < 0.55  # close to the 0.44 threshold
    assert dropped.scores["rival"] < 0.25 and dropped.confidence > 0.9


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


def test_shared_subject_words_are_the_most_distinctive_first():
    """"first" occurs only in the restated passage and its ancestor,
    "countries" in the closing passage too: the rarer word names the subject
    first (alphabetical order only breaks ties)."""
    old = base()
    old[5] += " Both countries look forward to it."
    old[3] = SUBS_OLD.replace("in Adelaide within five years.", "within five years for both countries.")
    new = list(old)
    new[3] = SUBS_NEW.replace("in Adelaide in 2024.", "in 2024 for both countries.")
    lk = next(lk for lk in run(old, new, ConceptEncoder()) if lk.old == (3,))
    assert lk.type == "rewritten"
    (line,) = [e for e in lk.evidence if "shared subject words" in e]
    assert line.endswith("shared subject words: first, countries")


def test_shared_wording_quotes_the_longest_common_runs_first(hashing_encoder):
    old, new = base(), base()
    old[2] = ("Leaders welcomed grain corridors. Ministers agreed to expand joint naval patrols of the northern "
              "shipping lanes near Marsport.")
    new[2] = ("Leaders praised grain corridors. Ministers decided to expand joint naval patrols of the northern "
              "shipping lanes beyond Marsport.")
    lk = next(lk for lk in run(old, new, hashing_encoder) if lk.old == (2,))
    # Runs of content words common to both, longest first; single words
    # ("leaders", "marsport") are no phrase.
    assert "shared wording: “expand joint naval patrols northern shipping lanes”; “grain corridors ministers”" in lk.evidence
    # The short first sentences differ in a quarter of their words: dropped
    # and added, the dropped one first (it has no old predecessor).
    assert sentence_lineage(lk) == [([[2, 0]], [], "dropped"), ([], [[2, 0]], "added"), ([[2, 1]], [[2, 1]], "edited")]


def test_restated_passage_without_a_word_in_common_names_no_subject_words():
    old = base()
    old[3] = "The partners will build nuclear-powered submarines in their shipyards."
    new = list(old)
    new[3] = "Yards now produce vessels for the fleet."
    lk = next(lk for lk in run(old, new, ConceptEncoder()) if lk.old == (3,))
    assert lk.type == "rewritten" and lk.scores["lexical"] == 0.0
    # Linked on the restated sentence alone: no "shared subject words" to list.
    (line,) = [e for e in lk.evidence if "same subject" in e]
    assert re.fullmatch(r"same subject in new words: cosine 0\.\d\d \(0\.\d\d net of both passages' hubness\) "
                        r"≥ 0\.60", line), line
    assert "1 sentence(s) restated in new words (sentence cosine ≥ 0.70)" in lk.evidence


def test_close_in_meaning_without_subject_evidence_is_not_linked_and_says_why():
    """Submarines, their construction, the navy and delivery on both sides,
    but no word in common and no sentence restating another (each mixes the
    concepts differently): a shared theme, not a shared subject."""
    old, new = base(), base()
    old[3] = "The submarines need construction. The navy wants delivery."
    new[3] = "Boats for the fleet. Production and handover."
    links = run(old, new, ConceptEncoder())
    by = {(lk.old, lk.new): lk for lk in links}
    assert by[((3,), ())].type == "dropped" and by[((), (3,))].type == "added"
    for lk, other in ((by[((3,), ())], "new ¶4"), (by[((), (3,))], "old ¶4")):
        m = re.fullmatch(rf"closest candidate {other}: cosine ([\d.]+), wording 0%, combined [\d.]+ "
                         r"\(similar in meaning but no shared subject words and no restated sentence\)", lk.evidence[0])
        assert m and float(m.group(1)) >= 0.6, lk.evidence[0]  # close enough in meaning to be the same subject


@pytest.mark.parametrize("kind", ["added", "dropped"])
def test_passage_whose_subject_partner_is_taken_stays_alone_and_says_why(kind):
    """A one-line passage on submarines: its closest candidate (the patrols
    passage, about vessels) is on the same subject but is the ancestor of
    (or descends from) the unchanged patrols passage, so the line is added
    (or, read backwards, dropped) rather than joined to it."""
    old = base()
    old[3] = SUBS_OLD
    new = list(old)
    new[3] = SUBS_NEW
    (new if kind == "added" else old).insert(5, "Submarines matter to Adelaide.")
    links = run(old, new, ConceptEncoder())
    alone = next(lk for lk in links if (lk.new if kind == "added" else lk.old) == (5,))
    assert alone.type == kind
    side = "old" if kind == "added" else "new"
    m = re.fullmatch(rf"closest candidate {side} ¶(\d+): .* \(its closest passage on the same subject is the "
                     r"ancestor of \(or descends from\) another\)", alone.evidence[0])
    assert m, alone.evidence[0]
    partner = int(m.group(1)) - 1
    assert any(partner in (lk.old if kind == "added" else lk.new) and lk.old and lk.new for lk in links)


SUBS_OLD_PIECES = ["The partners will build nuclear-powered submarines in their shipyards.",
                   "Construction of the first boat will begin in Adelaide within five years."]


@pytest.mark.parametrize("direction", ["merged", "split"])
def test_short_passages_on_one_subject_restated_together_are_one_link(direction):
    """Two short old passages (building the submarines; the first boat in
    Adelaide) restated as one new passage form one link by subject, and the
    other way round: neither side is long, so it is closeness to the link
    (not a fan-out) that lets the second passage join."""
    pieces, whole = base(), base()
    pieces[3:4] = SUBS_OLD_PIECES
    whole[3] = SUBS_NEW
    old, new = (pieces, whole) if direction == "merged" else (whole, pieces)
    links = run(old, new, ConceptEncoder())
    lk = next(lk for lk in links if 3 in lk.old)
    assert (lk.type, lk.old, lk.new) == ((direction, (3, 4), (3,)) if direction == "merged"
                                          else (direction, (3,), (3, 4)))
    assert any(e.startswith("same subject in new words: cosine") for e in lk.evidence)
    assert sum(1 for sl in lk.sentence_links if sl["type"] == "rewritten") == 1


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


FANOUT_TOPICS = [
    "The partners will build nuclear-powered submarines in their shipyards.",
    "Missile launches in the region are a grave concern to the partners.",
    "A coordinating mechanism will be established before the next summit.",
    "The partners will expand joint patrols of the northern shipping lanes.",
    "They will train rural nurses in both countries through a new programme.",
    "Student exchanges between the universities will double by next year.",
]


def test_long_paragraph_fans_out_into_the_passages_continuing_it():
    topics = FANOUT_TOPICS
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


RESTATED = [
    "Shipyards now produce the first vessels for the fleet of the partners.",
    "Ballistic rockets fired in the region are a grave concern to the partners, who condemn the firings.",
    "A coordinating secretariat was established this spring.",
]


def test_short_passages_condensed_into_a_long_one_are_merged_by_subject():
    """The fan-out read backwards: three short passages restated as sentences
    of one long new paragraph join it as one merged link, each old sentence
    beside the new sentence continuing it."""
    old = [P["intro"], *RESTATED, P["close"]]
    new = [P["intro"], " ".join(FANOUT_TOPICS), P["close"]]
    links = run(old, new, ConceptEncoder())
    assert pairs(links) == {((0,), (0,)): "unchanged", ((1, 2, 3), (1,)): "merged", ((4,), (2,)): "unchanged"}
    merged = links[1]
    src = [(sl["old"], sl["new"], sl["type"]) for sl in merged.sentence_links]
    assert src == [([[1, 0]], [[1, 0]], "rewritten"), ([[2, 0]], [[1, 1]], "edited"), ([[3, 0]], [[1, 2]], "rewritten"),
                   ([], [[1, 3]], "added"), ([], [[1, 4]], "added"), ([], [[1, 5]], "added")]
    assert any(e.startswith("same subject in new words: cosine") for e in merged.evidence)
    assert "2 sentence(s) restated in new words (sentence cosine ≥ 0.70)" in merged.evidence


def test_a_restated_continuation_joins_a_copied_split():
    """A long paragraph whose first two sentences are copied into one new
    passage and whose third is restated in another: the copied piece founds
    the link, the restated one joins it on subject evidence, and the evidence
    says it joined (not that the whole link is a rewrite)."""
    topics = [FANOUT_TOPICS[3], "They will share radar data on vessels entering the strait in real time.",
              FANOUT_TOPICS[2], FANOUT_TOPICS[4], FANOUT_TOPICS[5], FANOUT_TOPICS[0]]
    old = [P["intro"], " ".join(topics), P["close"]]
    new = [P["intro"], topics[0] + " " + topics[1], RESTATED[2], P["close"]]
    links = run(old, new, ConceptEncoder())
    assert pairs(links) == {((0,), (0,)): "unchanged", ((1,), (1, 2)): "split", ((2,), (3,)): "unchanged"}
    split = links[1]
    joined = [e for e in split.evidence if "same subject" in e]
    assert len(joined) == 1 and joined[0].startswith("a passage continuing the same subject joined this link; "
                                                     "shared subject words: ")
    assert "coordinating" in joined[0]  # the word the restated sentence keeps
    assert "split: new ¶2: 100% from old, new ¶3: 0% from old" in split.evidence
    assert [sl["type"] for sl in split.sentence_links] == ["carried", "carried", "rewritten", "dropped", "dropped", "dropped"]
    # Read backwards: the copied passage and the restated one merge into the
    # long paragraph, and the evidence again says the restated one joined.
    merged = run(new, old, ConceptEncoder())[1]
    assert (merged.type, merged.old, merged.new) == ("merged", (1, 2), (1,))
    assert any(e.startswith("a passage continuing the same subject joined this link") for e in merged.evidence)
    assert "merged: old ¶2: 100% into new, old ¶3: 0% into new" in merged.evidence


def test_align_against_a_side_without_paragraphs_drops_or_adds_everything(hashing_encoder):
    """``align`` is public: called with a side that has no paragraphs (a
    statement whose body was all boilerplate), every passage of the other
    side is dropped (or added), certain, with its sentences, and nothing fails."""
    from dataclasses import replace

    import numpy as np

    from driftlab.align import align

    d = doc(P["ports"], P["grain"])
    v = np.asarray(hashing_encoder.encode([s.text for p in d.paragraphs for s in p.sentences]))
    empty, none = replace(d, paragraphs=()), np.zeros((0, v.shape[1]), dtype=np.float32)
    s = Settings()
    for links, kind in ((align(d, empty, v, none), "dropped"), (align(empty, d, none, v), "added")):
        assert [(lk.type, lk.old or lk.new) for lk in links] == [(kind, (0,)), (kind, (1,))]
        check_links(links, d if kind == "dropped" else empty, empty if kind == "dropped" else d, s)
        assert all(lk.evidence == ("no candidate passage on the other side",) for lk in links)
        assert [sl["type"] for lk in links for sl in lk.sentence_links] == [kind] * 4


def test_regrouped_passages_form_one_group_link_with_each_share():
    """A long paragraph is cut in two; a short old passage is restated as a
    sentence of the first piece, which is long enough to gather what
    continues it: two old, two new, one ``group`` link. Its evidence gives
    each new passage's share from the old text and each old passage's share
    carried into the new ones (the long one went wholly into the two pieces)."""
    t = ["The ministers agreed to expand joint patrols of the northern shipping lanes.",
         "They committed to share radar data on vessels entering the strait in real time.",
         "They condemned the blockade of grain exports by the Vandal Republic.",
         "They called for the immediate reopening of the river ports to commercial traffic.",
         "The ministers launched a programme to train rural nurses in both countries.",
         "The first cohort of two hundred nurses will graduate next spring."]
    x = ["They applauded the exchange scheme for university students and young diplomats.",
         "More than five hundred students have taken part since its creation.",
         FANOUT_TOPICS[0]]
    old = [P["intro"], " ".join(t), RESTATED[0], P["close"]]
    new = [P["intro"], " ".join(t[:3] + x), " ".join(t[3:]), P["close"]]
    links = run(old, new, ConceptEncoder())
    assert pairs(links) == {((0,), (0,)): "unchanged", ((1, 2), (1, 2)): "group", ((3,), (3,)): "unchanged"}
    group = links[1]
    shares = {e.split(": ")[0]: e for e in group.evidence if e.startswith(("regrouped: ", "merged: "))}
    # New ¶2 is half copied (three of six sentences), new ¶3 wholly.
    assert re.fullmatch(r"regrouped: new ¶2: (4[5-9]|5\d)% from old, new ¶3: 100% from old", shares["regrouped"])
    # Old ¶2 went wholly into the two pieces; old ¶3 only restated (no copied text).
    assert re.fullmatch(r"merged: old ¶2: (9[5-9]|100)% into new, old ¶3: 0% into new", shares["merged"])
    src = {tuple(sl["old"][0]): [tuple(n) for n in sl["new"]] for sl in group.sentence_links if sl["old"]}
    assert src[(2, 0)] == [(1, 5)]  # the restated sentence, beside its ancestor
    assert [src[(1, k)] for k in range(6)] == [[(1, 0)], [(1, 1)], [(1, 2)], [(2, 0)], [(2, 1)], [(2, 2)]]


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
#: Batch 3 (2026-12-01) on its own: its test pairs were scored once, at the
#: end of the day that built rules on its tuning pairs (0.665 / 0.567). The
#: floors hold every later batch too (batch 4's tuning pairs, scored before
#: any rule was built on them: 0.716 / 0.598).
BATCH3_FLOORS = {"tuning": {"certain": 0.62, "all": 0.50}, "test": {"certain": 0.60, "all": 0.50}}


@pytest.mark.real_model
@pytest.mark.shared
@pytest.mark.parametrize("split", ["tuning", "test"])
def test_lineage_gold_scores_hold(lineage, split):
    import lineage_quality as lq

    # The floors were set on the pairs before batch 3: the seven batch-3
    # tuning pairs (2026-12-01, long UN speeches among them; measured on
    # their own 0.711 certain / 0.594 all) have floors of their own.
    batch = {g["name"]: g.get("batch", 0) for g in lq.load_gold()}
    part = [r for r in lineage["pairs"] if r["split"] == split and batch.get(r["name"], 0) < 3]
    summ = {s: {k: lq.micro(part, s, k) for k in ("certain", "all")} for s in lineage["systems"]}
    later = [r for r in lineage["pairs"] if r["split"] == split and batch.get(r["name"], 0) >= 3]
    for kind, floor in BATCH3_FLOORS.get(split, {}).items():
        assert not later or lq.micro(later, "driftlab", kind)["f1"] >= floor, (split, kind)
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
