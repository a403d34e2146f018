"""The ``driftlab`` command: a thin layer over the library.

Each command builds :class:`~driftlab.settings.Settings` (defaults, then
``--config``, then options), calls the library, and turns any
:class:`~driftlab.errors.DriftlabError` into a one-line ``Error: …`` with exit
code 1. Heavy modules are imported inside commands so ``driftlab --help``
stays instant.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import click

from . import __version__
from .errors import DriftlabError, DriftlabWarning
from .settings import Settings, load_config_file, settings_table

DIFF_EXAMPLES = """
\b
Examples:
  driftlab diff old.txt new.txt
  driftlab diff 2023.md 2024.html -o reports/2024.html --json reports/2024.json
  driftlab diff old.pdf new.pdf --csv flags.csv --quiet
  driftlab diff old.txt new.txt --model /models/all-mpnet-base-v2 --link-threshold 0.55
"""


class _Progress:
    """Stage messages on stderr, shown only when work takes more than a moment.

    Each stage's message is printed if that stage is still running after
    ``delay`` seconds, so a cached run that finishes in half a second stays
    silent, while a cold run tells the user why it is waiting (importing
    torch and loading the model take seconds).
    """

    def __init__(self, quiet: bool, delay: float = 0.7):
        self.quiet = quiet
        self.delay = delay
        self.t0 = time.perf_counter()
        self._timer: threading.Timer | None = None
        self.shown = False

    def __call__(self, message: str) -> None:
        if self.quiet:
            return
        self.cancel()
        if self.shown:  # once the user sees progress, show every stage
            self._show(message)
            return
        self._timer = threading.Timer(self.delay, self._show, args=(message,))
        self._timer.daemon = True
        self._timer.start()

    def _show(self, message: str) -> None:
        self.shown = True
        click.echo(f"[{time.perf_counter() - self.t0:5.1f}s] {message}…", err=True)

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


@contextmanager
def _warnings_to_stderr() -> Iterator[None]:
    """Print each :class:`DriftlabWarning` the library issues once, as ``warning: …``.

    Collected while the run goes on and printed as they come, so a warning
    (a cache that cannot be used, text an extractor lost) is never silent
    and never a traceback.
    """
    seen: set[str] = set()

    def show(message, category, filename, lineno, file=None, line=None):  # noqa: ANN001
        if not issubclass(category, DriftlabWarning):
            return previous(message, category, filename, lineno, file, line)
        text = " ".join(str(message).split())
        if text not in seen:
            seen.add(text)
            click.echo(f"warning: {text}", err=True)

    with warnings.catch_warnings():
        warnings.simplefilter("always", DriftlabWarning)
        previous = warnings.showwarning
        warnings.showwarning = show
        yield


def _settings(config: str | None, options: dict) -> Settings:
    s = Settings()
    if config:
        s = s.updated(load_config_file(config))
    return s.updated(options)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="driftlab")
def cli() -> None:
    """driftlab: what changed between successive official statements, and does it matter?

    Run 'driftlab diff OLD NEW' for a report; 'driftlab settings' lists every tunable.
    """


def _numeric_setting_options(f):
    """A ``--name`` option for every numeric setting, from the one settings
    table (its default's type, its help text): thresholds and budgets added
    there reach the CLI without a second list to keep in step."""
    from .settings import SETTINGS

    for setting in reversed(SETTINGS):
        if isinstance(setting.default, (int, float)) and not isinstance(setting.default, bool):
            f = click.option("--" + setting.name.replace("_", "-"), setting.name,
                             type=type(setting.default), help=setting.help)(f)
    return f



@cli.command(epilog=DIFF_EXAMPLES)
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="HTML report path ('-' for standard output). Default: reports/OLD_vs_NEW.html.")
@click.option("--json", "json_path", type=click.Path(path_type=Path),
              help="Also write the report as JSON (format in the README); '-' for standard output.")
@click.option("--csv", "csv_path", type=click.Path(path_type=Path),
              help="Also write the ranked flags as CSV; '-' for standard output.")
@click.option("--changes-csv", "changes_csv_path", type=click.Path(path_type=Path),
              help="Also write the ranked changes as CSV; '-' for standard output.")
@click.option("--no-html", is_flag=True, help="Write no HTML report (only --json/--csv).")
@click.option("--config", type=click.Path(dir_okay=False), help="Settings file (YAML or TOML).")
@click.option("--model", help="sentence-transformers model name or local path.")
@click.option("--precision", type=click.Choice(["auto", "float32", "bfloat16"]), help="Encoder precision.")
@click.option("--topics", "topics_file", type=click.Path(dir_okay=False), help="Topic and ladder definitions (YAML).")
@_numeric_setting_options
@click.option("--cache-dir", type=click.Path(file_okay=False), help="Embedding cache directory.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the embedding cache.")
@click.option("--store", "store_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Review store (SQLite): record this run, apply its corrections and show its decisions. "
                   "Default: $DRIFTLAB_STORE, else ~/.local/share/driftlab/driftlab.sqlite when it exists.")
@click.option("--no-store", is_flag=True, help="Use no review store even if one exists.")
@click.option("-q", "--quiet", is_flag=True, help="No progress or summary on stderr.")
@click.option("--corpus", "corpus_dirs", multiple=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder of the series these statements belong to (repeatable): flags get their history "
                   "(first time in the series, stable for N statements…) and are ranked with it.")
def diff(old, new, output, json_path, csv_path, changes_csv_path, no_html, config, quiet, no_cache, store_path,
         no_store, corpus_dirs, **options):
    """Align NEW against OLD by meaning and write a redline report with ranked flags.

    OLD and NEW are statements as .txt or .md (optional YAML front matter:
    title, date, series, parties, source), .html pages or .pdf files.
    """
    from .pipeline import diff_files, without_cyclic_gc
    from .report import changes_csv, render_html, to_csv, to_json, write_reports

    progress = _Progress(quiet)
    try:
        with _warnings_to_stderr():
            if no_cache:
                options["use_cache"] = False
            settings = _settings(config, options)
            if output is None and not no_html:
                output = Path("reports") / f"{old.stem}_vs_{new.stem}.html"
            outputs = {"html": None if no_html else output, "json": json_path, "csv": csv_path,
                       "changes_csv": changes_csv_path}
            _check_outputs(outputs, (old, new))
            store = None if no_store else _diff_store(store_path)
            try:
                result = diff_files(old, new, settings, progress=progress, store=store,
                                    corpus_dirs=corpus_dirs)
                decisions, store_note = None, ""
                if store is not None:
                    run_id = store.record_run(result)
                    decisions = store.decisions_for_run(run_id)
                    shown = sum(f"flag:{f.id}" in decisions for f in result.flags)
                    store_note = (f"review store {store.path}: run {run_id} recorded; {shown} of "
                                  f"{len(result.flags)} flags already decided")
            finally:
                if store is not None:
                    store.close()
            progress("writing report")
            render = {"html": lambda r: render_html(r, decisions), "json": to_json, "csv": to_csv,
                      "changes_csv": changes_csv}
            with without_cyclic_gc():  # the reports are built of many small strings and dicts
                texts = {kind: render[kind](result) for kind, path in outputs.items() if path is not None}
            write_reports([(outputs[k], t) for k, t in texts.items() if str(outputs[k]) != "-"], (old, new))
    except DriftlabError as exc:
        raise click.ClickException(" ".join(str(exc).split())) from None
    finally:
        progress.cancel()
    for kind, text in texts.items():
        if str(outputs[kind]) == "-":
            click.echo(text, nl=False)
    if not quiet:
        _summary(result, [p for p in outputs.values() if p is not None and str(p) != "-"])
        if store_note:
            click.echo(store_note, err=True)


def _diff_store(explicit: Path | None):
    """The review store ``diff`` uses: the one named by --store or
    $DRIFTLAB_STORE, else the default one only if it already exists (a plain
    diff should not create databases behind the user's back)."""
    from .store import Store, default_store_path

    path = default_store_path(explicit)
    if explicit or os.environ.get("DRIFTLAB_STORE") or path.exists():
        return Store(path)
    return None


def _check_outputs(outputs: dict, inputs: tuple[Path, ...]) -> None:
    """Refuse a run that would write nothing, write two reports to one file,
    overwrite one of its own statements, or write where it cannot (see
    :func:`driftlab.report.check_outputs`) — before any work is done, so
    the model never loads for a run whose report cannot be written."""
    from .errors import OutputError
    from .report import check_outputs

    given = [p for p in outputs.values() if p is not None]
    if not given:
        raise OutputError("Nothing to write: --no-html needs --json or --csv.")
    if sum(str(p) == "-" for p in given) > 1:
        raise OutputError("Only one report can go to standard output ('-').")
    check_outputs(given, inputs)


def _summary(result, written) -> None:
    counts: dict[str, int] = {}
    for lk in result.links:
        counts[lk.type] = counts.get(lk.type, 0) + 1
    summary = ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))
    total = result.run.get("flags_total", len(result.flags))
    shown = f"{len(result.flags)} of {total} flags (max_flags)" if total > len(result.flags) else f"{len(result.flags)} flags"
    click.echo(f"{len(result.links)} links ({summary}); {shown}", err=True)
    if result.old.statement.text == result.new.statement.text:
        click.echo("note: the two statements are identical", err=True)
    for side, doc in (("old", result.old), ("new", result.new)):
        if doc.statement.meta.partial:
            click.echo(f"warning: the {side} statement is marked partial (only its opening): passages past "
                       f"its end show as {'added' if side == 'old' else 'dropped'}", err=True)
    from .ingest import display_path

    for p in written:
        click.echo(f"wrote {display_path(p)}", err=True)


