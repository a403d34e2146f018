"""ingest: files of each format → Statement; every bad input → a named error."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from driftlab.errors import (
    BinaryInput,
    EmptyInput,
    EncodingError,
    InputError,
    InputTooLarge,
    MissingFile,
    NoTextLayer,
    UnsupportedFormat,
)
from driftlab.ingest import load_statement, parse_text, rebuild_paragraphs
from driftlab.types import Meta

ROOT = Path(__file__).resolve().parent.parent
INGEST = ROOT / "tests" / "fixtures" / "ingest"
EXAMPLES = ROOT / "corpus" / "examples"


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    p = tmp_path / name
    if isinstance(content, bytes):
        p.write_bytes(content)
    else:
        p.write_text(content, encoding="utf-8", newline="")
    return p


def paragraphs(text: str) -> list[str]:
    return text.split("\n\n")


# ------------------------------------------------------------------ text --


def test_scraped_page_keeps_only_the_statement():
    s = load_statement(INGEST / "scraped_page.txt")
    assert s.format == "text"
    assert s.text == (
        "The Arden-Belmont Fisheries Commission met in Port Verity on March 3, 2031. "
        "The delegations were led by Dr. Ilse Marrow and Mr. Tomas Vey.\n\n"
        "The Commission agreed to reduce the herring quota by 8 per cent "
        "(from 120,000 to 110,400 tonnes). It noted that stocks in the U.S. Atlantic "
        "model and the Belmont survey disagree.\n\n"
        "The Commission will meet again in Belmont City in September."
    )
    # The page heading before "Begin Text:" is the title; clutter is skipped.
    assert s.meta == Meta(title="Joint Statement of the Arden-Belmont Fisheries Commission")


def test_clutter_lines_dropped_without_markers():
    raw = "top of page\nWriter’s pictureSomeone\n\nFirst paragraph here.\n\nBack to top\nSecond one.\nbottom of page"
    s = parse_text(raw)
    assert s.text == "First paragraph here.\n\nSecond one."


def test_clutter_patterns_only_match_whole_lines():
    raw = "We met at the top of page two of the agenda.\n\nShare this post with the delegations, they said."
    assert parse_text(raw).text == raw


@pytest.mark.shared
def test_seed_title_and_clutter(seed_path):
    s = load_statement(seed_path)
    assert s.meta.title == (
        "Joint Statement on the Republic of Korea-U.S.-Japan Trilateral Vice Foreign Ministerial Meeting"
    )
    assert s.meta.date == "2024-10-16"  # from the file name
    for junk in ("top of page", "bottom of page", "Writer's picture", "Begin Text", "End Text", "The following is"):
        assert junk not in s.text
    assert len(paragraphs(s.text)) == 15


@pytest.mark.shared
def test_repo_copy_of_seed_matches_ingested_seed(seed_path):
    repo = load_statement(ROOT / "corpus" / "2024-10-16_trilateral_vice_fm_seoul.txt")
    assert repo.text == load_statement(seed_path).text
    assert repo.meta.series == "ROK-US-Japan trilateral vice foreign ministerial statements"
    assert repo.meta.source == "republished web page (scraped)"
    assert repo.meta.date == "2024-10-16" and repo.meta.partial is False


def test_curated_file_body_is_kept_whole(tmp_path):
    # With front matter the body is as curated: gold files count its
    # blank-line blocks, so markers and preambles are not cut.
    raw = "---\ntitle: T\n---\nPreamble line.\n\nBegin Text:\n\nThe statement.\n\nEnd Text\n"
    p = write(tmp_path, "curated.txt", raw)
    assert paragraphs(load_statement(p).text) == ["Preamble line.", "Begin Text:", "The statement.", "End Text"]


def test_output_text_is_normalised():
    raw = "First line  \r\nsame paragraph\t\r\n\r\n\r\n\r\nCafe\u0301 “quoted” — colour\rlast\n\n\n"
    s = parse_text(raw)
    assert s.text == "First line\nsame paragraph\n\nCafé “quoted” — colour\nlast"
    assert unicodedata.is_normalized("NFC", s.text)


def test_leading_blank_lines_dropped():
    assert parse_text("\n\n  \nOnly paragraph.\n").text == "Only paragraph."


def test_bom_is_accepted(tmp_path):
    p = write(tmp_path, "bom.txt", "\ufeffA statement with a byte order mark.".encode("utf-8-sig"))
    assert load_statement(p).text == "A statement with a byte order mark."


# ---------------------------------------------------------- front matter --


def test_front_matter_fills_meta():
    s = load_statement(INGEST / "statement.md")
    assert s.meta == Meta(
        title="Commission Communiqué",
        date="2031-04-01",  # an unquoted YAML date, stored as ISO text
        series="Arden-Belmont Fisheries Commission communiqués (fictional)",
        partial=False,
        extra=(("chair", "Dr. Ilse Marrow"), ("meeting", "12")),
    )


def test_partial_statement_loads(tmp_path):
    p = write(tmp_path, "p.txt", "---\ntitle: Opening only\npartial: true\n---\nThe text stops mid-sent")
    s = load_statement(p)
    assert s.meta.partial is True
    assert s.text == "The text stops mid-sent"


def test_malformed_front_matter_names_the_line(tmp_path):
    p = write(tmp_path, "bad.txt", '---\ntitle: "ok"\ndate: [2024\nseries: x\n---\nBody.\n')
    with pytest.raises(InputError) as exc:
        load_statement(p)
    assert str(exc.value).startswith(f"{p}: malformed front matter at line ")
    assert type(exc.value) is InputError


def test_malformed_front_matter_exact_line(tmp_path):
    p = write(tmp_path, "bad.txt", "---\ntitle: a\ndate: 2024-01-01\n  bad: indent\n---\nBody.\n")
    with pytest.raises(InputError) as exc:
        load_statement(p)
    assert str(exc.value) == (
        f"{p}: malformed front matter at line 4: mapping values are not allowed here"
    )


def test_unclosed_front_matter(tmp_path):
    p = write(tmp_path, "open.txt", "---\ntitle: x\n\nBody text.\n")
    with pytest.raises(InputError) as exc:
        load_statement(p)
    assert str(exc.value) == f"{p}: front matter opened at line 1 is never closed with '---'"


def test_front_matter_must_be_a_mapping(tmp_path):
    p = write(tmp_path, "list.txt", "---\n- a\n- b\n---\nBody.\n")
    with pytest.raises(InputError) as exc:
        load_statement(p)
    assert str(exc.value) == f"{p}: front matter must be a mapping of keys to values (lines 2-3)"


def test_only_front_matter_is_empty(tmp_path):
    p = write(tmp_path, "fm.txt", "---\ntitle: Nothing else\n---\n\n   \n")
    with pytest.raises(EmptyInput) as exc:
        load_statement(p)
    assert str(exc.value) == f"{p} has only front matter; no statement text found"


def test_missing_metadata_falls_back_to_stem_and_file_date(tmp_path):
    p = write(tmp_path, "2030-02-28_some_statement.txt", "We met today. We agreed on everything.\n")
    assert load_statement(p).meta == Meta(title="2030-02-28_some_statement", date="2030-02-28")


def test_impossible_date_in_name_is_ignored(tmp_path):
    p = write(tmp_path, "2030-13-45_x.txt", "We met.\n")
    assert load_statement(p).meta.date == ""


def test_title_from_heading_line():
    s = parse_text("Statement of the Board\n\nThe Board met today.", path="board.txt")
    assert s.meta.title == "Statement of the Board"
    assert s.text == "Statement of the Board\n\nThe Board met today."


# -------------------------------------------------------------- markdown --


def test_markdown_markup_is_stripped():
    s = load_statement(INGEST / "statement.md")
    assert s.format == "markdown"
    assert paragraphs(s.text) == [
        "Commission Communiqué",
        "The Commission welcomed the new survey published on the Commission website "
        "and the report of the science_panel.",
        "Delegations agreed on three measures:",
        "closing the spawning grounds in February;\n"
        "a 12-month review of the quota;\n"
        "shared inspection of landings.",
        # Underscores inside words and a lone "*" are text, not emphasis.
        "The Chair recalled that the Commission's_mandate covers 5 * 3 = 15 species.",
        "The Commission will meet again in September.",
    ]
    assert "internal note" not in s.text and "https://" not in s.text


def test_markdown_escapes_and_strong():
    s = parse_text("## Title ##\n\n__Strong__ and \\*literal\\* stars.", format="markdown")
    assert s.text == "Title\n\nStrong and *literal* stars."


# ------------------------------------------------------------------ html --


def test_html_main_text_and_metadata():
    s = load_statement(INGEST / "statement.html")
    assert s.format == "html"
    assert s.meta.title == "Commission Communiqué on Herring Stocks"
    assert s.meta.date == "2025-05-20"
    paras = paragraphs(s.text)
    assert paras[1].startswith("The Arden-Belmont Fisheries Commission reviewed")
    assert paras[-1].endswith("review it again in September.")
    for clutter in ("Home", "Contact", "All rights reserved", "Privacy policy"):
        assert clutter not in s.text


def test_html_markup_written_as_text_survives_but_scripts_do_not():
    s = load_statement(INGEST / "statement.html")
    # Escaped markup in the page is statement text and must reach the
    # renderer as literal characters (which escapes it).
    assert "<script>alert('catch')</script>" in s.text
    assert "<img src=x onerror=alert(1)>" in s.text
    assert "SCRIPT_BODY_MUST_NOT_APPEAR" not in s.text


def test_malformed_html_still_extracts(tmp_path):
    p = write(
        tmp_path,
        "broken.html",
        "<html><body><div><p>The Commission met in Port Verity and agreed to keep the quota"
        " unchanged.<p>It will meet again in the autumn to review the spring survey<div></span>",
    )
    s = load_statement(p)
    assert paragraphs(s.text) == [
        "The Commission met in Port Verity and agreed to keep the quota unchanged.",
        "It will meet again in the autumn to review the spring survey",
    ]


def test_html_without_text(tmp_path):
    p = write(
        tmp_path,
        "nothing.html",
        "<!doctype html><html><head><title>x</title></head><body><script>var x = 1;</script></body></html>",
    )
    with pytest.raises(EmptyInput) as exc:
        load_statement(p)
    assert str(exc.value) == f"no statement text found in {p}"


def test_html_declared_charset_is_honoured(tmp_path):
    html = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
        "</head><body><p>Le comité s'est réuni à Genève et a adopté la déclaration finale.</p></body></html>"
    )
    p = write(tmp_path, "latin.html", html.encode("iso-8859-1"))
    assert load_statement(p).text == "Le comité s'est réuni à Genève et a adopté la déclaration finale."


def test_html_not_in_declared_charset(tmp_path):
    p = write(tmp_path, "sjis.htm", b'<html><head><meta charset="shift_jis"></head><body><p>ok \x81</p></body></html>')
    with pytest.raises(EncodingError) as exc:
        load_statement(p)
    assert str(exc.value) == f"{p} is not valid shift_jis (its declared charset): byte 0x81 at offset 57"


def test_html_unknown_declared_charset(tmp_path):
    p = write(tmp_path, "odd.html", b'<html><head><meta charset="klingon-8"></head><body><p>Words.</p></body></html>')
    with pytest.raises(EncodingError) as exc:
        load_statement(p)
    assert str(exc.value) == f"{p} declares an unknown charset 'klingon-8'"


def test_parse_text_refuses_pdf():
    with pytest.raises(UnsupportedFormat) as exc:
        parse_text("%PDF-1.4", format="pdf")
    assert str(exc.value) == "<string>: parse_text cannot read format 'pdf'"


def test_parse_text_html_in_memory():
    s = parse_text("<html><body><p>A statement fetched from the web today.</p></body></html>", format="html")
    assert s.text == "A statement fetched from the web today."
    assert s.path == "<string>"


# ------------------------------------------------------------------- pdf --

PDF_PARAGRAPHS = [
    "The Board decided to keep the policy rate unchanged at 3.25 per cent. Inflation has eased "
    "since the autumn but remains above the target, and members judged that a cautious approach "
    "was still warranted given the outlook for wages.",
    "Members noted the strength of the labour market. Employment growth has slowed, yet "
    "unemployment remains close to historic lows and vacancies are elevated.",
    "The Board will continue to monitor developments closely and stands ready to adjust "
    "policy if needed.",
]


def make_pdf(path: Path, paras: list[str]) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    style = getSampleStyleSheet()["BodyText"]
    SimpleDocTemplate(str(path), pagesize=A4).build([Paragraph(t, style) for t in paras])
    return path


def test_pdf_rebuilds_wrapped_paragraphs(tmp_path):
    s = load_statement(make_pdf(tmp_path / "2031-01-15_board.pdf", PDF_PARAGRAPHS))
    assert s.format == "pdf"
    assert paragraphs(s.text) == PDF_PARAGRAPHS
    assert s.meta.date == "2031-01-15"
    # reportlab's "(anonymous)" placeholder title is not a title.
    assert s.meta.title == "2031-01-15_board"


def test_pdf_paragraph_across_pages(tmp_path):
    paras = [f"Paragraph number {i} of the long communiqué. " + PDF_PARAGRAPHS[0] for i in range(30)]
    s = load_statement(make_pdf(tmp_path / "long.pdf", paras))
    assert paragraphs(s.text) == paras


def test_pdf_without_text_layer(tmp_path):
    from reportlab.pdfgen import canvas

    p = tmp_path / "scan.pdf"
    c = canvas.Canvas(str(p))
    c.rect(100, 100, 200, 300, fill=1)
    c.showPage()
    c.save()
    with pytest.raises(NoTextLayer) as exc:
        load_statement(p)
    assert str(exc.value) == f"{p} has no text layer (scanned?); run OCR first"


def test_corrupt_pdf(tmp_path):
    p = write(tmp_path, "broken.pdf", b"%PDF-1.4 this is not really a pdf")
    with pytest.raises(BinaryInput) as exc:
        load_statement(p)
    assert str(exc.value).startswith(f"{p} is not a readable PDF (")


def test_rebuild_paragraphs_rules():
    lines = [
        "We met in the city of Port Verity to discuss the people-to-",
        "people ties between our nations and the fisheries agreement.",
        "Short last line.",
        "1. First numbered item of the list that runs to the full",
        "width of the page and continues here",
        "2. Second item",
        "",
        "After a blank line a new paragraph starts, even mid-",
        "sentence",
    ]
    assert rebuild_paragraphs(lines).split("\n\n") == [
        "We met in the city of Port Verity to discuss the people-to-people ties between "
        "our nations and the fisheries agreement. Short last line.",
        "1. First numbered item of the list that runs to the full width of the page and continues here",
        "2. Second item",
        "After a blank line a new paragraph starts, even mid-sentence",
    ]


# ------------------------------------------------------- format detection --


def test_unknown_extension_sniffs_html(tmp_path):
    p = write(tmp_path, "page.php", "<!DOCTYPE html><html><body><p>Sniffed as a web page.</p></body></html>")
    s = load_statement(p)
    assert s.format == "html" and s.text == "Sniffed as a web page."


def test_unknown_extension_sniffs_pdf(tmp_path):
    p = make_pdf(tmp_path / "download.bin", PDF_PARAGRAPHS[:1])
    assert load_statement(p).format == "pdf"


def test_unknown_extension_plain_text_is_unsupported(tmp_path):
    p = write(tmp_path, "notes.docx2", "Just some words.")
    with pytest.raises(UnsupportedFormat) as exc:
        load_statement(p)
    assert str(exc.value) == (
        f"{p}: unsupported file type '.docx2'; use .txt, .md, .html or .pdf, or pass a format"
    )


def test_format_argument_overrides_extension(tmp_path):
    p = write(tmp_path, "s.txt", "# Heading\n\n*Text*")
    assert load_statement(p, format="markdown").text == "Heading\n\nText"
    assert load_statement(p).text == "# Heading\n\n*Text*"


def test_unknown_format_argument(tmp_path):
    p = write(tmp_path, "s.txt", "Words.")
    with pytest.raises(UnsupportedFormat) as exc:
        load_statement(p, format="docx")
    assert str(exc.value) == f"{p}: unknown format 'docx' (use text, markdown, html or pdf)"


# ------------------------------------------------------------ bad inputs --


def test_missing_file(tmp_path):
    p = tmp_path / "nope.txt"
    with pytest.raises(MissingFile) as exc:
        load_statement(p)
    assert str(exc.value) == f"{p}: no such file"


def test_directory(tmp_path):
    with pytest.raises(MissingFile) as exc:
        load_statement(tmp_path)
    assert str(exc.value) == f"{tmp_path} is a directory, not a statement file"


@pytest.mark.parametrize("content", ["", "   \n\t\n  \r\n"])
def test_empty_or_whitespace(tmp_path, content):
    p = write(tmp_path, "empty.txt", content)
    with pytest.raises(EmptyInput) as exc:
        load_statement(p)
    assert str(exc.value) == f"{p} is empty"


def test_only_clutter_is_empty(tmp_path):
    p = write(tmp_path, "clutter.txt", "top of page\nBegin Text:\nEnd Text.\nbottom of page\n")
    with pytest.raises(EmptyInput) as exc:
        load_statement(p)
    assert str(exc.value) == f"{p} has no statement text; no statement text found"


def test_nul_bytes_are_binary(tmp_path):
    p = write(tmp_path, "x.txt", b"Looks like text\x00\x01\x02 but is not")
    with pytest.raises(BinaryInput) as exc:
        load_statement(p)
    assert str(exc.value) == f"{p} is binary (NUL byte at offset 15), not a text statement"


@pytest.mark.parametrize(
    "magic, what",
    [
        (b"\x89PNG\r\n\x1a\n", "a PNG image"),
        (b"PK\x03\x04", "a ZIP archive (or .docx/.xlsx)"),
        (b"\x7fELF", "an ELF executable"),
        (b"%PDF-1.7\n", "a PDF (use the .pdf extension)"),
    ],
)
def test_known_binary_formats(tmp_path, magic, what):
    p = write(tmp_path, "statement.txt", magic + b"rest of file without NUL")
    with pytest.raises(BinaryInput) as exc:
        load_statement(p)
    assert str(exc.value) == f"{p} is {what}, not a text statement"


def test_binary_with_unknown_extension_says_binary(tmp_path):
    p = write(tmp_path, "photo.png", b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(BinaryInput):
        load_statement(p)


def test_not_utf8_names_the_offset(tmp_path):
    p = write(tmp_path, "latin.txt", "Le comité".encode("latin-1"))
    with pytest.raises(EncodingError) as exc:
        load_statement(p)
    assert str(exc.value) == f"{p} is not valid UTF-8: byte 0xe9 at offset 8"


def test_too_large_checked_before_reading(tmp_path, monkeypatch):
    p = tmp_path / "huge.txt"
    with open(p, "wb") as f:
        f.truncate(50 * 1024 * 1024)  # sparse: costs no disk space

    def no_reading(self):
        raise AssertionError("the file was read before its size was checked")

    monkeypatch.setattr(Path, "read_bytes", no_reading)
    with pytest.raises(InputTooLarge) as exc:
        load_statement(p)
    assert str(exc.value) == f"{p} is 50.0 MB, larger than the 20 MB limit (max_input_mb)"


def test_max_mb_is_adjustable(tmp_path):
    p = write(tmp_path, "s.txt", "A" * 2048)
    with pytest.raises(InputTooLarge):
        load_statement(p, max_mb=0.001)
    assert load_statement(p, max_mb=1).text == "A" * 2048


# ------------------------------------------------------------- examples --


def test_example_statements_load():
    files = sorted(EXAMPLES.glob("*.txt"))
    assert len(files) >= 2
    for f in files:
        s = load_statement(f)
        assert s.meta.series == "Bank of Arden monetary policy statements (fictional)"
        assert s.meta.date == f.name[:10]
        assert not s.meta.partial and s.text.count("\n\n") >= 5


def test_utf16_with_bom_is_read(tmp_path):
    p = tmp_path / "windows.txt"
    p.write_bytes("The ministers met in Genève.\n".encode("utf-16"))
    assert load_statement(p).text == "The ministers met in Genève."


@pytest.mark.parametrize(
    "written,iso",
    [("2024-05-01 10:00", "2024-05-01"), ("15 November 2024", "2024-11-15"),
     ("November 15, 2024", "2024-11-15"), ('"2024-11-15"', "2024-11-15")],
)
def test_front_matter_dates_become_iso(written, iso):
    s = parse_text(f"---\ndate: {written}\n---\nText.\n")
    assert s.meta.date == iso


def test_a_date_that_is_not_a_day_is_kept_aside():
    s = parse_text("---\ndate: March 2024\nparties: [Japan, Korea]\n---\nText.\n")
    assert s.meta.date == ""
    assert ("date_original", "March 2024") in s.meta.extra
    assert s.meta.parties == "Japan; Korea"


def test_impossible_front_matter_date_is_an_input_error():
    with pytest.raises(InputError, match="malformed front matter: month must be in 1..12"):
        parse_text("---\ndate: 2024-13-45\n---\nText.\n", path="bad.txt")
