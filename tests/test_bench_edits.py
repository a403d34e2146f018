"""The synthetic-edit generator of bench/edits.py: its gold must agree with its texts."""

from __future__ import annotations

import bisect
import importlib.util
import sys
from collections import Counter
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parent.parent / "bench" / "edits.py"
_spec = importlib.util.spec_from_file_location("driftlab_bench_edits", _PATH)
edits = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = edits  # dataclasses look their module up while building
_spec.loader.exec_module(edits)

# An invented statement: paragraphs of sentences, with the features the edits
# act on (modal verbs, numbers, clauses, British spellings, curly quotes).
OLD = [
    ["Joint Statement of the Harbour Council"],
    ["We, the members of the Harbour Council, met in Lakeport on 3 March to review our work.",
     "We reaffirm our shared commitment to safe, open and well-governed waterways.",
     "Our cooperation will continue to grow in the year ahead."],
    ["We express concern about the rising number of collisions on the northern canal.",
     "The council will establish a joint coastguard centre by 2026.",
     "We call on all operators to report incidents within 24 hours.",
     "Such reports are important for safety."],
    ["We welcome the new lighthouse programme, including its solar-powered beacons, and its first results.",
     "Twelve beacons were installed last year.",
     "A further 30 will follow."],
    ["Fisheries"],
    ["We recognise the importance of sustainable fisheries for coastal towns.",
     "We will strengthen the monitoring of catches and support the ‘clean nets’ initiative.",
     "We condemn illegal fishing in the estuary."],
    ["The council notes the damage caused by the winter storms, which affected 14 villages, and expresses sympathy to those affected.",
     "We will mobilise emergency funds and organise repairs.",
     "Our defence of the embankments must be modernised."],
    ["Trade on the waterways grew by 8 percent.",
     "We seek to promote fair access for small carriers, especially family-run barges, and to reduce fees.",
     "Customs procedures will be simplified."],
    ["We support training for young pilots and engineers.",
     "An exchange programme will start in the autumn.",
     "Scholarships will be offered to 50 students."],
    ["Environment"],
    ["We are committed to cleaner water.",
     "Discharges from factories along the river will be reduced by 40 percent by 2030.",
     "We will publish a yearly report on water quality.",
     "Citizens will be able to comment on it."],
    ["We emphasise the role of local communities in protecting wetlands.",
     "Volunteers planted 2,000 reeds this spring, and we honour their efforts.",
     "We will continue to fund such projects."],
    ["The council welcomes the accession of Rivermouth as an observer.",
     "We look forward to its contribution to our shared work."],
    ["We thank the people of Lakeport for their hospitality.",
     "The next meeting will be held in Stonebridge in 2025."],
]
DONORS = [
    ["Ministers discussed the digital economy and agreed on principles for cross-border data flows between trusted partners.",
     "They launched a working group on semiconductor supply chains and critical minerals, to report within one year."],
    ["The leaders condemned the attack on the embassy compound and demanded that those responsible be brought to justice.",
     "They expressed condolences to the families of the victims."],
    ["Delegates adopted a framework on pandemic preparedness, vaccine manufacturing capacity and early warning systems.",
     "A fund of considerable size will support laboratories in low-income countries over five years."],
    ["Space cooperation featured prominently, with agreements on satellite debris mitigation and lunar exploration standards.",
     "Both agencies will share tracking data and coordinate launch schedules for their upcoming missions."],
]

SEEDS = range(40)


def _cases():
    # Typical revisions, then the --hard stress variant: every invariant holds for both.
    return [edits.generate(OLD, seed, DONORS, name="harbour") for seed in SEEDS] + [
        edits.generate(OLD, seed, DONORS, name="harbour", hard=True) for seed in range(20)
    ]


@pytest.fixture(scope="module")
def cases():
    return _cases()


def test_every_paragraph_in_exactly_one_link(cases):
    for case in cases:
        olds = Counter(i for link in case.links for i in link.old)
        news = Counter(j for link in case.links for j in link.new)
        assert olds == Counter(range(len(case.old_paragraphs))), case.seed
        assert news == Counter(range(len(case.new_paragraphs))), case.seed