def _runner(workers: int | None, scheduler: str | None, settings):
    """A Dask runner when asked for; otherwise None (and Dask is never imported)."""
    from .errors import ConfigError

    if workers and scheduler:
        raise ConfigError("Give --workers or --scheduler, not both.")
    if not workers and not scheduler:
        return None
    from .distributed import DaskRunner

    return DaskRunner(workers=workers, scheduler=scheduler, settings=settings)


_SERIES_OPTIONS = [
    click.option("--corpus", "corpus_dirs", multiple=True, type=click.Path(file_okay=False, path_type=Path),
                 help="Corpus folder to look the series name up in (repeatable)."),
    click.option("--by", "grouping", type=click.Choice(["series", "folder", "parties"]),
                 help="How statements are grouped into series: front-matter series (else folder name), "
                      "folder, or front-matter series split by issuing parties. Default: folder for a "
                      "FOLDER argument, series for a name."),
    click.option("--workers", type=int, help="Run on a local Dask cluster of N worker processes."),
    click.option("--scheduler", help="Run on an existing Dask scheduler (e.g. tcp://host:8786)."),
    click.option("--config", type=click.Path(dir_okay=False), help="Settings file (YAML or TOML)."),
    click.option("--model", help="sentence-transformers model name or local path."),
    click.option("--topics", "topics_file", type=click.Path(dir_okay=False), help="Topic and ladder definitions (YAML)."),
    click.option("--cache-dir", type=click.Path(file_okay=False), help="Embedding and result cache directory."),
    click.option("--no-cache", is_flag=True, help="Neither read nor write the caches."),
    click.option("-q", "--quiet", is_flag=True, help="No summary on stderr."),
]


