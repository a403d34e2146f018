"""bench/gold_agreement.py: two annotators' links scored against each other."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import gold_agreement as ga  # noqa: E402


def annotation(links):
    return {"name": "x", "units": {"old": [[0, 5], [6, 9], [10, 14]], "new": [[0, 4], [5, 9]]}, "links": links}


FIRST = annotation([
    {"old": [0], "new": [0], "type": "edited", "confidence": "certain"},
    {"old": [1, 2], "new": [1], "type": "merged", "confidence": "certain"},
])


def test_an_annotation_agrees_with_itself():
    for s in ga.agreement(FIRST, FIRST).values():
        assert s["certain"]["f1"] == 1.0 and s["all"]["f1"] == 1.0


def test_a_second_reading_that_drops_a_unit_loses_recall_and_precision_both_ways():
    second = annotation([
        {"old": [0], "new": [0], "type": "edited", "confidence": "certain"},
        {"old": [1], "new": [1], "type": "rewritten", "confidence": "certain"},
        {"old": [2], "new": [], "type": "dropped", "confidence": "certain"},
    ])
    res = ga.agreement(FIRST, second)
    # Scored against the first: pairs (0,0), (1,1) of 3 predicted are right; 2 of its 3 pairs found.
    assert res["second vs first"]["all"] == pytest.approx(
        {"precision": 0.6667, "recall": 0.6667, "f1": 0.6667, "tp": 2, "pred": 3, "gold": 3}, abs=1e-4)
    assert res["first vs second"]["all"]["f1"] == pytest.approx(0.6667, abs=1e-4)


def test_probable_links_are_left_out_of_the_certain_figure():
    doubting = annotation([
        {"old": [0], "new": [0], "type": "edited", "confidence": "certain"},
        {"old": [1, 2], "new": [1], "type": "merged", "confidence": "probable"},
    ])
    other = annotation([
        {"old": [0], "new": [0], "type": "edited", "confidence": "certain"},
        {"old": [1], "new": [1], "type": "rewritten", "confidence": "certain"},
        {"old": [2], "new": [], "type": "dropped", "confidence": "certain"},
    ])
    scored = ga.agreement(doubting, other)["second vs first"]
    # Where the first reading was unsure (units 1 and 2), the second is not
    # counted against it for the certain figure; it is for "all".
    assert scored["certain"]["f1"] == 1.0
    assert scored["all"]["f1"] < 1.0


def test_different_units_are_refused():
    other = dict(FIRST, units={"old": [[0, 5]], "new": [[0, 4]]})
    with pytest.raises(SystemExit, match="different units"):
        ga.agreement(FIRST, other)


def test_the_summary_sums_the_pairs_before_dividing(tmp_path, monkeypatch, capsys):
    """Two pairs: one read the same twice (4 unit pairs, a dropped unit
    counting as one), one whose second reading keeps 2 of the first's 3.
    Summed: 6 of 7, 0.857 — not the mean of the pairs' figures (1.0 and
    0.667: 0.833)."""
    import json

    first_dir, second_dir = tmp_path / "first", tmp_path / "second"
    first_dir.mkdir()
    second_dir.mkdir()
    bigger = {"name": "a", "units": {"old": [[0, 5], [6, 9], [10, 14], [15, 20]], "new": [[0, 4], [5, 9], [10, 12]]},
              "links": [{"old": [i], "new": [i], "type": "edited", "confidence": "certain"} for i in range(3)]
              + [{"old": [3], "new": [], "type": "dropped", "confidence": "certain"}]}
    fewer = annotation([
        {"old": [0], "new": [0], "type": "edited", "confidence": "certain"},
        {"old": [1], "new": [1], "type": "rewritten", "confidence": "certain"},
        {"old": [2], "new": [], "type": "dropped", "confidence": "certain"},
    ])
    for name, first, second in (("a", bigger, bigger), ("b", FIRST, fewer)):
        (first_dir / f"{name}.json").write_text(json.dumps(dict(first, name=name)), encoding="utf-8")
        (second_dir / f"{name}.json").write_text(json.dumps(dict(second, name=name)), encoding="utf-8")
    monkeypatch.setattr(ga, "FIRST_DIR", first_dir)
    assert ga.main([str(second_dir)]) == 0
    summary = [line.split()[-6:] for line in capsys.readouterr().out.splitlines() if line.startswith("all pairs")]
    # Both ways, certain P / R / F1 and all P / R / F1.
    assert summary == [["0.857"] * 6] * 2
