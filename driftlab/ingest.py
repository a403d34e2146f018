"""Ingest: read one statement file into a :class:`~driftlab.types.Statement`.

Formats: plain text, Markdown, HTML (main text via trafilatura) and PDF (text
layer via pypdf). Text and Markdown files may start with YAML front matter
(``---`` … ``---``, see ``shared/corpus/README.md``), which becomes
:class:`~driftlab.types.Meta`.

Scraped text without front matter is cut to its "Begin Text:" … "End
Text." markers when present, and known page-furniture lines ("top of
page", "Writer's picture…") are dropped. A file *with* front matter is
taken to be curated and its body is kept whole.

The output text is the statement body only: Unicode NFC, ``\\n`` line ends,
no trailing spaces, paragraphs separated by exactly one blank line. Apart
from that the wording is kept exactly as written — quote style, dashes and
spelling are left alone, because the report shows this text and cosmetic
differences are judged later (``driftlab.normalize``), not erased here.

Every failure is an :class:`~driftlab.errors.InputError` subclass whose
one-line message names the file.
"""

from __future__ import annotations

import datetime as _dt
import io
import logging
import os
import re
import stat
import unicodedata
import warnings
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from .errors import (
    BinaryInput,
    EmptyInput,
    EncodingError,
    InputError,
    InputTooLarge,
    InputWarning,
    MissingFile,
    NoTextLayer,
    UnsupportedFormat,
)
from .settings import Settings, safe_yaml, short, short_repr
from .types import Meta, Statement

__all__ = ["load_statement", "parse_text", "rebuild_paragraphs", "FORMATS"]

#: Formats driftlab reads, and the file extensions that select them.
FORMATS: dict[str, str] = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
}

#: Leading bytes of common binary formats someone might pass by mistake.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (or .docx/.xlsx)"),
    (b"\x7fELF", "an ELF executable"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office file"),
    (b"SQLite format 3\x00", "an SQLite database"),
)

#: How much of a file is scanned for NUL bytes. Text never contains NUL; a
#: binary file almost always has one near the start.
_SNIFF_BYTES = 8192

_FRONT_MATTER_KEYS = ("title", "date", "series", "parties", "source", "partial")

#: Default of the ``max_front_matter_kb`` setting (see driftlab/settings.py).
FRONT_MATTER_KB = Settings.max_front_matter_kb

# ---------------------------------------------------------------- clutter --

#: Explicit markers some republishing sites put around the statement proper.
_BEGIN_MARKER = re.compile(r"^\s*(?:begin|start)(?:\s+of)?\s+text\s*[:.]?\s*$", re.I)
_END_MARKER = re.compile(r"^\s*end(?:\s+of)?\s+text\s*[:.]?\s*$", re.I)

#: Whole lines that are web-page furniture, not statement text. Each pattern
#: must match the entire (stripped) line, so a sentence that merely *mentions*
#: e.g. "the top of the page" is never dropped.
_CLUTTER_LINES = tuple(
    re.compile(p, re.I)
    for p in (
        r"(?:back\s+to\s+)?top\s+of\s+(?:the\s+)?page",
        r"bottom\s+of\s+(?:the\s+)?page",
        r"back\s+to\s+top",
        r"skip\s+to\s+(?:main\s+)?content",
        r"writer['’]s\s+picture.*",  # Wix blogs: "Writer's picture" + author
        r"\d+\s+min(?:ute)?s?\s+read",
        r"share(?:\s+this)?(?:\s+(?:post|page|article|story))?",
        r"print(?:\s+this)?(?:\s+(?:page|article))?",
        r"(?:page\s+)?\d+(?:\s+of\s+\d+)?",  # bare page numbers (PDF headers/footers)
        r"-\s*\d+\s*-",
    )
)

# ------------------------------------------------------------ public API --


