"""Turning a file into the text the reader analyses: decoding and extraction.

Plain text and Markdown are decoded (BOM first, then UTF-8, then
charset-normalizer's guess) with line endings read as "\n", as Python's text
mode reads them, so that offsets index the text a checker sees. HTML, DOCX and
PDF are extracted into plain text whose paragraphs are separated by blank lines
and whose table rows are single lines with cells joined by " | ". The heavy
parsers are imported only for their own format, because the command line starts
one process per file.
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Final

from acquittance.core.errors import InputError

#: Largest file the reader accepts; agreements are far smaller.
FILE_SIZE_MAX_BYTES: Final = 20 * 1024 * 1024
#: Longest text the reader analyses after decoding or extraction.
TEXT_LENGTH_MAX_CHARS: Final = 5_000_000
#: Most PDF pages extracted.
PDF_PAGES_MAX: Final = 2000

TEXT_SUFFIXES: Final = (".txt", ".text", ".md", ".markdown")
HTML_SUFFIXES: Final = (".htm", ".html", ".xhtml")
SUFFIXES: Final = (*TEXT_SUFFIXES, *HTML_SUFFIXES, ".docx", ".pdf")

_BOMS: Final = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def load(path: Path) -> tuple[str, str]:
    """(text, format) of the file at `path`; an InputError says what is wrong with it."""
    data = _read_bytes(path)
    kind = _format_of(path, data)
    if kind == "html":
        from acquittance.agreements.reading.extract import html_text

        text = html_text(decode(data, path=path))
    elif kind == "docx":
        from acquittance.agreements.reading.extract import docx_text

        text = docx_text(data, path=path)
    elif kind == "pdf":
        from acquittance.agreements.reading.extract import pdf_text

        text = pdf_text(data, path=path)
    else:
        text = decode(data, path=path)
    return check_text(text, path=path), kind


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError(
            "FILE_NOT_FOUND", f"{path} does not exist; check the path and try again"
        ) from None
    except OSError as error:
        raise InputError("UNREADABLE_FILE", f"{path} cannot be read ({error.strerror})") from None
    if path.is_dir():
        raise InputError(
            "IS_A_DIRECTORY", f"{path} is a folder; give a file, or several files for a batch"
        )
    if size > FILE_SIZE_MAX_BYTES:
        raise InputError(
            "FILE_TOO_LARGE",
            f"{path} is {size} bytes; the reader takes files up to {FILE_SIZE_MAX_BYTES} bytes "
            "(20 MB): split the file or extract the agreement's pages",
        )
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError("UNREADABLE_FILE", f"{path} cannot be read ({error.strerror})") from None
    if not data.strip():
        raise InputError("EMPTY_FILE", f"{path} is empty; give the agreement's text")
    return data


def _format_of(path: Path, data: bytes) -> str:
    suffix = path.suffix.lower()
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        if suffix in (".docx", ""):
            return "docx"
        raise _unsupported(path, "a ZIP archive")
    if suffix == ".pdf":
        raise InputError(
            "UNREADABLE_PDF", f"{path} does not start like a PDF; it is damaged or not a PDF"
        )
    if suffix == ".docx":
        raise InputError(
            "UNREADABLE_DOCX", f"{path} is not a Word .docx file (no ZIP container inside)"
        )
    if suffix in HTML_SUFFIXES or _looks_like_html(data):
        return "html"
    if suffix in TEXT_SUFFIXES or suffix == "":
        return "text"
    if suffix in (".doc", ".rtf", ".odt", ".pages", ".xls", ".xlsx"):
        raise _unsupported(path, f"a {suffix} file")
    return "text"


def _unsupported(path: Path, what: str) -> InputError:
    return InputError(
        "UNSUPPORTED_FORMAT",
        f"{path} is {what}; the reader takes .txt, .md, .htm/.html, .docx and .pdf "
        "(save the agreement in one of those)",
    )


def _looks_like_html(data: bytes) -> bool:
    head = data[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html"))


def decode(data: bytes, *, path: Path) -> str:
    """Bytes to text, line endings as "\n": offsets then match the text as Python reads it."""
    return _universal_newlines(_decoded(data, path=path))


def _universal_newlines(text: str) -> str:
    # Filings often end lines with CRLF; text mode in Python (and most tools that
    # check offsets) reads them as "\n", so the offsets are given in that text.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _decoded(data: bytes, *, path: Path) -> str:
    """A BOM decides, then UTF-8, then charset-normalizer's best guess."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace").lstrip("\ufeff")
    if _is_binary(data):
        raise InputError(
            "BINARY_FILE",
            f"{path} holds binary data, not text; give the agreement as text, HTML, DOCX or PDF",
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    encoding = best.encoding if best is not None else "cp1252"
    return data.decode(encoding, errors="replace")


def _is_binary(data: bytes) -> bool:
    # NUL bytes never occur in text encodings other than UTF-16/32, which carry a BOM
    # (or are caught here, which is the safe side); other control bytes are rare in text.
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = sum(1 for byte in sample if byte < 9 or 13 < byte < 32)
    return controls > len(sample) // 10


def check_text(text: str, *, path: Path | None = None) -> str:
    """Refuse text with nothing in it, or more than the reader analyses."""
    where = f"{path}" if path is not None else "the text"
    if not text.strip():
        raise InputError(
            "NO_TEXT",
            f"{where} has no text to read; a scanned PDF needs OCR before it can be read",
        )
    if len(text) > TEXT_LENGTH_MAX_CHARS:
        raise InputError(
            "TEXT_TOO_LONG",
            f"{where} has {len(text)} characters; the reader takes up to "
            f"{TEXT_LENGTH_MAX_CHARS}: give the agreement without its long exhibits",
        )
    return text
