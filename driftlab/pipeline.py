"""The stages wired together: ingest → segment → embed → align → diff → topics → flags.

Each function here is a plain call a CLI, a server or a scheduler can make.
Nothing here prints, touches the clock for output, or exits; progress goes to
an optional callback and stage timings to an optional dict (kept out of the
result so that the same inputs give byte-identical reports).
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import threading
import time
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, Sequence

import numpy as np

from . import __version__
from .align import AlignParams, align, paragraph_vectors
from .diff import word_diff
from .errors import InputTooLarge
from .embed import EmbeddingCache, Encoder, SentenceTransformerEncoder, embed_texts
from .ingest import load_statement
from .segment import segment
from .settings import Settings
from .store import apply_corrections, demote_dismissed, pair_key, series_key
from .types import DiffResult, Document, Link

if TYPE_CHECKING:  # pragma: no cover
    from .store import Store

Progress = Callable[[str], None]


@contextmanager
def _stage(name: str, timings: dict | None, progress: Progress | None) -> Iterator[None]:
    if progress:
        progress(name)
    t0 = time.perf_counter()
    try:
        yield
    finally:
        if timings is not None:
            timings[name] = timings.get(name, 0.0) + time.perf_counter() - t0


@contextmanager
def without_cyclic_gc() -> Iterator[None]:
    """Pause Python's cycle collector for an allocation-heavy stretch.

    The analysis allocates a few hundred thousand small objects that live to
    its end (tokens, memoised matches, evidence), and creates next to no
    garbage cycles (reference counting frees the rest); each pass of the
    collector walks all of them for nothing: ~0.13 s of a cached G7 run
    (bench/speed.py), ~0.03 s more while its reports are written (the CLI
    pauses it there too). The previous state is restored, so a caller that had
    disabled it keeps it disabled.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def meanwhile(tasks: Sequence[Callable[[], object]]) -> Iterator[None]:
    """Run ``tasks`` one after another in a background thread while the body
    runs; the thread is joined when the body ends.

    For work that needs no vectors, done while the encoder imports torch,
    loads its model and encodes: torch releases the GIL inside its
    operators, so importing matplotlib (~0.7 s on this project's 2-core
    machine) or reading a statement's n-grams costs the run next to nothing
    there instead of adding to it afterwards. Only work whose result does not
    depend on when it runs belongs here (imports, pure functions of their
    arguments), so a run is the same with or without it. A task that raises
    is logged and dropped: whatever it prepared is then done again, where it
    is needed, and fails there with its own message.
    """
    if not tasks:
        yield
        return

    def run() -> None:
        for task in tasks:
            try:
                task()
            except Exception:  # noqa: BLE001 - redone (and reported) by the caller's own code
                logging.getLogger(__name__).debug("background task %r failed", task, exc_info=True)

    thread = threading.Thread(target=run, name="driftlab-meanwhile", daemon=True)
    thread.start()
    try:
        yield
    finally:
        thread.join()


def make_encoder(settings: Settings, progress: Progress | None = None) -> SentenceTransformerEncoder:
    return SentenceTransformerEncoder(settings.model, settings.precision, settings.batch_size, on_load=progress)


def make_cache(settings: Settings) -> EmbeddingCache | None:
    return EmbeddingCache(settings.resolved_cache_dir()) if settings.use_cache else None


def load_document(path: str | Path, settings: Settings | None = None) -> Document:
    """Read and segment one statement, refusing one over a budget.

    Every budget (``max_text_mb``, ``max_paragraphs``, ``max_sentences``) is
    checked here, before any embedding or alignment, so a hostile statement
    costs no more than reading and segmenting it (both linear).
    """
    settings = settings or Settings()
    statement = load_statement(
        path, max_mb=settings.max_input_mb, max_front_matter_kb=settings.max_front_matter_kb
    )
    shown = statement.path
    size = len(statement.text.encode("utf-8")) / (1024 * 1024)
    if size > settings.max_text_mb:
        raise InputTooLarge(
            f"{shown} holds {size:.1f} MB of statement text, more than the {settings.max_text_mb:g} MB "
            "driftlab aligns (max_text_mb)"
        )
    doc = segment(
        statement,
        max_sentence_chars=settings.max_sentence_chars,
        max_paragraph_chars=settings.max_paragraph_chars,
    )
    check_budgets(doc, settings)
    return doc


