"""Positions of a whole book as of one date: columnar, fast, and the core's cents to the bit.

Each instrument goes through `fastpath.walk` (integer arithmetic, validation
made cheap) or, where that declines, through `accrual.position` itself, so
every figure is the core's: principal, interest and exact interest are what
`[accrual.position(i, as_of) for i in book]` gives, and an instrument the core
refuses raises the core's error (the first such instrument in book order, as
that list would). The only difference: a book position carries no `periods`
(the working an auditor reads); ask `accrual.position` for one instrument's.

With `workers > 1` the book is split into contiguous chunks over a process
pool. Where processes can be forked, the workers inherit the book and receive
only index ranges; elsewhere each chunk is sent whole.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Final, TypeAlias

from acquittance.core.accrual import position
from acquittance.core.errors import AcquittanceError, InputError
from acquittance.core.instruments import Loan, Note, Position
from acquittance.portfolio.fastpath import Row, precision_ok, walk

#: Smallest chunk a worker is given, unless the caller names a chunk size.
CHUNK_MIN: Final = 2_000
#: Chunks per worker, so that a slow chunk does not hold the others up.
CHUNKS_PER_WORKER: Final = 4

Instrument: TypeAlias = Loan | Note
#: A chunk's answer as it crosses between processes: principal and interest as decimal
#: strings (exact, exponent kept), exact interest as numerators and denominators, the
#: chunk's indexes that took the core path, and the error that stopped it (class, code,
#: message), if any.
Shipped: TypeAlias = tuple[
    list[str],
    list[str],
    list[int],
    list[int],
    list[int],
    tuple[type[AcquittanceError], str, str] | None,
]


@dataclass
class _Part:
    """Columns being filled, in book order."""

    principal: list[Decimal] = field(default_factory=list)
    interest: list[Decimal] = field(default_factory=list)
    numerators: list[int] = field(default_factory=list)
    denominators: list[int] = field(default_factory=list)
    core_path: list[int] = field(default_factory=list)

    def fill(self, instruments: Sequence[Instrument], as_of: date, offset: int = 0) -> None:
        """Append each instrument's figures; the core's error raises, the rows before it kept."""
        fast = precision_ok()
        principal, interest = self.principal, self.interest
        numerators, denominators = self.numerators, self.denominators
        for index, instrument in enumerate(instruments, offset):
            row = walk(instrument, as_of) if fast else None
            if row is None:
                row = _core_row(instrument, as_of)
                self.core_path.append(index)
            principal.append(row[0])
            interest.append(row[1])
            numerators.append(row[2])
            denominators.append(row[3])

    def ship(self, error: tuple[type[AcquittanceError], str, str] | None) -> Shipped:
        return (
            [str(value) for value in self.principal],
            [str(value) for value in self.interest],
            self.numerators,
            self.denominators,
            self.core_path,
            error,
        )

    def receive(self, shipped: Shipped) -> None:
        """Append a chunk shipped by a worker; raise the error that stopped it, if any."""
        principal, interest, numerators, denominators, core_path, error = shipped
        self.principal.extend(map(Decimal, principal))
        self.interest.extend(map(Decimal, interest))
        self.numerators.extend(numerators)
        self.denominators.extend(denominators)
        self.core_path.extend(core_path)
        if error is not None:
            kind, code, message = error
            raise kind(code, message)


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
        as_of = self.as_of
        return [
            Position(
                instrument_id=instrument_id,
                as_of=as_of,
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


def _core_row(instrument: Instrument, as_of: date) -> Row:
    held = position(instrument, as_of)
    exact = held.interest_exact
    return held.principal, held.interest, exact.numerator, exact.denominator


def _chunk(instruments: Sequence[Instrument], as_of: date, offset: int) -> Shipped:
    part = _Part()
    try:
        part.fill(instruments, as_of, offset)
    except AcquittanceError as error:
        # Sent back as data: these errors take (code, message), which pickling does not restore.
        return part.ship((type(error), error.code, error.message))
    return part.ship(None)


_inherited: tuple[Sequence[Instrument], date] | None = None


def _inherit(instruments: Sequence[Instrument], as_of: date) -> None:
    """Worker initializer under fork: the book arrives with the process, not through a pipe."""
    global _inherited
    _inherited = (instruments, as_of)


def _chunk_of_inherited(bounds: tuple[int, int]) -> Shipped:
    assert _inherited is not None, "worker started without its book"
    instruments, as_of = _inherited
    low, high = bounds
    return _chunk(instruments[low:high], as_of, low)


def _chunk_sent(job: tuple[Sequence[Instrument], date, int]) -> Shipped:
    return _chunk(*job)


def _pooled(
    instruments: Sequence[Instrument], as_of: date, workers: int, chunk_size: int
) -> Iterator[Shipped]:
    total = len(instruments)
    bounds = [(low, min(low + chunk_size, total)) for low in range(0, total, chunk_size)]
    if "fork" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(
            workers, mp_context=context, initializer=_inherit, initargs=(instruments, as_of)
        ) as pool:
            yield from pool.map(_chunk_of_inherited, bounds)
    else:
        jobs = [(instruments[low:high], as_of, low) for low, high in bounds]
        with ProcessPoolExecutor(workers) as pool:
            yield from pool.map(_chunk_sent, jobs)


def _check_workers(workers: object, chunk_size: object) -> None:
    for name, value in (("workers", workers), ("chunk_size", chunk_size)):
        if value is None and name == "chunk_size":
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InputError(
                "INVALID_WORKERS",
                f"{name} {value!r} must be a whole number 1 or more",
            )


def book_columns(
    instruments: Sequence[Instrument],
    as_of: date,
    *,
    workers: int = 1,
    chunk_size: int | None = None,
) -> BookColumns:
    """Positions of every instrument as of `as_of`, as columns, computed in `workers` processes.

    The figures are `accrual.position(instrument, as_of)`'s, bit for bit; an
    instrument the core refuses raises the core's error. `chunk_size` is how
    many instruments a worker takes at a time (default: the book split into
    `CHUNKS_PER_WORKER` chunks per worker, at least `CHUNK_MIN` each). A book
    no larger than one chunk is computed in this process.
    """
    _check_workers(workers, chunk_size)
    book = instruments if isinstance(instruments, list | tuple) else list(instruments)
    size = chunk_size or max(CHUNK_MIN, -(-len(book) // (workers * CHUNKS_PER_WORKER)))
    part = _Part()
    if workers == 1 or len(book) <= size:
        part.fill(book, as_of)
    else:
        for shipped in _pooled(book, as_of, workers, size):
            part.receive(shipped)
    return BookColumns(
        as_of=as_of,
        ids=tuple(instrument.id for instrument in book),
        currencies=tuple(instrument.terms.currency for instrument in book),
        principal=tuple(part.principal),
        interest=tuple(part.interest),
        interest_exact=tuple(map(Fraction, part.numerators, part.denominators)),
        roundings=tuple(instrument.terms.rounding for instrument in book),
        core_path=tuple(part.core_path),
    )


def book_positions(
    instruments: Sequence[Instrument],
    as_of: date,
    *,
    workers: int = 1,
    chunk_size: int | None = None,
) -> list[Position]:
    """`[accrual.position(i, as_of) for i in instruments]`, figure for figure, much faster.

    Each `Position` has the core's principal, interest and interest_exact, and
    no `periods`. See `book_columns` for `workers` and `chunk_size`.
    """
    return book_columns(instruments, as_of, workers=workers, chunk_size=chunk_size).positions()


def instrument_position(instrument: Instrument, as_of: date) -> Position:
    """One instrument's position by the fast path (the core's figures, without `periods`)."""
    return book_positions((instrument,), as_of)[0]
