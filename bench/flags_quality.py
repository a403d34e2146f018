"""Flag quality against the analyst's gold (tests/gold/flags_expected.yaml): the figures.

For every gold pair, the real model runs the whole pipeline and this prints how
many expected flags rank in the top 10 (matched by rule, topic and quoted
words, exactly as tests/test_flags_gold.py matches them), which were missed,
and any carried-over phrase ("negative") that a flag quotes as new. Pairs
marked ``split: tuning`` / ``split: test`` in the gold file are also reported
per half; the test half is the figure to quote.

The test file only holds these figures above a regression floor set well
below them; this script is where they are measured and reported.

    .venv/bin/python bench/flags_quality.py            # ~1–2 min cold, less with a warm bench/.cache
    .venv/bin/python bench/flags_quality.py --json out.json

Reads real statements from ../shared: prints "Skipped: …" and exits 0 when it
is absent.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import SEED, SHARED_CORPUS  # noqa: E402
from tests.test_flags_gold import GOLD_FILE, HIT_RATE_FLOOR, TOP, _matches  # noqa: E402


def _path(ref: str) -> Path:
    return SEED if ref == "seed" else SHARED_CORPUS / ref


def main(argv: list[str] | None = None) -> int:
    import yaml

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", help="write every figure and miss to this file")
    ap.add_argument("--cache-dir", default=str(ROOT / "bench" / ".cache"), help="embedding cache (default bench/.cache)")
    args = ap.parse_args(argv)

    pairs = yaml.safe_load(GOLD_FILE.read_text(encoding="utf-8"))["pairs"]
    missing = sorted({str(_path(p[k])) for p in pairs for k in ("old", "new") if not _path(p[k]).exists()})
    if missing:
        print(f"Skipped: real statements not available ({missing[0]} …): ../shared is absent")
        return 0

    from driftlab.pipeline import diff_files
    from driftlab.settings import Settings

    settings = Settings(cache_dir=args.cache_dir)
    t0 = time.perf_counter()
    rows = []
    for pair in pairs:
        result = diff_files(_path(pair["old"]), _path(pair["new"]), settings)
        top = result.flags[:TOP]
        expected = pair.get("expected", [])
        missed = [item for item in expected if not any(_matches(f, item) for f in top)]
        offending = [
            {"phrase": item["text"], "flags": [f"{f.rule}: {f.explanation[:80]}" for f in result.flags
                                               if item["text"].lower() in f.new_text.lower()]}
            for item in pair.get("negatives", [])
        ]
        rows.append({
            "name": pair["name"],
            "split": pair.get("split", "all"),
            "expected": len(expected),
            "hits": len(expected) - len(missed),
            "missed": [f"{m['rule']} {m.get('topics', '')} {m['text']!r}" for m in missed],
            "negatives": len(pair.get("negatives", [])),
            "negatives_flagged": [o for o in offending if o["flags"]],
            "flags": len(result.flags),
        })
    seconds = time.perf_counter() - t0

    print(f"Flag gold ({GOLD_FILE.relative_to(ROOT)}): expected flags in the top {TOP}, real model\n")
    print(f"{'pair':<40} {'split':<7} {'hits':>9} {'negatives flagged':>18}")
    for r in rows:
        print(f"{r['name']:<40} {r['split']:<7} {r['hits']:>4}/{r['expected']:<4} "
              f"{len(r['negatives_flagged']):>10}/{r['negatives']:<7}")
    summary = {}
    for split in sorted({r["split"] for r in rows}) + (["overall"] if len({r["split"] for r in rows}) > 1 else []):
        sel = [r for r in rows if split in ("overall", r["split"])]
        hits, total = sum(r["hits"] for r in sel), sum(r["expected"] for r in sel)
        summary[split] = {"hits": hits, "expected": total, "hit_rate": round(hits / total, 4) if total else None,
                          "negatives_flagged": sum(len(r["negatives_flagged"]) for r in sel)}
        print(f"\n{split}: hit rate {hits}/{total} = {hits / total:.3f}" if total else f"\n{split}: no expected flags",
              f"(regression floor in tests/test_flags_gold.py: {HIT_RATE_FLOOR:.2f});",
              f"carried-over phrases quoted as new: {summary[split]['negatives_flagged']}")
    for r in rows:
        for m in r["missed"]:
            print(f"  missed  {r['name']}: {m}")
        for o in r["negatives_flagged"]:
            print(f"  negative {r['name']}: {o['phrase']!r} ← {o['flags']}")
    print(f"\n{len(rows)} pairs in {seconds:.0f} s")
    if args.json:
        Path(args.json).write_text(json.dumps({"pairs": rows, "summary": summary}, indent=2, ensure_ascii=False) + "\n",
                                   encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
