"""Lineage quality: driftlab's links against hand-read gold, by split, beside two baselines.

    .venv/bin/python bench/lineage_quality.py [--split test|tuning|all] [--stress old:4|new:4] [--json out.json] [-v]

Gold files are ``tests/gold/lineage/*.json`` (see ``tests/gold/README.md``):
real pairs from ``../shared/corpus`` read in full and annotated *before*
driftlab's output for them was looked at, each link ``certain`` or
``probable`` with a reason. Pairs were split into a ``tuning`` and a ``test``
half before any threshold was touched; only the tuning half was used to set
thresholds, and the figure to quote is the test half's.

Scoring is by ``(old unit, new unit)`` pairs: a link expands to every pair it
joins; an added unit is ``(None, j)``, a dropped one ``(i, None)``. Gold
units are stored as character spans, and driftlab's paragraphs are mapped to
them by overlap, so a later change of segmentation does not invalidate the
gold. Two figures per pair:

- **certain**: recall over the pairs of certain links; precision over
  predicted pairs, not counting those touching a unit of a probable link
  or listed as a probable pair (an analyst could go either way there);
- **all**: every gold link, certain and probable, against every prediction.

**Stress** (``--stress old:4``, ``--stress new:4``): the same gold, with
one side's paragraphs joined into that many long paragraphs (consecutive
gold units, never cutting one), the gold mapped onto the blocks. It asks how
the rules behave when one statement is a few long paragraphs and the other
many short ones (four paragraphs against fifty-seven, a first paragraph of a
thousand words of inline items) — on tuning pairs, without reading a test
pair.

Baselines on the same gold: **naive** word matching (each new paragraph to
the old one with the best rapidfuzz ``token_set_ratio`` ≥ 60, the rest added
or dropped) and the **old design** (the copied-text aligner of commit
``06866b8``, read from git, when the history is available).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import time
import types
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
SEED = SHARED / "seed" / "2024-10-16_trilateral_vice_fm_seoul_raw_webpage.txt"
GOLD_DIR = ROOT / "tests" / "gold" / "lineage"
OLD_DESIGN_COMMIT = "06866b8"

sys.path.insert(0, str(ROOT))

Pair = tuple  # (old unit | None, new unit | None)


def statement_path(name: str) -> Path:
    return SEED if name == "seed" else CORPUS / name


def load_gold(split: str = "all") -> list[dict]:
    files = sorted(GOLD_DIR.glob("*.json"))
    gold = [json.loads(p.read_text(encoding="utf-8")) for p in files]
    return [g for g in gold if split == "all" or g["split"] == split]


def unit_map(paragraph_spans: Sequence[tuple[int, int]], units: Sequence[Sequence[int]]) -> list[int]:
    """For each paragraph, the gold unit it overlaps most (by characters)."""
    out = []
    for s, e in paragraph_spans:
        best, best_k = -1, 0
        for k, (us, ue) in enumerate(units):
            ov = min(e, ue) - max(s, us)
            if ov > best:
                best, best_k = ov, k
        out.append(best_k)
    return out


def gold_pairs(g: dict) -> tuple[set[Pair], set[Pair], set[int], set[int], set[Pair]]:
    """``(certain pairs, all pairs, old units of probable links, new units of
    probable links, probable pairs inside certain links)``.

    A gold file may list ``probable_pairs``: ``[old, new]`` pairs that are
    only probable inside a link marked certain (one old unit fans out into
    several new ones, some of them weakly).
    """
    certain: set[Pair] = set()
    every: set[Pair] = set()
    p_old: set[int] = set()
    p_new: set[int] = set()
    weak = {(int(i), int(j)) for i, j in g.get("probable_pairs", [])}
    for lk in g["links"]:
        pairs = _expand(lk["old"], lk["new"])
        every |= pairs
        if lk.get("confidence", "certain") == "certain":
            certain |= pairs
        else:
            p_old.update(lk["old"])
            p_new.update(lk["new"])
    return certain - weak, every, p_old, p_new, weak


def _expand(old: Sequence[int], new: Sequence[int]) -> set[Pair]:
    if old and new:
        return {(i, j) for i in old for j in new}
    if old:
        return {(i, None) for i in old}
    return {(None, j) for j in new}


def predicted_pairs(links: Iterable[tuple[Sequence[int], Sequence[int]]], o_map: list[int], n_map: list[int]) -> set[Pair]:
    """Prediction in gold units; a unit counts as added/dropped only if no part of it links."""
    pairs: set[Pair] = set()
    for old, new in links:
        pairs |= _expand(sorted({o_map[i] for i in old}), sorted({n_map[j] for j in new}))
    linked_o = {i for i, j in pairs if i is not None and j is not None}
    linked_n = {j for i, j in pairs if i is not None and j is not None}
    return {(i, j) for i, j in pairs if not ((j is None and i in linked_o) or (i is None and j in linked_n))}


def prf(pred: set[Pair], gold: set[Pair]) -> dict[str, float]:
    tp = len(pred & gold)
    p = tp / len(pred) if pred else 1.0
    r = tp / len(gold) if gold else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "tp": tp,
            "pred": len(pred), "gold": len(gold)}


def score(g: dict, pred: set[Pair]) -> dict[str, dict]:
    certain, every, p_old, p_new, weak = gold_pairs(g)
    counted = {(i, j) for i, j in pred if i not in p_old and j not in p_new and (i, j) not in weak}
    return {"certain": prf(counted, certain), "all": prf(pred, every)}


def micro(rows: Sequence[dict], system: str, kind: str) -> dict[str, float]:
    tp = sum(r[system][kind]["tp"] for r in rows)
    npred = sum(r[system][kind]["pred"] for r in rows)
    ngold = sum(r[system][kind]["gold"] for r in rows)
    p = tp / npred if npred else 1.0
    r_ = tp / ngold if ngold else 1.0
    return {"precision": round(p, 4), "recall": round(r_, 4), "f1": round(2 * p * r_ / (p + r_) if p + r_ else 0.0, 4)}


# ----------------------------------------------------------------- systems --


def naive_links(old_texts: Sequence[str], new_texts: Sequence[str], threshold: float = 60.0):
    from rapidfuzz import fuzz

    out, used = [], set()
    for j, t in enumerate(new_texts):
        scores = [fuzz.token_set_ratio(o, t) for o in old_texts]
        k = max(range(len(scores)), key=scores.__getitem__) if scores else -1
        if k >= 0 and scores[k] >= threshold:
            out.append(([k], [j]))
            used.add(k)
        else:
            out.append(([], [j]))
    out.extend(([i], []) for i in range(len(old_texts)) if i not in used)
    return out


def old_design() -> Callable | None:
    """The aligner as it was before sentence lineage, read from git history."""
    try:
        src = subprocess.run(["git", "-C", str(ROOT), "show", f"{OLD_DESIGN_COMMIT}:driftlab/align.py"],
                             capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    import driftlab

    spec = importlib.util.spec_from_loader("driftlab._align_old_design", loader=None)
    mod = types.ModuleType(spec.name)
    mod.__package__ = "driftlab"
    mod.__dict__["__builtins__"] = __builtins__
    sys.modules[spec.name] = mod
    exec(compile(src, f"{OLD_DESIGN_COMMIT}:driftlab/align.py", "exec"), mod.__dict__)
    assert driftlab
    return mod.align


def join_units(doc, units: Sequence[Sequence[int]], n: int):
    """``doc`` with its paragraphs joined into ``n`` blocks of consecutive
    gold units (a unit is never cut), and the gold units of those blocks.

    Returns ``(document, block_of_unit, block_spans)``. A block is one
    paragraph holding its paragraphs' sentences unchanged (same spans, same
    texts), so sentence vectors are those of the original document.
    """
    from driftlab.types import Document, Paragraph, Sentence

    unit_of = unit_map([(p.start, p.end) for p in doc.paragraphs], units)
    per = max(1, -(-len(units) // max(1, n)))
    block_of_unit = {u: u // per for u in range(len(units))}
    groups: dict[int, list] = {}
    for p in doc.paragraphs:
        groups.setdefault(block_of_unit[unit_of[p.index]], []).append(p)
    text = doc.statement.text
    paragraphs = []
    for b in sorted(groups):
        ps = groups[b]
        sents = [s for p in ps for s in p.sentences]
        a, e = ps[0].start, ps[-1].end
        paragraphs.append(Paragraph(index=len(paragraphs), start=a, end=e, text=text[a:e], sentences=tuple(
            Sentence(index=k, start=s.start, end=s.end, text=s.text) for k, s in enumerate(sents))))
    # Blocks are renumbered in order; a block no paragraph fell into is dropped.
    renum = {b: k for k, b in enumerate(sorted(groups))}
    block_of_unit = {u: renum[b] for u, b in block_of_unit.items() if b in renum}
    spans = [[p.start, p.end] for p in paragraphs]
    return Document(statement=doc.statement, paragraphs=tuple(paragraphs)), block_of_unit, spans


def block_gold(g: dict, side: str, block_of_unit: dict[int, int], spans: list) -> dict:
    """The gold of ``g`` on blocks of ``side``'s units (see :func:`join_units`).

    Links have their units mapped to blocks; a block is dropped (or added)
    only if none of its units is linked, as :func:`predicted_pairs` reads a
    prediction. A block mixes units of certain and probable links, so every
    link counts as certain: the stress figures are the "all" figures.
    """
    def m(xs, s):
        return sorted({block_of_unit[x] for x in xs}) if s == side else list(xs)

    links = [{**lk, "old": m(lk["old"], "old"), "new": m(lk["new"], "new"), "confidence": "certain"}
             for lk in g["links"]]
    linked_o = {i for lk in links if lk["old"] and lk["new"] for i in lk["old"]}
    linked_n = {j for lk in links if lk["old"] and lk["new"] for j in lk["new"]}
    out = []
    for lk in links:
        if not lk["new"]:
            lk = {**lk, "old": [i for i in lk["old"] if i not in linked_o]}
        elif not lk["old"]:
            lk = {**lk, "new": [j for j in lk["new"] if j not in linked_n]}
        if lk["old"] or lk["new"]:
            out.append(lk)
    return {**g, "units": {**g["units"], side: spans}, "links": out, "probable_pairs": []}


def run(split: str = "all", verbose: bool = False, log=print,
        stress: tuple[str, int] | None = None) -> dict[str, Any]:
    from driftlab.align import AlignParams, align
    from driftlab.pipeline import align_params, load_document, make_cache, make_encoder, sentence_vectors
    from driftlab.settings import Settings

    settings = Settings()
    encoder, cache = make_encoder(settings), make_cache(settings)
    params: AlignParams = align_params(settings)
    old_align = old_design()
    rows = []
    for g in load_gold(split):
        od = load_document(statement_path(g["old"]), settings)
        nd = load_document(statement_path(g["new"]), settings)
        ov, nv = sentence_vectors(od, encoder, cache), sentence_vectors(nd, encoder, cache)
        if stress:
            side, n = stress
            joined, block_of_unit, spans = join_units(od if side == "old" else nd, g["units"][side], n)
            od, nd = (joined, nd) if side == "old" else (od, joined)
            g = block_gold(g, side, block_of_unit, spans)
        o_map = unit_map([(p.start, p.end) for p in od.paragraphs], g["units"]["old"])
        n_map = unit_map([(p.start, p.end) for p in nd.paragraphs], g["units"]["new"])
        t0 = time.perf_counter()
        links = align(od, nd, ov, nv, params)
        elapsed = time.perf_counter() - t0
        row = {"name": g["name"], "split": g["split"], "batch": g.get("batch", 1), "align_seconds": round(elapsed, 3),
               "driftlab": score(g, predicted_pairs(((lk.old, lk.new) for lk in links), o_map, n_map)),
               "naive": score(g, predicted_pairs(naive_links([p.text for p in od.paragraphs],
                                                             [p.text for p in nd.paragraphs]), o_map, n_map))}
        if old_align is not None:
            old_links = old_align(od, nd, ov, nv, params)
            row["old_design"] = score(g, predicted_pairs(((lk.old, lk.new) for lk in old_links), o_map, n_map))
        if verbose:
            row["links"] = [{"type": lk.type, "old": list(lk.old), "new": list(lk.new),
                             "units_old": sorted({o_map[i] for i in lk.old}),
                             "units_new": sorted({n_map[j] for j in lk.new}),
                             "confidence": lk.confidence} for lk in links]
        rows.append(row)
    systems = ["driftlab", "old_design", "naive"] if old_align is not None else ["driftlab", "naive"]
    summary = {}
    for sp in ("tuning", "test"):
        part = [r for r in rows if r["split"] == sp]
        if part:
            summary[sp] = {s: {k: micro(part, s, k) for k in ("certain", "all")} for s in systems}
        # Each batch of a split on its own (tests/gold/README.md): a later
        # batch was annotated after rules were built, so it is the fresher check.
        batches = sorted({r["batch"] for r in part})
        for b in batches if len(batches) > 1 else ():
            sub = [r for r in part if r["batch"] == b]
            summary[f"{sp}, batch {b}"] = {s: {k: micro(sub, s, k) for k in ("certain", "all")} for s in systems}
    return {"pairs": rows, "summary": summary, "systems": systems}


def print_report(res: dict[str, Any]) -> None:
    systems = res["systems"]
    head = "  ".join(f"{s + ' cert/all F1':>22}" for s in systems)
    print(f"{'pair':<38} {'split':<7} {head}")
    for r in res["pairs"]:
        cells = "  ".join(f"{r[s]['certain']['f1']:>10.3f} / {r[s]['all']['f1']:<9.3f}" for s in systems)
        print(f"{r['name']:<38} {r['split']:<7} {cells}")
    for sp, summ in res["summary"].items():
        print(f"\n{sp} (micro-averaged over pairs):")
        for s in systems:
            c, a = summ[s]["certain"], summ[s]["all"]
            print(f"  {s:<11} certain P {c['precision']:.3f} R {c['recall']:.3f} F1 {c['f1']:.3f}   "
                  f"all P {a['precision']:.3f} R {a['recall']:.3f} F1 {a['f1']:.3f}")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=("tuning", "test", "all"), default="all")
    ap.add_argument("--json", help="write the figures (and with -v the links) to this file")
    ap.add_argument("-v", "--verbose", action="store_true", help="keep every predicted link in --json")
    ap.add_argument("--stress", metavar="SIDE:N",
                    help="join SIDE's (old or new) paragraphs into N long ones, gold mapped onto them")
    args = ap.parse_args(argv)
    stress = None
    if args.stress:
        side, _, n = args.stress.partition(":")
        if side not in ("old", "new") or not n.isdigit() or int(n) < 1:
            ap.error(f"--stress takes old:N or new:N (N ≥ 1), not {args.stress!r}")
        stress = (side, int(n))
    if not CORPUS.is_dir():
        print(f"skipped: the real corpus is not at {CORPUS} (../shared is absent)")
        return 0
    if not load_gold(args.split):
        print(f"no gold files in {GOLD_DIR} for split {args.split!r}")
        return 1
    res = run(args.split, args.verbose, stress=stress)
    if stress:
        print(f"stress: the {stress[0]} statement's paragraphs joined into {stress[1]} long ones\n")
    print_report(res)
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
