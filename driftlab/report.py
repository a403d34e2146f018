"""Report stage: a :class:`~driftlab.types.DiffResult` as JSON, HTML and CSV.

* :func:`to_dict` / :func:`to_json` — the machine-readable document; every
  field is documented in :data:`JSON_FIELDS` (a test checks that table against
  real output, so the documentation cannot drift from the code).
* :func:`render_html` — one self-contained HTML file for analysts: ranked
  flags first, then the side-by-side aligned redline. No external assets; a
  Content-Security-Policy pins the one inline script and style sheet by hash,
  so even a failure of escaping could not run or load anything.
* :func:`flags_frame` / :func:`to_csv` — the flags as a table.
* :func:`write_report` — atomic write of any of the above.

Rendering is deterministic: the same result gives byte-identical output.
Anchors come from content (``link-<link id>``, ``old-p<index>``,
``new-p<index>``, ``flag-<flag id>``), never from counters, and nothing here
reads the clock. Paragraph indices are 0-based in JSON, CSV and anchors; the
HTML shows them 1-based ("¶1" is the first paragraph) because that is how a
reader counts.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import math
import numbers
import os
import re
import stat
import tempfile
import time
from collections import Counter
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence
from urllib.parse import urlsplit

from .errors import OutputError
from .types import LINK_TYPES, Change, DiffResult, Document, Flag, Link, reading_order

if TYPE_CHECKING:  # pragma: no cover
    import pandas

__all__ = [
    "JSON_FIELDS",
    "JSON_OPEN_FIELDS",
    "FLAG_COLUMNS",
    "to_dict",
    "to_json",
    "dumps",
    "render_html",
    "write_report",
    "write_reports",
    "flags_frame",
    "to_csv",
    "changes_frame",
    "changes_csv",
    "CHANGE_COLUMNS",
    "ordered_links",
    "json_fields_markdown",
]

#: Floats in the JSON are rounded to this many decimals: enough to compare
#: runs, few enough that float noise between machines does not show as churn.
FLOAT_DECIMALS = 4

_DOCUMENT_FIELDS: dict[str, str] = {
    "": "One statement and its segmentation.",
    "path": "File the statement was read from.",
    "id": "Content hash of the statement text.",
    "format": "Input format: text, markdown, html or pdf.",
    "title": "Title from the front matter ('' when unknown).",
    "date": "ISO date YYYY-MM-DD ('' when unknown).",
    "series": "Series the statement belongs to.",
    "parties": "Issuing parties, free text.",
    "source": "Where the statement was published (URL or free text).",
    "partial": "true when only the opening of the statement is present.",
    "extra": "Other front-matter keys, as a string-to-string mapping.",
    "text": "The statement body; every span indexes into it.",
    "paragraphs": "Paragraphs in reading order.",
    "paragraphs[].index": "Position in reading order, from 0.",
    "paragraphs[].id": "Content hash of the paragraph text.",
    "paragraphs[].text": "Paragraph text (text[start:end]).",
    "paragraphs[].start": "Start offset in text.",
    "paragraphs[].end": "End offset in text (exclusive).",
    "paragraphs[].sentences": "Sentences of the paragraph.",
    "paragraphs[].sentences[].index": "Position within the paragraph, from 0.",
    "paragraphs[].sentences[].start": "Start offset in text.",
    "paragraphs[].sentences[].end": "End offset in text (exclusive).",
}

#: Every field of the JSON document, by dotted path (``[]`` marks list items),
#: with its meaning. Fields listed in :data:`JSON_OPEN_FIELDS` are mappings
#: whose keys vary; their contents are not listed here.
JSON_FIELDS: dict[str, str] = {
    "driftlab_version": "Version of driftlab that wrote the document.",
    "run": "What produced the result (model, precision, thresholds), as the pipeline recorded it; "
    "`run_id` is shared by the HTML, JSON and CSV of one run.",
    **{f"old{'.' + k if k else ''}": v for k, v in _DOCUMENT_FIELDS.items()},
    **{f"new{'.' + k if k else ''}": v for k, v in _DOCUMENT_FIELDS.items()},
    "summary": "Counts.",
    "summary.links_by_type": "Number of links of each of the 10 types (0 included).",
    "summary.flags": "Number of flags.",
    "summary.flags_by_rule": "Number of flags per rule.",
    "summary.flags_by_topic": "Number of flags per topic (a flag counts once per topic).",
    "summary.changes": "Number of changes.",
    "summary.old_paragraphs": "Number of paragraphs of the old statement.",
    "summary.new_paragraphs": "Number of paragraphs of the new statement.",
    "links": "Alignment links in reading order of the new statement; a dropped "
    "link follows the link of its old predecessor.",
    "links[].id": "Content hash of type and paragraph indices; stable across runs.",
    "links[].old": "Old paragraph indices (empty for added).",
    "links[].new": "New paragraph indices (empty for dropped).",
    "links[].type": "unchanged, edited, moved, moved_edited, rewritten (same subject, new wording), "
    "split, merged, group (n old to m new), added or dropped.",
    "links[].confidence": "Confidence of the link, 0-1.",
    "links[].scores": "Numbers the link decision rests on (cosine, lexical, coverage...).",
    "links[].evidence": "Human-readable reasons.",
    "links[].opcodes": "Word edits [tag, i1, i2, j1, j2]: i1:i2 spans old.text, j1:j2 new.text; "
    "tags equal, cosmetic, replace, delete, insert.",
    "links[].moved_sentences": "Sentences that migrated into or out of these paragraphs.",
    "links[].moved_sentences[].old": "[paragraph, sentence] in the old statement.",
    "links[].moved_sentences[].new": "[paragraph, sentence] in the new statement.",
    "links[].moved_sentences[].similarity": "Cosine similarity of the two sentences' embeddings.",
    "links[].moved_sentences[].lexical": "Shared wording of the two sentences.",
    "links[].sentence_links": "Sentence lineage inside the link, in reading order of the new side.",
    "links[].sentence_links[].old": "[paragraph, sentence] pairs of the old sentence(s) (empty for added).",
    "links[].sentence_links[].new": "[paragraph, sentence] pairs of the new sentence(s) (empty for dropped).",
    "links[].sentence_links[].type": "carried, edited, rewritten (same claim, new words), added, dropped, "
    "or moved (to or from another link).",
    "links[].sentence_links[].score": "Combined score of the sentence pair (0 when one-sided).",
    "flags": "Flags, ranked: highest score first.",
    "flags[].id": "Content hash; stable across runs (review decisions key on it).",
    "flags[].rule": "Rule that raised the flag.",
    "flags[].topics": "Topics the flagged passage belongs to.",
    "flags[].old": "Old paragraph indices.",
    "flags[].new": "New paragraph indices.",
    "flags[].old_text": "The old wording the flag is about.",
    "flags[].new_text": "The new wording the flag is about.",
    "flags[].score": "Significance; flags are sorted by it.",
    "flags[].explanation": "One-sentence explanation.",
    "flags[].evidence": "Rule-specific evidence (matched terms, ladder steps, scores).",
    "flags[].link_id": "Id of the link the flag belongs to ('' if none).",
    "flags[].change_id": "Id of the change the flag belongs to ('' if none).",
    "changes": "Changes, ranked: one per aligned group that changed (or added / dropped passage), and, in a list "
    "of fewer than ten, one per strong piece lifted out of a large group; highest score first.",
    "changes[].id": "Content hash of the group's words; stable across runs.",
    "changes[].rank": "Rank, from 1.",
    "changes[].score": "Significance; changes are sorted by it (components in evidence.score).",
    "changes[].headline": "One line in an analyst's words: topic, what was dropped, added, reworded.",
    "changes[].topics": "Topics of the change.",
    "changes[].links": "Ids of the links the change is about (empty for a statement-level change); a part "
                       "lifted out of a large group carries its group's link.",
    "changes[].flags": "Ids of its flags (rule hits), highest score first.",
    "changes[].old": "Old paragraph indices.",
    "changes[].new": "New paragraph indices.",
    "changes[].evidence": "Pieces (dropped / added / reworded phrases), rules and score components; for a part "
                          "of a group, part_of (the group's change id) and sentences ([paragraph, sentence] "
                          "pairs it covers); for its group, parts.",
    "tags": "Topic tags of paragraphs and sentences.",
    "tags[].topic": "Topic name.",
    "tags[].side": "old or new.",
    "tags[].paragraph": "Paragraph index on that side.",
    "tags[].sentence": "Sentence index within the paragraph, or null for the whole paragraph.",
    "tags[].method": "term, meaning or term+meaning.",
    "tags[].score": "Strength of the tag.",
    "tags[].evidence": "Matched terms, or the closest example.",
}

#: Mappings in the JSON whose keys depend on the data, not on this module.
JSON_OPEN_FIELDS: frozenset[str] = frozenset(
    {
        "run",
        "old.extra",
        "new.extra",
        "summary.links_by_type",
        "summary.flags_by_rule",
        "summary.flags_by_topic",
        "links[].scores",
        "flags[].evidence",
        "changes[].evidence",
    }
)

#: Flag wording longer than this is shortened in the HTML flag table (the
#: row links to the full passage; JSON and CSV keep it whole). Flags often
#: quote whole paragraphs, and a table of 200 of them stops being scannable.
FLAG_TEXT_CHARS = 240

#: Changes shown on the first screen; the rest are one click away.
TOP_CHANGES = 12

#: Readable names of the flag rules (the ids stay in JSON, CSV and data attributes).
RULE_LABELS: dict[str, str] = {
    "intensity_shift": "Intensity",
    "actor_change": "Actors",
    "modality": "Modality",
    "negation": "Negation",
    "number_change": "Numbers",
    "topic_added": "Topic added",
    "topic_dropped": "Topic dropped",
    "passage_added": "New passage",
    "passage_dropped": "Dropped passage",
    "new_wording": "New wording",
}


def _derived_label(ident: str) -> str:
    """A readable label from an id: "dprk_russia" → "Dprk russia"."""
    text = ident.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _rule_label(rule: str) -> str:
    return RULE_LABELS.get(rule, _derived_label(rule))


def _topic_config(result: DiffResult):
    """The topics file the run used (its names label topics), or None when it
    cannot be read any more: labels are then derived from the ids."""
    from .errors import DriftlabError
    from .topics import load_config

    name = str(result.run.get("topics_file", "") or "")
    try:
        return load_config(None if name in ("", "(default)") else name)
    except (DriftlabError, OSError):
        return None


TYPE_LABELS: dict[str, str] = {
    "unchanged": "unchanged",
    "edited": "edited",
    "moved": "moved",
    "moved_edited": "moved + edited",
    "rewritten": "rewritten",
    "split": "split",
    "merged": "merged",
    "group": "regrouped",
    "added": "added",
    "dropped": "dropped",
    "rewritten": "rewritten",
}


# --------------------------------------------------------------------------- JSON


def _version() -> str:
    from . import __version__

    return __version__


def _clean(value: Any) -> Any:
    """Plain JSON values: tuples → lists, floats rounded, NaN/inf → null.

    Pipelines may hand over numpy scalars; ``numbers`` recognises them without
    importing numpy. Anything else unexpected becomes its ``str`` so a stray
    object can never make the report fail or differ between runs.
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        f = float(value)
        if not math.isfinite(f):
            return None
        r = round(f, FLOAT_DECIMALS)
        return 0.0 if r == 0 else r  # no "-0.0"
    if isinstance(value, Mapping):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return str(value)


