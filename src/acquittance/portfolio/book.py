"""Whole books from loan and note values: `[accrual.position(i, as_of) for i in book]`, fast.

The instruments become columns (`columns.book_of`) and go through the engine
(the kernel, and the core where the kernel declines). Principal, interest
and exact interest are the core's, value for value; an instrument the core
refuses raises the core's error, the first in book order, as that list
would. Two differences: a book position carries no `periods` (the working an
auditor reads; ask `accrual.position` for one instrument's), and amounts come
back in cents (`Decimal("100.00")` where a deal file wrote `100`: the same
value).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import TypeAlias

from acquittance.core.errors import InputError
from acquittance.core.instruments import Loan, Note, Position
from acquittance.portfolio.columns import book_of
from acquittance.portfolio.engine import positions

Instrument: TypeAlias = Loan | Note


@dataclass(frozen=True)
class BookColumns:
    """A book's positions as of one date, one tuple per field, in the book's order."""

    as_of: date
    ids: tuple[str, ...]
    currencies: tuple[str, ...]
    principal: tuple[Decimal, ...]
    interest: tuple[Decimal, ...]  # rounded once, under each instrument's rounding mode
    interest_exact: tuple[Fraction, ...]
    roundings: tuple[str, ...]
    core_path: tuple[int, ...]  # indexes of the instruments computed by accrual.position

    def __len__(self) -> int:
        return len(self.ids)

    def positions(self) -> list[Position]:
        """The same figures as `Position`s (without `periods`)."""
        return [
            Position(
                instrument_id=instrument_id,
                as_of=self.as_of,
                currency=currency,
                principal=principal,
                interest=interest,
                interest_exact=exact,
                rounding=rounding,
            )
            for instrument_id, currency, principal, interest, exact, rounding in zip(
                self.ids,
                self.currencies,
                self.principal,
                self.interest,
                self.interest_exact,
                self.roundings,
                strict=True,
            )
        ]

    def total_principal(self) -> Decimal:
        return sum(self.principal, Decimal("0.00"))

    def total_interest(self) -> Decimal:
        return sum(self.interest, Decimal("0.00"))


def check_as_of(as_of: object) -> date:
    """The as-of date, or the core's INVALID_DATE."""
    if not isinstance(as_of, date) or isinstance(as_of, datetime):
        raise InputError("INVALID_DATE", f"as-of date {as_of!r} is not a date (YYYY-MM-DD)")
    return as_of


def book_columns(instruments: Sequence[Instrument], as_of: date) -> BookColumns:
    """Positions of every instrument as of `as_of`, as columns: the core's figures.

    An instrument the core refuses raises the core's error (the first in book order).
    """
    book = list(instruments)
    check_as_of(as_of)
    found = positions(book_of(book), as_of, exact=True, instrument_of=book.__getitem__)
    found.raise_first()
    assert found.exact is not None
    return BookColumns(
        as_of=as_of,
        ids=tuple(instrument.id for instrument in book),
        currencies=tuple(instrument.terms.currency for instrument in book),
        principal=tuple(found.principal(row) for row in range(len(book))),
        interest=tuple(found.interest(row) for row in range(len(book))),
        interest_exact=tuple(found.exact[row] for row in range(len(book))),
        roundings=tuple(instrument.terms.rounding for instrument in book),
        core_path=tuple(found.core_rows.tolist()),
    )


def book_positions(instruments: Sequence[Instrument], as_of: date) -> list[Position]:
    """`[accrual.position(i, as_of) for i in instruments]`, figure for figure, much faster.

    Each `Position` has the core's principal, interest and interest_exact, and
    no `periods`.
    """
    return book_columns(instruments, as_of).positions()


def instrument_position(instrument: Instrument, as_of: date) -> Position:
    """One instrument's position through the engine (the core's figures, without `periods`)."""
    return book_positions((instrument,), as_of)[0]
