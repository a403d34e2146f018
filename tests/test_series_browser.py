"""The series report in real headless Chromium: plots drawn and visible,
tables readable, on a 1,024 px screen and on a 390 px phone, no CSP errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from driftlab import pipeline
from driftlab.cli import cli
from driftlab.embed import HashingEncoder

from .test_series import A, B1, B2, B3, C, D, E, _write

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (PyPI) is not installed")
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing: scripts/install.sh installs Debian's chromium")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("series-browser")
    folder = tmp / "leaders"
    rows = [[A, B1, C], [A, B2, D], [A, B3, C, E], [B3, A, E, D], [A, B3, C], [A, B2, E, C]]
    for year, paras in zip(range(2019, 2025), rows):
        _write(folder, f"{year}.txt", f"{year}-05-01", paras)
    out = tmp / "series.html"
    mp = pytest.MonkeyPatch()
    mp.setattr(pipeline, "make_encoder", lambda *a, **k: HashingEncoder())
    try:
        r = CliRunner().invoke(cli, ["series", str(folder), "-o", str(out), "-q", "--cache-dir", str(tmp / "c")])
    finally:
        mp.undo()
    assert r.exit_code == 0, r.output
    return out


@pytest.mark.parametrize("width,height", [(1440, 900), (1024, 768), (390, 844)])
def test_plots_visible_and_tables_readable(browser, report, width, height):
    page = browser.new_page(viewport={"width": width, "height": height})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(report.as_uri())
    plots = page.locator("svg.plot")
    assert plots.count() == 2
    for k in range(2):
        box = plots.nth(k).bounding_box()
        # Drawn at a size whose labels can be read (a phone scrolls the plot
        # in its own box), inside a box that stays within the page.
        assert box["width"] >= min(600, width) and box["height"] > 100
        frame = plots.nth(k).locator("xpath=..").bounding_box()
        assert frame["x"] >= 0 and frame["x"] + frame["width"] <= width + 1
        # Marks drawn (lines, markers, the heat map's raster) and labelled.
        assert plots.nth(k).locator("path, image, use").count() > 5
        assert plots.nth(k).locator("text").count() > 5
        # Every label inside the plot's own box: the margins are computed
        # from the labels' lengths, not found by drawing the figure twice.
        clipped = plots.nth(k).evaluate("""s => { const r = s.getBoundingClientRect(); const out = [];
            for (const t of s.querySelectorAll('text')) { const q = t.getBoundingClientRect();
              if (q.left < r.left - 1 || q.right > r.right + 1 || q.top < r.top - 1 || q.bottom > r.bottom + 1)
                out.push(t.textContent.trim()); }
            return out; }""")
        assert clipped == [], clipped
    heat = plots.nth(0).locator("image")
    assert heat.count() == 1 and heat.bounding_box()["width"] > 100
    # The page itself never scrolls sideways; wide tables scroll in their own box.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    for sel in ("table.statements", "table.timeline", "table.lineage", "table.terms-emerging"):
        table = page.locator(sel)
        assert table.count() == 1 and table.is_visible(), sel
        wrapper = table.locator("xpath=..").bounding_box()
        assert wrapper["x"] >= 0 and wrapper["x"] + wrapper["width"] <= width + 1, sel
        size = table.evaluate("t => parseFloat(getComputedStyle(t.querySelector('td')).fontSize)")
        assert size >= 12, sel
    passage = page.locator("table.lineage td.text").first
    passage.scroll_into_view_if_needed()
    box = passage.bounding_box()
    assert box["width"] >= 150  # a passage column a reader can read, even on a phone
    assert "free and open Indo-Pacific" in passage.inner_text()
    assert problems == []
    if os.environ.get("DRIFTLAB_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["DRIFTLAB_SCREENSHOTS"], f"series_{width}.png"), full_page=True)
    page.close()
