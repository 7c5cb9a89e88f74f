"""The repository: typed reads and writes of domain values inside one Session.

It never commits: the caller's `transaction` decides, so a use case that calls
many methods is still one atomic change. Each write flushes at once, so that a
refusal surfaces at the call that caused it, and checks what the database also
checks (ids, foreign keys, one holder per note, one active pledge per note)
first, to say in words what was wrong.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, Final, cast

from sqlalchemy import (
    Row,
    TextualSelect,
    bindparam,
    delete,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.orm import DeclarativeBase, Session, selectinload

from acquittance.core.collateral import SecurityInterest
from acquittance.core.errors import InputError, NotFoundError, StateError
from acquittance.core.instruments import Event, Loan, Note, Party
from acquittance.core.settlement_types import NoteTransfer, Obligation
from acquittance.store import mapping
from acquittance.store.models import (
    ID_LENGTH_MAX,
    FinancingStatementRow,
    JournalEntryRow,
    JournalLegRow,
    LoanEventRow,
    LoanRow,
    NoteEventRow,
    NoteRow,
    NoteTransferRow,
    ObligationRow,
    PartyRow,
    PledgedNoteRow,
    PositionSnapshotRow,
    QuoteRow,
    SecurityInterestRow,
    SettlementRow,
)
from acquittance.store.records import (
    EntryLike,
    EntryRecord,
    ObligationRecord,
    ObligationStatus,
    StoredQuote,
    StoredSettlement,
)
from acquittance.store.snapshots import (
    INSTRUMENTS_PER_QUERY_MAX,
    SnapshotDraft,
    StoredSnapshot,
    instrument_kind,
    snapshot_columns,
    snapshot_from_row,
)

if TYPE_CHECKING:
    from acquittance.books.entries import JournalEntry

#: How many existing ids an UNKNOWN_* message lists before "and N more".
IDS_LISTED_MAX: Final = 10
#: How many ids one `IN (...)` query asks about (well inside every backend's limit).
IDS_PER_QUERY_MAX: Final = 500


class Repository:
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
        last = self.session.scalar(
            select(func.max(LoanEventRow.sequence)).where(LoanEventRow.loan_id == row.id)
        )
        new_rows = mapping.event_rows(LoanEventRow, events, first_sequence=(last or 0) + 1)
        for new_row in new_rows:
            new_row.loan_id = row.id
        self._add_events(row, new_rows)

    def _add_events(self, row: LoanRow | NoteRow, new_rows: Sequence[DeclarativeBase]) -> None:
        """Insert event rows without loading the history they extend."""
        self.session.add_all(new_rows)
        self.session.flush()
        if "events" in row.__dict__:
            # A history loaded before the append would miss the new events.
            self.session.expire(row, ["events"])

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
        last = self.session.scalar(
            select(func.max(NoteEventRow.sequence)).where(NoteEventRow.note_id == row.id)
        )
        new_rows = mapping.event_rows(NoteEventRow, events, first_sequence=(last or 0) + 1)
        for new_row in new_rows:
            new_row.note_id = row.id
        self._add_events(row, new_rows)

    def set_note_holder(self, transfer: NoteTransfer, *, settlement_id: str | None = None) -> None:
        """Move a note to its new holder and record the change in its transfer history."""
        row = self._note_row(transfer.note_id)
        self._party_row(transfer.to_party_id)
        if row.holder_id != transfer.from_party_id:
            raise StateError(
                "NOTE_HOLDER_MISMATCH",
                f"note {row.id} is held by {row.holder_id}, not {transfer.from_party_id}; "
                "only its holder can transfer it; quote the loan again and settle that quote",
            )
        if transfer.to_party_id == row.holder_id:
            raise StateError(
                "NOTE_ALREADY_HELD",
                f"note {row.id} is already held by {row.holder_id}; a transfer needs a new holder",
            )
        sequence = self._next_transfer_sequence(row.id)
        self.session.add(
            NoteTransferRow(
                note_id=row.id,
                sequence=sequence,
                from_party_id=transfer.from_party_id,
                to_party_id=transfer.to_party_id,
                date=transfer.date,
                settlement_id=settlement_id,
            )
        )
        row.holder_id = transfer.to_party_id
        self.session.flush()

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

    def _next_transfer_sequence(self, note_id: str) -> int:
        last = self.session.scalar(
            select(func.max(NoteTransferRow.sequence)).where(NoteTransferRow.note_id == note_id)
        )
        return (last or 0) + 1

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

    def release_security_interests(self, interest_ids: Sequence[str], on: date) -> None:
        """Release each interest (and its pledges) on a date; all of them or none."""
        rows = [self._security_interest_row(interest_id) for interest_id in interest_ids]
        for row in rows:
            if row.released_on is not None:
                raise StateError(
                    "SECURITY_INTEREST_RELEASED",
                    f"security interest {row.id} was already released on "
                    f"{row.released_on.isoformat()}; it cannot be released again",
                )
        for row in rows:
            row.released_on = on
            self.session.execute(
                update(PledgedNoteRow)
                .where(PledgedNoteRow.security_interest_id == row.id)
                .values(released_on=on)
            )
        self.session.flush()

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

    # Settlements and saved quotes -------------------------------------------------------

    def find_settlement_by_key(self, key: str) -> StoredSettlement | None:
        row = self.session.scalar(select(SettlementRow).where(SettlementRow.idempotency_key == key))
        return None if row is None else _stored_settlement(row)

    def add_settlement(
        self,
        *,
        settlement_id: str,
        idempotency_key: str | None,
        loan_id: str,
        as_of: date,
        satisfaction: str,
        fingerprint: str,
        document: dict[str, Any],
    ) -> StoredSettlement:
        """Record a closed settlement and the result document shown for it."""
        self._check_new(SettlementRow, settlement_id, "settlement")
        self._loan_row(loan_id)
        if idempotency_key is not None and self.find_settlement_by_key(idempotency_key):
            raise StateError(
                "DUPLICATE_IDEMPOTENCY_KEY",
                f"a settlement with key {idempotency_key!r} is already recorded; settling again "
                "with that key returns the first result, or choose a new key",
            )
        last = self.session.scalar(select(func.max(SettlementRow.created_order)))
        row = SettlementRow(
            id=settlement_id,
            idempotency_key=idempotency_key,
            loan_id=loan_id,
            as_of=as_of,
            satisfaction=getattr(satisfaction, "value", satisfaction),
            fingerprint=fingerprint,
            document=mapping.document_text(document),
            created_order=(last or 0) + 1,
        )
        self._add(row)
        return _stored_settlement(row)

    def get_settlement(self, settlement_id: str) -> StoredSettlement:
        row = self.session.get(SettlementRow, settlement_id)
        if row is None:
            raise self._unknown(SettlementRow, settlement_id, "settlement", "UNKNOWN_SETTLEMENT")
        return _stored_settlement(row)

    def list_settlements(self, *, loan_id: str | None = None) -> list[StoredSettlement]:
        query = select(SettlementRow).order_by(SettlementRow.created_order)
        if loan_id is not None:
            query = query.where(SettlementRow.loan_id == loan_id)
        return [_stored_settlement(row) for row in self.session.scalars(query)]

    def add_quote(
        self,
        *,
        quote_id: str,
        loan_id: str,
        as_of: date,
        fingerprint: str,
        document: dict[str, Any],
    ) -> StoredQuote:
        self._check_new(QuoteRow, quote_id, "quote")
        self._loan_row(loan_id)
        row = QuoteRow(
            id=quote_id,
            loan_id=loan_id,
            as_of=as_of,
            fingerprint=fingerprint,
            document=mapping.document_text(document),
        )
        self._add(row)
        return _stored_quote(row)

    def get_quote(self, quote_id: str) -> StoredQuote:
        row = self.session.get(QuoteRow, quote_id)
        if row is None:
            raise self._unknown(QuoteRow, quote_id, "quote", "UNKNOWN_QUOTE")
        return _stored_quote(row)

    def list_quotes(self, *, loan_id: str | None = None) -> list[StoredQuote]:
        query = select(QuoteRow).order_by(QuoteRow.id)
        if loan_id is not None:
            query = query.where(QuoteRow.loan_id == loan_id)
        return [_stored_quote(row) for row in self.session.scalars(query)]

    # Obligations ------------------------------------------------------------------------

    def add_obligations(self, obligations: Iterable[Obligation]) -> None:
        for obligation in obligations:
            self.add_obligation(obligation)

    def add_obligation(self, obligation: Obligation) -> None:
        self._check_new(ObligationRow, obligation.id, "obligation")
        self.get_settlement(obligation.settlement_id)
        self._party_row(obligation.party_id)
        statement_id = obligation.financing_statement_id
        if (
            statement_id is not None
            and self.session.get(FinancingStatementRow, statement_id) is None
        ):
            raise self._unknown(
                FinancingStatementRow,
                statement_id,
                "financing statement",
                "UNKNOWN_FINANCING_STATEMENT",
            )
        self._add(mapping.obligation_row(obligation))

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

    def last_entry(self, party_id: str) -> JournalEntry | None:
        """The head of the party's chain, or None for an empty book."""
        record = self._last_entry_record(party_id)
        return None if record is None else mapping.ledger_entry(record)

    def append_entries(self, entries: Iterable[EntryLike]) -> None:
        """Append sealed entries; each must extend its party's chain by exactly one link.

        Every entry is checked before any is written, and all are written in one
        flush (a deal file's history is tens of thousands of entries: one query
        for the ids already taken, not one per entry).
        """
        batch = list(entries)
        taken = self._ids_taken(JournalEntryRow, [entry.id for entry in batch])
        heads: dict[str, tuple[int, str] | None] = {}
        for entry in batch:
            if entry.party_id not in heads:
                self._party_row(entry.party_id)
            _check_id(entry.id, "journal entry")
            if entry.id in taken:
                raise _duplicate_id("journal entry", entry.id)
            taken.add(entry.id)
            if entry.party_id not in heads:
                last = self._last_entry_record(entry.party_id)
                heads[entry.party_id] = None if last is None else (last.sequence, last.hash)
            _check_link(entry, heads[entry.party_id])
            heads[entry.party_id] = (entry.sequence, entry.hash)
        if not batch:
            return
        rows, legs = [], []
        for entry in batch:
            row, entry_legs = mapping.entry_values(entry)
            rows.append(row)
            legs.extend(entry_legs)
        # Core inserts, two statements for the whole batch: the rows are read back by query.
        self.session.execute(insert(JournalEntryRow), rows)
        if legs:
            self.session.execute(insert(JournalLegRow), legs)

    def _ids_taken(self, row_type: type[JournalEntryRow], ids: Sequence[str]) -> set[str]:
        """Which of `ids` the table already holds, IDS_PER_QUERY_MAX at a time."""
        taken: set[str] = set()
        for start in range(0, len(ids), IDS_PER_QUERY_MAX):
            chunk = ids[start : start + IDS_PER_QUERY_MAX]
            taken.update(self.session.scalars(select(row_type.id).where(row_type.id.in_(chunk))))
        return taken

    def entries(self, party_id: str | None = None) -> list[JournalEntry]:
        """The journal (one party's, or every party's by party), in sequence order, as stored."""
        return [mapping.ledger_entry(record) for record in self.entry_records(party_id)]

    def entry_records(self, party_id: str | None = None) -> list[EntryRecord]:
        """As `entries`, but the store's own records: no ledger checks on the way out."""
        # Legs in one more query, not one per entry: a journal is read whole.
        query = (
            select(JournalEntryRow)
            .options(selectinload(JournalEntryRow.legs))
            .order_by(JournalEntryRow.party_id, JournalEntryRow.sequence)
        )
        if party_id is not None:
            self._party_row(party_id)
            query = query.where(JournalEntryRow.party_id == party_id)
        return [mapping.entry_record_from_row(row) for row in self.session.scalars(query)]

    def _last_entry_record(self, party_id: str) -> EntryRecord | None:
        row = self.session.scalar(
            select(JournalEntryRow)
            .where(JournalEntryRow.party_id == party_id)
            .order_by(JournalEntryRow.sequence.desc())
            .limit(1)
        )
        return None if row is None else mapping.entry_record_from_row(row)

    # Headers and position snapshots (a cache derived from events) ----------------------
    #
    # Reads that must not cost the length of a history: an instrument without its
    # events (a header) and how many events it has, and the stored walk through
    # them. Snapshots are added in the transaction that appends their events.

    def loan_header(self, loan_id: str) -> tuple[Loan, int]:
        """The loan without its events (`events` empty), and how many events it has."""
        row = self.session.execute(_LOAN_HEADER, {"loan_id": loan_id}).first()
        if row is None:
            raise self._unknown(LoanRow, loan_id, "loan", "UNKNOWN_LOAN")
        return mapping.loan_from_row(cast(LoanRow, row), events=False), row.events_count or 0

    def note_headers(self, note_ids: Iterable[str]) -> dict[str, tuple[Note, int]]:
        """Each note found, without its events, and how many events it has; unknown ids left out."""
        found: dict[str, tuple[Note, int]] = {}
        for chunk in _chunks(sorted(set(note_ids))):
            for row in self.session.execute(_NOTE_HEADERS, {"ids": chunk}):
                note = mapping.note_from_row(cast(NoteRow, row), events=False)
                found[row.id] = (note, row.events_count or 0)
        return found

    def note_header(self, note_id: str) -> tuple[Note, int]:
        found = self.note_headers((note_id,))
        if note_id not in found:
            raise self._unknown(NoteRow, note_id, "note", "UNKNOWN_NOTE")
        return found[note_id]

    def notes(self, note_ids: Iterable[str]) -> dict[str, Note]:
        """Each note found, with its events, in two queries; unknown ids left out."""
        found: dict[str, Note] = {}
        for chunk in _chunks(sorted(set(note_ids))):
            rows = self.session.scalars(
                select(NoteRow).where(NoteRow.id.in_(chunk)).options(selectinload(NoteRow.events))
            )
            found.update((row.id, mapping.note_from_row(row)) for row in rows)
        return found

    def interests_securing(self, loan_id: str) -> list[SecurityInterest]:
        """As `list_security_interests(loan_id=...)`, in three small queries whatever their size."""
        rows = self.session.execute(_INTERESTS_OF_LOAN, {"loan_id": loan_id}).all()
        ids = [row.id for row in rows]
        pledged: dict[str, list[Row[Any]]] = {i: [] for i in ids}
        statements: dict[str, list[Row[Any]]] = {i: [] for i in ids}
        if ids:
            for pledge in self.session.execute(_PLEDGES_OF_INTERESTS, {"ids": ids}):
                pledged[pledge.security_interest_id].append(pledge)
            for statement in self.session.execute(_STATEMENTS_OF_INTERESTS, {"ids": ids}):
                statements[statement.security_interest_id].append(statement)
        return [
            mapping.security_interest_from_parts(row, pledged[row.id], statements[row.id])
            for row in rows
        ]

    def active_pledges(self, note_ids: Iterable[str]) -> dict[str, str]:
        """For each note pledged under an active security interest, that interest's id."""
        found: dict[str, str] = {}
        for chunk in _chunks(sorted(set(note_ids))):
            found.update(
                (row.note_id, row.security_interest_id)
                for row in self.session.execute(_ACTIVE_PLEDGES, {"ids": chunk})
            )
        return found

    def latest_snapshot(self, instrument: Loan | Note) -> StoredSnapshot | None:
        """The instrument's newest snapshot, or None when it has none."""
        params = {"kind": instrument_kind(instrument), "instrument_id": instrument.id}
        row = self.session.execute(_LATEST_SNAPSHOT, params).first()
        return None if row is None else snapshot_from_row(row, instrument)

    def snapshots_on(
        self, instruments: Sequence[Loan | Note], on: date
    ) -> dict[tuple[str, str], tuple[StoredSnapshot | None, StoredSnapshot | None]]:
        """For each instrument, its newest snapshot dated on or before `on`, and its newest.

        Keyed by (kind, id); (None, None) for an instrument without snapshots.
        One query per `INSTRUMENTS_PER_QUERY_MAX` instruments, each snapshot
        found by index, whatever the length of the histories.
        """
        found: dict[tuple[str, str], tuple[StoredSnapshot | None, StoredSnapshot | None]] = {}
        for start in range(0, len(instruments), INSTRUMENTS_PER_QUERY_MAX):
            chunk = instruments[start : start + INSTRUMENTS_PER_QUERY_MAX]
            params: dict[str, Any] = {"on": on}
            for i, instrument in enumerate(chunk):
                params[f"kind_{i}"] = instrument_kind(instrument)
                params[f"id_{i}"] = instrument.id
            rows: dict[tuple[str, str], list[Row[Any]]] = {}
            for row in self.session.execute(_snapshots_on_sql(len(chunk)), params):
                rows.setdefault((row.instrument_kind, row.instrument_id), []).append(row)
            for instrument in chunk:
                key = (instrument_kind(instrument), instrument.id)
                found[key] = _at_and_latest(instrument, rows.get(key, []), on)
        return found

    def add_snapshots(self, instrument: Loan | Note, drafts: Sequence[SnapshotDraft]) -> None:
        """Store snapshots after the instrument's newest, in order, in one statement."""
        if not drafts:
            return
        kind = instrument_kind(instrument)
        last = self.session.scalar(
            select(func.max(PositionSnapshotRow.sequence)).where(
                PositionSnapshotRow.instrument_kind == kind,
                PositionSnapshotRow.instrument_id == instrument.id,
            )
        )
        rows = []
        for number, draft in enumerate(drafts, start=(last or 0) + 1):
            assert (draft.state.kind, draft.state.instrument_id) == (kind, instrument.id)
            rows.append(snapshot_columns(draft, sequence=number))
        self.session.execute(insert(PositionSnapshotRow), rows)

    def clear_snapshots(self, instrument: Loan | Note) -> None:
        """Drop an instrument's snapshots (to rebuild them from its events)."""
        self.session.execute(
            delete(PositionSnapshotRow).where(
                PositionSnapshotRow.instrument_kind == instrument_kind(instrument),
                PositionSnapshotRow.instrument_id == instrument.id,
            )
        )

    # Shared checks ----------------------------------------------------------------------

    def _add(self, row: DeclarativeBase) -> None:
        self.session.add(row)
        self.session.flush()

    def _check_new(self, row_type: type[DeclarativeBase], record_id: str, what: str) -> None:
        _check_id(record_id, what)
        if self.session.get(row_type, record_id) is not None:
            raise _duplicate_id(what, record_id)

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