def load_statement(
    path: str | os.PathLike,
    *,
    max_mb: float = 20.0,
    format: str | None = None,
    max_front_matter_kb: float = FRONT_MATTER_KB,
) -> Statement:
    """Read the statement at ``path``.

    ``format`` is one of ``"text"``, ``"markdown"``, ``"html"``, ``"pdf"``;
    by default it comes from the extension (see :data:`FORMATS`), and files
    with another extension are sniffed (``%PDF`` magic, or an HTML doctype).
    Files larger than ``max_mb`` megabytes are refused; the read itself is
    bounded, so a file whose size the file system does not know (``/dev/zero``
    behind a symlink, a pipe) costs at most ``max_mb`` too.

    Control characters are removed and bidirectional controls marked (see
    :func:`scrub`), each with an :class:`~driftlab.errors.InputWarning`.
    """
    src = Path(path)
    # Messages and the report name the file by a printable path: a name that
    # is not valid UTF-8 would otherwise make the report unwritable.
    p = Path(display_path(path))
    try:
        info = src.stat()
    except FileNotFoundError:
        raise MissingFile(f"{p}: no such file") from None
    except OSError as exc:
        raise MissingFile(f"{p}: cannot read file ({exc.strerror or exc})") from None
    if stat.S_ISDIR(info.st_mode):
        raise MissingFile(f"{p} is a directory, not a statement file")
    if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode):
        raise BinaryInput(f"{p} is a device, not a statement file")
    limit = int(max_mb * 1024 * 1024)
    # Checked before reading so a huge file (or a mistaken disk image) costs
    # nothing: read_bytes() on it would load it all into memory first.
    if info.st_size > limit:
        raise InputTooLarge(
            f"{p} is {info.st_size / (1024 * 1024):.1f} MB, larger than the {max_mb:g} MB limit (max_input_mb)"
        )
    try:
        with open(src, "rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise MissingFile(f"{p}: cannot read file ({exc.strerror or exc})") from None
    if len(data) > limit:
        raise InputTooLarge(f"{p} is larger than the {max_mb:g} MB limit (max_input_mb)")
    if not data.strip():
        raise EmptyInput(f"{p} is empty")

    fmt = format or FORMATS.get(p.suffix.lower()) or _sniff(data, p)
    if fmt not in ("text", "markdown", "html", "pdf"):
        raise UnsupportedFormat(
            f"{p}: unknown format {fmt!r} (use text, markdown, html or pdf)"
        )
    if fmt == "pdf":
        return _load_pdf(data, p)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # UTF-16 with a byte-order mark (Windows "Unicode" text): its NUL
        # bytes are not binary. Re-encode so the rest of ingest sees UTF-8.
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError as exc:
            raise EncodingError(f"{p} starts as UTF-16 but is not valid UTF-16 (offset {exc.start})") from None
    _check_not_binary(data, p)
    if fmt == "html":
        raw = _decode(data, p, charset=_declared_charset(data))
    else:
        raw = _decode(data, p)
    return parse_text(raw, path=str(p), format=fmt, max_front_matter_kb=max_front_matter_kb)


def parse_text(
    raw: str, *, path: str = "<string>", format: str = "text", max_front_matter_kb: float = FRONT_MATTER_KB
) -> Statement:
    """Build a Statement from in-memory ``raw`` text of the given ``format``.

    ``format`` is ``"text"``, ``"markdown"`` or ``"html"``; ``path`` is used in
    error messages and for fallback title and date.
    """
    scrubbed = _Scrubbed(path)
    raw = scrubbed(raw)
    if format == "html":
        statement = _parse_html(raw, path, fallback_date=_date_from_name(Path(path).name), scrubbed=scrubbed)
        scrubbed.warn()
        return statement
    if format not in ("text", "markdown"):
        raise UnsupportedFormat(f"{path}: parse_text cannot read format {format!r}")
    raw = _newlines(raw.removeprefix("\ufeff"))
    if not raw.strip():
        raise EmptyInput(f"{path} is empty")
    fields, body = _split_front_matter(raw, path, max_front_matter_kb)
    if format == "markdown":
        body = _strip_markdown(body)
    outside: list[str] = []
    if fields is None:
        text, outside = _strip_clutter(body)
    else:
        # Front matter means a person curated the file: its body is the
        # statement as they left it. Gold files index paragraphs as "the
        # i-th blank-line block after the front matter", so cutting a
        # preamble or "Begin Text:" marker here would shift every index.
        text = body
    text = _tidy(text)
    if not text:
        if body.strip() and not _visible(body):
            raise EmptyInput(
                f"{path} has only invisible characters (zero-width spaces, format marks); no statement text found"
            )
        what = "only front matter" if fields is not None else "no statement text"
        raise EmptyInput(f"{path} has {what}; no statement text found")
    scrubbed.warn()
    meta = _meta(fields or {}, path)
    if not meta.title:
        meta = _with(meta, title=_guess_title(outside + body.split("\n")) or Path(path).stem)
    if not meta.date:
        meta = _with(meta, date=_date_from_name(Path(path).name))
    return Statement(path=path, format=format, meta=meta, text=text)


# --------------------------------------------------------- bytes → text --


def display_path(path: str | os.PathLike) -> str:
    """``path`` as printable text: bytes of a file name that are not valid
    UTF-8 (kept by Python as lone surrogates) become U+FFFD, so the name can
    be shown, written into a report and encoded."""
    text = os.fsdecode(path)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


#: C0 and C1 control characters other than tab, line feed and carriage
#: return. No statement contains them on purpose; a NUL in the middle of a
#: scraped page would otherwise reach the HTML and CSV reports.
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
#: Vertical tab and form feed (PDF and Word page breaks) are line breaks.
_LINE_BREAKS = re.compile("[\x0b\x0c]")
#: Bidirectional embedding, override and isolate controls. A raw U+202E
#: reverses the text after it on screen, so what an analyst reads is not
#: what the statement says ("Trojan Source"). They are made visible rather
#: than dropped, because their presence is itself worth seeing.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def bidi_mark(char: str) -> str:
    """The visible stand-in for a bidirectional control character."""
    return f"[U+{ord(char):04X}]"


class _Scrubbed:
    """Removes control characters and marks bidi controls, counting both,
    so one warning per statement can say what was changed."""

    def __init__(self, path: str):
        self.path = path
        self.removed = 0
        self.nuls = 0
        self.marked: dict[str, int] = {}

    def __call__(self, text: str) -> str:
        text = _LINE_BREAKS.sub("\n", text)
        found = _CONTROLS.findall(text)
        if found:
            self.removed += len(found)
            self.nuls += found.count("\x00")
            text = _CONTROLS.sub("", text)
        if _BIDI.search(text):
            for c in _BIDI.findall(text):
                self.marked[c] = self.marked.get(c, 0) + 1
            text = _BIDI.sub(lambda m: bidi_mark(m.group()), text)
        return text

    def warn(self) -> None:
        parts = []
        if self.removed:
            nul = f" ({self.nuls} NUL)" if self.nuls else ""
            parts.append(f"removed {self.removed} control character{'s' if self.removed > 1 else ''}{nul}")
        if self.marked:
            n = sum(self.marked.values())
            names = ", ".join(bidi_mark(c) for c in sorted(self.marked))
            parts.append(f"marked {n} bidirectional control character{'s' if n > 1 else ''} as {names}")
        if parts:
            warnings.warn(InputWarning(f"{self.path}: {'; '.join(parts)}"), stacklevel=4)
        self.removed, self.nuls, self.marked = 0, 0, {}


#: Characters that take no space on screen: format controls (zero-width
#: space and joiners, soft hyphen, BOM, bidi marks) and unassigned/private code points.
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Cc", "Cn", "Zs", "Zl", "Zp"})


def _visible(text: str) -> bool:
    """Does ``text`` show anything on screen?"""
    return any(not c.isspace() and unicodedata.category(c) not in _INVISIBLE_CATEGORIES for c in text)



def _sniff(data: bytes, p: Path) -> str:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if data.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"<!doctype html") or head.startswith(b"<html"):
        return "html"
    _check_not_binary(data, p)
    raise UnsupportedFormat(
        f"{p}: unsupported file type {p.suffix or '(no extension)'!r}; "
        "use .txt, .md, .html or .pdf, or pass a format"
    )