def _document_dict(doc: Document) -> dict[str, Any]:
    st = doc.statement
    m = st.meta
    return {
        "path": st.path,
        "id": st.id,
        "format": st.format,
        "title": m.title,
        "date": m.date,
        "series": m.series,
        "parties": m.parties,
        "source": m.source,
        "partial": bool(m.partial),
        "extra": {k: v for k, v in m.extra},
        "text": st.text,
        "paragraphs": [
            {
                "index": p.index,
                "id": p.id,
                "text": p.text,
                "start": p.start,
                "end": p.end,
                "sentences": [{"index": s.index, "start": s.start, "end": s.end} for s in p.sentences],
            }
            for p in doc.paragraphs
        ],
    }


def _moved_dict(m: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "old": _clean(m.get("old", [])),
        "new": _clean(m.get("new", [])),
        "similarity": _clean(m.get("similarity")),
        "lexical": _clean(m.get("lexical")),
    }


def ordered_links(result: DiffResult) -> list[Link]:
    """Links in reading order of the new statement (see :func:`driftlab.types.reading_order`)."""
    return reading_order(result.links)


def _summary(result: DiffResult) -> dict[str, Any]:
    by_type = Counter(lk.type for lk in result.links)
    by_rule = Counter(f.rule for f in result.flags)
    by_topic = Counter(t for f in result.flags for t in dict.fromkeys(f.topics))
    return {
        "links_by_type": {t: by_type.get(t, 0) for t in LINK_TYPES},
        "flags": len(result.flags),
        "changes": len(result.changes),
        "flags_by_rule": dict(sorted(by_rule.items())),
        "flags_by_topic": dict(sorted(by_topic.items())),
        "old_paragraphs": len(result.old.paragraphs),
        "new_paragraphs": len(result.new.paragraphs),
    }


