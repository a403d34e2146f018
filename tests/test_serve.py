"""The review app through Flask's test client: pages, decisions, CSRF, escaping,
Host checks, files it refuses to serve, CSV export; and the review CLI."""

from __future__ import annotations

import csv
import io
import re

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from driftlab.cli import cli
from driftlab.serve import create_app, is_loopback
from driftlab.store import Store, pair_key

from .test_store import NEW, OLD, run, write_pair

HOSTILE = "<script>alert('old')</script>"


@pytest.fixture
def setup(tmp_path):
    """A store holding one run of a pair whose text carries markup, and the app over it."""
    old, new = write_pair(tmp_path / "pair", OLD, NEW.replace(
        "We reaffirm our commitment", f"We reaffirm {HOSTILE} our commitment"))
    store = Store(tmp_path / "review.sqlite")
    result = run(store, old, new)
    store.record_run(result)
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "ok.html").write_text("<p>a report</p>", encoding="utf-8")
    (tmp_path / "secret.html").write_text("secret", encoding="utf-8")
    app = create_app(store, reports_dir=reports)
    app.config["TESTING"] = True
    yield app.test_client(), store, result, pair_key(result.old.statement, result.new.statement), (old, new)
    store.close()


def token(client, pid) -> str:
    page = client.get(f"/pair/{pid}").get_data(as_text=True)
    return BeautifulSoup(page, "html.parser").select_one("input[name=csrf]")["value"]


def decide(client, pid, fid, decision, tok, **extra):
    data = {"csrf": tok, "pair": pid, "kind": "flag", "id": fid, "decision": decision, "reviewer": "ann",
            "note": "", **extra}
    return client.post("/decide", data=data)


def soup(resp) -> BeautifulSoup:
    return BeautifulSoup(resp.get_data(as_text=True), "html.parser")


def test_index_lists_the_pair_and_its_runs(setup):
    client, store, result, pid, _ = setup
    page = soup(client.get("/"))
    links = page.select("#pairs a.pair")
    assert [(a.get_text(), a["href"]) for a in links] == [
        ("Joint Statement of the Ministers → Joint Statement of the Ministers", f"/pair/{pid}")]
    assert page.select_one("#pairs td:nth-of-type(4)").get_text() == f"0 of {len(result.flags)}"
    assert len(page.select("#runs tbody tr")) == 1


def test_pair_page_shows_every_flag_in_rank_order_with_decide_forms(setup):
    client, store, result, pid, _ = setup
    page = soup(client.get(f"/pair/{pid}"))
    articles = page.select("article.flag")
    assert [a["data-flag"] for a in articles] == [f.id for f in result.flags]
    first = articles[0]
    assert [b["value"] for b in first.select("button[name=decision]")] == ["confirm", "dismiss", "discuss"]
    assert first.select_one("input[name=csrf]")["value"]
    assert first.select_one(".badge").get_text() == "undecided"


def test_a_decision_posts_redirects_and_shows(setup):
    client, store, result, pid, _ = setup
    f = result.flags[1]
    resp = decide(client, pid, f.id, "confirm", token(client, pid), note="escalation", seen="0")
    assert resp.status_code == 303
    assert resp.headers["Location"] == f"/pair/{pid}#flag-{f.id}"
    art = soup(client.get(f"/pair/{pid}")).select_one(f"#flag-{f.id}")
    assert "d-confirm" in art["class"]
    assert art.select_one(".state .badge").get_text() == "confirmed"
    assert art.select_one(".note q").get_text() == "escalation"
    assert art.select_one("textarea[name=note]").get_text() == "escalation"
    assert [h.get_text()[20:] for h in art.select("ol.history li")] == ["ann: confirmed — escalation"]
    assert store.current(pid)[(pid, "flag", f.id)].note == "escalation"


def test_state_changes_need_the_csrf_token(setup):
    client, store, result, pid, _ = setup
    token(client, pid)  # the session has a token; the requests below do not send it
    f = result.flags[0]
    missing = client.post("/decide", data={"pair": pid, "kind": "flag", "id": f.id, "decision": "dismiss",
                                           "reviewer": "eve"})
    wrong = decide(client, pid, f.id, "dismiss", "forged-token")
    corr = client.post("/correct", data={"pair": pid, "action": "link", "old": "0", "new": "0",
                                         "reviewer": "eve", "csrf": "forged-token"})
    for resp in (missing, wrong, corr):
        assert resp.status_code == 400
        assert "Missing or wrong CSRF token" in resp.get_data(as_text=True)
    assert store.history(pid) == [] and store.corrections(pid) == []
    # A fresh client (another browser) has no session: its token is refused too.
    other = client.application.test_client()
    assert decide(other, pid, f.id, "dismiss", token(client, pid)).status_code == 400


