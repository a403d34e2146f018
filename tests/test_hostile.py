"""Hostile inputs and broken environments (issue 8), one CLI case per item.

Every case runs ``driftlab diff`` in a child process whose address space is
capped with ``resource.setrlimit(RLIMIT_AS)`` and whose run time is capped
by a timeout, so a regression (a budget removed, a quadratic scan back)
fails the test instead of exhausting the shared machine. Each must end in a
report or in a one-line ``Error: …`` with exit code 1.

Modes of the child (``mode=``):

* ``hashing`` — the small deterministic encoder of ``conftest.py`` stands in
  for the model, so a case that ends in a report takes seconds;
* ``no-model`` — asking for the model at all is a failure: the error must
  come before the model would load;
* ``real`` — the real model (``real_model`` tests only).

Performance figures live in ``bench/hostile_memory.py``, not here.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import shared_file

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="resource.setrlimit is POSIX-only")

RUNNER = r"""
import resource, sys
cap = int(sys.argv[1]) * 1024 * 1024
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
mode = sys.argv[2]
from driftlab import pipeline
if mode == "hashing":
    from driftlab.embed import HashingEncoder
    pipeline.make_encoder = lambda settings, progress=None: HashingEncoder()
elif mode == "no-model":
    def refuse(settings, progress=None):
        raise SystemExit("FAIL: the model was requested")
    pipeline.make_encoder = refuse
from driftlab.cli import cli
cli.main(args=sys.argv[3:], prog_name="driftlab")
"""

#: Address-space cap of a child without the real model, in MB. A cached or
#: hashing run needs about 0.5 GB of address space; the cap is what a
#: regression would hit (the issue's cases took 2.7-12.7 GB).
CAP_MB = 1500
#: The real model (torch) maps more address space than it uses.
REAL_CAP_MB = 6000


def driftlab(cwd: Path, *args: str, mode: str = "hashing", cap_mb: int = CAP_MB, timeout: float = 120,
             env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
                    DRIFTLAB_CACHE=str(cwd / "cache"), PYTHONIOENCODING="utf-8")
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-c", RUNNER, str(cap_mb if mode != "real" else REAL_CAP_MB), mode, *args],
        cwd=cwd, capture_output=True, text=True, timeout=timeout, env=full_env,
        errors="replace",
    )


#: A progress line ("[  0.8s] reading…"), shown when the shared machine is slow.
PROGRESS = re.compile(r"\[ *\d+\.\ds\] .*…")


def error_of(proc: subprocess.CompletedProcess) -> str:
    """The one-line error of a failed run (and check that it is one line, exit 1)."""
    assert proc.returncode == 1, (proc.returncode, proc.stdout, proc.stderr)
    assert proc.stderr.endswith("\n"), proc.stderr
    lines = [line for line in proc.stderr.splitlines() if not PROGRESS.fullmatch(line)]
    assert len(lines) == 1 and lines[0].startswith("Error: "), proc.stderr
    return lines[0][len("Error: "):]


def ok(proc: subprocess.CompletedProcess) -> list[str]:
    """The warning lines of a successful run."""
    assert proc.returncode == 0, (proc.returncode, proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr
    return [line for line in proc.stderr.splitlines() if line.startswith("warning: ")]


OLD = """The leaders reaffirmed their commitment to the trilateral partnership and to regular meetings.

They expressed concern about the missile launches and called for complete denuclearization.

They welcomed the new framework on supply chains and economic security cooperation.
"""
NEW = """The leaders reaffirmed their strong commitment to the trilateral partnership and to annual meetings.

They expressed grave concern about the missile launches and urged complete denuclearization.

