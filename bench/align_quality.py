"""Alignment quality: driftlab's aligner against known answers, beside a naive baseline.

Two sources of known answers:

1. **Synthetic edits** (``bench/edits.py``) of real statements from
   ``../shared/corpus``: reorders, splits, merges, rewordings, insertions,
   deletions, migrated sentences and cosmetic edits, with the gold links they
   imply. Seeded, so a run is reproducible.
2. **Hand-written gold files** ``tests/gold/align_*.json`` for real pairs.

A link is identified by ``(frozenset(old), frozenset(new))``; precision,
recall and F1 are micro-averaged over all links of all cases. "Typed" F1 also
requires the link type to be right (moved vs in place, edited vs unchanged…).
Hand-gold links marked ``"uncertain": true`` are not required, and predicted
links touching their paragraphs are not counted against precision.

The baseline is naive word matching: each new paragraph goes to the old one
with the highest rapidfuzz ``token_set_ratio`` (at least ``--baseline-threshold``),
else it is added; old paragraphs nobody chose are dropped.

Usage::

    .venv/bin/python bench/align_quality.py [--cases 40] [--seed 0] [--json out.json]

Runs the real model; embeddings are cached in ``bench/.cache`` (gitignored).
Skips with a message when ``../shared`` is absent.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Iterable, Sequence

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
SEED = SHARED / "seed" / "2024-10-16_trilateral_vice_fm_seoul_raw_webpage.txt"
GOLD_DIR = ROOT / "tests" / "gold"
DEFAULT_CACHE = ROOT / "bench" / ".cache"

# The checkout under test comes first, whatever the environment has installed.
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import edits  # noqa: E402  (bench/ is not a package)

#: Statements the synthetic cases are cut from: every series, short and long
#: (the G7 communiqués have ~300 paragraphs). "seed" is the scraped seed page.
STATEMENTS = (
    "seed",
    "trilateral_rok_us_japan/2023-08-18_spirit_of_camp_david_joint_statement.txt",
    "trilateral_rok_us_japan/2024-11-15_lima_trilateral_leaders_joint_statement.txt",
    "g7/2023-05-20_g7_hiroshima_leaders_communique.txt",
    "g7/2024-06-14_g7_apulia_leaders_communique.txt",
    "g7/2023-12-06_g7_leaders_statement_december.txt",
    "quad/2024-09-21_quad_wilmington_declaration.txt",
    "quad/2022-05-24_quad_joint_leaders_statement_tokyo.txt",
    "us_japan/2024-04-10_us_japan_joint_leaders_statement.txt",
    "us_japan/2022-05-23_japan_us_joint_leaders_statement.txt",
    "us_rok/2023-04-26_us_rok_leaders_joint_statement_70th_anniversary.txt",
    "aukus/2023-03-13_aukus_joint_leaders_statement.txt",
    "un_general_debate/2023_USA_UNGD_session78.txt",
)


def statement_path(name: str) -> Path:
    return SEED if name == "seed" else CORPUS / name


def series_of(name: str) -> str:
    return "trilateral_rok_us_japan" if name == "seed" else name.split("/", 1)[0]


def cores() -> str:
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{usable} usable cores ({os.cpu_count()} in the machine)"


# --- documents ------------------------------------------------------------------


def load_paragraphs(path: Path) -> list[list[str]]:
    """A statement file as driftlab segments it: paragraphs of sentence texts."""
    from driftlab.ingest import load_statement
    from driftlab.segment import segment

    doc = segment(load_statement(path))
    return [[s.text for s in p.sentences] for p in doc.paragraphs]


def document(text: str, label: str):
    from driftlab.ingest import parse_text
    from driftlab.segment import segment

    return segment(parse_text(text, path=label))


def same_segmentation(doc, paragraphs: Sequence[Sequence[str]]) -> bool:
    return [[s.text for s in p.sentences] for p in doc.paragraphs] == [list(p) for p in paragraphs]


# --- the baseline -----------------------------------------------------------------


def naive_links(old_texts: Sequence[str], new_texts: Sequence[str], threshold: float) -> list[dict]:
    """Each new paragraph → the old one with the best token_set_ratio ≥ threshold."""
    from rapidfuzz import fuzz, process

    chosen: dict[int, list[int]] = defaultdict(list)
    added: list[int] = []
    if old_texts and new_texts:
        scores = process.cdist(new_texts, old_texts, scorer=fuzz.token_set_ratio)
        for j, row in enumerate(scores):
            i = int(row.argmax())
            (chosen[i].append(j) if row[i] >= threshold else added.append(j))
    else:
        added = list(range(len(new_texts)))
    pairs = [((i,), tuple(js)) for i, js in sorted(chosen.items())]
    pairs += [((), (j,)) for j in added]
    pairs += [((i,), ()) for i in range(len(old_texts)) if i not in chosen]
    typed = edits.link_types(pairs, old_texts, new_texts)
    return [{"old": list(o), "new": list(n), "type": t} for (o, n), (t, _) in zip(pairs, typed)]


# --- scoring ----------------------------------------------------------------------


def _key(link: dict) -> tuple[frozenset, frozenset]:
    return frozenset(link["old"]), frozenset(link["new"])


class Tally:
    """Micro-averaged link counts over many cases."""

    def __init__(self) -> None:
        self.pred = self.gold = self.tp = self.typed_tp = 0
        self.kind_total: Counter = Counter()
        self.kind_hit: Counter = Counter()
        self.sent_total = self.sent_exact = self.sent_para = 0
        self.sent_pred = self.sent_pred_ok = 0

    def add(self, pred: Sequence[dict], gold: Sequence[dict], moved_pred=(), moved_gold=()) -> dict:
        unsure_old = {i for g in gold if g.get("uncertain") for i in g["old"]}
        unsure_new = {j for g in gold if g.get("uncertain") for j in g["new"]}
        certain = {_key(g): g for g in gold if not g.get("uncertain")}
        scored = [p for p in pred if not (set(p["old"]) & unsure_old or set(p["new"]) & unsure_new)]
        pred_keys = {_key(p): p for p in scored}
        tp = sum(1 for k in pred_keys if k in certain)
        typed = sum(
            1 for k, p in pred_keys.items()
            if k in certain and p["type"] in (certain[k].get("types_ok") or [certain[k]["type"]])
        )
        self.pred += len(pred_keys)
        self.gold += len(certain)
        self.tp += tp
        self.typed_tp += typed
        for k, g in certain.items():
            for kind in g.get("kinds") or (["untouched"] if "kinds" in g else []):
                self.kind_total[kind] += 1
                self.kind_hit[kind] += k in pred_keys
        exact = {(tuple(m["old"]), tuple(m["new"])) for m in moved_pred}
        loose = {(tuple(m["old"]), m["new"][0]) for m in moved_pred}
        gold_exact = {(tuple(m["old"]), tuple(m["new"])) for m in moved_gold}
        self.sent_pred += len(exact)
        self.sent_pred_ok += len(exact & gold_exact)
        for m in moved_gold:
            self.sent_total += 1
            self.sent_exact += (tuple(m["old"]), tuple(m["new"])) in exact
            self.sent_para += (tuple(m["old"]), m["new"][0]) in loose
        return prf(tp, len(pred_keys), len(certain)) | {"typed_f1": prf(typed, len(pred_keys), len(certain))["f1"]}

    def summary(self) -> dict:
        out = prf(self.tp, self.pred, self.gold)
        out["typed_f1"] = prf(self.typed_tp, self.pred, self.gold)["f1"]
        out["links_gold"], out["links_pred"] = self.gold, self.pred
        out["kind_recall"] = {
            k: {"n": self.kind_total[k], "recall": self.kind_hit[k] / self.kind_total[k]}
            for k in sorted(self.kind_total)
        }
        out["sentence_moves"] = {
            "n": self.sent_total,
            "recall_exact": self.sent_exact / self.sent_total if self.sent_total else None,
            "recall_paragraph": self.sent_para / self.sent_total if self.sent_total else None,
            "predicted": self.sent_pred,
            "precision_exact": self.sent_pred_ok / self.sent_pred if self.sent_pred else None,
        }
        return out


def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def prf(tp: int, npred: int, ngold: int) -> dict:
    p = tp / npred if npred else 1.0
    r = tp / ngold if ngold else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f}


def link_dicts(links: Iterable[Any]) -> list[dict]:
    return [
        {"old": list(lk.old), "new": list(lk.new), "type": lk.type, "confidence": round(float(lk.confidence), 3),
         "scores": {k: round(float(v), 3) for k, v in dict(lk.scores).items()}}
        for lk in links
    ]


def moved_of(links: Iterable[Any]) -> list[dict]:
    out = []
    for lk in links:
        for m in lk.moved_sentences:
            if m.get("old") is not None and m.get("new") is not None:
                out.append({"old": list(m["old"]), "new": list(m["new"])})
    return out


def _snip(text: str, n: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def failures(case_name: str, gold: Sequence[dict], pred: Sequence[dict], old_texts, new_texts) -> list[dict]:
    """Gold links the aligner missed, with the predicted links on the same paragraphs."""
    pred_keys = {_key(p) for p in pred}
    out = []
    for g in gold:
        if g.get("uncertain") or _key(g) in pred_keys:
            continue
        near = [p for p in pred if set(p["old"]) & set(g["old"]) or set(p["new"]) & set(g["new"])]
        out.append({
            "case": case_name,
            "kinds": g.get("kinds") or ["untouched"],
            "gold": {"old": g["old"], "new": g["new"], "type": g["type"]},
            "predicted": near,
            "old_text": [_snip(old_texts[i]) for i in g["old"]],
            "new_text": [_snip(new_texts[j]) for j in g["new"]],
        })
    return out


def spurious(case_name: str, gold: Sequence[dict], pred: Sequence[dict]) -> list[dict]:
    """Predicted links that are not gold links (precision errors)."""
    gold_keys = {_key(g) for g in gold}
    unsure = {("o", i) for g in gold if g.get("uncertain") for i in g["old"]} | {
        ("n", j) for g in gold if g.get("uncertain") for j in g["new"]}
    return [
        {"case": case_name, "predicted": p}
        for p in pred
        if _key(p) not in gold_keys and not ({("o", i) for i in p["old"]} | {("n", j) for j in p["new"]}) & unsure
    ]


# --- runs -------------------------------------------------------------------------


def run_synthetic(n_cases: int, seed: int, encoder, cache, settings, threshold: float, log,
                  hard: bool = False) -> dict:
    from driftlab.pipeline import align_documents

    names = [s for s in STATEMENTS if statement_path(s).exists()]
    paragraphs = {name: load_paragraphs(statement_path(name)) for name in names}
    ours, naive = Tally(), Tally()
    cases, misses, extras = [], [], []
    skipped = 0
    align_seconds = 0.0
    for k in range(n_cases):
        name = names[k % len(names)]
        donors = [p for other in names if series_of(other) != series_of(name) for p in paragraphs[other]]
        for attempt in range(3):
            case = edits.generate(paragraphs[name], seed * 100_003 + k + attempt * 1_000_000, donors,
                                  name=name, hard=hard)
            old_doc = document(case.old_text, f"{name} (old)")
            new_doc = document(case.new_text, f"{name} (edited, seed {case.seed})")
            if same_segmentation(old_doc, case.old_paragraphs) and same_segmentation(new_doc, case.new_paragraphs):
                break
            # The gold indexes paragraphs and sentences as generated; when a
            # rewording makes driftlab cut sentences differently (e.g. at
            # "steps: - We …"), every later index would be wrong: draw again.
            skipped += 1
            log(f"  redrawn case {k} ({name}, seed {case.seed}): driftlab segments the edited text differently")
        else:
            continue
        gold = [lk.as_json() for lk in case.links]
        t0 = time.perf_counter()
        links = align_documents(old_doc, new_doc, encoder, settings, cache)
        align_seconds += time.perf_counter() - t0
        pred = link_dicts(links)
        old_texts = [" ".join(p) for p in case.old_paragraphs]
        new_texts = [" ".join(p) for p in case.new_paragraphs]
        base = naive_links(old_texts, new_texts, threshold)
        mine = ours.add(pred, gold, moved_of(links), case.moved_sentences)
        theirs = naive.add(base, gold)
        cases.append({"case": k, "statement": name, "seed": case.seed, "old_paragraphs": len(old_texts),
                      "new_paragraphs": len(new_texts), "driftlab": mine, "naive": theirs})
        misses += failures(f"{name}#seed={case.seed}", gold, pred, old_texts, new_texts)
        extras += spurious(f"{name}#seed={case.seed}", gold, pred)
        missed_moves = [m for m in case.moved_sentences
                        if (tuple(m["old"]), tuple(m["new"])) not in
                        {(tuple(x["old"]), tuple(x["new"])) for x in moved_of(links)}]
        for m in missed_moves:
            misses.append({"case": f"{name}#seed={case.seed}", "kinds": ["sentence_move (evidence)"],
                           "gold": m, "predicted": [x for x in moved_of(links) if x["old"][0] == m["old"][0]
                                                    or x["new"][0] == m["new"][0]],
                           "old_text": [_snip(case.old_paragraphs[m["old"][0]][m["old"][1]])], "new_text": []})
        log(f"  case {k:>3} {name[:60]:<60} F1 {mine['f1']:.3f} (naive {theirs['f1']:.3f})")
    return {"statements": names, "cases": cases, "skipped": skipped, "align_seconds": align_seconds,
            "driftlab": ours.summary(), "naive": naive.summary(), "misses": misses, "spurious": extras}


def run_gold_files(encoder, cache, settings, threshold: float) -> list[dict]:
    from driftlab.pipeline import align_documents, load_document

    out = []
    for path in sorted(GOLD_DIR.glob("align_*.json")):
        spec = json.loads(path.read_text(encoding="utf-8"))
        old_p, new_p = (statement_path("seed") if spec[s] == "seed" else CORPUS / spec[s] for s in ("old", "new"))
        old_doc, new_doc = load_document(old_p), load_document(new_p)
        links = align_documents(old_doc, new_doc, encoder, settings, cache)
        pred = link_dicts(links)
        gold = spec["links"]
        old_texts = [p.text for p in old_doc.paragraphs]
        new_texts = [p.text for p in new_doc.paragraphs]
        # The gold numbers paragraphs by its own convention (blank-line blocks);
        # if driftlab's segmenter disagrees, every index after the first
        # difference is off and the scores mean nothing: say so.
        counts = (1 + max((i for g in gold for i in g["old"]), default=-1),
                  1 + max((j for g in gold for j in g["new"]), default=-1))
        mismatch = counts != (len(old_texts), len(new_texts))
        ours, naive = Tally(), Tally()
        mine = ours.add(pred, gold, moved_of(links), spec.get("moved_sentences", []))
        theirs = naive.add(naive_links(old_texts, new_texts, threshold), gold)
        out.append({
            "file": path.name, "gold_links": len(gold), "driftlab": mine, "naive": theirs,
            "paragraphs_gold": counts, "paragraphs_driftlab": (len(old_texts), len(new_texts)),
            "paragraph_mismatch": mismatch,
            "sentence_moves": ours.summary()["sentence_moves"],
            "misses": failures(path.name, gold, pred, old_texts, new_texts),
            "spurious": spurious(path.name, gold, pred),
        })
    return out


def run_restated(encoder, cache, settings, log) -> dict:
    """Restate a passage in new words: real restatements from the lineage gold.

    For every *certain* 1–1 link of the hand-read lineage gold
    (``tests/gold/lineage``) whose two passages share too little wording for
    naive matching (``token_set_ratio`` < 60), a case is the old statement
    with that one passage replaced by its real later restatement — written by
    the diplomats, not by us. The other passages stay as they were, so each
    case asks one question: is the restated passage linked to its ancestor?
    Reported: recall of those links (and precision of everything else).
    """
    from rapidfuzz import fuzz

    from driftlab.pipeline import align_documents, load_document

    found = total = 0
    wrong = 0
    cases = []
    for path in sorted((GOLD_DIR / "lineage").glob("*.json")):
        spec = json.loads(path.read_text(encoding="utf-8"))
        old_doc = load_document(statement_path(spec["old"]))
        new_doc = load_document(statement_path(spec["new"]))
        o_units = [old_doc.statement.text[a:b] for a, b in spec["units"]["old"]]
        n_units = [new_doc.statement.text[a:b] for a, b in spec["units"]["new"]]
        for lk in spec["links"]:
            if lk.get("confidence") != "certain" or len(lk["old"]) != 1 or len(lk["new"]) != 1:
                continue
            i, j = lk["old"][0], lk["new"][0]
            if fuzz.token_set_ratio(o_units[i], n_units[j]) >= 60:
                continue  # shares enough wording: not a restatement
            new_units = list(o_units)
            new_units[i] = n_units[j]
            old_case = document("\n\n".join(o_units), f"{spec['name']} (old)")
            new_case = document("\n\n".join(new_units), f"{spec['name']} (old, ¶{i + 1} restated)")
            links = align_documents(old_case, new_case, encoder, settings, cache)
            # Which new paragraphs hold the restated unit (segmentation may cut it).
            start = sum(len(u) + 2 for u in new_units[:i])
            end = start + len(new_units[i])
            targets = {p.index for p in new_case.paragraphs if p.start < end and p.end > start}
            sources = {p.index for p in old_case.paragraphs
                       if p.start < sum(len(u) + 2 for u in o_units[:i]) + len(o_units[i])
                       and p.end > sum(len(u) + 2 for u in o_units[:i])}
            hit = any(set(lk2.old) & sources and set(lk2.new) & targets for lk2 in links)
            stray = sum(1 for lk2 in links if set(lk2.new) & targets and lk2.old and not set(lk2.old) & sources)
            found += hit
            wrong += stray
            total += 1
            cases.append({"pair": spec["name"], "old_unit": i, "new_unit": j, "found": hit, "wrong_links": stray})
            log(f"  restated {spec['name']} ¶{i + 1}: {'found' if hit else 'MISSED'}")
    return {"cases": cases, "recall": round(found / total, 4) if total else None, "n": total,
            "wrong_links": wrong}


# --- printing ---------------------------------------------------------------------


def _row(label: str, s: dict) -> str:
    return f"  {label:<24} {s['precision']:>9.3f} {s['recall']:>7.3f} {s['f1']:>7.3f} {s['typed_f1']:>10.3f}"


def print_report(syn: dict | None, gold: list[dict], args, elapsed: float) -> None:
    print(f"driftlab alignment quality — {cores()}, {time.strftime('%Y-%m-%d')}")
    if syn:
        d, b = syn["driftlab"], syn["naive"]
        variant = "HARD stress edits" if args.hard else "Synthetic edits"
        print(f"\n{variant}: {len(syn['cases'])} cases from {len(syn['statements'])} statements "
              f"(seed {args.seed}; {syn['skipped']} redrawn: re-segmented differently), {d['links_gold']} gold links")
        print(f"  {'':<24} {'precision':>9} {'recall':>7} {'F1':>7} {'typed F1':>10}")
        print(_row("driftlab", d))
        print(_row(f"naive words (≥{args.baseline_threshold:g})", b))
        target = "MET" if d["f1"] >= 0.97 else "MISSED"
        print(f"  target F1 ≥ 0.97: {target}")
        print("\n  recall by edit kind      n  driftlab   naive")
        for kind, v in d["kind_recall"].items():
            print(f"  {kind:<18} {v['n']:>7} {v['recall']:>9.3f} {b['kind_recall'][kind]['recall']:>7.3f}")
        sm = d["sentence_moves"]
        if sm["n"]:
            print(f"\n  sentence moves: {sm['n']}, recall {sm['recall_exact']:.3f} exact "
                  f"(old sentence → new sentence), {sm['recall_paragraph']:.3f} to the right paragraph; "
                  f"{sm['predicted']} predicted, precision {_fmt(sm['precision_exact'])}")
        print(f"  aligner time: {syn['align_seconds']:.1f} s over {len(syn['cases'])} cases (embedding included)")
        by_kind: dict[str, list] = defaultdict(list)
        for m in syn["misses"]:
            by_kind[m["kinds"][0] if len(m["kinds"]) == 1 else "+".join(m["kinds"])].append(m)
        if by_kind:
            print("\n  Missed gold links, up to 3 per kind (more with --json):")
            for kind, ms in sorted(by_kind.items(), key=lambda kv: -len(kv[1])):
                print(f"  [{kind}] {len(ms)} missed")
                for m in ms[:3]:
                    print(f"    {m['case']}: gold {m['gold']}")
                    for p in m["predicted"][:4]:
                        print(f"      got old {p.get('old')} new {p.get('new')} {p.get('type', '')} "
                              f"conf {p.get('confidence', '')} {p.get('scores', '')}")
                    for t in m["old_text"]:
                        print(f"      old: {t}")
                    for t in m["new_text"]:
                        print(f"      new: {t}")
        if syn["spurious"]:
            kinds = Counter(s["predicted"]["type"] for s in syn["spurious"])
            print(f"\n  Predicted links not in the gold: {len(syn['spurious'])} ({dict(kinds)})")
    if gold:
        print("\nHand-written gold files (tests/gold/align_*.json)")
        print(f"  {'file':<44} {'links':>5} {'P':>6} {'R':>6} {'F1':>6} {'typed':>6} | naive F1")
        for g in gold:
            d, b = g["driftlab"], g["naive"]
            print(f"  {g['file']:<44} {g['gold_links']:>5} {d['precision']:>6.3f} {d['recall']:>6.3f} "
                  f"{d['f1']:>6.3f} {d['typed_f1']:>6.3f} | {b['f1']:.3f}")
            if g["paragraph_mismatch"]:
                print(f"    WARNING: gold numbers {g['paragraphs_gold']} old/new paragraphs, driftlab segments "
                      f"{g['paragraphs_driftlab']}: indices disagree, scores are not meaningful")
            sm = g["sentence_moves"]
            if sm["n"]:
                print(f"    sentence moves: {sm['n']}, recall {sm['recall_exact']:.3f} exact, "
                      f"{sm['recall_paragraph']:.3f} to the right paragraph; {sm['predicted']} predicted, "
                      f"precision {_fmt(sm['precision_exact'])}")
            for m in g["misses"][:3]:
                got = "; ".join(f"{p['old']}→{p['new']} {p['type']}" for p in m["predicted"][:3]) or "nothing"
                print(f"    missed {m['gold']['old']}→{m['gold']['new']} {m['gold']['type']}: got {got}")
    else:
        print("\nHand-written gold files: none found in tests/gold/")
    print(f"\nTotal {elapsed:.1f} s.")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=40, help="synthetic cases (default 40)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the synthetic edits (default 0)")
    ap.add_argument("--json", metavar="PATH", help="write every figure, miss and spurious link here")
    ap.add_argument("--cache-dir", default=str(DEFAULT_CACHE), help="embedding cache (default bench/.cache)")
    ap.add_argument("--baseline-threshold", type=float, default=60.0,
                    help="token_set_ratio a naive match needs (default 60)")
    ap.add_argument("--no-gold", action="store_true", help="skip the hand-written gold files")
    ap.add_argument("--hard", action="store_true",
                    help="stress variant of the edits: heavy rewording, far sentence moves (not the target's)")
    ap.add_argument("-v", "--verbose", action="store_true", help="one line per case on stderr")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                    help="override a driftlab setting (repeatable), e.g. --set sentence_threshold=0.75")
    args = ap.parse_args(argv)

    if not CORPUS.is_dir():
        print(f"Skipped: the real corpus is not available at {CORPUS} (../shared is absent).")
        return 0
    from driftlab.embed import EmbeddingCache, SentenceTransformerEncoder
    from driftlab.settings import Settings

    overrides = dict(item.split("=", 1) for item in args.set)
    settings = Settings().updated({"cache_dir": args.cache_dir, **overrides})
    encoder = SentenceTransformerEncoder(settings.model, settings.precision, settings.batch_size)
    cache = EmbeddingCache(args.cache_dir)

    def log(msg: str) -> None:
        if args.verbose:
            print(msg, file=sys.stderr, flush=True)

    t0 = time.perf_counter()
    syn = run_synthetic(args.cases, args.seed, encoder, cache, settings, args.baseline_threshold, log,
                        hard=args.hard) if args.cases > 0 else None
    gold = [] if args.no_gold else run_gold_files(encoder, cache, settings, args.baseline_threshold)
    restated = run_restated(encoder, cache, settings, log)
    elapsed = time.perf_counter() - t0
    print_report(syn, gold, args, elapsed)
    if restated["n"]:
        print(f"\nRestated passages (real restatements from the lineage gold, naive token_set_ratio < 60): "
              f"{restated['n']} cases, recall {restated['recall']:.3f}, "
              f"{restated['wrong_links']} restated passages linked to a wrong ancestor")
    if args.json:
        payload = {"date": time.strftime("%Y-%m-%d"), "cores": cores(), "args": vars(args),
                   "synthetic": syn, "gold_files": gold, "restated": restated, "seconds": elapsed}
        Path(args.json).write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
