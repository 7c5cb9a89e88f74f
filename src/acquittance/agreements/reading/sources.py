"""Turning a file into the text the reader analyses: decoding and extraction.

Plain text and Markdown are decoded (BOM first, then UTF-8, then
charset-normalizer's guess) with line endings read as "\n", as Python's text
mode reads them, so that offsets index the text a checker sees. HTML, DOCX and
PDF are extracted into plain text whose paragraphs are separated by blank lines
and whose table rows are single lines with cells joined by " | ". The heavy
parsers are imported only for their own format, because the command line starts
one process per file.

Every input is untrusted, so each is bounded before a parser sees it:

- a file is at most `FILE_SIZE_MAX_BYTES`;
- a ZIP container (DOCX) holds at most `ZIP_MEMBERS_COUNT_MAX` members that
  unpack to at most `UNPACKED_SIZE_BYTES_MAX` in all. Both are checked from the
  ZIP's directory first, then the members are unpacked once, counting the bytes
  as they come out and stopping at the limit: a directory may lie about sizes,
  the data cannot. A damaged member (bad CRC) is refused here too;
- HTML is parsed with libxml2, which drops everything below 255 levels of
  nesting without a word. HTML that deep is parsed again with the limit raised
  (libxml2's huge mode, 2048 levels) and flattened in ways that leave its text
  as it was: inline formatting (`<font>`, `<span>`, `<b>` ... left unclosed by
  old editors) is dissolved, and a block that only wraps another block (`<div>`
  in `<div>`) gives way to it. The flattened markup is read; what stays too
  deep is refused (`HTML_TOO_DEEP`), never read in part.
"""

from __future__ import annotations

import codecs
import io
import struct
import zipfile
from pathlib import Path
from typing import Any, Final

from acquittance.core.errors import InputError

#: Largest file the reader accepts; agreements are far smaller.
FILE_SIZE_MAX_BYTES: Final = 20 * 1024 * 1024
#: Longest text the reader analyses after decoding or extraction.
TEXT_LENGTH_MAX_CHARS: Final = 5_000_000
#: Most PDF pages extracted.
PDF_PAGES_MAX: Final = 2000
#: Most members a ZIP container (a DOCX) may hold; a long agreement has about 20.
ZIP_MEMBERS_COUNT_MAX: Final = 2000
#: Most bytes a ZIP container's members may unpack to, in all. Word's XML packs about
#: ten to one and images hardly at all, so a 20 MB agreement unpacks well below this.
UNPACKED_SIZE_BYTES_MAX: Final = 256 * 1024 * 1024
#: How much of a member is unpacked at a time while counting.
UNPACK_CHUNK_SIZE_BYTES: Final = 1024 * 1024
#: libxml2 stops building the tree below this depth (and keeps quiet about it).
HTML_PARSER_DEPTH_MAX: Final = 255

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

        text = html_text(within_html_depth(decode(data, path=path), path=path))
    elif kind == "docx":
        from acquittance.agreements.reading.extract import docx_text

        check_zip(data, path=path, what="Word .docx file", code="UNREADABLE_DOCX")
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


