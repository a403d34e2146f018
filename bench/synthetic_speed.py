"""Two synthetic timings that used to be wall-clock asserts in unit tests.

A timed unit test fails on a loaded machine and says nothing on a fast one;
the tests now check what these inputs must produce, and this script prints
how long they take (median of ``--repeats`` runs, in this process, caches of
the first run warm as in a real run):

* **flags on 400 edited links**: ``compute_flags`` over 400 one-sentence
  paragraphs, every third with "concern" → "grave concern" and 2025 → 2026
  (134 intensity shifts); was bounded at 1 s in ``tests/test_flags.py``;
* **word diff of a communiqué-sized pair**: 300 links of ~430 characters
  (~130 KB a side), a renumbered list and "strongly" → "firmly"; was bounded
  at 3 s in ``tests/test_diff.py``.

    .venv/bin/python bench/synthetic_speed.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import time


def _doc(*paragraphs: str):
    from driftlab.ingest import parse_text
    from driftlab.segment import segment

    return segment(parse_text("\n\n".join(paragraphs), path="invented.txt"))


def flags_case() -> tuple[float, int]:
    from driftlab.diff import word_diff
    from driftlab.flags import compute_flags
    from driftlab.topics import load_config, tag_documents
    from driftlab.types import Link

    config = load_config()
    paras = [f"We expressed concern over item {i} of the programme with the DPRK and will review it in 2025."
             for i in range(400)]
    newp = [p.replace("concern", "grave concern").replace("2025", "2026") if i % 3 == 0 else p
            for i, p in enumerate(paras)]
    old, new = _doc(*paras), _doc(*newp)
    links = []
    for i in range(400):
        a, b = old.paragraphs[i], new.paragraphs[i]
        ops = tuple(word_diff(old.statement.text, [(a.start, a.end)], new.statement.text, [(b.start, b.end)]))
        links.append(Link(old=(i,), new=(i,), type="edited" if i % 3 == 0 else "unchanged", confidence=0.9,
                          opcodes=ops))
    tags = tag_documents(old, new, config)
    t0 = time.perf_counter()
    flags = compute_flags(old, new, links, tags, config)
    return time.perf_counter() - t0, sum(f.rule == "intensity_shift" for f in flags)


def word_diff_case() -> tuple[float, int]:
    from driftlab.diff import word_diff

    base = ("We reaffirm our commitment to a free and open Indo-Pacific, based on the rule of law, "
            "and we strongly oppose any unilateral attempts to change the status quo by force or coercion. ") * 3
    old = "\n\n".join(f"{k}. {base}" for k in range(300))
    new = "\n\n".join(f"{k + 1}. {base.replace('strongly', 'firmly')}" for k in range(300))
    o_spans = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", old)]
    n_spans = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", new)]
    t0 = time.perf_counter()
    changes = sum(tag != "equal" for a, b in zip(o_spans, n_spans) for tag, *_ in word_diff(old, [a], new, [b]))
    return time.perf_counter() - t0, changes


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args(argv)
    print(f"driftlab synthetic timings — {os.cpu_count()} cores, load average "
          f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}, median of {args.repeats}")
    for label, case, was in (("flags on 400 edited links", flags_case, 1.0),
                             ("word diff, 300 links of a communiqué-sized pair", word_diff_case, 3.0)):
        runs = [case() for _ in range(args.repeats)]
        seconds = statistics.median(r[0] for r in runs)
        print(f"  {label:<50} {seconds:6.3f} s   (result {runs[0][1]}; the old unit-test bound was {was:g} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
