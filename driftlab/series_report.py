"""Series report: a :class:`~driftlab.series.SeriesReport` as JSON, tables and HTML.

* :func:`series_dict` / :func:`series_json` — everything the page shows, as
  data (statements, topic timeline, lineage, terms with first and last
  appearance, drift), deterministic like the diff report's JSON.
* :func:`series_tables` — the same as pandas tables; :func:`write_tables`
  writes them as CSV, and as Parquet when asked (pyarrow, optional).
* :func:`render_series_html` — one self-contained page. The plots are SVG
  drawn by matplotlib (Agg backend, imported only here, only when a page is
  rendered) and embedded inline; no external assets, no script. SVG output
  is made reproducible (fixed hash salt, no date), so the same series gives
  byte-identical pages.
"""

from __future__ import annotations

import functools
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

from .errors import OutputError
from .report import _clean, dumps
from .series import SeriesReport, entry_dict
from .types import content_id

#: Paragraph and statement indices are 0-based in JSON and tables, 1-based on the page.

STATUS_TEXT = {
    "new": "new ever",
    "carried": "carried over",
    "changed": "changed",
    "returning": "returning after an absence",
}


def step_file_name(rep: SeriesReport, k: int) -> str:
    """File name of step ``k``'s pairwise report (statement k → k+1)."""
    a, b = rep.series.entries[k], rep.series.entries[k + 1]
    return f"{k + 1:02d}_{Path(a.path).stem}_vs_{Path(b.path).stem}.html"


def series_dict(rep: SeriesReport, step_dir: str = "") -> dict[str, Any]:
    from . import __version__

    docs = rep.series.documents
    entries = rep.series.entries
    statements = []
    for i, e in enumerate(entries):
        d = entry_dict(e)
        d["index"] = i
        d["paragraphs"] = len(docs[i].paragraphs)
        d["step_report"] = f"{step_dir}/{step_file_name(rep, i - 1)}" if step_dir and i > 0 else ""
        statements.append(d)
    lineage = []
    latest = docs[-1]
    for pl in rep.lineage:
        lineage.append({
            "paragraph": pl.paragraph,
            "status": pl.status,
            "absent_for": pl.absent_for,
            "origin": pl.origin,
            "origin_date": entries[pl.origin].date,
            "text": latest.paragraphs[pl.paragraph].text,
            "ancestors": [{
                "statement": a.statement, "date": entries[a.statement].date, "paragraphs": list(a.paragraphs),
                "link_type": a.link_type,
                "sentence_links": [[list(o), list(n)] for o, n in a.sentence_links],
            } for a in pl.ancestors],
            "key_phrases": [{
                "phrase": k.text, "folded": k.phrase, "first_seen": entries[k.first_seen].date,
                "first_statement": k.first_seen, "statements": k.statements,
            } for k in pl.key_phrases],
        })
    return _clean({
        "driftlab_version": __version__,
        "series": rep.series.name,
        "notes": list(rep.notes),
        "run": dict(rep.run),
        "statements": statements,
        "topics": [{"id": t, "name": n} for t, n in rep.topics],
        "timeline": [{
            "statement": c.statement, "date": entries[c.statement].date, "topic": c.topic, "present": c.present,
            "share": c.share, "meaning_share": c.meaning_share, "paragraphs": c.paragraphs,
            "strongest": dict(c.strongest) if c.strongest else None, "terms": list(c.terms),
        } for c in rep.timeline],
        "lineage": lineage,
        "terms": [{
            "term": t.term, "trend": t.trend, "count": t.count, "statements": t.statements,
            "first_seen": entries[t.first_seen].date, "last_seen": entries[t.last_seen].date,
            "first_statement": t.first_seen, "last_statement": t.last_seen,
            "series_ll": t.series_ll, "per_step": list(t.per_step),
        } for t in rep.terms],
        "step_terms": [{
            "step": s.step, "date": entries[s.step].date,
            "rising": [{"term": t, "ll": v} for t, v in s.rising],
            "falling": [{"term": t, "ll": v} for t, v in s.falling],
        } for s in rep.step_terms],
        "drift": [{
            "step": c.step, "date": entries[c.step].date, "topic": c.topic, "drift": c.drift,
            "changed_chars": c.changed_chars, "total_chars": c.total_chars,
        } for c in rep.drift],
    })


def series_json(rep: SeriesReport, step_dir: str = "") -> str:
    return dumps(series_dict(rep, step_dir)) + "\n"


# --------------------------------------------------------------------------- tables

TABLES = ("statements", "timeline", "lineage", "terms", "drift")


