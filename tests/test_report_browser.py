"""The HTML report in a real browser: headless Chromium (Debian's), driven by Playwright.

What an analyst sees at 1,440, 1,024 and 390 px wide and on paper: the top
changes on the first screen, no column squeezed below 12 characters, a page
not many times taller than its side-by-side, links landing below the sticky
bar, filters reaching the side-by-side, j / k between changes, a print of a
sane number of pages, and no axe-core accessibility violation.

The browser is never downloaded: Playwright drives /usr/bin/chromium
(scripts/install.sh installs it). Without it these tests skip.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from driftlab import report

from .conftest import SEED, SHARED_CORPUS
from .test_report import build_result

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
WIDTHS = (1440, 1024, 390)
LIMA = "trilateral_rok_us_japan/2024-11-15_lima_trilateral_leaders_joint_statement.txt"
#: Where screenshots go when DRIFTLAB_SCREENSHOTS names a directory (for a human to look at).
SHOTS = os.environ.get("DRIFTLAB_SCREENSHOTS", "")

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is not installed (scripts/install.sh installs Debian's chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def real_report(real_encoder, tmp_path_factory) -> Path:
    """The seed → Lima report: the pair the issue was written on."""
    from driftlab.pipeline import diff_files
    from driftlab.settings import Settings

    new = SHARED_CORPUS / LIMA
    if not SEED.exists() or not new.exists():
        pytest.skip("real statements not available (../shared is absent)")
    tmp = tmp_path_factory.mktemp("browser")
    result = diff_files(SEED, new, Settings(cache_dir=str(tmp / "cache")), real_encoder)
    path = tmp / "seed_vs_lima.html"
    path.write_text(report.render_html(result), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def small_report(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("small") / "small.html"
    path.write_text(report.render_html(build_result()), encoding="utf-8")
    return path


def _open(browser, path: Path, width: int, height: int = 900):
    page = browser.new_page(viewport={"width": width, "height": height})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, errors


def _shot(page, name: str, full: bool = False) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=full)


# Cells holding more than 12 characters that are narrower than 12 characters
# of their own font: the "one character per line" column of the old report.
_NARROW_CELLS = """() => {
  const canvas = document.createElement("canvas").getContext("2d");
  const out = [];
  for (const el of document.querySelectorAll("td, th")) {
    const text = el.innerText.trim();
    if (text.length <= 12 || el.offsetParent === null) continue;
    const cs = getComputedStyle(el);
    canvas.font = cs.font;
    const need = canvas.measureText("000000000000").width;
    const inner = el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
    if (inner + 0.5 < need) out.push([el.className || el.tagName, Math.round(inner), Math.round(need), text.slice(0, 40)]);
  }
  return out;
}"""


@pytest.mark.real_model
@pytest.mark.shared
@pytest.mark.parametrize("width", WIDTHS)
def test_layout_at_width(browser, real_report, width):
    page, errors = _open(browser, real_report, width)
    _shot(page, f"first_screen_{width}")
    # The first screen is the top changes, not metadata.
    in_view = page.evaluate("""() => [...document.querySelectorAll('#changes > ol > li.change')]
        .filter(li => { const r = li.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }).length""")
    if width == 1440:
        assert in_view >= 10, f"only {in_view} changes on the first screen at 1440×900"
    else:
        assert in_view >= 1
    # Everything that can be opened is opened before columns are measured.
    page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
    narrow = page.evaluate(_NARROW_CELLS)
    assert narrow == [], f"columns narrower than 12 characters at {width}px: {narrow[:5]}"
    page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = false)")
    # The page is not many times taller than its side-by-side.
    total, aligned = page.evaluate("""() => [document.documentElement.scrollHeight,
        document.getElementById('aligned').getBoundingClientRect().height]""")
    assert total <= 2.0 * aligned, f"page {total}px for a side-by-side of {aligned}px at {width}px"
    # No sideways scrolling: nothing is wider than the window.
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= width, f"page is {wide}px wide in a {width}px window"
    assert errors == []
    page.close()


@pytest.mark.real_model
@pytest.mark.shared
@pytest.mark.parametrize("width", WIDTHS)
def test_links_land_below_the_sticky_bar(browser, real_report, width):
    page, _ = _open(browser, real_report, width)
    bar_bottom = page.evaluate("() => document.querySelector('.bar').getBoundingClientRect().bottom")
    links = page.locator("#changes li.change a.go")
    assert links.count() >= 3
    for i in range(3):
        href = links.nth(i).get_attribute("href")
        links.nth(i).click()
        page.wait_for_timeout(50)
        top = page.evaluate(f"() => document.getElementById({href[1:]!r}).getBoundingClientRect().top")
        bar_bottom = page.evaluate("() => document.querySelector('.bar').getBoundingClientRect().bottom")
        assert top >= bar_bottom - 1, f"{href} lands under the sticky bar ({top} < {bar_bottom}) at {width}px"
    _shot(page, f"after_link_{width}")
    page.close()


@pytest.mark.real_model
@pytest.mark.shared
def test_filters_reach_the_side_by_side_and_labels_are_words(browser, real_report):
    page, errors = _open(browser, real_report, 1440)
    topic = page.evaluate("() => document.querySelector('#changes li.change').getAttribute('data-topics').split(';')[0]")
    assert topic
    page.select_option("#topic-filter", topic)
    rows = page.evaluate("""() => [...document.querySelectorAll('table.aligned tr.link')]
        .map(r => [r.hidden, (r.getAttribute('data-topics') || '').split(';')])""")
    shown = [t for hidden, t in rows if not hidden]
    assert shown and all(topic in t for t in shown)
    assert any(hidden for hidden, _ in rows), "the topic filter hid nothing in the side-by-side"
    changes = page.evaluate("""() => [...document.querySelectorAll('li.change')]
        .filter(li => !li.hidden).map(li => li.getAttribute('data-topics').split(';'))""")
    assert changes and all(topic in t for t in changes)
    page.select_option("#topic-filter", "")
    # Topic and rule names read as words: no raw ids ("dprk_russia", "intensity_shift").
    labels = page.evaluate("""() => [...document.querySelectorAll(
        '.chip, table.topic-table th[scope=row], #topic-filter option, #rule-filter option, ul.topics li'
        )].map(e => e.textContent)""")
    assert labels
    assert not [x for x in labels if "_" in x], [x for x in labels if "_" in x][:5]
    assert errors == []
    page.close()


@pytest.mark.real_model
@pytest.mark.shared
def test_hide_unchanged_hides_something_or_is_absent(browser, real_report):
    page, _ = _open(browser, real_report, 1440)
    box = page.locator("#hide-unchanged")
    if box.count() == 0:
        carried = page.evaluate("() => document.querySelectorAll('tr.t-unchanged, tr.t-moved').length")
        assert carried == 0
    else:
        before = page.evaluate("() => [...document.querySelectorAll('table.aligned tr.link')].filter(r => r.offsetParent !== null).length")
        box.check()
        after = page.evaluate("() => [...document.querySelectorAll('table.aligned tr.link')].filter(r => r.offsetParent !== null).length")
        assert after < before
    page.close()


@pytest.mark.real_model
@pytest.mark.shared
def test_j_and_k_step_through_the_changes(browser, real_report):
    page, errors = _open(browser, real_report, 1024)
    page.keyboard.press("j")
    first = page.evaluate("() => document.querySelector('tr.link.current').id")
    page.keyboard.press("j")
    second = page.evaluate("() => document.querySelector('tr.link.current').id")
    assert first != second
    top = page.evaluate("() => document.querySelector('tr.link.current').getBoundingClientRect().top")
    assert 0 <= top < 900
    page.keyboard.press("k")
    assert page.evaluate("() => document.querySelector('tr.link.current').id") == first
    assert page.evaluate("() => document.querySelectorAll('.current').length") == 1
    assert errors == []
    page.close()


@pytest.mark.real_model
@pytest.mark.shared
def test_print_is_the_top_changes_and_the_redline_in_few_pages(browser, real_report, tmp_path):
    page, _ = _open(browser, real_report, 1024)
    pdf = page.pdf(format="A4", print_background=True)
    pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))
    if SHOTS:
        (Path(SHOTS) / "seed_vs_lima.pdf").write_bytes(pdf)
    assert 1 <= pages <= 25, f"{pages} printed pages"
    page.emulate_media(media="print")
    visible = page.evaluate("""() => ['#changes', '#aligned', '#rule-hits', '#topics', '.bar']
        .map(s => { const e = document.querySelector(s); return e && e.offsetParent !== null; })""")
    assert visible[:2] == [True, True] and not any(visible[2:])
    page.close()


@pytest.mark.parametrize("width", (1440, 390))
def test_no_accessibility_violations(browser, small_report, width):
    from axe_playwright_python.sync_playwright import Axe

    page, _ = _open(browser, small_report, width)
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    page.close()


@pytest.mark.real_model
@pytest.mark.shared
def test_no_accessibility_violations_on_a_real_report(browser, real_report):
    from axe_playwright_python.sync_playwright import Axe

    page, _ = _open(browser, real_report, 1440)
    page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    page.close()