# Prebuilt reads for headers and snapshots: built once, so that a quote pays for the
# lookups and not for constructing statements (which costs more than the lookups).

_LOANS = LoanRow.__table__.c
_NOTES = NoteRow.__table__.c
_SNAPSHOTS = PositionSnapshotRow.__table__.c
_LOAN_HEADER = select(
    LoanRow.__table__,
    select(func.max(LoanEventRow.sequence))
    .where(LoanEventRow.loan_id == _LOANS.id)
    .scalar_subquery()
    .label("events_count"),
).where(_LOANS.id == bindparam("loan_id"))
_NOTE_HEADERS = select(
    NoteRow.__table__,
    select(func.max(NoteEventRow.sequence))
    .where(NoteEventRow.note_id == _NOTES.id)
    .scalar_subquery()
    .label("events_count"),
).where(_NOTES.id.in_(bindparam("ids", expanding=True)))
_ACTIVE_PLEDGES = select(PledgedNoteRow.note_id, PledgedNoteRow.security_interest_id).where(
    PledgedNoteRow.note_id.in_(bindparam("ids", expanding=True)),
    PledgedNoteRow.released_on.is_(None),
)
_INTERESTS_OF_LOAN = (
    select(SecurityInterestRow.__table__)
    .where(SecurityInterestRow.loan_id == bindparam("loan_id"))
    .order_by(SecurityInterestRow.id)
)
_PLEDGES_OF_INTERESTS = (
    select(PledgedNoteRow.__table__)
    .where(PledgedNoteRow.security_interest_id.in_(bindparam("ids", expanding=True)))
    .order_by(PledgedNoteRow.security_interest_id, PledgedNoteRow.position)
)
_STATEMENTS_OF_INTERESTS = (
    select(FinancingStatementRow.__table__)
    .where(FinancingStatementRow.security_interest_id.in_(bindparam("ids", expanding=True)))
    .order_by(FinancingStatementRow.security_interest_id, FinancingStatementRow.position)
)
_LATEST_SNAPSHOT = (
    select(PositionSnapshotRow.__table__)
    .where(
        _SNAPSHOTS.instrument_kind == bindparam("kind"),
        _SNAPSHOTS.instrument_id == bindparam("instrument_id"),
    )
    .order_by(_SNAPSHOTS.sequence.desc())
    .limit(1)
)


