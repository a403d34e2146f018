"""Store stage: analyst review decisions in one SQLite file, across re-runs.

What lives here: the statements and runs of each pair (a run keeps the
:class:`~driftlab.types.DiffResult` as the JSON that :func:`driftlab.report.to_json`
writes, plus one row per link and flag for querying), review decisions
(confirm / dismiss / discuss, a note, the reviewer, a timestamp) on any
reviewed object — a ``change``, a ``flag`` or a ``link`` — with their full
history, and alignment corrections (link two passages, unlink a wrong link).

Identity. Decisions key on ``(pair, kind, object id)``. Object ids are the
content hashes the pipeline already gives links and flags, so re-running a
pair — or running it after an unrelated paragraph changed — finds the same
objects and their decisions. A pair is named by its two statements'
*identity* (:func:`statement_key`: series, date and title from the front
matter, else the file name), not by their text, so a re-scraped statement with
one paragraph edited is still the same pair. A decision whose object is absent
from the pair's latest run is *orphaned*: kept, listed, never dropped.

Reliability. WAL journal (readers never block the writer, a crash leaves
committed transactions intact), ``busy_timeout`` so two writers wait for each
other instead of failing, and every write inside ``BEGIN IMMEDIATE`` …
``COMMIT`` (:meth:`Store.transaction`), so a process killed mid-write loses
only its uncommitted transaction. Decisions are appended, never updated in
place: two reviewers deciding the same flag at the same moment both land in
the history and the later one is the current decision (last write wins,
nothing lost); a caller that wants an explicit conflict passes the decision
id it saw (``expect``) and gets :class:`ReviewConflict` if another came first.

Migrations are versioned per *component* in ``schema_versions(component,
version)``: this module migrates component ``store``; another module (a
future ``watch``) can keep its own tables in the same file with
:meth:`Store.migrate`. A file written by a newer driftlab, or a file that is
not a driftlab database, is a :class:`StoreError` with one clear line.

Location (:func:`default_store_path`): ``--store PATH``, else
``$DRIFTLAB_STORE``, else ``$XDG_DATA_HOME/driftlab/driftlab.sqlite``
(``~/.local/share/driftlab/driftlab.sqlite``).
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Sequence

from .errors import DriftlabError
from .types import DiffResult, Document, Flag, Link, Statement, content_id

__all__ = [
    "KINDS",
    "DECISIONS",
    "STORE_COMPONENT",
    "STORE_MIGRATIONS",
    "DISMISSAL_DEMOTION",
    "StoreError",
    "ReviewConflict",
    "Decision",
    "Correction",
    "RunInfo",
    "Store",
    "default_store_path",
    "statement_key",
    "pair_key",
    "series_key",
    "phrase_of",
    "apply_corrections",
    "demote_dismissed",
]

#: Kinds of reviewed object. ``change`` is accepted ahead of the change layer
#: (changes grouping flags, with content-hash ids): the store does not care
#: what an id names.
KINDS = ("change", "flag", "link")
#: Decisions, and how they read in a sentence.
DECISIONS = {"confirm": "confirmed", "dismiss": "dismissed", "discuss": "needs discussion"}
CORRECTIONS = ("link", "unlink")

#: Score factor applied once per earlier dismissal of the same kind of flag
#: (same rule, same phrase, same series), floored at ``DISMISSAL_FLOOR``: one
#: dismissal halves a flag's score, so it drops below comparable undecided
#: flags but stays in the report — a reviewer may have been wrong once.
DISMISSAL_DEMOTION = 0.5
DISMISSAL_FLOOR = 0.125

STORE_COMPONENT = "store"

#: Migrations of component ``store``: entry *i* takes the schema from version
#: *i* to *i + 1*. Append only; never edit a released entry.
STORE_MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE statements (
        id TEXT PRIMARY KEY,          -- content hash of the text (Statement.id)
        key TEXT NOT NULL,            -- identity across re-scrapes (statement_key)
        path TEXT NOT NULL,
        title TEXT NOT NULL,
        date TEXT NOT NULL,
        series TEXT NOT NULL,
        text TEXT NOT NULL
    );
    CREATE TABLE pairs (
        id TEXT PRIMARY KEY,          -- pair_key(old, new)
        old_key TEXT NOT NULL,
        new_key TEXT NOT NULL,
        series TEXT NOT NULL,
        label TEXT NOT NULL
    );
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        pair_id TEXT NOT NULL REFERENCES pairs(id),
        old_statement TEXT NOT NULL REFERENCES statements(id),
        new_statement TEXT NOT NULL REFERENCES statements(id),
        created_at TEXT NOT NULL,
        driftlab_version TEXT NOT NULL,
        result_json TEXT NOT NULL     -- driftlab.report.to_json(result)
    );
    CREATE INDEX runs_pair ON runs(pair_id, id);
    CREATE TABLE links (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        id TEXT NOT NULL,
        type TEXT NOT NULL,
        old TEXT NOT NULL,            -- JSON list of paragraph indices
        new TEXT NOT NULL,
        confidence REAL NOT NULL,
        PRIMARY KEY (run_id, id)
    );
    CREATE TABLE flags (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        id TEXT NOT NULL,
        rank INTEGER NOT NULL,
        rule TEXT NOT NULL,
        phrase TEXT NOT NULL,         -- phrase_of(flag): what dismissals teach on
        topics TEXT NOT NULL,         -- JSON list
        score REAL NOT NULL,
        link_id TEXT NOT NULL,
        old_text TEXT NOT NULL,
        new_text TEXT NOT NULL,
        explanation TEXT NOT NULL,
        PRIMARY KEY (run_id, id)
    );
    CREATE TABLE reviews (
        id INTEGER PRIMARY KEY AUTOINCREMENT,   -- order of the history
        pair_id TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('change', 'flag', 'link')),
        object_id TEXT NOT NULL,
        decision TEXT NOT NULL CHECK (decision IN ('confirm', 'dismiss', 'discuss')),
        note TEXT NOT NULL,
        reviewer TEXT NOT NULL,
        created_at TEXT NOT NULL,
        run_id INTEGER,               -- run the reviewer was looking at
        series TEXT NOT NULL,         -- copied so lessons outlive pruned runs
        rule TEXT NOT NULL,
        phrase TEXT NOT NULL,
        summary TEXT NOT NULL         -- what was decided on, in words
    );
    CREATE INDEX reviews_object ON reviews(pair_id, kind, object_id, id);
    CREATE INDEX reviews_lesson ON reviews(series, rule, phrase);
    CREATE TABLE corrections (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        pair_id TEXT NOT NULL,
        action TEXT NOT NULL CHECK (action IN ('link', 'unlink', 'clear')),
        old_paragraphs TEXT NOT NULL, -- JSON list of paragraph content ids
        new_paragraphs TEXT NOT NULL,
        note TEXT NOT NULL,
        reviewer TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE INDEX corrections_pair ON corrections(pair_id, id);
    """,
)


