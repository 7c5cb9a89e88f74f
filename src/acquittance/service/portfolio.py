"""Whole-book use cases: the book exported as columns, positions of every instrument, and the
portfolio overview (payoff, collateral value, coverage and shortfall of every loan).

Each reads the store in one read transaction (loans and notes with their
events, and the security interests), then hands the book to the columnar
engine (`acquittance.portfolio`): the kernel, the core where the kernel
declines, in one process, batch by batch, or on Dask. A book file given
instead of the store is read as it is; nothing else opens the store.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Final

from acquittance.agreements.drafting.output import check_output
from acquittance.core.errors import InputError
from acquittance.core.instruments import Loan, Note
from acquittance.service.store import Store
from acquittance.store.book_export import instrument_chunks, instruments_count
from acquittance.store.repository import Repository

#: What `book positions --output` writes, by extension.
POSITIONS_FORMATS: Final = (".parquet", ".csv")
#: Most workers of a local Dask cluster (`--local-workers`).
LOCAL_WORKERS_MAX: Final = 64
#: Instruments per file of a book partitioned for Dask workers, at least.
PARTITION_ROWS_MIN: Final = 50_000
Progress = Callable[[int, int], None]  # (instruments done so far, instruments in all)
_CENT: Final = Decimal("0.01")


# --- the book as columns ---------------------------------------------------------------------


@dataclass(frozen=True)
class BookExport:
    """A book written from the store: where, how many instruments, in how many files."""

    path: Path
    loans: int
    notes: int
    files: int
    size_bytes: int


def _check_book_output(path: Path, *, force: bool, partitions: int) -> None:
    if partitions > 1:
        if path.exists() and not path.is_dir():
            raise InputError(
                "OUTPUT_NOT_WRITABLE",
                f"{path} is a file; a partitioned book is a folder, give a folder name",
            )
        if path.is_dir() and any(path.iterdir()) and not force:
            raise InputError(
                "OUTPUT_EXISTS",
                f"folder {path} is not empty; choose another, or pass --force to replace it",
            )
        return
    if path.suffix.lower() != ".parquet":
        raise InputError(
            "FORMAT_MISMATCH", f"{path} does not end in .parquet; a book is a Parquet file"
        )
    check_output(path, force=force)


def export_book(
    store: Store, path: Path, *, force: bool = False, partitions: int = 1
) -> BookExport:
    """Write every loan and note of the store, with its events, as a columnar book.

    One Parquet file, or with `partitions` > 1 a folder of that many files.
    The store is read in chunks and each is written before the next is read,
    so memory holds one chunk whatever the store's size.
    """
    if partitions < 1:
        raise InputError("INVALID_PARTITIONS", f"--partitions {partitions} must be 1 or more")
    _check_book_output(path, force=force, partitions=partitions)
    return _write_book(store, path, partitions=partitions)


def _write_book(store: Store, path: Path, *, partitions: int) -> BookExport:
    from acquittance.portfolio.columns import book_of
    from acquittance.portfolio.parquet import BookWriter

    if partitions > 1 and path.is_dir():
        shutil.rmtree(path)
    with store.read() as session:
        loans, notes = instruments_count(session)
        writer = BookWriter(path, rows=loans + notes, partitions=partitions)
        for chunk in instrument_chunks(session):
            writer.write(book_of(chunk))
        files = writer.close()
    return BookExport(
        path=path,
        loans=loans,
        notes=notes,
        files=len(files),
        size_bytes=sum(file.stat().st_size for file in files),
    )


# --- positions of every instrument -----------------------------------------------------------


@dataclass(frozen=True)
class PositionsRequest:
    """What `book positions` is asked for."""

    as_of: date
    book: Path | None = None  # a book file or folder; None: the store's book
    output: Path | None = None  # .parquet or .csv
    force: bool = False
    scheduler: str | None = None  # a Dask scheduler's address
    local_workers: int | None = None  # a local Dask cluster of that many workers


@dataclass(frozen=True)
class PositionsRun:
    """What a positions run did: rows, how many the core computed or refused, totals."""

    as_of: date
    rows: int
    core_rows: int
    errors: int
    principal: dict[str, Decimal]  # by currency
    interest: dict[str, Decimal]
    output: Path | None
    engine: str  # "single process", "dask local cluster of N workers", "dask at ADDRESS"

    @property
    def kernel_rows(self) -> int:
        return self.rows - self.core_rows


def _check_positions_request(request: PositionsRequest) -> None:
    output = request.output
    if output is not None:
        if output.suffix.lower() not in POSITIONS_FORMATS:
            raise InputError(
                "FORMAT_MISMATCH",
                f"{output} ends in neither .parquet nor .csv; positions are written as one "
                "of those",
            )
        inputs = [request.book] if request.book is not None else []
        check_output(output, force=request.force, inputs=inputs)
    if request.book is not None and not request.book.exists():
        raise InputError(
            "BOOK_NOT_FOUND",
            f"book {request.book} does not exist; write one with `acquittance book export`",
        )
    workers = request.local_workers
    if workers is not None and not 1 <= workers <= LOCAL_WORKERS_MAX:
        raise InputError(
            "INVALID_WORKERS", f"--local-workers {workers} must be from 1 to {LOCAL_WORKERS_MAX}"
        )
    if request.scheduler is not None and request.local_workers is not None:
        raise InputError("USAGE", "give --dask SCHEDULER or --local-workers N, not both")


@contextmanager
def _book_on_disk(store: Store, request: PositionsRequest, partitions: int) -> Iterator[Path]:
    """The book to walk: the request's file, or the store's book in a temporary folder."""
    if request.book is not None:
        yield request.book
        return
    folder = Path(tempfile.mkdtemp(prefix="acquittance-book-"))
    try:
        with store.read() as session:
            size = sum(instruments_count(session))
        count = max(1, min(partitions, size // PARTITION_ROWS_MIN or 1))
        target = folder / "book" if count > 1 else folder / "book.parquet"
        _write_book(store, target, partitions=count)
        yield target
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _read_book_error(path: Path, error: Exception) -> InputError:
    return InputError(
        "BOOK_INVALID",
        f"{path} is not a book acquittance wrote ({type(error).__name__}); write one with "
        "`acquittance book export`",
    )


def book_positions(
    store: Store, request: PositionsRequest, *, on_progress: Progress | None = None
) -> PositionsRun:
    """Positions of every loan and note on `request.as_of`, written to `request.output`."""
    import pyarrow as pa

    from acquittance.portfolio.parquet import book_rows

    _check_positions_request(request)
    workers = request.local_workers or 1
    with _book_on_disk(store, request, workers * 4) as book:
        try:
            total = book_rows(book)
        except (pa.ArrowException, OSError) as error:
            raise _read_book_error(book, error) from None
        done = [0]

        def advanced(count: int) -> None:
            done[0] += count
            if on_progress is not None:
                on_progress(done[0], total)

        try:
            totals, engine = _run(request, book, advanced)
        except (pa.ArrowException, KeyError) as error:
            raise _read_book_error(book, error) from None
    return PositionsRun(
        as_of=request.as_of,
        rows=totals.rows,
        core_rows=totals.core_rows,
        errors=totals.errors,
        principal={k: Decimal(v) * _CENT for k, v in totals.principal_cents.items()},
        interest={k: Decimal(v) * _CENT for k, v in totals.interest_cents.items()},
        output=request.output,
        engine=engine,
    )


def _run(request: PositionsRequest, book: Path, advanced: Callable[[int], None]) -> tuple[Any, str]:
    from acquittance.portfolio.distributed import client_for, dask_positions
    from acquittance.portfolio.stream import stream_positions

    if request.scheduler is None and request.local_workers is None:
        totals = stream_positions(book, request.as_of, output=request.output, on_batch=advanced)
        return totals, "single process"
    try:
        with client_for(scheduler=request.scheduler, local_workers=request.local_workers) as client:
            totals = dask_positions(
                client, book, request.as_of, output=request.output, on_partition=advanced
            )
    except OSError as error:  # no scheduler at that address, or it went away
        raise InputError(
            "DASK_UNREACHABLE",
            f"cannot reach the Dask scheduler {request.scheduler}: {error}; check the address "
            "(tcp://HOST:8786) and that `dask scheduler` runs there",
        ) from None
    if request.scheduler is not None:
        return totals, f"dask at {request.scheduler}"
    return totals, f"dask local cluster of {request.local_workers} workers"


# --- the portfolio overview ------------------------------------------------------------------


@dataclass(frozen=True)
class OverviewRow:
    """One loan on a date: what pays it off, what secures it, and how well.

    `coverage` is collateral value over payoff, `loan_to_value` payoff over
    collateral value (both None where the divisor is 0); `shortfall` what the
    collateral leaves unpaid, `surplus` what it has beyond the payoff.
    """

    loan_id: str
    lender_id: str
    borrower_id: str
    currency: str
    status: str  # "open", "discharged", "not yet open", or the core's error code
    principal: Decimal
    interest: Decimal
    payoff: Decimal
    notes: tuple[str, ...]
    collateral_principal: Decimal
    collateral_interest: Decimal
    collateral_value: Decimal
    coverage: Decimal | None
    loan_to_value: Decimal | None
    shortfall: Decimal
    surplus: Decimal


@dataclass(frozen=True)
class Overview:
    """Every loan of the store on one date, and how many positions the core computed."""

    as_of: date
    rows: tuple[OverviewRow, ...]
    instruments: int
    core_rows: int

    def totals(self) -> dict[str, dict[str, Decimal]]:
        """Payoff, collateral value, shortfall and surplus summed by currency."""
        found: dict[str, dict[str, Decimal]] = {}
        for row in self.rows:
            sums = found.setdefault(
                row.currency,
                {
                    k: Decimal("0.00")
                    for k in ("payoff", "collateral_value", "shortfall", "surplus")
                },
            )
            for name in sums:
                sums[name] += getattr(row, name)
        return found


def _ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    if denominator == 0:
        return None
    return (numerator / denominator).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def _pledged(interests: list[Any], as_of: date) -> dict[str, list[str]]:
    """Notes pledged to each loan on `as_of` (granted by then, not yet released)."""
    pledged: dict[str, list[str]] = {}
    for interest in interests:
        granted = interest.granted_on is None or interest.granted_on <= as_of
        released = interest.released_on is not None and interest.released_on <= as_of
        if granted and not released:
            pledged.setdefault(interest.loan_id, []).extend(interest.note_ids)
    return pledged


@dataclass(frozen=True)
class _Held:
    """What the overview keeps of one instrument: its terms' currency and its figures."""

    currency: str
    principal: Decimal
    interest: Decimal
    status: str  # "open", "not yet open", or the core's error code


