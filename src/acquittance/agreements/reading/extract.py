"""Text out of HTML, DOCX and PDF, shaped like a plain-text agreement.

Paragraphs become blocks separated by a blank line; a table row whose cells
each hold one line becomes one line with cells joined by " | " (so that a
schedule of notes keeps its columns together); a row whose cells hold several
lines (a signature table) becomes its cells one after another, because each
cell is a block of its own.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from acquittance.core.errors import InputError

_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "blockquote",
        "pre",
        "section",
        "article",
        "header",
        "footer",
        "title",
        "address",
        "dt",
        "dd",
        "center",
    ]
)
_SKIP_TAGS = frozenset(["script", "style", "head", "noscript", "template"])
_SPACES = re.compile(r"[ \t\u00a0]+")


def html_text(markup: str) -> str:
    """Visible text of an HTML document (lxml's parser, which tolerates broken markup)."""
    import lxml.html
    from lxml import etree

    if not markup.strip():
        return ""
    try:
        root = lxml.html.document_fromstring(markup.encode("utf-8", errors="replace"))
    except (etree.ParserError, ValueError):
        return ""
    return _join_blocks(_html_blocks(root))


def _html_blocks(element: Any) -> Iterator[str]:
    """Blocks of text in document order; tables row by row."""
    buffer: list[str] = []
    for piece in _html_walk(element):
        if piece is None:
            if buffer:
                yield "".join(buffer)
                buffer = []
        else:
            buffer.append(piece)
    if buffer:
        yield "".join(buffer)


def _html_walk(element: Any) -> Iterator[str | None]:
    # None marks a block boundary; strings are inline text.
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in _SKIP_TAGS:
        yield from _tail(element)
        return
    if tag == "table":
        yield None
        for row in element.iter("tr"):
            yield from _html_row(row)
            yield None
        yield from _tail(element)
        return
    if tag == "br":
        yield "\n"
        yield from _tail(element)
        return
    block = tag in _BLOCK_TAGS
    if block:
        yield None
    if element.text and tag:
        yield element.text
    for child in element:
        yield from _html_walk(child)
    if block:
        yield None
    yield from _tail(element)


def _tail(element: Any) -> Iterator[str]:
    if element.tail:
        yield element.tail


def _html_row(row: Any) -> Iterator[str | None]:
    cells = [_cell_lines(_join_blocks(_html_blocks_of_children(cell))) for cell in _cells(row)]
    yield from _row_pieces(cells)


def _cells(row: Any) -> list[Any]:
    return [child for child in row if isinstance(child.tag, str) and child.tag in ("td", "th")]


def _html_blocks_of_children(cell: Any) -> Iterator[str]:
    buffer: list[str] = []
    if cell.text:
        buffer.append(cell.text)
    for child in cell:
        for piece in _html_walk(child):
            if piece is None:
                if buffer:
                    yield "".join(buffer)
                    buffer = []
            else:
                buffer.append(piece)
    if buffer:
        yield "".join(buffer)


def _cell_lines(text: str) -> list[str]:
    return [line for line in (ln.strip() for ln in text.splitlines()) if line]


def _row_pieces(cells: list[list[str]]) -> Iterator[str | None]:
    if all(len(lines) <= 1 for lines in cells):
        line = " | ".join(lines[0] if lines else "" for lines in cells).strip(" |")
        if line:
            yield line
        return
    for lines in cells:
        if lines:
            yield None
            yield "\n".join(lines)
            yield None


def _join_blocks(blocks: Iterable[str]) -> str:
    cleaned = []
    for block in blocks:
        lines = [_SPACES.sub(" ", line).strip() for line in typographic(block).splitlines()]
        text = "\n".join(line for line in lines if line)
        if text:
            cleaned.append(text)
    return "\n\n".join(cleaned)


def docx_text(data: bytes, *, path: Path) -> str:
    """Paragraphs and tables of a .docx body in order (python-docx gives no list numbers)."""
    import zipfile

    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise InputError(
            "UNREADABLE_DOCX", f"{path} is not a readable Word .docx file ({error})"
        ) from None
    except Exception as error:  # python-docx raises assorted errors on damaged packages
        raise InputError(
            "UNREADABLE_DOCX", f"{path} is not a readable Word .docx file ({error})"
        ) from None
    return _join_blocks(_docx_blocks(document))


def _docx_blocks(container: Any) -> Iterator[str]:
    from docx.table import Table

    for item in container.iter_inner_content():
        if isinstance(item, Table):
            for row in item.rows:
                cells = [_cell_lines(_join_blocks(_docx_blocks(cell))) for cell in _unique(row)]
                yield from (piece for piece in _row_pieces(cells) if piece is not None)
        else:
            yield item.text


def _unique(row: Any) -> list[Any]:
    # Merged cells appear once per grid column in python-docx; keep each cell once.
    seen: list[Any] = []
    for cell in row.cells:
        if not any(cell._tc is other._tc for other in seen):
            seen.append(cell)
    return seen


def pdf_text(data: bytes, *, path: Path) -> str:
    """The text layer of a PDF, pages separated by a blank line.

    pypdfium2 extracts about 40 times faster than pypdf (425 against 11 pages a
    second on CUAD contracts rendered by WeasyPrint), so it is used when installed;
    pypdf, a declared dependency, is the fallback.
    """
    try:
        import pypdfium2
    except ImportError:
        return _pypdf_text(data, path=path)
    return _pdfium_text(pypdfium2, data, path=path)


def _pdfium_text(pdfium: Any, data: bytes, *, path: Path) -> str:
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        code = "ENCRYPTED_PDF" if "password" in str(error).lower() else "UNREADABLE_PDF"
        raise InputError(code, f"{path} is not a readable PDF ({error})") from None
    try:
        if len(document) > 2000:
            raise InputError("PDF_TOO_LONG", f"{path} has more than 2000 pages; split it")
        pages = [document[i].get_textpage().get_text_range() for i in range(len(document))]
    finally:
        document.close()
    return _pages_text(pages, path=path)


#: PDFium marks a hyphen that ends a line as U+FFFE; the page shows a hyphen there
#: ("Seventy-" / "Seven"), and amounts in words need it back to be read.
_LINE_END_HYPHEN = "\ufffe"
#: Characters a typesetter puts where it hyphenates a word at a line's end: the
#: soft hyphen, U+2010 HYPHEN (WeasyPrint, CSS `hyphens: auto`), PDFium's U+FFFE
#: marker and the plain hyphen-minus (pypdf, LaTeX).
_WRAP_HYPHEN = re.compile(
    r"(?P<head>[A-Za-z]+)(?P<mark>[\u00ad\u2010\ufffe-])[ \t]*\n[ \t]*(?P<tail>[A-Za-z]+)"
)
#: A compound number in words ("Forty-" / "Five") keeps its hyphen when it wraps.
_TENS = re.compile(r"(?:twenty|thirty|fou?rty|fifty|sixty|seventy|eighty|ninety)", re.IGNORECASE)
_UNITS = re.compile(r"(?:one|two|three|four|five|six|seven|eight|nine)", re.IGNORECASE)


def _pages_text(pages: list[str], *, path: Path) -> str:
    cleaned = [
        _SPACES.sub(" ", typographic(_unwrapped(page.replace("\r\n", "\n").replace("\r", "\n"))))
        for page in pages
    ]
    text = _joined_pages([page.strip() for page in _without_running_lines(cleaned)])
    if not text.strip():
        raise InputError(
            "NO_TEXT_LAYER",
            f"{path} has no text layer (a scan); run OCR on it first, then read the result",
        )
    return text


def _pypdf_text(data: bytes, *, path: Path) -> str:
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise InputError(
                "ENCRYPTED_PDF", f"{path} is encrypted; save an unencrypted copy and read that"
            )
        if len(reader.pages) > 2000:
            raise InputError("PDF_TOO_LONG", f"{path} has more than 2000 pages; split it")
        pages = [page.extract_text() or "" for page in reader.pages]
    except InputError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError) as error:
        raise InputError(
            "UNREADABLE_PDF", f"{path} is not a readable PDF ({type(error).__name__}: {error})"
        ) from None
    except Exception as error:  # pypdf raises assorted errors on damaged files
        raise InputError(
            "UNREADABLE_PDF", f"{path} is not a readable PDF ({type(error).__name__}: {error})"
        ) from None
    return _pages_text(pages, path=path)


