"""The portfolio benchmark runs at a tiny size and gives every figure the table needs.

Nothing here checks a time: benchmarks report figures, tests never assert them."""

from __future__ import annotations

import pytest
from benchmarks import portfolio


def test_the_kernel_rows_are_all_there_and_the_equality_check_is_zero(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(portfolio, "BOOK_COUNT", 3_000)
    monkeypatch.setattr(portfolio, "SAMPLE_COUNT", 300)
    rows = portfolio.kernel_rows()
    assert len(rows) == 7
    equality = next(row for row in rows if row[0].startswith("equality check"))
    assert equality[1] == "0"
    assert all(rate for _, rate, _ in rows)


def test_the_synthetic_book_is_what_the_core_computes() -> None:
    from acquittance.core.accrual import position
    from acquittance.portfolio.columns import instrument_at
    from acquittance.portfolio.engine import positions

    book = portfolio.synthetic_book(60)
    found = positions(book, portfolio.AS_OF)
    assert len(found.core_rows) == 0
    for row in range(60):
        held = position(instrument_at(book, row), portfolio.AS_OF)
        assert (found.principal(row), found.interest(row)) == (held.principal, held.interest)
