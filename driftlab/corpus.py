"""Corpus index: statement files in folders, grouped into series, ordered by date.

A series is what an analyst reads in order: all G7 communiqués, all US–Japan
leaders' statements, one country's UN General Debate speeches. Which series
a statement belongs to is decided by one rule per index, and every entry
records the rule that placed it (the series report shows it):

* ``series`` (default): the front matter's ``series`` field; a statement
  without one goes to a series named after its folder (rule ``folder name``).
* ``folder``: every statement of a folder is one series, whatever its front
  matter says (``driftlab series FOLDER`` uses this: the user named the
  folder). Front-matter series that differ inside the folder are kept on each
  entry and stated as "statements of different kinds".
* ``parties``: the ``series`` rule, split by the issuing parties (the text of
  ``parties`` before any parenthesis). One country's speeches inside a corpus
  of General Debate speeches share a front-matter series and differ here.

Inside a series, entries are ordered by date, then path; an undated statement
sorts first and is stated. Gaps (a year without a statement) and kinds
(leaders' statement after a ministers' one) are normal; :func:`series_notes`
states them rather than refusing.

Reading a folder only ingests and segments (cheap); embedding is the series
stage's business and goes through the embedding cache, so adding one
statement to a long series costs only that statement.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from .errors import ConfigError, MissingFile
from .types import Document

#: File extensions a corpus folder is scanned for (what ``ingest`` reads).
STATEMENT_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf")

#: Ways of grouping statements into series (see the module docstring).
GROUPINGS = ("series", "folder", "parties")

#: Words of a title that tell the kind of a statement, strongest first.
_KINDS = (
    ("readout", "readout"),
    ("declaration", "declaration"),
    ("communiqu", "communiqué"),
    ("vision statement", "vision statement"),
    ("principles", "principles"),
    ("commitment", "commitment"),
    ("leaders", "leaders' statement"),
    ("foreign minister", "ministers' statement"),
    ("vice foreign", "vice ministers' statement"),
    ("national security", "security advisers' statement"),
    ("general debate", "General Debate speech"),
    ("statement", "statement"),
)


@dataclass(frozen=True)
class Entry:
    """One statement of a series, as the index placed it."""

    path: str
    id: str  # content hash of the statement text
    date: str  # ISO date, '' when unknown
    title: str
    series: str  # the series it was placed in
    rule: str  # 'front matter', 'folder name', 'folder given', 'front matter + parties'
    front_matter_series: str  # '' when the file has none
    parties: str
    kind: str  # leaders' statement, readout, communiqué… (from the title)
    partial: bool

    @property
    def label(self) -> str:
        return f"{self.date or 'undated'} {self.title or Path(self.path).name}"


@dataclass(frozen=True)
class Series:
    name: str
    entries: tuple[Entry, ...]
    documents: tuple[Document, ...]  # same order as entries


@dataclass(frozen=True)
class CorpusIndex:
    series: tuple[Series, ...]  # sorted by name
    grouping: str

    def names(self) -> list[str]:
        return [s.name for s in self.series]

    def find_statement(self, statement_id: str) -> tuple[Series, int] | None:
        """The series holding a statement with this content id, and its position."""
        for s in self.series:
            for i, e in enumerate(s.entries):
                if e.id == statement_id:
                    return s, i
        return None


def statement_files(folder: str | Path) -> list[Path]:
    """Statement files under ``folder`` (recursively), sorted by path.

    A subfolder is part of its parent's corpus (the trilateral folder's
    ``partial/`` openings are statements of the same series).
    """
    root = Path(folder)
    if not root.exists():
        raise MissingFile(f"No such corpus folder: {folder}")
    if root.is_file():
        return [root]
    # A folder's README describes the corpus; it is not one of its statements.
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in STATEMENT_SUFFIXES
                  and p.stem.lower() != "readme"
                  and not any(part.startswith(".") for part in p.relative_to(root).parts))


def statement_kind(title: str) -> str:
    low = title.lower()
    for needle, kind in _KINDS:
        if needle in low:
            return kind
    return "statement"


def _party_head(parties: str) -> str:
    """'China (single speaker statement, …)' → 'China'."""
    return parties.split("(", 1)[0].strip().rstrip(";,").strip()


def place(doc: Document, folder: Path, grouping: str) -> tuple[str, str]:
    """The series name of one statement and the rule that gave it."""
    meta = doc.statement.meta
    if grouping == "folder":
        return folder.name, "folder given"
    if meta.series:
        name, rule = meta.series, "front matter"
    else:
        name, rule = folder.name, "folder name"
    if grouping == "parties" and meta.parties:
        name, rule = f"{name} — {_party_head(meta.parties)}", rule + " + parties"
    return name, rule


def build_index(
    folders: Sequence[str | Path],
    grouping: str = "series",
    load=None,
) -> CorpusIndex:
    """Read every statement under ``folders`` and group it into series.

    ``load(path) -> Document`` reads and segments one file (default:
    :func:`driftlab.pipeline.load_document` with default settings); a
    distributed run passes its own. The same file named twice is read once.
    """
    if grouping not in GROUPINGS:
        raise ConfigError(f"Unknown grouping '{grouping}': use one of {', '.join(GROUPINGS)}.")
    if load is None:
        from .pipeline import load_document as load
    seen: set[str] = set()
    items: list[tuple[Path, Path]] = []
    for folder in folders:
        root = Path(folder)
        for f in statement_files(root):
            key = str(f.resolve())
            if key not in seen:
                seen.add(key)
                # A file's folder for the folder-name rule is the folder named
                # by the user (so partial/ openings join their parent series).
                items.append((f, root if root.is_dir() else f.parent))
    docs = load_many([f for f, _ in items], load)
    return index_documents([(doc, root) for doc, (_, root) in zip(docs, items)], grouping)


def load_many(paths: Sequence[Path], load) -> list[Document]:
    if hasattr(load, "map_documents"):  # a distributed runner reads in parallel
        return list(load.map_documents([str(p) for p in paths]))
    return [load(p) for p in paths]


def index_documents(docs: Iterable[tuple[Document, Path]], grouping: str = "series") -> CorpusIndex:
    groups: dict[str, list[tuple[Entry, Document]]] = {}
    for doc, folder in docs:
        name, rule = place(doc, folder, grouping)
        meta = doc.statement.meta
        entry = Entry(
            path=doc.statement.path, id=doc.statement.id, date=meta.date, title=meta.title,
            series=name, rule=rule, front_matter_series=meta.series, parties=meta.parties,
            kind=statement_kind(meta.title), partial=meta.partial,
        )
        groups.setdefault(name, []).append((entry, doc))
    series = []
    for name in sorted(groups):
        pairs = sorted(groups[name], key=lambda ed: (ed[0].date, ed[0].path))
        series.append(Series(name=name, entries=tuple(e for e, _ in pairs), documents=tuple(d for _, d in pairs)))
    return CorpusIndex(series=tuple(series), grouping=grouping)


def select(index: CorpusIndex, name: str) -> Series:
    """The series called ``name``: exact name (case-insensitive), then the part
    after ' — ' (a party), then a unique substring. Otherwise an error listing
    the candidates."""
    low = name.strip().lower()
    for test in (
        lambda s: s.name.lower() == low,
        lambda s: " — " in s.name and s.name.rsplit(" — ", 1)[1].lower() == low,
        lambda s: low in s.name.lower(),
    ):
        found = [s for s in index.series if test(s)]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            names = "; ".join(s.name for s in found)
            raise ConfigError(f"'{name}' names {len(found)} series: {names}. Give the full name.")
    close = difflib.get_close_matches(name, index.names(), n=1, cutoff=0.4)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    known = f" Known series: {'; '.join(index.names())}." if index.series and len(index.series) <= 12 else ""
    raise ConfigError(f"No series named '{name}' in the corpus.{hint}{known}")


def resolve_series(target: str, corpus: Sequence[str | Path] = (), grouping: str | None = None,
                   load=None) -> Series:
    """The series ``driftlab series``/``trace`` work on.

    ``target`` a folder: its statements, one series (grouping ``folder``
    unless another is asked for, in which case the folder must hold exactly
    one series). ``target`` a name: looked up in the ``corpus`` folders
    (grouping ``series`` unless asked), see :func:`select`.
    """
    if Path(target).is_dir():
        index = build_index([target, *corpus], grouping or "folder", load)
        if (grouping or "folder") == "folder":
            return select(index, Path(target).name)
        mine = [s for s in index.series if any(Path(e.path).resolve().is_relative_to(Path(target).resolve())
                                                  for e in s.entries)]
        if len(mine) != 1:
            names = "; ".join(s.name for s in mine)
            raise ConfigError(f"{target} holds {len(mine)} series when grouped by {grouping}: {names}. "
                              "Name one of them and pass the folder with --corpus.")
        return mine[0]
    if not corpus:
        if Path(target).exists():
            raise ConfigError(f"{target} is a file; give a folder or a series name.")
        raise ConfigError(f"No folder '{target}'; to look up a series by name, give --corpus DIR.")
    return select(build_index(corpus, grouping or "series", load), target)


_YEAR = re.compile(r"^(\d{4})")


def series_notes(series: Series) -> list[str]:
    """Plain statements about a series a reader should know before its figures."""
    notes: list[str] = []
    entries = series.entries
    rules = sorted({e.rule for e in entries})
    if rules != ["front matter"]:
        by_rule = {r: sum(e.rule == r for e in entries) for r in rules}
        notes.append("Placed in this series by: " + ", ".join(f"{r} ({n})" for r, n in by_rule.items()) + ".")
    fm = sorted({e.front_matter_series for e in entries if e.front_matter_series})
    if len(fm) > 1:
        notes.append(f"Statements of different kinds: {len(fm)} front-matter series in one series ("
                     + "; ".join(fm) + ").")
    kinds = [e.kind for e in entries]
    if len(set(kinds)) > 1:
        changes = [f"{a.date or 'undated'} {a.kind} → {b.date or 'undated'} {b.kind}"
                   for a, b in zip(entries, entries[1:]) if a.kind != b.kind]
        notes.append("Kinds change along the series: " + "; ".join(changes[:6])
                     + (f" (and {len(changes) - 6} more)" if len(changes) > 6 else "") + ".")
    undated = [Path(e.path).name for e in entries if not e.date]
    if undated:
        notes.append("Undated, placed first: " + ", ".join(undated) + ".")
    years = sorted({int(m.group(1)) for e in entries if (m := _YEAR.match(e.date))})
    if years:
        missing = [y for y in range(years[0], years[-1] + 1) if y not in years]
        if missing:
            notes.append("No statement in " + ", ".join(str(y) for y in missing) + " (a gap, not an error).")
    partial = [Path(e.path).name for e in entries if e.partial]
    if partial:
        notes.append("Partial (opening only): " + ", ".join(partial)
                     + "; passages past their end read as dropped and re-added.")
    return notes
