"""The whole book as stored, read in chunks: every loan, then every note, by id, with its history.

Two statements per chunk of at most `INSTRUMENTS_PER_CHUNK` instruments,
whatever the length of the histories: the chunk's headers (the instruments
after the last one read, by id), then all their events (by id range, in
sequence order). So reading a store of N instruments takes about
2 x N / INSTRUMENTS_PER_CHUNK statements, time linear in its size, and memory
for one chunk at a time; nothing goes through the ORM's identity map.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any, Final, cast

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from acquittance.core.instruments import Loan, Note
from acquittance.store import mapping
from acquittance.store.models import LoanEventRow, LoanRow, NoteEventRow, NoteRow, table_of

#: Instruments per chunk: each chunk is two statements and is held in memory alone.
INSTRUMENTS_PER_CHUNK: Final = 2_000


def instruments_count(session: Session) -> tuple[int, int]:
    """How many loans and notes the store holds."""
    loans = session.scalar(select(func.count()).select_from(table_of(LoanRow))) or 0
    notes = session.scalar(select(func.count()).select_from(table_of(NoteRow))) or 0
    return loans, notes


def loan_chunks(session: Session, *, size: int = INSTRUMENTS_PER_CHUNK) -> Iterator[list[Loan]]:
    """Every loan by id, with its history (reversals applied), `size` at a time."""
    for headers, logs in _chunks(session, table_of(LoanRow), table_of(LoanEventRow), size):
        yield [_with_events(mapping.loan_from_row, row, logs) for row in headers]


def note_chunks(session: Session, *, size: int = INSTRUMENTS_PER_CHUNK) -> Iterator[list[Note]]:
    """Every note by id, with its history (reversals applied), `size` at a time."""
    for headers, logs in _chunks(session, table_of(NoteRow), table_of(NoteEventRow), size):
        yield [_with_events(mapping.note_from_row, row, logs) for row in headers]


def instrument_chunks(
    session: Session, *, size: int = INSTRUMENTS_PER_CHUNK
) -> Iterator[list[Loan | Note]]:
    """Every loan, then every note, by id, with its history, `size` at a time."""
    for loans in loan_chunks(session, size=size):
        yield list(loans)
    for notes in note_chunks(session, size=size):
        yield list(notes)


Logs = dict[str, list[Any]]


def _chunks(
    session: Session, headers: Any, events: Any, size: int
) -> Iterator[tuple[list[Any], Logs]]:
    """(header rows, their event rows by instrument id) for chunks of `size` instruments."""
    assert size > 0, f"a chunk of {size} instruments"
    owner = events.c.loan_id if "loan_id" in events.c else events.c.note_id
    after: str | None = None
    while True:
        query = select(headers).order_by(headers.c.id).limit(size)
        if after is not None:
            query = query.where(headers.c.id > after)
        rows = list(session.execute(query))
        if not rows:
            return
        first, last = rows[0].id, rows[-1].id
        logs: Logs = {}
        in_range = select(events).where(owner >= first, owner <= last)
        for event in session.execute(in_range.order_by(owner, events.c.sequence)):
            logs.setdefault(getattr(event, owner.name), []).append(event)
        yield rows, logs
        if len(rows) < size:
            return
        after = last


def _with_events(from_row: Callable[..., Any], row: Any, logs: Logs) -> Any:
    instrument = from_row(cast(Any, row), events=False)
    return replace(instrument, events=mapping.events_from_rows(logs.get(row.id, ())))
