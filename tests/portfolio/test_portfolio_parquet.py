"""The book on disk: read back without loss, streamed in batches, positions exact."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest
from test_portfolio_book import reference_loan, reference_note, synthetic_book

from acquittance.core.accrual import position
from acquittance.core.instruments import (
    Advance,
    Discharge,
    Loan,
    Note,
    OpeningBalance,
    Payment,
    RateChange,
    Satisfaction,
    Terms,
)
from acquittance.portfolio.columns import book_of, instrument_at
from acquittance.portfolio.parquet import iter_books, read_book, write_book
from acquittance.portfolio.stream import stream_positions

D = Decimal
AS_OF = date(2024, 6, 30)


def odd_instruments() -> list[Loan | Note]:
    """Everything the integer columns cannot hold, next to what they can."""
    events = (
        OpeningBalance(date(2020, 1, 31), D("1000"), D("1.5")),
        Advance(date(2020, 3, 1), D("250.00")),
        Payment(date(2020, 6, 30), D("10.000")),
        RateChange(date(2021, 1, 1), D("0.0712345")),  # seven places: no integer column
        Satisfaction(date(2022, 1, 1), D("5.00"), "stl-1"),
        Discharge(date(2023, 1, 1), "stl-1"),
    )
    return [
        reference_loan(),
        reference_note(1, "8000000.00", "523808.22"),
        Loan("odd", "l", "b", Terms(D("0.05"), "30/360", "EUR", rounding="half-even"), events),
        Loan("text-rate", "l", "b", Terms("7.125%", "ACT/ACT", "USD"), events[:2]),  # type: ignore[arg-type]
        Note(
            "huge",
            "m",
            "h",
            Terms(D("0.2"), "ACT/360", "USD"),
            (Advance(date(2020, 1, 1), D("9" * 17)),),
        ),
    ]


def test_a_book_reads_back_value_for_value(tmp_path: Path) -> None:
    instruments = odd_instruments()
    write_book(book_of(instruments), tmp_path / "book.parquet")
    book = read_book(tmp_path / "book.parquet")
    assert len(book) == len(instruments)
    for row, original in enumerate(instruments):
        back = instrument_at(book, row)
        assert type(back) is type(original)
        assert (back.id, back.terms, back.events) == (original.id, original.terms, original.events)


def test_batches_are_the_whole_book_in_order(tmp_path: Path) -> None:
    loans = synthetic_book(250)
    write_book(book_of(loans), tmp_path / "book.parquet", row_group_rows=64)
    rows = [
        instrument_at(batch, i)
        for batch in iter_books(tmp_path / "book.parquet", batch_rows=40)
        for i in range(len(batch))
    ]
    assert [r.id for r in rows] == [loan.id for loan in loans]
    assert rows == loans


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_streamed_positions_are_the_cores_exactly(tmp_path: Path, suffix: str) -> None:
    instruments = [*odd_instruments(), *synthetic_book(120)]
    write_book(book_of(instruments), tmp_path / "book.parquet")
    output = tmp_path / f"positions{suffix}"
    totals = stream_positions(tmp_path / "book.parquet", AS_OF, output=output, batch_rows=17)
    table = (
        pq.read_table(output)
        if suffix == ".parquet"
        else pa_csv.read_csv(
            output,
            convert_options=pa_csv.ConvertOptions(
                column_types={"principal": "string", "interest": "string"}
            ),
        )
    )
    rows = table.to_pylist()
    assert [row["id"] for row in rows] == [i.id for i in instruments]
    for row, instrument in zip(rows, instruments, strict=True):
        held = position(instrument, AS_OF)
        assert D(str(row["principal"])) == held.principal
        assert D(str(row["interest"])) == held.interest
        if suffix == ".csv":  # decimal strings, two places
            assert row["interest"] == str(held.interest.quantize(D("0.01")))
    core = {row["id"] for row in rows if row["path"] == "core"}
    assert core == {"odd", "text-rate", "huge"}
    assert (totals.rows, totals.core_rows, totals.errors) == (len(instruments), 3, 0)
