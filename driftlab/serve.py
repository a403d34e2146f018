"""The review app: a small local Flask application over a :class:`~driftlab.store.Store`.

Pages: the pairs and their runs (``/``); a pair's latest run (``/pair/<id>``)
with its ranked flags, each with confirm / dismiss / discuss buttons, a note,
its decision history, filters (undecided, topic, rule) and keyboard
shortcuts; its links, with decisions and alignment corrections (link two
passages, unlink a wrong link); the decisions whose flag is gone (orphaned);
``/export.csv`` (every current decision; ``?history=1`` for all of them).

Security, because statement text and notes are user data and the app can
change the store:

* binds to loopback unless told otherwise (the CLI warns), and refuses
  requests whose ``Host`` is not a loopback name when bound there, so a web
  page elsewhere cannot reach it through DNS rebinding;
* every state-changing request is a POST carrying the session's CSRF token
  (compared in constant time); the session cookie is ``SameSite=Strict``;
* jinja2 autoescape on every template, and a Content-Security-Policy that
  allows only this app's own script and style sheet;
* the only files served are the app's own static assets, the store's run
  documents and, when ``reports_dir`` is given, ``.html``/``.json``/``.csv``
  files inside it (``send_from_directory`` refuses any path leaving it).
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import secrets
from pathlib import Path
from typing import Any, Iterable, Mapping
from urllib.parse import urlencode

from .store import DECISIONS, ReviewConflict, Store, StoreError, export_csv

__all__ = ["create_app", "is_loopback", "LOOPBACK_HOSTS"]

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
REPORT_SUFFIXES = (".html", ".json", ".csv")
FILTERS = ("show", "topic", "rule")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def create_app(store: Store, *, reports_dir: str | Path | None = None,
               allowed_hosts: Iterable[str] | None = LOOPBACK_HOSTS, secret_key: bytes | None = None):
    """The Flask app. ``allowed_hosts=None`` accepts any ``Host`` (for a
    deliberate non-loopback bind)."""
    from flask import Flask, Response, abort, redirect, render_template, request, send_from_directory, session

    here = Path(__file__).resolve().parent
    app = Flask("driftlab.serve", template_folder=str(here / "templates"), static_folder=str(here / "static"),
                static_url_path="/static")
    app.jinja_env.autoescape = True
    app.config.update(
        SECRET_KEY=secret_key or secrets.token_bytes(32),
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_HTTPONLY=True,
        MAX_CONTENT_LENGTH=256 * 1024,  # a note, not an upload
    )
    hosts = None if allowed_hosts is None else {h.lower() for h in allowed_hosts}
    reports = Path(reports_dir).resolve() if reports_dir else None

    def csrf_token() -> str:
        if "csrf" not in session:
            session["csrf"] = secrets.token_urlsafe(32)
        return session["csrf"]

    app.jinja_env.globals["csrf_token"] = csrf_token
    app.jinja_env.globals["DECISIONS"] = DECISIONS

    @app.before_request
    def _guard():
        if hosts is not None:
            host = (request.host or "").rsplit(":", 1)[0] if not (request.host or "").startswith("[") else \
                request.host.split("]")[0] + "]"
            if host.strip("[]").lower() not in hosts:
                abort(400, description="Unexpected Host header: the review app answers on loopback names only")
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            sent = request.form.get("csrf", "")
            expected = session.get("csrf", "")
            if not expected or not hmac.compare_digest(str(sent), str(expected)):
                abort(400, description="Missing or wrong CSRF token: reload the page and try again")

    @app.teardown_request
    def _release(_exc):
        store.release()

    @app.after_request
    def _headers(resp: Response) -> Response:
        resp.headers["Content-Security-Policy"] = (
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["Referrer-Policy"] = "no-referrer"
        resp.headers["X-Frame-Options"] = "DENY"
        return resp

    @app.errorhandler(StoreError)
    def _store_error(exc: StoreError):
        status = 409 if isinstance(exc, ReviewConflict) else 400
        return render_template("review_error.html", message=str(exc), back=request.referrer or "/"), status

    @app.route("/")
    def index():
        pairs = []
        for p in store.pairs():
            current = store.current(p["id"])
            doc = store.run_json(p["run_id"])
            flags = [f["id"] for f in doc["flags"]]
            decided = sum(1 for f in flags if (p["id"], "flag", f) in current)
            pairs.append({**p, "flags": len(flags), "decided": decided,
                          "orphaned": len(store.orphaned(p["id"]))})
        return render_template("review_index.html", pairs=pairs, runs=store.runs()[:50], store_path=str(store.path))

    @app.route("/pair/<pair_id>")
    def pair(pair_id: str):
        runs = store.runs(pair_id)
        if not runs:
            abort(404, description=f"No pair {pair_id} in the review store")
        run_id = request.args.get("run", type=int) or runs[0].id
        if run_id not in {r.id for r in runs}:
            abort(404, description=f"No run {run_id} of pair {pair_id}")
        doc = store.run_json(run_id)
        current = store.current(pair_id)
        history: dict[tuple[str, str], list] = {}
        for d in store.history(pair_id):
            history.setdefault((d.kind, d.object_id), []).append(d)
        show, topic, rule = (request.args.get(k, "") for k in FILTERS)
        flags = []
        for rank, f in enumerate(doc["flags"], start=1):
            d = current.get((pair_id, "flag", f["id"]))
            if show == "undecided" and d is not None:
                continue
            if topic and (topic not in f["topics"] if topic != "-" else f["topics"]):
                continue
            if rule and f["rule"] != rule:
                continue
            flags.append({**f, "rank": rank, "decision": d, "history": history.get(("flag", f["id"]), [])[::-1],
                          "where": _where(f), "evidence_items": _evidence(f["evidence"]),
                          "dismissed_before": f["evidence"].get("dismissed_before", "")})
        links = []
        old_p, new_p = doc["old"]["paragraphs"], doc["new"]["paragraphs"]
        for lk in doc["links"]:
            if lk["type"] == "unchanged":
                continue
            links.append({**lk, "old_text": [(i + 1, old_p[i]["text"]) for i in lk["old"]],
                          "new_text": [(j + 1, new_p[j]["text"]) for j in lk["new"]],
                          "decision": current.get((pair_id, "link", lk["id"])),
                          "corrected": any(e.startswith(("linked:", "unlinked:")) for e in lk["evidence"])})
        filters = {k: v for k, v in zip(FILTERS, (show, topic, rule)) if v}
        orphaned = store.orphaned(pair_id)
        return render_template(
            "review_pair.html", pair_id=pair_id, run_id=run_id, runs=runs, doc=doc, flags=flags,
            total=len(doc["flags"]), links=links, orphaned=orphaned,
            topics=sorted({t for f in doc["flags"] for t in f["topics"]}),
            rules=sorted({f["rule"] for f in doc["flags"]}), filters=filters,
            query=urlencode(filters), reviewer=session.get("reviewer", ""),
            corrections=doc["run"].get("review_corrections", []),
            pending=store.corrections(pair_id), old_paras=old_p, new_paras=new_p,
            latest=run_id == runs[0].id)

    def _back(pair_id: str, anchor: str = ""):
        args = {k: request.form[k] for k in FILTERS if request.form.get(k)}
        if request.form.get("run"):
            args["run"] = request.form["run"]
        url = f"/pair/{pair_id}" + (f"?{urlencode(args)}" if args else "") + (f"#{anchor}" if anchor else "")
        return redirect(url, code=303)

    @app.post("/decide")
    def decide():
        form = request.form
        reviewer = form.get("reviewer", "").strip()
        seen = form.get("seen", "")
        d = store.decide(form.get("pair", ""), form.get("kind", "flag"), form.get("id", ""),
                         form.get("decision", ""), reviewer=reviewer, note=form.get("note", ""),
                         expect=int(seen) if seen.isdigit() else None)
        session["reviewer"] = d.reviewer
        return _back(d.pair_id, f"{d.kind}-{d.object_id}")

    @app.post("/correct")
    def correct():
        form = request.form
        pair_id = form.get("pair", "")
        run_id = store.latest_run(pair_id)
        if run_id is None:
            raise StoreError(f"No pair {pair_id} in the review store")
        doc = store.run_json(run_id)
        old_p, new_p = doc["old"]["paragraphs"], doc["new"]["paragraphs"]
        action = form.get("action", "")
        if action == "unlink":
            link = next((lk for lk in doc["links"] if lk["id"] == form.get("link", "")), None)
            if link is None or not (link["old"] and link["new"]):
                raise StoreError("No such link with passages on both sides in the latest run")
            old_ids = [old_p[i]["id"] for i in link["old"]]
            new_ids = [new_p[j]["id"] for j in link["new"]]
        else:
            i, j = form.get("old", type=int), form.get("new", type=int)
            if i is None or j is None or not (0 <= i < len(old_p) and 0 <= j < len(new_p)):
                raise StoreError("Choose one old and one new paragraph to link")
            old_ids, new_ids = [old_p[i]["id"]], [new_p[j]["id"]]
        store.correct(pair_id, action, old_ids, new_ids, reviewer=form.get("reviewer", "").strip(),
                      note=form.get("note", ""))
        session["reviewer"] = form.get("reviewer", "").strip()
        return _back(pair_id, "links")

    @app.route("/favicon.ico")
    def favicon():
        return Response(status=204)  # browsers ask for one; a 404 would be noise in their console

    @app.route("/export.csv")
    def export():
        text = export_csv(store.export_rows(history=request.args.get("history") == "1"))
        return Response(text, mimetype="text/csv",
                        headers={"Content-Disposition": "attachment; filename=driftlab-decisions.csv"})

    @app.route("/runs/<int:run_id>.json")
    def run_json(run_id: int):
        try:
            doc = store.run_json(run_id)
        except StoreError:
            abort(404)
        return Response(json.dumps(doc, ensure_ascii=False, sort_keys=True), mimetype="application/json")

    @app.route("/reports/<path:name>")
    def report_file(name: str):
        if reports is None or not name.lower().endswith(REPORT_SUFFIXES):
            abort(404)
        # send_from_directory joins safely: "..", absolute paths and
        # anything resolving outside ``reports`` is a 404.
        return send_from_directory(reports, name)

    return app


def _where(f: Mapping[str, Any]) -> str:
    old = ", ".join(f"¶{i + 1}" for i in f["old"])
    new = ", ".join(f"¶{j + 1}" for j in f["new"])
    if old and new:
        return f"old {old} → new {new}"
    return f"old {old}" if old else f"new {new}" if new else "whole statement"


def _evidence(ev: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [(str(k), v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, sort_keys=True))
            for k, v in sorted(ev.items()) if k != "dismissed_before"]
