"""The shared sentence view of the flag rules (driftlab/flags/sentences.py),
seen through the flags it feeds: which sentence a rule compares with which
(the aligner's sentence lineage, else shared wording), "added" / "dropped"
when a sentence has no counterpart, and quotes that start and stop at whole
phrases. Hand-made statement pairs, the small deterministic setup of
tests/test_flags.py.
"""

from __future__ import annotations

from driftlab.flags import compute_flags
from driftlab.topics import tag_documents
from driftlab.types import Link

from .test_flags import CONFIG, doc, link


def flags_of(old, new, links):
    return compute_flags(old, new, links, tag_documents(old, new, CONFIG), CONFIG)


def lineage_link(old, oi, new, ni, pairs, type_="edited") -> Link:
    """A link as the lineage aligner gives it: ``pairs`` of (old sentences, new
    sentences), each sentence ``(paragraph, sentence)``."""
    base = link(old, oi, new, ni, type_)
    sentence_links = tuple({"old": [list(o) for o in olds], "new": [list(n) for n in news], "type": "edited",
                            "score": 0.8} for olds, news in pairs)
    return Link(old=base.old, new=base.new, type=type_, confidence=0.9, opcodes=base.opcodes,
                sentence_links=sentence_links)


def modality(flags) -> list[tuple[str, str, str, float]]:
    """(explanation, old quote, new quote, sentence similarity) of each modality flag."""
    return [(f.explanation, f.old_text, f.new_text, f.evidence["sentence_similarity"])
            for f in flags if f.rule == "modality"]


# ------------------------------------------------------------------ which sentence pairs with which

EXCHANGES = "We discussed cultural exchanges among universities."
MAY = "The partners may expand the exercise programme next spring."
WILL = "The partners will enlarge naval drills soon."


def test_a_sentence_merged_from_two_pairs_with_the_one_sharing_its_words():
    # The aligner says the new sentence came from both old ones. Each shares
    # under half its words, so both are lifted to the lineage floor (0.5);
    # the one sharing "partners" is the counterpart, whatever the order the
    # lineage lists them in: one shift, "may" → "will", not two half flags.
    old, new = doc(f"{EXCHANGES} {MAY}"), doc(WILL)
    for olds in ([(0, 0), (0, 1)], [(0, 1), (0, 0)]):
        flags = flags_of(old, new, [lineage_link(old, [0], new, [0], [(olds, [(0, 0)])])])
        assert modality(flags) == [("Modality firmer: 'may' → 'will'", MAY[:-1], WILL[:-1], 0.5)]
