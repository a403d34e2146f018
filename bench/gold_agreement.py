"""How far two annotators agree on the links of one pair: the ceiling of any F1 against the gold.

    .venv/bin/python bench/gold_agreement.py [SECOND_DIR]

For each file in ``SECOND_DIR`` (default ``tests/gold/agreement``), a second
annotator's blind reading of a pair already in ``tests/gold/lineage`` (same
name, same units: both come from ``bench/gold_units.py --spans``), the first
annotation is scored against the second and the second against the first,
exactly as ``bench/lineage_quality.py`` scores driftlab: by ``(old unit, new
unit)`` pairs; *certain* counts recall over the certain links' pairs and
leaves out predicted pairs touching a probable link; *all* compares every
link. An aligner cannot be expected to agree with one annotator much more
than another annotator does.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Sequence

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import lineage_quality as lq  # noqa: E402

FIRST_DIR = ROOT / "tests" / "gold" / "lineage"
SECOND_DIR = ROOT / "tests" / "gold" / "agreement"


def link_pairs(g: dict) -> set:
    """Every ``(old, new)`` pair of every link of an annotation."""
    pairs: set = set()
    for lk in g["links"]:
        pairs |= lq._expand(lk["old"], lk["new"])
    return pairs


def agreement(first: dict, second: dict) -> dict:
    if first["units"] != second["units"]:
        raise SystemExit(f"{first['name']}: the two annotations have different units; re-run gold_units.py --spans")
    return {"second vs first": lq.score(first, link_pairs(second)),
            "first vs second": lq.score(second, link_pairs(first))}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    second_dir = Path(argv[0]) if argv else SECOND_DIR
    files = sorted(second_dir.glob("*.json"))
    if not files:
        print(f"Skipped: no second annotations in {second_dir}")
        return 0
    print(f"{'pair':34s} {'scored as':18s} {'certain P / R / F1':>22s} {'all P / R / F1':>22s}")
    rows: dict[str, list[dict]] = {}
    for path in files:
        second = json.loads(path.read_text(encoding="utf-8"))
        first = json.loads((FIRST_DIR / path.name).read_text(encoding="utf-8"))
        for label, s in agreement(first, second).items():
            _row(first["name"], label, s)
            rows.setdefault(label, []).append({"scores": s})
    # Micro-averaged over the pairs, as bench/lineage_quality.py sums a split.
    for label, part in rows.items():
        _row("all pairs (micro)", label, {kind: lq.micro(part, "scores", kind) for kind in ("certain", "all")})
    return 0


def _row(name: str, label: str, s: dict) -> None:
    c, a = s["certain"], s["all"]
    print(f"{name:34s} {label:18s} "
          f"{c['precision']:6.3f} {c['recall']:6.3f} {c['f1']:6.3f}    "
          f"{a['precision']:6.3f} {a['recall']:6.3f} {a['f1']:6.3f}")


if __name__ == "__main__":
    sys.exit(main())
