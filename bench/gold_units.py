"""Print a statement as numbered units for a gold annotator, and the spans to store.

    python bench/gold_units.py ../shared/corpus/us_japan/2023-01-13_us_japan_joint_statement.txt
    python bench/gold_units.py FILE --spans      # JSON list of [start, end] unit spans

A *unit* is a paragraph as driftlab segments it (blank-line blocks; lines of
a one-paragraph-per-line text; inline "- " or "2." list items), numbered from
0, each followed by its sentences numbered from 0. This prints only the input
— ingestion and segmentation, never an alignment or a flag — so an annotator
can use it before seeing anything driftlab concludes about a pair.

Gold files store the spans (``units``) so the scorer maps any later
segmentation onto the units the annotator read, by character overlap.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from driftlab.pipeline import load_document  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path")
    ap.add_argument("--spans", action="store_true", help="print the unit spans as JSON")
    args = ap.parse_args(argv)
    doc = load_document(args.path)
    if args.spans:
        print(json.dumps([[p.start, p.end] for p in doc.paragraphs]))
        return 0
    meta = doc.statement.meta
    print(f"# {meta.title} ({meta.date}) — {len(doc.paragraphs)} units")
    for p in doc.paragraphs:
        print(f"\n[{p.index}]")
        for s in p.sentences:
            print(textwrap.fill(s.text, 110, initial_indent=f"  {p.index}.{s.index} ", subsequent_indent="      "))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