def _unwrapped(page: str) -> str:
    """A page's lines with words hyphenated across a line end made whole again.

    "in-" / "terest" becomes "interest", "HOLD-" / "INGS" becomes "HOLDINGS"; a
    compound number in words ("Forty-" / "Five") and a capitalised second part
    ("Smith-" / "Jones") keep the hyphen. The joined word's line runs on into
    the next, which only changes where the paragraph's lines break.
    """
    return _WRAP_HYPHEN.sub(_rejoined, page)


def _rejoined(match: re.Match[str]) -> str:
    head, mark, tail = match["head"], match["mark"], match["tail"]
    if _TENS.fullmatch(head) and _UNITS.fullmatch(tail):
        return f"{head}-{tail}"
    capitals = head.isupper() and tail.isupper() and len(head) > 1 and len(tail) > 1
    if tail[0].islower() or (capitals and mark != "-"):
        return head + tail
    return f"{head}-\n{tail}"


#: Letters a font draws as one glyph, which some PDFs extract as that glyph.
_LIGATURES = str.maketrans(
    {
        "\ufb00": "ff",
        "\ufb01": "fi",
        "\ufb02": "fl",
        "\ufb03": "ffi",
        "\ufb04": "ffl",
        "\ufb05": "st",
        "\ufb06": "st",
        "\u00ad": None,  # a soft hyphen shows nothing inside a line
        "\u2010": "-",
        "\u2011": "-",
        _LINE_END_HYPHEN: "-",
    }
)