class StoreError(DriftlabError):
    """The review store cannot be opened, read or written. The message names the file."""


class ReviewConflict(StoreError):
    """Another decision on the same object landed after the one the caller saw."""


@dataclass(frozen=True)
class Decision:
    """One entry of the review history (the latest per object is its current decision)."""

    id: int
    pair_id: str
    kind: str
    object_id: str
    decision: str
    note: str
    reviewer: str
    created_at: str
    run_id: int | None
    series: str
    rule: str
    phrase: str
    summary: str


@dataclass(frozen=True)
class Correction:
    """An alignment correction, by paragraph content ids (they survive re-segmentation)."""

    id: int
    pair_id: str
    action: str  # "link", "unlink" or "clear" (withdraws an earlier correction)
    old_paragraphs: tuple[str, ...]
    new_paragraphs: tuple[str, ...]
    note: str
    reviewer: str
    created_at: str


@dataclass(frozen=True)
class RunInfo:
    id: int
    pair_id: str
    label: str
    series: str
    created_at: str
    flags: int
    links: int


# --------------------------------------------------------------------------- identity


def default_store_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``explicit``, else ``$DRIFTLAB_STORE``, else the XDG data directory."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get("DRIFTLAB_STORE")
    if env:
        return Path(env).expanduser()
    data = os.environ.get("XDG_DATA_HOME") or "~/.local/share"
    return Path(data).expanduser() / "driftlab" / "driftlab.sqlite"


def migrate_tables(con: sqlite3.Connection, component: str, migrations: Sequence[str],
                   path: str | os.PathLike[str] = "", what: str = "review store") -> int:
    """Bring ``component``'s tables to ``len(migrations)`` inside the caller's
    open transaction; returns that version. Shared by every component that
    keeps tables in the store file (the review store, the watcher).

    A version above ``len(migrations)`` means a newer driftlab wrote the
    file: refused, since this one cannot know what those tables mean. A
    database without ``schema_versions`` but with tables is another SQLite
    file (the embedding cache, say): refused, as adding our tables to it
    would corrupt two things at once.
    """
    target = len(migrations)
    names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if names and "schema_versions" not in names:
        raise StoreError(f"{path} is an SQLite database but not a driftlab {what} "
                         "(no schema_versions table); pass another --store")
    con.execute("CREATE TABLE IF NOT EXISTS schema_versions ("
                "component TEXT PRIMARY KEY, version INTEGER NOT NULL)")
    row = con.execute("SELECT version FROM schema_versions WHERE component = ?", (component,)).fetchone()
    current = row[0] if row else 0
    if current > target:
        raise StoreError(
            f"{what[0].upper() + what[1:]} {path} has {component} schema version {current}, newer than "
            f"this driftlab knows ({target}); upgrade driftlab or pass another --store")
    for version in range(current, target):
        for statement in _statements(migrations[version]):
            con.execute(statement)
    con.execute("INSERT INTO schema_versions(component, version) VALUES (?, ?) "
                "ON CONFLICT(component) DO UPDATE SET version = excluded.version", (component, target))
    return target