def series_tables(rep: SeriesReport, step_dir: str = "") -> dict[str, "Any"]:
    """One pandas DataFrame per table; lists are joined with ';'."""
    import pandas as pd

    data = series_dict(rep, step_dir)

    def flat(rows: Sequence[Mapping[str, Any]]) -> list[dict]:
        out = []
        for r in rows:
            row = {}
            for k, v in r.items():
                if isinstance(v, dict):
                    for kk, vv in v.items():
                        row[f"{k}_{kk}"] = vv
                elif isinstance(v, list):
                    row[k] = ";".join(
                        (x["phrase"] + "@" + x["first_seen"]) if isinstance(x, dict) and "phrase" in x
                        else f"{x['date']}:{'+'.join(str(p) for p in x['paragraphs'])}:{x['link_type']}"
                        if isinstance(x, dict) and "link_type" in x else str(x) for x in v)
                else:
                    row[k] = v
            out.append(row)
        return out

    timeline = []
    for r in data["timeline"]:
        s = r.pop("strongest") or {}
        r.update({"ladder": s.get("ladder", ""), "rung": s.get("rung", 0), "rungs": s.get("of", 0),
                  "phrase": s.get("phrase", "")})
        timeline.append(r)
    frames = {
        "statements": pd.DataFrame(flat(data["statements"])),
        "timeline": pd.DataFrame(flat(timeline)),
        "lineage": pd.DataFrame(flat(data["lineage"])),
        "terms": pd.DataFrame(flat(data["terms"])),
        "drift": pd.DataFrame(flat(data["drift"])),
    }
    return frames


def write_tables(rep: SeriesReport, directory: str | os.PathLike, parquet: bool = False, step_dir: str = "") -> list[Path]:
    """Write each table as ``NAME.csv`` (and ``NAME.parquet``) in ``directory``."""
    from .pipeline import without_cyclic_gc
    from .report import _FORMULA_START, write_reports

    with without_cyclic_gc():  # many small rows and frames, next to no cycles
        frames = series_tables(rep, step_dir)
    out = Path(directory)
    items = []
    for name, frame in frames.items():
        csv = frame.copy()
        for col in csv.columns:
            if csv[col].dtype == object:
                # Statement text is untrusted: no cell a spreadsheet would run as a formula.
                csv[col] = csv[col].map(lambda s: "'" + s if isinstance(s, str) and s.startswith(_FORMULA_START) else s)
        items.append((out / f"{name}.csv", csv.to_csv(index=False, lineterminator="\n")))
    write_reports(items)
    written = [p for p, _ in items]
    if parquet:
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise OutputError("Parquet tables need pyarrow: pip install pyarrow.") from None
        for name, frame in frames.items():
            target = out / f"{name}.parquet"
            try:
                frame.to_parquet(target, index=False)
            except OSError as e:
                raise OutputError(f"Cannot write {target}: {e.strerror or e}.") from None
            written.append(target)
    return written


# --------------------------------------------------------------------------- plots


