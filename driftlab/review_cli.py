"""``driftlab review list|decide|correct|export`` and ``driftlab serve``: review from the shell.

Thin, like :mod:`driftlab.cli`: each command opens the :class:`~driftlab.store.Store`,
calls one method, and turns a :class:`~driftlab.errors.DriftlabError` into a
one-line ``Error: …``. Kept in its own module so the review commands read
together; :func:`register` adds them to the ``driftlab`` group.
"""

from __future__ import annotations

import getpass
import json
import os
import socket
from pathlib import Path

import click

from .errors import DriftlabError

REVIEW_EXAMPLES = """
\b
Examples:
  driftlab review list
  driftlab review decide 1a3924e2d498 dismiss --note "boilerplate"
  driftlab review correct --pair a6ee8b550af7 --link 3 4
  driftlab review export -o decisions.csv
  driftlab review export --examples -o bench/review_examples.jsonl
"""

store_option = click.option(
    "--store", "store_path", type=click.Path(dir_okay=False, path_type=Path),
    help="Review store (SQLite). Default: $DRIFTLAB_STORE, else $XDG_DATA_HOME/driftlab/driftlab.sqlite "
         "(~/.local/share/driftlab/driftlab.sqlite).")


def _open(store_path: Path | None, *, create: bool = False):
    from .store import Store, StoreError, default_store_path

    path = default_store_path(store_path)
    if not create and not path.exists():
        raise StoreError(f"No review store at {path}: run 'driftlab diff OLD NEW --store {path}' first")
    return Store(path)


def _reviewer(given: str | None) -> str:
    if given:
        return given
    env = os.environ.get("DRIFTLAB_REVIEWER")
    if env:
        return env
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name on this system: the store then asks for one
        return ""


@click.group(epilog=REVIEW_EXAMPLES)
def review() -> None:
    """Review decisions kept in the review store: list, decide, correct, export."""


@review.command("list")
@store_option
@click.option("--pair", help="Only this pair (id from 'driftlab review list --pairs').")
@click.option("--pairs", "show_pairs", is_flag=True, help="List pairs and their latest run instead of flags.")
@click.option("--orphaned", is_flag=True, help="List decisions whose flag or link is gone from the latest run.")
def list_cmd(store_path, pair, show_pairs, orphaned):
    """List undecided flags of each pair's latest run (tab-separated), best first.

    Columns: pair, flag id, rank, rule, score, explanation.
    """
    try:
        with _open(store_path) as store:
            if show_pairs:
                for p in store.pairs():
                    click.echo(f"{p['id']}\t{p['run_id']}\t{p['runs']}\t{p['label']}")
                return
            if orphaned:
                for d in store.orphaned(pair):
                    click.echo(f"{d.pair_id}\t{d.kind}\t{d.object_id}\t{d.decision}\t{d.reviewer}\t{d.summary}")
                return
            for f in store.undecided(pair):
                click.echo(f"{f['pair_id']}\t{f['id']}\t{f['rank']}\t{f['rule']}\t{f['score']:.4f}\t{f['explanation']}")
    except DriftlabError as exc:
        raise click.ClickException(str(exc)) from None


@review.command()
@store_option
@click.argument("object_id")
@click.argument("decision", type=click.Choice(["confirm", "dismiss", "discuss"]))
@click.option("--kind", type=click.Choice(["flag", "link", "change"]), default="flag", show_default=True)
@click.option("--pair", help="Pair id; needed only when the id occurs in several pairs.")
@click.option("--note", default="", help="Free-text note.")
@click.option("--reviewer", help="Your name. Default: $DRIFTLAB_REVIEWER, else the login name.")
def decide(store_path, object_id, decision, kind, pair, note, reviewer):
    """Record DECISION (confirm, dismiss, discuss) on flag OBJECT_ID. History is kept."""
    from .store import StoreError

    try:
        with _open(store_path) as store:
            if not pair:
                pairs = store.find_pairs_with(kind, object_id) if kind != "change" else []
                if not pairs:
                    raise StoreError(f"No {kind} {object_id} in any run" + ("" if kind != "change" else
                                     ": a change needs --pair"))
                if len(pairs) > 1:
                    raise StoreError(f"{kind} {object_id} occurs in {len(pairs)} pairs ({', '.join(pairs)}): "
                                     "pass --pair")
                pair = pairs[0]
            d = store.decide(pair, kind, object_id, decision, reviewer=_reviewer(reviewer), note=note)
    except DriftlabError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{d.kind} {d.object_id}: {d.decision} by {d.reviewer} (decision {d.id})")