def _series_options(f):
    for opt in reversed(_SERIES_OPTIONS):
        f = opt(f)
    return f


SERIES_EXAMPLES = """
\b
Examples:
  driftlab series ../shared/corpus/g7 -o reports/g7.html --json reports/g7.json
  driftlab series "US-Japan leaders' joint statements" --corpus ../shared/corpus --tables reports/usj --parquet
  driftlab series China --corpus ../shared/corpus/un_general_debate --by parties --workers 2
"""


@cli.command(epilog=SERIES_EXAMPLES)
@click.argument("target")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="HTML report path. Default: reports/series_NAME.html. Step reports go to a folder beside it.")
@click.option("--json", "json_path", type=click.Path(path_type=Path), help="Also write everything as JSON ('-': stdout).")
@click.option("--tables", "tables_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Also write the tables (statements, timeline, lineage, terms, drift) as CSV into this folder.")
@click.option("--parquet", is_flag=True, help="With --tables: Parquet files too (needs pyarrow).")
@click.option("--no-steps", is_flag=True, help="Do not write the pairwise step reports.")
@_series_options
def series(target, output, json_path, tables_dir, parquet, no_steps, corpus_dirs, grouping, workers, scheduler,
           config, quiet, no_cache, **options):
    """Report on a whole series: topic timeline, phrase lineage, emerging and fading terms, drift per topic.

    TARGET is a folder (all its statements, one series) or a series name
    looked up in the --corpus folders.
    """
    from .corpus import resolve_series
    from .errors import OutputError
    from .pipeline import make_cache
    from .series import ResultCache, build_series_report, document_loader
    from .series_report import prepare_page, series_json, series_report_path, write_series_report, write_tables

    runner = None
    try:
        if no_cache:
            options["use_cache"] = False
        settings = _settings(config, {k: v for k, v in options.items() if v is not None})
        if parquet and not tables_dir:
            raise OutputError("--parquet needs --tables DIR.")
        runner = _runner(workers, scheduler, settings)
        results = ResultCache(settings.resolved_cache_dir()) if settings.use_cache else None
        load = runner or document_loader(settings, results)
        chosen = resolve_series(target, corpus_dirs, grouping, load)
        if output is None:
            output = series_report_path("reports", chosen.name)
        cache = make_cache(settings)
        rep = build_series_report(chosen, settings, cache=cache, runner=runner, results=results,
                                  prepare=(prepare_page,))
        step_dir = "" if no_steps else f"{output.stem}_steps"
        to_file = json_path is not None and str(json_path) != "-"
        items = write_series_report(rep, output, steps=not no_steps, json_path=json_path if to_file else None,
                                    results=results)
        text = series_json(rep, step_dir) if json_path and not to_file else None
        written = [p for p, _ in items[:1]] + ([json_path] if to_file else [])
        if tables_dir:
            written += write_tables(rep, tables_dir, parquet, step_dir)
    except DriftlabError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        if runner is not None:
            runner.close()
    if json_path and str(json_path) == "-":
        click.echo(text, nl=False)
    if not quiet:
        counts = {}
        for pl in rep.lineage:
            counts[pl.status] = counts.get(pl.status, 0) + 1
        present = len({c.topic for c in rep.timeline if c.present})
        click.echo(f"{chosen.name}: {len(chosen.entries)} statements, {len(rep.steps)} steps; "
                   f"{present} topics present; latest passages: "
                   + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())), err=True)
        if step_dir and rep.steps:
            click.echo(f"wrote {len(rep.steps)} step reports in {output.parent / step_dir}", err=True)
        for p in written:
            click.echo(f"wrote {p}", err=True)


