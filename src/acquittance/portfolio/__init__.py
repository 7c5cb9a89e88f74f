"""Whole books at once: positions of many instruments, the core's cents to the bit, fast.

`book_positions(instruments, as_of)` gives what
`[accrual.position(i, as_of) for i in instruments]` gives (principal, interest
and interest_exact, and the same errors); `book_columns` gives the same as
columns. Underneath, a book is integer columns (`columns`), walked by a
kernel compiled by Numba (`kernel`) that follows the convention table
(`core.conventions`), with the core for what the kernel declines
(`engine`); `parquet` keeps a book on disk and streams it, `distributed`
runs it on Dask. Importing this package imports NumPy and Numba; the command line
imports it only in the commands that need it.
"""

from acquittance.portfolio.book import (
    BookColumns,
    book_columns,
    book_positions,
    instrument_position,
)

__all__ = ["BookColumns", "book_columns", "book_positions", "instrument_position"]