def to_dict(result: DiffResult) -> dict[str, Any]:
    """The JSON document for ``result``; fields are described in :data:`JSON_FIELDS`."""
    return {
        "driftlab_version": _version(),
        "run": _clean(dict(result.run)),
        "old": _document_dict(result.old),
        "new": _document_dict(result.new),
        "summary": _summary(result),
        "links": [
            {
                "id": lk.id,
                "old": list(lk.old),
                "new": list(lk.new),
                "type": lk.type,
                "confidence": _clean(lk.confidence),
                "scores": _clean(dict(lk.scores)),
                "evidence": list(lk.evidence),
                "opcodes": [[tag, i1, i2, j1, j2] for tag, i1, i2, j1, j2 in lk.opcodes],
                "moved_sentences": [_moved_dict(m) for m in lk.moved_sentences],
                "sentence_links": [
                    {"old": _clean(sl["old"]), "new": _clean(sl["new"]), "type": sl["type"],
                     "score": _clean(sl["score"])}
                    for sl in lk.sentence_links
                ],
            }
            for lk in ordered_links(result)
        ],
        "flags": [
            {
                "id": f.id,
                "rule": f.rule,
                "topics": list(f.topics),
                "old": list(f.old),
                "new": list(f.new),
                "old_text": f.old_text,
                "new_text": f.new_text,
                "score": _clean(f.score),
                "explanation": f.explanation,
                "evidence": _clean(dict(f.evidence)),
                "link_id": f.link_id,
                "change_id": f.change_id,
            }
            for f in result.flags
        ],
        "changes": [
            {
                "id": c.id,
                "rank": c.rank,
                "score": _clean(c.score),
                "headline": c.headline,
                "topics": list(c.topics),
                "links": list(c.links),
                "flags": list(c.flags),
                "old": list(c.old),
                "new": list(c.new),
                "evidence": _clean(dict(c.evidence)),
            }
            for c in result.changes
        ],
        "tags": [
            {
                "topic": t.topic,
                "side": t.side,
                "paragraph": t.paragraph,
                "sentence": t.sentence,
                "method": t.method,
                "score": _clean(t.score),
                "evidence": list(t.evidence),
            }
            for t in result.tags
        ],
    }


def to_json(result: DiffResult) -> str:
    """:func:`to_dict` as JSON text: sorted keys, UTF-8 as is, final newline.

    Objects are indented two spaces; a list of plain values (an opcode, a
    list of indices) stays on one line. One opcode per line keeps the file
    readable and diffable at about half the size of ``indent=2``.
    """
    return dumps(to_dict(result)) + "\n"


def dumps(value: Any, indent: str = "") -> str:
    """Deterministic JSON text for plain values (see :func:`to_json`)."""
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = indent + "  "
        items = [
            f"{inner}{_encode_str(str(k))}: {dumps(value[k], inner)}"
            for k in sorted(value, key=str)
        ]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        if not any(isinstance(v, (dict, list)) for v in value):
            return "[" + ", ".join(_scalar(v) for v in value) + "]"
        inner = indent + "  "
        return "[\n" + ",\n".join(inner + dumps(v, inner) for v in value) + "\n" + indent + "]"
    return _scalar(value)


#: ``json.dumps(s, ensure_ascii=False)`` for a str, without its per-call
#: encoder set-up (a G7 report has ~70,000 scalars: 0.4 s of a 3 s run).
_encode_str = json.encoder.encode_basestring


def _scalar(value: Any) -> str:
    """One JSON scalar, exactly as ``json.dumps(value, ensure_ascii=False, allow_nan=False)``."""
    kind = type(value)
    if kind is str:
        return _encode_str(value)
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return int.__repr__(value)
    if kind is float and value - value == 0.0:  # finite (NaN and ±inf are refused below, as json does)
        return float.__repr__(value)
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


# --------------------------------------------------------------------------- HTML context
#
# The template sees only the dataclasses below (datasette style: the context
# of the page is a documented type). Text in them is raw; the template's
# autoescape does all the escaping, so nothing here builds markup.


@dataclass(frozen=True)
class Segment:
    """A run of paragraph text: ``kind`` is text, del, ins or cosmetic."""

    kind: str
    text: str
    title: str = ""


@dataclass(frozen=True)
class Note:
    """A cross-reference under a paragraph, e.g. "sentence 2 moved to new ¶5"."""

    text: str
    href: str
    excerpt: str = ""


@dataclass(frozen=True)
class ParaView:
    side: str
    index: int
    anchor: str  # element id; "" when this paragraph was already shown by another link
    number: int  # 1-based, for display
    segments: tuple[Segment, ...]
    notes: tuple[Note, ...]
    topics: tuple[str, ...]


@dataclass(frozen=True)
class FlagRef:
    href: str
    rank: int
    rule: str


@dataclass(frozen=True)
class LinkRow:
    id: str
    anchor: str
    type: str
    label: str
    confidence: str
    old: tuple[ParaView, ...]
    new: tuple[ParaView, ...]
    moved_from: tuple[Note, ...]  # "moved from old ¶i" for moved links
    evidence: tuple[str, ...]
    scores: tuple[tuple[str, str], ...]
    flags: tuple[FlagRef, ...]
    #: The change this row shows ("" for carried-over text) and its rank (0 if none).
    change_anchor: str = ""
    change_rank: int = 0
    topics_attr: str = ""
    rules_attr: str = ""
    #: A rewritten link: same subject, little shared wording; no redline.
    subject: str = ""


@dataclass(frozen=True)
class ChangeFlag:
    rule: str  # readable label
    explanation: str
    old_text: str
    new_text: str
    anchor: str  # the flag's row in the rule-hit table


@dataclass(frozen=True)
class ChangeRow:
    id: str
    anchor: str
    rank: int
    score: str
    headline: str
    topics: tuple[str, ...]  # readable labels
    topics_attr: str  # ";"-joined ids, for the filter script
    rules: tuple[str, ...]  # readable labels
    rules_attr: str
    href: str  # the passage in the side-by-side ("" if none)
    where: str
    flags: tuple[ChangeFlag, ...]
    components: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class TopicRow:
    id: str
    name: str
    old: str  # "yes" / "no"
    new: str
    passages: str  # "3 → 1"
    old_strongest: str
    new_strongest: str
    changes: tuple[tuple[int, str], ...]  # (rank, href)


@dataclass(frozen=True)
class FlagRow:
    id: str
    anchor: str
    rank: int
    score: str
    rule: str
    topics: tuple[str, ...]  # readable labels
    topics_attr: str  # ";"-joined ids, for the filter script
    old_text: str
    new_text: str
    explanation: str
    evidence: tuple[tuple[str, str], ...]
    href: str  # passage in the side-by-side view ("" if it cannot be located)
    where: str
    rule_label: str = ""
    #: The review decision on this flag when a review store is present (see driftlab.store).
    decision: "DecisionView | None" = None


@dataclass(frozen=True)
class DecisionView:
    """A reviewer's current decision, as the report shows it."""

    decision: str  # confirm, dismiss or discuss
    label: str  # "confirmed", "dismissed", "needs discussion"
    reviewer: str
    note: str
    at: str  # timestamp, as stored
    summary: str = ""  # what was decided on (for decisions whose flag is gone)