def _figure(width: float, height: float):
    """A bare matplotlib Figure: no pyplot, so no global figure manager, no
    backend switch and nothing to close (pyplot is global state and its
    import loads the backend machinery on top of ``matplotlib.figure``)."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height))


#: Width of an average character of the plots' sans-serif font, in ems:
#: what the margins are sized from (:func:`_margins`). The SVG keeps its
#: text as text ("svg.fonttype": "none"), so the browser draws it in the
#: page's own font and a measurement by matplotlib would be an estimate too.
_CHAR_EM = 0.62


def _text_inches(text: str, size: float) -> float:
    return len(text) * size * _CHAR_EM / 72


def _margins(fig, *, left: float, bottom: float, top: float, right: float = 0.15) -> None:
    """Room for the labels around the axes, in inches, set directly.

    ``bbox_inches="tight"`` found it by drawing the whole figure once more
    before writing it (every label laid out twice: ~40 % of a plot's time,
    ~0.15 s of adding a statement to a series); the labels are known here,
    so their room is computed from their lengths instead."""
    # The axes keep the size matplotlib's default margins would give them
    # in the figure asked for; the figure grows by the labels' room (as the
    # tight bounding box grew or cropped it).
    w, h = fig.get_size_inches()
    aw, ah = 0.775 * w, 0.77 * h
    fw, fh = aw + left + right, ah + bottom + top
    fig.set_size_inches(fw, fh)
    fig.subplots_adjust(left=left / fw, right=1 - right / fw, bottom=bottom / fh, top=1 - top / fh)


def _rotated_extent(labels: Sequence[str], size: float) -> tuple[float, float]:
    """How far x tick labels turned 45° reach below the axis and, for the
    first one (right-aligned at its tick), left of it, in inches."""
    longest = max((_text_inches(t, size) for t in labels), default=0.0)
    first = _text_inches(labels[0], size) if labels else 0.0
    return (longest + size / 72) * 0.71 + 0.12, first * 0.71


def _svg(fig) -> str:
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "driftlab", "svg.fonttype": "none"}):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]  # drop the XML prolog and doctype: the SVG is inline
    # Scale with the page: keep the viewBox, drop the fixed size.
    svg = re.sub(r'<svg([^>]*?) width="[^"]+" height="[^"]+"', r'<svg\1 class="plot" role="img"', svg, count=1)
    return svg


def _labels(rep: SeriesReport) -> list[str]:
    return [e.date or Path(e.path).stem for e in rep.series.entries]


def named_topics(rep: SeriesReport) -> set[str]:
    """Topics present (named by their terms) in at least one statement."""
    return {c.topic for c in rep.timeline if c.present}


def timeline_svg(rep: SeriesReport) -> str:
    """Statements × topics: share of the text (colour), strongest rung (number)."""
    import numpy as np

    # Rows for the topics named somewhere in the series: a watched topic the
    # series never names (Taiwan in AUKUS) is listed under the plot, not
    # drawn as a row of dots above the ones that matter.
    named = named_topics(rep)
    topics = [t for t, _ in rep.topics if t in named]
    names = [n for t, n in rep.topics if t in named]
    n = len(rep.series.entries)
    if not topics:
        return ""
    share = np.zeros((len(topics), n))
    present = np.zeros((len(topics), n), dtype=bool)
    rung = {}
    row = {t: r for r, t in enumerate(topics)}
    for c in rep.timeline:
        if c.topic not in row:
            continue  # never named: no row
        r = row[c.topic]
        share[r, c.statement] = c.share
        present[r, c.statement] = c.present
        if c.strongest:
            rung[(r, c.statement)] = f"{c.strongest['rung']}/{c.strongest['of']}"
    fig = _figure(max(5.5, 0.75 * n + 3.5), 0.34 * len(topics) + 1.6)
    ax = fig.subplots()
    vmax = max(0.3, float(share.max()))
    ax.imshow(np.where(present, share, np.nan), aspect="auto", cmap="Blues", vmin=0, vmax=vmax)
    for (r, c), txt in rung.items():
        # Light text on the dark end of the colour scale, so every label reads.
        ax.text(c, r, txt, ha="center", va="center", fontsize=7, color="#fff" if share[r, c] > 0.55 * vmax else "#222")
    # Absent cells: one collection of grey dots, not a text object per cell
    # (laying out ~200 texts was most of the page's drawing time).
    rows, cols = np.nonzero(~present)
    if len(rows):
        ax.scatter(cols, rows, s=6, c="#999", marker="o", linewidths=0)
    labels = _labels(rep)
    ax.set_yticks(range(len(topics)), names, fontsize=8)
    ax.set_xticks(range(n), labels, rotation=45, ha="right", fontsize=8)
    title = "Topic timeline: share of the text (colour), strongest rung reached (n/of); · absent"
    ax.set_title(title, fontsize=9)
    below, first_left = _rotated_extent(labels, 8)
    _margins(fig, left=max(max(_text_inches(t, 8) for t in names) + 0.15, first_left + 0.1), bottom=below,
             top=0.35)
    return _svg(fig)


def drift_svg(rep: SeriesReport) -> str:
    """Drift per topic at each step (topics present on either side of a step)."""
    labels = _labels(rep)
    fig = _figure(max(5.5, 0.75 * len(labels) + 3.5), 3.6)
    ax = fig.subplots()
    names = dict(rep.topics)
    styles = ["-", "--", "-.", ":"]
    for k, (topic, _) in enumerate(rep.topics):
        pts = [(c.step, c.drift) for c in rep.drift if c.topic == topic and c.drift is not None]
        if not pts:
            continue
        xs, ys = zip(*pts)
        ax.plot(xs, ys, marker="o", markersize=3, linewidth=1.2, linestyle=styles[k % 4], label=names[topic])
    ax.set_xticks(range(1, len(labels)), labels[1:], rotation=45, ha="right", fontsize=8)
    ax.set_xlim(0.5, max(1.5, len(labels) - 0.5))
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("share of the topic's wording changed", fontsize=8)
    ax.set_title("Drift per topic at each step", fontsize=9)
    ax.grid(alpha=0.3)
    legend = ax.get_legend_handles_labels()[1]
    if legend:
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    below, first_left = _rotated_extent(labels[1:], 8)
    # Left: the y label (turned 90°) and the tick values ("0.0" … "1.0").
    _margins(fig, left=max(8 / 72 + _text_inches("0.00", 8) + 0.25, first_left + 0.1), bottom=below, top=0.35,
             right=max((_text_inches(t, 7) for t in legend), default=0.0) + 0.55 if legend else 0.15)
    return _svg(fig)


# --------------------------------------------------------------------------- HTML


@dataclass(frozen=True)
class SeriesPage:
    """What the template sees (``ctx``)."""

    data: Mapping[str, Any]  # series_dict
    timeline_svg: Any  # markupsafe.Markup: SVG drawn by matplotlib, labels escaped by it
    drift_svg: Any
    topic_names: Mapping[str, str]
    status_text: Mapping[str, str]
    #: Ids of the watched topics no statement of the series names (not drawn in the timeline).
    never_named: tuple[str, ...] = ()


@functools.lru_cache(maxsize=1)
def _environment():
    import jinja2

    from .report import _bytecode_cache

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).resolve().parent / "templates"),
        # Compiled once, kept between processes like the diff report's
        # template (~0.05 s of adding a statement to a series).
        bytecode_cache=_bytecode_cache(),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def prepare_page() -> None:
    """Import what draws the page (matplotlib's figure and SVG writer, ~0.7 s
    in a fresh process) and load its templates: given to
    :func:`~driftlab.series.build_series_report` as ``prepare``, this runs
    while a new statement is embedded. Whether it ran first or not, the page
    is the same."""
    import matplotlib.backends.backend_svg  # noqa: F401
    import matplotlib.figure  # noqa: F401

    _environment().get_template("series.html.j2")


def render_series_html(rep: SeriesReport, step_dir: str = "") -> str:
    from markupsafe import Markup

    data = series_dict(rep, step_dir)
    page = SeriesPage(
        data=data,
        # matplotlib writes the SVG and escapes every label it draws (XML
        # writer), so the markup is ours, not the statements'.
        timeline_svg=Markup(timeline_svg(rep)),
        drift_svg=Markup(drift_svg(rep)) if rep.steps else Markup(""),
        topic_names=dict(rep.topics),
        status_text=STATUS_TEXT,
        never_named=tuple(t for t, _ in rep.topics if t not in named_topics(rep)),
    )
    return _environment().get_template("series.html.j2").render(ctx=page)


def series_report_path(reports: str | os.PathLike, name: str) -> Path:
    """Where a series' report goes by default: ``REPORTS/series_<slug>.html``."""
    slug = "".join(c if c.isalnum() else "_" for c in name.lower()).strip("_")[:60]
    return Path(reports) / f"series_{slug}.html"


