"""The watcher's state in the shared SQLite store.

The store is one SQLite file shared with other components (the review
store). The contract every component keeps:

* default path ``$DRIFTLAB_STORE``, else
  ``${XDG_DATA_HOME:-~/.local/share}/driftlab/driftlab.sqlite``;
* WAL journal and a busy timeout, so a reader never blocks the watcher and
  two writers wait for each other instead of failing at once;
* a table ``schema_versions(component TEXT PRIMARY KEY, version INTEGER NOT
  NULL)``; each component migrates only its own tables (here: ``watch_*``,
  component ``'watch'``).

Why the statement text itself is kept here: a run can be killed at any
moment. The text, its fingerprint and the page's HTTP validators (ETag,
Last-Modified) are committed in one transaction as soon as a statement is
found; writing it into the corpus, the report and the notification follow
as separate steps, each recorded when done. A run killed between two steps
leaves a row whose ``status`` says what is still to do, and the next run
finishes it — no statement is lost (its validators were not saved without
it, so the page is fetched again) and none is recorded twice (the
fingerprint is unique).
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .store import default_store_path, migrate_tables

__all__ = ["default_store_path", "connect", "migrate", "StoredStatement", "SCHEMA_VERSION"]

#: Milliseconds a writer waits for another one before SQLite gives up.
BUSY_TIMEOUT_MS = 30_000

SCHEMA_VERSION = 1

_MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE watch_http (
        url TEXT PRIMARY KEY,
        etag TEXT,
        last_modified TEXT,
        checked_at TEXT NOT NULL
    );
    CREATE TABLE watch_sources (
        name TEXT PRIMARY KEY,
        statements INTEGER NOT NULL DEFAULT 0,  -- statements ever yielded
        links INTEGER NOT NULL DEFAULT 0,       -- most candidate links ever seen in one check
        items TEXT,                             -- JSON: the candidates of the last full listing
        last_ok TEXT,
        last_error TEXT
    );
    CREATE TABLE watch_statements (
        id INTEGER PRIMARY KEY,
        fingerprint TEXT NOT NULL UNIQUE,
        item TEXT NOT NULL,            -- the URL or file path it came from
        source TEXT NOT NULL,
        series TEXT NOT NULL,
        version INTEGER NOT NULL,      -- 1, then 2, 3… for corrections of one item
        revision_of INTEGER REFERENCES watch_statements(id),
        title TEXT NOT NULL,
        date TEXT NOT NULL,
        retrieved TEXT NOT NULL,
        text TEXT NOT NULL,
        status TEXT NOT NULL,          -- found → stored → reported
        corpus_path TEXT,
        predecessor TEXT,              -- corpus path of the statement it was compared with
        report_html TEXT,
        report_json TEXT,
        top_flags TEXT,                -- JSON list
        notified INTEGER NOT NULL DEFAULT 0,
        adopted INTEGER NOT NULL DEFAULT 0  -- already in the corpus (same source address): watched, not released
    );
    CREATE INDEX watch_statements_item ON watch_statements(item, version);
    CREATE TABLE watch_alarms (
        id INTEGER PRIMARY KEY,
        source TEXT NOT NULL,
        item TEXT NOT NULL,
        kind TEXT NOT NULL,
        message TEXT NOT NULL,
        created TEXT NOT NULL,
        notified INTEGER NOT NULL DEFAULT 0,
        resolved INTEGER NOT NULL DEFAULT 0  -- the item yielded a healthy statement again
    );
    """,
}


def connect(path: str | os.PathLike | None = None) -> sqlite3.Connection:
    """Open the store (creating it and its folder), WAL, busy timeout, watch tables migrated."""
    p = Path(path) if path is not None else default_store_path()
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE
        # below), so a step's writes are committed together or not at all.
        conn = sqlite3.connect(p, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(conn)
    except sqlite3.Error as exc:
        raise ConfigError(f"Cannot open the store {p}: {exc}") from None
    return conn


def migrate(conn: sqlite3.Connection, component: str = "watch") -> int:
    """Bring this component's tables to :data:`SCHEMA_VERSION` (the store's
    shared mechanism, :func:`driftlab.store.migrate_tables`); the version reached."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = migrate_tables(conn, component, [_MIGRATIONS[v] for v in range(1, SCHEMA_VERSION + 1)],
                                 what="store")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return version


@dataclass(frozen=True)
class StoredStatement:
    """One row of ``watch_statements``."""

    id: int
    fingerprint: str
    item: str
    source: str
    series: str
    version: int
    revision_of: int | None
    title: str
    date: str
    retrieved: str
    text: str
    status: str
    corpus_path: str | None
    predecessor: str | None
    report_html: str | None
    report_json: str | None
    top_flags: tuple[dict[str, Any], ...]
    notified: bool
    adopted: bool = False

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> "StoredStatement":
        d = dict(row)
        d["top_flags"] = tuple(json.loads(d["top_flags"])) if d["top_flags"] else ()
        d["notified"] = bool(d["notified"])
        d["adopted"] = bool(d["adopted"])
        return cls(**d)
