"""Peak memory and time for the largest input that passes driftlab's budgets.

Builds two synthetic statements as large as the default budgets allow at
once (see ``driftlab settings``) and runs ``driftlab diff`` on them in a
child process, then prints the child's peak resident memory (``ru_maxrss``)
and wall time. Issue 8 asks for a peak under 2 GB.

The statements are made as large as every budget allows together:

* sentences: ``floor(sqrt(max_matrix_cells))`` per side (old × new sentence
  pairs must fit ``max_matrix_cells``), within ``max_sentences``;
* paragraphs: as many as ``max_paragraphs`` and ``max_matrix_cells`` allow;
* text: just under ``max_text_mb`` per side, so sentences are as long as the
  sentence count allows (a long sentence costs more in every pair);
* wording: random words of a Zipf-like 5,000-word vocabulary, half of the
  sentences shared between the two sides (so alignment, word diff and flags
  all have work to do).

A second case is one sentence without punctuation filling ``max_text_mb`` on
each side (it is cut into ``max_sentence_chars`` pieces).

Usage::

    .venv/bin/python bench/hostile_memory.py            # deterministic hashing encoder (~2-4 min)
    .venv/bin/python bench/hostile_memory.py --real     # the real model too (adds the encoder's memory)

Nothing is written to the repository (a temporary folder holds inputs, cache and reports).
"""

from __future__ import annotations

import argparse
import math
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from driftlab.settings import Settings

CHILD = r"""
import resource, sys
if sys.argv[1] == "hashing":
    from driftlab import pipeline
    from driftlab.embed import HashingEncoder
    pipeline.make_encoder = lambda settings, progress=None: HashingEncoder(384)
from driftlab.cli import cli
try:
    cli.main(args=sys.argv[2:], prog_name="driftlab", standalone_mode=False)
finally:
    print("PEAK_KB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def vocabulary(rng: random.Random, n: int = 5000) -> tuple[list[str], list[float]]:
    """``n`` pseudo-words and their cumulative Zipf weights."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = sorted({"".join(rng.choice(letters) for _ in range(rng.randint(2, 11))) for _ in range(n * 2)})[:n]
    cum, total = [], 0.0
    for rank in range(len(words)):
        total += 1.0 / (rank + 1)
        cum.append(total)
    return words, cum


def sentence(rng: random.Random, words: list[str], cum: list[float], chars: int) -> str:
    # Words drawn in batches: one choices() call per word would redo its set-up each time.
    out: list[str] = []
    size = 0
    while size < chars - 12:
        for w in rng.choices(words, cum_weights=cum, k=max(1, (chars - size) // 7)):
            out.append(w)
            size += len(w) + 1
            if size >= chars - 12:
                break
    text = " ".join(out)
    return text[0].upper() + text[1:] + "."


def largest_pair(folder: Path, s: Settings, rng: random.Random) -> tuple[Path, Path, str]:
    n_sent = min(s.max_sentences, math.isqrt(s.max_matrix_cells))
    n_para = min(s.max_paragraphs, math.isqrt(s.max_matrix_cells), n_sent)
    budget = int(s.max_text_mb * 1024 * 1024 * 0.97)
    chars = min(s.max_sentence_chars, budget // n_sent - 2)
    words, weights = vocabulary(rng)
    shared = [sentence(rng, words, weights, chars) for _ in range(n_sent // 2)]
    paths = []
    for side in ("old", "new"):
        own = [sentence(rng, words, weights, chars) for _ in range(n_sent - len(shared))]
        sents = shared + own
        rng.shuffle(sents)
        # n_para paragraphs: the first ones take two sentences until the counts meet.
        paras: list[str] = []
        i = 0
        extra = n_sent - n_para
        while i < len(sents):
            take = 2 if extra > 0 else 1
            extra -= take - 1
            paras.append(" ".join(sents[i : i + take]))
            i += take
        p = folder / f"{side}.txt"
        p.write_text("\n\n".join(paras) + "\n", encoding="utf-8")
        paths.append(p)
    desc = (f"{n_sent:,} sentences of ~{chars:,} chars in {n_para:,} paragraphs per side "
            f"({paths[0].stat().st_size / 1e6:.2f} MB and {paths[1].stat().st_size / 1e6:.2f} MB)")
    return paths[0], paths[1], desc


def long_sentence_pair(folder: Path, s: Settings, rng: random.Random) -> tuple[Path, Path, str]:
    words, weights = vocabulary(rng)
    budget = int(s.max_text_mb * 1024 * 1024 * 0.97)
    paths = []
    for side in ("old", "new"):
        text = sentence(rng, words, weights, budget)[:-1]  # no full stop at all
        p = folder / f"long_{side}.txt"
        p.write_text(text + "\n", encoding="utf-8")
        paths.append(p)
    return paths[0], paths[1], f"one sentence without punctuation, {paths[0].stat().st_size / 1e6:.2f} MB per side"


def run(mode: str, old: Path, new: Path, folder: Path) -> tuple[float, float, int, str]:
    env = dict(os.environ, DRIFTLAB_CACHE=str(folder / "cache"), OPENBLAS_NUM_THREADS="1")
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, mode, "diff", str(old), str(new), "-o", str(folder / "r.html"),
         "--json", str(folder / "r.json"), "-q"],
        capture_output=True, text=True, env=env,
    )
    wall = time.perf_counter() - t0
    lines = proc.stderr.strip().splitlines()
    peak = next((int(l.split()[1]) for l in lines if l.startswith("PEAK_KB ")), 0)
    other = [l for l in lines if not l.startswith("PEAK_KB ")]
    return wall, peak / 1024, proc.returncode, other[-1] if other else ""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--real", action="store_true", help="also run with the real model")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    s = Settings()
    print(f"budgets: max_text_mb={s.max_text_mb:g} max_sentences={s.max_sentences:,} "
          f"max_paragraphs={s.max_paragraphs:,} max_sentence_chars={s.max_sentence_chars:,} "
          f"max_paragraph_chars={s.max_paragraph_chars:,} max_matrix_cells={s.max_matrix_cells:,}")
    modes = ["hashing"] + (["real"] if args.real else [])
    with tempfile.TemporaryDirectory(prefix="driftlab-bench-") as tmp:
        folder = Path(tmp)
        rng = random.Random(args.seed)
        cases = [long_sentence_pair(folder, s, rng), largest_pair(folder, s, rng)]
        for mode in modes:
            for old, new, desc in cases:
                wall, peak_mb, rc, last = run(mode, old, new, folder)
                status = "report written" if rc == 0 else f"exit {rc}: {last}"
                print(f"[{mode}] {desc}: peak {peak_mb:,.0f} MB, {wall:,.1f} s, {status}", flush=True)


if __name__ == "__main__":
    main()
