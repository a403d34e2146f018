"""Flag order, scores and their components as the report and JSON show them
(issue 12, mutation testing).

Each test pins, on small invented statements, the ranked list a user reads:
each flag's score (exact, as the JSON carries it), the components in
``evidence["score"]``, the per-link rank and penalty, the partial-statement
demotion and its reason, and how repeats of one sentence merge. Built like
tests/test_flags.py: hand-made links, term tags only, no model.
"""

from __future__ import annotations

from driftlab.flags import compute_flags
from driftlab.topics import tag_documents
from driftlab.types import Link

from .test_flags import CONFIG, _partial_doc, _unlinked, doc, flags_for, link

FORMULA = "rule_weight × size × topic_weight × (0.75 + 0.25 × changed_share)"


def ranked(flags) -> list[tuple]:
    """(rule, score, explanation) in rank order."""
    return [(f.rule, f.score, f.explanation) for f in flags]


def _flags(old, new, links):
    return compute_flags(old, new, links, tag_documents(old, new, CONFIG), CONFIG)


# ------------------------------------------------------------------ the same shift reached twice

def test_the_same_shift_in_three_passages_keeps_the_best_scored_and_lists_the_others():
    """Three passages edited alike ("concern" → "grave concern", the same
    quoted words): one flag. The one on the DPRK (topic weight 1) outscores
    the untagged one and the one on technology (0.8): it is kept, with the
    other passages in ``also_at`` and the topics of all three."""
    plain = "We expressed concern over the port of the northern island town, as we said before."
    tech = "We expressed concern over the port of the northern island town, a hub for semiconductors."
    dprk = "We expressed concern over the port of the northern island town, which the DPRK shelled."
    old = doc(plain, tech, dprk)
    new = doc(*(p.replace("concern", "grave concern") for p in (plain, tech, dprk)))
    flags = _flags(old, new, [link(old, [i], new, [i]) for i in range(3)])
    (f,) = [f for f in flags if f.rule == "intensity_shift"]
    assert (f.old, f.new, f.topics) == ((2,), (2,), ("dprk_nuclear", "technology"))
    assert f.evidence["also_at"] == [{"old": [0], "new": [0]}, {"old": [1], "new": [1]}]
    assert f.explanation == ("Intensity up 2 rungs on DPRK nuclear and missile programmes (concern): "
                             "'concern' → 'grave concern'")
