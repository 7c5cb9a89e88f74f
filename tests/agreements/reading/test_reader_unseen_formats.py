"""Every unseen text agreement, saved as a .docx and printed to a .pdf, scores as its text does.

Outside checks feed the reader Word and PDF copies of agreements it has never
seen. Each `.txt` fixture of fixtures/unseen/ is turned into both here, the way
a word processor and a browser's "print to PDF" hold it: one paragraph per
blank-line-separated block, the block's lines joined by spaces, no automatic
numbering; the PDF in a proportional font on a letter page, so that lines wrap
(and words hyphenate) where the renderer chooses. The copies are scored with
the text's expectation, except `discrepancy_near`, whose offsets are the text
file's. Each PDF is printed twice: plainly (ragged right, wide margins) and
typeset (justified with automatic hyphenation in a narrower column, a running
header and a "Page N of M" footer), so that words split across lines, sentences
split across pages and margin text are all met.
"""

from __future__ import annotations

import json
import re
from html import escape
from pathlib import Path
from typing import Any

import pytest
from test_reader_unseen import UNSEEN, shortfalls

from acquittance.agreements.reading import read_file, to_dict

# Copies that show a limit not yet lifted: "name.format" -> the precise reason.
KNOWN_LIMITS: dict[str, str] = {}

_PAGE_CSS = (
    "@page { size: letter; margin: 1in; }"
    " body { font-family: 'DejaVu Serif', serif; font-size: 11pt; line-height: 1.35; }"
    " p { margin: 0 0 0.8em 0; text-align: left; }"
)
_LAYOUTS = {
    "plain": _PAGE_CSS,
    "typeset": _PAGE_CSS + " body { font-size: 13pt; } p { text-align: justify; hyphens: auto; }"
    " @page { margin: 1in 2in;"
    " @top-center { content: 'CONFIDENTIAL - EXECUTION VERSION'; font-size: 9pt; }"
    " @bottom-center { content: 'Page ' counter(page) ' of ' counter(pages); font-size: 9pt; } }",
}


def _texts() -> list[Path]:
    return sorted(p for p in UNSEEN.glob("*.txt") if _expectation(p).exists())


def _expectation(path: Path) -> Path:
    return path.with_name(path.stem + ".expect.json")


def _expected(path: Path) -> dict[str, Any]:
    expected: dict[str, Any] = json.loads(_expectation(path).read_text(encoding="utf-8"))
    # Its needles and offsets belong to the text file, not to the extracted copy.
    expected.pop("discrepancy_near", None)
    return expected


def _blocks(path: Path) -> list[str]:
    """Blank-line-separated blocks, each with its lines joined by single spaces."""
    text = path.read_text(encoding="utf-8")
    blocks = []
    for block in re.split(r"\n[ \t]*\n", text):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        if lines:
            blocks.append(" ".join(lines))
    return blocks


def _case(path: Path, kind: str, *layout: str) -> Any:
    reason = KNOWN_LIMITS.get(".".join([path.name, kind, *layout]))
    marks = [pytest.mark.xfail(reason=reason, strict=False)] if reason else []
    return pytest.param(path, *layout, id="-".join([path.name, *layout]), marks=marks)


def _score(target: Path, source: Path, kind: str) -> None:
    reading = read_file(target)
    assert reading.source_format == kind
    assert shortfalls(_expected(source), to_dict(reading), reading.text) == []


def test_every_text_fixture_is_converted() -> None:
    assert len(_texts()) >= 20


@pytest.mark.parametrize("source", [_case(p, "docx") for p in _texts()])
def test_unseen_agreement_as_docx_scores_as_its_text(source: Path, tmp_path: Path) -> None:
    docx = pytest.importorskip("docx")
    document = docx.Document()
    for block in _blocks(source):
        document.add_paragraph(block)
    target = tmp_path / (source.stem + ".docx")
    document.save(str(target))
    _score(target, source, "docx")


@pytest.mark.parametrize(
    ("source", "layout"), [_case(p, "pdf", layout) for p in _texts() for layout in _LAYOUTS]
)
def test_unseen_agreement_as_pdf_scores_as_its_text(
    source: Path, layout: str, tmp_path: Path
) -> None:
    weasyprint = pytest.importorskip("weasyprint")
    body = "\n".join(f"<p>{escape(block)}</p>" for block in _blocks(source))
    html = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<style>{_LAYOUTS[layout]}</style></head><body>{body}</body></html>"
    )
    target = tmp_path / (source.stem + ".pdf")
    weasyprint.HTML(string=html).write_pdf(str(target))
    _score(target, source, "pdf")


def test_pdf_text_rejoins_words_hyphenated_at_a_line_end() -> None:
    from acquittance.agreements.reading.extract import _pages_text

    page = (
        "accrued and unpaid in\u2010\r\nterest of Forty\ufffe\r\nFive Thousand, owed by SABLE "
        "HOLD\u00ad\r\nINGS LLC and Smith\ufffe\r\nJones, Seventy-\r\nfive in full satis\ufffe\r\n"
        "faction of the \ufb01rst note"
    )
    text = _pages_text([page], path=Path("x.pdf"))
    assert "unpaid interest of" in text
    assert "Forty-Five Thousand" in text
    assert "HOLDINGS LLC" in text
    assert "Smith-\nJones" in text
    assert "Seventy-five" in text
    assert "full satisfaction of the first note" in text


def test_pdf_pages_drop_running_lines_and_keep_sentences_whole() -> None:
    from acquittance.agreements.reading.extract import _pages_text

    pages = [
        "TITLE\nthe unpaid interest of\nDRAFT - CONFIDENTIAL\nPage 1 of 2",
        "$63,512.40 is due.\nDRAFT - CONFIDENTIAL\nPage 2 of 2",
    ]
    text = _pages_text(pages, path=Path("x.pdf"))
    assert text == "TITLE\nthe unpaid interest of\n$63,512.40 is due."


def test_docx_text_drops_soft_hyphens_and_spells_out_ligatures(tmp_path: Path) -> None:
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_paragraph("the \ufb01nal pay\u00adment of $1,000.00 in full satis\ufb00action")
    target = tmp_path / "x.docx"
    document.save(str(target))
    text = read_file(target).text
    assert "the final payment of $1,000.00" in text
    assert "satisffaction" in text  # ligatures are spelt out as they are, not corrected
