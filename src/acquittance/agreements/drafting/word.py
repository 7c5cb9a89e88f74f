"""The agreement as a Word document, with Word's own styles so counsel can keep editing it.

Clauses use the 'List Number' style, so Word numbers them; python-docx does not
report those automatic numbers when reading, which is why every clause's text
reads on its own without its number. The footer numbers the pages with Word's
PAGE and NUMPAGES fields ("Page 2 of 5"), which Word fills in as it lays out.
python-docx writes every text as XML character data, so a party's name cannot
become markup; the prose arrives with typographic quotes (`typography.py`).
"""

from __future__ import annotations

import io
from datetime import UTC, datetime

from docx import Document as new_word_document
from docx.document import Document as WordDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches, Pt
from docx.text.paragraph import Paragraph as WordParagraph

from acquittance.agreements.drafting.document import (
    Document,
    Schedule,
    SignatureBlock,
    Table,
    WireInstructions,
)
from acquittance.agreements.drafting.output import fixed_zip_timestamps
from acquittance.agreements.drafting.servicing import (
    Fields,
    Heading,
    Lines,
    Paragraph,
    Part,
    ServicingDocument,
)
from acquittance.agreements.drafting.typography import CLOSING_DOUBLE, OPENING_DOUBLE

RULE = "______________________________"


def render_docx(document: Document) -> bytes:
    """DOCX bytes of the document."""
    word = new_word_document()
    _properties(word, document)
    _page_numbers(word)
    word.add_paragraph(document.title.upper(), style="Title")
    word.add_paragraph(document.preamble)
    word.add_heading(document.recitals_heading, level=1)
    for recital in document.recitals:
        word.add_paragraph(recital)
    word.add_paragraph(document.lead_in)
    _clauses(word, document)
    word.add_paragraph(document.witness)
    for block in document.signatures:
        _signature(word, block)
    _schedule(word, document.exhibit_a)
    if document.exhibit_b is not None:
        _wire(word, document.exhibit_b)
    buffer = io.BytesIO()
    word.save(buffer)
    return fixed_zip_timestamps(buffer.getvalue())


def _properties(word: WordDocument, document: Document | ServicingDocument) -> None:
    properties = word.core_properties
    properties.title = document.title
    properties.author = "acquittance"
    # A fixed timestamp keeps two drafts of the same settlement alike.
    fixed = datetime(2000, 1, 1, tzinfo=UTC)
    properties.created = fixed
    properties.modified = fixed
    properties.last_modified_by = "acquittance"
    properties.revision = 1


def _clauses(word: WordDocument, document: Document) -> None:
    for clause in document.clauses:
        word.add_paragraph(clause.text, style="List Number")
        for paragraph in clause.subparagraphs:
            word.add_paragraph(paragraph, style="List Continue 2")


def _page_numbers(word: WordDocument) -> None:
    """'Page N of M' centred in the footer of every section, from Word's own fields."""
    for section in word.sections:
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        footer.add_run("Page ")
        _field(footer, "PAGE", "1")
        footer.add_run(" of ")
        _field(footer, "NUMPAGES", "1")
        for run in footer.runs:
            run.font.size = Pt(9)


def _field(paragraph: WordParagraph, instruction: str, shown: str) -> None:
    """A complex field: begin, its instruction, separate, the last result shown, end."""
    _field_character(paragraph, "begin")
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} \\* MERGEFORMAT "
    paragraph.add_run()._r.append(code)
    _field_character(paragraph, "separate")
    paragraph.add_run(shown)
    _field_character(paragraph, "end")


def _field_character(paragraph: WordParagraph, kind: str) -> None:
    mark = OxmlElement("w:fldChar")
    mark.set(qn("w:fldCharType"), kind)
    if kind == "begin":
        mark.set(qn("w:dirty"), "true")  # Word computes the field again on opening
    paragraph.add_run()._r.append(mark)


def _signature(word: WordDocument, block: SignatureBlock) -> None:
    if block.defined_name:
        defined = f"{OPENING_DOUBLE}{block.defined_name}{CLOSING_DOUBLE}"
        word.add_paragraph(defined).paragraph_format.space_before = Inches(0.3)
    word.add_paragraph(block.party_name)
    for person in block.lines():
        for label, value in person:
            paragraph = word.add_paragraph(f"{label}: {value or RULE}")
            paragraph.paragraph_format.space_after = Pt(2)
            if label in ("By", "Date"):
                # Room above the line to sign or date by hand.
                paragraph.paragraph_format.space_before = Inches(0.35)


def _exhibit_heading(word: WordDocument, label: str, title: str) -> None:
    word.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    heading = word.add_heading(label.upper(), level=1)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    word.add_heading(title, level=2).alignment = WD_ALIGN_PARAGRAPH.CENTER


def _schedule(word: WordDocument, schedule: Schedule) -> None:
    _exhibit_heading(word, schedule.label, schedule.title)
    word.add_paragraph(schedule.caption)
    for table in schedule.tables:
        _table(word, table)
    if schedule.placeholder_note is not None:
        word.add_paragraph(schedule.placeholder_note).runs[0].italic = True


def _table(word: WordDocument, table: Table) -> None:
    word.add_paragraph().add_run(table.caption).bold = True
    rows = [table.columns, *table.rows]
    if table.total is not None:
        rows.append(table.total)
    grid = word.add_table(rows=len(rows), cols=len(table.columns))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    last = len(rows) - 1
    for row_index, values in enumerate(rows):
        bold = row_index == 0 or (table.total is not None and row_index == last)
        for column_index, value in enumerate(values):
            paragraph = grid.cell(row_index, column_index).paragraphs[0]
            run = paragraph.add_run(value)
            run.bold = bold
            run.font.size = Pt(9)
            if column_index in table.amount_columns:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _wire(word: WordDocument, wire: WireInstructions) -> None:
    _exhibit_heading(word, wire.label, wire.title)
    word.add_paragraph(wire.caption)
    for stated in wire.stated:
        paragraph = word.add_paragraph(f"{stated.label}: ")
        paragraph.add_run(stated.value).bold = True
    for blank in wire.blanks:
        paragraph = word.add_paragraph(f"{blank.label}: {RULE} ")
        paragraph.add_run(f"({blank.hint})").italic = True


def render_servicing_docx(document: ServicingDocument) -> bytes:
    """DOCX bytes of a payoff letter, statement or UCC-3, in Word's own styles."""
    word = new_word_document()
    _properties(word, document)
    _page_numbers(word)
    word.add_paragraph(document.title, style="Title")
    for part in document.parts:
        _servicing_part(word, part)
    if document.placeholder_note is not None:
        word.add_paragraph().add_run(document.placeholder_note).italic = True
    buffer = io.BytesIO()
    word.save(buffer)
    return fixed_zip_timestamps(buffer.getvalue())


def _servicing_part(word: WordDocument, part: Part) -> None:
    if isinstance(part, Heading):
        word.add_heading(part.text, level=1)
    elif isinstance(part, Paragraph):
        word.add_paragraph(part.text)
    elif isinstance(part, Lines):
        paragraph = word.add_paragraph()
        for index, line in enumerate(part.lines):
            run = paragraph.add_run(line)
            if index < len(part.lines) - 1:
                run.add_break()
    elif isinstance(part, Fields):
        if part.caption:
            word.add_paragraph().add_run(part.caption).bold = True
        for item in part.fields:
            paragraph = word.add_paragraph(f"{item.label}: ")
            paragraph.add_run(item.value).bold = True
            paragraph.paragraph_format.space_after = Pt(4)
    elif isinstance(part, Table):
        _table(word, part)
    else:
        _signature(word, part)
