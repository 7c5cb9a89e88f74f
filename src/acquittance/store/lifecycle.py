"""Lifecycle rows: instruments' logs as recorded, and actions kept under their idempotency keys.

A mixin of `Repository`, as `ClosingRows` is. An action (record, payoff,
release, reversal) is a header with the digest of what was asked, the event
it appended, the entries it posted and the notes it released, so that the
same key again answers the first result from these rows; nothing stored is
parsed back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from acquittance.core.lifecycle import Logged, Settled
from acquittance.store import mapping
from acquittance.store.models import (
    LifecycleActionRow,
    LifecycleEntryRow,
    LifecycleNoteRow,
    LoanEventRow,
    NoteEventRow,
    NoteTransferRow,
    SettlementNoteRow,
    SettlementRow,
    table_of,
)

if TYPE_CHECKING:
    from acquittance.books.entries import JournalEntry

_ACTIONS: Final = table_of(LifecycleActionRow)
_ACTION_ENTRIES: Final = table_of(LifecycleEntryRow)
_ACTION_NOTES: Final = table_of(LifecycleNoteRow)


@dataclass(frozen=True)
class StoredAction:
    """A lifecycle action as stored: what it was, under which key, and what it appended."""

    id: str
    kind: str  # record, payoff, release, reversal
    instrument_kind: str
    instrument_id: str
    idempotency_key: str | None
    request_digest: str
    on: date
    event_sequence: int | None
    amount: Decimal | None
    discharged: bool


@dataclass(frozen=True)
class ReleasedNote:
    """A note a release took out of a pledge."""

    note_id: str
    security_interest_id: str


class LifecycleRows:
    """Repository methods for event logs and lifecycle actions (mixed into `Repository`)."""

    session: Session

    def event_log(self, kind: str, instrument_id: str) -> list[Logged]:
        """An instrument's events as recorded, reversals included, by sequence."""
        table = table_of(LoanEventRow if kind == "loan" else NoteEventRow)
        owner = table.c.loan_id if kind == "loan" else table.c.note_id
        rows = self.session.execute(
            select(table).where(owner == instrument_id).order_by(table.c.sequence)
        )
        return mapping.logged_events(rows)

    def events_recorded(self, kind: str, instrument_id: str) -> int:
        """How many lines an instrument's log has (its newest sequence)."""
        table = table_of(LoanEventRow if kind == "loan" else NoteEventRow)
        owner = table.c.loan_id if kind == "loan" else table.c.note_id
        found = self.session.scalar(
            select(func.max(table.c.sequence)).where(owner == instrument_id)
        )
        return found or 0

    def settled(self, kind: str, instrument_id: str) -> Settled | None:
        """The newest closed settlement the loan, or the note (assigned or not), took part in."""
        settlements = table_of(SettlementRow)
        if kind == "loan":
            query = select(settlements.c.id, settlements.c.as_of).where(
                settlements.c.loan_id == instrument_id
            )
        else:
            lines = table_of(SettlementNoteRow)
            query = (
                select(settlements.c.id, settlements.c.as_of)
                .join(lines, lines.c.settlement_id == settlements.c.id)
                .where(lines.c.note_id == instrument_id)
            )
        row = self.session.execute(
            query.order_by(settlements.c.as_of.desc(), settlements.c.id.desc()).limit(1)
        ).first()
        found = None if row is None else Settled(row.id, row.as_of)
        if kind == "note":
            found = self._later(found, instrument_id)
        return found

    def _later(self, found: Settled | None, note_id: str) -> Settled | None:
        """A note's newest change of holder counts as a settlement of it too."""
        transfers = table_of(NoteTransferRow)
        row = self.session.execute(
            select(transfers.c.settlement_id, transfers.c.date)
            .where(transfers.c.note_id == note_id)
            .order_by(transfers.c.sequence.desc())
            .limit(1)
        ).first()
        if row is None or (found is not None and found.on >= row.date):
            return found
        return Settled(row.settlement_id or f"transfer of {note_id}", row.date)

    def add_action(
        self,
        action: StoredAction,
        *,
        entries: Sequence[JournalEntry] = (),
        notes: Sequence[ReleasedNote] = (),
    ) -> None:
        """An action's header, the entries it posted and the notes it released: three statements."""
        self.session.execute(
            insert(_ACTIONS).values(
                id=action.id,
                kind=action.kind,
                instrument_kind=action.instrument_kind,
                instrument_id=action.instrument_id,
                idempotency_key=action.idempotency_key,
                request_digest=action.request_digest,
                on=action.on,
                event_sequence=action.event_sequence,
                amount=action.amount,
                discharged=action.discharged,
            )
        )
        if entries:
            self.session.execute(
                insert(_ACTION_ENTRIES),
                [
                    {"action_id": action.id, "position": position, "entry_id": entry.id}
                    for position, entry in enumerate(entries, start=1)
                ],
            )
        if notes:
            self.session.execute(
                insert(_ACTION_NOTES),
                [
                    {
                        "action_id": action.id,
                        "position": position,
                        "note_id": note.note_id,
                        "security_interest_id": note.security_interest_id,
                    }
                    for position, note in enumerate(notes, start=1)
                ],
            )

    def find_action_by_key(self, key: str) -> StoredAction | None:
        row = self.session.execute(
            select(_ACTIONS).where(_ACTIONS.c.idempotency_key == key)
        ).first()
        return None if row is None else _action(row)

    def actions_of(self, kind: str, instrument_id: str) -> list[StoredAction]:
        query = (
            select(_ACTIONS)
            .where(_ACTIONS.c.instrument_kind == kind, _ACTIONS.c.instrument_id == instrument_id)
            .order_by(_ACTIONS.c.on, _ACTIONS.c.id)
        )
        return [_action(row) for row in self.session.execute(query)]

    def action_entries(self, action_id: str) -> list[JournalEntry]:
        ids = list(
            self.session.scalars(
                select(_ACTION_ENTRIES.c.entry_id)
                .where(_ACTION_ENTRIES.c.action_id == action_id)
                .order_by(_ACTION_ENTRIES.c.position)
            )
        )
        return self.entries_by_id(ids)

    def action_notes(self, action_id: str) -> list[ReleasedNote]:
        rows = self.session.execute(
            select(_ACTION_NOTES.c.note_id, _ACTION_NOTES.c.security_interest_id)
            .where(_ACTION_NOTES.c.action_id == action_id)
            .order_by(_ACTION_NOTES.c.position)
        )
        return [ReleasedNote(note_id, interest_id) for note_id, interest_id in rows]

    if TYPE_CHECKING:
        # Provided by the repository this is mixed into.
        def entries_by_id(self, entry_ids: Sequence[str]) -> list[JournalEntry]: ...


def _action(row: Any) -> StoredAction:
    return StoredAction(
        id=row.id,
        kind=row.kind,
        instrument_kind=row.instrument_kind,
        instrument_id=row.instrument_id,
        idempotency_key=row.idempotency_key,
        request_digest=row.request_digest,
        on=row.on,
        event_sequence=row.event_sequence,
        amount=row.amount,
        discharged=row.discharged,
    )