def _check_not_binary(data: bytes, p: Path) -> None:
    for magic, what in _MAGIC + ((b"%PDF", "a PDF (use the .pdf extension)"),):
        if data.startswith(magic):
            raise BinaryInput(f"{p} is {what}, not a text statement")
    nul = data.find(b"\x00", 0, _SNIFF_BYTES)
    if nul >= 0:
        raise BinaryInput(f"{p} is binary (NUL byte at offset {nul}), not a text statement")


_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def _declared_charset(data: bytes) -> str | None:
    m = _CHARSET.search(data[:4096])
    return m.group(1).decode("ascii") if m else None


def _decode(data: bytes, p: Path, charset: str | None = None) -> str:
    import codecs

    if data.startswith(b"\xef\xbb\xbf"):
        data, charset = data[3:], "utf-8"  # a BOM outranks any declaration
    encoding = "utf-8"
    if charset:
        try:
            encoding = codecs.lookup(charset).name
        except LookupError:
            raise EncodingError(f"{p} declares an unknown charset {short_repr(charset)}") from None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        label = "UTF-8" if encoding == "utf-8" else f"{charset} (its declared charset)"
        raise EncodingError(
            f"{p} is not valid {label}: byte 0x{data[exc.start]:02x} at offset {exc.start}"
        ) from None


