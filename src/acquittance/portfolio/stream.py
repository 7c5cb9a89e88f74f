"""Positions of a book on disk, batch by batch: a book larger than memory in bounded memory.

Each batch of instruments is read, walked (kernel, then core where needed)
and written out before the next is read, so memory holds one batch (about
`parquet.BATCH_ROWS` instruments) whatever the book's size. `on_batch` hears
how many instruments are done, for a progress bar.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from acquittance.portfolio.engine import positions
from acquittance.portfolio.parquet import (
    BATCH_ROWS,
    NO_POSITIONS,
    PositionsTotals,
    PositionsWriter,
    iter_books,
    positions_table,
    totals_of,
)

Progress = Callable[[int], None]


def stream_positions(
    book_path: Path,
    as_of: date,
    *,
    output: Path | None = None,
    batch_rows: int = BATCH_ROWS,
    on_batch: Progress | None = None,
) -> PositionsTotals:
    """Positions of every instrument of the book at `book_path` on `as_of`; written to
    `output` (Parquet or CSV, by extension) when given. Returns the totals."""
    writer = PositionsWriter(output) if output is not None else None
    totals = NO_POSITIONS
    try:
        for book in iter_books(book_path, batch_rows=batch_rows):
            found = positions(book, as_of)
            totals = totals + totals_of(found)
            if writer is not None:
                writer.write(positions_table(found))
            if on_batch is not None:
                on_batch(len(book))
    finally:
        if writer is not None:
            writer.close()
    return totals
