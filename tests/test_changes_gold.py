"""The ranked changes against the analysts' expected changes (issue 7).

``bench/changes_quality.py`` prints the figures; this file holds regression
guards set well below them, so a change that loses expected changes from the
top 10 fails here and not only in a benchmark nobody ran. The scorer itself is
tested on a hand-made result below, without the model.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "gold" / "lineage"
sys.path.insert(0, str(ROOT / "bench"))

import changes_quality as cq  # noqa: E402

#: Regression guards, not targets (bench/changes_quality.py on 2026-12-01:
#: tuning 129/160 = 0.81 over sixteen pairs, test 139/189 = 0.74 over
#: nineteen; the old flag list 0.40 / 0.34). A floor is never lowered in the
#: change that makes it fail.
FLOORS = {"tuning": 0.72, "test": 0.66}
#: The changes must beat the old flag list on the same gold by this much.
OVER_FLAGS = 0.25


@pytest.mark.real_model
@pytest.mark.shared
def test_expected_changes_stay_in_the_top_ten(real_encoder):
    from driftlab.pipeline import diff_files
    from driftlab.settings import Settings

    totals = {split: {"expected": 0, "shown": 0, "flags": 0} for split in FLOORS}
    for f in sorted(GOLD.glob("*.json")):
        gold = json.loads(f.read_text(encoding="utf-8"))
        old, new = cq._path(gold["old"]), cq._path(gold["new"])
        if not (old.exists() and new.exists()):
            pytest.skip(f"real statements not available: {old}, {new} (../shared is absent)")
        s = cq.score_pair(diff_files(old, new, Settings(), real_encoder), gold, 10)
        for k in totals[gold["split"]]:
            totals[gold["split"]][k] += s[k]
    for split, t in totals.items():
        assert t["expected"] >= 100, (split, t)
        shown, flags = t["shown"] / t["expected"], t["flags"] / t["expected"]
        assert shown >= FLOORS[split], (split, t)
        assert shown >= flags + OVER_FLAGS, (split, t)


class _Change:
    def __init__(self, rank, headline, flags=(), links=()):
        self.rank, self.headline, self.flags, self.links, self.score = rank, headline, list(flags), list(links), 0.0


class _Result:
    def __init__(self, changes, flags=()):
        self.changes, self.flags, self.links = changes, list(flags), []
        doc = SimpleNamespace(statement=SimpleNamespace(text=""), paragraphs=[])
        self.old = self.new = doc


def test_scorer_counts_a_quote_only_when_its_words_are_shown_in_the_top():
    gold = {"changes": [
        {"quote": "grave concern about missile launches", "side": "new", "kind": "intensity"},
        {"quote": "Trilateral Secretariat established", "side": "new", "kind": "added"},
    ]}
    changes = [_Change(1, "DPRK: 'concern' → 'grave concern' about the missile launches")]
    changes += [_Change(r, f"filler headline {r}") for r in range(2, 11)]
    changes.append(_Change(11, "New passage: 'the Trilateral Secretariat is established'"))
    s = cq.score_pair(_Result(changes), gold, 10)
    assert (s["expected"], s["shown"]) == (2, 1)
    assert len(s["missed"]) == 1 and "Secretariat" in s["missed"][0] and "ranks 11" in s["missed"][0]
    # The same result scored on its top 11 finds both.
    assert cq.score_pair(_Result(changes), gold, 11)["shown"] == 2
