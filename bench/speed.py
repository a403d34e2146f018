"""Speed and memory of ``driftlab diff``, cold and cached, beside two baselines.

Pairs (issue 2):

1. the seed statement vs the 2024-11-15 trilateral leaders' statement (Lima);
2. the G7 Hiroshima 2023 vs Apulia 2024 communiqués (~130 KB each).

For each pair, in fresh subprocesses (so the import of torch is counted, and
each process's peak memory is its own, read with ``os.wait4``):

* **cold**: empty embedding cache: read, segment, embed, align, word diff,
  topics, flags, HTML and JSON report;
* **cached**: the same again over the warmed cache; the child reports whether
  torch ended up in ``sys.modules`` (it must not);
* **import+load+encode**: importing sentence-transformers, loading the model
  (same precision as driftlab) and encoding the pair's sentences — exactly the
  texts driftlab embeds (paragraph vectors are means of sentence vectors) —
  the floor any tool embedding these texts pays cold;
* **difflib**: ``difflib.HtmlDiff().make_file`` with one line per paragraph;
* **CLI** (when ``.venv/bin/driftlab`` exists): ``driftlab diff OLD NEW -o
  x.html --json x.json --quiet``, cold and cached.

Each figure is the median of ``--repeats`` runs (default 3). Stage timings
come from ``driftlab.pipeline.diff_files(timings=…)``. Caches and reports go
to a temporary directory, never into the repository.

Usage::

    .venv/bin/python bench/speed.py [--repeats 3] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Sequence

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
SEED = SHARED / "seed" / "2024-10-16_trilateral_vice_fm_seoul_raw_webpage.txt"
CLI = ROOT / ".venv" / "bin" / "driftlab"
# The checkout under test comes first, whatever the environment has installed.
sys.path.insert(0, str(ROOT))

PAIRS = (
    ("seed vs Lima 2024", SEED, CORPUS / "trilateral_rok_us_japan" / "2024-11-15_lima_trilateral_leaders_joint_statement.txt"),
    ("G7 2023 vs 2024", CORPUS / "g7" / "2023-05-20_g7_hiroshima_leaders_communique.txt",
     CORPUS / "g7" / "2024-06-14_g7_apulia_leaders_communique.txt"),
)

#: Targets of issue 2, measured on 2 cores.
CACHED_SEED_S = 1.0
COLD_SEED_FACTOR = 1.3
COLD_G7_S = 20.0
CACHED_G7_S = 2.0
PEAK_MB = 1500.0


# --- what runs inside the fresh subprocesses --------------------------------------

def child_pipeline(old: str, new: str, cache_dir: str, out_dir: str) -> dict:
    t0 = time.perf_counter()
    from driftlab.pipeline import diff_files
    from driftlab.report import render_html, to_json
    from driftlab.settings import Settings

    timings: dict[str, float] = {}
    t_import = time.perf_counter() - t0
    result = diff_files(old, new, Settings().updated({"cache_dir": cache_dir}), timings=timings)
    t1 = time.perf_counter()
    html = render_html(result)
    t2 = time.perf_counter()
    data = to_json(result)
    t3 = time.perf_counter()
    Path(out_dir, "report.html").write_text(html, encoding="utf-8")
    Path(out_dir, "report.json").write_text(data, encoding="utf-8")
    timings = {"import driftlab": t_import, **timings, "render html": t2 - t1, "render json": t3 - t2}
    return {"work": time.perf_counter() - t0, "torch": "torch" in sys.modules, "timings": timings,
            "links": len(result.links), "flags": len(result.flags)}


def child_encode(texts_json: str) -> dict:
    texts = json.loads(Path(texts_json).read_text(encoding="utf-8"))
    t0 = time.perf_counter()
    import torch
    from sentence_transformers import SentenceTransformer

    t1 = time.perf_counter()
    from driftlab.embed import SentenceTransformerEncoder, resolve_model_path
    from driftlab.settings import DEFAULT_MODEL

    precision = SentenceTransformerEncoder().precision  # same "auto" choice as driftlab
    model = SentenceTransformer(resolve_model_path(DEFAULT_MODEL), device="cpu", local_files_only=True)
    if precision == "bfloat16":
        model = model.to(torch.bfloat16)
    t2 = time.perf_counter()
    model.encode(texts["sentences"], batch_size=32, normalize_embeddings=True, show_progress_bar=False)
    t3 = time.perf_counter()
    return {"work": t3 - t0, "import": t1 - t0, "load": t2 - t1, "encode sentences": t3 - t2,
            "precision": precision,
            "n_sentences": len(texts["sentences"])}


def child_difflib(texts_json: str) -> dict:
    import difflib

    texts = json.loads(Path(texts_json).read_text(encoding="utf-8"))
    t0 = time.perf_counter()
    html = difflib.HtmlDiff().make_file(texts["old"], texts["new"])
    return {"work": time.perf_counter() - t0, "bytes": len(html)}


CHILDREN = {"pipeline": child_pipeline, "encode": child_encode, "difflib": child_difflib}


# --- the parent -------------------------------------------------------------------

def child_env(env: dict | None = None) -> dict:
    """The environment of a measured child: Python's default of caching
    bytecode, as on a user's machine. A sandbox exporting
    ``PYTHONDONTWRITEBYTECODE=1`` (this one does) would make every fresh
    process compile driftlab's modules again (~0.2 s), a cost no installed
    copy pays."""
    env = dict(os.environ if env is None else env)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run_child(argv: Sequence[str], env: dict | None = None) -> dict:
    """Run ``argv`` in a fresh process; wall time and that process's own peak RSS."""
    env = child_env(env)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(list(argv), stdout=out, stderr=err, env=env, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if proc.returncode != 0:
        tail = stderr.strip().splitlines()[-5:]
        raise RuntimeError(f"{' '.join(map(str, argv[:4]))}… exited {proc.returncode}: " + " | ".join(tail))
    report: dict[str, Any] = {}
    lines = stdout.strip().splitlines()
    if lines and lines[-1].startswith("{"):
        report = json.loads(lines[-1])
    # Linux reports ru_maxrss in kilobytes.
    return {"wall": wall, "peak_mb": usage.ru_maxrss / 1024, **report}


def python_child(mode: str, *args: str) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--child", mode, *args]


def pair_texts(old: Path, new: Path, tmp: Path) -> tuple[Path, Path]:
    """Paragraph and sentence texts of both statements, for the baselines."""
    from driftlab.pipeline import load_document

    docs = [load_document(old), load_document(new)]
    enc = {"sentences": [s.text for d in docs for p in d.paragraphs for s in p.sentences]}
    dl = {"old": [p.text for p in docs[0].paragraphs], "new": [p.text for p in docs[1].paragraphs]}
    a, b = tmp / "encode.json", tmp / "difflib.json"
    a.write_text(json.dumps(enc), encoding="utf-8")
    b.write_text(json.dumps(dl), encoding="utf-8")
    return a, b


def median_of(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def median_timings(runs: list[dict]) -> dict[str, float]:
    names = [k for k in runs[0].get("timings", {})]
    return {k: statistics.median(r["timings"].get(k, 0.0) for r in runs) for k in names}


def bench_pair(label: str, old: Path, new: Path, repeats: int, with_cli: bool, log) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="driftlab-speed-"))
    try:
        enc_json, dl_json = pair_texts(old, new, tmp)
        res: dict[str, Any] = {"pair": label, "old": str(old), "new": str(new)}
        cold, cached = [], []
        warm = None
        enc, dl = [], []
        # Cold run and its baseline back to back, so that load from other work
        # on the machine hits both alike and their ratio stays meaningful.
        for r in range(repeats):
            cache = tmp / f"cache-cold-{r}"
            log(f"{label}: cold run and import+load+encode {r + 1}/{repeats}")
            cold.append(run_child(python_child("pipeline", str(old), str(new), str(cache), str(tmp))))
            enc.append(run_child(python_child("encode", str(enc_json))))
            dl.append(run_child(python_child("difflib", str(dl_json))))
            warm = warm or cache
        for r in range(repeats):
            log(f"{label}: cached run {r + 1}/{repeats}")
            cached.append(run_child(python_child("pipeline", str(old), str(new), str(warm), str(tmp))))
        res["cold"], res["cached"], res["encode"], res["difflib"] = cold, cached, enc, dl
        if with_cli:
            cli_cold, cli_cached = [], []
            for r in range(repeats):
                cache = tmp / f"cli-cache-{r}"
                env = {**os.environ, "DRIFTLAB_CACHE": str(cache)}
                argv = [str(CLI), "diff", str(old), str(new), "-o", str(tmp / "cli.html"),
                        "--json", str(tmp / "cli.json"), "--quiet"]
                log(f"{label}: CLI cold/cached {r + 1}/{repeats}")
                try:
                    cli_cold.append(run_child(argv, env))
                    cli_cached.append(run_child(argv, env))
                except RuntimeError as exc:
                    # A broken CLI must not hide the library figures above.
                    res["cli_error"] = str(exc)
                    break
            else:
                res["cli_cold"], res["cli_cached"] = cli_cold, cli_cached
        return res
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def summarise(res: dict) -> dict:
    out: dict[str, Any] = {"pair": res["pair"], "cli_error": res.get("cli_error"),
                           "cold_runs": res["cold"], "encode_runs": res["encode"]}
    for mode in ("cold", "cached", "encode", "difflib", "cli_cold", "cli_cached"):
        if mode in res:
            runs = res[mode]
            out[mode] = {"wall": median_of(runs, "wall"), "peak_mb": max(r["peak_mb"] for r in runs),
                         "work": median_of(runs, "work") if "work" in runs[0] else None}
            if mode in ("cold", "cached"):
                out[mode]["torch_imported"] = any(r["torch"] for r in runs)
                out[mode]["timings"] = median_timings(runs)
                out[mode]["links"], out[mode]["flags"] = runs[0]["links"], runs[0]["flags"]
            if mode == "encode":
                for k in ("import", "load", "encode sentences"):
                    out[mode][k] = median_of(runs, k)
                out[mode]["precision"] = runs[0]["precision"]
                out[mode]["texts"] = f"{runs[0]['n_sentences']} sentences"
    return out


