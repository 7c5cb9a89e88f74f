"""Accrual runs as stored: each run's date, key and answer, read back for a rerun and `verify`.

A run's postings are the `InterestAccrual` events it appended and the journal
entries they call for; these rows keep what the run answered (one line per
instrument it posted for), so the same key answers the same, and the order of
runs, so a run never goes back before the last one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Final, cast

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from acquittance.core.instruments import Event, Loan, Note
from acquittance.store import mapping
from acquittance.store.journal import locks_rows
from acquittance.store.models import (
    AccrualRunLineRow,
    AccrualRunRow,
    LoanEventRow,
    LoanRow,
    NoteEventRow,
    NoteRow,
    table_of,
)


@dataclass(frozen=True)
class AccrualLine:
    """What one accrual run posted for one instrument, in its currency.

    `interest` is the interest accrued and booked by the run (capitalised
    interest included, as it is earned before it is capitalised);
    `capitalised` the part of it moved into principal by compounding;
    `late_charges` the late charges the deal's rule assessed in the run.
    """

    instrument_kind: str  # "loan" or "note"
    instrument_id: str
    currency: str
    interest: Decimal
    capitalised: Decimal
    late_charges: Decimal


@dataclass(frozen=True)
class StoredAccrualRun:
    """A run as stored: its id, key, date, how many entries it posted, and its lines."""

    id: str
    key: str | None
    through: date
    entries_count: int
    sequence: int
    lines: tuple[AccrualLine, ...]


def add_accrual_run(session: Session, run: StoredAccrualRun) -> None:
    """Store a run and its lines (its sequence comes from `last_accrual_run` + 1)."""
    session.execute(
        insert(table_of(AccrualRunRow)),
        [
            {
                "id": run.id,
                "idempotency_key": run.key,
                "through": run.through,
                "entries_count": run.entries_count,
                "sequence": run.sequence,
            }
        ],
    )
    if run.lines:
        session.execute(
            insert(table_of(AccrualRunLineRow)),
            [
                {
                    "run_id": run.id,
                    "position": position,
                    "instrument_kind": line.instrument_kind,
                    "instrument_id": line.instrument_id,
                    "currency": line.currency,
                    "interest": line.interest,
                    "capitalised": line.capitalised,
                    "late_charges": line.late_charges,
                }
                for position, line in enumerate(run.lines, start=1)
            ],
        )


def _lines(session: Session, run_id: str) -> tuple[AccrualLine, ...]:
    rows = session.scalars(
        select(AccrualRunLineRow)
        .where(AccrualRunLineRow.run_id == run_id)
        .order_by(AccrualRunLineRow.position)
    )
    return tuple(
        AccrualLine(
            row.instrument_kind,
            row.instrument_id,
            row.currency,
            row.interest,
            row.capitalised,
            row.late_charges,
        )
        for row in rows
    )


def _stored(session: Session, row: AccrualRunRow) -> StoredAccrualRun:
    return StoredAccrualRun(
        id=row.id,
        key=row.idempotency_key,
        through=row.through,
        entries_count=row.entries_count,
        sequence=row.sequence,
        lines=_lines(session, row.id),
    )


def find_accrual_run_by_key(session: Session, key: str) -> StoredAccrualRun | None:
    row = session.scalar(select(AccrualRunRow).where(AccrualRunRow.idempotency_key == key))
    return None if row is None else _stored(session, row)


def last_accrual_run(session: Session) -> StoredAccrualRun | None:
    """The newest run (the highest sequence), or None before the first."""
    newest = session.scalar(select(func.max(AccrualRunRow.sequence)))
    if newest is None:
        return None
    row = session.scalar(select(AccrualRunRow).where(AccrualRunRow.sequence == newest))
    assert row is not None, "the newest accrual run vanished within the transaction"
    return _stored(session, row)


def list_accrual_runs(session: Session) -> list[StoredAccrualRun]:
    """Every run, oldest first."""
    rows: Sequence[AccrualRunRow] = session.scalars(
        select(AccrualRunRow).order_by(AccrualRunRow.sequence)
    ).all()
    return [_stored(session, row) for row in rows]


def instrument_headers(session: Session) -> list[tuple[Loan | Note, int]]:
    """Every loan, then every note, by id: each without its events, and how many it has.

    Two statements whatever the number of instruments, and no history loaded:
    an accrual run reads where each history stands from its snapshots.
    """
    loans, notes = table_of(LoanRow), table_of(NoteRow)
    loan_events = (
        select(func.max(LoanEventRow.sequence))
        .where(LoanEventRow.loan_id == loans.c.id)
        .scalar_subquery()
        .label("events_count")
    )
    note_events = (
        select(func.max(NoteEventRow.sequence))
        .where(NoteEventRow.note_id == notes.c.id)
        .scalar_subquery()
        .label("events_count")
    )
    found: list[tuple[Loan | Note, int]] = []
    for row in session.execute(select(loans, loan_events).order_by(loans.c.id)):
        found.append((mapping.loan_from_row(cast(Any, row), events=False), row.events_count or 0))
    for row in session.execute(select(notes, note_events).order_by(notes.c.id)):
        found.append((mapping.note_from_row(cast(Any, row), events=False), row.events_count or 0))
    return found


def lock_all_instruments(session: Session) -> None:
    """Every loan's row, then every note's, by id: the order a closing takes them in.

    PostgreSQL only; a SQLite writer holds the whole file already.
    """
    if locks_rows(session):
        for table in (table_of(LoanRow), table_of(NoteRow)):
            session.execute(select(table.c.id).order_by(table.c.id).with_for_update())


#: Every event column a kind may leave unset, so rows of all kinds insert in one statement.
_EVENT_COLUMN_NAMES: Final = (
    "principal",
    "interest",
    "amount",
    "annual_rate",
    "settlement_id",
    "due",
)


def append_events_batched(
    session: Session, appended: Sequence[tuple[Loan | Note, int, Sequence[Event]]]
) -> None:
    """Append events to many instruments, each after its `events_count`, in two statements.

    The primary keys (instrument, sequence) refuse a wrong count, as a single append does.
    """
    loan_rows: list[dict[str, Any]] = []
    note_rows: list[dict[str, Any]] = []
    for instrument, events_count, events in appended:
        for sequence, event in enumerate(events, start=events_count + 1):
            columns = dict.fromkeys(_EVENT_COLUMN_NAMES) | mapping.event_columns(event)
            if isinstance(instrument, Loan):
                loan_rows.append({"loan_id": instrument.id, "sequence": sequence, **columns})
            else:
                note_rows.append({"note_id": instrument.id, "sequence": sequence, **columns})
    if loan_rows:
        session.execute(insert(table_of(LoanEventRow)), loan_rows)
    if note_rows:
        session.execute(insert(table_of(NoteEventRow)), note_rows)