def check_zip(data: bytes, *, path: Path, what: str = "ZIP archive", code: str) -> None:
    """Refuse a ZIP whose members are too many or unpack to too much, before any parser.

    `code` is the error of a damaged archive (UNREADABLE_DOCX for a Word file).
    """
    declared = _declared_members_count(data)
    if declared is not None and declared > ZIP_MEMBERS_COUNT_MAX:
        raise _too_many_members(path, declared)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            _check_declared(members, path=path)
            _unpack_counting(archive, members, path=path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as error:
        raise InputError(code, f"{path} is not a readable {what} ({error})") from None
    except (ValueError, OSError, RuntimeError) as error:
        # zlib and zipfile raise these on damaged or encrypted members.
        raise InputError(code, f"{path} is not a readable {what} ({error})") from None


def _check_declared(members: list[Any], *, path: Path) -> None:
    """What the directory says: the number of members and the bytes they unpack to."""
    if len(members) > ZIP_MEMBERS_COUNT_MAX:
        raise _too_many_members(path, len(members))
    declared_bytes = sum(member.file_size for member in members)
    if declared_bytes > UNPACKED_SIZE_BYTES_MAX:
        raise _too_large(path, declared_bytes, declared=True)


def _declared_members_count(data: bytes) -> int | None:
    """The member count of the ZIP's end-of-directory record, read without parsing the rest.

    None when there is no such record, or when the count is in a ZIP64 record
    (the archive is then opened and counted).
    """
    # The record is 22 bytes and may be followed by a comment of up to 65,535 bytes.
    tail = data[-(22 + 65_535) :]
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + 22 > len(tail):
        return None
    (count,) = struct.unpack("<H", tail[at + 10 : at + 12])
    return None if count == 0xFFFF else count


def _unpack_counting(archive: zipfile.ZipFile, members: list[Any], *, path: Path) -> None:
    """Unpack every member once, counting what comes out and stopping at the limit."""
    unpacked = 0
    for member in members:
        if member.is_dir():
            continue
        with archive.open(member) as stream:
            while chunk := stream.read(UNPACK_CHUNK_SIZE_BYTES):
                unpacked += len(chunk)
                if unpacked > UNPACKED_SIZE_BYTES_MAX:
                    raise _too_large(path, unpacked, declared=False)


def _too_many_members(path: Path, count: int) -> InputError:
    return InputError(
        "ZIP_TOO_MANY_MEMBERS",
        f"{path} holds {count} files inside; the reader opens containers of up to "
        f"{ZIP_MEMBERS_COUNT_MAX}: save the agreement again from Word, or as PDF or text",
    )


def _too_large(path: Path, size_bytes: int, *, declared: bool) -> InputError:
    how = "says it unpacks to" if declared else "unpacked to more than"
    return InputError(
        "ZIP_TOO_LARGE",
        f"{path} {how} {size_bytes} bytes; the reader unpacks at most "
        f"{UNPACKED_SIZE_BYTES_MAX} bytes ({UNPACKED_SIZE_BYTES_MAX // (1024 * 1024)} MiB): "
        "save the agreement without its large embedded files, or as PDF or text",
    )


#: Blocks that may only wrap another block; one that does adds no boundary of its own.
WRAPPER_TAGS: Final = (
    "article", "aside", "blockquote", "body", "center", "div", "footer", "header", "main",
    "nav", "section",
)  # fmt: skip
#: Inline elements whose only effect on the text is none: flattening them keeps the text.
INLINE_TAGS: Final = (
    "a", "abbr", "acronym", "b", "bdi", "bdo", "big", "cite", "code", "del", "dfn", "em",
    "font", "i", "ins", "kbd", "label", "mark", "nobr", "q", "s", "samp", "small", "span",
    "strike", "strong", "sub", "sup", "time", "tt", "u", "var",
)  # fmt: skip


def within_html_depth(markup: str, *, path: Path | None = None) -> str:
    """`markup`, or a flattened copy with the same text, that libxml2 parses whole.

    Raises HTML_TOO_DEEP when even the flattened markup nests too deeply.
    """
    if markup.count("<") < HTML_PARSER_DEPTH_MAX:
        return markup  # too few tags to nest that deep
    import lxml.html
    from lxml import etree

    root, too_deep = _parsed_html(markup, huge=False)
    if not too_deep:
        return markup
    root, too_deep = _parsed_html(markup, huge=True)
    if root is not None and not too_deep:
        etree.strip_tags(root, *INLINE_TAGS)
        _unwrap_wrappers(root)
        flattened = str(lxml.html.tostring(root, encoding="unicode"))
        if not _parsed_html(flattened, huge=False)[1]:
            return flattened
    where = f"{path}" if path is not None else "the HTML"
    raise InputError(
        "HTML_TOO_DEEP",
        f"{where} nests its elements more than {HTML_PARSER_DEPTH_MAX} levels deep, which "
        "cannot be read without losing text; save the agreement as plain text, DOCX or PDF "
        "and read that",
    )


def _unwrap_wrappers(root: Any) -> None:
    """Replace each block that holds nothing but one other element by that element."""
    for element in list(root.iter(*WRAPPER_TAGS)):
        parent = element.getparent()
        if parent is None or len(element) != 1 or (element.text or "").strip():
            continue
        (child,) = element
        if (child.tail or "").strip():
            continue
        # The wrapper's tail (text after it) now follows the child, which takes its place.
        child.tail = element.tail
        parent.replace(element, child)


def _parsed_html(markup: str, *, huge: bool) -> tuple[Any, bool]:
    """(root, whether libxml2 stopped at its depth limit) of the markup."""
    import lxml.html
    from lxml import etree

    parser = lxml.html.HTMLParser(recover=True, huge_tree=huge)
    try:
        root = lxml.html.document_fromstring(
            markup.encode("utf-8", errors="replace"), parser=parser
        )
    except (etree.ParserError, ValueError):
        return None, False
    too_deep = any("depth" in entry.message.lower() for entry in parser.error_log)
    return root, too_deep