def _chunks(ids: Sequence[str]) -> list[Sequence[str]]:
    return [
        ids[start : start + IDS_PER_QUERY_MAX] for start in range(0, len(ids), IDS_PER_QUERY_MAX)
    ]


@functools.lru_cache(maxsize=64)
def _snapshots_on_sql(instruments_count: int) -> TextualSelect:
    """For each instrument i (:kind_i, :id_i), its newest snapshot on or before :on and its newest.

    Plain SQL, built once per count: two index lookups per instrument, one
    round trip for all of them (a statement built per call would cost more
    than the lookups).
    """
    columns = PositionSnapshotRow.__table__.c
    # Named, in the order `.columns` gives them their types (never `SELECT *`).
    names = ", ".join(column.name for column in columns)
    lookups = []
    for i in range(instrument_count_checked(instruments_count)):
        mine = f"instrument_kind = :kind_{i} AND instrument_id = :id_{i}"
        lookups.append(
            f"SELECT {names} FROM position_snapshots WHERE {mine} AND sequence IN ("
            f"(SELECT max(sequence) FROM position_snapshots WHERE {mine}), "
            f"(SELECT sequence FROM position_snapshots WHERE {mine} AND as_of <= :on "
            "ORDER BY as_of DESC, sequence DESC LIMIT 1))"
        )
    return text(" UNION ALL ".join(lookups)).columns(*columns)


