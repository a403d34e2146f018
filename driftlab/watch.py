"""Watch: check configured sources, pick up new statements, report what changed.

One run (:func:`run_once`) does, under a lock so two runs never overlap:

1. **check** every source in the config file — a local folder (files
   dropped in), an RSS/Atom feed (feedparser), an HTML index page (links
   whose address matches a pattern) or a single URL — and fetch each
   candidate page (httpx: timeouts, retries with back-off, a clear
   User-Agent, ETag/Last-Modified conditional requests, a size limit enforced
   while streaming, bounded redirects);
2. **extract** the statement with the same code as ``driftlab diff`` reads a
   file (:func:`driftlab.ingest.load_statement`: trafilatura for HTML);
3. **judge** it: a statement whose cosmetic-insensitive fingerprint
   (:func:`driftlab.normalize.fold`) is already known is not new; a changed
   version of a known page is a *revision* (a correction) compared with the
   version before it; anything else is a new release compared with the
   latest earlier statement of its series in the corpus. Text that is empty,
   tiny or boilerplate from a source that used to yield statements raises
   an *alarm* instead of being recorded (the site's layout changed);
4. **record** it in the store at once (text, fingerprint and the page's
   validators in one transaction), then write it into the corpus with front
   matter, write the pair report (HTML + JSON), run the post-release steps
   (:data:`POST_RELEASE_STEPS`), rewrite the index page, and notify (webhook
   and/or command) — each step recorded when done, so a run killed anywhere
   is finished by the next one without losing or duplicating a statement.

Only this module, the CLI and a server touch the clock, the network and
subprocesses; every failure it reports on purpose is a
:class:`~driftlab.errors.DriftlabError`.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import difflib
import fcntl
import hashlib
import json
import logging
import os
import re
import sqlite3
import subprocess
import tempfile
import time
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Sequence
from urllib.parse import urldefrag, urljoin, urlsplit

from . import __version__
from .errors import ConfigError, DriftlabError, FetchError, InputError, WatchBusy, WatchError
from .ingest import load_statement
from .normalize import fold
from .settings import Settings, read_config
from .types import Statement
from .watchstate import StoredStatement, connect, default_store_path

__all__ = [
    "EXIT_NOTHING_NEW",
    "EXIT_NEW_REPORTS",
    "EXIT_SOURCES_FAILED",
    "EXIT_NEW_AND_FAILED",
    "EXIT_BUSY",
    "POST_RELEASE_STEPS",
    "WATCH_OPTIONS",
    "Source",
    "WatchConfig",
    "RunResult",
    "load_watch_config",
    "fingerprint",
    "health_problem",
    "Fetcher",
    "watch_lock",
    "run_once",
    "run_loop",
    "exit_code",
]

log = logging.getLogger("driftlab.watch")

# ------------------------------------------------------------- exit codes --
#: ``driftlab watch --once`` exit codes, for cron and systemd (also in the README).
EXIT_NOTHING_NEW = 0  # every source checked, nothing new
EXIT_NEW_REPORTS = 10  # new statements recorded and reported
EXIT_SOURCES_FAILED = 20  # some source or notification failed, or an extraction alarm was raised
EXIT_NEW_AND_FAILED = 30  # both of the above
EXIT_BUSY = 75  # another run holds the lock (EX_TEMPFAIL: try again later)
# 1 is, as for every driftlab command, a configuration or store error ("Error: …").

# ------------------------------------------------------------ the options --

SOURCE_KINDS = ("folder", "feed", "index", "url")

#: Every key of a watch config file: ``(name, default, help)``. Paths are
#: relative to the config file's folder.
WATCH_OPTIONS: tuple[tuple[str, Any, str], ...] = (
    ("corpus", "corpus", "Folder of the statement corpus: predecessors are found here (recursively, "
     "by the 'series' front-matter field) and new statements are written here."),
    ("reports", "reports/watch", "Folder for pair reports and the index page (index.html)."),
    ("store", "", "SQLite store. Empty: $DRIFTLAB_STORE, else ${XDG_DATA_HOME:-~/.local/share}/driftlab/driftlab.sqlite."),
    ("interval", 3600.0, "Seconds between checks in loop mode (driftlab watch without --once)."),
    ("user_agent", f"driftlab-watch/{__version__} (+statement monitor; set user_agent to a contact address)",
     "User-Agent sent with every request."),
    ("timeout", 20.0, "Seconds to wait for a server to connect or send data."),
    ("retries", 2, "Further attempts after a timeout, a connection error, 429 or a 5xx answer."),
    ("backoff", 1.0, "Seconds before the first retry; doubled at each further one (at most 60 s)."),
    ("max_mb", 5.0, "Largest response accepted, in megabytes; a larger one is cut off while streaming."),
    ("max_redirects", 5, "Most redirects followed for one request (a redirect loop stops here)."),
    ("min_chars", 400, "Fewest characters of prose (paragraphs of 8+ words) a statement must have; "
     "less from a source that used to yield statements raises an extraction alarm."),
    ("shrink_ratio", 0.35, "A new version of a known page shorter than this share of the version before "
     "raises an alarm instead of being recorded as a correction."),
    ("top_flags", 3, "Flags per release in notifications and on the index page."),
    ("recent", 50, "Releases listed on the index page."),
    ("webhook", "", "URL that receives a POST of the JSON summary after a run that found something."),
    ("command", [], "Command run after such a run, as an argv list (no shell); the JSON summary is on its standard input."),
    ("notify_timeout", 30.0, "Seconds a webhook or command may take."),
    ("trust_env", True, "Use proxy settings from the environment (HTTP_PROXY, NO_PROXY…)."),
    ("settings", {}, "driftlab settings for the reports (the names 'driftlab settings' lists)."),
    ("sources", [], "The sources: each a mapping with name, kind (folder, feed, index, url), series, "
     "and path (folder) or url (feed, index, url); an index also needs a link pattern (regular expression)."),
)
_OPTION_DEFAULTS = {name: default for name, default, _ in WATCH_OPTIONS}
_SOURCE_KEYS = ("name", "kind", "series", "path", "url", "pattern")

#: Post-release steps: each is called as ``step(release, config)`` after a
#: release's pair report is written and before it is marked reported, so a
#: run killed inside a step repeats it. A failing step is logged and counted
#: as a failure; it does not hold the release back. The series report
#: refresh belongs here.
PostReleaseStep = Callable[[StoredStatement, "WatchConfig"], None]


def refresh_series_report(release: StoredStatement, config: "WatchConfig") -> None:
    """Rewrite the series report of the release's series (``driftlab series``
    over the corpus folder), with its pairwise step reports beside it."""
    from .corpus import resolve_series
    from .pipeline import make_cache
    from .series import ResultCache, build_series_report, document_loader
    from .series_report import prepare_page, series_report_path, write_series_report

    if not release.series:
        return
    settings = config.settings
    results = ResultCache(settings.resolved_cache_dir()) if settings.use_cache else None
    chosen = resolve_series(release.series, [config.corpus], "series", document_loader(settings, results))
    rep = build_series_report(chosen, settings, cache=make_cache(settings), results=results, prepare=(prepare_page,))
    out = series_report_path(config.reports, chosen.name)
    write_series_report(rep, out, results=results)
    log.info("series report refreshed: %s (%d statements)", out, len(chosen.documents))


POST_RELEASE_STEPS: list[PostReleaseStep] = [refresh_series_report]


@dataclass(frozen=True)
class Source:
    name: str
    kind: str
    series: str
    path: str = ""  # folder sources
    url: str = ""  # feed, index and url sources
    pattern: str = ""  # index sources: links whose absolute address matches (re.search)


@dataclass(frozen=True)
class WatchConfig:
    sources: tuple[Source, ...]
    corpus: Path
    reports: Path
    store: Path
    interval: float = 3600.0
    user_agent: str = _OPTION_DEFAULTS["user_agent"]
    timeout: float = 20.0
    retries: int = 2
    backoff: float = 1.0
    max_mb: float = 5.0
    max_redirects: int = 5
    min_chars: int = 400
    shrink_ratio: float = 0.35
    top_flags: int = 3
    recent: int = 50
    webhook: str = ""
    command: tuple[str, ...] = ()
    notify_timeout: float = 30.0
    trust_env: bool = True
    settings: Settings = field(default_factory=Settings)

    @property
    def lock_path(self) -> Path:
        return Path(str(self.store) + ".watch.lock")


def _hint(name: str, valid: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, list(valid), n=1)
    return f" Did you mean '{close[0]}'?" if close else ""


def load_watch_config(path: str | os.PathLike, *, store: str | os.PathLike | None = None) -> WatchConfig:
    """Read and check a watch config file (YAML or TOML); ``store`` overrides its ``store``."""
    p = Path(path)
    data = read_config(p, "Watch config") or {}
    if not isinstance(data, dict):
        raise ConfigError(f"Watch config {p} must hold a mapping (corpus, reports, sources…).")
    for key in data:
        if key not in _OPTION_DEFAULTS:
            raise ConfigError(f"Unknown watch option '{key}' in {p}.{_hint(str(key), list(_OPTION_DEFAULTS))}")
    base = p.parent

    def path_opt(name: str) -> Path:
        value = data.get(name, _OPTION_DEFAULTS[name])
        if not isinstance(value, str) or not value:
            raise ConfigError(f"Watch option '{name}' in {p} must be a folder path.")
        return (base / Path(value).expanduser()).resolve()

    values: dict[str, Any] = {"corpus": path_opt("corpus"), "reports": path_opt("reports")}
    if store is not None:
        values["store"] = Path(store)
    elif data.get("store"):
        values["store"] = (base / Path(str(data["store"])).expanduser()).resolve()
    else:
        values["store"] = default_store_path()
    kinds = {"interval": float, "timeout": float, "backoff": float, "max_mb": float, "shrink_ratio": float,
             "notify_timeout": float, "retries": int, "max_redirects": int, "min_chars": int,
             "top_flags": int, "recent": int, "user_agent": str, "webhook": str, "trust_env": bool}
    for name, kind in kinds.items():
        if name not in data:
            continue
        value = data[name]
        ok = isinstance(value, kind) and not (kind is not bool and isinstance(value, bool))
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value, ok = float(value), True
        if not ok or (kind in (int, float) and value < 0):
            raise ConfigError(f"Watch option '{name}' in {p} expects a non-negative {kind.__name__}, got {value!r}.")
        values[name] = value
    if values.get("webhook") and urlsplit(values["webhook"]).scheme not in ("http", "https"):
        raise ConfigError(f"Watch option 'webhook' in {p} must be an http(s) URL, got {values['webhook']!r}.")
    command = data.get("command", [])
    if not isinstance(command, list) or not all(isinstance(a, str) for a in command):
        # A string would need a shell to split it; an argv list needs none.
        raise ConfigError(f"Watch option 'command' in {p} must be a list of arguments (no shell), got {command!r}.")
    values["command"] = tuple(command)
    settings = data.get("settings", {}) or {}
    if not isinstance(settings, dict):
        raise ConfigError(f"Watch option 'settings' in {p} must be a mapping of driftlab settings.")
    values["settings"] = Settings().updated(settings)
    values["sources"] = _sources(data.get("sources"), p, base)
    return WatchConfig(**values)


def _sources(raw: Any, p: Path, base: Path) -> tuple[Source, ...]:
    if not isinstance(raw, list) or not raw:
        raise ConfigError(f"Watch config {p} lists no sources (a 'sources' list of mappings).")
    out: list[Source] = []
    for i, item in enumerate(raw, 1):
        where = f"source {i} in {p}"
        if not isinstance(item, dict):
            raise ConfigError(f"The {where} must be a mapping (name, kind, series, url or path).")
        for key in item:
            if key not in _SOURCE_KEYS:
                raise ConfigError(f"Unknown key '{key}' in the {where}.{_hint(str(key), _SOURCE_KEYS)}")
        kind = str(item.get("kind", ""))
        if kind not in SOURCE_KINDS:
            raise ConfigError(f"The {where} needs a kind: one of {', '.join(SOURCE_KINDS)} (got {kind!r}).")
        name = str(item.get("name") or f"{kind}{i}")
        series = str(item.get("series") or "").strip()
        if not series:
            raise ConfigError(f"The {where} ({name}) needs a series: the predecessor is found by it.")
        src = Source(name=name, kind=kind, series=series)
        if kind == "folder":
            if not item.get("path"):
                raise ConfigError(f"The {where} ({name}) is a folder source and needs a path.")
            src = replace(src, path=str((base / Path(str(item["path"])).expanduser()).resolve()))
        else:
            url = str(item.get("url") or "")
            if urlsplit(url).scheme not in ("http", "https"):
                raise ConfigError(f"The {where} ({name}) needs an http(s) url, got {url!r}.")
            src = replace(src, url=url)
        if kind == "index":
            pattern = str(item.get("pattern") or "")
            if not pattern:
                raise ConfigError(f"The {where} ({name}) is an index page and needs a link pattern.")
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ConfigError(f"The link pattern of the {where} ({name}) is not a valid regular expression: {exc}.") from None
            src = replace(src, pattern=pattern)
        if any(s.name == name for s in out):
            raise ConfigError(f"Two sources are named '{name}' in {p}; names identify a source's history.")
        out.append(src)
    return tuple(out)


# ------------------------------------------------------------ fingerprint --


def fingerprint(text: str) -> str:
    """A hash of the cosmetic-insensitive form of ``text``.

    :func:`driftlab.normalize.fold` drops whitespace, case, quote and dash
    style, British/American spelling and abbreviation dots; punctuation
    tokens are dropped here too, so a re-templated page (a comma moved by a
    CMS, curly quotes, a non-breaking space) is the same statement. A change
    of any word is a new fingerprint.
    """
    keys = [k for k in fold(text).split(" ") if any(c.isalnum() for c in k)]
    return hashlib.sha256(" ".join(keys).encode("utf-8")).hexdigest()


# ------------------------------------------------------ extraction health --

#: Phrases of pages that are not a statement: error pages, consent walls.
#: Only judged on short texts, since a statement may well mention cookies.
_BOILERPLATE = tuple(
    fold(p)
    for p in (
        "page not found",
        "enable javascript",
        "javascript is disabled",
        "access denied",
        "accept cookies",
        "cookie settings",
        "are you a robot",
        "subscribe to our newsletter",
    )
)
_PROSE_WORDS = 8


def _prose_chars(text: str) -> int:
    """Characters in paragraphs of at least eight words: a statement is
    prose; menus, link lists and footers are short lines."""
    return sum(len(p) for p in text.split("\n\n") if len(p.split()) >= _PROSE_WORDS)


def health_problem(text: str, min_chars: int) -> str:
    """Why ``text`` does not look like a statement (``""`` when it does)."""
    if not text.strip():
        return "empty"
    prose = _prose_chars(text)
    if prose < min_chars:
        if len(text) >= min_chars:
            return f"boilerplate: only {prose} characters of prose in {len(text)} (min_chars {min_chars})"
        return f"tiny: {len(text)} characters (min_chars {min_chars})"
    folded = fold(text)
    if len(text) < 4 * min_chars and any(b in folded for b in _BOILERPLATE):
        hit = next(b for b in _BOILERPLATE if b in folded)
        return f"boilerplate: the text reads like a web page's furniture ({hit!r})"
    return ""


# ---------------------------------------------------------------- fetching --


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    status: int  # 200, or 304 (not modified: content is empty)
    content: bytes
    content_type: str
    etag: str
    last_modified: str


class Fetcher:
    """An httpx client with the watcher's manners.

    Retries (with exponential back-off, honouring a short ``Retry-After``)
    only what may pass: timeouts, connection errors, 429 and 5xx. A 4xx
    other than 429, too many redirects and an oversized body fail at once:
    asking again would give the same answer.
    """

    def __init__(self, config: WatchConfig, *, transport: Any = None, sleep: Callable[[float], None] = time.sleep):
        import httpx

        self._httpx = httpx
        self.config = config
        self.sleep = sleep
        self.max_bytes = int(config.max_mb * 1024 * 1024)
        self.client = httpx.Client(
            headers={"User-Agent": config.user_agent},
            timeout=httpx.Timeout(config.timeout),
            follow_redirects=True,
            max_redirects=config.max_redirects,
            trust_env=config.trust_env,
            transport=transport,
        )

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> "Fetcher":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, url: str, etag: str = "", last_modified: str = "") -> Fetched:
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return self._with_retries(url, lambda: self._get_once(url, headers))

    def post_json(self, url: str, payload: Mapping[str, Any], timeout: float) -> int:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")

        def once() -> int:
            r = self.client.post(url, content=body, headers={"Content-Type": "application/json"}, timeout=timeout)
            if r.status_code >= 500 or r.status_code == 429:
                raise _Retryable(f"{url} answered {r.status_code}", r.headers.get("Retry-After"))
            if r.status_code >= 400:
                raise FetchError(f"webhook {url} answered {r.status_code}")
            return r.status_code

        return self._with_retries(url, once)

    def _with_retries(self, url: str, once: Callable[[], Any]) -> Any:
        httpx = self._httpx
        attempts = self.config.retries + 1
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                return once()
            except _Retryable as exc:
                if last:
                    raise FetchError(f"{exc.message} (after {attempts} attempts)") from None
                wait = _retry_after(exc.retry_after) or self._delay(attempt)
                log.info("%s; retrying in %.1f s", exc.message, wait)
            except httpx.TooManyRedirects:
                raise FetchError(f"{url}: more than {self.config.max_redirects} redirects (a redirect loop?)") from None
            except httpx.TimeoutException:
                if last:
                    raise FetchError(f"{url}: timed out after {self.config.timeout:g} s ({attempts} attempts)") from None
                wait = self._delay(attempt)
                log.info("%s timed out; retrying in %.1f s", url, wait)
            except httpx.HTTPError as exc:  # connection refused, DNS, protocol errors
                if last:
                    raise FetchError(f"{url}: {type(exc).__name__}: {exc} ({attempts} attempts)") from None
                wait = self._delay(attempt)
                log.info("%s: %s; retrying in %.1f s", url, type(exc).__name__, wait)
            self.sleep(min(wait, 60.0))
        raise AssertionError("unreachable")  # pragma: no cover

    def _delay(self, attempt: int) -> float:
        return min(self.config.backoff * (2**attempt), 60.0)

    def _get_once(self, url: str, headers: Mapping[str, str]) -> Fetched:
        with self.client.stream("GET", url, headers=headers) as r:
            if r.status_code == 304:
                return Fetched(str(r.url), 304, b"", "", r.headers.get("ETag", ""), r.headers.get("Last-Modified", ""))
            if r.status_code >= 500 or r.status_code == 429:
                raise _Retryable(f"{url} answered {r.status_code}", r.headers.get("Retry-After"))
            if r.status_code >= 400:
                raise FetchError(f"{url} answered {r.status_code}")
            limit = self.max_bytes
            declared = r.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > limit:
                raise FetchError(f"{url} is {int(declared) / 1048576:.1f} MB, more than max_mb {self.config.max_mb:g}")
            chunks: list[bytes] = []
            size = 0
            # Counted while streaming: a server may send no length, or lie.
            for chunk in r.iter_bytes():
                size += len(chunk)
                if size > limit:
                    raise FetchError(f"{url} sent more than max_mb {self.config.max_mb:g} MB; cut off")
                chunks.append(chunk)
            return Fetched(
                url=str(r.url),
                status=r.status_code,
                content=b"".join(chunks),
                content_type=r.headers.get("Content-Type", ""),
                etag=r.headers.get("ETag", ""),
                last_modified=r.headers.get("Last-Modified", ""),
            )


class _Retryable(Exception):
    def __init__(self, message: str, retry_after: str | None):
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


def _retry_after(value: str | None) -> float:
    if value and value.strip().isdigit():
        return float(value.strip())
    return 0.0


# ------------------------------------------------------------- candidates --


@dataclass(frozen=True)
class Candidate:
    """A page or file that may hold a statement."""

    item: str  # URL or absolute file path: the identity a revision is tracked by
    title: str = ""  # from the feed entry or the link text, a fallback
    date: str = ""  # from the feed entry, a fallback


def _feed_candidates(fetched: Fetched, source: Source) -> list[Candidate]:
    import feedparser

    parsed = feedparser.parse(fetched.content, response_headers={
        "content-location": fetched.url, "content-type": fetched.content_type or "application/xml"})
    out: list[Candidate] = []
    for entry in parsed.entries:
        link = entry.get("link") or ""
        if not link:
            continue
        link = urldefrag(urljoin(fetched.url, link))[0]
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        date = time.strftime("%Y-%m-%d", stamp) if stamp else ""
        out.append(Candidate(link, str(entry.get("title") or ""), date))
    # feedparser recovers what it can from broken XML; a feed it could not
    # read a single link from is a failure, not "nothing new".
    if not out and (parsed.bozo or not parsed.version):
        reason = " ".join(str(getattr(parsed, "bozo_exception", "") or "no RSS or Atom elements").split())
        raise FetchError(f"{source.url} is not a readable RSS/Atom feed ({reason})")
    if parsed.bozo:
        log.warning("source %s: feed %s is not well-formed (%s); using the %d entries read",
                    source.name, source.url, getattr(parsed, "bozo_exception", ""), len(out))
    # Feeds list newest first; the oldest goes first so each new one finds
    # the one before it in the corpus as its predecessor.
    out.sort(key=lambda c: c.date)
    return _unique(out)


def _index_candidates(fetched: Fetched, source: Source) -> list[Candidate]:
    import lxml.html

    try:
        root = lxml.html.document_fromstring(fetched.content)
    except (ValueError, lxml.etree.ParserError) as exc:
        raise FetchError(f"{source.url} is not a readable HTML page ({exc})") from None
    pattern = re.compile(source.pattern)
    out = []
    for a in root.iter("a"):
        href = a.get("href")
        if not href:
            continue
        url = urldefrag(urljoin(fetched.url, href.strip()))[0]
        if urlsplit(url).scheme in ("http", "https") and pattern.search(url):
            out.append(Candidate(url, " ".join(a.text_content().split())))
    out.reverse()  # index pages list newest first, like feeds
    return _unique(out)


def _unique(cands: list[Candidate]) -> list[Candidate]:
    seen: set[str] = set()
    return [c for c in cands if not (c.item in seen or seen.add(c.item))]


def _folder_candidates(source: Source) -> list[Candidate]:
    from .ingest import FORMATS

    folder = Path(source.path)
    if not folder.is_dir():
        raise FetchError(f"folder {folder} does not exist")
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in FORMATS and not p.name.startswith("."))
    # A file still being copied in would be read half-written: one touched
    # in the last few seconds waits for the next run.
    settled = time.time() - _SETTLE_SECONDS
    return [Candidate(str(p)) for p in files if p.stat().st_mtime <= settled]


#: Seconds a dropped file must stay untouched before it is read.
_SETTLE_SECONDS = 5.0


# ------------------------------------------------------------- extraction --

_SUFFIX_BY_TYPE = (("html", ".html"), ("xhtml", ".html"), ("pdf", ".pdf"), ("markdown", ".md"), ("text/plain", ".txt"))


def _extract(fetched: Fetched, max_mb: float) -> Statement:
    """The statement on a fetched page, read by :func:`driftlab.ingest.load_statement`.

    The body goes to a temporary file named after the page's last path
    segment (ingest takes a date from a name like ``2024-11-15-…``), with the
    extension its Content-Type calls for, so charset handling, binary
    checks, HTML (trafilatura) and PDF extraction are exactly those of
    ``driftlab diff``.
    """
    ctype = fetched.content_type.split(";")[0].strip().lower()
    segment = urlsplit(fetched.url).path.rstrip("/").rsplit("/", 1)[-1] or "page"
    stem, dot, ext = segment.rpartition(".")
    suffix = next((s for t, s in _SUFFIX_BY_TYPE if t in ctype), "")
    if not suffix and dot and f".{ext.lower()}" in (".html", ".htm", ".txt", ".md", ".pdf"):
        suffix = f".{ext.lower()}"
    name = re.sub(r"[^\w.-]+", "_", stem if dot else segment)[:80] + (suffix or ".html")
    # Many sites date their addresses (/2024/11/15/joint-statement/); ingest
    # reads a date from a file name, so the name carries it.
    dated = re.search(r"/(\d{4})/(\d{2})/(\d{2})/", urlsplit(fetched.url).path)
    if dated:
        name = f"{dated[1]}-{dated[2]}-{dated[3]}_{name}"
    with tempfile.TemporaryDirectory(prefix="driftlab-watch-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(fetched.content)
        try:
            statement = load_statement(path, max_mb=max_mb)
        except InputError as exc:
            # The message names the temporary file; the reader wants the page.
            # Same class, so an empty page stays EmptyInput (a health matter).
            raise type(exc)(str(exc).replace(str(path), fetched.url)) from None
    return replace(statement, path=fetched.url)


# ---------------------------------------------------------------- corpus --


@dataclass(frozen=True)
class CorpusEntry:
    path: Path
    series: str
    date: str
    retrieved: str
    fingerprint: str
    supersedes: str
    source: str = ""


def _series_key(series: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", series).casefold().split())


def scan_corpus(corpus: Path) -> list[CorpusEntry]:
    """Every ``.txt``/``.md`` statement with front matter under ``corpus``."""
    out: list[CorpusEntry] = []
    if not corpus.is_dir():
        return out
    for p in sorted(corpus.rglob("*")):
        if p.suffix.lower() not in (".txt", ".md") or not p.is_file() or p.name.lower().startswith("readme"):
            continue
        try:
            st = load_statement(p)
        except DriftlabError as exc:
            log.debug("corpus: skipping %s (%s)", p, exc)
            continue
        extra = dict(st.meta.extra)
        if st.meta.series:
            out.append(CorpusEntry(p, st.meta.series, st.meta.date, extra.get("retrieved", ""),
                                   extra.get("fingerprint", ""), extra.get("supersedes", ""), st.meta.source))
    return out


def find_predecessor(entries: Sequence[CorpusEntry], series: str, date: str, retrieved: str,
                     fp: str) -> CorpusEntry | None:
    """The latest statement of ``series`` earlier than (``date``, ``retrieved``).

    Versions superseded by a correction are skipped: the corrected text is
    what the series said. Statements without a retrieval time (curated
    files) sort before any retrieved on the same day.
    """
    superseded = {e.path.parent / e.supersedes for e in entries if e.supersedes}
    key = _series_key(series)
    earlier = [
        e for e in entries
        if _series_key(e.series) == key and e.fingerprint != fp and e.path not in superseded
        and e.date and (e.date, e.retrieved) < (date, retrieved)
    ]
    return max(earlier, key=lambda e: (e.date, e.retrieved, str(e.path)), default=None)


def _slug(text: str, limit: int = 60) -> str:
    s = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    s = re.sub(r"[^a-z0-9]+", "_", s).strip("_")
    return s[:limit].rstrip("_") or "statement"


def _front_matter(fields: Mapping[str, Any]) -> str:
    import yaml

    return "---\n" + yaml.safe_dump(dict(fields), allow_unicode=True, sort_keys=False, width=1000) + "---\n"


# ------------------------------------------------------------------ lock --


@contextlib.contextmanager
def watch_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive ``fcntl`` lock on ``path`` or raise :class:`WatchBusy`.

    The kernel drops the lock when the process dies, however it dies, so a
    killed run never leaves a stale lock behind.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WatchBusy(f"another driftlab watch run holds the lock {path}") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)


# ------------------------------------------------------------------- run --


@dataclass
class RunResult:
    """What one run did; the CLI turns it into an exit code."""

    checked: int = 0  # pages and files looked at
    unchanged: int = 0  # known fingerprint (incl. cosmetic-only changes) or 304
    new: int = 0  # new statements recorded
    revisions: int = 0  # corrections of known pages recorded
    reported: list[str] = field(default_factory=list)  # corpus paths of releases finished this run
    failures: list[str] = field(default_factory=list)  # one line each
    alarms: list[str] = field(default_factory=list)  # extraction-health alarms raised this run
    notified: bool = False


def exit_code(result: RunResult) -> int:
    failed = bool(result.failures or result.alarms)
    if result.reported:
        return EXIT_NEW_AND_FAILED if failed else EXIT_NEW_REPORTS
    return EXIT_SOURCES_FAILED if failed else EXIT_NOTHING_NEW


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class _Run:
    def __init__(self, config: WatchConfig, conn: sqlite3.Connection, fetcher: Fetcher, encoder: Any,
                 clock: Callable[[], str], steps: Sequence[PostReleaseStep]):
        self.config = config
        self.conn = conn
        self.fetcher = fetcher
        self.encoder = encoder
        self.clock = clock
        self.steps = steps
        self.result = RunResult()
        self._corpus: list[CorpusEntry] | None = None

    # -- state helpers
    @contextlib.contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def validators(self, item: str) -> tuple[str, str]:
        row = self.conn.execute("SELECT etag, last_modified FROM watch_http WHERE url = ?", (item,)).fetchone()
        return (row["etag"] or "", row["last_modified"] or "") if row else ("", "")

    def save_validators(self, conn: sqlite3.Connection, item: str, etag: str, last_modified: str) -> None:
        conn.execute(
            "INSERT INTO watch_http(url, etag, last_modified, checked_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified, "
            "checked_at = excluded.checked_at",
            (item, etag, last_modified, self.clock()),
        )

    def source_row(self, source: Source) -> sqlite3.Row:
        self.conn.execute("INSERT OR IGNORE INTO watch_sources(name) VALUES (?)", (source.name,))
        return self.conn.execute("SELECT * FROM watch_sources WHERE name = ?", (source.name,)).fetchone()

    def alarm(self, source: Source, item: str, kind: str, message: str) -> None:
        log.warning("ALARM source %s: %s: %s", source.name, item, message)
        self.result.alarms.append(f"{source.name}: {item}: {message}")
        open_alarm = self.conn.execute(
            "SELECT 1 FROM watch_alarms WHERE source = ? AND item = ? AND kind = ? AND resolved = 0",
            (source.name, item, kind),
        ).fetchone()
        if open_alarm is None:  # notify once per problem, not once per cron run
            with self.tx() as c:
                c.execute("INSERT INTO watch_alarms(source, item, kind, message, created) VALUES (?, ?, ?, ?, ?)",
                          (source.name, item, kind, message, self.clock()))

    def resolve(self, conn: sqlite3.Connection, source: Source, item: str) -> None:
        """Close the open alarms of ``item``: it is healthy again (a new breakage alarms anew)."""
        conn.execute("UPDATE watch_alarms SET resolved = 1 WHERE source = ? AND item = ? AND resolved = 0",
                     (source.name, item))

    # -- checking
    def check_source(self, source: Source) -> None:
        row = self.source_row(source)
        try:
            cands, validators = self.discover(source)
        except (DriftlabError, OSError) as exc:  # OSError: a folder vanished or unreadable
            self.fail(source, str(exc))
            return
        if cands is None:
            # The listing is unchanged, but a page in it may have been
            # corrected in place: its own conditional request will tell.
            cands = [Candidate(*c) for c in json.loads(row["items"] or "[]")]
            log.info("source %s: listing not modified; re-checking its %d item(s)", source.name, len(cands))
        else:
            log.info("source %s: %d candidate(s)", source.name, len(cands))
        if source.kind in ("feed", "index") and not cands and row["links"] > 0:
            self.alarm(source, source.url, "no_links",
                       f"the page used to list {row['links']} matching link(s) and now lists none "
                       "(its layout changed, or the pattern no longer matches)")
        ok = True
        for cand in cands:
            try:
                self.check_candidate(source, cand)
            except (DriftlabError, OSError) as exc:
                ok = False
                self.fail(source, str(exc))
        with self.tx() as c:
            c.execute("UPDATE watch_sources SET links = MAX(links, ?) WHERE name = ?", (len(cands), source.name))
            if ok:
                c.execute("UPDATE watch_sources SET last_ok = ?, last_error = NULL WHERE name = ?",
                          (self.clock(), source.name))
            if cands and source.url:
                self.resolve(c, source, source.url)
            # A feed's or index's validators are kept only once every entry
            # was handled: a run killed half-way must see the entries again.
            if ok and validators is not None:
                self.save_validators(c, source.url, *validators)
                c.execute("UPDATE watch_sources SET items = ? WHERE name = ?",
                          (json.dumps([[x.item, x.title, x.date] for x in cands]), source.name))

    def fail(self, source: Source, message: str) -> None:
        log.error("source %s: %s", source.name, message)
        self.result.failures.append(f"{source.name}: {message}")
        with self.tx() as c:
            c.execute("UPDATE watch_sources SET last_error = ? WHERE name = ?", (message, source.name))

    def discover(self, source: Source) -> tuple[list[Candidate] | None, tuple[str, str] | None]:
        if source.kind == "folder":
            return _folder_candidates(source), None
        if source.kind == "url":
            return [Candidate(source.url)], None
        fetched = self.fetcher.get(source.url, *self.validators(source.url))
        self.result.checked += 1
        if fetched.status == 304:
            return None, None
        cands = _feed_candidates(fetched, source) if source.kind == "feed" else _index_candidates(fetched, source)
        return cands, (fetched.etag, fetched.last_modified)

    def check_candidate(self, source: Source, cand: Candidate) -> None:
        self.result.checked += 1
        if source.kind == "folder":
            p = Path(cand.item)
            st_ = p.stat()
            stamp = f"{st_.st_mtime_ns}:{st_.st_size}"
            if self.validators(cand.item)[0] == stamp:
                self.result.unchanged += 1
                return
            statement = self._healthy(source, cand, lambda: load_statement(p, max_mb=self.config.settings.max_input_mb))
            validators = (stamp, "")
        else:
            fetched = self.fetcher.get(cand.item, *self.validators(cand.item))
            if fetched.status == 304:
                log.info("unchanged (304): %s", cand.item)
                self.result.unchanged += 1
                return
            statement = self._healthy(source, cand, lambda: _extract(fetched, self.config.settings.max_input_mb))
            validators = (fetched.etag, fetched.last_modified)
        if statement is None:
            return
        self.record(source, cand, statement, validators)

    def _healthy(self, source: Source, cand: Candidate, read: Callable[[], Any]) -> Any:
        """The statement ``read`` yields, or None after an alarm or warning."""
        from .errors import EmptyInput

        try:
            statement = read()
            problem = health_problem(statement.text, self.config.min_chars)
        except EmptyInput:
            statement, problem = None, "empty: no statement text could be extracted"
        if not problem:
            return statement
        used_to = self.source_row(source)["statements"] > 0
        if used_to:
            self.alarm(source, cand.item, "extraction", f"{problem}; nothing recorded (did the page layout change?)")
        else:
            log.warning("source %s: %s: %s; nothing recorded", source.name, cand.item, problem)
        return None

    def record(self, source: Source, cand: Candidate, statement: Any, validators: tuple[str, str]) -> None:
        fp = fingerprint(statement.text)
        known = self.conn.execute("SELECT id, item FROM watch_statements WHERE fingerprint = ?", (fp,)).fetchone()
        prev = self.conn.execute(
            "SELECT * FROM watch_statements WHERE item = ? ORDER BY version DESC LIMIT 1", (cand.item,)
        ).fetchone()
        if known is not None:
            same_text = prev is not None and prev["fingerprint"] == fp and prev["text"] == statement.text
            what = "unchanged" if same_text or prev is None or prev["fingerprint"] != fp else "cosmetic changes only"
            log.info("%s: %s", what, cand.item)
            self.result.unchanged += 1
            with self.tx() as c:
                self.save_validators(c, cand.item, *validators)
                self.resolve(c, source, cand.item)
            return
        if prev is not None and len(statement.text) < self.config.shrink_ratio * len(prev["text"]):
            self.alarm(source, cand.item, "extraction",
                       f"the new version has {len(statement.text)} characters, the one before "
                       f"{len(prev['text'])}; nothing recorded (did the page layout change?)")
            return
        if prev is None and self.adopt(source, cand, statement, fp, validators):
            return
        series = statement.meta.series or source.series
        retrieved = self.clock()
        date = statement.meta.date or cand.date or retrieved[:10]
        title = statement.meta.title or cand.title or "Untitled statement"
        if title == Path(urlsplit(cand.item).path).stem and cand.title:
            title = cand.title  # ingest fell back to the file name; the feed knows better
        version = prev["version"] + 1 if prev is not None else 1
        with self.tx() as c:
            c.execute(
                "INSERT INTO watch_statements(fingerprint, item, source, series, version, revision_of, title, date, "
                "retrieved, text, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'found')",
                (fp, cand.item, source.name, series, version, prev["id"] if prev is not None else None,
                 title, date, retrieved, statement.text),
            )
            c.execute("UPDATE watch_sources SET statements = statements + 1 WHERE name = ?", (source.name,))
            self.resolve(c, source, cand.item)
            self.save_validators(c, cand.item, *validators)
        if prev is None:
            self.result.new += 1
            log.info("NEW statement in %r: %s (%s) from %s", series, title, date, cand.item)
        else:
            self.result.revisions += 1
            log.info("REVISION %d of %s: %s", version, cand.item, title)

    def adopt(self, source: Source, cand: Candidate, statement: Any, fp: str, validators: tuple[str, str]) -> bool:
        """Take a page the corpus already holds (its ``source`` is this address) as version 1.

        Its text as extracted from the web rarely equals the curated file's
        to the letter, so without this the first run over a curated corpus
        would "release" every statement again and compare it with itself.
        Adopted, it raises nothing now, and a later correction of the page
        is a revision diffed against the corpus file.
        """
        if source.kind == "folder":
            return False
        address = cand.item.rstrip("/")
        entry = next((e for e in self.corpus() if e.source and e.source.rstrip("/") == address), None)
        if entry is None:
            return False
        with self.tx() as c:
            c.execute(
                "INSERT INTO watch_statements(fingerprint, item, source, series, version, title, date, retrieved, "
                "text, status, corpus_path, notified, adopted) VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, 'reported', ?, 1, 1)",
                (fp, cand.item, source.name, entry.series, statement.meta.title or cand.title, entry.date,
                 self.clock(), statement.text, str(entry.path)),
            )
            c.execute("UPDATE watch_sources SET statements = statements + 1 WHERE name = ?", (source.name,))
            self.save_validators(c, cand.item, *validators)
        log.info("already in the corpus as %s: %s (watched for corrections)", entry.path, cand.item)
        self.result.unchanged += 1
        return True

    # -- finishing: corpus, report, steps
    def corpus(self) -> list[CorpusEntry]:
        if self._corpus is None:
            self._corpus = scan_corpus(self.config.corpus)
        return self._corpus

    def finish_pending(self) -> None:
        rows = self.conn.execute("SELECT * FROM watch_statements WHERE status != 'reported' ORDER BY id").fetchall()
        for row in rows:
            st = StoredStatement.from_row(row)
            try:
                if st.status == "found":
                    st = self.store_in_corpus(st)
                self.report(st)
            except DriftlabError as exc:
                log.error("cannot finish %s: %s", st.item, exc)
                self.result.failures.append(f"{st.source}: {st.item}: {exc}")

    def store_in_corpus(self, st: StoredStatement) -> StoredStatement:
        from .report import write_report

        prev = None
        if st.revision_of is not None:
            prev = StoredStatement.from_row(
                self.conn.execute("SELECT * FROM watch_statements WHERE id = ?", (st.revision_of,)).fetchone())
        if prev is not None and prev.corpus_path:
            folder = Path(prev.corpus_path).parent
            # NAME.txt → NAME.r2.txt → NAME.r3.txt: never the name of the version before.
            name = re.sub(r"\.r\d+$", "", Path(prev.corpus_path).stem) + f".r{st.version}.txt"
        else:
            pred = find_predecessor(self.corpus(), st.series, st.date, st.retrieved, st.fingerprint)
            # Beside its predecessor, so a curated corpus keeps its folders.
            folder = pred.path.parent if pred is not None else self.config.corpus / _slug(st.series)
            name = f"{st.date}_{_slug(st.title)}.txt"
        path = folder / name
        existing = next((e for e in self.corpus() if e.path == path), None)
        if path.exists() and (existing is None or existing.fingerprint != st.fingerprint):
            path = folder / f"{path.stem}_{st.fingerprint[:8]}.txt"  # another statement has the name
        fields: dict[str, Any] = {"title": st.title, "date": st.date, "series": st.series, "source": st.item,
                                  "retrieved": st.retrieved, "fingerprint": st.fingerprint}
        if prev is not None and prev.corpus_path:
            fields.update(revision=st.version, supersedes=Path(prev.corpus_path).name)
        write_report(path, _front_matter(fields) + st.text + "\n")
        self._corpus = None  # rescanned on next use
        with self.tx() as c:
            c.execute("UPDATE watch_statements SET status = 'stored', corpus_path = ? WHERE id = ?", (str(path), st.id))
        log.info("stored %s", path)
        return replace(st, status="stored", corpus_path=str(path))

    def report(self, st: StoredStatement) -> None:
        from .pipeline import diff_documents, load_document, make_cache
        from .report import render_html, to_json, write_reports

        assert st.corpus_path
        new_path = Path(st.corpus_path)
        if st.revision_of is not None:
            old = self.conn.execute("SELECT corpus_path FROM watch_statements WHERE id = ?", (st.revision_of,)).fetchone()
            old_path = Path(old["corpus_path"]) if old and old["corpus_path"] else None
        else:
            pred = find_predecessor(self.corpus(), st.series, st.date, st.retrieved, st.fingerprint)
            old_path = pred.path if pred is not None else None
        html = js = None
        top: list[dict[str, Any]] = []
        if old_path is None:
            log.info("first statement of series %r: nothing to compare with", st.series)
        else:
            settings = self.config.settings
            if self.encoder is None:
                from .pipeline import make_encoder

                self.encoder = make_encoder(settings)
            result = diff_documents(load_document(old_path, settings), load_document(new_path, settings),
                                    self.encoder, settings, make_cache(settings))
            out = self.config.reports / _slug(st.series)
            html = out / f"{old_path.stem}_vs_{new_path.stem}.html"
            js = html.with_suffix(".json")
            write_reports([(html, render_html(result)), (js, to_json(result))])
            top = [{"rule": f.rule, "score": round(f.score, 3), "topics": list(f.topics),
                    "explanation": f.explanation, "id": f.id} for f in result.flags[: self.config.top_flags]]
            log.info("report written: %s (%d flags; top: %s)", html, len(result.flags),
                     ", ".join(f["rule"] for f in top) or "none")
        st = replace(st, predecessor=str(old_path) if old_path else None, report_html=str(html) if html else None,
                     report_json=str(js) if js else None, top_flags=tuple(top))
        for step in self.steps:
            try:
                step(st, self.config)
            except Exception as exc:  # a broken step must not hold the release back
                name = getattr(step, "__name__", repr(step))
                log.error("post-release step %s failed for %s: %s", name, st.corpus_path, exc)
                self.result.failures.append(f"post-release step {name}: {exc}")
        with self.tx() as c:
            c.execute("UPDATE watch_statements SET status = 'reported', predecessor = ?, report_html = ?, "
                      "report_json = ?, top_flags = ? WHERE id = ?",
                      (st.predecessor, st.report_html, st.report_json, json.dumps(top), st.id))
        self.result.reported.append(st.corpus_path)

    # -- index and notification
    def write_index(self) -> Path:
        from .report import write_report

        rows = self.conn.execute("SELECT * FROM watch_statements WHERE status = 'reported' AND adopted = 0 "
                                 "ORDER BY retrieved DESC, id DESC LIMIT ?", (self.config.recent,)).fetchall()
        alarms = self.conn.execute("SELECT * FROM watch_alarms WHERE resolved = 0 ORDER BY id DESC LIMIT 20").fetchall()
        path = self.config.reports / "index.html"
        write_report(path, render_index([StoredStatement.from_row(r) for r in rows],
                                        [dict(a) for a in alarms], self.config.reports, self.clock()))
        return path

    def notify(self, index: Path) -> None:
        if not (self.config.webhook or self.config.command):
            return
        rows = [StoredStatement.from_row(r) for r in self.conn.execute(
            "SELECT * FROM watch_statements WHERE status = 'reported' AND notified = 0 ORDER BY id")]
        alarms = [dict(a) for a in self.conn.execute("SELECT * FROM watch_alarms WHERE notified = 0 ORDER BY id")]
        if not rows and not alarms:
            return
        payload = summary_payload(rows, alarms, index, self.clock())
        try:
            if self.config.webhook:
                code = self.fetcher.post_json(self.config.webhook, payload, self.config.notify_timeout)
                log.info("webhook %s answered %d", self.config.webhook, code)
            if self.config.command:
                _run_command(self.config.command, payload, self.config.notify_timeout)
        except (FetchError, WatchError) as exc:
            # Not marked notified: the next run sends it again (at least once).
            log.error("notification failed: %s", exc)
            self.result.failures.append(f"notify: {exc}")
            return
        with self.tx() as c:
            c.executemany("UPDATE watch_statements SET notified = 1 WHERE id = ?", [(r.id,) for r in rows])
            c.executemany("UPDATE watch_alarms SET notified = 1 WHERE id = ?", [(a["id"],) for a in alarms])
        self.result.notified = True


def _run_command(argv: Sequence[str], payload: Mapping[str, Any], timeout: float) -> None:
    try:
        proc = subprocess.run(list(argv), input=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
                              capture_output=True, timeout=timeout, check=False)
    except FileNotFoundError:
        raise WatchError(f"notify command not found: {argv[0]}") from None
    except subprocess.TimeoutExpired:
        raise WatchError(f"notify command {argv[0]} took more than {timeout:g} s") from None
    if proc.returncode != 0:
        err = " ".join(proc.stderr.decode("utf-8", "replace").split())[:200]
        raise WatchError(f"notify command {argv[0]} exited with {proc.returncode}: {err}")
    log.info("notify command %s ran", argv[0])


def summary_payload(rows: Sequence[StoredStatement], alarms: Sequence[Mapping[str, Any]], index: Path,
                    generated: str) -> dict[str, Any]:
    """The JSON a webhook receives (and a notify command reads on stdin)."""
    return {
        "event": "driftlab.watch",
        "generated": generated,
        "index": str(index),
        "releases": [
            {
                "title": r.title,
                "date": r.date,
                "series": r.series,
                "source": r.item,
                "revision": r.version > 1,
                "version": r.version,
                "statement": r.corpus_path,
                "predecessor": r.predecessor,
                "report_html": r.report_html,
                "report_json": r.report_json,
                "top_flags": list(r.top_flags),
            }
            for r in rows
        ],
        "alarms": [{k: a[k] for k in ("source", "item", "kind", "message", "created")} for a in alarms],
    }


def render_index(rows: Sequence[StoredStatement], alarms: Sequence[Mapping[str, Any]], reports: Path,
                 generated: str) -> str:
    """The index page: recent releases with their top flags, open alarms."""
    from .report import _environment, _http_href

    def rel(p: str | None) -> str:
        return os.path.relpath(p, reports) if p else ""

    releases = [
        {"title": r.title, "date": r.date, "series": r.series, "source": r.item, "version": r.version,
         "report": rel(r.report_html), "json": rel(r.report_json), "statement": rel(r.corpus_path),
         "predecessor": Path(r.predecessor).name if r.predecessor else "", "flags": r.top_flags,
         "retrieved": r.retrieved, "source_href": _http_href(r.item)}
        for r in rows
    ]
    template = _environment().get_template("watch_index.html.j2")
    return template.render(releases=releases, alarms=alarms, generated=generated, version=__version__)


# ------------------------------------------------------------ entry points --


def run_once(config: WatchConfig, *, encoder: Any = None, transport: Any = None,
             clock: Callable[[], str] = _now, sleep: Callable[[float], None] = time.sleep,
             post_release_steps: Sequence[PostReleaseStep] | None = None) -> RunResult:
    """One check of every source, under the lock; see the module docstring.

    ``encoder`` (default: the configured model, loaded only when a report is
    due), ``transport`` (an httpx transport), ``clock`` and ``sleep`` are
    injectable for tests. Raises :class:`WatchBusy` when another run holds
    the lock; a failing source is logged and counted, never raised.
    """
    steps = POST_RELEASE_STEPS if post_release_steps is None else post_release_steps
    with watch_lock(config.lock_path):
        conn = connect(config.store)
        try:
            with Fetcher(config, transport=transport, sleep=sleep) as fetcher:
                run = _Run(config, conn, fetcher, encoder, clock, steps)
                # Finish what a killed run left first, so its statements are
                # the predecessors of anything found now.
                run.finish_pending()
                for source in config.sources:
                    run.check_source(source)
                run.finish_pending()
                index = run.write_index()
                run.notify(index)
        except sqlite3.Error as exc:
            # Everything committed so far stands; the next run goes on from there.
            raise WatchError(f"store {config.store}: {exc}") from None
        finally:
            conn.close()
    r = run.result
    log.info("checked %d page(s)/file(s): %d new, %d revision(s), %d unchanged, %d report(s), %d failure(s), %d alarm(s)",
             r.checked, r.new, r.revisions, r.unchanged, len(r.reported), len(r.failures), len(r.alarms))
    return r


def run_loop(config: WatchConfig, *, interval: float | None = None, iterations: int | None = None,
             sleep: Callable[[float], None] = time.sleep, **kwargs: Any) -> list[RunResult]:
    """Run :func:`run_once` every ``interval`` seconds (``iterations`` times, or for ever).

    A run that finds the lock held is skipped, not fatal: a cron run may be
    at work.
    """
    every = config.interval if interval is None else interval
    if kwargs.get("encoder") is None:
        from .pipeline import make_encoder

        # One encoder for every round: the model loads once, when first needed.
        kwargs["encoder"] = make_encoder(config.settings)
    results = []
    n = 0
    while iterations is None or n < iterations:
        try:
            results.append(run_once(config, sleep=sleep, **kwargs))
        except WatchBusy as exc:
            log.warning("%s; skipping this round", exc)
        n += 1
        if iterations is None or n < iterations:
            sleep(every)
    return results


assert sorted(_OPTION_DEFAULTS) == sorted(f for f in WatchConfig.__dataclass_fields__), "WATCH_OPTIONS and WatchConfig disagree"