def _fold(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def statement_key(statement: Statement) -> str:
    """A statement's identity across re-scrapes: series, date and title when
    the front matter gives a date (an edited paragraph keeps them), else the
    file name (not the directory: the same corpus checked out elsewhere is the
    same statement). A title alone is not enough: many statements are called
    "Joint Statement"."""
    m = statement.meta
    if m.date:
        return "|".join((_fold(m.series), m.date, _fold(m.title)))
    return "file|" + Path(statement.path).name


def pair_key(old: Statement, new: Statement) -> str:
    return content_id("pair", statement_key(old), statement_key(new))


def series_key(old: Statement, new: Statement) -> str:
    """Where dismissals teach: the new statement's series (else the old one's);
    a pair outside any series learns only from itself."""
    series = new.meta.series or old.meta.series
    return "series:" + _fold(series) if series else "pair:" + pair_key(old, new)


def phrase_of(flag: Flag | Mapping[str, Any]) -> str:
    """What kind of change a flag is, for dismissals to teach on: the ladder
    step, the actor, the cue words when the rule's evidence names them, else
    the folded wording. Deliberately coarser than the flag id (which also
    holds the quoted context): dismissing "concern → grave concern" once
    should lower it wherever it recurs in the series."""
    if isinstance(flag, Flag):
        rule, topics, ev, old_text, new_text = flag.rule, flag.topics, flag.evidence, flag.old_text, flag.new_text
    else:
        rule, topics = flag.get("rule", ""), flag.get("topics", ())
        ev, old_text, new_text = flag.get("evidence", {}), flag.get("old_text", ""), flag.get("new_text", "")
    ev = ev or {}
    if rule in ("topic_added", "topic_dropped"):
        return "topics:" + ";".join(sorted(topics))
    if "old_rung" in ev or "new_rung" in ev:
        return f"{ev.get('ladder', '')}:{_fold(str(ev.get('old_rung', '')))}>{_fold(str(ev.get('new_rung', '')))}"
    if "actor" in ev:
        return f"{_fold(str(ev.get('change', '')))}:{_fold(str(ev['actor']))}"
    if "old_words" in ev or "new_words" in ev:
        return f"{_fold(str(ev.get('old_words', '')))}>{_fold(str(ev.get('new_words', '')))}"
    if "added" in ev or "removed" in ev:
        return f"+{_fold(' '.join(map(str, ev.get('added', []))))}-{_fold(' '.join(map(str, ev.get('removed', []))))}"
    return f"{_fold(old_text)}>{_fold(new_text)}"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


# --------------------------------------------------------------------------- the store


class Store:
    """One review database. Thread-safe: each thread gets its own connection.

    Use as a context manager, or call :meth:`close`.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *, timeout: float = 30.0,
                 clock: Callable[[], str] = _now):
        self.path = default_store_path(path)
        self.timeout = timeout
        self.clock = clock
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"Cannot create the review store directory {self.path.parent}: {exc.strerror}") from None
        self.migrate(STORE_COMPONENT, STORE_MIGRATIONS)

    # ---- connections and transactions

    def _connect(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is not None:
            return con
        try:
            # isolation_level=None: we issue BEGIN/COMMIT ourselves, so every
            # transaction boundary is explicit and visible in this module.
            con = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None, check_same_thread=False)
            con.row_factory = sqlite3.Row
            con.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            mode = con.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StoreError(f"Review store {self.path} cannot use WAL journaling (got {mode})")
            # NORMAL is durable in WAL mode against process crashes (what the
            # kill -9 test checks); FULL would add an fsync per commit for
            # power loss, which a review tool does not need to pay.
            con.execute("PRAGMA synchronous = NORMAL")
            con.execute("PRAGMA foreign_keys = ON")
        except sqlite3.DatabaseError as exc:
            raise self._error(exc) from None
        self._local.con = con
        with self._lock:
            self._all.append(con)
        return con

    def _error(self, exc: BaseException) -> StoreError:
        msg = str(exc)
        if "not a database" in msg or "malformed" in msg or "file is encrypted" in msg:
            return StoreError(f"Review store {self.path} is not a driftlab database or is corrupt ({msg}); "
                              "move it away or pass another --store")
        if "unable to open" in msg:
            return StoreError(f"Cannot open the review store {self.path} ({msg})")
        return StoreError(f"Review store {self.path}: {msg}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE`` … ``COMMIT``: takes the write lock up front, so
        two writers queue on ``busy_timeout`` rather than fail half-way."""
        con = self._connect()
        try:
            con.execute("BEGIN IMMEDIATE")
        except sqlite3.DatabaseError as exc:
            raise self._error(exc) from None
        try:
            yield con
        except BaseException:
            con.execute("ROLLBACK")
            raise
        try:
            con.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            with _quiet():
                con.execute("ROLLBACK")
            raise self._error(exc) from None

    def _read(self, sql: str, args: Sequence[Any] = ()) -> list[sqlite3.Row]:
        try:
            return self._connect().execute(sql, args).fetchall()
        except sqlite3.DatabaseError as exc:
            raise self._error(exc) from None

    def release(self) -> None:
        """Close this thread's connection (a server thread that is done with
        its request); the next call in the thread opens a new one."""
        con = getattr(self._local, "con", None)
        if con is None:
            return
        self._local.con = None
        with self._lock:
            if con in self._all:
                self._all.remove(con)
        with _quiet():
            con.close()

    def close(self) -> None:
        with self._lock:
            for con in self._all:
                with _quiet():
                    con.close()
            self._all.clear()
        self._local = threading.local()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- migrations

    def migrate(self, component: str, migrations: Sequence[str]) -> int:
        """Bring ``component``'s tables to ``len(migrations)``; returns that version.

        Each step runs in the same transaction as the version bump, so a crash
        leaves the component at its old or its new version, never between.
        A version above ``len(migrations)`` means a newer driftlab wrote the
        file: refused, since this one cannot know what those tables mean.
        """
        try:
            with self.transaction() as con:
                return migrate_tables(con, component, migrations, self.path)
        except sqlite3.DatabaseError as exc:
            raise self._error(exc) from None

    def schema_version(self, component: str = STORE_COMPONENT) -> int:
        rows = self._read("SELECT version FROM schema_versions WHERE component = ?", (component,))
        return rows[0][0] if rows else 0

    # ---- runs

    def record_run(self, result: DiffResult) -> int:
        """Keep one run of a pair: its JSON document and a row per link and flag."""
        from .report import ordered_links, to_json

        old, new = result.old.statement, result.new.statement
        pid = pair_key(old, new)
        text = to_json(result)
        with self.transaction() as con:
            for st in (old, new):
                con.execute("INSERT OR IGNORE INTO statements(id, key, path, title, date, series, text) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?)",
                            (st.id, statement_key(st), st.path, st.meta.title, st.meta.date, st.meta.series, st.text))
            con.execute("INSERT INTO pairs(id, old_key, new_key, series, label) VALUES (?, ?, ?, ?, ?) "
                        "ON CONFLICT(id) DO UPDATE SET label = excluded.label, series = excluded.series",
                        (pid, statement_key(old), statement_key(new), series_key(old, new),
                         f"{old.label} → {new.label}"))
            cur = con.execute("INSERT INTO runs(pair_id, old_statement, new_statement, created_at, driftlab_version, "
                              "result_json) VALUES (?, ?, ?, ?, ?, ?)",
                              (pid, old.id, new.id, self.clock(), str(result.run.get("driftlab_version", "")), text))
            run_id = int(cur.lastrowid)
            con.executemany("INSERT INTO links(run_id, id, type, old, new, confidence) VALUES (?, ?, ?, ?, ?, ?)",
                            [(run_id, lk.id, lk.type, json.dumps(list(lk.old)), json.dumps(list(lk.new)),
                              float(lk.confidence)) for lk in ordered_links(result)])
            con.executemany("INSERT OR IGNORE INTO flags(run_id, id, rank, rule, phrase, topics, score, link_id, "
                            "old_text, new_text, explanation) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            [(run_id, f.id, rank, f.rule, phrase_of(f), json.dumps(list(f.topics)), float(f.score),
                              f.link_id, f.old_text, f.new_text, f.explanation)
                             for rank, f in enumerate(result.flags, start=1)])
        return run_id

    def runs(self, pair_id: str | None = None) -> list[RunInfo]:
        """Runs, newest first."""
        where, args = ("WHERE r.pair_id = ?", (pair_id,)) if pair_id else ("", ())
        rows = self._read(
            "SELECT r.id, r.pair_id, p.label, p.series, r.created_at, "
            "(SELECT COUNT(*) FROM flags f WHERE f.run_id = r.id) AS nflags, "
            "(SELECT COUNT(*) FROM links l WHERE l.run_id = r.id) AS nlinks "
            f"FROM runs r JOIN pairs p ON p.id = r.pair_id {where} ORDER BY r.id DESC", args)
        return [RunInfo(r[0], r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows]

    def latest_run(self, pair_id: str) -> int | None:
        rows = self._read("SELECT MAX(id) FROM runs WHERE pair_id = ?", (pair_id,))
        return rows[0][0]

    def pairs(self) -> list[dict[str, Any]]:
        """Every pair with its latest run, newest activity first."""
        rows = self._read("SELECT p.id, p.label, p.series, MAX(r.id) AS run_id, COUNT(r.id) AS runs "
                          "FROM pairs p JOIN runs r ON r.pair_id = p.id GROUP BY p.id ORDER BY run_id DESC")
        return [dict(r) for r in rows]

    def run_json(self, run_id: int) -> dict[str, Any]:
        rows = self._read("SELECT result_json FROM runs WHERE id = ?", (run_id,))
        if not rows:
            raise StoreError(f"No run {run_id} in the review store {self.path}")
        return json.loads(rows[0][0])

    def run_pair(self, run_id: int) -> str:
        rows = self._read("SELECT pair_id FROM runs WHERE id = ?", (run_id,))
        if not rows:
            raise StoreError(f"No run {run_id} in the review store {self.path}")
        return rows[0][0]

    def _object(self, con: sqlite3.Connection, pair_id: str, kind: str, object_id: str) -> dict[str, Any] | None:
        """The newest stored row describing an object of this pair, if any run had it."""
        if kind == "flag":
            row = con.execute("SELECT f.run_id, f.rule, f.phrase, f.old_text, f.new_text, f.explanation FROM flags f "
                              "JOIN runs r ON r.id = f.run_id WHERE r.pair_id = ? AND f.id = ? "
                              "ORDER BY f.run_id DESC LIMIT 1", (pair_id, object_id)).fetchone()
            if row:
                return {"run_id": row[0], "rule": row[1], "phrase": row[2],
                        "summary": row[5] or f"{row[3]} → {row[4]}"}
        elif kind == "link":
            row = con.execute("SELECT l.run_id, l.type, l.old, l.new FROM links l JOIN runs r ON r.id = l.run_id "
                              "WHERE r.pair_id = ? AND l.id = ? ORDER BY l.run_id DESC LIMIT 1",
                              (pair_id, object_id)).fetchone()
            if row:
                return {"run_id": row[0], "rule": "", "phrase": "",
                        "summary": f"{row[1]} link old {row[2]} → new {row[3]}"}
        return None

    # ---- decisions

    def decide(self, pair_id: str, kind: str, object_id: str, decision: str, *, reviewer: str,
               note: str = "", expect: int | None = None, summary: str = "") -> Decision:
        """Record a decision (appended to the history; the latest is current).

        ``expect``: the id of the current decision the reviewer saw (0 for
        none); if another decision landed since, :class:`ReviewConflict`.
        """
        if kind not in KINDS:
            raise StoreError(f"Unknown kind '{kind}': expected one of {', '.join(KINDS)}")
        if decision not in DECISIONS:
            raise StoreError(f"Unknown decision '{decision}': expected one of {', '.join(DECISIONS)}")
        reviewer = reviewer.strip()
        if not reviewer:
            raise StoreError("A decision needs the reviewer's name")
        with self.transaction() as con:
            if not con.execute("SELECT 1 FROM pairs WHERE id = ?", (pair_id,)).fetchone():
                raise StoreError(f"No pair {pair_id} in the review store {self.path}")
            if expect is not None:
                row = con.execute("SELECT MAX(id) FROM reviews WHERE pair_id = ? AND kind = ? AND object_id = ?",
                                  (pair_id, kind, object_id)).fetchone()
                latest = row[0] or 0
                if latest != expect:
                    who = con.execute("SELECT reviewer, decision FROM reviews WHERE id = ?", (latest,)).fetchone()
                    raise ReviewConflict(f"{kind} {object_id} was decided meanwhile by {who[0]} "
                                         f"({DECISIONS[who[1]]}); reload to see it")
            obj = self._object(con, pair_id, kind, object_id)
            if obj is None and kind != "change":
                raise StoreError(f"No {kind} {object_id} in any run of pair {pair_id}")
            obj = obj or {"run_id": self._latest(con, pair_id), "rule": "", "phrase": "", "summary": summary}
            series = con.execute("SELECT series FROM pairs WHERE id = ?", (pair_id,)).fetchone()[0]
            cur = con.execute(
                "INSERT INTO reviews(pair_id, kind, object_id, decision, note, reviewer, created_at, run_id, series, "
                "rule, phrase, summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (pair_id, kind, object_id, decision, note, reviewer, self.clock(), obj["run_id"], series,
                 obj["rule"], obj["phrase"], summary or obj["summary"]))
            row = con.execute("SELECT * FROM reviews WHERE id = ?", (cur.lastrowid,)).fetchone()
        return _decision(row)

    @staticmethod
    def _latest(con: sqlite3.Connection, pair_id: str) -> int | None:
        return con.execute("SELECT MAX(id) FROM runs WHERE pair_id = ?", (pair_id,)).fetchone()[0]

    def history(self, pair_id: str | None = None, kind: str | None = None,
                object_id: str | None = None) -> list[Decision]:
        """Every decision, oldest first (optionally of one pair / object)."""
        clauses, args = [], []
        for col, val in (("pair_id", pair_id), ("kind", kind), ("object_id", object_id)):
            if val is not None:
                clauses.append(f"{col} = ?")
                args.append(val)
        where = "WHERE " + " AND ".join(clauses) if clauses else ""
        return [_decision(r) for r in self._read(f"SELECT * FROM reviews {where} ORDER BY id", args)]

    def current(self, pair_id: str | None = None) -> dict[tuple[str, str, str], Decision]:
        """The current (latest) decision per ``(pair, kind, object id)``."""
        where, args = ("WHERE pair_id = ?", (pair_id,)) if pair_id else ("", ())
        rows = self._read(f"SELECT * FROM reviews WHERE id IN (SELECT MAX(id) FROM reviews {where} "
                          "GROUP BY pair_id, kind, object_id) ORDER BY id", args)
        return {(r["pair_id"], r["kind"], r["object_id"]): _decision(r) for r in rows}

    def orphaned(self, pair_id: str | None = None) -> list[Decision]:
        """Current decisions whose object is not in its pair's latest run."""
        out = []
        latest: dict[str, int | None] = {}
        for (pid, kind, oid), d in self.current(pair_id).items():
            if kind == "change":
                continue  # changes are not stored per run yet: cannot tell
            if pid not in latest:
                latest[pid] = self.latest_run(pid)
            table = "flags" if kind == "flag" else "links"
            if not self._read(f"SELECT 1 FROM {table} WHERE run_id = ? AND id = ?", (latest[pid], oid)):
                out.append(d)
        return out

    def decisions_for_run(self, run_id: int) -> dict[str, Decision]:
        """``{"flag:<id>" / "link:<id>": current decision}`` for the objects of a pair."""
        pid = self.run_pair(run_id)
        return {f"{kind}:{oid}": d for (_, kind, oid), d in self.current(pid).items()}

    def undecided(self, pair_id: str | None = None) -> list[dict[str, Any]]:
        """Flags of each pair's latest run with no decision yet, by rank."""
        out = []
        for p in self.pairs():
            if pair_id and p["id"] != pair_id:
                continue
            decided = {oid for (_, kind, oid) in self.current(p["id"]) if kind == "flag"}
            for r in self._read("SELECT * FROM flags WHERE run_id = ? ORDER BY rank", (p["run_id"],)):
                if r["id"] not in decided:
                    out.append({"pair_id": p["id"], "pair": p["label"], **dict(r)})
        return out

    def find_pairs_with(self, kind: str, object_id: str) -> list[str]:
        """Pairs whose runs hold this object (to resolve an id given alone)."""
        table = "flags" if kind == "flag" else "links"
        rows = self._read(f"SELECT DISTINCT r.pair_id FROM {table} t JOIN runs r ON r.id = t.run_id WHERE t.id = ?",
                          (object_id,))
        return [r[0] for r in rows]

    # ---- what reviews teach

    def lessons(self, series: str) -> dict[tuple[str, str], int]:
        """``{(rule, phrase): dismissals}`` of flags currently dismissed in this series."""
        rows = self._read(
            "SELECT rule, phrase, COUNT(*) FROM reviews WHERE id IN (SELECT MAX(id) FROM reviews WHERE kind = 'flag' "
            "GROUP BY pair_id, kind, object_id) AND decision = 'dismiss' AND series = ? GROUP BY rule, phrase",
            (series,))
        return {(r[0], r[1]): int(r[2]) for r in rows}

    def labelled_examples(self) -> list[dict[str, Any]]:
        """Current confirm/dismiss decisions on flags, with the flag as its run
        ranked it: ``label`` 1 (confirmed) or 0 (dismissed), for bench/."""
        out = []
        for (pid, kind, oid), d in self.current().items():
            if kind != "flag" or d.decision == "discuss":
                continue
            row = self._read("SELECT f.*, r.pair_id FROM flags f JOIN runs r ON r.id = f.run_id "
                             "WHERE r.pair_id = ? AND f.id = ? ORDER BY f.run_id DESC LIMIT 1", (pid, oid))
            if not row:
                continue
            f = dict(row[0])
            total = self._read("SELECT COUNT(*) FROM flags WHERE run_id = ?", (f["run_id"],))[0][0]
            out.append({
                "pair_id": pid, "run_id": f["run_id"], "flag_id": oid, "label": int(d.decision == "confirm"),
                "decision": d.decision, "rank": f["rank"], "flags_in_run": total, "score": f["score"],
                "rule": f["rule"], "phrase": f["phrase"], "topics": json.loads(f["topics"]),
                "old_text": f["old_text"], "new_text": f["new_text"], "note": d.note, "reviewer": d.reviewer,
                "decided_at": d.created_at,
            })
        return sorted(out, key=lambda e: (e["pair_id"], e["run_id"], e["rank"]))

    # ---- alignment corrections

    def correct(self, pair_id: str, action: str, old_paragraphs: Sequence[str], new_paragraphs: Sequence[str], *,
                reviewer: str, note: str = "") -> Correction:
        """Record a correction of the pair's alignment, applied on its next run.

        ``link``: one old and one new paragraph (by content id) belong together.
        ``unlink``: the link holding exactly these paragraphs is wrong.
        ``clear``: withdraw the earlier correction on these paragraphs.
        """
        if action not in (*CORRECTIONS, "clear"):
            raise StoreError(f"Unknown correction '{action}': expected link, unlink or clear")
        if action == "link" and (len(old_paragraphs) != 1 or len(new_paragraphs) != 1):
            raise StoreError("A link correction joins one old paragraph and one new paragraph")
        if action == "unlink" and not (old_paragraphs and new_paragraphs):
            raise StoreError("An unlink correction names a link's old and new paragraphs")
        if not reviewer.strip():
            raise StoreError("A correction needs the reviewer's name")
        with self.transaction() as con:
            if not con.execute("SELECT 1 FROM pairs WHERE id = ?", (pair_id,)).fetchone():
                raise StoreError(f"No pair {pair_id} in the review store {self.path}")
            cur = con.execute("INSERT INTO corrections(pair_id, action, old_paragraphs, new_paragraphs, note, "
                              "reviewer, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                              (pair_id, action, json.dumps(list(old_paragraphs)), json.dumps(list(new_paragraphs)),
                               note, reviewer.strip(), self.clock()))
            row = con.execute("SELECT * FROM corrections WHERE id = ?", (cur.lastrowid,)).fetchone()
        return _correction(row)

    def corrections(self, pair_id: str) -> list[Correction]:
        """Corrections in force for a pair: the latest per paragraph set, ``clear`` removing it."""
        rows = self._read("SELECT * FROM corrections WHERE pair_id = ? ORDER BY id", (pair_id,))
        latest: dict[tuple, Correction] = {}
        for r in rows:
            c = _correction(r)
            latest[(c.old_paragraphs, c.new_paragraphs)] = c
        return [c for c in sorted(latest.values(), key=lambda c: c.id) if c.action != "clear"]

    # ---- export

    def export_rows(self, history: bool = False) -> list[dict[str, Any]]:
        """Decisions as flat rows (current ones, or the whole history), with orphan status."""
        orphans = {d.id for d in self.orphaned()}
        decisions = self.history() if history else sorted(self.current().values(), key=lambda d: d.id)
        labels = {p["id"]: p["label"] for p in self.pairs()}
        return [{
            "decision_id": d.id, "pair_id": d.pair_id, "pair": labels.get(d.pair_id, ""), "kind": d.kind,
            "object_id": d.object_id, "decision": d.decision, "note": d.note, "reviewer": d.reviewer,
            "decided_at": d.created_at, "run_id": d.run_id if d.run_id is not None else "", "rule": d.rule,
            "phrase": d.phrase, "summary": d.summary, "orphaned": int(d.id in orphans),
        } for d in decisions]