# ----------------------------------------------------------- front matter --


def _newlines(s: str) -> str:
    return s.replace("\r\n", "\n").replace("\r", "\n")


def _split_front_matter(
    raw: str, path: str, max_kb: float = FRONT_MATTER_KB
) -> tuple[dict[str, Any] | None, str]:
    """``(fields, body)``; ``fields`` is None when there is no front matter.

    The block is refused above ``max_kb`` kilobytes, and YAML anchors and
    aliases are refused (:func:`driftlab.settings.safe_yaml`): front matter
    is a handful of short fields, and aliases let a few bytes expand to
    gigabytes.
    """
    if not raw.startswith("---") or raw.split("\n", 1)[0].rstrip() != "---":
        return None, raw
    limit = int(max_kb * 1024)
    # Find the closing line without splitting a whole (possibly huge) file.
    m = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.M).search(raw, raw.find("\n") + 1 if "\n" in raw else len(raw))
    if m is None:
        raise InputError(f"{path}: front matter opened at line 1 is never closed with '---'")
    block_start = raw.find("\n") + 1
    block = raw[block_start : max(block_start, m.start() - 1)]
    if len(block.encode("utf-8")) > limit:
        raise InputTooLarge(
            f"{path}: front matter is {len(block.encode('utf-8')) / 1024:.0f} KB, more than the "
            f"{max_kb:g} KB limit (max_front_matter_kb)"
        )
    i = raw.count("\n", 0, m.start())  # line index of the closing '---'
    import yaml

    try:
        fields = safe_yaml(block)
    except (ValueError, TypeError) as exc:
        # PyYAML builds dates itself: "date: 2024-13-45" fails in datetime.
        raise InputError(f"{path}: malformed front matter: {short(str(exc))}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""  # +1 base, +1 for '---'
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise InputError(f"{path}: malformed front matter{where}: {short(problem)}") from None
    if fields is None:
        fields = {}
    if not isinstance(fields, dict):
        raise InputError(f"{path}: front matter must be a mapping of keys to values (lines 2-{i})")
    return fields, raw[m.end() + 1 :]


def _meta(fields: dict[str, Any], path: str) -> Meta:
    def text(key: str) -> str:
        value = fields.get(key)
        if value is None:
            return ""
        if isinstance(value, _dt.datetime):
            return value.date().isoformat()
        if isinstance(value, _dt.date):
            return value.isoformat()
        if isinstance(value, (list, tuple)):
            return "; ".join(str(v).strip() for v in value)
        return str(value).strip()

    partial = fields.get("partial", False)
    if isinstance(partial, str):
        if partial.strip().lower() not in ("true", "false", "yes", "no", ""):
            raise InputError(f"{path}: front matter 'partial' must be true or false, got {short_repr(partial)}")
        partial = partial.strip().lower() in ("true", "yes")
    extra = tuple(
        sorted((str(k), text(k)) for k in fields if k not in _FRONT_MATTER_KEYS)
    )
    date = _iso_date(text("date"))
    if text("date") and not date:
        extra = tuple(sorted(extra + (("date_original", text("date")),)))
    return Meta(
        title=text("title"),
        date=date,
        series=text("series"),
        parties=text("parties"),
        source=text("source"),
        partial=bool(partial),
        extra=extra,
    )


_DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%B %d, %Y", "%B %d %Y", "%d %b %Y", "%b %d, %Y", "%Y/%m/%d")


def _iso_date(value: str) -> str:
    """``YYYY-MM-DD`` for a date written in a common way, else ``""``.

    A date with a time ("2024-05-01 10:00") keeps its day. Anything else
    ("March 2024", "spring") is not a day: the caller keeps the original in
    ``Meta.extra`` as ``date_original``, so nothing the file said is lost.
    """
    value = value.strip()
    if not value:
        return ""
    m = re.match(r"(\d{4}-\d{2}-\d{2})(?:[T ]|$)", value)
    candidates = [m.group(1)] if m else [value]
    for candidate in candidates:
        for fmt in _DATE_FORMATS:
            try:
                return _dt.datetime.strptime(candidate, fmt).date().isoformat()
            except ValueError:
                continue
    return ""


def _with(meta: Meta, **changes: Any) -> Meta:
    from dataclasses import replace

    return replace(meta, **changes)


_DATE_IN_NAME = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")


def _date_from_name(name: str) -> str:
    m = _DATE_IN_NAME.search(name)
    if not m:
        return ""
    try:
        return _dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    except ValueError:  # 2024-13-45 is a number, not a date
        return ""


#: A title is short and does not end like a sentence. 150 characters holds
#: the long official titles ("Joint Statement on the Republic of Korea-U.S.-
#: Japan Trilateral Vice Foreign Ministerial Meeting" is 96).
_TITLE_MAX = 150


def _guess_title(lines: list[str]) -> str:
    for line in lines:
        s = line.strip().lstrip("#").strip()
        if not s or _is_clutter(s) or _BEGIN_MARKER.match(s) or _END_MARKER.match(s):
            continue
        if (
            len(s) <= _TITLE_MAX
            and len(s.split()) >= 2
            and s[0].isupper()
            and s[-1] not in ".,;:!?"
        ):
            return s
        # The first real line is body text: no heading to use.
        return ""
    return ""


# ----------------------------------------------------------------- tidy --


def _is_clutter(line: str) -> bool:
    s = line.strip()
    return any(p.fullmatch(s) for p in _CLUTTER_LINES)


def _strip_clutter(body: str) -> tuple[str, list[str]]:
    """Cut to the begin/end-text markers and drop clutter lines.

    Returns the kept text and the lines cut off *before* the body (where a
    scraped page keeps its heading, used as a title fallback).
    """
    lines = body.split("\n")
    before: list[str] = []
    begin = next((i for i, l in enumerate(lines) if _BEGIN_MARKER.match(l)), None)
    if begin is not None:
        before, lines = lines[:begin], lines[begin + 1 :]
    end = next((i for i, l in enumerate(lines) if _END_MARKER.match(l)), None)
    if end is not None:
        lines = lines[:end]
    return "\n".join(l for l in lines if not _is_clutter(l)), before


def _tidy(text: str) -> str:
    """NFC, ``\\n`` line ends, no trailing spaces, single blank lines between paragraphs."""
    text = unicodedata.normalize("NFC", _newlines(text))
    out: list[str] = []
    for line in text.split("\n"):
        line = line.rstrip()
        if line and not _visible(line):
            line = ""  # a line of zero-width characters is not a passage
        if not line and (not out or not out[-1]):
            continue  # collapse blank runs and drop leading blanks
        out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


# ------------------------------------------------------------- markdown --

_MD_COMMENT = re.compile(r"<!--.*?-->", re.S)
_MD_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$", re.M)
_MD_SETEXT = re.compile(r"^ {0,3}(?:=+|-+)[ \t]*$", re.M)
_MD_RULE = re.compile(r"^ {0,3}(?:(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$", re.M)
_MD_QUOTE = re.compile(r"^ {0,3}>[ \t]?", re.M)
_MD_BULLET = re.compile(r"^([ \t]*)[-*+][ \t]+", re.M)
_MD_REFDEF = re.compile(r"^ {0,3}\[[^\]]+\]:[ \t]+\S+.*$", re.M)
_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\[[^\]]*\])")
_MD_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_MD_CODE = re.compile(r"`([^`]+)`")
# Emphasis markers must hug the text and not sit inside a word, so snake_case
# names and "5 * 3" keep their characters.
_MD_STRONG = re.compile(r"(?<![\w*])(\*\*|__)(?=\S)(.+?)(?<=\S)\1(?![\w*])", re.S)
_MD_EM = re.compile(r"(?<![\w*])([*_])(?=[^\s*_])(.+?)(?<=[^\s*_])\1(?![\w*])", re.S)
_PUA = 0xE000
_MD_ESCAPABLE = "\\`*_{}[]()#+-.!>"
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>])")
_MD_UNPARK = {_PUA + ord(c): c for c in _MD_ESCAPABLE}


