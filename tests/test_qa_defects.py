"""Regression tests for defects a QA review found by running driftlab.

Each test states the behaviour the issues ask for; each failed when written
(pinned as a strict xfail) and now guards its fix.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from driftlab import DriftlabError, Settings, diff_files
from driftlab.cli import cli
from driftlab.ingest import parse_text
from driftlab.pipeline import load_document

from .conftest import shared_file


def test_invalid_front_matter_date_is_a_driftlab_error():
    raw = "---\ndate: 2024-13-45\n---\nThe Committee decided to keep the policy rate unchanged.\n"
    with pytest.raises(DriftlabError):
        parse_text(raw, path="bad_date.txt", format="text")


def test_un_speech_with_one_paragraph_per_line_is_segmented():
    doc = load_document(shared_file("un_general_debate/2023_USA_UNGD_session78.txt"))
    assert len(doc.paragraphs) > 10


def _flags(tmp_path: Path, hashing_encoder, old: str, new: str):
    (tmp_path / "old.txt").write_text(old, encoding="utf-8")
    (tmp_path / "new.txt").write_text(new, encoding="utf-8")
    return diff_files(tmp_path / "old.txt", tmp_path / "new.txt", Settings(use_cache=False),
                      encoder=hashing_encoder).flags


def test_modal_may_is_not_a_number(tmp_path, hashing_encoder):
    flags = _flags(tmp_path, hashing_encoder,
                   "The ministers met in Geneva.\n\nThe tariff will be reduced to 5 percent.\n",
                   "The ministers met in Geneva.\n\nThe tariff may be reduced to 5 percent.\n")
    assert not [f for f in flags if f.rule == "number_change"]


def test_two_intensity_shifts_in_one_sentence_are_both_flagged(tmp_path, hashing_encoder):
    flags = _flags(
        tmp_path, hashing_encoder,
        "The ministers met in Geneva.\n\nThey expressed concern about the shortage of medical "
        "supplies and called for unimpeded humanitarian access.\n",
        "The ministers met in Geneva.\n\nThey expressed grave concern about the shortage of medical "
        "supplies and demanded unimpeded humanitarian access.\n")
    shifts = [f for f in flags if f.rule == "intensity_shift"]
    assert len(shifts) == 2


def test_common_noun_china_does_not_name_china(tmp_path, hashing_encoder):
    flags = _flags(tmp_path, hashing_encoder,
                   "The ministers met in Tokyo.\n",
                   "The ministers met in Tokyo.\n\nThey were served dinner on fine china tableware.\n")
    assert not [f for f in flags if "china" in f.topics]


def test_same_path_for_html_and_json_is_refused(tmp_path):
    old, new = tmp_path / "old.txt", tmp_path / "new.txt"
    old.write_text("The ministers met in Geneva.\n", encoding="utf-8")
    new.write_text("The ministers met in Geneva.\n", encoding="utf-8")
    out = tmp_path / "same.out"
    r = CliRunner().invoke(cli, ["diff", str(old), str(new), "-o", str(out), "--json", str(out),
                                 "-q", "--cache-dir", str(tmp_path / "cache")])
    assert r.exit_code == 1


def test_symlinked_output_is_written_through(tmp_path):
    old = tmp_path / "old.txt"
    old.write_text("The ministers met in Geneva.\n", encoding="utf-8")
    target = tmp_path / "real.html"
    link = tmp_path / "link.html"
    os.symlink(target, link)
    r = CliRunner().invoke(cli, ["diff", str(old), str(old), "-o", str(link), "-q",
                                 "--cache-dir", str(tmp_path / "cache")])
    assert r.exit_code == 0
    assert link.is_symlink() and target.exists()