def typographic(text: str) -> str:
    """Extracted text with ligatures spelt out, soft hyphens dropped and hyphens plain."""
    return text.translate(_LIGATURES)


#: A page whose last line ends so closes its sentence; otherwise it runs on.
_SENTENCE_END = re.compile(r"[.:;!?][\"'\u201d\u2019)\]]*\s*$")


def _joined_pages(pages: list[str]) -> str:
    """Pages joined by a blank line, or by a line break where a sentence runs on.

    A PDF's text has no blank lines between paragraphs, so the one a page break
    would add is taken as the end of a paragraph; a sentence that continues on
    the next page ("unpaid interest of" / "$63,512.40") must not be cut there.
    """
    text = ""
    for page in pages:
        if not page:
            continue
        if text:
            text += "\n\n" if _SENTENCE_END.search(text) else "\n"
        text += page
    return text


def _running_key(line: str) -> str:
    return re.sub(r"\d+", "#", line.strip().lower())


def _without_running_lines(pages: list[str]) -> list[str]:
    """Pages without running headers and footers: first or last lines that recur,
    page numbers aside, at the same end of most pages ("Page 2 of 5", "- 3 -").

    Producers write margin text before or after the body (WeasyPrint puts both
    header and footer last), so up to three such lines go from either end.
    """
    if len(pages) < 2:
        return pages
    lines = [[line for line in page.split("\n") if line.strip()] for page in pages]
    for end in (0, -1, 0, -1, 0, -1):
        keys = [_running_key(page[end]) if len(page) > 1 else None for page in lines]
        counts: dict[str, int] = {}
        for key in keys:
            if key is not None:
                counts[key] = counts.get(key, 0) + 1
        running = {k for k, n in counts.items() if n >= 2 and n * 2 >= len(pages)}
        lines = [
            (page[1:] if end == 0 else page[:-1]) if key in running else page
            for page, key in zip(lines, keys, strict=True)
        ]
    return ["\n".join(page) for page in lines]