def _strip_markdown(text: str) -> str:
    """Markdown → plain text, keeping the words and the paragraph breaks."""
    # Escaped characters are parked in the Private Use Area first so that
    # "\\*" cannot take part in emphasis or link matching, then restored.
    text = _MD_ESCAPE.sub(lambda m: chr(_PUA + ord(m[1])), text)
    text = _MD_COMMENT.sub("", text)
    text = _MD_REFDEF.sub("", text)
    text = _MD_HEADING.sub(r"\1", text)
    text = _MD_SETEXT.sub("", text)
    text = _MD_RULE.sub("", text)
    text = _MD_QUOTE.sub("", text)
    text = _MD_BULLET.sub(r"\1", text)
    text = _MD_IMAGE.sub("", text)  # an image is not statement text
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_AUTOLINK.sub(r"\1", text)
    text = _MD_CODE.sub(r"\1", text)
    text = _MD_STRONG.sub(r"\2", text)
    text = _MD_EM.sub(r"\2", text)
    return text.translate(_MD_UNPARK)


# ----------------------------------------------------------------- html --


#: Share of the page's running text (see :func:`_prose_blocks`) the main-text
#: extractor may miss before driftlab distrusts it. Site clutter is never
#: running text, so on a well-formed page the extractor keeps nearly all of
#: it; unclosed or very deeply nested elements make it drop whole passages.
HTML_MAX_MISSING = 0.2