@cli.command()
@click.argument("phrase")
@click.argument("target")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
@click.option("--threshold", type=float, help="Cosine for a reworded hit (default 0.8, see driftlab.series.TRACE_THRESHOLD).")
@click.option("--no-reworded", is_flag=True, help="Exact and cosmetic hits only (no model).")
@_series_options
def trace(phrase, target, as_json, threshold, no_reworded, corpus_dirs, grouping, workers, scheduler, config,
          quiet, no_cache, **options):
    """When did we first say PHRASE? Every statement of the series TARGET holding it.

    Hits are exact, cosmetic (spelling, quotes, dashes, case) or reworded
    (a sentence whose meaning is close to the phrase's own sentence).
    """
    from .corpus import resolve_series
    from .embed import embed_texts
    from .pipeline import load_document, make_cache, make_encoder
    from .report import dumps
    from .series import TRACE_THRESHOLD, trace_dict
    from .series import trace as run_trace

    runner = None
    try:
        if no_cache:
            options["use_cache"] = False
        settings = _settings(config, {k: v for k, v in options.items() if v is not None})
        runner = _runner(workers, scheduler, settings)
        load = runner or (lambda p: load_document(p, settings))
        chosen = resolve_series(target, corpus_dirs, grouping, load)
        embed = None
        if not no_reworded:
            encoder, cache = make_encoder(settings), make_cache(settings)
            if runner is not None:
                runner.embed_documents(chosen.documents, encoder, cache, settings)

            def embed(texts):
                return embed_texts(texts, encoder, cache)
        result = run_trace(phrase, chosen, embed, TRACE_THRESHOLD if threshold is None else threshold)
    except DriftlabError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        if runner is not None:
            runner.close()
    if as_json:
        click.echo(dumps(trace_dict(result)))
        return
    if not result.hits:
        click.echo(f"'{phrase}' is not in {chosen.name} ({len(chosen.entries)} statements).")
        return
    click.echo(f"'{phrase}' in {chosen.name}: first {result.first_seen or 'undated'}, "
               f"last {result.last_seen or 'undated'}, {len({h.statement for h in result.hits})} of "
               f"{len(chosen.entries)} statements")
    for h in result.hits:
        text = h.text if len(h.text) <= 160 else h.text[:157] + "…"
        click.echo(f"{h.date or 'undated'}  ¶{h.paragraph + 1}  {h.kind:<8} {h.score:.2f}  {text}")
    for g in result.gaps:
        click.echo(f"gap: absent from {len(g['statements'])} statement(s) between {g['after']} and {g['before']}")