EXPORT_COLUMNS = ("decision_id", "pair_id", "pair", "kind", "object_id", "decision", "note", "reviewer",
                  "decided_at", "run_id", "rule", "phrase", "summary", "orphaned")


def export_csv(rows: Sequence[Mapping[str, Any]]) -> str:
    """Rows of :meth:`Store.export_rows` as CSV. Cells a spreadsheet would run
    as a formula (notes are user data) get a leading apostrophe."""
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(EXPORT_COLUMNS)
    for row in rows:
        cells = []
        for c in EXPORT_COLUMNS:
            v = str(row.get(c, ""))
            cells.append("'" + v if v.startswith(("=", "+", "-", "@", "\t", "\r")) else v)
        w.writerow(cells)
    return buf.getvalue()


class _quiet:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return exc[0] is not None and issubclass(exc[0], sqlite3.Error)  # type: ignore[arg-type]


def _statements(script: str) -> list[str]:
    """A migration script split into statements (``executescript`` would
    COMMIT our transaction first, breaking the atomic version bump)."""
    out, buf = [], ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out


def _decision(row: sqlite3.Row) -> Decision:
    return Decision(row["id"], row["pair_id"], row["kind"], row["object_id"], row["decision"], row["note"],
                    row["reviewer"], row["created_at"], row["run_id"], row["series"], row["rule"], row["phrase"],
                    row["summary"])