def check_budgets(doc: Document, settings: Settings) -> None:
    """Refuse a segmented statement with more paragraphs or sentences than the budgets allow."""
    shown = doc.statement.path
    n_paras = len(doc.paragraphs)
    if n_paras > settings.max_paragraphs:
        raise InputTooLarge(
            f"{shown} has {n_paras:,} paragraphs, more than the {settings.max_paragraphs:,} "
            "driftlab aligns (max_paragraphs)"
        )
    n_sents = sum(len(p.sentences) for p in doc.paragraphs)
    if n_sents > settings.max_sentences:
        raise InputTooLarge(
            f"{shown} has {n_sents:,} sentences, more than the {settings.max_sentences:,} "
            "driftlab aligns (max_sentences)"
        )


def check_pair(old: Document, new: Document, settings: Settings) -> None:
    """Refuse a pair whose dense matrices would exceed ``max_matrix_cells``.

    Alignment compares every old sentence with every new one and every old
    paragraph with every new one, and describes every paragraph of both
    statements over their shared vocabulary of words and word pairs: its
    memory grows with those products, not with either statement alone
    (measured: the paragraph-by-vocabulary matrices dominate, ~2 bytes per
    cell of ``paragraphs × words`` at peak). The vocabulary is bounded by
    the number of words, which costs one split to count. Checked before the
    model loads.
    """
    def sentences(d: Document) -> int:
        return sum(len(p.sentences) for p in d.paragraphs)

    budget = settings.max_matrix_cells
    names = f"{old.statement.path} and {new.statement.path} are too large to compare"
    for unit, a, b in (("sentences", sentences(old), sentences(new)),
                       ("paragraphs", len(old.paragraphs), len(new.paragraphs))):
        if a * b > budget:
            raise InputTooLarge(
                f"{names}: {a:,} × {b:,} {unit} is {a * b:,} pairs, more than the {budget:,} "
                "driftlab compares (max_matrix_cells)"
            )
    paras = len(old.paragraphs) + len(new.paragraphs)
    words = len(old.statement.text.split()) + len(new.statement.text.split())
    if paras * words > budget:
        raise InputTooLarge(
            f"{names}: {paras:,} paragraphs × {words:,} words is {paras * words:,} cells, more than the "
            f"{budget:,} driftlab compares (max_matrix_cells); split the statements or raise the budget"
        )


