"""End to end in real headless Chromium (Debian's ``chromium``, driven by Playwright).

``driftlab serve`` is started as a process on 127.0.0.1 with a free port; the
browser opens a pair, dismisses one flag with the keyboard and confirms
another with a note, reloads (decisions shown), the diff is re-run (decisions
still attached to the new run) and the decisions are exported as CSV.
Playwright's own browser download is never used: ``executable_path`` points
at the system chromium, and the test skips with a reason when either is absent.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from driftlab.store import Store, pair_key

from .conftest import shared_file
from .test_store import run, write_pair

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(store_path: Path):
    """``driftlab serve`` in a child process; yields its base URL."""
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "driftlab", "serve", "--store", str(store_path), "--port",
                             str(port)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"driftlab serve did not start: {proc.stderr.read()}") from None
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:  # pragma: no cover
            proc.kill()
            proc.wait()
        proc.stderr.close()


@contextmanager
def browser_page():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (PyPI) is not installed")
    if not os.path.exists(CHROMIUM) and not shutil.which("chromium"):
        pytest.skip("Debian chromium is not installed (scripts/install.sh installs it)")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium"),
                                    args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(accept_downloads=True)
            page = context.new_page()
            page.set_default_timeout(20_000)
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            yield page, errors
        finally:
            browser.close()


def _state(page, flag_id: str) -> str:
    return page.inner_text(f"#flag-{flag_id} .state .badge")


def review_session(page, errors, base: str, pid: str, flags, rerun, tmp_path: Path) -> list[dict]:
    """The analyst's session; ``rerun()`` re-runs the diff into the store. Returns the exported CSV rows."""
    dismissed, confirmed = flags[0], flags[1]
    page.goto(base + "/")
    page.click(f"a.pair[href='/pair/{pid}']")
    page.wait_for_url(f"{base}/pair/{pid}")
    assert page.locator("article.flag").count() == len(flags)
    page.fill("#reviewer", "Ann Analyst")
    page.keyboard.press("Escape")  # leave the name field: keys now drive the list
    # j: first flag; d: dismiss it (the keyboard shortcut submits its form).
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.id") == f"flag-{dismissed}"
    with page.expect_navigation():
        page.keyboard.press("d")
    # The server sends the browser back to the flag it just decided.
    assert page.url.endswith(f"#flag-{dismissed}")
    assert page.evaluate("document.activeElement.id") == f"flag-{dismissed}"
    # Confirm the second flag with a note, by mouse.
    page.fill(f"#flag-{confirmed} textarea[name=note]", "Real escalation <b>check</b>")
    with page.expect_navigation():
        page.click(f"#flag-{confirmed} button[value=confirm]")

    page.reload()
    assert _state(page, dismissed) == "dismissed"
    assert _state(page, confirmed) == "confirmed"
    assert page.inner_text(f"#flag-{confirmed} .note q") == "Real escalation <b>check</b>"
    assert page.input_value("#reviewer") == "Ann Analyst"  # remembered by the browser
    assert page.locator("article.flag .state .badge", has_text="undecided").count() == len(flags) - 2
    run_before = page.inner_text("main > p.muted")

    rerun()
    page.reload()
    assert page.inner_text("main > p.muted") != run_before  # a newer run is shown…
    assert _state(page, dismissed) == "dismissed"  # …with the decisions still attached
    assert _state(page, confirmed) == "confirmed"
    # The undecided filter hides both.
    page.select_option("#f-show", "undecided")
    with page.expect_navigation():
        page.click("#filters button[type=submit]")
    shown = page.eval_on_selector_all("article.flag", "els => els.map(e => e.dataset.flag)")
    assert dismissed not in shown and confirmed not in shown and len(shown) == len(flags) - 2

    with page.expect_download() as dl:
        page.click("#export-csv")
    target = tmp_path / "decisions.csv"
    dl.value.save_as(target)
    assert errors == [], errors  # nothing blocked by the CSP, no script error
    return list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))


def test_review_in_chromium_fast_encoder(tmp_path):
    old, new = write_pair(tmp_path / "pair")
    store_path = tmp_path / "review.sqlite"
    with Store(store_path) as store:
        result = run(store, old, new)
        store.record_run(result)
    pid = pair_key(result.old.statement, result.new.statement)
    flags = [f.id for f in result.flags]

    def rerun() -> None:
        with Store(store_path) as s:
            s.record_run(run(s, old, new))

    with browser_page() as (page, errors), serving(store_path) as base:
        rows = review_session(page, errors, base, pid, flags, rerun, tmp_path)
    assert [(r["object_id"], r["decision"], r["reviewer"], r["note"], r["orphaned"]) for r in rows] == [
        (flags[0], "dismiss", "Ann Analyst", "", "0"),
        (flags[1], "confirm", "Ann Analyst", "Real escalation <b>check</b>", "0")]


@pytest.mark.real_model
@pytest.mark.shared
def test_review_in_chromium_real_pair_through_the_cli(tmp_path):
    """The same session on a real pair, every diff made by ``driftlab diff --store``
    with the real model; the static report then shows the decisions."""
    old = shared_file("aukus/2021-09-15_aukus_joint_leaders_statement.txt")
    new = shared_file("aukus/2022-09-23_aukus_joint_leaders_statement_one_year.txt")
    store_path = tmp_path / "review.sqlite"
    report = tmp_path / "report.html"

    notes: list[str] = []

    def diff() -> None:
        done = subprocess.run([sys.executable, "-m", "driftlab", "diff", str(old), str(new), "-o", str(report),
                               "--json", str(tmp_path / "report.json"), "--store", str(store_path), "--cache-dir",
                               str(tmp_path / "cache")], cwd=ROOT, check=True, timeout=600,
                              capture_output=True, text=True)
        notes.append(done.stderr.splitlines()[-1])

    diff()
    with Store(store_path) as store:
        (p,) = store.pairs()
        flags = [f["id"] for f in json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))["flags"]]
    assert len(flags) >= 3
    with browser_page() as (page, errors), serving(store_path) as base:
        rows = review_session(page, errors, base, p["id"], flags, diff, tmp_path)
    assert {(r["object_id"], r["decision"]) for r in rows} == {(flags[0], "dismiss"), (flags[1], "confirm")}
    assert notes == [f"review store {store_path}: run 1 recorded; 0 of {len(flags)} flags already decided",
                     f"review store {store_path}: run 2 recorded; 2 of {len(flags)} flags already decided"]
    # The static report of the re-run shows both decisions next to their flags.
    html = BeautifulSoup(report.read_text(encoding="utf-8"), "html.parser")
    assert html.select_one(f"#flag-{flags[0]} .decision.badge").get_text() == "dismissed"
    assert html.select_one(f"#flag-{flags[1]} .decision.badge").get_text() == "confirmed"
    assert html.select_one(f"#flag-{flags[1]} q.decision").get_text() == "Real escalation <b>check</b>"
