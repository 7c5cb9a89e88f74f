"""The portfolio engine at 1 M instruments, mixed conventions, beside its peers in one run.

- the kernel (`portfolio.kernel.walk_book`, compiled by Numba; the compilation, or the
  load from its disk cache, is done before timing) in one process: positions/s per core;
- a naive exact NumPy kernel (one period, ACT/360, no events) on the same arrays;
- a plain copy of the arrays the kernel reads, for bytes per instrument against memory;
- a QuantLib-Python loop doing the same periods in floats, on a sample;
- the Decimal core (`accrual.position`) on a sample, extrapolated, which is also the
  equality check: the count of sampled instruments where kernel and core differ;
- peak memory of the kernel per instrument (tracemalloc, which sees NumPy's buffers);
- Dask: 1, 2, 4 and 8 local workers over a 10 M-instrument partitioned book.

Sizes come from the environment (BENCH_BOOK, BENCH_SAMPLE, BENCH_DASK_BOOK) so that the
smoke test runs it small.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import tracemalloc
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from acquittance.core.accrual import position
from acquittance.core.conventions import DAY_COUNTS
from acquittance.portfolio.columns import (
    EVENT_CODES,
    KERNEL_FIELDS,
    RATE_SCALE,
    Book,
    day_number,
    instrument_at,
)
from acquittance.portfolio.distributed import client_for, dask_positions, partition_book
from acquittance.portfolio.kernel import walk_book
from acquittance.portfolio.parquet import TextColumn
from acquittance.portfolio.stream import stream_positions

AS_OF = date(2025, 6, 30)
BOOK_COUNT = int(os.environ.get("BENCH_BOOK", "1000000"))
SAMPLE_COUNT = int(os.environ.get("BENCH_SAMPLE", "20000"))
DASK_BOOK_COUNT = int(os.environ.get("BENCH_DASK_BOOK", "10000000"))
DASK_WORKERS = (1, 2, 4, 8)
DASK_PARTITIONS = 32
Row = tuple[str, str, str]


def _text(prefix: str, count: int) -> TextColumn:
    numbers = pc.cast(pa.array(np.arange(count)), pa.string())
    return TextColumn(pc.binary_join_element_wise(prefix, numbers, ""))


def _repeated(value: str, count: int) -> TextColumn:
    return TextColumn(
        pa.DictionaryArray.from_arrays(np.zeros(count, np.int8), [value]).cast(pa.string())
    )


def synthetic_book(count: int, *, seed: int = 7) -> Book:
    """Loans with an opening balance, a payment at 90 days and a rate change at 180 days,
    over every day-count convention in turn, made directly as columns."""
    rng = np.random.default_rng(seed)
    opened = day_number(date(2020, 1, 1)) + rng.integers(0, 1500, count)
    principal = rng.integers(10_000_00, 5_000_000_00, count)
    rate = rng.integers(200, 1200, count) * (RATE_SCALE // 10_000)
    codes = {kind: EVENT_CODES.index(kind) for kind in ("opening", "payment", "rate_change")}
    events_date = np.stack([opened, opened + 90, opened + 180], axis=1).ravel().astype(np.int32)
    events_kind = np.tile(
        np.array([codes["opening"], codes["payment"], codes["rate_change"]], np.int8), count
    )
    events_value = np.stack([principal, principal // 20, rate + 5_000], axis=1).ravel()
    empty: Any = TextColumn(pa.nulls(count, pa.string()))
    return Book(
        ids=_text("loan-", count),
        kinds=_repeated("loan", count),
        parties=_repeated("lender", count),
        counterparties=_repeated("borrower", count),
        currencies=_repeated("USD", count),
        details=empty,
        day_count=(np.arange(count) % len(DAY_COUNTS)).astype(np.int8),
        compounding=np.zeros(count, np.int8),
        rounding=np.zeros(count, np.int8),
        annual_rate=rate.astype(np.int64),
        opening_interest=np.zeros(count, np.int64),
        exact_only=np.zeros(count, np.bool_),
        events_offsets=np.arange(0, 3 * count + 1, 3, dtype=np.int64),
        event_date=events_date,
        event_kind=events_kind,
        event_value=events_value.astype(np.int64),
    )


def _best_of(runs: int, work: Any) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def naive_kernel(book: Book, as_of: int) -> np.ndarray[Any, Any]:
    """The peer: exact int64 interest of one ACT/360 period from the opening, half up."""
    principal = book.event_value[book.events_offsets[:-1]]
    days = as_of - book.event_date[book.events_offsets[:-1]].astype(np.int64)
    denominator = RATE_SCALE * 360
    return (2 * principal * book.annual_rate * days + denominator) // (2 * denominator)


def _copy_arrays(book: Book) -> None:
    for name in KERNEL_FIELDS:
        np.copy(getattr(book, name))


def _quantlib_loop(book: Book, rows: np.ndarray[Any, Any], as_of: int) -> float:
    """Seconds for a QuantLib-Python loop over `rows`: the same periods, in floats."""
    import QuantLib as ql

    counters = [
        ql.Actual360(),
        ql.Actual365Fixed(),
        ql.ActualActual(ql.ActualActual.ISDA),
        ql.Thirty360(ql.Thirty360.BondBasis),
        ql.Thirty360(ql.Thirty360.USA),
        ql.Thirty360(ql.Thirty360.European),
    ]
    serial = 25569  # 1970-01-01 as a QuantLib (spreadsheet) serial number
    started = time.perf_counter()
    end = ql.Date(as_of + serial)
    for row in rows.tolist():
        counter = counters[int(book.day_count[row])]
        low = int(book.events_offsets[row])
        dates = [ql.Date(int(d) + serial) for d in book.event_date[low : low + 3]]
        principal = float(book.event_value[low]) / 100
        rate = float(book.annual_rate[row]) / RATE_SCALE
        interest = principal * rate * counter.yearFraction(dates[0], dates[1])
        paid = float(book.event_value[low + 1]) / 100
        principal -= paid - interest if paid >= interest else 0.0
        interest = max(interest - paid, 0.0)
        interest += principal * rate * counter.yearFraction(dates[1], dates[2])
        rate = float(book.event_value[low + 2]) / RATE_SCALE
        interest += principal * rate * counter.yearFraction(dates[2], end)
    return time.perf_counter() - started


def _core_sample(book: Book, rows: np.ndarray[Any, Any], kernel: Any) -> tuple[float, int]:
    """Seconds for accrual.position over `rows` (decoding excluded), and the rows that differ."""
    instruments = [instrument_at(book, row) for row in rows.tolist()]
    started = time.perf_counter()
    held = [position(instrument, AS_OF) for instrument in instruments]
    seconds = time.perf_counter() - started
    differ = 0
    for row, found in zip(rows.tolist(), held, strict=True):
        cents = (int(found.principal * 100), int(found.interest * 100))
        if kernel.core[row] or cents != (int(kernel.principal[row]), int(kernel.interest[row])):
            differ += 1
    return seconds, differ


def _peak_bytes(book: Book, as_of: int) -> int:
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    walk_book(book, as_of)
    peak = tracemalloc.get_traced_memory()[1] - before
    tracemalloc.stop()
    return peak


def kernel_rows() -> list[Row]:
    book = synthetic_book(BOOK_COUNT)
    as_of = day_number(AS_OF)
    result = walk_book(book, as_of)
    assert not result.core.any(), "the synthetic book is all in integer columns"
    kernel = _best_of(3, lambda: walk_book(book, as_of))
    naive = _best_of(3, lambda: naive_kernel(book, as_of))
    copy = _best_of(3, lambda: _copy_arrays(book))
    rng = np.random.default_rng(11)
    sample = np.sort(rng.choice(BOOK_COUNT, size=min(SAMPLE_COUNT, BOOK_COUNT), replace=False))
    quantlib = _quantlib_loop(book, sample, as_of)
    core, differ = _core_sample(book, sample, result)
    per_instrument = book.kernel_bytes() / BOOK_COUNT
    peak = (_peak_bytes(book, as_of) + book.kernel_bytes()) / BOOK_COUNT
    rate = BOOK_COUNT / kernel
    quantlib_rate = len(sample) / quantlib
    core_rate = len(sample) / core
    return [
        (
            f"portfolio kernel, {BOOK_COUNT:,} instruments, 6 conventions, 3 events each",
            f"{rate:,.0f}/s per core",
            f"goal 20 M/s; {rate / quantlib_rate:,.1f}x QuantLib-Python loop, "
            f"{rate / core_rate:,.0f}x the Decimal core, {rate / (BOOK_COUNT / naive):.2f}x the"
            " naive NumPy kernel (all measured below, same run); 1 thread, Numba, best of 3",
        ),
        (
            "peer: naive exact NumPy int64 kernel, same arrays",
            f"{BOOK_COUNT / naive:,.0f}/s",
            "one ACT/360 period from the opening, no events, no conventions: not the rules",
        ),
        (
            f"peer: QuantLib-Python loop, {len(sample):,} sampled instruments",
            f"{quantlib_rate:,.0f}/s",
            "the same three periods with QuantLib's day counters, in floats (not to the cent)",
        ),
        (
            f"peer: Decimal core (accrual.position), {len(sample):,} sampled instruments",
            f"{core_rate:,.0f}/s",
            f"extrapolated to {BOOK_COUNT:,}: {BOOK_COUNT / core_rate:,.0f} s; decoding excluded",
        ),
        (
            "equality check: sampled instruments where kernel and core differ",
            f"{differ}",
            f"must be 0; {len(sample):,} compared to the cent (random books in tests/portfolio)",
        ),
        (
            "kernel bytes read per instrument",
            f"{per_instrument:.0f} B",
            f"{per_instrument * rate / 1e9:.2f} GB/s; a plain copy of the same arrays runs "
            f"{BOOK_COUNT / copy:,.0f} instruments/s "
            f"({per_instrument * BOOK_COUNT / copy / 1e9:.2f} GB/s): the kernel is "
            f"{copy / kernel:.3f}x copy speed",
        ),
        (
            "kernel peak memory per instrument",
            f"{peak:.0f} B",
            "goal 100 B; the arrays it reads plus its peak allocation (tracemalloc): the"
            " figures it writes, no temporaries",
        ),
    ]


def _noop(value: int) -> int:
    return value


def _warm_kernel() -> None:
    """Load the compiled walk in a worker (from Numba's cache), so timings are of the walk."""
    walk_book(synthetic_book(12), day_number(AS_OF))


def dask_rows() -> list[Row]:
    folder = Path(tempfile.mkdtemp(prefix="acquittance-bench-"))
    try:
        book = synthetic_book(DASK_BOOK_COUNT, seed=3)
        partition_book(book, folder / "book", partitions=DASK_PARTITIONS)
        del book
        started = time.perf_counter()
        single = stream_positions(folder / "book", AS_OF)
        single_seconds = time.perf_counter() - started
        rows: list[Row] = [
            (
                f"book positions, {DASK_BOOK_COUNT:,} instruments from Parquet, 1 process",
                f"{DASK_BOOK_COUNT / single_seconds:,.0f}/s",
                f"{DASK_PARTITIONS} files read in batches, kernel, totals; no Dask",
            )
        ]
        base = None
        for workers in DASK_WORKERS:
            with client_for(local_workers=workers) as client:
                client.gather(client.map(_noop, range(workers), pure=False))  # warm
                client.run(_warm_kernel)
                started = time.perf_counter()
                client.gather(client.map(_noop, range(DASK_PARTITIONS), pure=False))
                overhead = (time.perf_counter() - started) / DASK_PARTITIONS
                started = time.perf_counter()
                totals = dask_positions(client, folder / "book", AS_OF)
                seconds = time.perf_counter() - started
            assert totals == single, "Dask and one process disagree"
            base = base or seconds
            rows.append(
                (
                    f"book positions on Dask, {DASK_BOOK_COUNT:,} instruments, {workers} local "
                    "workers",
                    f"{base / seconds:.2f}x",
                    f"speed-up over 1 worker ({DASK_BOOK_COUNT / seconds:,.0f}/s; "
                    f"{single_seconds / seconds:.2f}x one process without Dask); scheduler "
                    f"overhead {overhead * 1000:.1f} ms per task, {DASK_PARTITIONS} tasks; "
                    f"totals equal the single-process run; {os.cpu_count()} CPUs bound this",
                )
            )
        return rows
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def rows() -> list[Row]:
    return kernel_rows() + dask_rows()