def _parse_html(raw: str, path: str, *, fallback_date: str = "", scrubbed: "_Scrubbed | None" = None) -> Statement:
    import trafilatura

    scrubbed = scrubbed or _Scrubbed(path)
    raw = raw.removeprefix("\ufeff")
    if not raw.strip():
        raise EmptyInput(f"{path} is empty")
    doc = None
    try:
        doc = trafilatura.bare_extraction(
            raw,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            # Only a date the page states; never a guess from the crawl time.
            date_extraction_params={"extensive_search": False},
        )
    except (ValueError, TypeError, RecursionError) as exc:  # trafilatura's own parser failures
        failure = f" ({short(str(exc))})"
    else:
        failure = ""
    body = (getattr(doc, "text", None) or "") if doc is not None else ""
    # trafilatura writes one line per block element; driftlab's paragraphs
    # are blank-line separated.
    text, _ = _strip_clutter("\n\n".join(l for l in _newlines(body).split("\n")))
    text = _tidy(scrubbed(text))
    # Malformed markup (unclosed or very deeply nested elements) makes the
    # extractor drop passages silently. Its output is checked against the
    # page's own running text, read by a streaming parser that neither
    # nesting depth nor unclosed tags can confuse.
    blocks = [scrubbed(b) for b in _visible_blocks(raw)]
    prose = [b for b in blocks if _is_prose(b)]
    kept_grams = _word_grams(text)
    missing = [b for b in prose if not _word_grams(b, ends_only=True) <= kept_grams]
    total = sum(len(b) for b in prose)
    if total and sum(len(b) for b in missing) > HTML_MAX_MISSING * total:
        first = blocks.index(prose[0])
        last = len(blocks) - blocks[::-1].index(prose[-1])
        plain, _ = _strip_clutter("\n\n".join(blocks[first:last]))
        plain = _tidy(plain)
        kept = len(prose) - len(missing)
        warnings.warn(InputWarning(
            f"{path}: the main-text extractor kept {kept} of {len(prose)} passages of running text "
            "(malformed or deeply nested markup?); using the page's plain visible text instead, "
            "which may include some page furniture"
        ), stacklevel=3)
        text = plain
    if not text:
        raise EmptyInput(f"no statement text found in {path}{failure}")
    title = scrubbed((getattr(doc, "title", None) or "").strip()) or Path(path).stem
    date = _date_from_name(getattr(doc, "date", None) or "") or fallback_date
    meta = Meta(title=unicodedata.normalize("NFC", title), date=date)
    return Statement(path=path, format="html", meta=meta, text=text)


