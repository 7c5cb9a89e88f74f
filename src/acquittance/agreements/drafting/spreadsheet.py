"""A note's amortization schedule as CSV and as an XLSX workbook.

CSV holds the amounts as exact decimal strings with two places
("4925.74"), dates as ISO strings, one row per payment under a header row.
The workbook has the same rows as numbers (with the number format
`#,##0.00`) and dates, under a few lines that say whose schedule it is.

Text that a spreadsheet would run as a formula (a maker named
"=HYPERLINK(...)") is neutralised, as OWASP advises for CSV injection: in CSV
such a cell gets a leading single quote; in XLSX it is written as a string
cell marked as text (quotePrefix), which no spreadsheet evaluates. Numbers are
never quoted, so they stay numbers a spreadsheet can add up. openpyxl is
imported only when a workbook is asked for.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Final

from acquittance.agreements.drafting.output import fixed_zip_timestamps
from acquittance.core.money import amount_text
from acquittance.core.schedule import ScheduleRow

SCHEDULE_FORMATS: Final = ("csv", "xlsx")
CSV_COLUMNS: Final = ("note", "number", "due", "payment", "interest", "principal", "balance")
#: First characters that make a spreadsheet read a text cell as a formula (or a new line).
FORMULA_PREFIXES: Final = ("=", "+", "-", "@", "\t", "\r", "\n")
AMOUNT_FORMAT: Final = "#,##0.00"
RATE_FORMAT: Final = "0.000%"
DATE_FORMAT: Final = "yyyy-mm-dd"


@dataclass(frozen=True)
class ScheduleSheet:
    """A schedule and what identifies it: the note, its maker and holder, its terms."""

    note_id: str
    maker: str
    holder: str
    currency: str
    annual_rate: Decimal
    payment: Decimal | None  # the level payment the schedule uses; None when computed
    rows: tuple[ScheduleRow, ...]


def neutralize_text(value: str) -> str:
    """Text as a spreadsheet should show it: a formula-like start gets a leading quote."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def schedule_csv(sheet: ScheduleSheet) -> bytes:
    """The schedule as CSV (UTF-8, a header row, amounts as exact decimal strings)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in sheet.rows:
        writer.writerow(
            (
                neutralize_text(sheet.note_id),
                row.number,
                row.due.isoformat(),
                amount_text(row.payment),
                amount_text(row.interest),
                amount_text(row.principal),
                amount_text(row.balance),
            )
        )
    return buffer.getvalue().encode("utf-8")


def schedule_xlsx(sheet: ScheduleSheet) -> bytes:
    """The schedule as an XLSX workbook: the same rows as numbers and dates."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    worksheet = workbook.active
    assert worksheet is not None, "a new workbook has a sheet"
    worksheet.title = "Schedule"
    heading = (
        ("Amortization schedule of note", sheet.note_id),
        ("Maker", sheet.maker),
        ("Holder", sheet.holder),
        ("Currency", sheet.currency),
        ("Annual rate", sheet.annual_rate),
        ("Level payment", sheet.payment if sheet.payment is not None else sheet.rows[0].payment),
    )
    for number, (label, value) in enumerate(heading, start=1):
        _put(worksheet, number, 1, label)
        _put(worksheet, number, 2, value, number_format=RATE_FORMAT if number == 5 else None)
    header_row = len(heading) + 2
    titles = ("Number", "Due", "Payment", "Interest", "Principal", "Balance")
    for column, title in enumerate(titles, start=1):
        _put(worksheet, header_row, column, title).font = _bold()
    for offset, row in enumerate(sheet.rows, start=1):
        values = (row.number, row.due, row.payment, row.interest, row.principal, row.balance)
        for column, value in enumerate(values, start=1):
            _put(worksheet, header_row + offset, column, value)
    worksheet.freeze_panes = f"A{header_row + 1}"
    for column, width in enumerate((30, 14, 16, 16, 16, 18), start=1):
        worksheet.column_dimensions[get_column_letter(column)].width = width
    _fixed_properties(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return fixed_zip_timestamps(buffer.getvalue(), rewrite=_fixed_modified)


#: openpyxl stamps the time of saving as the workbook's "modified" property, whatever it holds.
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _fixed_modified(name: str, content: bytes) -> bytes:
    if name != "docProps/core.xml":
        return content
    return _MODIFIED.sub(rb"\g<1>2000-01-01T00:00:00Z\g<2>", content)


def _put(
    worksheet: Any, row: int, column: int, value: object, *, number_format: str | None = None
) -> Any:
    """Write one cell: text as a string cell (never a formula), amounts and dates formatted."""
    cell = worksheet.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would otherwise take "=..." for a formula
        if value.startswith(FORMULA_PREFIXES):
            cell.quotePrefix = True
    elif isinstance(value, Decimal):
        cell.number_format = number_format or AMOUNT_FORMAT
    elif isinstance(value, date):
        cell.number_format = DATE_FORMAT
    return cell


def _bold() -> Any:
    from openpyxl.styles import Font

    return Font(bold=True)


def _fixed_properties(workbook: Any) -> None:
    """A fixed author and timestamp, so the same schedule always gives the same bytes."""
    from datetime import datetime

    fixed = datetime(2000, 1, 1)
    workbook.properties.creator = "acquittance"
    workbook.properties.lastModifiedBy = "acquittance"
    workbook.properties.created = fixed
    workbook.properties.modified = fixed


def render_schedule(sheet: ScheduleSheet, fmt: str) -> bytes:
    """The schedule in `fmt`, csv or xlsx."""
    if fmt == "csv":
        return schedule_csv(sheet)
    assert fmt == "xlsx", fmt
    return schedule_xlsx(sheet)


def schedule_sheet(
    *,
    note_id: str,
    maker: str,
    holder: str,
    currency: str,
    annual_rate: Decimal,
    payment: Decimal | None,
    rows: Sequence[ScheduleRow],
) -> ScheduleSheet:
    """A schedule sheet, refusing an empty schedule (there is nothing to write)."""
    if not rows:
        from acquittance.core.errors import StateError

        raise StateError("NO_SCHEDULE", f"note {note_id} has an empty schedule; nothing to write")
    return ScheduleSheet(note_id, maker, holder, currency, annual_rate, payment, tuple(rows))