def _correction(row: sqlite3.Row) -> Correction:
    return Correction(row["id"], row["pair_id"], row["action"], tuple(json.loads(row["old_paragraphs"])),
                      tuple(json.loads(row["new_paragraphs"])), row["note"], row["reviewer"], row["created_at"])


# --------------------------------------------------------------------------- pipeline hooks


def apply_corrections(old: Document, new: Document, links: Sequence[Link],
                      corrections: Sequence[Correction]) -> tuple[tuple[Link, ...], tuple[str, ...]]:
    """The aligner's links with reviewers' corrections applied, and what was done.

    Runs between align and word diff (opcodes are computed afterwards).
    Paragraphs are found by content id, so a correction follows its passages
    when others are inserted before them; one whose passages are gone is
    skipped and said so. A corrected link has confidence 1 and says in its
    evidence that a reviewer made it.
    """
    old_ix = {p.id: p.index for p in old.paragraphs}
    new_ix = {p.id: p.index for p in new.paragraphs}
    out = list(links)
    done: list[str] = []
    for c in corrections:
        oi = [old_ix.get(pid) for pid in c.old_paragraphs]
        ni = [new_ix.get(pid) for pid in c.new_paragraphs]
        what = (f"{c.action} old {', '.join(f'¶{i + 1}' for i in oi if i is not None) or '?'} "
                f"with new {', '.join(f'¶{j + 1}' for j in ni if j is not None) or '?'} (by {c.reviewer})")
        if None in oi or None in ni:
            done.append(f"not applied, passages no longer present: {c.action} correction #{c.id} by {c.reviewer}")
            continue
        why = f"reviewer correction by {c.reviewer}" + (f": {c.note}" if c.note else "")
        if c.action == "unlink":
            target = next((lk for lk in out if sorted(lk.old) == sorted(oi) and sorted(lk.new) == sorted(ni)), None)
            if target is None:
                done.append(f"already apart: {what}")
                continue
            out.remove(target)
            out += [Link((i,), (), "dropped", 1.0, {}, (f"unlinked: {why}",)) for i in sorted(oi)]
            out += [Link((), (j,), "added", 1.0, {}, (f"unlinked: {why}",)) for j in sorted(ni)]
            done.append(f"unlinked: {what}")
        else:
            i, j = oi[0], ni[0]
            if any(lk.old == (i,) and lk.new == (j,) for lk in out):
                done.append(f"already linked: {what}")
                continue
            out = [r for lk in out for r in _without(lk, i, j, old, new)]
            same = old.paragraphs[i].text == new.paragraphs[j].text
            out.append(Link((i,), (j,), "unchanged" if same else "edited", 1.0, {}, (f"linked: {why}",)))
            done.append(f"linked: {what}")
    return tuple(out), tuple(done)


