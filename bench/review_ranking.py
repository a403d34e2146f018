"""How well the flag ranking agrees with analysts' review decisions.

Input: labelled examples exported from a review store —

    driftlab review export --examples -o examples.jsonl

one JSON object per confirmed (``label`` 1) or dismissed (``label`` 0) flag,
with the ``rank`` its run gave it and the run's flag count. Printed figures:

* per run and overall, the *pairwise ordering accuracy*: of the (confirmed,
  dismissed) pairs of flags within one run, the share where the confirmed flag
  was ranked above the dismissed one (0.5 = the ranking knows nothing of what
  analysts keep; 1.0 = every confirmed flag above every dismissed one);
* precision at k: the share of confirmed flags among the labelled flags in the
  top k of each run (k = 5, 10, 20);
* mean rank percentile of confirmed and of dismissed flags.

Usage: ``.venv/bin/python bench/review_ranking.py examples.jsonl [--store PATH]``
(``--store`` exports the examples itself). Prints "Skipped: …" and exits 0
when there are no labelled examples yet.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def load(path: str | None, store: str | None) -> list[dict]:
    if store:
        from driftlab.store import Store

        with Store(store) as s:
            return s.labelled_examples()
    text = Path(path).read_text(encoding="utf-8") if path else sys.stdin.read()
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def figures(examples: list[dict]) -> dict:
    runs: dict[tuple, list[dict]] = defaultdict(list)
    for e in examples:
        runs[(e["pair_id"], e["run_id"])].append(e)
    per_run = {}
    good = total = 0
    for key, items in sorted(runs.items()):
        pos = [e["rank"] for e in items if e["label"] == 1]
        neg = [e["rank"] for e in items if e["label"] == 0]
        pairs = [(p, n) for p in pos for n in neg]
        ok = sum(p < n for p, n in pairs)
        good, total = good + ok, total + len(pairs)
        per_run[key] = {"confirmed": len(pos), "dismissed": len(neg),
                        "pairwise": ok / len(pairs) if pairs else None}
    out = {"examples": len(examples), "runs": per_run, "pairwise": good / total if total else None}
    for k in (5, 10, 20):
        top = [e for e in examples if e["rank"] <= k]
        out[f"precision@{k}"] = sum(e["label"] for e in top) / len(top) if top else None
    for label, name in ((1, "confirmed"), (0, "dismissed")):
        pct = [e["rank"] / max(1, e["flags_in_run"]) for e in examples if e["label"] == label]
        out[f"mean_rank_percentile_{name}"] = sum(pct) / len(pct) if pct else None
    return out


def _fmt(v) -> str:
    return "n/a" if v is None else f"{v:.3f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("examples", nargs="?", help="JSON lines from 'driftlab review export --examples' (default: stdin)")
    ap.add_argument("--store", help="Read the examples from this review store instead")
    args = ap.parse_args(argv)
    examples = load(args.examples, args.store)
    if not examples:
        print("Skipped: no confirmed or dismissed flags yet")
        return 0
    f = figures(examples)
    print(f"labelled flags: {f['examples']} in {len(f['runs'])} run(s)")
    for (pair, run), r in f["runs"].items():
        print(f"  pair {pair} run {run}: {r['confirmed']} confirmed, {r['dismissed']} dismissed, "
              f"pairwise ordering {_fmt(r['pairwise'])}")
    print(f"pairwise ordering accuracy (confirmed above dismissed): {_fmt(f['pairwise'])}")
    for k in (5, 10, 20):
        print(f"precision@{k} among labelled flags: {_fmt(f[f'precision@{k}'])}")
    print(f"mean rank percentile: confirmed {_fmt(f['mean_rank_percentile_confirmed'])}, "
          f"dismissed {_fmt(f['mean_rank_percentile_dismissed'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