They launched a working group on critical technology and cyber security.
"""


@pytest.fixture
def pair(tmp_path: Path) -> tuple[str, str]:
    (tmp_path / "old.txt").write_text(OLD, encoding="utf-8")
    (tmp_path / "new.txt").write_text(NEW, encoding="utf-8")
    return "old.txt", "new.txt"


# --------------------------------------------------------- time and memory --


def test_long_sentence_without_punctuation_ends_in_report(tmp_path):
    # 200 KB in one sentence once took 257 s (rescanned per ladder rung).
    words = [f"word{i % 997}" for i in range(25_000)]
    (tmp_path / "a.txt").write_text(" ".join(words) + "\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text(" ".join(reversed(words)) + "\n", encoding="utf-8")
    proc = driftlab(tmp_path, "diff", "a.txt", "b.txt", "--no-html", "--json", "r.json", "-q")
    ok(proc)
    doc = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["old"]
    sentences = [(s["start"], s["end"]) for p in doc["paragraphs"] for s in p["sentences"]]
    assert len(doc["text"]) > 190_000
    assert max(e - s for s, e in sentences) <= 3000  # max_sentence_chars
    assert max(p["end"] - p["start"] for p in doc["paragraphs"]) <= 16000  # max_paragraph_chars
    # Cut at word boundaries, and nothing lost: the pieces cover every word.
    text = doc["text"]
    assert " ".join(text[s:e] for s, e in sentences) == text


def test_twenty_thousand_one_word_paragraphs_are_refused_before_the_model(tmp_path, pair):
    # 184 KB, far under max_text_mb, once took 12.7 GB in the dense matrices.
    (tmp_path / "many.txt").write_text("\n\n".join(f"w{i}" for i in range(20_000)) + "\n", encoding="utf-8")
    proc = driftlab(tmp_path, "diff", pair[0], "many.txt", mode="no-model")
    assert error_of(proc) == (
        "many.txt has 20,000 paragraphs, more than the 3,000 driftlab aligns (max_paragraphs)"
    )


def test_two_large_texts_are_refused_by_the_sentence_budget(tmp_path):
    # Two 1.9 MB texts once took 2.7 GB.
    sentence = "The parties reaffirmed their commitment to the agreed framework on item {}."
    paras = ["  ".join(sentence.format(p * 10 + k) for k in range(10)) for p in range(2_500)]
    text = "\n\n".join(paras) + "\n"
    assert 1.8e6 < len(text) < 2.0e6
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    (tmp_path / "b.txt").write_text(text.replace("reaffirmed", "confirmed"), encoding="utf-8")
    proc = driftlab(tmp_path, "diff", "a.txt", "b.txt", mode="no-model")
    assert error_of(proc) == "a.txt has 25,000 sentences, more than the 5,000 driftlab aligns (max_sentences)"


def test_pair_over_the_matrix_budget_is_refused_before_the_model(tmp_path):
    text = "\n\n".join(f"Short sentence {i}. Another one {i}." for i in range(2_000)) + "\n"
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    (tmp_path / "b.txt").write_text(text, encoding="utf-8")
    proc = driftlab(tmp_path, "diff", "a.txt", "b.txt", "--max-matrix-cells", "10000000", mode="no-model")
    assert error_of(proc) == (
        "a.txt and b.txt are too large to compare: 4,000 × 4,000 sentences is 16,000,000 pairs, "
        "more than the 10,000,000 driftlab compares (max_matrix_cells)"
    )


def test_many_paragraphs_of_many_words_are_refused_before_the_model(tmp_path):
    # Under every per-statement budget, but the paragraph-by-vocabulary
    # matrices of the pair would take gigabytes (10,000 paragraphs took 5.4 GB).
    text = "\n\n".join(" ".join(f"w{i}x{k}" for k in range(40)) + "." for i in range(2_500)) + "\n"
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    (tmp_path / "b.txt").write_text(text, encoding="utf-8")
    proc = driftlab(tmp_path, "diff", "a.txt", "b.txt", mode="no-model")
    assert error_of(proc) == (
        "a.txt and b.txt are too large to compare: 5,000 paragraphs × 200,000 words is 1,000,000,000 cells, "
        "more than the 200,000,000 driftlab compares (max_matrix_cells); split the statements or raise the budget"
    )


BOMB = """a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_yaml_alias_bomb_in_front_matter_is_refused(tmp_path, pair):
    (tmp_path / "bomb.txt").write_text("---\ntitle: x\n" + BOMB + "---\n" + NEW, encoding="utf-8")
    proc = driftlab(tmp_path, "diff", pair[0], "bomb.txt", mode="no-model")
    assert error_of(proc) == "bomb.txt: malformed front matter at line 3: YAML anchors (&name) are not allowed"


