"""The book on disk: Parquet (Arrow) files of instruments with their events, and of positions.

A book file has one row per instrument (the `columns.Book` fields) and its
events as a list of (date, kind, value) structs, so the events of a row
group arrive as one flat array with offsets: the layout the kernel walks,
read without a copy where Arrow allows. A book reads back whole
(`read_book`) or in batches (`iter_books`), so a book larger than memory
is walked in bounded memory. A book may also be a folder of such files (a
partitioned book, for Dask).

A positions file has one row per instrument: `id`, `kind`, `currency`,
`principal` and `interest` as decimal128(38, 2) (exact; CSV writes them as
decimal strings), `path` (`kernel` or `core`) and `error` (the core's code
for a row it refused, whose figures are then null).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Final, overload

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from acquittance.portfolio.columns import Book
from acquittance.portfolio.engine import BookPositions

#: Instruments per row group (and per batch when streaming).
BATCH_ROWS: Final = 1 << 18
EVENT_TYPE: Final = pa.struct([("date", pa.date32()), ("kind", pa.int8()), ("value", pa.int64())])
BOOK_SCHEMA: Final = pa.schema(
    [
        ("id", pa.string()),
        ("kind", pa.string()),
        ("party", pa.string()),
        ("counterparty", pa.string()),
        ("currency", pa.string()),
        ("day_count", pa.int8()),
        ("compounding", pa.int8()),
        ("rounding", pa.int8()),
        ("annual_rate", pa.int64()),
        ("opening_interest", pa.int64()),
        ("exact_only", pa.bool_()),
        ("details", pa.string()),
        ("events", pa.list_(EVENT_TYPE)),
    ],
    metadata={"acquittance": "book", "version": "1"},
)
_TEXT_FIELDS: Final = {
    "id": "ids",
    "kind": "kinds",
    "party": "parties",
    "counterparty": "counterparties",
    "currency": "currencies",
    "details": "details",
}
_NUMBER_FIELDS: Final = (
    "day_count",
    "compounding",
    "rounding",
    "annual_rate",
    "opening_interest",
    "exact_only",
)
MONEY_TYPE: Final = pa.decimal128(38, 2)


class TextColumn(Sequence[Any]):
    """A string column of an Arrow table, read one value at a time (and never all at once)."""

    def __init__(self, array: pa.Array) -> None:
        self.array = array

    def __len__(self) -> int:
        return len(self.array)

    @overload
    def __getitem__(self, index: int) -> Any: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Any]: ...
    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return TextColumn(self.array[index])
        return self.array[index].as_py()


def _arrow_text(values: Sequence[Any]) -> pa.Array:
    if isinstance(values, TextColumn):
        return values.array
    return pa.array(list(values), type=pa.string())


def _numbers(array: pa.Array, dtype: Any) -> npt.NDArray[Any]:
    """An Arrow array without nulls as NumPy, without a copy where Arrow allows."""
    return np.asarray(array.to_numpy(zero_copy_only=False), dtype=dtype)


def book_table(book: Book) -> pa.Table:
    """A book as an Arrow table (the file's schema)."""
    events = pa.StructArray.from_arrays(
        [
            pa.array(book.event_date, type=pa.int32()).cast(pa.date32()),
            pa.array(book.event_kind, type=pa.int8()),
            pa.array(book.event_value, type=pa.int64()),
        ],
        fields=list(EVENT_TYPE),
    )
    columns: dict[str, pa.Array] = {
        name: _arrow_text(getattr(book, attribute)) for name, attribute in _TEXT_FIELDS.items()
    }
    for name in _NUMBER_FIELDS:
        columns[name] = pa.array(getattr(book, name))
    columns["events"] = pa.ListArray.from_arrays(
        pa.array(book.events_offsets.astype(np.int32)), events
    )
    return pa.table([columns[field.name] for field in BOOK_SCHEMA], schema=BOOK_SCHEMA)


def book_from_table(table: pa.Table | pa.RecordBatch) -> Book:
    """The book of an Arrow table or batch in the file's schema."""
    if isinstance(table, pa.Table):
        table = table.combine_chunks().to_batches()[0] if table.num_rows else _empty_batch()
    events = table.column("events")
    offsets = _numbers(events.offsets, np.int64)
    flat = events.values.slice(int(offsets[0]), int(offsets[-1] - offsets[0]))
    text = {attribute: TextColumn(table.column(name)) for name, attribute in _TEXT_FIELDS.items()}
    return Book(
        **text,
        day_count=_numbers(table.column("day_count"), np.int8),
        compounding=_numbers(table.column("compounding"), np.int8),
        rounding=_numbers(table.column("rounding"), np.int8),
        annual_rate=_numbers(table.column("annual_rate"), np.int64),
        opening_interest=_numbers(table.column("opening_interest"), np.int64),
        exact_only=_numbers(table.column("exact_only"), np.bool_),
        events_offsets=offsets - offsets[0],
        event_date=_numbers(flat.field("date").cast(pa.int32()), np.int32),
        event_kind=_numbers(flat.field("kind"), np.int8),
        event_value=_numbers(flat.field("value"), np.int64),
    )


def _empty_batch() -> pa.RecordBatch:
    return pa.RecordBatch.from_pylist([], schema=BOOK_SCHEMA)


def write_book(book: Book, path: Path, *, row_group_rows: int = BATCH_ROWS) -> None:
    """Write a book to one Parquet file."""
    pq.write_table(book_table(book), path, row_group_size=row_group_rows, compression="zstd")


class BookWriter:
    """A book written batch by batch, in bounded memory: one Parquet file, or with
    `partitions` > 1 a folder of that many files of consecutive instruments, split as
    `distributed.partition_book` splits a book of `rows` instruments."""

    def __init__(self, path: Path, *, rows: int, partitions: int = 1) -> None:
        self.path = path
        self.partitions = partitions
        self.per_file = max(1, math.ceil(rows / max(partitions, 1))) if partitions > 1 else 0
        self.files: list[Path] = []
        self.writer: pq.ParquetWriter | None = None
        self.in_file = 0  # instruments in the open file
        self.pending: list[pa.Table] = []
        self.pending_rows = 0

    def write(self, book: Book) -> None:
        table = book_table(book)
        while table.num_rows:
            room = self.per_file - self.in_file if self.per_file else table.num_rows
            if room == 0:
                self._close_file()
                continue
            part, table = table.slice(0, room), table.slice(room)
            self.pending.append(part)
            self.pending_rows += part.num_rows
            self.in_file += part.num_rows
            if self.pending_rows >= BATCH_ROWS:
                self._flush()

    def close(self) -> list[Path]:
        """Finish the files; returns them, in order (one, even for a book of nothing)."""
        if self.writer is None or self.pending:
            self._flush()
        if self.writer is not None:
            self._close_file()
        return self.files

    def _flush(self) -> None:
        if self.writer is None:
            file = self.path
            if self.partitions > 1:
                self.path.mkdir(parents=True, exist_ok=True)
                file = self.path / f"book-{len(self.files):05d}.parquet"
            self.writer = pq.ParquetWriter(file, BOOK_SCHEMA, compression="zstd")
            self.files.append(file)
        table = pa.concat_tables(self.pending) if self.pending else _empty_batch_table()
        self.writer.write_table(table, row_group_size=BATCH_ROWS)
        self.pending, self.pending_rows = [], 0

    def _close_file(self) -> None:
        if self.pending:
            self._flush()
        assert self.writer is not None, "a file is open when one is closed"
        self.writer.close()
        self.writer, self.in_file = None, 0


def _empty_batch_table() -> pa.Table:
    return pa.Table.from_batches([_empty_batch()])


def book_files(path: Path) -> list[Path]:
    """The Parquet files of a book: the file itself, or a folder's *.parquet in name order."""
    if path.is_dir():
        return sorted(path.glob("*.parquet"))
    return [path]


def book_rows(path: Path) -> int:
    return sum(pq.ParquetFile(file).metadata.num_rows for file in book_files(path))


def read_book(path: Path) -> Book:
    """A whole book (a file, or a folder of files) in memory."""
    tables = [pq.read_table(file, schema=BOOK_SCHEMA) for file in book_files(path)]
    return book_from_table(pa.concat_tables(tables) if tables else _empty_batch())


def iter_books(path: Path, *, batch_rows: int = BATCH_ROWS) -> Iterator[Book]:
    """A book in batches of at most `batch_rows` instruments, in order: bounded memory."""
    for file in book_files(path):
        reader = pq.ParquetFile(file)
        for batch in reader.iter_batches(batch_size=batch_rows):
            yield book_from_table(batch)


# --- positions -------------------------------------------------------------------------------


def _money(cents: npt.NDArray[np.int64]) -> pa.Array:
    """int64 cents as decimal128(38, 2), without going through Python: the unscaled value
    of a decimal at scale 2 is the number of cents, as a 128-bit two's complement."""
    words = np.empty((len(cents), 2), dtype=np.int64)
    words[:, 0] = cents
    words[:, 1] = cents >> 63
    return pa.Array.from_buffers(MONEY_TYPE, len(cents), [None, pa.py_buffer(words)])


@dataclass(frozen=True)
class PositionsTotals:
    """What a positions run adds up: rows, how many the core computed or refused, and sums."""

    rows: int
    core_rows: int
    errors: int
    principal_cents: dict[str, int]  # by currency
    interest_cents: dict[str, int]

    def __add__(self, other: PositionsTotals) -> PositionsTotals:
        def merged(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
            return {key: a.get(key, 0) + b.get(key, 0) for key in sorted({*a, *b})}

        return PositionsTotals(
            self.rows + other.rows,
            self.core_rows + other.core_rows,
            self.errors + other.errors,
            merged(self.principal_cents, other.principal_cents),
            merged(self.interest_cents, other.interest_cents),
        )


NO_POSITIONS: Final = PositionsTotals(0, 0, 0, {}, {})


def positions_table(found: BookPositions) -> pa.Table:
    """One row per instrument: id, kind, currency, principal, interest, path, error."""
    size = len(found)
    principal, interest = _money(found.principal_cents), _money(found.interest_cents)
    if found.large:
        rows = sorted(found.large)
        principal = _patched(principal, rows, [found.large[row][0] for row in rows])
        interest = _patched(interest, rows, [found.large[row][1] for row in rows])
    path = np.full(size, "kernel", dtype=object)
    path[found.core_rows] = "core"
    error: list[str | None] = [None] * size
    for row, refused in found.errors.items():
        error[row] = refused.code
    errors = pa.array(error, type=pa.string())
    if found.errors:
        refused_mask = pc.is_valid(errors)
        principal = pc.if_else(refused_mask, pa.scalar(None, MONEY_TYPE), principal)
        interest = pc.if_else(refused_mask, pa.scalar(None, MONEY_TYPE), interest)
    return pa.table(
        {
            "id": _arrow_text(found.ids),
            "kind": _arrow_text(found.kinds),
            "currency": _arrow_text(found.currencies),
            "principal": principal,
            "interest": interest,
            "path": pa.array(path, type=pa.string()),
            "error": errors,
        }
    )


def _patched(array: pa.Array, rows: list[int], values: list[Decimal]) -> pa.Array:
    as_list = array.to_pylist()
    for row, value in zip(rows, values, strict=True):
        as_list[row] = value
    return pa.array(as_list, type=MONEY_TYPE)


def totals_of(found: BookPositions) -> PositionsTotals:
    """Rows, core rows, refusals and per-currency sums of a positions run (in cents)."""
    ok = np.ones(len(found), dtype=np.bool_)
    ok[list(found.errors)] = False
    principal: dict[str, int] = {}
    interest: dict[str, int] = {}
    currencies = _arrow_text(found.currencies)
    for currency in pc.unique(currencies).to_pylist():
        mask = ok & np.asarray(pc.equal(currencies, currency).to_numpy(zero_copy_only=False))
        principal[currency] = int(found.principal_cents[mask].sum(dtype=np.int64))
        interest[currency] = int(found.interest_cents[mask].sum(dtype=np.int64))
    for row, (large_principal, large_interest) in found.large.items():
        currency = found.currencies[row]
        principal[currency] += int(large_principal * 100)
        interest[currency] += int(large_interest * 100)
    return PositionsTotals(len(found), len(found.core_rows), len(found.errors), principal, interest)


class PositionsWriter:
    """Writes positions tables to one file, Parquet or CSV by its extension, batch by batch."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.csv = path.suffix.lower() == ".csv"
        self._writer: Any = None

    def write(self, table: pa.Table) -> None:
        if self._writer is None:
            if self.csv:
                self._writer = pa_csv.CSVWriter(str(self.path), table.schema)
            else:
                self._writer = pq.ParquetWriter(str(self.path), table.schema, compression="zstd")
        self._writer.write_table(table)

    def close(self) -> None:
        if self._writer is None:  # an empty book still gets a file with the header
            self.write(positions_table(_no_rows()))
        self._writer.close()


def _no_rows() -> BookPositions:
    from datetime import date

    empty = np.zeros(0, dtype=np.int64)
    return BookPositions(date(1970, 1, 1), [], [], [], empty, empty, empty)