def _verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def print_report(summaries: list[dict], repeats: int, elapsed: float) -> None:
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"driftlab speed — {usable} usable cores ({os.cpu_count()} in the machine), "
          f"{time.strftime('%Y-%m-%d')}, median of {repeats} fresh processes")
    if hasattr(os, "getloadavg"):
        # Other work on the machine inflates wall times; say how busy it was.
        print(f"  load average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"\n  {'pair / run':<40} {'wall s':>8} {'peak MB':>8}  {'target':<34} verdict")
    for s in summaries:
        enc = s["encode"]
        floor = enc["wall"]
        is_seed = s["pair"].startswith("seed")
        cold_target = COLD_SEED_FACTOR * floor if is_seed else COLD_G7_S
        cached_target = CACHED_SEED_S if is_seed else CACHED_G7_S
        print(f"  {s['pair']}")
        rows = [
            ("driftlab cold (empty cache)", s["cold"],
             f"≤ {cold_target:.2f} s" + (f" (1.3 × {floor:.2f})" if is_seed else ""),
             s["cold"]["wall"] <= cold_target),
            ("driftlab cached", s["cached"], f"≤ {cached_target:.1f} s, no torch",
             s["cached"]["wall"] <= cached_target and not s["cached"]["torch_imported"]),
            ("import+load+encode sentences", enc, "baseline", None),
            ("difflib.HtmlDiff.make_file", s["difflib"], "baseline", None),
        ]
        if "cli_cold" in s:
            rows += [("CLI cold", s["cli_cold"], f"≤ {cold_target:.2f} s", s["cli_cold"]["wall"] <= cold_target),
                     ("CLI cached", s["cli_cached"], f"≤ {cached_target:.1f} s", s["cli_cached"]["wall"] <= cached_target)]
        if s.get("cli_error"):
            rows.append(("CLI", None, "failed: " + s["cli_error"][-150:], None))
        for name, v, target, ok in rows:
            if v is None:
                print(f"    {name:<38} {'—':>8} {'—':>8}  {target}")
                continue
            verdict = "" if ok is None else _verdict(ok)
            if ok is not None and v["peak_mb"] > PEAK_MB:
                verdict = "MISSED (memory)"
            print(f"    {name:<38} {v['wall']:>8.2f} {v['peak_mb']:>8.0f}  {target:<34} {verdict}")
        ratio = statistics.median(c["wall"] / e["wall"] for c, e in zip(s["cold_runs"], s["encode_runs"]))
        print(f"    cold / (import+load+encode), median of paired runs: {ratio:.2f} "
              f"(target for the seed pair ≤ {COLD_SEED_FACTOR})")
        print(f"    torch imported: cold {s['cold']['torch_imported']}, cached {s['cached']['torch_imported']}"
              f"{' (MISSED: must be False)' if s['cached']['torch_imported'] else ''}")
        print(f"    baseline parts: import {enc['import']:.2f} s, load {enc['load']:.2f} s, encode "
              f"{enc['encode sentences']:.2f} s ({enc['texts']}, {enc['precision']}); "
              f"difflib work {s['difflib']['work']:.3f} s")
        for mode in ("cold", "cached"):
            t = s[mode]["timings"]
            parts = ", ".join(f"{k} {v:.2f}" for k, v in t.items())
            print(f"    stages {mode}: {parts}  (s; flags {t.get('flags', 0.0):.2f} s)")
        print(f"    {s['cold']['links']} links, {s['cold']['flags']} flags")
    print(f"\n  peak memory target ≤ {PEAK_MB:.0f} MB; wall times include Python start-up. Total {elapsed:.0f} s.")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=3, help="fresh-process runs per figure (default 3)")
    ap.add_argument("--json", metavar="PATH", help="write all runs and medians here")
    ap.add_argument("--no-cli", action="store_true", help="skip the CLI runs")
    ap.add_argument("--pair", choices=("seed", "g7", "both"), default="both")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.child:
        mode, *rest = args.child
        print(json.dumps(CHILDREN[mode](*rest)))
        return 0
    missing = [p for _, a, b in PAIRS for p in (a, b) if not p.exists()]
    if missing:
        print(f"Skipped: real statements not available ({missing[0]}; ../shared is absent).")
        return 0

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    with_cli = CLI.exists() and not args.no_cli
    pairs = [p for p in PAIRS if args.pair == "both" or p[0].lower().startswith(args.pair)]
    t0 = time.perf_counter()
    raw, failed = [], []
    for label, old, new in pairs:
        try:
            raw.append(bench_pair(label, old, new, args.repeats, with_cli, log))
        except RuntimeError as exc:  # e.g. the pipeline crashed: report it, keep the other pair
            failed.append(f"{label}: {exc}")
    summaries = [summarise(r) for r in raw]
    print_report(summaries, args.repeats, time.perf_counter() - t0)
    for msg in failed:
        print(f"\n  FAILED {msg}")
    if args.json:
        Path(args.json).write_text(json.dumps({"date": time.strftime("%Y-%m-%d"), "cores": os.cpu_count(),
                                               "summary": summaries, "runs": raw, "failed": failed},
                                              indent=1) + "\n",
                                   encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