def test_everything_rendered_is_escaped(setup):
    client, store, result, pid, _ = setup
    f = result.flags[0]
    note = "<img src=x onerror=alert(1)> & \"quotes\""
    decide(client, pid, f.id, "discuss", token(client, pid), note=note,
           reviewer="<b>mallory</b>")
    raw = client.get(f"/pair/{pid}").get_data(as_text=True)
    page = BeautifulSoup(raw, "html.parser")
    assert [s.get("src") for s in page.select("script")] == ["/static/review.js"]
    assert page.select("img") == [] and page.select("b") == []
    assert "&lt;script&gt;alert(&#39;old&#39;)&lt;/script&gt;" in raw
    art = page.select_one(f"#flag-{f.id}")
    assert art.select_one(".note q").get_text() == note
    assert "<b>mallory</b>" in art.select_one(".state").get_text()
    resp = client.get(f"/pair/{pid}")
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "default-src 'none'" in csp and "unsafe-inline" not in csp


def test_conflicting_decisions_are_refused_with_a_message(setup):
    client, store, result, pid, _ = setup
    tok = token(client, pid)
    f = result.flags[0]
    assert decide(client, pid, f.id, "confirm", tok, seen="0").status_code == 303
    late = decide(client, pid, f.id, "dismiss", tok, seen="0", reviewer="bob")  # saw the flag undecided
    assert late.status_code == 409
    assert soup(late).select_one("#error").get_text() == (
        f"flag {f.id} was decided meanwhile by ann (confirmed); reload to see it")
    assert [d.reviewer for d in store.history(pid)] == ["ann"]


def test_filters_undecided_topic_rule(setup):
    client, store, result, pid, _ = setup
    decide(client, pid, result.flags[0].id, "dismiss", token(client, pid))

    def shown(query: str) -> list[str]:
        return [a["data-flag"] for a in soup(client.get(f"/pair/{pid}?{query}")).select("article.flag")]

    assert shown("show=undecided") == [f.id for f in result.flags[1:]]
    assert shown("rule=modality") == [f.id for f in result.flags if f.rule == "modality"]
    assert shown("topic=dprk_nuclear") == [f.id for f in result.flags if "dprk_nuclear" in f.topics]
    assert shown("topic=-") == [f.id for f in result.flags if not f.topics]
    assert shown("show=undecided&rule=nosuchrule") == []
    # A decision made from a filtered view comes back to that view.
    f = result.flags[2]
    resp = decide(client, pid, f.id, "confirm", token(client, pid), show="undecided", rule=f.rule)
    assert resp.headers["Location"] == f"/pair/{pid}?show=undecided&rule={f.rule}#flag-{f.id}"


def test_corrections_from_the_app_apply_on_the_next_run(setup):
    client, store, result, pid, (old, new) = setup
    link = next(lk for lk in result.links if lk.old == (2,) and lk.new == (2,))
    resp = client.post("/correct", data={"csrf": token(client, pid), "pair": pid, "action": "unlink",
                                         "link": link.id, "reviewer": "ann"})
    assert resp.status_code == 303
    again = run(store, old, new)
    store.record_run(again)
    assert link.id not in {lk.id for lk in again.links}
    page = soup(client.get(f"/pair/{pid}"))
    assert page.select_one("#corrections-applied li").get_text() == "unlinked: unlink old ¶3 with new ¶3 (by ann)"
    assert page.select("article.link .badge.corrected")


def test_export_csv_has_the_decisions_and_defuses_formulas(setup):
    client, store, result, pid, _ = setup
    tok = token(client, pid)
    decide(client, pid, result.flags[0].id, "dismiss", tok, note="=HYPERLINK(\"http://x\")")
    decide(client, pid, result.flags[1].id, "confirm", tok, note="matters")
    resp = client.get("/export.csv")
    assert resp.mimetype == "text/csv"
    assert resp.headers["Content-Disposition"] == "attachment; filename=driftlab-decisions.csv"
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
    assert [(r["object_id"], r["decision"], r["note"], r["reviewer"]) for r in rows] == [
        (result.flags[0].id, "dismiss", "'=HYPERLINK(\"http://x\")", "ann"),
        (result.flags[1].id, "confirm", "matters", "ann")]
    decide(client, pid, result.flags[1].id, "dismiss", tok)
    assert len(list(csv.DictReader(io.StringIO(client.get("/export.csv").get_data(as_text=True))))) == 2
    assert len(list(csv.DictReader(io.StringIO(client.get("/export.csv?history=1").get_data(as_text=True))))) == 3


@pytest.mark.parametrize("path", [
    "/reports/../secret.html",
    "/reports/%2e%2e/secret.html",
    "/reports/..%2fsecret.html",
    "/reports/%2Fetc%2Fpasswd.html",
    "/reports//etc/hosts.csv",
    "/reports/ok.txt",
    "/static/../store.py",
    "/static/%2e%2e/store.py",
    "/runs/999.json",
])
def test_no_file_outside_the_store_and_reports_is_served(setup, path):
    client = setup[0]
    # "//" is first redirected to its merged-slash form, which must be refused too.
    resp = client.get(path, follow_redirects=True)
    assert resp.status_code == 404
    assert b"secret" not in resp.data and b"sqlite3" not in resp.data