#: Elements whose text is never shown.
_HIDDEN_TAGS = frozenset({"script", "style", "head", "title", "template", "noscript", "svg", "math", "iframe", "object"})
#: Elements that start a new block of text.
_BLOCK_TAGS = frozenset("""
    address article aside blockquote body br dd details dialog div dl dt fieldset figcaption figure
    footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table td th tr ul
""".split())


class _BlockText(HTMLParser):
    """Visible text of a page as blocks, by a streaming (non-tree) parse."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._current: list[str] = []
        self._hidden = 0

    def _flush(self) -> None:
        text = " ".join("".join(self._current).split())
        if text:
            self.blocks.append(text)
        self._current = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden += 1
        elif tag in _BLOCK_TAGS:
            self._flush()

    def handle_startendtag(self, tag: str, attrs: Any) -> None:
        if tag in _BLOCK_TAGS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden = max(0, self._hidden - 1)
        elif tag in _BLOCK_TAGS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self._current.append(data)


def _visible_blocks(raw: str) -> list[str]:
    parser = _BlockText()
    parser.feed(raw)
    parser.close()
    parser._flush()
    return parser.blocks


#: Running text: a block of at least this many words ending like a sentence.
#: Menus, bylines, buttons and footers are shorter or do not end so.
_PROSE_MIN_WORDS = 8


_GRAM = 6


def _word_grams(text: str, ends_only: bool = False) -> set[tuple[str, ...]]:
    """Runs of six words of ``text`` (only the first and last with ``ends_only``):
    a block counts as extracted when its opening and closing words are, in
    time linear in the page (a substring search per block would be quadratic)."""
    words = text.split()
    if ends_only:
        return {tuple(words[:_GRAM]), tuple(words[-_GRAM:])}
    return {tuple(words[i : i + _GRAM]) for i in range(max(1, len(words) - _GRAM + 1))}


def _is_prose(block: str) -> bool:
    return len(block.split()) >= _PROSE_MIN_WORDS and bool(_SENTENCE_END.search(block))


# ------------------------------------------------------------------ pdf --

#: A line ending a sentence that is shorter than this share of the page's
#: usual line length is taken as the last line of a paragraph. Body lines of
#: wrapped text fill nearly the full measure (≥ 85% in practice); a lower
#: bar would miss paragraph ends, a higher one would cut paragraphs whose
#: wrapped line happened to end on a full stop.
_PDF_SHORT_LINE = 0.8
_SENTENCE_END = re.compile(r"[.!?:;][\"'”’)\]]*$")
_LIST_START = re.compile(r"^(?:[•▪●◦‣–-]\s|\(?\d{1,3}[.)]\s|\(?[a-z][.)]\s|\([ivx]+\)\s)")


_PLACEHOLDER_TITLES = frozenset({"(anonymous)", "anonymous", "untitled", "(untitled)", "microsoft word"})


class _Collect(logging.Handler):
    """Keeps pypdf's log records: library code must not write to the user's
    terminal, and a failure's one-line error already says what matters."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _load_pdf(data: bytes, p: Path) -> Statement:
    logger = logging.getLogger("pypdf")
    handler = _Collect()
    logger.addHandler(handler)
    propagate, logger.propagate = logger.propagate, False
    try:
        return _read_pdf(data, p)
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def _read_pdf(data: bytes, p: Path) -> Statement:
    import pypdf
    from pypdf.errors import DependencyError, PyPdfError

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except DependencyError:
                # AES needs the optional 'cryptography' package (a driftlab dependency,
                # but an installation may lack it).
                raise BinaryInput(
                    f"{p} is an AES-encrypted PDF; install the 'cryptography' package "
                    "(pip install cryptography) to read it"
                ) from None
            if not opened:
                raise BinaryInput(f"{p} is an encrypted PDF that needs a password; decrypt it first")
        lines: list[str] = []
        for page in reader.pages:
            page_lines = _pdf_page_lines(page)
            # A page that ends on a full stop usually ends a paragraph too:
            # every paragraph ends a sentence, but few wrapped lines do.
            # Guessing "continues" would glue paragraphs at most page ends.
            last = next((l for l in reversed(lines) if l), "")
            if last and _SENTENCE_END.search(last):
                lines.append("")
            lines.extend(page_lines)
    except (PyPdfError, ValueError, KeyError, TypeError, RecursionError) as exc:
        raise BinaryInput(f"{p} is not a readable PDF ({short(str(exc))})") from None
    lines = [l for l in lines if not _is_clutter(l)]
    if not any(lines):
        raise NoTextLayer(f"{p} has no text layer (scanned?); run OCR first")
    scrubbed = _Scrubbed(str(p))
    text = _tidy(scrubbed(rebuild_paragraphs(lines)))
    if not text:
        raise NoTextLayer(f"{p} has no visible text (scanned?); run OCR first")
    scrubbed.warn()
    title = ""
    if reader.metadata is not None and reader.metadata.title:
        title = _Scrubbed(str(p))(str(reader.metadata.title)).strip()
        # Writers fill the field with placeholders when the author gave none.
        if title.lower() in _PLACEHOLDER_TITLES:
            title = ""
    meta = Meta(
        title=title or _guess_title(text.split("\n")) or p.stem,
        date=_date_from_name(p.name),
    )
    return Statement(path=str(p), format="pdf", meta=meta, text=text)


