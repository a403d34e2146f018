"""The ``driftlab`` command: a thin layer over the library.

Each command builds :class:`~driftlab.settings.Settings` (defaults, then
``--config``, then options), calls the library, and turns any
:class:`~driftlab.errors.DriftlabError` into a one-line ``Error: …`` with exit
code 1. Heavy modules are imported inside commands so ``driftlab --help``
stays instant.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from . import __version__
from .errors import DriftlabError
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
    """Stage messages on stderr with the time each took; silent when quiet."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.t0 = time.perf_counter()

    def __call__(self, message: str) -> None:
        if not self.quiet:
            click.echo(f"[{time.perf_counter() - self.t0:5.1f}s] {message}…", err=True)


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


@cli.command(epilog=DIFF_EXAMPLES)
@click.argument("old", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="HTML report path. Default: reports/OLD_vs_NEW.html.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the report as JSON (format in the README).")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the ranked flags as CSV.")
@click.option("--no-html", is_flag=True, help="Write no HTML report (only --json/--csv).")
@click.option("--config", type=click.Path(dir_okay=False), help="Settings file (YAML or TOML).")
@click.option("--model", help="sentence-transformers model name or local path.")
@click.option("--precision", type=click.Choice(["auto", "float32", "bfloat16"]), help="Encoder precision.")
@click.option("--link-threshold", type=float, help="Minimum combined score for a paragraph link.")
@click.option("--min-lexical", type=float, help="Minimum shared wording for a paragraph link.")
@click.option("--sentence-threshold", type=float, help="Minimum score for a carried sentence.")
@click.option("--split-coverage", type=float, help="Share of a paragraph that makes it part of a split/merge.")
@click.option("--topics", "topics_file", type=click.Path(dir_okay=False), help="Topic and ladder definitions (YAML).")
@click.option("--batch-size", type=int, help="Texts per encoder batch.")
@click.option("--max-input-mb", type=float, help="Largest statement file accepted, in MB.")
@click.option("--max-flags", type=int, help="Most flags kept in a report.")
@click.option("--cache-dir", type=click.Path(file_okay=False), help="Embedding cache directory.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the embedding cache.")
@click.option("-q", "--quiet", is_flag=True, help="No progress or summary on stderr.")
def diff(old, new, output, json_path, csv_path, no_html, config, quiet, no_cache, **options):
    """Align NEW against OLD by meaning and write a redline report with ranked flags.

    OLD and NEW are statements as .txt or .md (optional YAML front matter:
    title, date, series, parties, source), .html pages or .pdf files.
    """
    from .pipeline import diff_files
    from .report import render_html, to_csv, to_json, write_report

    progress = _Progress(quiet)
    try:
        if no_cache:
            options["use_cache"] = False
        settings = _settings(config, options)
        if output is None and not no_html:
            output = Path("reports") / f"{old.stem}_vs_{new.stem}.html"
        result = diff_files(old, new, settings, progress=progress)
        progress("writing report")
        if output is not None and not no_html:
            write_report(output, render_html(result))
        if json_path is not None:
            write_report(json_path, to_json(result))
        if csv_path is not None:
            write_report(csv_path, to_csv(result))
    except DriftlabError as exc:
        raise click.ClickException(str(exc)) from None
    if not quiet:
        counts: dict[str, int] = {}
        for lk in result.links:
            counts[lk.type] = counts.get(lk.type, 0) + 1
        summary = ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))
        click.echo(f"{len(result.links)} links ({summary}); {len(result.flags)} flags", err=True)
        if result.old.statement.text == result.new.statement.text:
            click.echo("note: the two statements are identical", err=True)
        for p in (output if not no_html else None, json_path, csv_path):
            if p is not None:
                click.echo(f"wrote {p}", err=True)


@cli.command("settings")
def settings_cmd():
    """List every setting with its default and help text."""
    for name, default, help_text in settings_table():
        click.echo(f"{name} = {default!r}")
        click.echo(f"    {help_text}")


def main() -> None:
    cli.main(prog_name="driftlab")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