def _without(link: Link, i: int, j: int, old: Document, new: Document) -> list[Link]:
    """``link`` with old paragraph ``i`` and new paragraph ``j`` taken out of it
    (they are about to be linked to each other)."""
    if i not in link.old and j not in link.new:
        return [link]
    o = tuple(x for x in link.old if x != i)
    n = tuple(x for x in link.new if x != j)
    note = ("a reviewer linked one of its paragraphs elsewhere",)
    if o and n:
        kind = "merged" if len(o) > 1 else "split" if len(n) > 1 else (
            "unchanged" if old.paragraphs[o[0]].text == new.paragraphs[n[0]].text else "edited")
        return [replace(link, old=o, new=n, type=kind, evidence=link.evidence + note)]
    if o:
        return [Link((x,), (), "dropped", link.confidence, {}, note) for x in o]
    if n:
        return [Link((), (x,), "added", link.confidence, {}, note) for x in n]
    return []


def demote_dismissed(flags: Sequence[Flag], lessons: Mapping[tuple[str, str], int],
                     series: str) -> tuple[Flag, ...]:
    """Flags re-ranked after what reviewers dismissed in this series.

    A flag of a kind dismissed *n* times (same rule, same :func:`phrase_of`)
    has its score multiplied by ``DISMISSAL_DEMOTION ** n`` (floored), and its
    evidence says so; the order is re-sorted by score.
    """
    if not lessons:
        return tuple(flags)
    out = []
    for f in flags:
        n = lessons.get((f.rule, phrase_of(f)), 0)
        if n:
            factor = max(DISMISSAL_FLOOR, DISMISSAL_DEMOTION ** n)
            ev = dict(f.evidence)
            ev["score"] = {**ev.get("score", {}), "dismissal_demotion": factor}
            label = series.split(":", 1)[1] if series.startswith("series:") else "this pair"
            ev["dismissed_before"] = (f"reviewers dismissed this kind of change ({f.rule} on '{phrase_of(f)}') "
                                      f"{n} time{'s' if n > 1 else ''} in {label}: ranked lower")
            f = replace(f, score=round(f.score * factor, 4), evidence=ev)
        out.append(f)
    return tuple(sorted(out, key=lambda f: (-f.score, f.id)))