def instrument_count_checked(count: int) -> int:
    assert 0 < count <= INSTRUMENTS_PER_QUERY_MAX, f"{count} instruments in one snapshot query"
    return count


def _at_and_latest(
    instrument: Loan | Note, mine: Sequence[Row[Any]], on: date
) -> tuple[StoredSnapshot | None, StoredSnapshot | None]:
    """From an instrument's rows of `_snapshots_on_sql`: (newest on or before `on`, newest)."""
    if not mine:
        return None, None
    newest = max(mine, key=lambda r: r.sequence)
    dated = [r for r in mine if r.as_of <= on]
    at = max(dated, key=lambda r: r.sequence) if dated else None
    latest = snapshot_from_row(newest, instrument)
    if at is None:
        return None, latest
    return (latest if at is newest else snapshot_from_row(at, instrument)), latest


def _duplicate_id(what: str, record_id: str) -> StateError:
    return StateError(
        "DUPLICATE_ID",
        f"the store already has a {what} with id {record_id!r}; choose another id "
        "(ids name records on the command line and must be unique)",
    )


def _check_id(record_id: str, what: str) -> None:
    if not isinstance(record_id, str) or not record_id.strip() or len(record_id) > ID_LENGTH_MAX:
        raise InputError(
            "INVALID_ID",
            f"{what} id {record_id!r} must be a non-empty string of at most {ID_LENGTH_MAX} "
            "characters, such as berg-valence-loan",
        )


