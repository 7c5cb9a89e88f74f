"""The repository: typed reads and writes of domain values inside one Session.

It never commits: the caller's `transaction` decides, so a use case that calls
many methods is still one atomic change. Each write flushes at once, so that a
refusal surfaces at the call that caused it, and checks what the database also
checks (ids, foreign keys, one holder per note, one active pledge per note)
first, to say in words what was wrong.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, Final, cast

from sqlalchemy import CursorResult, bindparam, func, insert, select, update
from sqlalchemy.orm import DeclarativeBase, Session, selectinload

from acquittance.core.collateral import SecurityInterest
from acquittance.core.errors import InputError, NotFoundError, StateError
from acquittance.core.instruments import Event, Loan, Note, Party
from acquittance.core.settlement_types import NoteTransfer, Obligation
from acquittance.store import mapping
from acquittance.store.closings import ClosingRows
from acquittance.store.journal import JournalRows, locks_rows
from acquittance.store.models import (
    ID_LENGTH_MAX,
    FinancingStatementRow,
    JournalEntryRow,
    LoanEventRow,
    LoanRow,
    NoteEventRow,
    NoteRow,
    NoteTransferRow,
    ObligationRow,
    PartyRow,
    PledgedNoteRow,
    SecurityInterestRow,
    table_of,
)
from acquittance.store.records import EntryRecord, ObligationRecord, ObligationStatus

if TYPE_CHECKING:
    from acquittance.books.entries import JournalEntry

#: How many existing ids an UNKNOWN_* message lists before "and N more".
IDS_LISTED_MAX: Final = 10


class Repository(ClosingRows, JournalRows):
    """Maps parties, instruments, collateral, settlements and journals to rows and back."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # Parties ---------------------------------------------------------------------------

    def add_party(self, party: Party) -> None:
        self._check_new(PartyRow, party.id, "party")
        self._add(mapping.party_row(party))

    def get_party(self, party_id: str) -> Party:
        return mapping.party_from_row(self._party_row(party_id))

    def list_parties(self) -> list[Party]:
        rows = self.session.scalars(select(PartyRow).order_by(PartyRow.id))
        return [mapping.party_from_row(row) for row in rows]

    # Locks (PostgreSQL; a SQLite writer already holds the whole file) ------------------

    def lock_loan(self, loan_id: str) -> None:
        """The first lock a use case takes: the loan's row, until the transaction ends."""
        if locks_rows(self.session):
            self.session.execute(
                select(table_of(LoanRow).c.id)
                .where(table_of(LoanRow).c.id == loan_id)
                .with_for_update()
            )

    def lock_notes(self, note_ids: Sequence[str]) -> None:
        """The second: the notes' rows, by id."""
        if note_ids and locks_rows(self.session):
            notes = table_of(NoteRow)
            self.session.execute(
                select(notes.c.id)
                .where(notes.c.id.in_(sorted(note_ids)))
                .order_by(notes.c.id)
                .with_for_update()
            )

    # Loans -----------------------------------------------------------------------------

    def add_loan(self, loan: Loan) -> None:
        self._check_new(LoanRow, loan.id, "loan")
        self._party_row(loan.lender_id)
        self._party_row(loan.borrower_id)
        self._add(mapping.loan_row(loan))

    def get_loan(self, loan_id: str) -> Loan:
        return mapping.loan_from_row(self._loan_row(loan_id))

    def list_loans(self) -> list[Loan]:
        rows = self.session.scalars(select(LoanRow).order_by(LoanRow.id))
        return [mapping.loan_from_row(row) for row in rows]

    def append_loan_events(self, loan_id: str, events: Iterable[Event]) -> None:
        """Append events after the loan's last one; events are never rewritten."""
        row = self._loan_row(loan_id)
        first = len(row.events) + 1
        row.events.extend(mapping.event_rows(LoanEventRow, events, first_sequence=first))
        self.session.flush()

    # Notes -----------------------------------------------------------------------------

    def add_note(self, note: Note) -> None:
        self._check_new(NoteRow, note.id, "note")
        self._party_row(note.holder_id)
        self._add(mapping.note_row(note))

    def get_note(self, note_id: str) -> Note:
        return mapping.note_from_row(self._note_row(note_id))

    def list_notes(self, *, holder_id: str | None = None) -> list[Note]:
        query = select(NoteRow).order_by(NoteRow.id)
        if holder_id is not None:
            query = query.where(NoteRow.holder_id == holder_id)
        return [mapping.note_from_row(row) for row in self.session.scalars(query)]

    def append_note_events(self, note_id: str, events: Iterable[Event]) -> None:
        row = self._note_row(note_id)
        first = len(row.events) + 1
        row.events.extend(mapping.event_rows(NoteEventRow, events, first_sequence=first))
        self.session.flush()

    def set_note_holder(self, transfer: NoteTransfer, *, settlement_id: str | None = None) -> None:
        """Move one note to its new holder (see `transfer_notes`)."""
        self.transfer_notes((transfer,), settlement_id=settlement_id)

    def transfer_notes(
        self, transfers: Sequence[NoteTransfer], *, settlement_id: str | None = None
    ) -> None:
        """Move notes to their new holders and record each change: two statements.

        The holder changes only where it still is the transfer's assignor, so a
        note that changed hands meanwhile is refused, not overwritten.
        """
        if not transfers:
            return
        for transfer in transfers:
            if transfer.to_party_id == transfer.from_party_id:
                raise StateError(
                    "NOTE_ALREADY_HELD",
                    f"note {transfer.note_id} is already held by {transfer.to_party_id}; a "
                    "transfer needs a new holder",
                )
        notes, history = table_of(NoteRow), table_of(NoteTransferRow)
        moved = self.session.execute(
            update(notes)
            .where(notes.c.id == bindparam("note"), notes.c.holder_id == bindparam("assignor"))
            .values(holder_id=bindparam("assignee")),
            [
                {"note": t.note_id, "assignor": t.from_party_id, "assignee": t.to_party_id}
                for t in transfers
            ],
            execution_options={"synchronize_session": False},
        )
        if cast(CursorResult[Any], moved).rowcount != len(transfers):
            self._refuse_transfers(transfers)
        next_sequence = (
            select(func.coalesce(func.max(history.c.sequence), 0) + 1)
            .where(history.c.note_id == bindparam("b_note"))
            .scalar_subquery()
        )
        self.session.execute(
            insert(history).values(
                note_id=bindparam("b_note"),
                sequence=next_sequence,
                from_party_id=bindparam("b_from"),
                to_party_id=bindparam("b_to"),
                date=bindparam("b_date"),
                settlement_id=bindparam("b_settlement"),
            ),
            [
                {
                    "b_note": transfer.note_id,
                    "b_from": transfer.from_party_id,
                    "b_to": transfer.to_party_id,
                    "b_date": transfer.date,
                    "b_settlement": settlement_id,
                }
                for transfer in transfers
            ],
        )

    def _refuse_transfers(self, transfers: Sequence[NoteTransfer]) -> None:
        """Say which transfer did not find its note with its assignor."""
        notes = table_of(NoteRow)
        ids = [transfer.note_id for transfer in transfers]
        holders = dict(
            self.session.execute(
                select(notes.c.id, notes.c.holder_id).where(notes.c.id.in_(ids))
            ).all()
        )
        for transfer in transfers:
            _check_transfer(transfer, holders.get(transfer.note_id))
        raise AssertionError("a transfer did not apply, and every note is with its assignor")

    def note_transfers(self, note_id: str) -> list[NoteTransfer]:
        """The note's holders over time, oldest change first."""
        self._note_row(note_id)
        query = (
            select(NoteTransferRow)
            .where(NoteTransferRow.note_id == note_id)
            .order_by(NoteTransferRow.sequence)
        )
        return [
            NoteTransfer(
                note_id=row.note_id,
                from_party_id=row.from_party_id,
                to_party_id=row.to_party_id,
                date=row.date,
            )
            for row in self.session.scalars(query)
        ]

    # Security interests and financing statements ----------------------------------------

    def add_security_interest(self, interest: SecurityInterest) -> None:
        """Record a pledge of notes the debtor holds and has pledged nowhere else."""
        self._check_new(SecurityInterestRow, interest.id, "security interest")
        self._loan_row(interest.loan_id)
        self._party_row(interest.secured_party_id)
        self._party_row(interest.debtor_id)
        for statement in interest.financing_statements:
            self._check_new(FinancingStatementRow, statement.id, "financing statement")
        if len(set(interest.note_ids)) != len(interest.note_ids):
            raise InputError(
                "DUPLICATE_PLEDGE",
                f"security interest {interest.id} lists a note more than once; list each once",
            )
        for note_id in interest.note_ids:
            self._check_pledgeable(interest, note_id)
        self._add(mapping.security_interest_row(interest))

    def _check_pledgeable(self, interest: SecurityInterest, note_id: str) -> None:
        note = self._note_row(note_id)
        if note.holder_id != interest.debtor_id:
            raise StateError(
                "NOTE_NOT_HELD_BY_DEBTOR",
                f"note {note_id} is held by {note.holder_id}, so {interest.debtor_id} cannot "
                f"pledge it under {interest.id}; pledge only notes the debtor holds",
            )
        if interest.released_on is not None:
            return
        active = self.active_pledge(note_id)
        if active is not None:
            raise StateError(
                "NOTE_ALREADY_PLEDGED",
                f"note {note_id} is already pledged under security interest {active}, which is "
                "not released; release that interest first or pledge another note",
            )

    def active_pledge(self, note_id: str) -> str | None:
        """The id of the active security interest the note is pledged under, if any."""
        return self.session.scalar(
            select(PledgedNoteRow.security_interest_id).where(
                PledgedNoteRow.note_id == note_id, PledgedNoteRow.released_on.is_(None)
            )
        )

    def get_security_interest(self, interest_id: str) -> SecurityInterest:
        return mapping.security_interest_from_row(self._security_interest_row(interest_id))

    def list_security_interests(
        self, *, loan_id: str | None = None, active_only: bool = False
    ) -> list[SecurityInterest]:
        query = select(SecurityInterestRow).order_by(SecurityInterestRow.id)
        if loan_id is not None:
            query = query.where(SecurityInterestRow.loan_id == loan_id)
        if active_only:
            query = query.where(SecurityInterestRow.released_on.is_(None))
        rows = self.session.scalars(query)
        return [mapping.security_interest_from_row(row) for row in rows]

    def release_security_interests(
        self, interest_ids: Sequence[str], on: date, *, released_by: str | None = None
    ) -> None:
        """Release each interest (and its pledges) on a date; all of them or none."""
        if not interest_ids:
            return
        interests = table_of(SecurityInterestRow)
        ids = list(interest_ids)
        released = self.session.execute(
            update(interests)
            .where(interests.c.id.in_(ids), interests.c.released_on.is_(None))
            .values(released_on=on, released_by=released_by),
            execution_options={"synchronize_session": False},
        )
        if cast(CursorResult[Any], released).rowcount != len(set(ids)):
            self._refuse_release(ids)
        pledged = table_of(PledgedNoteRow)
        self.session.execute(
            update(pledged).where(pledged.c.security_interest_id.in_(ids)).values(released_on=on),
            execution_options={"synchronize_session": False},
        )
        self.session.expire_all()

    def _refuse_release(self, interest_ids: Sequence[str]) -> None:
        """Say which interest could not be released: unknown, or released already."""
        interests = table_of(SecurityInterestRow)
        found = dict(
            self.session.execute(
                select(interests.c.id, interests.c.released_on).where(
                    interests.c.id.in_(list(interest_ids))
                )
            ).all()
        )
        for interest_id in interest_ids:
            if interest_id not in found:
                raise self._unknown(
                    SecurityInterestRow,
                    interest_id,
                    "security interest",
                    "UNKNOWN_SECURITY_INTEREST",
                )
            released_on = found[interest_id]
            if released_on is not None:
                raise StateError(
                    "SECURITY_INTEREST_RELEASED",
                    f"security interest {interest_id} was already released on "
                    f"{released_on.isoformat()}; it cannot be released again",
                )
        raise AssertionError("a release did not apply, and every interest was active")

    def release_pledged_notes(self, interest_id: str, note_ids: Sequence[str], on: date) -> None:
        """Take notes out of an interest that continues (they were assigned away)."""
        row = self._security_interest_row(interest_id)
        if row.released_on is not None:
            raise StateError(
                "SECURITY_INTEREST_RELEASED",
                f"security interest {row.id} was already released on {row.released_on.isoformat()}",
            )
        self.session.execute(
            update(PledgedNoteRow)
            .where(
                PledgedNoteRow.security_interest_id == interest_id,
                PledgedNoteRow.note_id.in_(list(note_ids)),
                PledgedNoteRow.released_on.is_(None),
            )
            .values(released_on=on)
        )
        self.session.expire(row)
        self.session.flush()

    def terminate_financing_statement(self, statement_id: str, on: date) -> None:
        row = self.session.get(FinancingStatementRow, statement_id)
        if row is None:
            raise self._unknown(
                FinancingStatementRow,
                statement_id,
                "financing statement",
                "UNKNOWN_FINANCING_STATEMENT",
            )
        if row.terminated_on is not None:
            raise StateError(
                "FINANCING_STATEMENT_TERMINATED",
                f"financing statement {statement_id} was already terminated on "
                f"{row.terminated_on.isoformat()}",
            )
        row.terminated_on = on
        self.session.flush()

    # Obligations ------------------------------------------------------------------------

    def add_obligations(self, obligations: Iterable[Obligation]) -> None:
        """Open a settlement's obligations in one statement (its row is in this transaction)."""
        rows = [mapping.obligation_columns(obligation) for obligation in obligations]
        if rows:
            self.session.execute(insert(table_of(ObligationRow)), rows)

    def list_obligations(
        self, *, status: ObligationStatus | str | None = None, settlement_id: str | None = None
    ) -> list[ObligationRecord]:
        """Obligations by deadline, then id; optionally only `open` or `done` ones."""
        query = select(ObligationRow).order_by(ObligationRow.due, ObligationRow.id)
        if status is not None:
            query = query.where(ObligationRow.status == _status(status).value)
        if settlement_id is not None:
            query = query.where(ObligationRow.settlement_id == settlement_id)
        return [mapping.obligation_from_row(row) for row in self.session.scalars(query)]

    def complete_obligation(self, obligation_id: str, on: date) -> ObligationRecord:
        row = self.session.get(ObligationRow, obligation_id)
        if row is None:
            raise self._unknown(ObligationRow, obligation_id, "obligation", "UNKNOWN_OBLIGATION")
        if row.status == ObligationStatus.DONE.value:
            raise StateError(
                "OBLIGATION_ALREADY_DONE",
                f"obligation {obligation_id} was completed on {row.completed_on}; nothing to do",
            )
        row.status = ObligationStatus.DONE.value
        row.completed_on = on
        self.session.flush()
        return mapping.obligation_from_row(row)

    # Journal ----------------------------------------------------------------------------

    def entries_by_id(self, entry_ids: Sequence[str]) -> list[JournalEntry]:
        """These entries, in the order given."""
        if not entry_ids:
            return []
        query = (
            select(JournalEntryRow)
            .options(selectinload(JournalEntryRow.legs))
            .where(JournalEntryRow.id.in_(list(entry_ids)))
        )
        found = {row.id: row for row in self.session.scalars(query)}
        return [mapping.ledger_entry(mapping.entry_record_from_row(found[i])) for i in entry_ids]

    def entries(self, party_id: str | None = None) -> list[JournalEntry]:
        """The journal (one party's, or every party's by party), in sequence order, as stored."""
        return [mapping.ledger_entry(record) for record in self.entry_records(party_id)]

    def entry_records(self, party_id: str | None = None) -> list[EntryRecord]:
        """As `entries`, but the store's own records: no ledger checks on the way out."""
        # Legs in one more query, not one per entry: a journal is read whole.
        query = (
            select(JournalEntryRow)
            .options(selectinload(JournalEntryRow.legs))
            .order_by(
                JournalEntryRow.party_id,
                JournalEntryRow.date,
                JournalEntryRow.chain,
                JournalEntryRow.sequence,
            )
        )
        if party_id is not None:
            self._party_row(party_id)
            query = query.where(JournalEntryRow.party_id == party_id)
        return [mapping.entry_record_from_row(row) for row in self.session.scalars(query)]

    # Shared checks ----------------------------------------------------------------------

    def _add(self, row: DeclarativeBase) -> None:
        self.session.add(row)
        self.session.flush()

    def _check_new(self, row_type: type[DeclarativeBase], record_id: str, what: str) -> None:
        _check_id(record_id, what)
        if self.session.get(row_type, record_id) is not None:
            raise StateError(
                "DUPLICATE_ID",
                f"the store already has a {what} with id {record_id!r}; choose another id "
                "(ids name records on the command line and must be unique)",
            )

    def _party_row(self, party_id: str) -> PartyRow:
        row = self.session.get(PartyRow, party_id)
        if row is None:
            raise self._unknown(PartyRow, party_id, "party", "UNKNOWN_PARTY")
        return row

    def _loan_row(self, loan_id: str) -> LoanRow:
        row = self.session.get(LoanRow, loan_id)
        if row is None:
            raise self._unknown(LoanRow, loan_id, "loan", "UNKNOWN_LOAN")
        return row

    def _note_row(self, note_id: str) -> NoteRow:
        row = self.session.get(NoteRow, note_id)
        if row is None:
            raise self._unknown(NoteRow, note_id, "note", "UNKNOWN_NOTE")
        return row

    def _security_interest_row(self, interest_id: str) -> SecurityInterestRow:
        row = self.session.get(SecurityInterestRow, interest_id)
        if row is None:
            raise self._unknown(
                SecurityInterestRow, interest_id, "security interest", "UNKNOWN_SECURITY_INTEREST"
            )
        return row

    def _unknown(self, row_type: type[Any], record_id: str, what: str, code: str) -> NotFoundError:
        """A NotFoundError that names the ids the store does have, so the fix is obvious."""
        column = row_type.id
        existing = list(
            self.session.scalars(select(column).order_by(column).limit(IDS_LISTED_MAX + 1))
        )
        if not existing:
            hint = f"the store has no {what} records yet; load one with `acquittance load FILE`"
        else:
            shown = ", ".join(existing[:IDS_LISTED_MAX])
            more = " and more" if len(existing) > IDS_LISTED_MAX else ""
            hint = f"the store has: {shown}{more}"
        return NotFoundError(code, f"there is no {what} {record_id!r}; {hint}")


def _check_id(record_id: str, what: str) -> None:
    if not isinstance(record_id, str) or not record_id.strip() or len(record_id) > ID_LENGTH_MAX:
        raise InputError(
            "INVALID_ID",
            f"{what} id {record_id!r} must be a non-empty string of at most {ID_LENGTH_MAX} "
            "characters, such as berg-valence-loan",
        )


def _check_transfer(transfer: NoteTransfer, holder_id: str | None) -> None:
    if holder_id is None:
        raise NotFoundError("UNKNOWN_NOTE", f"no note has id {transfer.note_id!r}")
    if holder_id != transfer.from_party_id:
        raise StateError(
            "NOTE_HOLDER_MISMATCH",
            f"note {transfer.note_id} is held by {holder_id}, not {transfer.from_party_id}; "
            "only its holder can transfer it; quote the loan again and settle that quote",
        )


def _status(status: ObligationStatus | str) -> ObligationStatus:
    try:
        return ObligationStatus(status)
    except ValueError:
        raise InputError(
            "UNKNOWN_OBLIGATION_STATUS",
            f"obligation status {status!r} is not known; use open or done",
        ) from None
