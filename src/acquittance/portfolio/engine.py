"""Positions of a book: the kernel where it can, the core where it cannot, counted.

`positions(book, as_of)` runs the kernel over the book's columns, then asks
`accrual.position` for each row the kernel left to the core (the book gives
the instrument back, value for value, with `columns.instrument_at`). So
every figure is the core's: where the kernel computes it, bit for bit (the
tests prove it on random books); elsewhere, by the core itself. An
instrument the core refuses is recorded with its error's code and message,
not raised: one bad row does not stop a month-end run (`raise_first` gives
the core's behaviour for callers that want it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import partial
from typing import Final

import numpy as np
import numpy.typing as npt

from acquittance.core.accrual import position
from acquittance.core.conventions import YEAR_BASES
from acquittance.core.errors import AcquittanceError
from acquittance.core.instruments import Loan, Note
from acquittance.portfolio.columns import RATE_SCALE, Book, day_number, instrument_at
from acquittance.portfolio.kernel import KernelResult, walk_book

IntArray = npt.NDArray[np.int64]
_INT64_MAX: Final = 2**63 - 1
_CENT: Final = Decimal("0.01")


@dataclass(frozen=True)
class RowError:
    """Why the core refused one row: the error's class, code and message."""

    kind: type[AcquittanceError]
    code: str
    message: str

    def error(self) -> AcquittanceError:
        return self.kind(self.code, self.message)


@dataclass(frozen=True)
class BookPositions:
    """Principal and accrued interest of every row of a book on one date, in cents.

    `core_rows` lists the rows the core computed (the kernel could not);
    `large` holds, for any of them whose cents do not fit int64, the exact
    figures (their columns hold 0); `errors` the rows the core refused (their
    figures are 0 too).
    """

    as_of: date
    ids: Sequence[str]
    kinds: Sequence[str]
    currencies: Sequence[str]
    principal_cents: IntArray
    interest_cents: IntArray
    core_rows: IntArray
    large: dict[int, tuple[Decimal, Decimal]] = field(default_factory=dict)
    errors: dict[int, RowError] = field(default_factory=dict)
    exact: dict[int, Fraction] | None = None  # interest_exact by row, when asked for

    def __len__(self) -> int:
        return len(self.ids)

    def principal(self, row: int) -> Decimal:
        if row in self.large:
            return self.large[row][0]
        return Decimal(int(self.principal_cents[row])) * _CENT

    def interest(self, row: int) -> Decimal:
        if row in self.large:
            return self.large[row][1]
        return Decimal(int(self.interest_cents[row])) * _CENT

    def raise_first(self) -> None:
        """Raise the core's error of the first refused row, as a loop over the core would."""
        if self.errors:
            raise self.errors[min(self.errors)].error()


def _cents(amount: Decimal) -> int:
    return int(Decimal(amount) * 100)  # Decimal(): the core passes a string amount through


def exact_interest(result: KernelResult, row: int) -> Fraction:
    """The kernel's exact accrued interest of `row`, in currency units (not cents)."""
    assert result.whole is not None and result.accrued is not None, "walk with exact=True"
    cents = Fraction(int(result.whole[row]))
    for basis, year in enumerate(YEAR_BASES):
        cents += Fraction(int(result.accrued[basis, row]), RATE_SCALE * year)
    return cents / 100


def positions(
    book: Book,
    as_of: date,
    *,
    exact: bool = False,
    instrument_of: Callable[[int], Loan | Note] | None = None,
) -> BookPositions:
    """Every row's position on `as_of`: the kernel's figures, the core's where it declined.

    `instrument_of(row)` gives the core the row's instrument; by default the
    book's own (`instrument_at`), which has the same values (a caller holding
    the original values passes them, so that error messages quote amounts as
    they were written).
    """
    if instrument_of is None:
        instrument_of = partial(instrument_at, book)
    result = walk_book(book, day_number(as_of), exact=exact)
    principal, interest = result.principal, result.interest
    core_rows = np.flatnonzero(result.core)
    large: dict[int, tuple[Decimal, Decimal]] = {}
    errors: dict[int, RowError] = {}
    exact_by_row: dict[int, Fraction] | None = None
    if exact:
        exact_by_row = {
            row: exact_interest(result, row) for row in np.flatnonzero(~result.core).tolist()
        }
    for row in core_rows.tolist():
        try:
            held = position(instrument_of(row), as_of)
        except AcquittanceError as error:
            errors[row] = RowError(type(error), error.code, error.message)
            continue
        if exact_by_row is not None:
            exact_by_row[row] = held.interest_exact
        cents = _cents(held.principal), _cents(held.interest)
        if max(abs(cents[0]), abs(cents[1])) > _INT64_MAX:
            large[row] = (Decimal(held.principal), Decimal(held.interest))
        else:
            principal[row], interest[row] = cents
    return BookPositions(
        as_of=as_of,
        ids=book.ids,
        kinds=book.kinds,
        currencies=book.currencies,
        principal_cents=principal,
        interest_cents=interest,
        core_rows=core_rows,
        large=large,
        errors=errors,
        exact=exact_by_row,
    )