def test_link_shapes_match_types(cases):
    for case in cases:
        for link in case.links:
            shape = {
                "added": (0, 1), "dropped": (1, 0), "split": (1, 2), "merged": (2, 1),
            }.get(link.type, (1, 1))
            assert (len(link.old), len(link.new)) == shape, (case.seed, link)
            assert link.type in link.types_ok


def test_split_parts_concatenate_to_the_original(cases):
    splits = 0
    for case in cases:
        for link in case.links:
            if link.type == "split":
                splits += 1
                parts = [s for j in link.new for s in case.new_paragraphs[j]]
                original = list(case.old_paragraphs[link.old[0]])
                if "reword" in link.kinds:  # reworded in the same revision: same sentences, new words
                    assert len(parts) == len(original) and parts != original
                else:
                    assert parts == original
                assert list(link.new) == list(range(link.new[0], link.new[0] + len(link.new))), "parts stay adjacent"
    assert splits >= 5


def test_merge_is_the_concatenation_of_adjacent_paragraphs(cases):
    merges = 0
    for case in cases:
        for link in case.links:
            if link.type == "merged":
                merges += 1
                assert link.old[1] == link.old[0] + 1
                whole = [s for i in link.old for s in case.old_paragraphs[i]]
                merged = list(case.new_paragraphs[link.new[0]])
                if "reword" in link.kinds:
                    assert len(whole) == len(merged) and whole != merged
                else:
                    assert whole == merged
    assert merges >= 5


def test_some_splits_and_merges_are_also_reworded(cases):
    both = Counter(k for c in cases for lk in c.links if "reword" in lk.kinds for k in lk.kinds)
    assert both["split"] >= 1 and both["merge"] >= 1


def test_unchanged_means_equal_modulo_cosmetics(cases):
    seen = Counter()
    for case in cases:
        for link in case.links:
            if link.type in ("unchanged", "moved", "edited", "moved_edited"):
                a = " ".join(case.old_paragraphs[link.old[0]])
                b = " ".join(case.new_paragraphs[link.new[0]])
                same = edits.normalize_cosmetic(a) == edits.normalize_cosmetic(b)
                assert same == (link.type in ("unchanged", "moved")), (case.seed, link)
                if "cosmetic" in link.kinds and link.kinds != ("cosmetic",):
                    continue
                if "cosmetic" in link.kinds:
                    assert a != b and same, "a cosmetic edit changes characters, not wording"
                    seen["cosmetic"] += 1
                if "reword" in link.kinds:
                    assert not same
                    seen["reword"] += 1
    assert seen["cosmetic"] >= 3 and seen["reword"] >= 20


def test_added_paragraphs_come_from_donors_and_dropped_ones_vanish(cases):
    donor_texts = {" ".join(d) for d in DONORS}
    for case in cases:
        new_texts = {" ".join(p) for p in case.new_paragraphs}
        for link in case.links:
            if link.type == "added":
                assert " ".join(case.new_paragraphs[link.new[0]]) in donor_texts
            if link.type == "dropped":
                assert " ".join(case.old_paragraphs[link.old[0]]) not in new_texts


def test_moved_sentences_point_at_the_sentence(cases):
    moves = 0
    for case in cases:
        link_of_old = {i: link for link in case.links for i in link.old}
        link_of_new = {j: link for link in case.links for j in link.new}
        for m in case.moved_sentences:
            moves += 1
            (p, s), (q, t) = m["old"], m["new"]
            assert case.new_paragraphs[q][t] == case.old_paragraphs[p][s]
            src, dst = link_of_old[p], link_of_new[q]
            assert src is not dst
            # Both paragraphs stay 1–1 links; the sentence is evidence, not a merge.
            for link in (src, dst):
                assert len(link.old) == len(link.new) == 1
                assert link.type in ("edited", "moved_edited")
            # Away from the aligner's split_coverage boundary on both sides.
            sentence = case.old_paragraphs[p][s]
            assert len(sentence) < edits.MAX_MOVED_SHARE * len(" ".join(case.old_paragraphs[p]))
            assert len(sentence) < edits.MAX_MOVED_SHARE * len(" ".join(case.new_paragraphs[q]))
    assert moves >= 5