@review.command()
@store_option
@click.option("--pair", required=True, help="Pair id (see 'driftlab review list --pairs').")
@click.option("--link", "link_paras", nargs=2, type=int, metavar="OLD NEW",
              help="Link old paragraph OLD with new paragraph NEW (0-based, as in the JSON).")
@click.option("--unlink", "unlink_id", metavar="LINK_ID", help="Undo the link LINK_ID of the latest run.")
@click.option("--note", default="", help="Why.")
@click.option("--reviewer", help="Your name. Default: $DRIFTLAB_REVIEWER, else the login name.")
def correct(store_path, pair, link_paras, unlink_id, note, reviewer):
    """Correct the alignment of a pair; applied on its next 'driftlab diff --store'."""
    from .store import StoreError

    try:
        if bool(link_paras) == bool(unlink_id):
            raise StoreError("Give exactly one of --link OLD NEW and --unlink LINK_ID")
        with _open(store_path) as store:
            old_ids, new_ids = _paragraph_ids(store, pair, link_paras, unlink_id)
            c = store.correct(pair, "link" if link_paras else "unlink", old_ids, new_ids,
                              reviewer=_reviewer(reviewer), note=note)
    except DriftlabError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"correction {c.id}: {c.action} recorded; applied on the next run of the pair")


def _paragraph_ids(store, pair: str, link_paras, unlink_id) -> tuple[list[str], list[str]]:
    """Paragraph content ids of the pair's latest run for indices or a link id."""
    from .store import StoreError

    run = store.latest_run(pair)
    if run is None:
        raise StoreError(f"No run of pair {pair} in the review store")
    doc = store.run_json(run)
    old_p, new_p = doc["old"]["paragraphs"], doc["new"]["paragraphs"]
    if link_paras:
        i, j = link_paras
        if not (0 <= i < len(old_p) and 0 <= j < len(new_p)):
            raise StoreError(f"Paragraph out of range: the old statement has {len(old_p)}, the new {len(new_p)} "
                             "(0-based)")
        return [old_p[i]["id"]], [new_p[j]["id"]]
    link = next((lk for lk in doc["links"] if lk["id"] == unlink_id), None)
    if link is None:
        raise StoreError(f"No link {unlink_id} in the latest run of pair {pair}")
    if not (link["old"] and link["new"]):
        raise StoreError(f"Link {unlink_id} is {link['type']}: nothing to unlink")
    return [old_p[i]["id"] for i in link["old"]], [new_p[j]["id"] for j in link["new"]]


@review.command()
@store_option
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write here instead of standard output.")
@click.option("--history", is_flag=True, help="Every decision ever made, not only the current ones.")
@click.option("--examples", is_flag=True,
              help="Confirmed (label 1) and dismissed (label 0) flags as JSON lines, for bench/review_ranking.py.")
def export(store_path, output, history, examples):
    """Export decisions as CSV (or labelled examples as JSON lines)."""
    from .report import write_report
    from .store import export_csv

    try:
        with _open(store_path) as store:
            if examples:
                text = "".join(json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n"
                               for e in store.labelled_examples())
            else:
                text = export_csv(store.export_rows(history=history))
        if output:
            write_report(output, text)
    except DriftlabError as exc:
        raise click.ClickException(str(exc)) from None
    if not output:
        click.echo(text, nl=False)


@click.command()
@store_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind. Anything but loopback exposes the review app to the network.")
@click.option("--port", default=8765, show_default=True, type=int)
@click.option("--reports", "reports_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Directory of HTML/JSON/CSV reports the app may also serve (nothing outside it).")
def serve(store_path, host, port, reports_dir):
    """Start the review app: runs and pairs, flags with decide buttons, filters, CSV export."""
    from .serve import create_app, is_loopback

    try:
        store = _open(store_path, create=True)
        app = create_app(store, reports_dir=reports_dir)
    except DriftlabError as exc:
        raise click.ClickException(str(exc)) from None
    if not is_loopback(host):
        click.echo(f"warning: binding {host}: anyone who can reach this address can read and change the "
                   "review decisions", err=True)
    click.echo(f"driftlab review app on http://{host}:{port}/ (store {store.path}); Ctrl+C stops it", err=True)
    try:
        from werkzeug.serving import run_simple

        # Werkzeug reports a taken port in two lines of its own and exits;
        # trying the address first gives the CLI's one-line error instead.
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        try:
            with socket.socket(family) as probe:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                probe.bind((host, port))
        except OSError as exc:  # port taken, address not on this machine
            raise click.ClickException(f"Cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)
    finally:
        store.close()


def register(group: click.Group) -> None:
    group.add_command(review)
    group.add_command(serve)
