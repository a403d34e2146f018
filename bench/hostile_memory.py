"""Peak memory and time for the largest input that passes driftlab's budgets.

Builds two synthetic statements as large as the default budgets allow at
once (see ``driftlab settings``) and runs ``driftlab diff`` on them in a
child process, then prints the child's peak resident memory (``ru_maxrss``)
and wall time. Issue 8 asks for a peak under 2 GB.

The budgets trade off (``max_matrix_cells`` bounds old × new sentences,
old × new paragraphs and paragraphs × words together), so there is no one
largest input: each case is a corner, as large as every budget allows at once:

* one sentence without punctuation filling ``max_text_mb`` on each side (cut
  into ``max_sentence_chars`` pieces and ``max_paragraph_chars`` paragraphs);
* the most sentences (``max_sentences``) and the most text (``max_text_mb``),
  with as many paragraphs as the paragraph × word budget then leaves;
* the most paragraphs (``max_paragraphs``) and sentences, with as much text
  as the paragraph × word budget then leaves.

Wording: random words of a Zipf-like 5,000-word vocabulary, half of the
sentences shared between the two sides (so alignment, word diff and flags
all have work to do). Each case's sizes are printed with the budget verdict.

Usage::

    .venv/bin/python bench/hostile_memory.py                  # deterministic hashing encoder (~4 min)
    .venv/bin/python bench/hostile_memory.py --encoder real   # the bundled model (adds its memory)

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


def synthetic_pair(folder: Path, name: str, rng: random.Random, n_sent: int, n_para: int,
                   chars: int) -> tuple[Path, Path]:
    """Two statements of ``n_sent`` sentences of ~``chars`` characters in ``n_para``
    paragraphs; half of the sentences are shared, so every stage has work."""
    words, cum = vocabulary(rng)
    shared = [sentence(rng, words, cum, chars) for _ in range(n_sent // 2)]
    paths = []
    for side in ("old", "new"):
        sents = shared + [sentence(rng, words, cum, chars) for _ in range(n_sent - len(shared))]
        rng.shuffle(sents)
        paras = [" ".join(sents[k::n_para]) for k in range(n_para)]
        p = folder / f"{name}_{side}.txt"
        p.write_text("\n\n".join(paras) + "\n", encoding="utf-8")
        paths.append(p)
    return paths[0], paths[1]


def long_sentence_pair(folder: Path, s: Settings, rng: random.Random) -> tuple[Path, Path]:
    """``max_text_mb`` of words without a single punctuation mark, per side."""
    words, cum = vocabulary(rng)
    budget = int(s.max_text_mb * 1024 * 1024 * 0.97)
    paths = []
    for side in ("old", "new"):
        text = sentence(rng, words, cum, budget)[:-1]  # no full stop at all
        p = folder / f"long_{side}.txt"
        p.write_text(text + "\n", encoding="utf-8")
        paths.append(p)
    return paths[0], paths[1]


def describe(old: Path, new: Path, s: Settings) -> str:
    """Sizes as driftlab sees them, and whether the pair passes every budget."""
    from driftlab.errors import InputTooLarge
    from driftlab.pipeline import check_pair, load_document

    a, b = load_document(old, s), load_document(new, s)
    try:
        check_pair(a, b, s)
        verdict = "passes every budget"
    except InputTooLarge as exc:
        verdict = f"REFUSED: {exc}"
    n_s = sum(len(p.sentences) for p in a.paragraphs)
    words = len(a.statement.text.split()) + len(b.statement.text.split())
    cells = (len(a.paragraphs) + len(b.paragraphs)) * words
    return (f"{n_s:,} sentences, {len(a.paragraphs):,} paragraphs, {old.stat().st_size / 1e6:.2f} MB per side; "
            f"paragraphs × words {cells:,} cells; {verdict}")


def cases(folder: Path, s: Settings, rng: random.Random) -> list[tuple[str, Path, Path]]:
    """The corners of the budgets: each as large as all budgets allow together."""
    text = int(s.max_text_mb * 1024 * 1024 * 0.97)  # bytes of text per side
    word = 7.3  # characters per word with its space, in this vocabulary
    out = []
    old, new = long_sentence_pair(folder, s, rng)
    out.append(("one sentence without punctuation, max_text_mb per side", old, new))
    # Most sentences, most text: paragraphs as many as the paragraph × word budget leaves.
    n_sent = min(s.max_sentences, math.isqrt(s.max_matrix_cells))
    n_para = max(1, int(s.max_matrix_cells / (2 * 2 * text / word) * 0.95) // 2)
    old, new = synthetic_pair(folder, "sentences", rng, n_sent, n_para, text // n_sent - 2)
    out.append(("most sentences and text", old, new))
    # Most paragraphs: text as much as the paragraph × word budget leaves.
    n_para = min(s.max_paragraphs, math.isqrt(s.max_matrix_cells))
    words_per_side = int(s.max_matrix_cells / (2 * n_para) / 2 * 0.95)
    chars = max(12, int(words_per_side * word / n_sent))
    old, new = synthetic_pair(folder, "paragraphs", rng, n_sent, n_para, chars)
    # Short sentences hold fewer words per character than long ones: rescale once.
    words = len(old.read_text(encoding="utf-8").split()) + len(new.read_text(encoding="utf-8").split())
    chars = max(12, int(chars * s.max_matrix_cells * 0.75 / (2 * n_para * words)))
    old, new = synthetic_pair(folder, "paragraphs", rng, n_sent, n_para, chars)
    out.append(("most paragraphs and sentences", old, new))
    return out


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
    ap.add_argument("--encoder", choices=["hashing", "real", "both"], default="hashing",
                    help="hashing: the deterministic test encoder (alignment memory only); "
                         "real: the bundled model (adds the encoder's memory); both")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    s = Settings()
    print(f"budgets: max_text_mb={s.max_text_mb:g} max_sentences={s.max_sentences:,} "
          f"max_paragraphs={s.max_paragraphs:,} max_sentence_chars={s.max_sentence_chars:,} "
          f"max_paragraph_chars={s.max_paragraph_chars:,} max_matrix_cells={s.max_matrix_cells:,}")
    modes = ["hashing", "real"] if args.encoder == "both" else [args.encoder]
    with tempfile.TemporaryDirectory(prefix="driftlab-bench-") as tmp:
        folder = Path(tmp)
        rng = random.Random(args.seed)
        todo = cases(folder, s, rng)
        for what, old, new in todo:
            print(f"{what}: {describe(old, new, s)}", flush=True)
        for mode in modes:
            for what, old, new in todo:
                wall, peak_mb, rc, last = run(mode, old, new, folder)
                status = "report written" if rc == 0 else f"exit {rc}: {last}"
                print(f"[{mode}] {what}: peak {peak_mb:,.0f} MB, {wall:,.1f} s, {status}", flush=True)


if __name__ == "__main__":
    main()
