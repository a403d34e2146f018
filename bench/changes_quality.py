"""Share of the analysts' expected changes found among the top 10 changes, per pair and per split.

Reads the gold at tests/gold/lineage/*.json (field ``changes``: note, quote,
side, topics, kind; ``split``: tuning | test), runs the full pipeline on each
pair with the real model, and prints for each pair and split:

* ``changes@10 shown``: expected changes whose quote is found in what the top
  10 changes *show* (headline and the quotes of their rule hits);
* ``changes@10 passage``: … found in the changed words of the top 10 changes'
  passages on the quote's side (an added or dropped passage counts whole);
* ``flags@10``: … found in the top 10 flags' quotes (the old flag list), for
  comparison on the same gold.

A quote is found when at least ``MATCH_SHARE`` of its content words are in the
text matched against (quotes are short phrases; a rephrased quote in a
headline still matches on its content words). Tune on ``tuning`` pairs only.

    .venv/bin/python bench/changes_quality.py [--split tuning|test] [--top 10] [--show]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
GOLD = ROOT / "tests" / "gold" / "lineage"
#: Share of a quote's content words that must be found.
MATCH_SHARE = 0.6


def _path(ref: str) -> Path:
    if ref == "seed":
        return SHARED / "seed" / "2024-10-16_trilateral_vice_fm_seoul_raw_webpage.txt"
    return SHARED / "corpus" / ref


def _words(text: str) -> set[str]:
    from driftlab.flags.sentences import _content, _fold_words

    return set(_content(_fold_words(text)))


def _found(quote: str, text_words: set[str]) -> bool:
    q = _words(quote)
    return bool(q) and len(q & text_words) / len(q) >= MATCH_SHARE


def _change_texts(result, change, side: str) -> tuple[set[str], set[str]]:
    """(words shown by the change, changed words of its passages on ``side``)."""
    flags = {f.id: f for f in result.flags}
    shown = [change.headline]
    for fid in change.flags:
        f = flags.get(fid)
        if f is not None:
            shown += [f.old_text, f.new_text]
    doc = result.old if side == "old" else result.new
    text = doc.statement.text
    links = {lk.id: lk for lk in result.links}
    passage = []
    for lid in change.links:
        lk = links.get(lid)
        if lk is None:
            continue
        paras = lk.old if side == "old" else lk.new
        if not (lk.old and lk.new):
            passage += [doc.paragraphs[i].text for i in paras]
            continue
        for tag, i1, i2, j1, j2 in lk.opcodes:
            if tag in ("replace", "delete", "insert"):
                passage.append(text[i1:i2] if side == "old" else text[j1:j2])
    if not change.links:
        passage = shown
    return _words(" ".join(shown)), _words(" ".join(passage))


def score_pair(result, gold: dict, top: int) -> dict:
    changes = result.changes[:top]
    flags = result.flags[:top]
    out = {"expected": 0, "shown": 0, "passage": 0, "flags": 0, "missed": []}
    texts = {side: [_change_texts(result, c, side) for c in changes] for side in ("old", "new")}
    for item in gold.get("changes", []):
        side = item.get("side", "new")
        out["expected"] += 1
        shown = any(_found(item["quote"], s) for s, _ in texts[side])
        passage = any(_found(item["quote"], p) for _, p in texts[side])
        flag = any(_found(item["quote"], _words(f.old_text if side == "old" else f.new_text)) for f in flags)
        out["shown"] += shown
        out["passage"] += passage
        out["flags"] += flag
        if not shown:
            # Where the change holding it ranks in the whole list (0: nowhere).
            rank = next((c.rank for c in result.changes
                         if _found(item["quote"], _change_texts(result, c, side)[1])), 0)
            out["missed"].append(f"{item['kind']}: {item['quote']!r} ({side}), its change ranks {rank}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=["tuning", "test"], help="only pairs of this split")
    ap.add_argument("--top", type=int, default=10)
    ap.add_argument("--show", action="store_true", help="print each pair's top changes and misses")
    ap.add_argument("--gold", type=Path, default=GOLD)
    args = ap.parse_args(argv)

    from driftlab.embed import SentenceTransformerEncoder
    from driftlab.pipeline import diff_files
    from driftlab.settings import Settings

    files = sorted(args.gold.glob("*.json"))
    if not files:
        print(f"no gold files in {args.gold}", file=sys.stderr)
        return 1
    encoder = SentenceTransformerEncoder()
    totals: dict[str, dict[str, int]] = {}
    print(f"{'pair':42} {'split':7} {'exp':>4} {'shown':>6} {'passage':>8} {'flags':>6}")
    for f in files:
        gold = json.loads(f.read_text(encoding="utf-8"))
        if args.split and gold.get("split") != args.split:
            continue
        old, new = _path(gold["old"]), _path(gold["new"])
        if not (old.exists() and new.exists()):
            print(f"{gold['name']:42} skipped: statements not in ../shared", file=sys.stderr)
            continue
        result = diff_files(old, new, Settings(), encoder)
        s = score_pair(result, gold, args.top)
        split = gold.get("split", "?")
        # The split, and each batch of it (tests/gold/README.md): a later
        # batch was annotated after rules were built, so it is the fresher check.
        for group in (split, f"{split}, batch {gold.get('batch', 1)}"):
            t = totals.setdefault(group, {"expected": 0, "shown": 0, "passage": 0, "flags": 0})
            for k in t:
                t[k] += s[k]
        print(f"{gold['name']:42} {split:7} {s['expected']:4} {s['shown']:6} {s['passage']:8} {s['flags']:6}")
        if args.show:
            for c in result.changes[: args.top]:
                print(f"    {c.rank:2} {c.score:6.3f} {c.headline[:160]}")
            for m in s["missed"]:
                print(f"    missed {m}")
    for split, t in sorted(totals.items()):
        n = max(1, t["expected"])
        print(f"{split:17} changes@{args.top} shown {t['shown']}/{t['expected']} = {t['shown'] / n:.2f}; "
              f"passage {t['passage']}/{t['expected']} = {t['passage'] / n:.2f}; "
              f"old flags@{args.top} {t['flags']}/{t['expected']} = {t['flags'] / n:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