#: A vertical gap this much larger than the page's usual line spacing is a
#: paragraph break. Paragraph spacing in typeset statements is at least half
#: a line (1.5×); 1.3× leaves room for rounding and superscripts without
#: mistaking ordinary leading for a break.
_PDF_GAP = 1.3


def _pdf_page_lines(page: Any) -> list[str]:
    """One page's text lines, with ``""`` where a vertical gap marks a paragraph break.

    The text comes from pypdf's extractor; its visitor reports the baseline
    of each text run, from which lines and the gaps between them are
    rebuilt. If the runs do not add up to the extracted text (unusual
    encodings), the plain lines are used and only the line-shape rules of
    :func:`rebuild_paragraphs` find paragraphs.
    """
    runs: list[tuple[str, float, float]] = []

    def visit(text: str, cm: Any, tm: Any, font_dict: Any, font_size: Any) -> None:
        if text:
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]  # baseline in page space
            runs.append((text, float(y), float(font_size or 10)))

    plain = _newlines(page.extract_text(visitor_text=visit) or "")
    fallback = [l.strip() for l in plain.split("\n")]
    lines: list[tuple[str, float]] = []
    for text, y, size in runs:
        for k, part in enumerate(_newlines(text).split("\n")):
            same_line = lines and k == 0 and abs(lines[-1][1] - y) < 0.3 * size
            if same_line:
                lines[-1] = (lines[-1][0] + part, lines[-1][1])
            elif part.strip() or k:
                lines.append((part, y))
    lines = [(t.strip(), y) for t, y in lines if t.strip()]
    if "".join(t for t, _ in lines).replace(" ", "") != "".join(fallback).replace(" ", ""):
        return fallback
    gaps = sorted(a[1] - b[1] for a, b in zip(lines, lines[1:]) if a[1] - b[1] > 0)
    usual = gaps[len(gaps) // 2] if gaps else 0.0
    out: list[str] = []
    for i, (text, y) in enumerate(lines):
        if i and usual and lines[i - 1][1] - y > _PDF_GAP * usual:
            out.append("")
        out.append(text)
    return out


def rebuild_paragraphs(lines: list[str]) -> str:
    """Join hard-wrapped PDF lines into blank-line-separated paragraphs.

    A paragraph ends at a blank line, before a list item (bullet or number),
    or after a line that ends a sentence and is clearly shorter than the
    usual line (the ragged last line of a paragraph). Lines inside a
    paragraph are joined with a space; a line ending in a hyphen is joined
    without one and keeps the hyphen ("people-to-" + "people"), since
    dropping it would rewrite genuine compounds.
    """
    widths = sorted(len(l) for l in lines if l)
    # The 90th percentile ignores a few over-long lines (tables, URLs).
    usual = widths[int(0.9 * (len(widths) - 1))] if widths else 0
    paragraphs: list[str] = []
    current = ""
    for line in lines:
        if not line:
            if current:
                paragraphs.append(current)
            current = ""
            continue
        if current and _LIST_START.match(line):
            paragraphs.append(current)
            current = ""
        if not current:
            current = line
        elif current.endswith("-") and not current.endswith(" -"):
            current += line
        else:
            current += " " + line
        if _SENTENCE_END.search(line) and len(line) < _PDF_SHORT_LINE * usual:
            paragraphs.append(current)
            current = ""
    if current:
        paragraphs.append(current)
    return "\n\n".join(paragraphs)
