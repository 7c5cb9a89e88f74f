"""The documents a servicer sends, drafted from real SQLite stores holding the two example
deals: each in each format, its figures equal to the quote's and the positions' to the
cent when read back (DOCX with python-docx, PDF with pypdf), and each refusal with its
code, no file written and the store unchanged."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from service_helpers import REFERENCE_DATE, REFERENCE_DEAL, REFERENCE_LOAN, dump, new_store

from acquittance import service
from acquittance.agreements.drafting.templating import figure, long_date
from acquittance.core.errors import AcquittanceError
from acquittance.core.instruments import Payment
from acquittance.deals.parse import read_deal_file
from acquittance.service.documents import (
    Output,
    payoff_letter,
    periodic_statement,
    schedule_file,
    ucc3_filing,
)

HARBOR_DEAL = REFERENCE_DEAL.with_name("harbor-mortgage-surplus.toml")
HARBOR_LOAN = "harbor-quill-loan"
HARBOR_DATE = date(2024, 6, 30)
FORMATS = ("md", "html", "docx", "pdf")
CASES = ((REFERENCE_LOAN, REFERENCE_DATE), (HARBOR_LOAN, HARBOR_DATE))


@pytest.fixture
def store(sqlite_url: str) -> service.Store:
    """A store holding the reference deal and the harbor deal."""
    opened = new_store(sqlite_url)
    for deal in (REFERENCE_DEAL, HARBOR_DEAL):
        service.load_deal(opened, read_deal_file(deal))
    return opened


def text_of(path: Path) -> str:
    """The text a reader of the file sees, whitespace collapsed."""
    content = path.read_bytes()
    if path.suffix == ".docx":
        import docx

        document = docx.Document(io.BytesIO(content))
        parts = [paragraph.text for paragraph in document.paragraphs]
        for table in document.tables:
            parts.extend(cell.text for row in table.rows for cell in row.cells)
        text = "\n".join(parts)
    elif path.suffix == ".pdf":
        import pypdf

        text = "\n".join(page.extract_text() for page in pypdf.PdfReader(path).pages)
    elif path.suffix == ".html":
        import lxml.html

        text = lxml.html.fromstring(content).text_content()
    else:
        text = content.decode("utf-8")
    return " ".join(text.split())


def _refused(
    store: service.Store, tmp_path: Path, code: str, call: Callable[[], object]
) -> AcquittanceError:
    """`call` refuses with `code`, writes no file and changes nothing in the store."""
    before = dump(store.url)
    files = sorted(tmp_path.rglob("*"))
    with pytest.raises(AcquittanceError) as refused:
        call()
    assert refused.value.code == code, refused.value
    assert dump(store.url) == before
    assert sorted(tmp_path.rglob("*")) == files
    return refused.value


# Payoff letters ---------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("loan_id", "as_of"), CASES)
def test_payoff_letter_states_the_quotes_figures_to_the_cent(
    store: service.Store, tmp_path: Path, loan_id: str, as_of: date, fmt: str
) -> None:
    quote = service.quote(store, service.QuoteRequest(loan_id, as_of))
    path = tmp_path / f"payoff.{fmt}"
    result = payoff_letter(store, loan_id, as_of, Output(path))
    assert result.written.fmt == fmt and result.written.size_bytes == path.stat().st_size
    text = text_of(path)
    # To the good-through date: what a quote (and a payoff) on that date takes.
    later = service.quote(store, service.QuoteRequest(loan_id, quote.good_through))
    for amount in (
        quote.owed_principal,
        quote.owed_interest,
        quote.owed_total,
        quote.per_diem,
        later.owed_interest - quote.owed_interest,
        later.owed_total,
    ):
        assert figure(amount) in text, amount
    assert long_date(quote.good_through) in text
    assert (result.context.principal, result.context.interest) == (
        quote.owed_principal,
        quote.owed_interest,
    )


def test_reference_payoff_letter_reads_from_lender_to_borrower(
    store: service.Store, tmp_path: Path
) -> None:
    path = tmp_path / "payoff.md"
    payoff_letter(store, REFERENCE_LOAN, REFERENCE_DATE, Output(path))
    text = text_of(path)
    assert text.startswith("# Payoff Letter Berg & Berg Enterprises, LLC March 31, 2002")
    assert "Valence Technology, Inc." in text
    assert "Attention: Kevin W. Mischnick, VP of Finance" in text
    assert "$18,640,370.41" in text and "$3,159.72 per day" in text
    assert "good through April 10, 2002" in text
    # Bank details are not in the records: placeholders, never invented.
    for label in ("Bank", "ABA routing number", "Account name", "Account number", "Reference"):
        assert f"- {label}: [●]" in text
    assert "Name: Carl E. Berg" in text
    assert "illustrative: not in the filed text" in text  # the financing statement released


def test_payoff_letter_takes_the_good_through_date_asked_for(
    store: service.Store, tmp_path: Path
) -> None:
    through = date(2024, 7, 5)
    result = payoff_letter(
        store, HARBOR_LOAN, HARBOR_DATE, Output(tmp_path / "p.md"), good_through=through
    )
    assert result.quote.good_through == through
    later = service.quote(store, service.QuoteRequest(HARBOR_LOAN, through))
    assert result.context.total_at_good_through == later.owed_total
    assert "July 5, 2024" in text_of(tmp_path / "p.md")


def test_payoff_letter_is_the_same_bytes_each_time(store: service.Store, tmp_path: Path) -> None:
    for fmt in ("md", "docx"):
        first, second = tmp_path / f"a.{fmt}", tmp_path / f"b.{fmt}"
        payoff_letter(store, HARBOR_LOAN, HARBOR_DATE, Output(first))
        payoff_letter(store, HARBOR_LOAN, HARBOR_DATE, Output(second))
        assert first.read_bytes() == second.read_bytes()


# Statements -------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_harbor_statement_lists_each_event_and_reconciles(
    store: service.Store, tmp_path: Path, fmt: str
) -> None:
    path = tmp_path / f"statement.{fmt}"
    result = periodic_statement(store, HARBOR_LOAN, date(2024, 1, 1), HARBOR_DATE, Output(path))
    context = result.context
    _, closing = service.instrument_position(store, HARBOR_LOAN, HARBOR_DATE)
    assert (context.closing.principal, context.closing.interest) == (
        closing.principal,
        closing.interest,
    )
    assert [row.kind for row in context.activity] == ["opening", "payment", "rate_change"]
    payment = context.activity[1]
    # 90 days of ACT/360 at 9% on 1,200,000.00 plus the 18,000.00 brought forward.
    assert (payment.interest_change, payment.principal_change) == (
        Decimal("-45000.00"),
        Decimal("-15000.00"),
    )
    assert context.interest_accrued == Decimal("55440.00")
    text = text_of(path)
    for expected in (
        "$1,185,000.00",
        "$28,440.00",
        "$1,213,440.00",
        "($45,000.00)",
        "($15,000.00)",
        "$55,440.00",
        "Rate changed to 9.5% a year",
        "January 1, 2024",
    ):
        assert expected in text, expected


@pytest.mark.parametrize("fmt", ("md", "docx", "pdf"))
def test_reference_statement_opens_and_closes_at_the_positions(
    store: service.Store, tmp_path: Path, fmt: str
) -> None:
    path = tmp_path / f"statement.{fmt}"
    start, end = date(2002, 4, 1), date(2002, 4, 30)
    result = periodic_statement(store, REFERENCE_LOAN, start, end, Output(path))
    _, opening = service.instrument_position(store, REFERENCE_LOAN, date(2002, 3, 31))
    _, closing = service.instrument_position(store, REFERENCE_LOAN, end)
    context = result.context
    assert context.opening.total == opening.total
    assert context.closing.total == closing.total
    assert context.activity == ()
    assert context.interest_accrued == closing.interest - opening.interest
    text = text_of(path)
    for amount in (opening.total, closing.total, context.interest_accrued):
        assert figure(amount) in text, amount


def test_statement_of_a_note_comes_from_its_holder(store: service.Store, tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    start, end = date(2024, 2, 1), HARBOR_DATE
    result = periodic_statement(store, "quill-mortgage-1", start, end, Output(path))
    _, closing = service.instrument_position(store, "quill-mortgage-1", end)
    assert result.context.sender.id == "quill"
    assert result.context.recipient_name == "Rivera Family Trust"
    assert result.context.closing.interest == closing.interest
    assert figure(closing.total) in text_of(path)


def test_statement_shows_a_payment_recorded_in_the_store(
    store: service.Store, tmp_path: Path
) -> None:
    service.record_event(store, HARBOR_LOAN, Payment(date(2024, 6, 1), Decimal("25000.00")))
    result = periodic_statement(
        store, HARBOR_LOAN, date(2024, 6, 1), HARBOR_DATE, Output(tmp_path / "june.md")
    )
    (payment,) = result.context.activity
    assert payment.amount == Decimal("25000.00")
    assert payment.interest_change + payment.principal_change == Decimal("-25000.00")
    _, closing = service.instrument_position(store, HARBOR_LOAN, HARBOR_DATE)
    assert result.context.closing.total == closing.total


# Schedules --------------------------------------------------------------------------


def test_schedule_csv_holds_the_rows_as_exact_decimals(
    store: service.Store, tmp_path: Path
) -> None:
    path = tmp_path / "schedule.csv"
    result = schedule_file(store, "quill-mortgage-1", Output(path))
    _, rows = service.note_schedule(store, "quill-mortgage-1")
    read = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert len(read) == len(rows) == len(result.rows) == 360
    for line, row in zip(read, rows, strict=True):
        assert line["due"] == row.due.isoformat()
        for field in ("payment", "interest", "principal", "balance"):
            assert Decimal(line[field]) == getattr(row, field)
            assert line[field] == str(getattr(row, field))
    assert read[-1]["balance"] == "0.00"


def test_schedule_xlsx_holds_numbers_with_two_decimals(
    store: service.Store, tmp_path: Path
) -> None:
    import openpyxl

    path = tmp_path / "schedule.xlsx"
    schedule_file(store, "quill-mortgage-2", Output(path))
    _, rows = service.note_schedule(store, "quill-mortgage-2")
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    header = next(i for i, r in enumerate(sheet.iter_rows(values_only=True), 1) if r[0] == "Number")
    first = sheet.cell(row=header + 1, column=3)
    assert first.number_format == "#,##0.00"
    assert isinstance(first.value, int | float)
    cells = list(sheet.iter_rows(min_row=header + 1, values_only=True))
    assert len(cells) == len(rows)
    for values, row in zip(cells, rows, strict=True):
        assert values[0] == row.number
        amounts = (row.payment, row.interest, row.principal, row.balance)
        for got, want in zip(values[2:], amounts, strict=True):
            assert Decimal(str(got)).quantize(Decimal("0.01")) == want


def test_schedule_neutralises_a_maker_that_looks_like_a_formula(
    sqlite_url: str, tmp_path: Path
) -> None:
    import openpyxl

    text = HARBOR_DEAL.read_text(encoding="utf-8").replace(
        'maker = "Rivera Family Trust"', 'maker = "=HYPERLINK(\\"http://x\\")"'
    )
    deal = tmp_path / "hostile.toml"
    deal.write_text(text, encoding="utf-8")
    store = new_store(sqlite_url)
    service.load_deal(store, read_deal_file(deal))
    path = tmp_path / "hostile.xlsx"
    schedule_file(store, "quill-mortgage-1", Output(path))
    cell = openpyxl.load_workbook(path).active["B2"]  # type: ignore[index]
    assert cell.value == '=HYPERLINK("http://x")'
    assert cell.data_type == "s"  # text, never a formula


def test_a_loan_has_no_schedule(store: service.Store, tmp_path: Path) -> None:
    _refused(
        store,
        tmp_path,
        "NO_SCHEDULE",
        lambda: schedule_file(store, HARBOR_LOAN, Output(tmp_path / "s.csv")),
    )


# UCC-3 ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_termination_fills_the_form_from_the_financing_statement(
    store: service.Store, tmp_path: Path, fmt: str
) -> None:
    path = tmp_path / f"ucc3.{fmt}"
    result = ucc3_filing(store, "harbor-quill-pledge", Output(path), termination=True)
    assert result.context.statement.id == "harbor-quill-ucc1"
    text = text_of(path)
    for expected in (
        "UCC",
        "1a. Initial financing statement file number: 202301170012345",
        "[X] Effectiveness of the Financing Statement identified above is terminated",
        "3. Assignment (full or partial): [ ]",
        "8. Collateral change: [ ]",
        "Harbor Lane Capital LLC",
        "New York Department of State",
        "10. Optional filer reference data: harbor-quill-pledge",
        "[●]",
    ):
        assert expected.replace("\\", "") in text.replace("\\", ""), expected


@pytest.mark.parametrize("fmt", ("md", "docx", "pdf"))
def test_amendment_deletes_the_named_notes(store: service.Store, tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"ucc3.{fmt}"
    result = ucc3_filing(
        store,
        "harbor-quill-ucc1",  # by the financing statement's id
        Output(path),
        termination=False,
        note_ids=("quill-mortgage-2",),
    )
    assert [note.note_id for note in result.context.released] == ["quill-mortgage-2"]
    # A narrow PDF column may break an id at its hyphen.
    text = text_of(path).replace("\\", "").replace("- ", "-")
    assert "2. Termination: [ ]" in text
    assert "[X] DELETE collateral" in text
    for expected in (
        "quill-mortgage-2",
        "Okafor Properties LLC",
        "February 1, 2022",
        "$600,000.00",
    ):
        assert expected in text, expected
    assert "Rivera Family Trust" not in text


def test_termination_after_settlement_states_when_it_is_due(
    store: service.Store, tmp_path: Path
) -> None:
    service.settle(store, service.QuoteRequest(REFERENCE_LOAN, REFERENCE_DATE), key=None)
    result = ucc3_filing(store, "berg-valence-pledge", Output(tmp_path / "t.md"), termination=True)
    (obligation,) = [
        record.obligation
        for record in service.obligations(store)
        if record.obligation.financing_statement_id == "berg-valence-ucc1"
    ]
    assert result.context.due == obligation.due == date(2002, 4, 20)
    assert result.context.obligation_id == obligation.id
    assert "To be filed by: April 20, 2002" in text_of(tmp_path / "t.md")


@pytest.mark.parametrize(
    ("code", "options"),
    [
        ("NOTES_WITH_TERMINATION", {"termination": True, "note_ids": ("quill-mortgage-1",)}),
        ("MISSING_NOTES", {"termination": False}),
        ("NOTE_NOT_PLEDGED", {"termination": False, "note_ids": ("valence-note-1",)}),
        (
            "DUPLICATE_NOTE",
            {"termination": False, "note_ids": ("quill-mortgage-1", "quill-mortgage-1")},
        ),
        ("UNKNOWN_FINANCING_STATEMENT", {"termination": True, "statement_id": "nope"}),
    ],
)
def test_a_ucc3_the_records_do_not_support_is_refused(
    store: service.Store, tmp_path: Path, code: str, options: dict[str, Any]
) -> None:
    _refused(
        store,
        tmp_path,
        code,
        lambda: ucc3_filing(store, "harbor-quill-pledge", Output(tmp_path / "u.md"), **options),
    )


def test_a_ucc3_of_an_unknown_record_is_refused(store: service.Store, tmp_path: Path) -> None:
    _refused(
        store,
        tmp_path,
        "UNKNOWN_SECURITY_INTEREST",
        lambda: ucc3_filing(store, "nope", Output(tmp_path / "u.md"), termination=True),
    )


# Outputs ----------------------------------------------------------------------------


def test_an_existing_output_is_kept_without_force_and_replaced_with_it(
    store: service.Store, tmp_path: Path
) -> None:
    path = tmp_path / "p.md"
    path.write_text("mine", encoding="utf-8")
    _refused(
        store,
        tmp_path,
        "OUTPUT_EXISTS",
        lambda: payoff_letter(store, HARBOR_LOAN, HARBOR_DATE, Output(path)),
    )
    assert path.read_text(encoding="utf-8") == "mine"
    payoff_letter(store, HARBOR_LOAN, HARBOR_DATE, Output(path, force=True))
    assert path.read_text(encoding="utf-8").startswith("# Payoff Letter")


def test_the_store_itself_is_never_an_output(store: service.Store, tmp_path: Path) -> None:
    from service_helpers import sqlite_file

    database = sqlite_file(store.url)
    for fmt in ("pdf", None):
        _refused(
            store,
            tmp_path,
            "OUTPUT_IS_INPUT",
            lambda fmt=fmt: payoff_letter(  # type: ignore[misc]
                store, HARBOR_LOAN, HARBOR_DATE, Output(database, fmt, force=True)
            ),
        )


@pytest.mark.parametrize(
    ("name", "fmt", "code"),
    [
        ("p.md", "pdf", "FORMAT_MISMATCH"),
        ("p.docx", "md", "FORMAT_MISMATCH"),
        ("p.xlsx", None, "FORMAT_MISMATCH"),
        ("p.pdf", "rtf", "UNKNOWN_FORMAT"),
    ],
)
def test_a_format_that_disagrees_with_the_extension_is_refused(
    store: service.Store, tmp_path: Path, name: str, fmt: str | None, code: str
) -> None:
    _refused(
        store,
        tmp_path,
        code,
        lambda: payoff_letter(store, HARBOR_LOAN, HARBOR_DATE, Output(tmp_path / name, fmt)),
    )


def test_a_schedule_in_a_document_format_is_refused(store: service.Store, tmp_path: Path) -> None:
    _refused(
        store,
        tmp_path,
        "FORMAT_MISMATCH",
        lambda: schedule_file(store, "quill-mortgage-1", Output(tmp_path / "s.pdf")),
    )


def test_a_name_without_extension_takes_the_format_given(
    store: service.Store, tmp_path: Path
) -> None:
    path = tmp_path / "letter"
    result = payoff_letter(store, HARBOR_LOAN, HARBOR_DATE, Output(path, "docx"))
    assert result.written.fmt == "docx"
    assert path.read_bytes()[:2] == b"PK"


@pytest.mark.parametrize(
    ("code", "call"),
    [
        ("DATES_OUT_OF_ORDER", ("statement", HARBOR_LOAN, date(2024, 6, 30), date(2024, 6, 1))),
        ("BEFORE_HISTORY", ("statement", HARBOR_LOAN, date(2023, 1, 1), date(2023, 12, 31))),
        ("UNKNOWN_INSTRUMENT", ("statement", "nope", date(2024, 1, 1), date(2024, 6, 30))),
        ("UNKNOWN_LOAN", ("payoff", "nope", HARBOR_DATE)),
        ("BEFORE_HISTORY", ("payoff", HARBOR_LOAN, date(2023, 1, 1))),
    ],
)
def test_documents_of_records_that_do_not_exist_are_refused(
    store: service.Store, tmp_path: Path, code: str, call: tuple[Any, ...]
) -> None:
    kind, *args = call
    output = Output(tmp_path / "doc.md")
    use_case: Any = periodic_statement if kind == "statement" else payoff_letter
    _refused(store, tmp_path, code, lambda: use_case(store, *args, output))


def test_a_payoff_letter_of_a_settled_loan_is_refused(store: service.Store, tmp_path: Path) -> None:
    service.settle(store, service.QuoteRequest(REFERENCE_LOAN, REFERENCE_DATE), key=None)
    _refused(
        store,
        tmp_path,
        "LOAN_DISCHARGED",
        lambda: payoff_letter(store, REFERENCE_LOAN, REFERENCE_DATE, Output(tmp_path / "p.md")),
    )
