"""Whole books at once: positions of many instruments, the core's cents to the bit, fast.

`book_positions(instruments, as_of, workers=1)` gives what
`[accrual.position(i, as_of) for i in instruments]` gives (principal, interest
and interest_exact, and the same errors) in plain integer arithmetic, in one
process or over a process pool; `book_columns` gives the same as columns.
"""

from acquittance.portfolio.book import (
    BookColumns,
    book_columns,
    book_positions,
    instrument_position,
)

__all__ = ["BookColumns", "book_columns", "book_positions", "instrument_position"]