def test_reports_and_run_documents_are_served(setup):
    client, store, result, pid, _ = setup
    with client.get("/reports/ok.html") as resp:
        assert resp.get_data(as_text=True) == "<p>a report</p>"
    doc = client.get(f"/runs/{store.latest_run(pid)}.json").get_json()
    assert [f["id"] for f in doc["flags"]] == [f.id for f in result.flags]


def test_requests_for_foreign_hosts_are_refused(setup):
    client, store, result, pid, _ = setup
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/", headers={"Host": "localhost:8765"}).status_code == 200
    assert client.get("/", headers={"Host": "127.0.0.1:8765"}).status_code == 200
    assert client.get("/", headers={"Host": "[::1]:8765"}).status_code == 200


def test_is_loopback():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.4") and not is_loopback("example.org")


# --------------------------------------------------------------------------- CLI


def test_serve_warns_when_not_on_loopback(tmp_path, monkeypatch):
    import werkzeug.serving

    calls = []
    monkeypatch.setattr(werkzeug.serving, "run_simple", lambda *a, **k: calls.append((a, k)))
    path = tmp_path / "s.sqlite"
    r = CliRunner().invoke(cli, ["serve", "--store", str(path), "--host", "0.0.0.0", "--port", "0"])
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[0] == ("warning: binding 0.0.0.0: anyone who can reach this address can read "
                                        "and change the review decisions")
    assert calls[0][0][:2] == ("0.0.0.0", 0)
    calls.clear()
    r = CliRunner().invoke(cli, ["serve", "--store", str(path), "--port", "0"])
    assert "warning" not in r.output and calls[0][0][:2] == ("127.0.0.1", 0)


def test_review_cli_list_decide_correct_export(setup, tmp_path):
    client, store, result, pid, (old, new) = setup
    runner = CliRunner()
    args = ["--store", str(store.path)]
    listed = runner.invoke(cli, ["review", "list", *args])
    assert listed.exit_code == 0
    lines = [ln.split("\t") for ln in listed.output.splitlines()]
    assert [(ln[0], ln[1], ln[2]) for ln in lines] == [(pid, f.id, str(k)) for k, f in
                                                       enumerate(result.flags, start=1)]
    f = result.flags[0]
    done = runner.invoke(cli, ["review", "decide", f.id, "dismiss", "--note", "noise", "--reviewer", "cli", *args])
    assert done.exit_code == 0
    assert re.fullmatch(rf"flag {f.id}: dismiss by cli \(decision \d+\)\n", done.output)
    assert f.id not in runner.invoke(cli, ["review", "list", *args]).output
    bad = runner.invoke(cli, ["review", "decide", "ffffffffffff", "confirm", "--reviewer", "cli", *args])
    assert (bad.exit_code, bad.output) == (1, "Error: No flag ffffffffffff in any run\n")
    corr = runner.invoke(cli, ["review", "correct", "--pair", pid, "--link", "4", "4", "--reviewer", "cli", *args])
    assert (corr.exit_code, corr.output) == (0, "correction 1: link recorded; applied on the next run of the pair\n")
    out = runner.invoke(cli, ["review", "correct", "--pair", pid, "--link", "9", "0", "--reviewer", "cli", *args])
    assert out.output == "Error: Paragraph out of range: the old statement has 5, the new 6 (0-based)\n"
    pairs = runner.invoke(cli, ["review", "list", "--pairs", *args])
    assert pairs.output == f"{pid}\t{store.latest_run(pid)}\t1\t{result.old.statement.label} → {result.new.statement.label}\n"
    assert runner.invoke(cli, ["review", "list", "--orphaned", *args]).output == ""
    exported = runner.invoke(cli, ["review", "export", *args])
    rows = list(csv.DictReader(io.StringIO(exported.output)))
    assert [(r["object_id"], r["decision"], r["note"], r["reviewer"], r["orphaned"]) for r in rows] == [
        (f.id, "dismiss", "noise", "cli", "0")]
    target = tmp_path / "examples.jsonl"
    ex = runner.invoke(cli, ["review", "export", "--examples", "-o", str(target), *args])
    assert ex.exit_code == 0 and ex.output == ""
    assert '"label": 0' in target.read_text(encoding="utf-8")


def test_serve_on_a_taken_port_is_one_line(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        r = CliRunner().invoke(cli, ["serve", "--store", str(tmp_path / "s.sqlite"), "--port", str(port)])
    assert r.exit_code == 1
    assert r.output.splitlines()[-1] == f"Error: Cannot listen on 127.0.0.1:{port}: Address already in use"