def run_id(old: Document, new: Document, run: dict) -> str:
    """An id shared by every output of one run: a hash of both statements and
    of what produced the result. Deterministic (same inputs, same id, so
    reports stay byte-identical), and different whenever the content could
    differ — an HTML file and a JSON file with different ids are not one run."""
    blob = json.dumps([old.statement.id, new.statement.id, run], sort_keys=True, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def sentence_vectors(doc: Document, encoder: Encoder, cache: EmbeddingCache | None) -> np.ndarray:
    """``(S, d)`` vectors of the document's sentences in reading order."""
    texts = [s.text for p in doc.paragraphs for s in p.sentences]
    return embed_texts(texts, encoder, cache)


def align_documents(
    old: Document,
    new: Document,
    encoder: Encoder,
    settings: Settings | None = None,
    cache: EmbeddingCache | None = None,
    *,
    vectors: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[Link, ...]:
    """Aligned links with word-level opcodes filled in."""
    settings = settings or Settings()
    if vectors is None:
        vectors = (sentence_vectors(old, encoder, cache), sentence_vectors(new, encoder, cache))
    links = align(old, new, vectors[0], vectors[1], align_params(settings))
    return add_opcodes(old, new, links)


def align_params(settings: Settings) -> AlignParams:
    return AlignParams(
        link_threshold=settings.link_threshold,
        min_lexical=settings.min_lexical,
        sentence_threshold=settings.sentence_threshold,
        split_coverage=settings.split_coverage,
        rewrite_cosine=settings.rewrite_cosine,
        lineage_cosine=settings.lineage_cosine,
        neighbours=settings.neighbours,
    )


def add_opcodes(old: Document, new: Document, links: Sequence[Link]) -> tuple[Link, ...]:
    ot, nt = old.statement.text, new.statement.text
    out = []
    for lk in links:
        o_spans = [(old.paragraphs[i].start, old.paragraphs[i].end) for i in lk.old]
        n_spans = [(new.paragraphs[j].start, new.paragraphs[j].end) for j in lk.new]
        out.append(replace(lk, opcodes=word_diff(ot, o_spans, nt, n_spans)))
    return tuple(out)


def diff_documents(
    old: Document,
    new: Document,
    encoder: Encoder | None = None,
    settings: Settings | None = None,
    cache: EmbeddingCache | None = None,
    *,
    progress: Progress | None = None,
    timings: dict | None = None,
    store: "Store | None" = None,
) -> DiffResult:
    """The whole diff of two segmented statements: links, topic tags, ranked flags.

    With a review ``store``, reviewers' alignment corrections for this pair
    are applied after alignment and flags of kinds dismissed in the series
    are ranked lower; ``run["review_corrections"]`` says what was applied.
    """
    from . import flags as flag_rules
    from . import topics
    from .changes import compute_changes

    settings = settings or Settings()
    # Budgets and a broken topics file should fail before seconds are spent on the model.
    check_budgets(old, settings)
    check_budgets(new, settings)
    check_pair(old, new, settings)
    config = topics.load_config(settings.topics_file or None)
    encoder = encoder or make_encoder(settings, progress)
    with _stage("embedding", timings, progress):
        ov = sentence_vectors(old, encoder, cache)
        nv = sentence_vectors(new, encoder, cache)
    # Alignment to ranked changes: allocation-heavy, next to no garbage cycles.
    with without_cyclic_gc():
        with _stage("aligning", timings, progress):
            links = align(old, new, ov, nv, align_params(settings))
        corrected: tuple[str, ...] = ()
        if store is not None:
            links, corrected = apply_corrections(old, new, links, store.corrections(pair_key(old.statement, new.statement)))
        with _stage("word diff", timings, progress):
            links = add_opcodes(old, new, links)
        with _stage("topics", timings, progress):
            known = _known_vectors(old, ov) | _known_vectors(new, nv)

            def embed(texts: Sequence[str]) -> np.ndarray:
                missing = [t for t in texts if t not in known]
                if missing:
                    for t, v in zip(missing, embed_texts(missing, encoder, cache)):
                        known[t] = v
                return np.stack([known[t] for t in texts]) if texts else np.zeros((0, 1), np.float32)

            tags = topics.tag_documents(old, new, config, embed)
        with _stage("flags", timings, progress):
            all_flags = flag_rules.compute_flags(old, new, links, tags, config)
            if store is not None:
                series = series_key(old.statement, new.statement)
                all_flags = demote_dismissed(all_flags, store.lessons(series), series)
            # Changes gather every flag (before the cap) by aligned group; each
            # flag learns its change_id.
            changes, all_flags = compute_changes(old, new, links, all_flags, tags, config, vectors=(ov, nv))
            flags = all_flags[: settings.max_flags]
    run = {
        "driftlab_version": __version__,
        "model": getattr(encoder, "key", type(encoder).__name__),
        "link_threshold": settings.link_threshold,
        "min_lexical": settings.min_lexical,
        "sentence_threshold": settings.sentence_threshold,
        "split_coverage": settings.split_coverage,
        "rewrite_cosine": settings.rewrite_cosine,
        "lineage_cosine": settings.lineage_cosine,
        "neighbours": settings.neighbours,
        "topics_file": settings.topics_file or "(default)",
        # The report says when the max_flags cap hid some flags.
        "flags_total": len(all_flags),
        "max_flags": settings.max_flags,
    }
    if corrected:
        run["review_corrections"] = list(corrected)
    run["run_id"] = run_id(old, new, run)
    return DiffResult(old=old, new=new, links=links, flags=tuple(flags), tags=tuple(tags), run=run,
                      changes=changes)


def _known_vectors(doc: Document, sent_vecs: np.ndarray) -> dict[str, np.ndarray]:
    """Sentence and paragraph vectors already computed, by text, so topic
    tagging does not encode them again. A paragraph's vector is the
    length-weighted mean of its sentences' (as in alignment)."""
    known: dict[str, np.ndarray] = {}
    sents = [s for p in doc.paragraphs for s in p.sentences]
    for s, v in zip(sents, sent_vecs):
        known[s.text] = v
    for p, v in zip(doc.paragraphs, paragraph_vectors(doc, sent_vecs)):
        known.setdefault(p.text, v)
    return known


def diff_files(
    old_path: str | Path,
    new_path: str | Path,
    settings: Settings | None = None,
    encoder: Encoder | None = None,
    cache: EmbeddingCache | None = None,
    *,
    progress: Progress | None = None,
    timings: dict | None = None,
    store: "Store | None" = None,
    corpus_dirs: Sequence[str | Path] = (),
) -> DiffResult:
    """Read, segment and diff two statement files (``store``: see :func:`diff_documents`).

    With ``corpus_dirs`` (the folders of their series), each flag gets a
    ``history`` record in its evidence and the ranking uses it
    (:func:`driftlab.series.with_history`)."""
    settings = settings or Settings()
    with _stage("reading", timings, progress):
        old = load_document(old_path, settings)
        new = load_document(new_path, settings)
    if cache is None:
        cache = make_cache(settings)
    result = diff_documents(old, new, encoder, settings, cache, progress=progress, timings=timings, store=store)
    if corpus_dirs:
        from .corpus import build_index
        from .series import with_history

        with _stage("history", timings, progress):
            index = build_index(corpus_dirs, load=lambda p: load_document(p, settings))
            result = with_history(result, index)
    return result
