"""The README stays true: its commands are what CI runs, its JSON reference
is what the report writes, its options exist."""

from __future__ import annotations

import re

from click.testing import CliRunner

from driftlab.cli import cli
from driftlab.report import json_fields_markdown
from driftlab.settings import SETTINGS

from .conftest import ROOT, updating

README = ROOT / "README.md"


def _block(text: str, name: str) -> str:
    m = re.search(rf"<!-- {name} -->\n(.*?)<!-- /{name} -->", text, re.S)
    assert m, f"README lacks the {name} block"
    return m.group(1)


def test_json_reference_matches_report_fields():
    text = README.read_text(encoding="utf-8")
    want = json_fields_markdown()
    if updating("DRIFTLAB_UPDATE_DOCS", README):
        README.write_text(text.replace(_block(text, "json-fields"), want), encoding="utf-8")
        text = README.read_text(encoding="utf-8")
    assert _block(text, "json-fields") == want


def test_ci_runs_the_readme_test_command():
    readme = README.read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = re.findall(r"```sh\n(bash scripts/install\.sh && [^\n]+)\n```", readme)
    assert len(commands) == 2, commands
    main_job, tests = commands
    assert "driftlab diff" in main_job
    assert tests in ci


def test_readme_options_exist():
    # Every option the README names exists on some command.
    help_text = "".join(CliRunner().invoke(cli, [cmd, "--help"]).output for cmd in sorted(cli.commands))
    readme = README.read_text(encoding="utf-8")
    for option in set(re.findall(r"`(--[a-z-]+)", readme)):
        assert option in help_text, option


def test_every_setting_has_a_cli_option():
    help_text = CliRunner().invoke(cli, ["diff", "--help"]).output
    named = {"use_cache": "--no-cache", "topics_file": "--topics"}
    for s in SETTINGS:
        assert named.get(s.name, "--" + s.name.replace("_", "-")) in help_text, s.name


def test_readme_states_the_link_definition_of_the_aligner():
    """What a link means is written once in driftlab/align.py and quoted in
    the README; a change to one must change the other."""
    import driftlab.align

    readme = README.read_text(encoding="utf-8")
    quoted = re.search(r"<!-- link-definition -->\n(.*?)\n<!-- /link-definition -->", readme, re.S).group(1)
    doc = driftlab.align.__doc__
    defined = doc.split("What a link means\n-----------------\n", 1)[1].split("\n\n", 1)[0]
    assert " ".join(quoted.split()) == " ".join(defined.split())