def test_moved_links_lie_outside_the_increasing_chain(cases):
    for case in cases:
        one = sorted((lk for lk in case.links if len(lk.old) == len(lk.new) == 1), key=lambda lk: lk.old[0])
        fixed = [lk.new[0] for lk in one if not any(t.startswith("moved") for t in lk.types_ok)]
        assert fixed == sorted(fixed), "links that must stay in place keep their order"
        surely_moved = [lk for lk in one if all(t.startswith("moved") for t in lk.types_ok)]
        # Independent LIS length (patience sorting): every LIS avoids the
        # surely-moved links and contains every fixed one.
        piles: list[int] = []
        for x in (lk.new[0] for lk in one):
            k = bisect.bisect_left(piles, x)
            piles[k:k + 1] = [x]
        assert len(fixed) <= len(piles) <= len(one) - len(surely_moved)


def test_lis_membership():
    assert edits.lis_membership([0, 1, 2, 3]) == ["all"] * 4
    # One passage jumps from the front to the back: only it is moved.
    assert edits.lis_membership([1, 2, 3, 0]) == ["all", "all", "all", "none"]
    # Two neighbours swap: either one may be called moved.
    assert edits.lis_membership([0, 2, 1, 3]) == ["all", "some", "some", "all"]
    assert edits.lis_membership([]) == []


def test_reorders_are_reported_as_moves(cases):
    moved = sum(1 for c in cases for lk in c.links if lk.type.startswith("moved"))
    reordered = sum(1 for c in cases for lk in c.links if "reorder" in lk.kinds)
    assert reordered >= 10 and moved >= reordered // 2


def test_same_seed_same_case_and_seeds_differ():
    a = edits.generate(OLD, 7, DONORS)
    b = edits.generate(OLD, 7, DONORS)
    c = edits.generate(OLD, 8, DONORS)
    assert a == b
    assert a.new_text != c.new_text


def test_realistic_amount_of_change(cases):
    touched = [sum(len(lk.old) for lk in c.links if lk.kinds) / len(c.old_paragraphs) for c in cases]
    mean = sum(touched) / len(touched)
    assert 0.25 <= mean <= 0.6, mean


def test_every_edit_kind_occurs(cases):
    kinds = Counter(k for c in cases for lk in c.links for k in lk.kinds)
    assert set(kinds) == set(edits.EDIT_KINDS), kinds


def test_texts_round_trip_through_paragraph_breaks(cases):
    for case in cases[:5]:
        assert case.old_text.count("\n\n") == len(case.old_paragraphs) - 1
        assert case.new_text.count("\n\n") == len(case.new_paragraphs) - 1
        gold = case.gold_json()
        assert len(gold["links"]) == len(case.links)


def test_cosmetic_normalisation_ignores_spelling_and_quotes():
    a = "We recognise the ‘defence’ programme and the coastguard’s organisation."
    b = "We recognize the 'defense' program and the coast guard's organization."
    assert edits.normalize_cosmetic(a) == edits.normalize_cosmetic(b)
    assert edits.normalize_cosmetic("We will act.") != edits.normalize_cosmetic("We may act.")


def test_hard_mode_rewords_more_heavily():
    from rapidfuzz import fuzz

    def mean_similarity(hard: bool) -> float:
        sims = []
        for seed in range(20):
            case = edits.generate(OLD, seed, DONORS, hard=hard)
            for lk in case.links:
                if lk.kinds == ("reword",):
                    sims.append(fuzz.ratio(" ".join(case.old_paragraphs[lk.old[0]]),
                                           " ".join(case.new_paragraphs[lk.new[0]])))
        return sum(sims) / len(sims)

    assert mean_similarity(True) < mean_similarity(False)