def _check_link(entry: EntryLike, head: tuple[int, str] | None) -> None:
    """Each entry is the next in its party's chain: sequence + 1 and the previous hash."""
    expected_sequence = 1 if head is None else head[0] + 1
    if entry.sequence != expected_sequence:
        raise StateError(
            "JOURNAL_OUT_OF_SEQUENCE",
            f"journal entry {entry.id} has sequence {entry.sequence} but {entry.party_id}'s "
            f"book expects {expected_sequence}; seal entries against the current chain head",
        )
    if head is not None and entry.previous_hash != head[1]:
        raise StateError(
            "JOURNAL_CHAIN_BROKEN",
            f"journal entry {entry.id} links to hash {entry.previous_hash[:12]}... but the head "
            f"of {entry.party_id}'s book is {head[1][:12]}...; seal it against the current head",
        )


def _status(status: ObligationStatus | str) -> ObligationStatus:
    try:
        return ObligationStatus(status)
    except ValueError:
        raise InputError(
            "UNKNOWN_OBLIGATION_STATUS",
            f"obligation status {status!r} is not known; use open or done",
        ) from None


def _stored_settlement(row: SettlementRow) -> StoredSettlement:
    return StoredSettlement(
        id=row.id,
        idempotency_key=row.idempotency_key,
        loan_id=row.loan_id,
        as_of=row.as_of,
        satisfaction=row.satisfaction,
        fingerprint=row.fingerprint,
        document=mapping.document_from_text(row.document),
        created_order=row.created_order,
    )


def _stored_quote(row: QuoteRow) -> StoredQuote:
    return StoredQuote(
        id=row.id,
        loan_id=row.loan_id,
        as_of=row.as_of,
        fingerprint=row.fingerprint,
        document=mapping.document_from_text(row.document),
    )