@cli.command()
@click.argument("folders", nargs=-1, required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--by", "grouping", type=click.Choice(["series", "folder", "parties"]), default="series",
              show_default=True, help="How statements are grouped into series.")
@click.option("--json", "as_json", is_flag=True, help="Print the index as JSON.")
@click.option("--no-embed", is_flag=True, help="Only read and group; do not embed (no model).")
@click.option("--workers", type=int, help="Run on a local Dask cluster of N worker processes.")
@click.option("--scheduler", help="Run on an existing Dask scheduler (e.g. tcp://host:8786).")
@click.option("--config", type=click.Path(dir_okay=False), help="Settings file (YAML or TOML).")
@click.option("--model", help="sentence-transformers model name or local path.")
@click.option("--cache-dir", type=click.Path(file_okay=False), help="Embedding cache directory.")
def index(folders, grouping, as_json, no_embed, workers, scheduler, config, **options):
    """Read FOLDERS, group the statements into series and embed them into the cache.

    After 'driftlab index', 'driftlab series' on any of these series embeds
    nothing again; a new statement costs only its own embedding.
    """
    from .corpus import build_index
    from .pipeline import load_document, make_cache, make_encoder
    from .report import dumps
    from .series import SerialRunner, entry_dict

    runner = None
    try:
        settings = _settings(config, {k: v for k, v in options.items() if v is not None})
        runner = _runner(workers, scheduler, settings)
        idx = build_index(folders, grouping, runner or (lambda p: load_document(p, settings)))
        if not no_embed:
            docs = [d for s in idx.series for d in s.documents]
            (runner or SerialRunner()).embed_documents(docs, make_encoder(settings), make_cache(settings), settings)
    except DriftlabError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        if runner is not None:
            runner.close()
    if as_json:
        click.echo(dumps({"grouping": grouping, "series": [
            {"name": s.name, "statements": [entry_dict(e) for e in s.entries]} for s in idx.series]}))
        return
    for s in idx.series:
        rules = sorted({e.rule for e in s.entries})
        dates = [e.date for e in s.entries if e.date]
        span = f"{dates[0]} to {dates[-1]}" if dates else "undated"
        click.echo(f"{s.name}: {len(s.entries)} statement{'s' if len(s.entries) != 1 else ''}, {span} "
                   f"(placed by {', '.join(rules)})")
    total = sum(len(s.entries) for s in idx.series)
    click.echo(f"{len(idx.series)} series, {total} statements" + ("" if no_embed else "; embeddings cached"), err=True)


