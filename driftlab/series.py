"""Series: how the wording on each topic moved across a whole run of statements.

Input: a :class:`~driftlab.corpus.Series` (documents ordered by date) and the
pairwise :class:`~driftlab.types.DiffResult` of each consecutive step (the
pipeline's ``diff``, so a series says exactly what the step reports say).
Output: a :class:`SeriesReport` holding

* the **topic timeline** — statements × watched topics: present or absent,
  share of the text, strongest rung of the language ladders reached;
* the **phrase lineage** of every passage of the latest statement — its
  ancestors back through the series along the alignment links of each step,
  the first appearance of its key phrases, and whether it is new-ever,
  carried over, changed, or returning after an absence;
* **emerging and fading terms** — Dunning log-likelihood per step and over
  the series (later half against earlier half);
* **drift per topic** — the share of a topic's wording that changed at each
  step;
* **phrase history** — in which statements a phrase occurs; the basis of
  :func:`trace` and of the history-aware significance of flags
  (:func:`with_history`).

Lineage consumes links generically: any link with both sides is a lineage
edge; ``unchanged`` and ``moved`` links carry a passage over, every other
type (``edited``, ``split``, ``rewritten``, a type added later) changes it.
When a link carries ``sentence_links`` (sentence pairs old↔new) the lineage
records them too, so a passage's sentences can be followed individually.

"Present" in the timeline means *named by the topic's terms* in at least one
paragraph. Paragraphs tagged by meaning alone are counted in
``meaning_share`` but never make a topic present: meaning is the weaker
evidence, and an analyst reading "present" must be able to find the words.
"""

from __future__ import annotations

import math
from functools import lru_cache
import pickle
import sqlite3
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np

from . import __version__
from .corpus import Entry, Series, series_notes
from .errors import ConfigError
from .normalize import STOPWORDS, _has_alnum, fold, unit_keys, word_units
from .types import DiffResult, Document, Link, TopicTag, content_id

#: Link types that carry a passage over without changing its wording.
CARRIED_TYPES = frozenset({"unchanged", "moved"})

#: A passage the latest step calls added "returns" when an older statement
#: (before the previous one) holds a paragraph sharing at least this share of
#: its word trigrams. 0.5: half the wording back is a return to old text; a
#: lower share mostly finds stock phrases ("we reaffirm our commitment").
RETURN_OVERLAP = 0.5

#: Share of a text's word trigrams a statement must hold for the text to
#: count as present in it (history records, first appearance of flags).
PRESENT_OVERLAP = 0.6

#: Keyness: log-likelihood of 3.84 is p < 0.05 for one degree of freedom.
LL_CRITICAL = 3.84

#: A term must occur at least this often in the series to be listed as
#: emerging or fading: rarer ones are noise, however strong their statistic.
MIN_TERM_COUNT = 3

#: Reworded trace hits: cosine of a sentence to the phrase's own sentence (or
#: to the phrase, when no statement has it verbatim). Measured with the
#: bundled all-MiniLM-L6-v2 on the US–Japan folder: for "complete
#: denuclearization of North Korea" the rewordings "…complete
#: denuclearization of the Korean Peninsula…" (2022, 2023) score 0.91 and
#: 0.94, the closest other sentences on the DPRK or on defence 0.63–0.64.
TRACE_THRESHOLD = 0.8

#: History multipliers on a flag's significance (see :func:`history_record`).
FIRST_IN_SERIES = 1.3  # never said before in the whole series
RESTORED = 0.9  # said before, absent lately: a return is less news than a first
RECURRING = 0.7  # said in the series statement just before NEW: not new at all
STABLE_STEP = 0.1  # per statement a changed or dropped wording had been stable
STABLE_CAP = 5


# --------------------------------------------------------------------------- phrases


@lru_cache(maxsize=65536)
def _unit_runs(text: str) -> tuple[tuple[str, ...], ...]:
    """Folded word keys of ``text``, split at punctuation (a phrase never spans it).

    Cached: phrase index, keyness and lineage read the same sentences."""
    runs: list[list[str]] = [[]]
    for k in unit_keys(text):  # the keys of word_units, without building tokens
        if _has_alnum(k):
            runs[-1].append(k)
        elif runs[-1]:
            runs.append([])
    return tuple(tuple(r) for r in runs if r)


@lru_cache(maxsize=16384)
def _token_runs(text: str) -> tuple[tuple, ...]:
    runs: list[list] = [[]]
    for u in word_units(text):
        if any(c.isalnum() for c in u.key):
            runs[-1].append(u)
        elif runs[-1]:
            runs.append([])
    return tuple(tuple(r) for r in runs if r)


def _spelled(text: str, folded: str) -> str:
    """A folded phrase's words as ``text`` writes them (first occurrence)."""
    want = folded.split()
    for run in _token_runs(text):
        keys = [u.key for u in run]
        for i in range(len(keys) - len(want) + 1):
            if keys[i : i + len(want)] == want:
                return text[run[i].start : run[i + len(want) - 1].end]
    return folded


def ngrams(text: str, sizes: Iterable[int] = (1, 2, 3), content_edges: bool = True) -> list[str]:
    """Folded n-grams of ``text``, not crossing punctuation.

    With ``content_edges`` an n-gram must start and end on a content word
    (``rule of law`` yes, ``of the`` no) and a unigram must be a content word.
    """
    out: list[str] = []
    for run in _unit_runs(text):
        for n in sizes:
            for i in range(len(run) - n + 1):
                gram = run[i : i + n]
                if content_edges and (gram[0] in STOPWORDS or gram[-1] in STOPWORDS or gram[0].isdigit()):
                    continue
                out.append(" ".join(gram))
    return out


def trigram_set(text: str) -> frozenset[str]:
    """Word trigrams (any words), or the whole folded text when shorter."""
    grams = set()
    for run in _unit_runs(text):
        if len(run) < 3:
            grams.add(" ".join(run))
        grams.update(" ".join(run[i : i + 3]) for i in range(len(run) - 2))
    return frozenset(grams)


def overlap(part: frozenset[str], whole: frozenset[str]) -> float:
    return len(part & whole) / len(part) if part else 0.0


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class TimelineCell:
    statement: int
    topic: str
    present: bool
    share: float  # share of the statement's characters in paragraphs naming the topic
    meaning_share: float  # … in paragraphs tagged by meaning only
    paragraphs: int  # paragraphs naming the topic
    strongest: Mapping[str, Any] | None  # {ladder, rung, of, phrase} or None
    terms: tuple[str, ...] = ()  # the topic's words as found (evidence of presence)