@pytest.mark.parametrize("option", ["--config", "--topics"])
def test_yaml_alias_bomb_in_config_and_topics_is_refused(tmp_path, pair, option):
    (tmp_path / "bomb.yaml").write_text("model: x\n" + BOMB, encoding="utf-8")
    proc = driftlab(tmp_path, "diff", *pair, option, "bomb.yaml", mode="no-model")
    message = error_of(proc)
    what = "Config file" if option == "--config" else "Topic config"
    assert message.startswith(f"{what} bomb.yaml is not valid YAML: YAML anchors (&name) are not allowed")
    assert len(message) < 300


def test_long_values_are_cut_in_error_messages(tmp_path, pair):
    (tmp_path / "long.yaml").write_text("batch_size: '" + "9x" * 500_000 + "'\n", encoding="utf-8")
    proc = driftlab(tmp_path, "diff", *pair, "--config", "long.yaml", mode="no-model")
    assert error_of(proc) == "Setting 'batch_size' expects int, got '" + "9x" * 39 + "9…'."


def test_oversized_front_matter_is_refused(tmp_path, pair):
    fields = "".join(f"note{i}: {'x' * 60}\n" for i in range(1_200))
    (tmp_path / "fm.txt").write_text("---\n" + fields + "---\n" + NEW, encoding="utf-8")
    proc = driftlab(tmp_path, "diff", pair[0], "fm.txt", mode="no-model")
    assert error_of(proc) == "fm.txt: front matter is 82 KB, more than the 64 KB limit (max_front_matter_kb)"


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_symlink_to_dev_zero_is_refused(tmp_path, pair):
    (tmp_path / "zero.txt").symlink_to("/dev/zero")
    proc = driftlab(tmp_path, "diff", pair[0], "zero.txt", mode="no-model", timeout=30)
    assert error_of(proc) == "zero.txt is a device, not a statement file"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_endless_pipe_is_read_with_a_bound(tmp_path, pair):
    # A FIFO's size is 0 too; the read stops at max_input_mb.
    os.mkfifo(tmp_path / "pipe.txt")
    writer = subprocess.Popen(["sh", "-c", "yes 'endless text' > pipe.txt"], cwd=tmp_path,
                              stderr=subprocess.DEVNULL)
    try:
        proc = driftlab(tmp_path, "diff", pair[0], "pipe.txt", "--max-input-mb", "1", mode="no-model", timeout=60)
    finally:
        writer.kill()
        writer.wait()
    assert error_of(proc) == "pipe.txt is larger than the 1 MB limit (max_input_mb)"


# ------------------------------------------------------- the cache fails soft --


def _cache_file(tmp_path: Path) -> Path:
    return tmp_path / "cache" / "embeddings.sqlite3"


def _warm(tmp_path: Path, pair) -> bytes:
    """A first run fills the cache; its JSON report is the reference."""
    ok(driftlab(tmp_path, "diff", *pair, "--no-html", "--json", "ref.json", "-q"))
    assert _cache_file(tmp_path).stat().st_size > 0
    return (tmp_path / "ref.json").read_bytes()


