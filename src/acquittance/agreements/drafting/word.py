"""The agreement as a Word document, with Word's own styles so counsel can keep editing it.

Clauses use the 'List Number' style, so Word numbers them; python-docx does not
report those automatic numbers when reading, which is why every clause's text
reads on its own without its number.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

from docx import Document as new_word_document
from docx.document import Document as WordDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Inches

from acquittance.agreements.drafting.document import (
    Document,
    Schedule,
    SignatureBlock,
    WireInstructions,
)

SIGNATURE_LINE = "By: ______________________________"


def render_docx(document: Document) -> bytes:
    """DOCX bytes of the document."""
    word = new_word_document()
    _properties(word, document)
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
    return _with_fixed_timestamps(buffer.getvalue())


def _with_fixed_timestamps(package: bytes) -> bytes:
    """The same package with every zip entry dated 1980-01-01, so equal drafts are equal bytes.

    python-docx stamps each part with the time of saving, which makes two drafts of one
    settlement differ by the second they were saved in.
    """
    fixed = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(package)) as source,
        zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            stamped = zipfile.ZipInfo(entry.filename, date_time=(1980, 1, 1, 0, 0, 0))
            stamped.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(stamped, source.read(entry))
    return fixed.getvalue()


def _properties(word: WordDocument, document: Document) -> None:
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


def _signature(word: WordDocument, block: SignatureBlock) -> None:
    word.add_paragraph(f'"{block.defined_name}"').paragraph_format.space_before = Inches(0.3)
    word.add_paragraph(block.party_name)
    people = block.signatories or ()
    for person in people:
        word.add_paragraph(SIGNATURE_LINE).paragraph_format.space_before = Inches(0.4)
        word.add_paragraph(f"{person.name}, {person.title}")
    if not people:
        word.add_paragraph(SIGNATURE_LINE).paragraph_format.space_before = Inches(0.4)
        word.add_paragraph("Name:")
        word.add_paragraph("Title:")


def _exhibit_heading(word: WordDocument, label: str, title: str) -> None:
    word.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    heading = word.add_heading(label.upper(), level=1)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    word.add_heading(title, level=2).alignment = WD_ALIGN_PARAGRAPH.CENTER


def _schedule(word: WordDocument, schedule: Schedule) -> None:
    _exhibit_heading(word, schedule.label, schedule.title)
    word.add_paragraph(schedule.caption)
    rows = [schedule.columns, *schedule.rows, schedule.total]
    table = word.add_table(rows=len(rows), cols=len(schedule.columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for row_index, values in enumerate(rows):
        bold = row_index in (0, len(rows) - 1)
        for column_index, value in enumerate(values):
            paragraph = table.cell(row_index, column_index).paragraphs[0]
            paragraph.add_run(value).bold = bold
            if column_index >= schedule.amount_columns_from:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _wire(word: WordDocument, wire: WireInstructions) -> None:
    _exhibit_heading(word, wire.label, wire.title)
    word.add_paragraph(wire.caption)
    for blank in wire.blanks:
        paragraph = word.add_paragraph(f"{blank.label}: ______________________________ ")
        paragraph.add_run(f"({blank.hint})").italic = True
