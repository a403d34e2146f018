"""Series benchmark: cold and cached runs, serial and on a 2-worker Dask cluster.

Cases (each runs in its own process, so the peak memory is that run's own):

* ``g7`` — the G7 folder (10 statements) as one series: index, embed, the 9
  pairwise diffs, the analysis and the HTML page with its 9 step reports.
* ``ungd`` — the 28 UN General Debate speeches as seven country series
  (grouped by parties), all seven reports.
* ``g7-add`` — the G7 series with its first 9 statements cached, then the
  10th added (``--repeat`` times, each from the same snapshot of the cache;
  medians printed): what adding one statement costs, against that
  statement's own embedding (the run's embedding stage: torch import, model
  load, encoding its new sentences).
* ``synthetic`` — ``--statements N`` re-dated copies of real statements with
  the seeded edits of ``bench/edits.py`` (each version edits the previous
  one; series of ``--series-length`` versions), for throughput (statements
  per second) and the memory of each worker, with the modes of ``--modes``
  (``0`` serial, ``1`` and ``2`` workers). Most sentences of an edited
  version are its predecessor's, so the embedding cache serves them: the
  distinct sentences (what was encoded) are printed beside the total.
* ``cold-embed`` — embedding alone, cold, of the 28 UN General Debate
  speeches (all distinct text): the throughput of encoding when nothing is
  cached, serial and with ``--workers``.

``cold`` starts from an empty cache directory; ``cached`` repeats the run on
the warm cache (vectors and pairwise results). Figures: wall seconds, CPU
seconds of the whole process tree, and peak RSS of the largest process
(``ru_maxrss`` of the run and of its waited-for children: Dask workers are
among them).

    .venv/bin/python bench/series.py                       # everything (~30 min on a busy 2-core box)
    .venv/bin/python bench/series.py --only g7 --only g7-add
    .venv/bin/python bench/series.py --only g7-add --repeat 5
    .venv/bin/python bench/series.py --only synthetic --statements 2000 --modes 1,2

Reads ../shared (prints "Skipped: …" and exits 0 when it is absent); writes
only under a temporary directory.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "corpus"
sys.path.insert(0, str(ROOT))


# --------------------------------------------------------------------------- one case, in its own process


def _run_case(spec: dict) -> dict:
    """Index ``spec['folders']``, build and render every selected series."""
    t0 = time.perf_counter()
    from driftlab.corpus import build_index
    from driftlab.pipeline import load_document, make_cache, make_encoder
    from driftlab.report import render_html
    from driftlab.series import ResultCache, SerialRunner, build_series_report
    from driftlab.series_report import render_series_html

    try:  # pages through the result cache, where the library has it
        from driftlab.series_report import series_page, step_pages
    except ImportError:
        def step_pages(rep, results):
            return [render_html(r) for r in rep.steps]

        def series_page(rep, step_dir, results):
            return render_series_html(rep, step_dir)
    from driftlab.settings import Settings

    try:  # what the CLI does while a new statement is embedded, where the library has it
        from driftlab.series_report import prepare_page

        prepare = {"prepare": (prepare_page,)}
    except ImportError:
        prepare = {}
    settings = Settings().updated({"cache_dir": spec["cache"]})
    # CPU seconds of the embedding stage (this process; the encoder's threads
    # included): on a shared machine wall time swings with the neighbours.
    embed_cpu = [0.0]
    plain_embed = SerialRunner.embed_documents

    def embed_documents(self, *args, **kwargs):
        c = time.process_time()
        try:
            return plain_embed(self, *args, **kwargs)
        finally:
            embed_cpu[0] += time.process_time() - c

    SerialRunner.embed_documents = embed_documents
    runner = None
    if spec.get("workers"):
        from driftlab.distributed import DaskRunner

        runner = DaskRunner(workers=spec["workers"], settings=settings)
    t_start = time.perf_counter()
    encoder, cache = make_encoder(settings), make_cache(settings)
    results = ResultCache(spec["cache"])
    try:  # statements through the result cache, where the library has it
        from driftlab.series import document_loader

        load = document_loader(settings, results)
    except ImportError:
        def load(p):
            return load_document(p, settings)
    idx = build_index(spec["folders"], spec.get("grouping", "folder"), runner or load)
    t_index = time.perf_counter()
    timings: dict = {}
    n = 0
    page_s = steps_s = 0.0
    for s in idx.series:
        if spec.get("embed_only"):
            (runner or SerialRunner()).embed_documents(s.documents, encoder, cache, settings)
            n += len(s.entries)
            continue
        rep = build_series_report(s, settings, encoder, cache, runner=runner, results=results, timings=timings,
                                  **prepare)
        t = time.perf_counter()
        series_page(rep, "steps", results)
        page_s += time.perf_counter() - t
        t = time.perf_counter()
        if spec.get("steps", True):
            step_pages(rep, results)
        steps_s += time.perf_counter() - t
        n += len(s.entries)
    t_end = time.perf_counter()
    if spec.get("embed_only"):
        timings["embedding"] = t_end - t_index
    out = {"statements": n, "series": len(idx.series), "import_s": round(t_start - t0, 2),
           "index_s": round(t_index - t_start, 2), "series_s": round(t_end - t_index, 2),
           "embedding_s": round(timings.get("embedding", 0.0), 2), "diffs_s": round(timings.get("diffs", 0.0), 2),
           "prepare_wait_s": round(timings.get("prepare_wait", 0.0), 2),
           "page_s": round(page_s, 2), "step_pages_s": round(steps_s, 2), "embedding_cpu_s": round(embed_cpu[0], 2),
           "torch_imported": "torch" in sys.modules}
    # Outside the timed run: what the corpus holds against what had to be encoded.
    from driftlab.embed import expand_acronyms

    texts = [expand_acronyms(x.text) for s in idx.series for d in s.documents for p in d.paragraphs for x in p.sentences]
    out["sentences"], out["distinct_sentences"] = len(texts), len(set(texts))
    # What the caches hold after the run (SQLite files with their WAL).
    sizes: dict = {}
    for f in Path(spec["cache"]).glob("*.sqlite3*"):
        name = f.name.split(".sqlite3")[0]
        sizes[name] = sizes.get(name, 0) + f.stat().st_size
    out["cache_mb"] = {k: round(v / 2**20, 1) for k, v in sorted(sizes.items())}
    out["client_peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    if runner is not None:
        mem = runner.client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
        out["worker_peak_mb"] = sorted(round(v / 1024) for v in mem.values())
        runner.close()
    return out


def _own_embedding(path: str, cache_dir: str) -> dict:
    """The cost of embedding one statement alone, model already loaded."""
    from driftlab.pipeline import load_document, make_encoder, sentence_vectors
    from driftlab.embed import EmbeddingCache
    from driftlab.settings import Settings

    t = time.perf_counter()
    enc = make_encoder(Settings())
    enc.encode(["warm the model up"])  # import and load: measured apart from the encoding
    load_s = time.perf_counter() - t
    doc = load_document(path)
    t = time.perf_counter()
    sentence_vectors(doc, enc, EmbeddingCache(cache_dir))
    return {"embed_one_s": round(time.perf_counter() - t, 2), "model_load_s": round(load_s, 2),
            "sentences": sum(len(p.sentences) for p in doc.paragraphs)}


def measure(spec: dict) -> dict:
    """Run one case in a child process; wall time, CPU time and peak RSS of its tree."""
    t = time.perf_counter()
    # Python's default of caching bytecode, as on a user's machine: this
    # sandbox exports PYTHONDONTWRITEBYTECODE=1, which makes every fresh
    # process compile driftlab's modules again (~0.2 s no installed copy pays).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    proc = subprocess.Popen([sys.executable, __file__, "--case", json.dumps(spec)], stdout=subprocess.PIPE, text=True,
                            env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    out = json.loads(proc.stdout.read() or "{}")
    if status != 0:
        raise SystemExit(f"case failed: {spec}")
    out.update({"wall_s": round(wall, 2), "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
                # wait4's ru_maxrss is the largest process of the child's tree
                "peak_mb": round(usage.ru_maxrss / 1024)})
    return out


# --------------------------------------------------------------------------- synthetic corpus


def synthetic_corpus(target: Path, n: int, length: int = 50) -> None:
    """``n`` statements in series of ``length``: each series a chain of
    monthly versions of one of four real statements, each version
    ``bench/edits.py``'s seeded edit of the one before (series ``k`` starts
    from base ``k % 4`` with its own seeds, so series of one base share only
    their first version)."""
    sys.path.insert(0, str(ROOT / "bench"))
    from edits import generate, join_paragraphs

    from driftlab.pipeline import load_document

    bases = ["trilateral_rok_us_japan/2024-11-15_lima_trilateral_leaders_joint_statement.txt",
             "quad/2021-09-24_quad_leaders_joint_statement.txt",
             "aukus/2023-03-13_aukus_joint_leaders_statement.txt",
             "us_rok/2022-05-21_us_rok_leaders_joint_statement.txt"]
    docs = [load_document(SHARED / b) for b in bases]
    paras = [[[s.text for s in p.sentences] for p in d.paragraphs if p.sentences] for d in docs]
    n_series = max(1, -(-n // length))
    per = [n // n_series + (1 if k < n % n_series else 0) for k in range(n_series)]
    for k, count in enumerate(per):
        b = k % len(bases)
        folder = target / f"synthetic_{k:03d}"
        folder.mkdir(parents=True)
        donors = [p for j, ps in enumerate(paras) if j != b for p in ps]
        current = paras[b]
        for v in range(count):
            if v:
                current = [list(p) for p in generate(current, seed=1000 * k + v, donors=donors).new_paragraphs]
            day = f"{2000 + v // 12:04d}-{v % 12 + 1:02d}-15"
            (folder / f"{day}_v{v:04d}.txt").write_text(
                f'---\ntitle: "Synthetic statement {k}/{v}"\ndate: "{day}"\nseries: "synthetic {k}"\n---\n'
                + join_paragraphs(current), encoding="utf-8")


# --------------------------------------------------------------------------- main


def _row(name: str, r: dict) -> str:
    extra = f" workers {r['worker_peak_mb']} MB, client {r.get('client_peak_mb')} MB" if "worker_peak_mb" in r else ""
    return (f"{name:<28} {r['statements']:>4} stmts {r['series']:>2} series  wall {r['wall_s']:>7.2f} s  "
            f"cpu {r['cpu_s']:>7.2f} s  peak {r['peak_mb']:>5} MB{extra}  "
            f"(index {r['index_s']} s, embed {r['embedding_s']} s, diffs {r['diffs_s']} s, "
            f"page {r.get('page_s', 0)} s, step pages {r.get('step_pages_s', 0)} s, "
            f"torch {'yes' if r['torch_imported'] else 'no'}; "
            f"{r.get('distinct_sentences', '?')} distinct of {r.get('sentences', '?')} sentences; "
            f"cache MB {r.get('cache_mb', {})})")


def _load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def _median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2] if len(xs) % 2 else round((xs[len(xs) // 2 - 1] + xs[len(xs) // 2]) / 2, 2)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", action="append", choices=["g7", "ungd", "g7-add", "synthetic", "cold-embed"])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--statements", type=int, default=200, help="synthetic corpus size")
    ap.add_argument("--series-length", type=int, default=50, help="synthetic statements per series")
    ap.add_argument("--modes", default="0,1,2", help="synthetic: worker counts to run (0 = serial)")
    ap.add_argument("--repeat", type=int, default=3, help="g7-add: how many times the tenth statement is added")
    ap.add_argument("--json", help="also write the figures to this file")
    ap.add_argument("--case", help=argparse.SUPPRESS)
    ap.add_argument("--own-embedding", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.case:
        print(json.dumps(_run_case(json.loads(args.case))), flush=True)
        import gc

        gc.freeze()  # as driftlab's CLI does before exit (see driftlab.cli.main)
        return 0
    if args.own_embedding:
        print(json.dumps(_own_embedding(*args.own_embedding)))
        return 0
    if not SHARED.is_dir():
        print(f"Skipped: {SHARED} is absent")
        return 0
    only = set(args.only or ["g7", "ungd", "g7-add", "synthetic", "cold-embed"])
    tmp = Path(tempfile.mkdtemp(prefix="driftlab-series-bench-"))
    report: dict = {}
    print(f"{os.cpu_count()} CPUs, {_load()}", flush=True)
    try:
        for name, folders, grouping in (("g7", [str(SHARED / "g7")], "folder"),
                                        ("ungd", [str(SHARED / "un_general_debate")], "parties")):
            if name not in only:
                continue
            for workers in (0, args.workers):
                cache = str(tmp / f"{name}-w{workers}")
                spec = {"folders": folders, "grouping": grouping, "cache": cache, "workers": workers}
                label = f"{name} {'serial' if not workers else f'{workers} workers'}"
                for phase in ("cold", "cached"):
                    r = measure(spec)
                    report[f"{label} {phase}"] = r
                    print(_row(f"{label} {phase}", r), flush=True)
        if "g7-add" in only:
            files = sorted((SHARED / "g7").glob("*.txt"))
            folder = tmp / "g7-add" / "g7"
            folder.mkdir(parents=True)
            for f in files[:-1]:
                shutil.copy(f, folder)
            cache, snapshot = tmp / "g7-add-cache", tmp / "g7-add-cache-9"
            spec = {"folders": [str(folder)], "cache": str(cache), "workers": 0}
            r9 = measure(spec)
            print(_row("g7 first 9 cold", r9), flush=True)
            shutil.copytree(cache, snapshot)
            shutil.copy(files[-1], folder)
            adds = []
            for k in range(args.repeat):
                shutil.rmtree(cache)
                shutil.copytree(snapshot, cache)  # the same cached nine, every time
                r10 = measure(spec)
                r10["rest_s"] = round(r10["wall_s"] - r10["embedding_s"], 2)
                r10["rest_cpu_s"] = round(r10["cpu_s"] - r10["embedding_cpu_s"], 2)
                adds.append(r10)
                print(_row(f"g7 +1 statement ({k + 1})", r10) + f"  rest {r10['rest_s']} s wall, "
                      f"{r10['rest_cpu_s']} s CPU; {_load()}", flush=True)
            own = [json.loads(subprocess.run([sys.executable, __file__, "--own-embedding", str(files[-1]),
                                              str(tmp / f"own-cache-{k}")], capture_output=True, text=True,
                                             check=True).stdout) for k in range(args.repeat)]
            cached = measure(spec)
            print(_row("g7 all 10 cached", cached), flush=True)
            med = {k: _median([a[k] for a in adds]) for k in
                   ("wall_s", "cpu_s", "embedding_s", "embedding_cpu_s", "rest_s", "rest_cpu_s", "index_s", "diffs_s",
                    "page_s", "step_pages_s", "import_s")}
            own_load, own_enc = _median([o["model_load_s"] for o in own]), _median([o["embed_one_s"] for o in own])
            print(f"adding {files[-1].name} ({own[0]['sentences']} sentences), medians of {args.repeat}: "
                  f"run {med['wall_s']} s wall, {med['cpu_s']} s CPU; its embedding stage in the run "
                  f"{med['embedding_s']} s wall, {med['embedding_cpu_s']} s CPU (torch import, model load, encoding); "
                  f"everything else {med['rest_s']} s wall, {med['rest_cpu_s']} s CPU "
                  f"(python and driftlab import {med['import_s']} s, index {med['index_s']} s, the new diff "
                  f"{med['diffs_s']} s, series page {med['page_s']} s, step pages {med['step_pages_s']} s, "
                  f"the rest analysis). Alone in a fresh process: import and model load {own_load} s, encoding "
                  f"{own_enc} s, so the run cost {round(med['wall_s'] - own_load - own_enc, 2)} s more than "
                  f"embedding the statement alone (the target: 1 s). Work done while the encoder ran "
                  f"(matplotlib's import, the new statement's facts): "
                  f"{_median([a.get('prepare_wait_s', 0.0) for a in adds])} s waited for it after. "
                  f"A fully cached run: {cached['wall_s']} s. {_load()}", flush=True)
            report["g7-add"] = {"first9": r9, "plus1": adds, "own": own, "cached": cached, "medians": med}
        if "cold-embed" in only:
            for workers in (0, args.workers):
                spec = {"folders": [str(SHARED / "un_general_debate")], "grouping": "parties",
                        "cache": str(tmp / f"cold-embed-w{workers}"), "workers": workers, "embed_only": True}
                r = measure(spec)
                label = f"cold embed {'serial' if not workers else f'{workers} workers'}"
                print(_row(label, r) + f"  → {r['statements'] / r['embedding_s']:.2f} statements/s, "
                      f"{r['distinct_sentences'] / r['embedding_s']:.1f} sentences/s (embedding stage); {_load()}",
                      flush=True)
                report[label] = r
        if "synthetic" in only:
            t = time.perf_counter()
            synthetic_corpus(tmp / "synthetic", args.statements, args.series_length)
            print(f"synthetic corpus: {args.statements} statements in series of {args.series_length} written in "
                  f"{time.perf_counter() - t:.1f} s", flush=True)
            folders = sorted(str(p) for p in (tmp / "synthetic").iterdir())
            for workers in (int(m) for m in args.modes.split(",")):
                spec = {"folders": folders, "grouping": "series", "cache": str(tmp / f"syn-w{workers}"),
                        "workers": workers, "steps": False}
                r = measure(spec)
                label = f"synthetic {'serial' if not workers else f'{workers} worker' + ('s' if workers > 1 else '')}"
                print(_row(label + " cold", r) + f"  → {r['statements'] / r['wall_s']:.2f} statements/s; {_load()}",
                      flush=True)
                report[label] = r
        if args.json:
            Path(args.json).write_text(json.dumps(report, indent=1), encoding="utf-8")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