@cli.command("settings")
def settings_cmd():
    """List every setting with its default and help text."""
    for name, default, help_text in settings_table():
        click.echo(f"{name} = {default!r}")
        click.echo(f"    {help_text}")


from .review_cli import register as _register_review  # noqa: E402  (commands need ``cli`` defined)

_register_review(cli)

WATCH_EPILOG = """
\b
Exit codes (--once):
   0  every source checked, nothing new
  10  new statements recorded and reported
  20  some source or notification failed, or an extraction alarm was raised
  30  new reports written, and something failed
  75  another watch run holds the lock (try again later)
   1  configuration or store error
\b
Examples:
  driftlab watch watch.yaml --once
  driftlab watch watch.yaml --interval 900
"""


@cli.command(epilog=WATCH_EPILOG)
@click.argument("config", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--once", is_flag=True, help="Check every source once and exit (for cron and systemd timers).")
@click.option("--interval", type=click.FloatRange(min=1), help="Seconds between checks in loop mode (default: the config's interval).")
@click.option("--store", type=click.Path(dir_okay=False, path_type=Path),
              help="SQLite store (default: $DRIFTLAB_STORE, else ~/.local/share/driftlab/driftlab.sqlite).")
@click.option("--log-file", type=click.Path(dir_okay=False, path_type=Path), help="Also append the log to this file.")
@click.option("-v", "--verbose", is_flag=True, help="Log debugging detail.")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings, errors and alarms on standard error (the log file gets everything).")
def watch(config, once, interval, store, log_file, verbose, quiet):
    """Check the sources in CONFIG for new statements; store, compare and report them, and notify.

    CONFIG is a YAML or TOML file naming the corpus and report folders, the
    notification webhook or command, and the sources (folders, RSS/Atom
    feeds, index pages with a link pattern, single URLs), each mapped to a
    series. See the README section 'Watching sources'.
    """
    import logging

    from . import watch as watcher
    from .errors import WatchBusy

    stderr = logging.StreamHandler()
    stderr.setLevel(logging.WARNING if quiet else logging.DEBUG)
    handlers: list[logging.Handler] = [stderr]
    if log_file is not None:
        try:
            handlers.append(logging.FileHandler(log_file, encoding="utf-8"))
        except OSError as exc:
            raise click.ClickException(f"Cannot open log file {log_file}: {exc.strerror or exc}") from None
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%dT%H:%M:%S")
    logger = logging.getLogger("driftlab.watch")
    for h in handlers:
        h.setFormatter(fmt)
        logger.addHandler(h)
    logger.setLevel(logging.DEBUG if verbose else logging.INFO)
    logger.propagate = False
    try:
        cfg = watcher.load_watch_config(config, store=store)
        if once:
            result = watcher.run_once(cfg)
            code = watcher.exit_code(result)
        else:
            watcher.run_loop(cfg, interval=interval)
            code = 0
    except WatchBusy as exc:
        click.echo(f"Busy: {exc}", err=True)
        code = watcher.EXIT_BUSY
    except DriftlabError as exc:
        raise click.ClickException(str(exc)) from None
    except KeyboardInterrupt:
        code = 0
    finally:
        for h in handlers:
            logger.removeHandler(h)
            h.close()
    sys.exit(code)


def main() -> None:
    # numpy's OpenBLAS runs every matrix product on a thread per core. The
    # products here are small (a G7 pair's sentences: 600 × 700 × 384, ~2 ms)
    # and the threads cost more than they give: spinning, they took ~0.2
    # CPU-seconds of a cached G7 diff on 2 cores, and the wall time with them
    # when the other core is busy. Set before numpy loads (nothing above
    # imports it); a user's own setting wins. torch uses MKL: not affected.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    try:
        cli.main(prog_name="driftlab")
    finally:
        # The process is ending: interpreter exit collects every object still
        # alive, and with torch loaded (~470,000 objects) that took 3–5 s on
        # the shared 2-core box, against ~0.5 s once they are frozen (out of
        # the collector's reach). Adding a statement to a series paid it.
        import gc

        gc.freeze()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