def series_page(rep: SeriesReport, step_dir: str = "", results=None) -> str:
    """:func:`render_series_html`, through the result cache when the report
    came from a cached build: an unchanged series is not drawn again (the
    two plots and importing matplotlib were most of a cached run)."""
    from .pipeline import without_cyclic_gc

    with without_cyclic_gc():  # matplotlib's artists and the page: many objects, few cycles
        if results is None or not rep.key:
            return render_series_html(rep, step_dir)
        from .series import cached, code_fingerprint

        key = content_id("series-html", code_fingerprint(), rep.key, step_dir, repr(rep.series.entries), length=32)
        return cached(results, key, lambda: render_series_html(rep, step_dir))


def step_pages(rep: SeriesReport, results=None) -> list[str]:
    """The pairwise report of each step, as HTML.

    With a result cache (:class:`driftlab.series.ResultCache`) and the step
    keys of a cached build, each page is rendered once and kept under its
    step's content key and the code fingerprint: a page is a pure function
    of its step diff and the renderer, so adding a statement to a series
    renders only the new step's page."""
    from .pipeline import without_cyclic_gc
    from .report import render_html
    from .series import cached, code_fingerprint

    # A page is built of many small strings and dicts and leaves next to no
    # cycles: the collector's passes while the new step's page was rendered
    # cost ~0.1 s of adding a statement to the G7 series.
    with without_cyclic_gc():
        if results is None or len(rep.step_keys) != len(rep.steps):
            return [render_html(res) for res in rep.steps]
        return [cached(results, content_id("step-html", code_fingerprint(), key, length=32),
                       lambda res=res: render_html(res))
                for key, res in zip(rep.step_keys, rep.steps)]


def write_series_report(rep: SeriesReport, output: str | os.PathLike, *, steps: bool = True,
                        json_path: str | os.PathLike | None = None, results=None) -> list[tuple[Path, str]]:
    """Write the series page (and each step's pairwise report beside it, and
    the JSON when asked) as one all-or-nothing step; return what was written.
    ``results``: the result cache the step pages are kept in (see :func:`step_pages`)."""
    from .pipeline import without_cyclic_gc
    from .report import write_reports

    output = Path(output)
    step_dir = f"{output.stem}_steps" if steps else ""
    # Pages and JSON are built of many small strings and dicts and leave next
    # to no cycles (see step_pages): one pause around all of them.
    with without_cyclic_gc():
        items: list[tuple[Path, str]] = [(output, series_page(rep, step_dir, results))]
        if step_dir:
            items += [(output.parent / step_dir / step_file_name(rep, k), page)
                      for k, page in enumerate(step_pages(rep, results))]
        if json_path is not None:
            items.append((Path(json_path), series_json(rep, step_dir)))
    write_reports(items)
    return items
