"""What one ``driftlab watch --once`` costs: a new release, then nothing new.

The trilateral leaders' series from ../shared/corpus goes into a temporary
corpus without its latest statement (2024-11-15, Lima); that statement is
published as a cluttered HTML page in an RSS feed on a loopback
``http.server`` (which answers If-Modified-Since with 304). Then, each in a
fresh subprocess so imports and peak memory are counted:

1. **new release**: the CLI finds the page, stores it, compares it with its
   predecessor with the real model (cold embedding cache) and writes the
   report and index — exit code 10;
2. **nothing new**: the same again: the feed and page answer 304, no model
   is loaded and torch is never imported — exit code 0.

Usage::

    .venv/bin/python bench/watch_cycle.py
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SERIES_DIR = ROOT.parent / "shared" / "corpus" / "trilateral_rok_us_japan"
LATEST = "2024-11-15_lima_trilateral_leaders_joint_statement.txt"
sys.path.insert(0, str(ROOT))

from driftlab.ingest import load_statement  # noqa: E402
from tests.test_watch import render_feed, render_page  # noqa: E402


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _child(cli: list[str], cwd: Path) -> tuple[float, int, float]:
    """Wall seconds, exit code, peak RSS in MB of one CLI run."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cli, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    return time.perf_counter() - t0, os.waitstatus_to_exitcode(status), usage.ru_maxrss / 1024


def main() -> None:
    if not SERIES_DIR.is_dir():
        sys.exit(f"needs ../shared/corpus: {SERIES_DIR} is absent")
    with tempfile.TemporaryDirectory(prefix="driftlab-watch-bench-") as tmp:
        work = Path(tmp)
        corpus = work / "corpus" / "trilateral"
        corpus.mkdir(parents=True)
        for f in sorted(SERIES_DIR.glob("*.txt")):
            if f.name != LATEST:
                shutil.copy(f, corpus / f.name)
        lima = load_statement(SERIES_DIR / LATEST)
        site = work / "site"
        (site / "news").mkdir(parents=True)
        handler = functools.partial(_Quiet, directory=str(site))
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        base = f"http://127.0.0.1:{httpd.server_address[1]}"
        (site / "news" / "lima.html").write_text(
            render_page(lima.meta.title, lima.meta.date, lima.text.split("\n\n")), encoding="utf-8")
        (site / "feed.xml").write_text(
            render_feed(base, [(lima.meta.title, lima.meta.date, "/news/lima.html")]), encoding="utf-8")
        (work / "watch.yaml").write_text(yaml.safe_dump({
            "corpus": "corpus", "reports": "reports", "store": "state.sqlite", "trust_env": False,
            "sources": [{"name": "feed", "kind": "feed", "url": f"{base}/feed.xml", "series": lima.meta.series}],
        }), encoding="utf-8")
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        env_cache = {"DRIFTLAB_CACHE": str(work / "cache")}
        os.environ.update(env_cache)
        cli = [str(ROOT / ".venv" / "bin" / "driftlab"), "watch", "watch.yaml", "--once", "--quiet"]
        try:
            for label in ("new release", "nothing new"):
                secs, code, rss = _child(cli, work)
                print(f"{label:12s}  {secs:6.2f} s  exit {code:2d}  peak RSS {rss:6.0f} MB")
        finally:
            httpd.shutdown()
            httpd.server_close()


if __name__ == "__main__":
    main()