@dataclass(frozen=True)
class SideMeta:
    side: str
    label: str
    path: str
    title: str
    date: str
    series: str
    parties: str
    source: str
    source_href: str  # "" unless source is an http(s) URL
    partial: bool
    paragraphs: int
    extra: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ReportContext:
    """Everything ``report.html.j2`` renders."""

    page_title: str
    version: str
    old: SideMeta
    new: SideMeta
    run: tuple[tuple[str, str], ...]
    counts: tuple[tuple[str, str, int], ...]  # (type, label, count)
    flag_count: int
    #: Flags found before the ``max_flags`` cap (equal to flag_count when nothing was cut).
    flag_total: int
    flags: tuple[FlagRow, ...]
    flag_topics: tuple[str, ...]
    flag_rules: tuple[str, ...]
    rows: tuple[LinkRow, ...]
    unaligned: tuple[ParaView, ...]  # paragraphs no link mentions
    #: Decisions on flags no longer in this report (kept, never dropped).
    orphaned: tuple[DecisionView, ...] = ()
    #: The top changes (shown first) and the rest (one click away).
    top_changes: tuple[ChangeRow, ...] = ()
    more_changes: tuple[ChangeRow, ...] = ()
    topic_rows: tuple[TopicRow, ...] = ()
    #: (id, readable label) for the topic and rule filters.
    topic_options: tuple[tuple[str, str], ...] = ()
    rule_options: tuple[tuple[str, str], ...] = ()
    #: Is there carried-over text for "hide unchanged" to hide?
    has_carried: bool = False


def _fmt(value: Any) -> str:
    """A value as short display text: floats to 4 decimals, containers as compact JSON."""
    v = _clean(value)
    if isinstance(v, str):
        return v
    if isinstance(v, float):
        return str(v)  # already rounded: "0.8123", "0.5"
    return json.dumps(v, sort_keys=True, ensure_ascii=False)


def _evidence_items(evidence: Mapping[str, Any], prefix: str = "") -> tuple[tuple[str, str], ...]:
    """Evidence as (key, text) rows, sorted: nested mappings become dotted
    keys ("score.size") and lists of plain values are joined with ", ", which
    reads better than JSON in a table."""
    rows: list[tuple[str, str]] = []
    for k, v in sorted(evidence.items(), key=lambda kv: str(kv[0])):
        key = f"{prefix}{k}"
        if isinstance(v, Mapping) and v:
            rows.extend(_evidence_items(v, key + "."))
        elif isinstance(v, (list, tuple)) and v and not any(isinstance(x, (Mapping, list, tuple)) for x in v):
            rows.append((key, ", ".join(_fmt(x) for x in v)))
        else:
            rows.append((key, _fmt(v)))
    return tuple(rows)


def _shorten(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to about ``limit`` characters, with "…"."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(None, 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,;:") + " …"


def _http_href(source: str) -> str:
    """``source`` if it is an absolute http(s) URL, else "": no javascript:, data:, relative links."""
    s = source.strip()
    if any(c.isspace() or ord(c) < 32 for c in s):
        return ""
    try:
        parts = urlsplit(s)
    except ValueError:
        return ""
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return s
    return ""