def _held(found: Any, row: int, instrument: Loan | Note, as_of: date) -> _Held:
    currency = instrument.terms.currency
    if row in found.errors:
        code = found.errors[row].code
        status = "not yet open" if code == "BEFORE_HISTORY" else code
        return _Held(currency, Decimal("0.00"), Decimal("0.00"), status)
    discharged_on = instrument.discharged_on if isinstance(instrument, Loan) else None
    if discharged_on is not None and discharged_on <= as_of:
        return _Held(currency, found.principal(row), found.interest(row), "discharged")
    return _Held(currency, found.principal(row), found.interest(row), "open")


def portfolio_overview(
    store: Store, as_of: date, *, on_progress: Progress | None = None
) -> Overview:
    """Payoff, collateral value, coverage and shortfall of every loan on `as_of`.

    The store is read in chunks (`store.book_export`), each chunk's positions
    come from the engine, and only the figures are kept.
    """
    from acquittance.portfolio.columns import book_of
    from acquittance.portfolio.engine import positions

    loans: list[tuple[Loan, _Held]] = []
    notes: dict[str, _Held] = {}
    core_rows = 0
    with store.read() as session:
        total = sum(instruments_count(session))
        interests = Repository(session).list_security_interests()
        done = 0
        for chunk in instrument_chunks(session):
            found = positions(book_of(chunk), as_of, instrument_of=chunk.__getitem__)
            core_rows += len(found.core_rows)
            for row, instrument in enumerate(chunk):
                held = _held(found, row, instrument, as_of)
                if isinstance(instrument, Loan):
                    loans.append((replace(instrument, events=()), held))
                else:
                    notes[instrument.id] = held
            done += len(chunk)
            if on_progress is not None:
                on_progress(done, total)
    pledged = _pledged(interests, as_of)
    rows = tuple(_overview_row(loan, held, pledged, notes) for loan, held in loans)
    return Overview(as_of, rows, len(loans) + len(notes), core_rows)