@pytest.mark.parametrize("damage", ["garbage", "truncated", "corrupt_pages"])
def test_corrupt_cache_is_set_aside_and_rebuilt(tmp_path, pair, damage):
    ref = _warm(tmp_path, pair)
    db = _cache_file(tmp_path)
    with sqlite3.connect(db) as conn:  # fold the WAL in, so the damage hits the data
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = db.read_bytes()
    if damage == "garbage":
        db.write_bytes(b"this is not a database at all\n" * 100)
    elif damage == "truncated":
        db.write_bytes(data[:60])
    else:
        page = 4096 if len(data) > 8192 else 1024
        db.write_bytes(data[:page] + b"\xde\xad\xbe\xef" * ((len(data) - page) // 4))
    proc = driftlab(tmp_path, "diff", *pair, "--no-html", "--json", "again.json")
    warnings = ok(proc)
    assert len(warnings) == 1 and "was corrupt" in warnings[0] and "started a new one" in warnings[0], warnings
    assert (tmp_path / "again.json").read_bytes() == ref
    assert db.with_name("embeddings.sqlite3.corrupt").exists()
    # The rebuilt cache works: a third run is silent and identical.
    proc = driftlab(tmp_path, "diff", *pair, "--no-html", "--json", "third.json")
    assert ok(proc) == []
    assert (tmp_path / "third.json").read_bytes() == ref


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs /proc")
@pytest.mark.parametrize("where", ["/proc/self", "/proc/self/driftlab-cache"])
def test_unwritable_cache_folder_warns_and_runs_without(tmp_path, pair, where):
    # /proc/self cannot be written or created in, even by root (chmod cannot show that to root).
    proc = driftlab(tmp_path, "diff", *pair, "--no-html", "--json", "r.json", env={"DRIFTLAB_CACHE": where})
    warnings = ok(proc)
    assert len(warnings) == 1 and warnings[0].startswith(f"warning: embedding cache {where}/embeddings.sqlite3: ")
    assert warnings[0].endswith("; continuing without the cache")
    assert json.loads((tmp_path / "r.json").read_text())["links"]


def test_cache_env_pointing_at_a_file(tmp_path, pair):
    (tmp_path / "afile").write_text("x")
    proc = driftlab(tmp_path, "diff", *pair, "--no-html", "--json", "r.json", env={"DRIFTLAB_CACHE": "afile"})
    assert ok(proc) == [
        "warning: embedding cache afile/embeddings.sqlite3: cannot create the folder afile "
        "([Errno 17] File exists: 'afile'); continuing without the cache"
    ] or ok(proc)[0].startswith("warning: embedding cache afile/embeddings.sqlite3: cannot create the folder afile")
    assert (tmp_path / "afile").read_text() == "x"


def test_folder_where_the_cache_database_should_be(tmp_path, pair):
    _cache_file(tmp_path).mkdir(parents=True)
    proc = driftlab(tmp_path, "diff", *pair, "--no-html", "--json", "r.json")
    assert ok(proc) == [
        f"warning: embedding cache {_cache_file(tmp_path)}: a folder is where the database file should be; "
        "continuing without the cache"
    ]


def test_cache_with_another_schema_is_left_alone(tmp_path, pair):
    db = _cache_file(tmp_path)
    db.parent.mkdir()
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE vectors (id INTEGER, payload TEXT)")
        conn.execute("INSERT INTO vectors VALUES (1, 'theirs')")
    conn.close()
    proc = driftlab(tmp_path, "diff", *pair, "--no-html", "--json", "r.json")
    warnings = ok(proc)
    assert len(warnings) == 1 and "it holds another schema" in warnings[0]
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT payload FROM vectors").fetchall() == [("theirs",)]
    conn.close()


def test_tampered_vectors_are_never_used(tmp_path, pair):
    ref = _warm(tmp_path, pair)
    with sqlite3.connect(_cache_file(tmp_path)) as conn:
        # Wrong dimension (consistent with its byte length), and for good measure the recorded model dim too.
        conn.execute("UPDATE vectors SET dim = 8, vec = ?", [bytes(32)])
    conn.close()
    proc = driftlab(tmp_path, "diff", *pair, "--no-html", "--json", "again.json")
    warnings = ok(proc)
    assert len(warnings) == 1 and "ignored" in warnings[0] and "wrong shape" in warnings[0]
    assert (tmp_path / "again.json").read_bytes() == ref


# ------------------------------------------------------ nothing lost silently --

PARAS = [f"Paragraph {i}: the parties reaffirm their shared commitment to item {i} of the agreed plan."
         for i in range(400)]


def test_html_with_unclosed_divs_keeps_every_paragraph(tmp_path, pair):
    page = "<html><head><title>T</title></head><body>" + "".join(f"<div><p>{p}" for p in PARAS) + "</body></html>"
    (tmp_path / "page.html").write_text(page, encoding="utf-8")
    proc = driftlab(tmp_path, "diff", pair[0], "page.html", "--no-html", "--json", "r.json")
    assert ok(proc) == [
        "warning: page.html: the main-text extractor kept 253 of 400 passages of running text (malformed or "
        "deeply nested markup?); using the page's plain visible text instead, which may include some page furniture"
    ]
    new = json.loads((tmp_path / "r.json").read_text())["new"]
    assert [p["text"] for p in new["paragraphs"]] == PARAS


def test_deeply_nested_html_is_not_reported_empty(tmp_path, pair):
    page = "<html><body>" + "<div>" * 300 + "".join(f"<p>{p}</p>" for p in PARAS[:4]) + "</div>" * 300 + "</body></html>"
    (tmp_path / "deep.html").write_text(page, encoding="utf-8")
    proc = driftlab(tmp_path, "diff", pair[0], "deep.html", "--no-html", "--json", "r.json")
    warnings = ok(proc)
    assert len(warnings) == 1 and "kept 0 of 4 passages" in warnings[0]
    new = json.loads((tmp_path / "r.json").read_text())["new"]
    assert [p["text"] for p in new["paragraphs"]] == PARAS[:4]


def test_file_of_only_zero_width_characters_is_refused(tmp_path, pair):
    (tmp_path / "zw.txt").write_text("\u200b\u200c\u200d\n\n\ufeff\u2060\u200b\n", encoding="utf-8")
    proc = driftlab(tmp_path, "diff", pair[0], "zw.txt", mode="no-model")
    assert error_of(proc) == (
        "zw.txt has only invisible characters (zero-width spaces, format marks); no statement text found"
    )


def test_nul_bytes_after_the_first_8_kib_reach_no_report(tmp_path, pair):
    body = ("The parties reaffirmed their commitment. " * 250) + "\n\n"
    assert len(body) > 8192
    text = body + "They\x00 welcomed\x00 the framework.\n" + NEW
    (tmp_path / "nul.txt").write_text(text, encoding="utf-8")
    proc = driftlab(tmp_path, "diff", pair[0], "nul.txt", "-o", "r.html", "--json", "r.json", "--csv", "r.csv")
    assert ok(proc) == ["warning: nul.txt: removed 2 control characters (2 NUL)"]
    for name in ("r.html", "r.json", "r.csv"):
        data = (tmp_path / name).read_bytes()
        assert b"\x00" not in data and b"\\u0000" not in data, name
    assert "They welcomed the framework." in json.loads((tmp_path / "r.json").read_text())["new"]["text"]


def test_right_to_left_override_is_marked_visibly(tmp_path, pair):
    (tmp_path / "rlo.txt").write_text(NEW.replace("grave concern", "grave \u202econcern\u202c"), encoding="utf-8")
    proc = driftlab(tmp_path, "diff", pair[0], "rlo.txt", "-o", "r.html", "--csv", "r.csv")
    assert ok(proc) == ["warning: rlo.txt: marked 2 bidirectional control characters as [U+202C], [U+202E]"]
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "\u202e" not in html and "\u202c" not in html
    assert "grave [U+202E]concern[U+202C]" in html


def _pdf(text_lines: list[str]) -> bytes:
    import io

    pytest.importorskip("reportlab")
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    y = 800
    for line in text_lines:
        c.drawString(72, y, line)
        y -= 40
    c.save()
    return buf.getvalue()


def test_aes_encrypted_pdf_is_read(tmp_path, pair):
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(_pdf(["The leaders expressed grave concern about the launches."]))).pages:
        writer.add_page(page)
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-256")
    with open(tmp_path / "aes.pdf", "wb") as fh:
        writer.write(fh)
    proc = driftlab(tmp_path, "diff", pair[0], "aes.pdf", "--no-html", "--json", "r.json")
    ok(proc)
    assert "grave concern" in json.loads((tmp_path / "r.json").read_text())["new"]["text"]


def test_broken_pdf_gives_one_line_and_no_log_output(tmp_path, pair):
    (tmp_path / "broken.pdf").write_bytes(
        b"%PDF-1.4\nxref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 1 >>\nstartxref\n9999\n%%EOF\n"
    )
    proc = driftlab(tmp_path, "diff", pair[0], "broken.pdf", mode="no-model")
    assert error_of(proc) == "broken.pdf is not a readable PDF (Cannot find Root object in pdf)"


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf"])
def test_non_finite_topic_weights_are_refused(tmp_path, pair, value):
    (tmp_path / "topics.yaml").write_text(
        f"topics:\n  - id: dprk\n    terms: [missile]\n    weight: {value}\n", encoding="utf-8"
    )
    proc = driftlab(tmp_path, "diff", *pair, "--topics", "topics.yaml", mode="no-model")
    shown = {".nan": "nan", ".inf": "inf", "-.inf": "-inf"}[value]
    assert error_of(proc) == f"topic 'dprk' weight must be a finite number, got {shown}."


def test_config_model_must_be_a_name(tmp_path, pair):
    (tmp_path / "c.yaml").write_text("model: {a: 1}\n", encoding="utf-8")
    proc = driftlab(tmp_path, "diff", *pair, "--config", "c.yaml", mode="no-model")
    assert error_of(proc) == "Setting 'model' expects str, got a dict of 1 item."


# ------------------------------------------------------------------- outputs --


def test_output_name_of_250_characters_is_written(tmp_path, pair):
    name = "r" * 245 + ".html"
    proc = driftlab(tmp_path, "diff", *pair, "-o", name, "-q")
    ok(proc)
    assert (tmp_path / name).exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_output_name_too_long_is_refused_before_the_model(tmp_path, pair):
    name = "r" * 295 + ".html"
    proc = driftlab(tmp_path, "diff", *pair, "-o", name, mode="no-model")
    assert error_of(proc) == (
        f"Cannot write report to {name[:159]}…: its file name is 300 bytes, more than the 255 the file system allows."
    )


def test_output_path_of_5_kb_is_refused_before_the_model(tmp_path, pair):
    path = "/".join(["d" * 200] * 25) + "/r.html"
    proc = driftlab(tmp_path, "diff", *pair, "-o", path, mode="no-model")
    message = error_of(proc)
    assert message.startswith("Cannot write report to dddd") and message.endswith(
        f"…: the path is {len(str(tmp_path)) + 1 + len(path)} bytes, more than the 4095 the system allows."
    )
    assert len(message) < 300


def test_input_name_not_valid_utf8_still_gives_a_report(tmp_path):
    old = os.fsencode(tmp_path) + b"/old-\xff\xfe.txt"
    with open(old, "wb") as fh:
        fh.write(OLD.encode("utf-8"))
    (tmp_path / "new.txt").write_text(NEW, encoding="utf-8")
    proc = driftlab(tmp_path, "diff", os.fsdecode(b"old-\xff\xfe.txt"), "new.txt", "-o", "r.html", "--json", "r.json")
    ok(proc)
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["old"]["path"] == "old-\ufffd\ufffd.txt"


def test_output_onto_a_folder_is_refused_before_the_model(tmp_path, pair):
    (tmp_path / "out").mkdir()
    proc = driftlab(tmp_path, "diff", *pair, "-o", "out", mode="no-model")
    assert error_of(proc) == "Cannot write report to out: it is a directory."


def test_same_output_twice_is_refused_before_the_model(tmp_path, pair):
    proc = driftlab(tmp_path, "diff", *pair, "-o", "r.out", "--json", "./r.out", mode="no-model")
    assert error_of(proc) == "Cannot write two reports to the same file r.out."


def test_stale_temporaries_of_a_killed_run_are_removed(tmp_path, pair):
    (tmp_path / "out").mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / "out" / f".driftlab-{dead.pid}-abcd1234.tmp"
    stale.write_text("half a report")
    live = tmp_path / "out" / f".driftlab-{os.getpid()}-efgh5678.tmp"  # this test process is alive
    live.write_text("being written")
    ok(driftlab(tmp_path, "diff", *pair, "-o", "out/r.html", "-q"))
    assert not stale.exists() and live.exists()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(["r.html", live.name])


def test_outputs_of_one_run_share_a_run_id(tmp_path, pair):
    ok(driftlab(tmp_path, "diff", *pair, "-o", "r.html", "--json", "r.json", "--csv", "r.csv", "-q"))
    run_id = json.loads((tmp_path / "r.json").read_text())["run"]["run_id"]
    assert len(run_id) == 16
    import csv

    with (tmp_path / "r.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and {r["run_id"] for r in rows} == {run_id}
    from bs4 import BeautifulSoup

    soup = BeautifulSoup((tmp_path / "r.html").read_text(encoding="utf-8"), "html.parser")
    run = soup.select_one("details.run")
    assert run is not None and run_id in run.get_text()
    # Other settings, other run: the id changes.
    ok(driftlab(tmp_path, "diff", *pair, "--no-html", "--json", "r2.json", "--link-threshold", "0.5", "-q"))
    assert json.loads((tmp_path / "r2.json").read_text())["run"]["run_id"] != run_id


def test_symlinked_output_pointing_outside_its_folder_is_refused(tmp_path, pair):
    (tmp_path / "elsewhere").mkdir()
    victim = tmp_path / "elsewhere" / "important.html"
    victim.write_text("keep me")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "r.html").symlink_to(victim)
    proc = driftlab(tmp_path, "diff", *pair, "-o", "out/r.html", mode="no-model")
    assert error_of(proc) == (
        f"Cannot write report to out/r.html: it is a symlink to {victim}, outside its folder; "
        "replacing it would replace that file. Remove the link or write to the file itself."
    )
    assert victim.read_text() == "keep me"
    # A link inside its own folder ("latest.html") is written through.
    (tmp_path / "out" / "latest.html").symlink_to("r2.html")
    ok(driftlab(tmp_path, "diff", *pair, "-o", "out/latest.html", "-q"))
    assert (tmp_path / "out" / "latest.html").is_symlink()
    assert (tmp_path / "out" / "r2.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


# ----------------------------------------------------------------- real model --


@pytest.mark.real_model
@pytest.mark.shared
def test_real_statements_with_a_corrupt_cache_and_a_hostile_copy(tmp_path):
    """Real text, real model: a corrupt cache is rebuilt, and a copy of a real
    statement carrying a NUL byte, an RLO and a run-on last paragraph still
    gives the same links as the clean copy."""
    old = shared_file("trilateral_rok_us_japan/2024-11-15_lima_trilateral_leaders_joint_statement.txt")
    text = old.read_text(encoding="utf-8")
    (tmp_path / "clean.txt").write_text(text, encoding="utf-8")
    # The NUL goes past the first 8 KiB (a NUL there marks a binary file, refused).
    cut = text.index(" the ", 9000)
    hostile = text[:cut] + " the\x00 " + text[cut + len(" the "):]
    (tmp_path / "hostile.txt").write_text(hostile.replace(" and ", " \u202eand\u202c ", 1), encoding="utf-8")
    db = _cache_file(tmp_path)
    db.parent.mkdir()
    db.write_bytes(b"garbage" * 1000)
    proc = driftlab(tmp_path, "diff", "clean.txt", "hostile.txt", "--no-html", "--json", "r.json",
                    mode="real", timeout=600)
    warnings = ok(proc)
    assert any("was corrupt" in w for w in warnings), warnings
    assert any("removed 1 control character (1 NUL)" in w and "[U+202E]" in w for w in warnings), warnings
    result = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert len(result["new"]["paragraphs"]) == len(result["old"]["paragraphs"])
    # Every paragraph is carried over: the hostile characters changed two words' surroundings, no passage.
    assert {lk["type"] for lk in result["links"]} <= {"unchanged", "edited"}
    assert all(lk["old"] and lk["new"] for lk in result["links"])


def test_run_on_sentences_are_cut_at_clause_then_word_boundaries():
    from driftlab.segment import cut_long

    clauses = "; ".join(f"clause {i} of the long enumeration goes on" for i in range(200))
    pieces = cut_long(clauses, 0, len(clauses), 500)
    assert all(e - s <= 500 for s, e in pieces)
    assert all(clauses[e - 1] == ";" for s, e in pieces[:-1])  # after a clause break, never mid-clause
    words = " ".join(f"word{i}" for i in range(2000))
    pieces = cut_long(words, 0, len(words), 500)
    assert all(e - s <= 500 for s, e in pieces)
    assert " ".join(words[s:e] for s, e in pieces) == words  # at spaces: no word is split
    blob = "x" * 1234  # one endless word: cut mid-word, nothing lost
    assert cut_long(blob, 0, len(blob), 500) == [(0, 500), (500, 1000), (1000, 1234)]
