"""Small frozen types that flow between the pipeline stages.

ingest → :class:`Statement`; segment → :class:`Document` (a statement and its
:class:`Paragraph` list, each with its :class:`Sentence` list); align →
:class:`Link` list; diff → :data:`Opcode` tuples inside each link; topics →
:class:`TopicTag`; flags → :class:`Flag`.

Every character span ``(start, end)`` indexes into ``Statement.text`` of the
side it belongs to. Identifiers are content hashes (see :func:`content_id`),
so the same paragraph, link or flag has the same id on every run.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Tuple

#: A word-diff edit: ``(tag, i1, i2, j1, j2)``. ``i1:i2`` is a character span
#: of the old statement's text, ``j1:j2`` of the new one's. Tags are
#: ``equal``, ``cosmetic`` (differs only in whitespace, quote/dash style or
#: British/American spelling), ``replace``, ``delete`` and ``insert``.
Opcode = Tuple[str, int, int, int, int]

LINK_TYPES = (
    "unchanged",
    "edited",
    "moved",
    "moved_edited",
    "rewritten",
    "split",
    "merged",
    "group",
    "added",
    "dropped",
)

#: Sentence lineage kinds inside a link (``Link.sentence_links[].type``).
SENTENCE_LINK_TYPES = ("carried", "edited", "rewritten", "added", "dropped", "moved")


def content_id(*parts: object, length: int = 12) -> str:
    """A short, stable hex id for ``parts`` (joined with a unit separator)."""
    h = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8"))
    return h.hexdigest()[:length]


@dataclass(frozen=True)
class Meta:
    title: str = ""
    date: str = ""  # ISO "YYYY-MM-DD" when known
    series: str = ""
    parties: str = ""
    source: str = ""
    partial: bool = False
    #: Any other front-matter keys, as strings, sorted by key.
    extra: Tuple[Tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Statement:
    """One statement as ingested.

    ``text`` is the statement body only (front matter, page clutter and markup
    removed), Unicode NFC-normalised with ``\\n`` line ends and paragraphs
    separated by blank lines. It is the text that is displayed; matching works
    on a further normalised copy (see ``driftlab.normalize``).
    """

    path: str
    format: str  # "text", "markdown", "html", "pdf"
    meta: Meta
    text: str

    @property
    def id(self) -> str:
        return content_id("statement", self.text)

    @property
    def label(self) -> str:
        return self.meta.title or self.path


@dataclass(frozen=True)
class Sentence:
    index: int  # position within its paragraph
    start: int  # span in Statement.text
    end: int
    text: str


@dataclass(frozen=True)
class Paragraph:
    index: int  # reading order, from 0
    start: int  # span in Statement.text
    end: int
    text: str
    sentences: Tuple[Sentence, ...]

    @property
    def id(self) -> str:
        return content_id("paragraph", self.text)


@dataclass(frozen=True)
class Document:
    """A statement segmented into paragraphs and sentences."""

    statement: Statement
    paragraphs: Tuple[Paragraph, ...]


@dataclass(frozen=True)
class Link:
    """One bead of the alignment: old paragraphs ↔ new paragraphs.

    ``added`` links have an empty ``old``; ``dropped`` ones an empty ``new``.
    ``scores`` holds the numbers the decision rests on (cosine, lexical,
    coverage…); ``evidence`` holds human-readable reasons and matched words.
    ``moved_sentences`` lists sentences that migrated into or out of these
    paragraphs from elsewhere: dicts with ``old`` ``[paragraph, sentence]``,
    ``new`` ``[paragraph, sentence]``, ``similarity`` and ``lexical``.
    ``sentence_links`` is the sentence lineage inside the link: dicts with
    ``old`` and ``new`` (lists of ``[paragraph, sentence]``), ``type`` (one
    of :data:`SENTENCE_LINK_TYPES`) and ``score``.
    """

    old: Tuple[int, ...]
    new: Tuple[int, ...]
    type: str
    confidence: float
    scores: Mapping[str, float] = field(default_factory=dict)
    evidence: Tuple[str, ...] = ()
    opcodes: Tuple[Opcode, ...] = ()
    moved_sentences: Tuple[Mapping[str, Any], ...] = ()
    sentence_links: Tuple[Mapping[str, Any], ...] = ()

    @property
    def id(self) -> str:
        return content_id("link", self.type, self.old, self.new)


def reading_order(links: Iterable[Link]) -> list[Link]:
    """Links in reading order of the new statement.

    Links with new paragraphs sort by their first new paragraph. A dropped
    link has no place in the new statement, so it goes right after the link
    holding its old predecessor (the paragraph before its first one), which
    is where a reader of the new text would notice the gap. Dropped links are
    placed in old order, so a run of dropped paragraphs stays together.
    """
    links = list(links)
    placed = sorted(
        (lk for lk in links if lk.new),
        key=lambda lk: (min(lk.new), min(lk.old, default=-1), lk.id),
    )
    dropped = sorted(
        (lk for lk in links if not lk.new),
        key=lambda lk: (min(lk.old, default=-1), lk.id),
    )
    for d in dropped:
        pos = 0  # no predecessor in any link: before everything
        pred = min(d.old, default=0) - 1
        while pred >= 0:
            holder = next((k for k, lk in enumerate(placed) if pred in lk.old), None)
            if holder is not None:
                pos = holder + 1
                break
            pred -= 1  # predecessor not aligned at all: look further back
        else:
            # Several leading dropped links: keep them in old order at the top.
            while pos < len(placed) and not placed[pos].new:
                pos += 1
        placed.insert(pos, d)
    return placed


@dataclass(frozen=True)
class TopicTag:
    topic: str
    side: str  # "old" or "new"
    paragraph: int
    sentence: int | None  # None: tag on the whole paragraph
    method: str  # "term", "meaning" or "term+meaning"
    score: float
    evidence: Tuple[str, ...] = ()  # matched terms, or the closest example


@dataclass(frozen=True)
class Flag:
    id: str
    rule: str
    topics: Tuple[str, ...]
    old: Tuple[int, ...]
    new: Tuple[int, ...]
    old_text: str
    new_text: str
    score: float
    explanation: str
    evidence: Mapping[str, Any] = field(default_factory=dict)
    link_id: str = ""
    #: Id of the :class:`Change` the flag belongs to ('' before changes are built).
    change_id: str = ""


@dataclass(frozen=True)
class Change:
    """One change an analyst would note: an aligned group of passages that
    changed (or an added / dropped passage), with its rule hits (``flags``,
    ids) and a one-line ``headline`` built from the evidence. ``score`` is
    ``evidence["score"]["formula"]`` of its components; ``rank`` from 1."""

    id: str
    rank: int
    score: float
    headline: str
    topics: Tuple[str, ...]
    links: Tuple[str, ...]
    flags: Tuple[str, ...]
    old: Tuple[int, ...] = ()
    new: Tuple[int, ...] = ()
    evidence: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DiffResult:
    """Everything one ``driftlab diff`` produces; the report renders this."""

    old: Document
    new: Document
    links: Tuple[Link, ...]
    flags: Tuple[Flag, ...] = ()
    tags: Tuple[TopicTag, ...] = ()
    #: Model name, precision, thresholds: what produced this result.
    run: Mapping[str, Any] = field(default_factory=dict)
    #: Ranked changes (see :mod:`driftlab.changes`): the spine of the report.
    changes: Tuple[Change, ...] = ()
