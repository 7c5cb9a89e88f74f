"""What the store holds: listing, finding one record, positions and schedules."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from acquittance.core.accrual import position_of
from acquittance.core.errors import NotFoundError, StateError
from acquittance.core.instruments import Loan, Note, Position
from acquittance.core.schedule import ScheduleRow, amortization_schedule
from acquittance.service import history
from acquittance.service.quote import find_header
from acquittance.service.settle import closed_settlement
from acquittance.service.store import Store
from acquittance.store.repository import Repository


def instrument_position(
    store: Store, instrument_id: str, as_of: date
) -> tuple[Loan | Note, Position]:
    """A loan's or note's position on a date, derived from its events.

    Read from the newest snapshot on or before the date (the events after it,
    if any, are dated later): no history is walked. The instrument returned
    is its header, without events.
    """
    with store.read() as session:
        repo = Repository(session)
        instrument, events_count = find_header(repo, instrument_id)
        found = history.histories_on(repo, {instrument.id: (instrument, events_count)}, as_of)
    return instrument, position_of(found[instrument.id].state())


def note_schedule(store: Store, note_id: str) -> tuple[Note, tuple[ScheduleRow, ...]]:
    """A note's level-payment schedule, generated from its terms."""
    with store.read() as session:
        note = Repository(session).get_note(note_id)
    if note.level_payment is None:
        raise StateError(
            "NO_SCHEDULE",
            f"note {note_id} has no level payment; add level_payment (first_due, count) to it",
        )
    opening = note.events[0]
    principal = note.original_principal or getattr(opening, "principal", None)
    plan = note.level_payment
    return note, amortization_schedule(
        principal, note.terms, plan.first_due, plan.count, plan.amount
    )


def register(store: Store) -> dict[str, list[Any]]:
    """Every party, loan, note and security interest in the store."""
    with store.read() as session:
        repo = Repository(session)
        return {
            "parties": repo.list_parties(),
            "loans": repo.list_loans(),
            "notes": repo.list_notes(),
            "security_interests": repo.list_security_interests(),
            "settlements": repo.list_settlements(),
        }


def show(store: Store, record_id: str) -> tuple[str, Any]:
    """Find a record of any kind by id."""
    with store.read() as session:
        repo = Repository(session)
        lookups: Sequence[tuple[str, Any]] = (
            ("party", repo.get_party),
            ("loan", repo.get_loan),
            ("note", repo.get_note),
            ("security_interest", repo.get_security_interest),
            ("settlement", lambda i: closed_settlement(repo, repo.get_settlement(i))),
            ("quote", repo.get_quote),
        )
        for kind, get in lookups:
            try:
                return kind, get(record_id)
            except NotFoundError:
                continue
    raise NotFoundError(
        "UNKNOWN_RECORD",
        f"nothing has id {record_id!r}; `acquittance list` shows what the store holds",
    )