@dataclass(frozen=True)
class Ancestor:
    statement: int
    paragraphs: tuple[int, ...]
    link_type: str  # type of the link into the next statement; 'returning' for a re-found passage
    sentence_links: tuple[tuple[tuple[int, int], tuple[int, int]], ...] = ()


@dataclass(frozen=True)
class KeyPhrase:
    phrase: str  # folded
    text: str  # as the passage writes it
    first_seen: int  # statement index
    statements: int  # how many statements hold it


@dataclass(frozen=True)
class PassageLineage:
    paragraph: int  # in the latest statement
    status: str  # new, carried, changed, returning
    ancestors: tuple[Ancestor, ...]  # newest first
    origin: int  # statement index where the passage's line begins
    key_phrases: tuple[KeyPhrase, ...]
    absent_for: int = 0  # returning: statements it was missing from


@dataclass(frozen=True)
class TermRow:
    term: str
    count: int
    first_seen: int
    last_seen: int
    statements: int
    series_ll: float  # signed: + rises in the later half
    trend: str  # emerging, fading
    per_step: tuple[float, ...]  # signed LL of each step


@dataclass(frozen=True)
class StepTerms:
    step: int  # index of the newer statement
    rising: tuple[tuple[str, float], ...]
    falling: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class DriftCell:
    step: int  # index of the newer statement
    topic: str
    drift: float | None  # share of the topic's wording changed; None: topic in neither
    changed_chars: int
    total_chars: int


@dataclass(frozen=True)
class SeriesReport:
    series: Series
    steps: tuple[DiffResult, ...]  # step k compares statement k and k+1
    tags: tuple[tuple[TopicTag, ...], ...]  # per statement, side 'new'
    topics: tuple[tuple[str, str], ...]  # (id, name) in config order
    timeline: tuple[TimelineCell, ...]
    lineage: tuple[PassageLineage, ...]
    terms: tuple[TermRow, ...]
    step_terms: tuple[StepTerms, ...]
    drift: tuple[DriftCell, ...]
    notes: tuple[str, ...]
    run: Mapping[str, Any] = field(default_factory=dict)
    #: Content keys of the step diffs (:func:`result_key`), when built
    #: through a result cache: the step reports are cached under them.
    step_keys: tuple[str, ...] = ()
    #: Content key of the analysis (see :func:`build_series_report`); the
    #: series page is cached under it.
    key: str = ""


# --------------------------------------------------------------------------- running the steps


#: Texts per embedding task. Large enough that a task outweighs its
#: scheduling (~1 ms) and shipping; small enough that two workers share a
#: single long statement.
EMBED_CHUNK = 256


def missing_chunks(docs: Sequence[Document], encoder_key: str, cache, size: int = EMBED_CHUNK) -> list[list[tuple[str, str]]]:
    """Sentences of ``docs`` not in ``cache``, each once, as ``(key, text)``
    chunks in key order.

    Successive statements of a series repeat most of their sentences, so
    deduplicating across the whole series first means each sentence is
    encoded once, whichever worker gets it. Serial and distributed runs use
    the same chunks, so the encoder sees the same batches and the vectors
    are the same bits.
    """
    from .embed import expand_acronyms, text_key

    wanted: dict[str, str] = {}
    for d in docs:
        for p in d.paragraphs:
            for s in p.sentences:
                t = expand_acronyms(s.text)
                wanted.setdefault(text_key(t), t)
    have = cache.get_many(encoder_key, list(wanted)) if cache is not None else {}
    todo = sorted(k for k in wanted if k not in have)
    return [[(k, wanted[k]) for k in todo[i : i + size]] for i in range(0, len(todo), size)]


def encode_chunk(encoder, chunk: Sequence[tuple[str, str]]) -> dict[str, np.ndarray]:
    vecs = encoder.encode([t for _, t in chunk])
    return {k: np.asarray(vecs[i], dtype=np.float32) for i, (k, _) in enumerate(chunk)}


class SerialRunner:
    """Runs the per-statement and per-step work in this process."""

    def embed_documents(self, docs: Sequence[Document], encoder, cache, settings) -> None:
        if cache is None:
            return  # nothing to keep them in: each diff embeds its own two statements
        for chunk in missing_chunks(docs, encoder.key, cache):
            cache.put_many(encoder.key, encode_chunk(encoder, chunk))

    def diff_pairs(self, pairs: Sequence[tuple[Document, Document]], encoder, cache, settings) -> list[DiffResult]:
        from .pipeline import diff_documents

        return [diff_documents(a, b, encoder, settings, cache) for a, b in pairs]