def _overview_row(
    loan: Loan, held: _Held, pledged: dict[str, list[str]], notes: dict[str, _Held]
) -> OverviewRow:
    """One loan's row: its payoff, and the notes pledged to it in its currency."""
    note_ids = tuple(
        note_id
        for note_id in pledged.get(loan.id, [])
        if note_id in notes and notes[note_id].currency == loan.terms.currency
    )
    collateral_principal = sum((notes[i].principal for i in note_ids), Decimal("0.00"))
    collateral_interest = sum((notes[i].interest for i in note_ids), Decimal("0.00"))
    payoff = held.principal + held.interest
    value = collateral_principal + collateral_interest
    return OverviewRow(
        loan_id=loan.id,
        lender_id=loan.lender_id,
        borrower_id=loan.borrower_id,
        currency=loan.terms.currency,
        status=held.status,
        principal=held.principal,
        interest=held.interest,
        payoff=payoff,
        notes=note_ids,
        collateral_principal=collateral_principal,
        collateral_interest=collateral_interest,
        collateral_value=value,
        coverage=_ratio(value, payoff),
        loan_to_value=_ratio(payoff, value),
        shortfall=max(payoff - value, Decimal("0.00")),
        surplus=max(value - payoff, Decimal("0.00")),
    )


#: What `portfolio overview --output` writes, by extension.
OVERVIEW_FORMATS: Final = (".csv", ".svg")


def check_overview_output(path: Path, *, force: bool) -> str:
    """The format an overview file is written in (csv or svg), after the output's checks."""
    suffix = path.suffix.lower()
    if suffix not in OVERVIEW_FORMATS:
        raise InputError(
            "FORMAT_MISMATCH",
            f"{path} ends in neither .csv nor .svg; the overview is written as a table (CSV) "
            "or a chart (SVG)",
        )
    check_output(path, force=force)
    return suffix[1:]