def _side_meta(side: str, doc: Document) -> SideMeta:
    st = doc.statement
    m = st.meta
    return SideMeta(
        side=side,
        label=st.label,
        path=st.path,
        title=m.title,
        date=m.date,
        series=m.series,
        parties=m.parties,
        source=m.source,
        source_href=_http_href(m.source),
        partial=bool(m.partial),
        paragraphs=len(doc.paragraphs),
        extra=tuple(m.extra),
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _excerpt(text: str, limit: int = 90) -> str:
    t = _one_line(text)
    return t if len(t) <= limit else t[: limit - 1].rstrip() + "…"


def _marks(link: Link, side: str, old_text: str, new_text: str) -> list[tuple[int, int, str, str]]:
    """Spans of ``side`` to highlight, from the link's opcodes, sorted by start.

    Equal spans need no mark; gaps between opcodes (whitespace) are copied
    plain by :func:`_segments`.
    """
    marks = []
    for tag, i1, i2, j1, j2 in link.opcodes:
        a, b = (i1, i2) if side == "old" else (j1, j2)
        if b <= a or tag == "equal":
            continue
        if tag == "cosmetic":
            kind = "cosmetic"
            title = f"cosmetic: “{_one_line(old_text[i1:i2])}” → “{_one_line(new_text[j1:j2])}”"
        elif side == "old" and tag in ("replace", "delete"):
            kind = "del"
            title = f"replaced by “{_excerpt(new_text[j1:j2], 120)}”" if tag == "replace" else ""
        elif side == "new" and tag in ("replace", "insert"):
            kind = "ins"
            title = f"replaces “{_excerpt(old_text[i1:i2], 120)}”" if tag == "replace" else ""
        else:
            continue
        marks.append((a, b, kind, title))
    marks.sort(key=lambda m: (m[0], m[1]))
    return marks


def _segments(text: str, start: int, end: int, marks: Sequence[tuple[int, int, str, str]]) -> tuple[Segment, ...]:
    """Paragraph ``text[start:end]`` cut into plain and marked runs.

    Marks are clipped to the paragraph: in a merge or split one replace can
    run across a paragraph break, and each paragraph shows its own part.
    """
    out: list[Segment] = []
    cur = start
    for a, b, kind, title in marks:
        a, b = max(a, cur), min(b, end)
        if b <= a:
            continue
        if a > cur:
            out.append(Segment("text", text[cur:a]))
        out.append(Segment(kind, text[a:b], title))
        cur = b
    if cur < end:
        out.append(Segment("text", text[cur:end]))
    return tuple(out)


def _sentence_text(doc: Document, para: int, sent: int) -> str:
    if 0 <= para < len(doc.paragraphs):
        sents = doc.paragraphs[para].sentences
        if 0 <= sent < len(sents):
            return sents[sent].text
    return ""


def _pair(value: Any) -> tuple[int, int] | None:
    try:
        p, s = value
        return int(p), int(s)
    except (TypeError, ValueError):
        return None


def _link_notes(result: DiffResult, link: Link) -> dict[tuple[str, int], list[Note]]:
    """Moved-sentence notes for the paragraphs shown in this link's row."""
    notes: dict[tuple[str, int], list[Note]] = {}
    for m in link.moved_sentences:
        old, new = _pair(m.get("old")), _pair(m.get("new"))
        if old is None or new is None:
            continue
        (op, os_), (np_, ns) = old, new
        if op in link.old:
            note = Note(
                f"sentence {os_ + 1} moved to new ¶{np_ + 1}",
                f"#new-p{np_}",
                _excerpt(_sentence_text(result.old, op, os_)),
            )
            notes.setdefault(("old", op), []).append(note)
        if np_ in link.new:
            note = Note(
                f"sentence {ns + 1} moved from old ¶{op + 1}",
                f"#old-p{op}",
                _excerpt(_sentence_text(result.new, np_, ns)),
            )
            notes.setdefault(("new", np_), []).append(note)
    _lineage_notes(result, link, notes)
    return notes


#: A link with a paragraph of more sentences than this on one side, and more
#: than one paragraph on the other, gets sentence-lineage notes: which old
#: sentence each new passage continues (a long paragraph fanning out), or
#: which new passage each old sentence went into (many condensed into one).
LINEAGE_NOTE_SENTENCES = 5


def _lineage_notes(result: DiffResult, link: Link, notes: dict[tuple[str, int], list[Note]]) -> None:
    def long_side(doc: Document, idx: Sequence[int]) -> bool:
        return any(len(doc.paragraphs[i].sentences) > LINEAGE_NOTE_SENTENCES for i in idx
                   if 0 <= i < len(doc.paragraphs))

    fan_out = len(link.new) > 1 and long_side(result.old, link.old)
    fan_in = len(link.old) > 1 and long_side(result.new, link.new)
    if not (fan_out or fan_in):
        return
    verb = {"carried": "carries", "edited": "edits", "rewritten": "restates"}
    for sl in link.sentence_links:
        kind = sl.get("type", "")
        if kind not in verb:
            continue
        olds = [p for p in (_pair(x) for x in sl.get("old", ())) if p is not None]
        news = [p for p in (_pair(x) for x in sl.get("new", ())) if p is not None]
        if not olds or not news:
            continue
        (op, os_), (np_, ns) = olds[0], news[0]
        if fan_out:
            notes.setdefault(("new", np_), []).append(Note(
                f"sentence {ns + 1} {verb[kind]} old ¶{op + 1}, sentence {os_ + 1}",
                f"#old-p{op}",
                _excerpt(_sentence_text(result.old, op, os_)),
            ))
        if fan_in:
            notes.setdefault(("old", op), []).append(Note(
                f"sentence {os_ + 1} continues in new ¶{np_ + 1}, sentence {ns + 1}",
                f"#new-p{np_}",
                _excerpt(_sentence_text(result.new, np_, ns)),
            ))


def _decision_view(d: Any) -> DecisionView:
    from .store import DECISIONS

    return DecisionView(d.decision, DECISIONS.get(d.decision, d.decision), d.reviewer, d.note, d.created_at,
                        getattr(d, "summary", ""))


def _build_context(result: DiffResult, decisions: Mapping[str, Any] | None = None) -> ReportContext:
    decisions = decisions or {}
    old_text, new_text = result.old.statement.text, result.new.statement.text
    docs = {"old": result.old, "new": result.new}
    links = ordered_links(result)
    link_ids = {lk.id for lk in links}

    topics_of: dict[tuple[str, int], set[str]] = {}
    for t in result.tags:
        topics_of.setdefault((t.side, t.paragraph), set()).add(t.topic)

    config = _topic_config(result)
    names = {t.id: t.name for t in config.topics} if config else {}

    def topic_label(t: str) -> str:
        return names.get(t) or _derived_label(t)

    flags_of: dict[str, list[FlagRef]] = {}
    flag_rows = []
    for rank, f in enumerate(result.flags, start=1):
        href = _flag_href(f, link_ids)
        flag_rows.append(
            FlagRow(
                id=f.id,
                anchor=f"flag-{f.id}",
                rank=rank,
                score=_fmt(float(f.score)),
                rule=f.rule,
                topics=tuple(topic_label(t) for t in f.topics),
                topics_attr=";".join(f.topics),
                old_text=_shorten(f.old_text, FLAG_TEXT_CHARS),
                new_text=_shorten(f.new_text, FLAG_TEXT_CHARS),
                explanation=f.explanation,
                evidence=_evidence_items(f.evidence),
                href=href,
                where=_where(f),
                decision=_decision_view(decisions[f"flag:{f.id}"]) if f"flag:{f.id}" in decisions else None,
                rule_label=_rule_label(f.rule),
            )
        )
        if f.link_id in link_ids:
            flags_of.setdefault(f.link_id, []).append(FlagRef(f"#flag-{f.id}", rank, _rule_label(f.rule)))

    # Each paragraph gets its anchor at its first appearance only: a
    # malformed alignment that lists a paragraph twice must not produce
    # duplicate ids. Order is the (deterministic) row order.
    seen: set[tuple[str, int]] = set()

    def para_view(side: str, index: int, marks, notes) -> ParaView | None:
        doc = docs[side]
        if not 0 <= index < len(doc.paragraphs):
            return None
        p = doc.paragraphs[index]
        first = (side, index) not in seen
        seen.add((side, index))
        text = old_text if side == "old" else new_text
        return ParaView(
            side=side,
            index=index,
            anchor=f"{side}-p{index}" if first else "",
            number=index + 1,
            segments=_segments(text, p.start, p.end, marks),
            notes=tuple(dict.fromkeys(notes.get((side, index), ()))),
            topics=tuple(sorted(topic_label(t) for t in topics_of.get((side, index), ()))),
        )

    flag_by_id = {f.id: f for f in result.flags}
    # A side-by-side row shows its group's change, never one of the parts
    # lifted out of it (which may rank above it); its filters know every
    # topic and rule of the group, as they did before a part was lifted.
    change_of: dict[str, Change] = {}
    link_topics: dict[str, set[str]] = {}
    link_rules: dict[str, set[str]] = {}
    for c in sorted(result.changes, key=lambda c: "part_of" in c.evidence):
        for lid in c.links:
            change_of.setdefault(lid, c)
            link_topics.setdefault(lid, set()).update(c.topics)
            link_rules.setdefault(lid, set()).update(c.evidence.get("rules", ()))

    def change_row(c: Change) -> ChangeRow:
        lid = next((x for x in c.links if x in link_ids), "")
        href = f"#link-{lid}" if lid else (f"#new-p{c.new[0]}" if c.new else f"#old-p{c.old[0]}" if c.old else "")
        fl = [flag_by_id[i] for i in c.flags if i in flag_by_id]
        comp = c.evidence.get("score", {}) if isinstance(c.evidence, Mapping) else {}
        return ChangeRow(
            id=c.id, anchor=f"change-{c.id}", rank=c.rank, score=_fmt(float(c.score)), headline=c.headline,
            topics=tuple(topic_label(t) for t in c.topics), topics_attr=";".join(c.topics),
            rules=tuple(_rule_label(r) for r in c.evidence.get("rules", ())),
            rules_attr=";".join(c.evidence.get("rules", ())), href=href,
            where=_where_paras(c.old, c.new),
            flags=tuple(ChangeFlag(_rule_label(f.rule), f.explanation, _shorten(f.old_text, FLAG_TEXT_CHARS),
                                   _shorten(f.new_text, FLAG_TEXT_CHARS), f"flag-{f.id}") for f in fl),
            components=tuple((str(k), _fmt(v)) for k, v in sorted(comp.items()) if k != "formula"),
        )

    change_rows = [change_row(c) for c in result.changes]
    topic_rows: list[TopicRow] = []
    if config is not None:
        from .changes import topic_overview

        for r in topic_overview(result.old, result.new, result.tags, result.changes, config):
            topic_rows.append(TopicRow(
                id=r["topic"], name=r["name"], old="yes" if r["old_present"] else "no",
                new="yes" if r["new_present"] else "no", passages=f"{r['old_passages']} → {r['new_passages']}",
                old_strongest=r["old_strongest"], new_strongest=r["new_strongest"],
                changes=tuple((rank, f"#change-{cid}") for rank, cid in r["changes"])))

    rows = []
    for lk in links:
        notes = _link_notes(result, lk)
        # A rewritten passage shares little wording with its ancestor: a word
        # redline would strike everything, so both sides show plain.
        old_marks = [] if lk.type == "rewritten" else _marks(lk, "old", old_text, new_text)
        new_marks = [] if lk.type == "rewritten" else _marks(lk, "new", old_text, new_text)
        old_views = tuple(v for i in lk.old if (v := para_view("old", i, old_marks, notes)))
        new_views = tuple(v for j in lk.new if (v := para_view("new", j, new_marks, notes)))
        moved_from: tuple[Note, ...] = ()
        if lk.type in ("moved", "moved_edited"):
            moved_from = tuple(Note(f"moved from old ¶{i + 1}", f"#old-p{i}") for i in lk.old)
        rows.append(
            LinkRow(
                id=lk.id,
                anchor=f"link-{lk.id}",
                type=lk.type,
                label=TYPE_LABELS.get(lk.type, lk.type),
                confidence=f"{float(lk.confidence):.2f}",
                old=old_views,
                new=new_views,
                moved_from=moved_from,
                evidence=tuple(lk.evidence),
                scores=tuple((str(k), _fmt(v)) for k, v in sorted(lk.scores.items(), key=lambda kv: str(kv[0]))),
                flags=tuple(flags_of.get(lk.id, ())),
                change_anchor=f"change-{change_of[lk.id].id}" if lk.id in change_of else "",
                change_rank=change_of[lk.id].rank if lk.id in change_of else 0,
                topics_attr=";".join(sorted(link_topics[lk.id])) if lk.id in change_of else ";".join(sorted(
                    {t for side, idx in (("old", lk.old), ("new", lk.new)) for i in idx
                     for t in topics_of.get((side, i), ())})),
                rules_attr=";".join(sorted(link_rules[lk.id])) if lk.id in change_of else "",
                subject="; ".join(topic_label(t) for t in change_of[lk.id].topics) or "the same subject"
                if lk.type == "rewritten" and lk.id in change_of else ("the same subject" if lk.type == "rewritten"
                                                                      else ""),
            )
        )

    unaligned = tuple(
        v
        for side in ("old", "new")
        for i in range(len(docs[side].paragraphs))
        if (side, i) not in seen and (v := para_view(side, i, (), {}))
    )

    counts = Counter(lk.type for lk in result.links)
    old_meta, new_meta = _side_meta("old", result.old), _side_meta("new", result.new)
    return ReportContext(
        page_title=f"driftlab: {old_meta.label} → {new_meta.label}",
        version=_version(),
        old=old_meta,
        new=new_meta,
        run=tuple((str(k), _fmt(v)) for k, v in sorted(result.run.items(), key=lambda kv: str(kv[0]))),
        counts=tuple((t, TYPE_LABELS[t], counts.get(t, 0)) for t in LINK_TYPES),
        flag_count=len(result.flags),
        flag_total=max(len(result.flags), int(result.run.get("flags_total", len(result.flags)))),
        flags=tuple(flag_rows),
        flag_topics=tuple(sorted({t for f in result.flags for t in f.topics})),
        flag_rules=tuple(sorted({f.rule for f in result.flags})),
        rows=tuple(rows),
        unaligned=unaligned,
        orphaned=tuple(_decision_view(d) for k, d in sorted(decisions.items())
                       if k.startswith("flag:") and k[5:] not in {f.id for f in result.flags}),
        top_changes=tuple(change_rows[:TOP_CHANGES]),
        more_changes=tuple(change_rows[TOP_CHANGES:]),
        topic_rows=tuple(topic_rows),
        topic_options=tuple((t, topic_label(t)) for t in sorted(
            {t for f in result.flags for t in f.topics} | {t for c in result.changes for t in c.topics},
            key=lambda t: (topic_label(t).lower(), t))),
        rule_options=tuple((r, _rule_label(r)) for r in sorted(
            {f.rule for f in result.flags}, key=lambda r: (_rule_label(r).lower(), r))),
        has_carried=any(lk.type in ("unchanged", "moved") for lk in links),
    )


def _flag_href(flag: Flag, link_ids: set[str]) -> str:
    if flag.link_id in link_ids:
        return f"#link-{flag.link_id}"
    if flag.new:
        return f"#new-p{flag.new[0]}"
    if flag.old:
        return f"#old-p{flag.old[0]}"
    return ""


def _where_paras(old: Sequence[int], new: Sequence[int]) -> str:
    o = ", ".join(f"¶{i + 1}" for i in old)
    n = ", ".join(f"¶{j + 1}" for j in new)
    if o and n:
        return f"old {o} → new {n}"
    return f"old {o}" if o else f"new {n}" if n else "whole statement"


def _where(flag: Flag) -> str:
    """Where a flag sits, for display: "old ¶2 → new ¶3", "new ¶5", "old ¶4"."""
    old = ", ".join(f"¶{i + 1}" for i in flag.old)
    new = ", ".join(f"¶{j + 1}" for j in flag.new)
    if old and new:
        return f"old {old} → new {new}"
    return f"old {old}" if old else f"new {new}" if new else "—"


def _csp_hash(content: Any) -> str:
    """CSP source expression for an inline element with exactly this content."""
    digest = hashlib.sha256(str(content).encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _bytecode_cache(directory: str | None = None):
    """Compiled templates kept between processes, or ``None`` without a usable folder.

    Compiling the report template costs ~0.2 s per process, a tenth of a
    cached run. jinja2 keeps the compiled code in a private (0700, owner
    checked) per-user folder of the temp dir, keyed by the template's
    checksum, so an edited template is compiled afresh. Like the embedding
    cache it fails soft: an unreadable or corrupt entry is compiled again,
    a failed write (disk full, read-only) is skipped.
    """
    import jinja2

    class SoftBytecodeCache(jinja2.FileSystemBytecodeCache):
        def load_bytecode(self, bucket):
            try:
                super().load_bytecode(bucket)
            except Exception:  # noqa: BLE001 - any damage means: compile afresh
                bucket.reset()

        def dump_bytecode(self, bucket):
            try:
                super().dump_bytecode(bucket)
            except OSError:
                pass

    try:
        return SoftBytecodeCache(directory)
    except (OSError, RuntimeError):  # RuntimeError: jinja2 refuses an unsafe temp folder
        return None


@functools.lru_cache(maxsize=4)
def _environment(bytecode_dir: str | None = None):
    """The jinja2 environment; cached because compiling the template costs more than rendering it.

    ``bytecode_dir``: where compiled templates are kept (default: jinja2's
    per-user temp folder; see :func:`_bytecode_cache`)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).resolve().parent / "templates"),
        bytecode_cache=_bytecode_cache(bytecode_dir),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["csp_hash"] = _csp_hash
    return env


def render_html(result: DiffResult, decisions: Mapping[str, Any] | None = None) -> str:
    """One self-contained HTML page: header, summary, ranked flags, side-by-side redline.

    ``decisions``: review decisions by ``"flag:<id>"`` (see
    :meth:`driftlab.store.Store.decisions_for_run`), shown next to their flags;
    decisions on flags absent from this result are listed as orphaned.
    """
    template = _environment().get_template("report.html.j2")
    return template.render(ctx=_build_context(result, decisions))


# --------------------------------------------------------------------------- CSV

FLAG_COLUMNS = (
    "id",
    "rank",
    "rule",
    "topics",
    "old",
    "new",
    "old_text",
    "new_text",
    "score",
    "explanation",
    "link_id",
    "change_id",
    "evidence",
    # The run id shared by the HTML, JSON and CSV of one run (see pipeline.run_id).
    "run_id",
)

CHANGE_COLUMNS = (
    "id",
    "rank",
    "score",
    "headline",
    "topics",
    "old",
    "new",
    "links",
    "flags",
    "rules",
    "evidence",
    "run_id",
)


def _join(items: Iterable[Any]) -> str:
    return ";".join(str(i) for i in items)


def flags_frame(result: DiffResult) -> "pandas.DataFrame":
    """One row per flag, in rank order (rank 1 = most significant).

    ``topics``, ``old`` and ``new`` are joined with ";"; paragraph indices are 0-based.
    """
    import pandas as pd

    rows = [
        {
            "id": f.id,
            "rank": rank,
            "rule": f.rule,
            "topics": _join(f.topics),
            "old": _join(f.old),
            "new": _join(f.new),
            "old_text": f.old_text,
            "new_text": f.new_text,
            "score": round(float(f.score), FLOAT_DECIMALS),
            "explanation": f.explanation,
            "link_id": f.link_id,
            "change_id": f.change_id,
            # The rule's evidence as compact JSON: one cell a spreadsheet keeps whole.
            "evidence": json.dumps(_clean(dict(f.evidence)), sort_keys=True, ensure_ascii=False),
            "run_id": str(result.run.get("run_id", "")),
        }
        for rank, f in enumerate(result.flags, start=1)
    ]
    frame = pd.DataFrame(rows, columns=list(FLAG_COLUMNS))
    return frame.astype({"rank": "int64", "score": "float64"})


#: A cell starting with one of these is a formula to Excel and LibreOffice.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def to_csv(result: DiffResult) -> str:
    """:func:`flags_frame` as CSV text (``\\n`` line ends, header row).

    Statement text is untrusted: a text cell that a spreadsheet would run as
    a formula gets a leading apostrophe (the OWASP CSV-injection defence).
    """
    frame = flags_frame(result)
    for col in ("rule", "topics", "old_text", "new_text", "explanation"):
        frame[col] = frame[col].map(lambda s: "'" + s if s.startswith(_FORMULA_START) else s)
    return frame.to_csv(index=False, lineterminator="\n")


def changes_frame(result: DiffResult) -> "pandas.DataFrame":
    """One row per change, in rank order; list cells joined with ";"."""
    import pandas as pd

    rows = [
        {
            "id": c.id,
            "rank": c.rank,
            "score": round(float(c.score), FLOAT_DECIMALS),
            "headline": c.headline,
            "topics": _join(c.topics),
            "old": _join(c.old),
            "new": _join(c.new),
            "links": _join(c.links),
            "flags": _join(c.flags),
            "rules": _join(c.evidence.get("rules", ())),
            "evidence": json.dumps(_clean(dict(c.evidence)), sort_keys=True, ensure_ascii=False),
            "run_id": str(result.run.get("run_id", "")),
        }
        for c in result.changes
    ]
    frame = pd.DataFrame(rows, columns=list(CHANGE_COLUMNS))
    return frame.astype({"rank": "int64", "score": "float64"})


def changes_csv(result: DiffResult) -> str:
    """:func:`changes_frame` as CSV text, with the same formula defence as :func:`to_csv`."""
    frame = changes_frame(result)
    for col in ("headline", "topics", "rules"):
        frame[col] = frame[col].map(lambda s: "'" + s if s.startswith(_FORMULA_START) else s)
    return frame.to_csv(index=False, lineterminator="\n")


# --------------------------------------------------------------------------- writing


def write_report(path: str | os.PathLike[str], content: str) -> None:
    """Write ``content`` (UTF-8) to ``path`` atomically (see :func:`write_reports`)."""
    write_reports([(path, content)])


#: Longest path quoted in an error message.
_PATH_SHOWN = 160


def _shown(path: object) -> str:
    from .ingest import display_path
    from .settings import short

    return short(display_path(os.fspath(path)), _PATH_SHOWN)  # type: ignore[arg-type]


def check_outputs(paths: Sequence[str | os.PathLike[str]],
                  inputs: Sequence[str | os.PathLike[str]] = ()) -> list[Path]:
    """The resolved targets of ``paths``, or :class:`OutputError` naming the first problem.

    Cheap checks only (no file is written), so the CLI runs them before the
    model loads and a run that cannot write its report fails in milliseconds,
    not after the whole computation: a file name or path too long for the
    file system, a directory or a device where the report should go, one
    file named twice, an input statement as a target, a parent that is not a
    writable directory, or a symlink pointing outside its own folder (the
    atomic rename would replace the file it points to, elsewhere, and change
    its owner; a link inside the folder, e.g. ``latest.html``, is written
    through). ``-`` (standard output) is skipped.
    """
    real_inputs = set()
    for p in inputs:
        with suppress(OSError, ValueError):
            real_inputs.add(os.path.realpath(p))
    targets: list[Path] = []
    for path in paths:
        if os.fspath(path) == "-":
            continue
        shown = _shown(path)
        raw = os.fsencode(path)
        if b"\x00" in raw:
            raise OutputError(f"Cannot write report to {shown}: the name contains a NUL byte.")
        name_max, path_max = _limits(os.path.dirname(os.path.abspath(raw)) or b".")
        name = os.path.basename(raw)
        if len(name) > name_max:
            raise OutputError(
                f"Cannot write report to {shown}: its file name is {len(name)} bytes, more than the "
                f"{name_max} the file system allows."
            )
        if len(os.path.abspath(raw)) >= path_max:
            raise OutputError(
                f"Cannot write report to {shown}: the path is {len(os.path.abspath(raw))} bytes, more "
                f"than the {path_max - 1} the system allows."
            )
        try:
            real = os.path.realpath(path)
            info = os.stat(real) if os.path.lexists(real) else None
        except (OSError, ValueError) as e:
            raise OutputError(f"Cannot write report to {shown}: {getattr(e, 'strerror', None) or e}.") from None
        target = Path(real)
        if info is not None and stat.S_ISDIR(info.st_mode):
            raise OutputError(f"Cannot write report to {shown}: it is a directory.")
        if info is not None and not stat.S_ISREG(info.st_mode):
            raise OutputError(f"Cannot write report to {shown}: it exists and is not a regular file.")
        if os.path.islink(path):
            folder = os.path.realpath(os.path.dirname(os.path.abspath(path)))
            if os.path.dirname(real) != folder:
                raise OutputError(
                    f"Cannot write report to {shown}: it is a symlink to {_shown(real)}, outside its folder; "
                    "replacing it would replace that file. Remove the link or write to the file itself."
                )
        if real in real_inputs:
            raise OutputError(f"Refusing to overwrite the input statement {shown} with a report.")
        if target in targets:
            raise OutputError(f"Cannot write two reports to the same file {shown}.")
        _check_parent(target.parent, shown)
        targets.append(target)
    return targets


def _limits(directory: bytes) -> tuple[int, int]:
    """``(NAME_MAX, PATH_MAX)`` of the file system holding ``directory`` (or the nearest existing parent)."""
    d = directory
    while d and not os.path.isdir(d):
        parent = os.path.dirname(d)
        if parent == d:
            break
        d = parent
    try:
        return os.pathconf(d or b".", "PC_NAME_MAX"), os.pathconf(d or b".", "PC_PATH_MAX")
    except (OSError, ValueError, AttributeError):
        return 255, 4096


def _check_parent(parent: Path, shown: str) -> None:
    """The nearest existing ancestor of ``parent`` must be a directory we can write in."""
    d = parent
    while not os.path.lexists(d) and d.parent != d:
        d = d.parent
    if not d.is_dir():
        raise OutputError(f"Cannot write report to {shown}: {_shown(d)} is not a directory.")
    if not os.access(d, os.W_OK | os.X_OK):
        raise OutputError(f"Cannot write report to {shown}: the folder {_shown(d)} is not writable.")


#: Temporary files are named ``.driftlab-PID-RANDOM.tmp`` whatever the
#: target: a fixed, short name leaves the whole NAME_MAX to the report's own
#: name, and the PID lets a later run tell a dead run's leftovers from a
#: live run's staging.
_TMP_PREFIX = ".driftlab-"
_TMP_NAME = re.compile(r"\.driftlab-(\d+)-[A-Za-z0-9_]+\.tmp")
#: A temporary file older than this is stale even if its PID is alive again
#: (PIDs are reused; another machine may share the folder).
_TMP_MAX_AGE = 24 * 3600


def remove_stale_temporaries(directory: str | os.PathLike[str]) -> int:
    """Delete temporaries a killed run left in ``directory``; how many were removed.

    A temporary is stale when the process that made it is gone, or when it
    is older than a day. Best effort: a file another user owns stays.
    """
    removed = 0
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return 0
    now = time.time()
    for entry in entries:
        m = _TMP_NAME.fullmatch(entry.name)
        if not m:
            continue
        try:
            old = now - entry.stat(follow_symlinks=False).st_mtime > _TMP_MAX_AGE
            if old or not _alive(int(m.group(1))):
                os.unlink(entry.path)
                removed += 1
        except OSError:
            continue
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True  # someone else's process (or not ours to judge): leave its file alone
    return True


def write_reports(items: Sequence[tuple[str | os.PathLike[str], str]],
                  inputs: Sequence[str | os.PathLike[str]] = ()) -> None:
    """Write several reports as one step: all of them, or none.

    Targets are checked first (:func:`check_outputs`). Each text goes to a
    temporary file beside its target and is fsynced; only when every one is
    staged do they replace their targets, each in one ``os.replace``: a
    reader sees an old report or a new one, never half of one, and a failure
    while staging (a full disk, a bad directory) leaves every old file
    untouched. A kill between two renames can still leave the new HTML
    beside the old JSON; every output of a run carries the same ``run_id``
    (``run.run_id`` in JSON and HTML, a ``run_id`` column in CSV), so such a
    mix is recognisable. Temporaries a killed run left behind are removed by
    the next run writing to the same folder. Failures raise
    :class:`OutputError` with a one-line message.
    """
    targets = check_outputs([path for path, _ in items], inputs)
    staged: list[tuple[str, Path]] = []
    try:
        for target, (path, content) in zip(targets, items):
            staged.append((_stage(target, path, content), target))
        for tmp, target in staged:
            try:
                os.replace(tmp, target)
            except OSError as e:
                raise OutputError(f"Cannot write report to {_shown(target)}: {e.strerror or e}.") from None
    finally:
        for tmp, _ in staged:
            if os.path.exists(tmp):
                with suppress(OSError):
                    os.unlink(tmp)
    for directory in {t.parent for t in targets}:
        _fsync_dir(directory)


def _stage(target: Path, shown: object, content: str) -> str:
    """Write ``content`` to a fsynced temporary file beside ``target``; its path."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"Cannot create directory {_shown(target.parent)}: {e.strerror or e}.") from None
    remove_stale_temporaries(target.parent)
    try:
        mode = target.stat().st_mode & 0o777
    except OSError:
        mode = 0o644  # mkstemp's 0600 would make a shared report unreadable to others
    tmp = ""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f"{_TMP_PREFIX}{os.getpid()}-", suffix=".tmp", dir=target.parent)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        return tmp
    except (OSError, UnicodeError) as e:
        if tmp:
            with suppress(OSError):
                os.unlink(tmp)
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise OutputError(f"Cannot write report to {_shown(shown)}: {reason}.") from None


def _fsync_dir(directory: Path) -> None:
    """Make the rename itself durable; best effort (not every OS or filesystem allows it)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def json_fields_markdown() -> str:
    """The JSON field reference as a Markdown table (the README embeds it; a test keeps them equal)."""
    rows = ["| field | meaning |", "|---|---|"]
    for name, meaning in JSON_FIELDS.items():
        if name.startswith("new.") or name.startswith("new["):
            continue  # same fields as old.*
        shown = name.replace("old.", "old/new.", 1) if name.startswith("old.") else ("old, new" if name == "old" else name)
        if name == "new":
            continue
        rows.append(f"| `{shown}` | {meaning.replace('|', '/')} |")
    return "\n".join(rows) + "\n"