class ResultCache:
    """Pairwise diff results, pickled in SQLite beside the embedding cache.

    Keyed by everything a result depends on (driftlab version, both
    statements' text and path, encoder key, settings, topic file contents),
    so a stale entry is never read: it is simply not found. Only the process
    that runs the series writes here (workers return results), so SQLite
    never sees two writers. The cache is the user's own directory, so
    unpickling it trusts nothing the user did not write.
    """

    def __init__(self, directory: str | Path):
        self.path = Path(directory) / "results.sqlite3"
        self._conn: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection:
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=30)
            conn.execute("PRAGMA journal_mode=WAL")
            # No fsync per commit (WAL keeps the file whole; a power cut can
            # lose the last results, which are then computed again).
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, blob BLOB NOT NULL)")
            self._conn = conn
        return self._conn

    def get(self, key: str) -> Any:
        row = self._connect().execute("SELECT blob FROM results WHERE key = ?", (key,)).fetchone()
        if not row:
            return None
        from .pipeline import without_cyclic_gc

        # A result is tens of thousands of small objects: with the cyclic
        # collector running, unpickling the steps of a G7 series took ~1 s
        # instead of ~0.15 s (each allocation burst set off a full pass).
        with without_cyclic_gc():
            return pickle.loads(row[0])

    def has(self, key: str) -> bool:
        """Whether ``key`` is stored (nothing is read or unpickled)."""
        return self._connect().execute("SELECT 1 FROM results WHERE key = ?", (key,)).fetchone() is not None

    def put(self, key: str, result: Any) -> None:
        from .pipeline import without_cyclic_gc

        # Pickling a step diff walks the same tens of thousands of objects:
        # a pass of the collector during it cost ~0.03 s when a statement
        # was added to the G7 series (the collector is paused as in get).
        with without_cyclic_gc():
            blob = pickle.dumps(result, protocol=5)
        conn = self._connect()
        with conn:
            conn.execute("INSERT OR REPLACE INTO results (key, blob) VALUES (?, ?)", (key, blob))

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A hash of driftlab's own files (code, templates, data), part of every
    cache key of a series: an edited rule or template must not be answered
    from a result the old code made (the version string alone does not
    change between releases). Computed once per process (~5 ms)."""
    import hashlib

    root = Path(__file__).resolve().parent
    h = hashlib.sha256(__version__.encode())
    for f in sorted(root.rglob("*")):
        if f.is_file() and "__pycache__" not in f.parts:
            h.update(str(f.relative_to(root)).encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def settings_key(settings) -> str:
    """The settings as part of a cache key: every field that can change a
    result, and not where the cache lives (a cache directory moved or copied
    elsewhere still answers)."""
    return repr(replace(settings, cache_dir="", use_cache=True))


def result_key(old: Document, new: Document, encoder_key: str, settings) -> str:
    topics_file = settings.topics_file
    topics_text = Path(topics_file).read_text(encoding="utf-8") if topics_file else "(default)"
    return content_id("diff", __version__, code_fingerprint(), old.statement.path, old.statement.id,
                      new.statement.path, new.statement.id, encoder_key, settings_key(settings), topics_text, length=32)


def cached(results: "ResultCache | None", key: str, compute: Callable[[], Any]) -> Any:
    """``results[key]``, computed and stored when missing (no cache: computed)."""
    if results is None:
        return compute()
    hit = results.get(key)
    if hit is None:
        hit = compute()
        results.put(key, hit)
    return hit


def document_loader(settings, results: "ResultCache | None") -> Callable[[Any], Document]:
    """``load(path) -> Document`` (read and segment) through the result cache.

    Reading and segmenting the ten G7 statements costs ~0.2–0.5 s, more than
    unpickling them (~0.03 s), and a series run reads every statement each
    time. The key is the file's path as given, a hash of its bytes, the
    settings and the code fingerprint. Only plain files within the size limit
    are looked up (anything else goes straight to
    :func:`~driftlab.pipeline.load_document`, which says what is wrong), and a
    statement whose reading raised a warning is not kept, so the warning is
    given again on every run."""
    import hashlib
    import os
    import stat
    import warnings

    from .pipeline import load_document

    if results is None:
        return lambda p: load_document(p, settings)

    def digest(path) -> str | None:
        try:
            info = os.stat(path)
            if not stat.S_ISREG(info.st_mode) or info.st_size > settings.max_input_mb * 1024 * 1024:
                return None
            with open(path, "rb") as fh:
                return hashlib.sha256(fh.read()).hexdigest()
        except OSError:
            return None

    def load(path) -> Document:
        before = digest(path)
        if before is None:
            return load_document(path, settings)
        key = content_id("document", __version__, code_fingerprint(), os.fsdecode(path), before, settings_key(settings),
                         length=32)
        hit = results.get(key)
        if hit is not None:
            return hit
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            doc = load_document(path, settings)
        for w in caught:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        # Kept only when the file did not change while it was read.
        if not caught and digest(path) == before:
            results.put(key, doc)
        return doc

    return load


def run_steps(series: Series, encoder, settings, cache=None, runner=None,
              results: ResultCache | None = None, timings: dict | None = None,
              prepare: Sequence[Callable[[], object]] = ()) -> tuple[DiffResult, ...]:
    """The pairwise diff of each consecutive pair of the series.

    Every statement is embedded once (through the cache); the diffs not in
    ``results`` are computed by ``runner`` (serial, or tasks on a Dask
    cluster) and stored by this process only. When some step has to be
    computed, ``prepare`` (work that needs no vectors) runs in a background
    thread while the statements are embedded
    (:func:`~driftlab.pipeline.meanwhile`).
    """
    import time

    from .pipeline import meanwhile

    runner = runner or SerialRunner()
    docs = series.documents
    pairs = list(zip(docs, docs[1:]))
    key_of = [result_key(a, b, encoder.key, settings) for a, b in pairs]
    found: dict[int, DiffResult] = {}
    if results is not None:
        for k, key in enumerate(key_of):
            hit = results.get(key)
            if hit is not None:
                found[k] = hit
    todo = [k for k in range(len(pairs)) if k not in found]
    t0 = time.perf_counter()
    needed = sorted({i for k in todo for i in (k, k + 1)}) if pairs else list(range(len(docs)))
    with meanwhile(prepare if todo else ()):
        runner.embed_documents([docs[i] for i in needed], encoder, cache, settings)
        t1 = time.perf_counter()
    waited = time.perf_counter() - t1  # for ``prepare``, after the embedding ended
    t1 += waited
    fresh = runner.diff_pairs([pairs[k] for k in todo], encoder, cache, settings)
    t2 = time.perf_counter()
    for k, res in zip(todo, fresh):
        found[k] = res
        if results is not None:
            results.put(key_of[k], res)
    if timings is not None:
        timings["embedding"] = timings.get("embedding", 0.0) + t1 - t0
        timings["diffs"] = timings.get("diffs", 0.0) + t2 - t1
        timings["prepare_wait"] = timings.get("prepare_wait", 0.0) + waited
        timings["cached_steps"] = len(pairs) - len(todo)
    return tuple(found[k] for k in range(len(pairs)))


def statement_tags(series: Series, steps: Sequence[DiffResult], config, encoder=None, cache=None) -> list[tuple[TopicTag, ...]]:
    """Topic tags of each statement, side ``new``, taken from the step diffs
    (statement 0 from the first step's old side) so nothing is tagged twice."""
    from . import topics

    docs = series.documents
    if not steps:
        if not docs:
            return []
        embed = None
        if encoder is not None:
            from .embed import embed_texts

            def embed(texts):
                return embed_texts(texts, encoder, cache)
        empty = Document(statement=docs[0].statement, paragraphs=())
        tags = topics.tag_documents(empty, docs[0], config, embed)
        return [tuple(t for t in tags if t.side == "new")]
    out = [tuple(replace(t, side="new") for t in steps[0].tags if t.side == "old")]
    out += [tuple(t for t in s.tags if t.side == "new") for s in steps]
    return out


# --------------------------------------------------------------------------- per statement


@dataclass(frozen=True)
class StatementFacts:
    """What the series analysis reads from one statement, whatever its
    neighbours: its n-gram counts and word count (keyness, phrase index) and
    the word trigrams of each paragraph (lineage). Cached per statement
    (:func:`facts_key`), so adding a statement to a series computes only its
    own; the counts are not to be mutated."""

    counts: Counter
    words: int
    para_grams: tuple[frozenset[str], ...]


def statement_facts(doc: Document) -> StatementFacts:
    counts, words = term_counts(doc)
    return StatementFacts(counts=counts, words=words, para_grams=tuple(trigram_set(p.text) for p in doc.paragraphs))


def facts_key(doc: Document) -> str:
    """Content hash of what :func:`statement_facts` reads: the paragraph and
    sentence texts as segmented (segmentation settings change them)."""
    parts = [x for p in doc.paragraphs for x in (p.text, *(s.text for s in p.sentences), "\x1e")]
    return content_id("facts", __version__, code_fingerprint(), *parts, length=32)


# --------------------------------------------------------------------------- timeline


#: Paragraph texts whose rungs are remembered per config (see :func:`_rungs`).
RUNGS_CACHE_MAX = 50_000


def _rungs(text: str, config) -> tuple[tuple[float, int, str, dict], ...]:
    """Every ladder rung said in ``text``, as sortable candidates (not to be mutated).

    Remembered per paragraph text on the config (which is immutable and
    shared, see :func:`driftlab.topics.load_config`): every ladder scans the
    paragraph separately, and successive statements of a series repeat most
    of their paragraphs — in a 50-statement synthetic series the timeline's
    16,000 scans were three quarters of the analysis."""
    memo = config._compiled.setdefault("series_rungs", {})
    hit = memo.get(text)
    if hit is None:
        if len(memo) >= RUNGS_CACHE_MAX:
            memo.clear()
        hit = memo[text] = tuple(_scan_rungs(text, config))
    return hit


def _scan_rungs(text: str, config) -> list[tuple[float, int, str, dict]]:
    out = []
    for order, (ladder, matcher, rung_of) in enumerate(config.ladder_matchers()):
        for start, end, phrase in matcher.find(text):
            rung = rung_of[phrase]
            out.append(((rung + 1) / len(ladder.rungs), -order, phrase,
                        {"ladder": ladder.id, "ladder_name": ladder.name, "rung": rung + 1,
                         "of": len(ladder.rungs), "phrase": text[start:end]}))
    return out


def _strongest(candidates: Iterable[tuple[float, int, str, dict]]) -> dict[str, Any] | None:
    best = max(candidates, key=lambda c: c[:3], default=None)
    return best[3] if best else None


def topic_timeline(series: Series, tags: Sequence[Sequence[TopicTag]], config) -> list[TimelineCell]:
    return [c for i, (doc, stags) in enumerate(zip(series.documents, tags))
            for c in statement_timeline(i, doc, stags, config)]


def statement_timeline(i: int, doc: Document, stags: Sequence[TopicTag], config) -> list[TimelineCell]:
    """The timeline cells of statement ``i`` (one per topic of ``config``)."""
    cells = []
    total = sum(len(p.text) for p in doc.paragraphs) or 1
    para_tags = [t for t in stags if t.sentence is None]
    rungs: dict[int, list] = {}  # each paragraph scanned once, whatever its topics
    for topic in config.topics:
        named = sorted({t.paragraph for t in para_tags if t.topic == topic.id and "term" in t.method})
        meaning = sorted({t.paragraph for t in para_tags if t.topic == topic.id and t.method == "meaning"})
        words = sorted({ev[6:] for t in para_tags if t.topic == topic.id and "term" in t.method
                        for ev in t.evidence if ev.startswith("term: ")})
        texts = [doc.paragraphs[j].text for j in named]
        cells.append(TimelineCell(
            statement=i, topic=topic.id, present=bool(named),
            share=round(sum(len(t) for t in texts) / total, 4),
            meaning_share=round(sum(len(doc.paragraphs[j].text) for j in meaning) / total, 4),
            paragraphs=len(named),
            strongest=_strongest(c for j in named
                                 for c in rungs.setdefault(j, _rungs(doc.paragraphs[j].text, config))),
            terms=tuple(words),
        ))
    return cells


# --------------------------------------------------------------------------- lineage


def _pairs(value: Any) -> list[tuple[int, int]]:
    """``[p, s]`` or a list of them (the aligner's sentence lineage uses lists)."""
    if not isinstance(value, (list, tuple)) or not value:
        return []
    if all(isinstance(v, (int, np.integer)) for v in value) and len(value) == 2:
        return [(int(value[0]), int(value[1]))]
    out = []
    for v in value:
        out.extend(_pairs(v) if isinstance(v, (list, tuple)) and len(v) == 2 else [])
    return out


def _sentence_links(link: Link) -> tuple[tuple[tuple[int, int], tuple[int, int]], ...]:
    """Sentence pairs old↔new of a link, when the aligner provides them:
    items with ``old`` and ``new`` (each ``[p, s]`` or a list of such), as
    dicts or objects. Added and dropped sentences (one side empty) pair
    nothing."""
    raw = getattr(link, "sentence_links", None) or ()
    out = set()
    for item in raw:
        old = item.get("old") if isinstance(item, Mapping) else getattr(item, "old", None)
        new = item.get("new") if isinstance(item, Mapping) else getattr(item, "new", None)
        for o in _pairs(old):
            for n in _pairs(new):
                out.add((o, n))
    return tuple(sorted(out))


def parent_edges(result: DiffResult) -> dict[int, list[tuple[Link, tuple[int, ...]]]]:
    """New paragraph → [(link, old paragraphs)] for every link with both sides."""
    edges: dict[int, list[tuple[Link, tuple[int, ...]]]] = {}
    for lk in result.links:
        if lk.old and lk.new:
            for j in lk.new:
                edges.setdefault(j, []).append((lk, tuple(lk.old)))
    return edges


class _GramIndex:
    """Word trigram → the (statement, paragraph) pairs holding it.

    Finding a returning passage compared it with every paragraph of every
    older statement (~75,000 set intersections for the latest G7 communiqué,
    half the lineage time; quadratic in a long series). Counting shared
    trigrams through the postings touches only paragraphs that share one."""

    def __init__(self, doc_grams: Sequence[Sequence[frozenset[str]]]):
        self.postings: dict[str, list[tuple[int, int]]] = {}
        for i, paras in enumerate(doc_grams):
            for j, grams in enumerate(paras):
                for g in grams:
                    self.postings.setdefault(g, []).append((i, j))

    def shared(self, grams: frozenset[str], before: int) -> dict[int, dict[int, int]]:
        """Statement < ``before`` → paragraph → trigrams shared with ``grams``."""
        out: dict[int, dict[int, int]] = {}
        for g in grams:
            for i, j in self.postings.get(g, ()):
                if i < before:
                    row = out.setdefault(i, {})
                    row[j] = row.get(j, 0) + 1
        return out


def _returning(doc_grams: Sequence[Sequence[frozenset[str]]], grams: frozenset[str], before: int,
               index: _GramIndex | None = None) -> tuple[int, int] | None:
    """Newest statement < ``before`` and its paragraph sharing ≥ RETURN_OVERLAP of ``grams``
    (the paragraph with the largest share; among equals the last)."""
    if len(grams) < 3:
        return None  # a heading or a two-word line returns by accident, not by choice
    if index is not None:
        # The same shares as overlap() (shared / len(grams)); paragraphs
        # sharing nothing have share 0 and can never reach RETURN_OVERLAP.
        shared = index.shared(grams, before)
        for i in sorted(shared, reverse=True):
            best = max((n / len(grams), j) for j, n in shared[i].items())
            if best[0] >= RETURN_OVERLAP:
                return i, best[1]
        return None
    for i in range(before - 1, -1, -1):
        best = max(((overlap(grams, g), j) for j, g in enumerate(doc_grams[i])), default=(0.0, -1))
        if best[0] >= RETURN_OVERLAP:
            return i, best[1]
    return None


def passage_lineage(series: Series, steps: Sequence[DiffResult], phrase_df: Mapping[str, list[int]],
                    doc_grams: Sequence[Sequence[frozenset[str]]] | None = None) -> list[PassageLineage]:
    """``doc_grams``: word trigrams of each paragraph of each statement
    (:attr:`StatementFacts.para_grams`; computed when not given)."""
    docs = series.documents
    if not docs:
        return []
    last = len(docs) - 1
    if doc_grams is None:
        doc_grams = [[trigram_set(p.text) for p in d.paragraphs] for d in docs]
    edges = [parent_edges(s) for s in steps]  # edges[k]: statement k+1 → k
    index: _GramIndex | None = None  # built when a passage without parents first needs it
    out = []
    for para in docs[last].paragraphs:
        ancestors: list[Ancestor] = []
        frontier = (para.index,)
        stmt = last
        status = "new"
        absent_for = 0
        while stmt > 0 and frontier:
            parents: set[int] = set()
            types: list[str] = []
            sent_links: list = []
            for j in frontier:
                for lk, olds in edges[stmt - 1].get(j, []):
                    parents.update(olds)
                    types.append(lk.type)
                    sent_links.extend(_sentence_links(lk))
            if not parents:
                if index is None:
                    index = _GramIndex(doc_grams)
                hit = _returning(doc_grams, doc_grams[stmt][frontier[0]], stmt - 1, index) if len(frontier) == 1 else None
                if hit is None:
                    break
                if stmt == last:
                    status, absent_for = "returning", stmt - 1 - hit[0]
                ancestors.append(Ancestor(statement=hit[0], paragraphs=(hit[1],), link_type="returning"))
                stmt, frontier = hit[0], (hit[1],)
                continue
            kind = "carried" if all(t in CARRIED_TYPES for t in types) else "changed"
            if stmt == last:
                status = kind
            ltype = types[0] if len(set(types)) == 1 else "+".join(sorted(set(types)))
            ancestors.append(Ancestor(statement=stmt - 1, paragraphs=tuple(sorted(parents)), link_type=ltype,
                                      sentence_links=tuple(sorted(set(sent_links)))))
            stmt, frontier = stmt - 1, tuple(sorted(parents))
        origin = ancestors[-1].statement if ancestors else last
        out.append(PassageLineage(paragraph=para.index, status=status, ancestors=tuple(ancestors),
                                  origin=origin, key_phrases=key_phrases(para.text, phrase_df, len(docs)),
                                  absent_for=absent_for))
    return out


def phrase_index(docs: Sequence[Document], facts: Sequence[StatementFacts] | None = None) -> dict[str, list[int]]:
    """Folded n-gram (1–3 words, content words at the edges) → statements holding it.

    The n-grams of a statement are the keys of its term counts
    (:func:`term_counts` counts the same :func:`ngrams`), so ``facts`` serve."""
    index: dict[str, list[int]] = {}
    for i, d in enumerate(docs):
        grams = facts[i].counts if facts is not None else {g for p in d.paragraphs for s in p.sentences
                                                             for g in ngrams(s.text)}
        for g in sorted(grams):
            index.setdefault(g, []).append(i)
    return index


def key_phrases(text: str, phrase_df: Mapping[str, list[int]], n_docs: int, limit: int = 3) -> tuple[KeyPhrase, ...]:
    """The passage's most distinctive multi-word phrases (content words × idf
    over the series), with the statement each first appears in."""
    seen: set[str] = set()
    scored = []
    for g in ngrams(text, sizes=(3, 2)):
        if g in seen or g not in phrase_df:
            continue
        seen.add(g)
        df = len(phrase_df[g])
        content = sum(w not in STOPWORDS for w in g.split())
        scored.append((-(content * math.log(1 + n_docs / df)), g))
    out: list[KeyPhrase] = []
    for _score, g in sorted(scored):
        if any(g in k.phrase or k.phrase in g for k in out):
            continue  # one phrase per stretch of words
        out.append(KeyPhrase(phrase=g, text=_spelled(text, g), first_seen=phrase_df[g][0],
                             statements=len(phrase_df[g])))
        if len(out) == limit:
            break
    return tuple(out)


# --------------------------------------------------------------------------- keyness


def log_likelihood(a: int, b: int, c: int, d: int) -> float:
    """Dunning's G² for a count ``a`` in a text of ``c`` words against ``b``
    in ``d`` words, signed: positive when the term is relatively more frequent
    in the first text."""
    if c == 0 or d == 0 or a + b == 0:
        return 0.0
    e1 = c * (a + b) / (c + d)
    e2 = d * (a + b) / (c + d)
    ll = 2 * ((a * math.log(a / e1) if a else 0.0) + (b * math.log(b / e2) if b else 0.0))
    return ll if a / c >= b / d else -ll


def term_counts(doc: Document) -> tuple[Counter, int]:
    counts: Counter = Counter()
    words = 0
    for p in doc.paragraphs:
        for s in p.sentences:
            counts.update(ngrams(s.text))
            words += sum(len(r) for r in _unit_runs(s.text))
    return counts, words


def keyness(docs: Sequence[Document], limit: int = 30, step_limit: int = 8,
            counted: Sequence[tuple[Counter, int]] | None = None) -> tuple[list[TermRow], list[StepTerms]]:
    """``counted``: :func:`term_counts` of each statement, when known."""
    if counted is None:
        counted = [term_counts(d) for d in docs]
    n = len(docs)
    if n < 2:
        return [], []
    split = n // 2  # later half: statements split..n-1
    early, late = Counter(), Counter()
    for c, _ in counted[:split]:
        early.update(c)
    for c, _ in counted[split:]:
        late.update(c)
    size_e = sum(w for _, w in counted[:split])
    size_l = sum(w for _, w in counted[split:])
    total = early + late
    rows = []
    for term, count in total.items():
        if count < MIN_TERM_COUNT:
            continue
        ll = log_likelihood(late[term], early[term], size_l, size_e)
        if abs(ll) < LL_CRITICAL:
            continue
        present = [i for i, (c, _) in enumerate(counted) if c[term]]
        per_step = tuple(round(log_likelihood(counted[i][0][term], counted[i - 1][0][term],
                                              counted[i][1], counted[i - 1][1]), 3) for i in range(1, n))
        rows.append(TermRow(term=term, count=count, first_seen=present[0], last_seen=present[-1],
                            statements=len(present), series_ll=round(ll, 3),
                            trend="emerging" if ll > 0 else "fading", per_step=per_step))
    # Longer terms first among equals: "maximum pressure" says more than "pressure".
    emerging = sorted((r for r in rows if r.trend == "emerging"), key=lambda r: (-r.series_ll, -len(r.term.split()), r.term))
    fading = sorted((r for r in rows if r.trend == "fading"), key=lambda r: (r.series_ll, -len(r.term.split()), r.term))
    steps = []
    for i in range(1, n):
        (cn, wn), (co, wo) = counted[i], counted[i - 1]
        scored = []
        for term in set(cn) | set(co):
            if cn[term] + co[term] < 2:
                continue
            ll = log_likelihood(cn[term], co[term], wn, wo)
            if abs(ll) >= LL_CRITICAL:
                scored.append((term, round(ll, 3)))
        rising = sorted((t for t in scored if t[1] > 0), key=lambda t: (-t[1], -len(t[0].split()), t[0]))[:step_limit]
        falling = sorted((t for t in scored if t[1] < 0), key=lambda t: (t[1], -len(t[0].split()), t[0]))[:step_limit]
        steps.append(StepTerms(step=i, rising=tuple(rising), falling=tuple(falling)))
    return emerging[:limit] + fading[:limit], steps


# --------------------------------------------------------------------------- drift


def _changed_chars(link: Link, para_span: tuple[int, int], side: str) -> int:
    """Characters of one paragraph (span on ``side``) that a link's opcodes change."""
    if (side == "new" and not link.old) or (side == "old" and not link.new):
        return para_span[1] - para_span[0]  # an added or dropped passage is all change
    lo, hi = para_span
    changed = 0
    for tag, i1, i2, j1, j2 in link.opcodes:
        if tag in ("equal", "cosmetic"):
            continue
        a, b = (j1, j2) if side == "new" else (i1, i2)
        changed += max(0, min(b, hi) - max(a, lo))
    return changed


def topic_drift(steps: Sequence[DiffResult], topics: Sequence[str]) -> list[DriftCell]:
    """For each step and topic: changed characters of the topic's passages
    (new ones, plus dropped old ones) over their total. 0 = carried verbatim,
    1 = all new wording."""
    cells = []
    for k, res in enumerate(steps):
        named = {side: {} for side in ("old", "new")}
        for t in res.tags:
            if t.sentence is None and "term" in t.method:
                named[t.side].setdefault(t.topic, set()).add(t.paragraph)
        for topic in topics:
            new_paras = named["new"].get(topic, set())
            old_paras = named["old"].get(topic, set())
            changed = total = 0
            for lk in res.links:
                for j in lk.new:
                    if j in new_paras:
                        p = res.new.paragraphs[j]
                        total += p.end - p.start
                        changed += _changed_chars(lk, (p.start, p.end), "new")
                if not lk.new:
                    for i in lk.old:
                        if i in old_paras:
                            p = res.old.paragraphs[i]
                            total += p.end - p.start
                            changed += p.end - p.start
            drift = round(changed / total, 4) if total else None
            cells.append(DriftCell(step=k + 1, topic=topic, drift=drift, changed_chars=changed, total_chars=total))
    return cells


# --------------------------------------------------------------------------- the whole report


def analyse(series: Series, steps: Sequence[DiffResult], config, tags=None, run: Mapping[str, Any] | None = None,
            *, facts: Sequence[StatementFacts] | None = None,
            timeline: Sequence[TimelineCell] | None = None) -> SeriesReport:
    """Everything the series report shows, from the series and its step diffs.

    ``facts`` (one per statement) and ``timeline`` are the per-statement
    parts when a cache already holds them (:func:`build_series_report`);
    given or computed here, they are the same values, so a report built
    incrementally is the report built from scratch."""
    if tags is None:
        tags = statement_tags(series, steps, config)
    if facts is None:
        facts = [statement_facts(d) for d in series.documents]
    if timeline is None:
        timeline = topic_timeline(series, tags, config)
    df = phrase_index(series.documents, facts)
    terms, step_terms = keyness(series.documents, counted=[(f.counts, f.words) for f in facts])
    topic_ids = [t.id for t in config.topics]
    return SeriesReport(
        series=series, steps=tuple(steps), tags=tuple(tuple(t) for t in tags),
        topics=tuple((t.id, t.name) for t in config.topics),
        timeline=tuple(timeline),
        lineage=tuple(passage_lineage(series, steps, df, [f.para_grams for f in facts])),
        terms=tuple(terms), step_terms=tuple(step_terms),
        drift=tuple(topic_drift(steps, topic_ids)),
        notes=tuple(series_notes(series)), run=dict(run or {}),
    )


def build_series_report(series: Series, settings=None, encoder=None, cache=None, runner=None,
                        results: ResultCache | None = None, timings: dict | None = None,
                        prepare: Sequence[Callable[[], object]] = ()) -> SeriesReport:
    """Embed, diff each step (through the caches) and analyse a series.

    ``prepare``: the caller's own work that needs no vectors (say, importing
    what draws the page), run while statements are embedded, with the facts
    of the statements the result cache does not hold yet (see
    :func:`run_steps`)."""
    from . import topics
    from .pipeline import make_cache, make_encoder, without_cyclic_gc
    from .settings import Settings

    settings = settings or Settings()
    if not series.documents:
        raise ConfigError(f"Series '{series.name}' holds no statements.")
    config = topics.load_config(settings.topics_file or None)
    encoder = encoder or make_encoder(settings)
    if cache is None:
        cache = make_cache(settings)
    docs = series.documents
    # The facts of statements new to the cache are read while the encoder
    # works (pure functions of the statement: the same whenever computed).
    fkeys = [facts_key(d) for d in docs] if results is not None else []
    todo = [(k, d) for k, d in zip(fkeys, docs) if not results.has(k)] if results is not None else []
    early: dict[str, StatementFacts] = {}

    def read_facts() -> None:
        for k, d in todo:
            early[k] = statement_facts(d)

    steps = run_steps(series, encoder, settings, cache, runner, results, timings,
                      prepare=(*prepare, read_facts, config.compile_matchers))
    keys = tuple(result_key(a, b, encoder.key, settings) for a, b in zip(docs, docs[1:]))
    # The analysis of an unchanged series is cached too: its key is the keys
    # of every step (or the one statement) it was computed from. It is kept
    # without the documents and step diffs (stored already, ~1 MB a step).
    key = content_id("series", __version__, code_fingerprint(), series.name, *(e.path for e in series.entries),
                     *keys, docs[0].statement.id, settings_key(settings), length=32)
    if results is not None and (hit := results.get(key)) is not None and hit.series.entries == series.entries:
        return replace(hit, series=series, steps=steps, key=key)
    # The analysis, like a diff's, allocates much and leaves next to no cycles.
    with without_cyclic_gc():
        tags = statement_tags(series, steps, config, encoder, cache)
        run = {"driftlab_version": __version__, "model": getattr(encoder, "key", type(encoder).__name__),
               "topics_file": settings.topics_file or "(default)"}
        facts = timeline = None
        if results is not None:
            # Adding a statement to a cached series computes only its own parts:
            # its facts (by content) and its timeline cells (by the step diff its
            # tags come from, which fixes the topic file and settings too).
            facts = [cached(results, k, lambda k=k, d=d: early.pop(k, None) or statement_facts(d))
                     for k, d in zip(fkeys, docs)]
            if keys:
                sources = [f"{keys[0]}:old", *(f"{k}:new" for k in keys)]
                timeline = [c for i, (d, t) in enumerate(zip(docs, tags)) for c in cached(
                    results, content_id("timeline", sources[i], i, length=32),
                    lambda i=i, d=d, t=t: statement_timeline(i, d, t, config))]
        report = replace(analyse(series, steps, config, tags, run, facts=facts, timeline=timeline), step_keys=keys,
                         key=key if results is not None else "")
    if results is not None:
        results.put(key, replace(report, series=replace(series, documents=()), steps=()))
    return report


# --------------------------------------------------------------------------- history of phrases


def statement_trigrams(doc: Document) -> frozenset[str]:
    return frozenset().union(*(trigram_set(s.text) for p in doc.paragraphs for s in p.sentences)) if doc.paragraphs else frozenset()


def presence(grams: frozenset[str] | str, prior: Sequence[frozenset[str]]) -> list[bool]:
    """For each prior statement: does it hold ≥ PRESENT_OVERLAP of these word trigrams?"""
    if isinstance(grams, str):
        grams = trigram_set(grams)
    return [bool(grams) and overlap(grams, g) >= PRESENT_OVERLAP for g in prior]


def _run_at_end(seen: Sequence[bool]) -> int:
    n = 0
    for s in reversed(seen):
        if not s:
            break
        n += 1
    return n


def history_record(old_text: str, new_text: str, prior: Sequence[frozenset[str]], dates: Sequence[str]) -> dict[str, Any] | None:
    """What the series says about one change, with the multiplier it earns.

    ``prior``: trigram sets of the series statements before NEW, oldest first
    (the last is normally OLD). Kinds:

    * ``first_in_series`` — the new wording was never used before (×1.3);
    * ``restored`` — used before, absent from the last ``n`` statements (×0.9);
    * ``recurring`` — already in the statement just before NEW (×0.7);
    * ``stable_then_changed`` — the old wording stood for ``n`` statements in
      a row and changes now (×1 + 0.1·min(n−1, 5));
    * ``dropped_after`` — the old wording stood for ``n`` statements and is
      gone (same multiplier).
    """
    if not prior:
        return None
    # A change is judged by what differs: the wording only the new side has
    # (and only the old side had). The shared rest of an edited sentence is
    # in the previous statement by definition and says nothing.
    new_g, old_g = _phrase_grams(new_text), _phrase_grams(old_text)
    if new_g and old_g:
        new_g, old_g = (new_g - old_g) or new_g, (old_g - new_g) or old_g
    new_seen = presence(new_g, prior) if new_g else []
    old_seen = presence(old_g, prior) if old_g else []
    stable = _run_at_end(old_seen)
    stable_mult = round(1 + STABLE_STEP * min(max(stable - 1, 0), STABLE_CAP), 3)

    def rec(kind: str, n: int, mult: float, seen: Sequence[bool]) -> dict[str, Any]:
        return {"kind": kind, "n": n, "multiplier": mult, "seen_in": [d for d, s in zip(dates, seen) if s],
                "of": len(prior)}

    if new_seen:
        if new_seen[-1]:
            return rec("recurring", _run_at_end(new_seen), RECURRING, new_seen)
        if any(new_seen):
            return rec("restored", _run_at_end([not s for s in new_seen]), RESTORED, new_seen)
        if old_seen and stable >= 2:
            return rec("stable_then_changed", stable, stable_mult, old_seen)
        return rec("first_in_series", 0, FIRST_IN_SERIES, new_seen)
    if old_seen and stable:
        return rec("dropped_after", stable, stable_mult, old_seen)
    return None


def _phrase_grams(text: str) -> frozenset[str]:
    """Word trigrams of a flag's wording; none for a wording under three
    words (a name, a number, "DPRK's"): whether such a token occurred before
    says nothing about whether this *change* is new."""
    grams = trigram_set(text)
    return grams if any(len(g.split()) >= 3 for g in grams) else frozenset()


def history_sentence(rec: Mapping[str, Any]) -> str:
    n = rec["n"]
    return {
        "first_in_series": "first time in the series",
        "restored": f"restored after an absence of {n} statement{'s' if n != 1 else ''}",
        "recurring": "already in the previous statement of the series",
        "stable_then_changed": f"stable for {n} statements, now changed",
        "dropped_after": f"dropped after {n} appearance{'s' if n != 1 else ''}",
    }[rec["kind"]]


def prior_statements(series: Series, new: Document) -> list[int]:
    """Positions of the series statements that come before NEW."""
    pos = next((i for i, e in enumerate(series.entries) if e.id == new.statement.id), None)
    if pos is not None:
        return list(range(pos))
    date = new.statement.meta.date
    return [i for i, e in enumerate(series.entries) if date and e.date and e.date < date]


def find_series_of(index, result: DiffResult) -> Series | None:
    """The series holding NEW (by content), else OLD, else by NEW's front-matter series."""
    for doc in (result.new, result.old):
        hit = index.find_statement(doc.statement.id)
        if hit:
            return hit[0]
    name = result.new.statement.meta.series
    return next((s for s in index.series if s.name == name), None) if name else None


def with_history(result: DiffResult, index) -> DiffResult:
    """``result`` with a ``history`` record in each flag's evidence and the
    flags re-ranked by score × history multiplier. Unchanged (but with
    ``run['history']`` saying why) when NEW's series is not in the corpus."""
    series = find_series_of(index, result)
    if series is None:
        return replace(result, run={**result.run, "history": "no series of the corpus holds these statements"})
    before = prior_statements(series, result.new)
    prior = [statement_trigrams(series.documents[i]) for i in before]
    dates = [series.entries[i].date or Path(series.entries[i].path).name for i in before]
    flags = []
    for f in result.flags:
        rec = history_record(f.old_text, f.new_text, prior, dates)
        if rec is None:
            flags.append(f)
            continue
        rec = {**rec, "explanation": history_sentence(rec), "score_before": f.score}
        flags.append(replace(f, score=round(f.score * rec["multiplier"], 4),
                             evidence={**dict(f.evidence), "history": rec}))
    flags.sort(key=lambda f: (-f.score, f.id))
    run = {**result.run, "history": {"series": series.name, "prior_statements": len(before)}}
    return replace(result, flags=tuple(flags), run=run)


# --------------------------------------------------------------------------- trace


@dataclass(frozen=True)
class TraceHit:
    statement: int
    date: str
    path: str
    paragraph: int
    sentence: int
    kind: str  # exact, cosmetic, reworded
    score: float
    text: str


@dataclass(frozen=True)
class Trace:
    phrase: str
    series: Series
    hits: tuple[TraceHit, ...]
    first_seen: str
    last_seen: str
    gaps: tuple[Mapping[str, Any], ...]  # runs of statements without a hit inside first..last
    threshold: float


def _contains_folded(haystack: str, needle: str) -> bool:
    return bool(needle) and f" {needle} " in f" {haystack} "


def trace(phrase: str, series: Series, embed: Callable[[Sequence[str]], np.ndarray] | None = None,
          threshold: float = TRACE_THRESHOLD) -> Trace:
    """Every statement where ``phrase`` appears: exactly, with cosmetic
    variants (spelling, quotes, dashes, case: :func:`driftlab.normalize.fold`),
    or reworded — a sentence whose embedding has cosine ≥ ``threshold`` to a
    sentence holding the phrase (or to the phrase itself when none does).
    ``embed`` maps texts to unit vectors; ``None`` finds no rewordings."""
    if not phrase.strip():
        raise ConfigError("The phrase to trace is empty.")
    target = fold(phrase)
    sents = [(i, p.index, s.index, s.text) for i, d in enumerate(series.documents)
             for p in d.paragraphs for s in p.sentences]
    hits: list[TraceHit] = []
    anchored: set[int] = set()
    for k, (i, pi, si, text) in enumerate(sents):
        kind = "exact" if phrase in text else "cosmetic" if _contains_folded(fold(text), target) else ""
        if kind:
            e = series.entries[i]
            hits.append(TraceHit(i, e.date, e.path, pi, si, kind, 1.0, text))
            anchored.add(k)
    if embed is not None and sents:
        vecs = np.asarray(embed([t for *_, t in sents]), dtype=np.float32)
        anchors = vecs[sorted(anchored)] if anchored else np.asarray(embed([phrase]), dtype=np.float32)
        sims = (vecs @ anchors.T).max(axis=1)
        hit_stmts = {h.statement for h in hits}
        best: dict[tuple[int, int], tuple[float, int]] = {}
        for k, (i, pi, si, _text) in enumerate(sents):
            # Rewordings are sought where the phrase is not said as such: a
            # statement holding it verbatim has its answer already.
            if k in anchored or i in hit_stmts or sims[k] < threshold:
                continue
            key = (i, pi)  # one reworded hit per passage: its closest sentence
            if key not in best or sims[k] > best[key][0]:
                best[key] = (float(sims[k]), k)
        for (i, pi), (score, k) in best.items():
            e = series.entries[i]
            hits.append(TraceHit(i, e.date, e.path, pi, sents[k][2], "reworded", round(score, 4), sents[k][3]))
    hits.sort(key=lambda h: (h.statement, h.paragraph, h.sentence))
    with_hit = sorted({h.statement for h in hits})
    gaps = []
    if with_hit:
        for a, b in zip(with_hit, with_hit[1:]):
            if b - a > 1:
                missing = [series.entries[j] for j in range(a + 1, b)]
                gaps.append({"after": series.entries[a].date, "before": series.entries[b].date,
                             "statements": [m.date or Path(m.path).name for m in missing]})
    first = series.entries[with_hit[0]].date if with_hit else ""
    last = series.entries[with_hit[-1]].date if with_hit else ""
    return Trace(phrase=phrase, series=series, hits=tuple(hits), first_seen=first, last_seen=last,
                 gaps=tuple(gaps), threshold=threshold)


def entry_dict(e: Entry) -> dict[str, Any]:
    return {"path": e.path, "id": e.id, "date": e.date, "title": e.title, "series": e.series, "rule": e.rule,
            "front_matter_series": e.front_matter_series, "parties": e.parties, "kind": e.kind,
            "partial": e.partial}


def trace_dict(t: Trace) -> dict[str, Any]:
    return {
        "phrase": t.phrase, "series": t.series.name, "threshold": t.threshold,
        "statements": len(t.series.entries),
        "first_seen": t.first_seen, "last_seen": t.last_seen,
        "hits": [{"date": h.date, "path": h.path, "paragraph": h.paragraph, "sentence": h.sentence,
                  "kind": h.kind, "score": h.score, "text": h.text} for h in t.hits],
        "gaps": [dict(g) for g in t.gaps],
    }
