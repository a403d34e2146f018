"""What the flag table and the CSV show for each flag, cell by cell: where
the flag sits, its ids, its evidence. Added after mutation testing
(bench/mutation.py) found these cells unchecked: a renamed column, an
unsorted or ASCII-escaped evidence cell or a wrong "where" went unnoticed.
Real flags from the pipeline (small encoder), placed by hand where a case
needs it."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace

from bs4 import BeautifulSoup

from driftlab import report

from .test_mutants import ADDED_DROPPED, run


def _with_flags(result, flags):
    return replace(result, flags=tuple(flags))


def _where_cells(result) -> dict[str, tuple[str, str]]:
    """flag id → (text of its "where" cell, the cell's link target or "")."""
    soup = BeautifulSoup(report.render_html(result), "html.parser")
    out = {}
    for f in result.flags:
        row = soup.find(id=f"flag-{f.id}")
        cell = row.select("td")[-1]
        a = cell.find("a")
        out[f.id] = (cell.get_text(), a["href"] if a else "")
    return out


def test_where_cell_names_each_side_from_one(tmp_path):
    result = run(tmp_path, *ADDED_DROPPED)
    base = result.flags[0]
    placed = [
        replace(base, id="a" * 12, old=(1,), new=(1,)),
        replace(base, id="b" * 12, old=(0, 1), new=()),
        replace(base, id="c" * 12, old=(), new=(0, 2)),
        replace(base, id="d" * 12, old=(), new=(), link_id=""),
    ]
    cells = _where_cells(_with_flags(result, placed))
    assert cells["a" * 12][0] == "old ¶2 → new ¶2"
    assert cells["b" * 12][0] == "old ¶1, ¶2"
    assert cells["c" * 12][0] == "new ¶1, ¶3"
    # A flag tied to no passage (a statement-level fact) has no place and no link.
    assert cells["d" * 12] == ("—", "")


def test_where_cell_links_to_the_passage(tmp_path):
    result = run(tmp_path, *ADDED_DROPPED)
    base = replace(result.flags[0], link_id="")
    placed = [replace(base, id="e" * 12, old=(1,), new=()), replace(base, id="f" * 12, old=(1,), new=(2,))]
    cells = _where_cells(_with_flags(result, placed))
    assert cells["e" * 12] == ("old ¶2", "#old-p1")
    assert cells["f" * 12] == ("old ¶2 → new ¶3", "#new-p2")  # the new side is what the reader came for


def test_csv_cells_carry_ids_and_the_evidence_as_sorted_json(tmp_path):
    result = run(tmp_path, *ADDED_DROPPED)
    first = replace(result.flags[0], evidence={"zeta": "“quoted” ¶", "alpha": (1, 2), "mid": 0.123456789})
    result = _with_flags(result, (first,) + result.flags[1:])
    rows = list(csv.DictReader(io.StringIO(report.to_csv(result))))
    assert [r["id"] for r in rows] == [f.id for f in result.flags]
    assert [r["link_id"] for r in rows] == [f.link_id for f in result.flags]
    assert [int(r["rank"]) for r in rows] == list(range(1, len(rows) + 1))
    # One JSON cell, keys sorted, non-ASCII kept as written, values cleaned like the JSON report.
    assert rows[0]["evidence"] == '{"alpha": [1, 2], "mid": 0.1235, "zeta": "“quoted” ¶"}'
    for r, f in zip(rows, result.flags):
        assert json.loads(r["evidence"]).keys() == {str(k) for k in f.evidence}


def test_csp_hashes_are_those_of_the_inline_style_and_script(tmp_path):
    # Computed here from the page itself: a wrong hash makes a browser drop
    # the report's styles and filters.
    import base64
    import hashlib

    soup = BeautifulSoup(report.render_html(run(tmp_path, *ADDED_DROPPED)), "html.parser")
    csp = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})["content"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
    for tag, directive in (("style", "style-src"), ("script", "script-src")):
        (element,) = soup.find_all(tag)
        digest = base64.b64encode(hashlib.sha256(element.string.encode("utf-8")).digest()).decode("ascii")
        assert directives[directive] == f"'sha256-{digest}'"


def test_only_well_formed_http_sources_become_links(tmp_path):
    sources = {
        "https://[::1": False,  # urlsplit refuses it (unbalanced bracket)
        "javascript://%0aalert(1)": False,
        "http:/no-host": False,
        "https://example.org/a?b=1": True,
    }
    for source, linked in sources.items():
        result = run(tmp_path, *ADDED_DROPPED, old_meta=f'source: "{source}"')
        soup = BeautifulSoup(report.render_html(result), "html.parser")
        links = [a["href"] for a in soup.find_all("a") if not a["href"].startswith("#")]
        assert links == ([source] if linked else []), (source, links)
        assert source in soup.get_text()
