"""The repository: typed reads and writes of domain values inside one Session.

It never commits: the caller's `transaction` decides, so a use case that calls
many methods is still one atomic change. Each write flushes at once, so that a
refusal surfaces at the call that caused it, and checks what the database also
checks (ids, foreign keys, one holder per note, one active pledge per note)
first, to say in words what was wrong.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any, Final, cast

from sqlalchemy import (
    Row,
    TextualSelect,
    bindparam,
    delete,
    event,
    func,
    select,
    text,
    update,
)
from sqlalchemy.orm import DeclarativeBase, Session, selectinload

from acquittance.books.chain import ChainHead, ChainKey
from acquittance.core.collateral import SecurityInterest
from acquittance.core.errors import InputError, NotFoundError, StateError
from acquittance.core.instruments import Loan, LoggedEvent, Note, Party, Signatory
from acquittance.core.settlement_types import NoteTransfer, Obligation
from acquittance.store import closing_path, mapping
from acquittance.store.closing_path import (
    ClosingRead,
    ClosingReadRows,
    ClosingToWrite,
    ClosingWrite,
)
from acquittance.store.closings import ClosingRows
from acquittance.store.driver import Driver, Sql, Write
from acquittance.store.journal import JournalRows, locks_rows
from acquittance.store.lifecycle import LifecycleRows
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
    PositionSnapshotRow,
    SecurityInterestRow,
    SignatoryRow,
    table_of,
)
from acquittance.store.records import EntryRecord, ObligationRecord, ObligationStatus
from acquittance.store.snapshots import (
    INSTRUMENTS_PER_QUERY_MAX,
    SnapshotDraft,
    StoredSnapshot,
    instrument_kind,
    snapshot_from_row,
)

if TYPE_CHECKING:
    from acquittance.books.entries import JournalEntry

#: How many existing ids an UNKNOWN_* message lists before "and N more".
IDS_LISTED_MAX: Final = 10
#: How many ids one `IN (...)` query asks about (well inside every backend's limit).
IDS_PER_QUERY_MAX: Final = 500


class Repository(ClosingRows, JournalRows, LifecycleRows):
    """Maps parties, instruments, collateral, settlements and journals to rows and back."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._parties: dict[str, Party] = {}
        self._driver: Driver | None = None

    def driver(self) -> Driver:
        """The driver under this session's connection (see `store.driver`).

        ORM rows still pending are flushed first, so that a prebuilt statement
        sees every change made before it, as an ORM statement would.
        """
        if self._driver is None:
            self._driver = driver = Driver(self.session)
            if not driver.sqlite:
                # A statement the driver queued (a savepoint) goes before any of the ORM's.
                event.listen(self.session, "do_orm_execute", self._send_queued)
                event.listen(self.session, "before_flush", self._send_queued)
        session = self.session
        if session.new or session.deleted or session.dirty:
            session.flush()
        return self._driver

    def _send_queued(self, *_: object) -> None:
        if self._driver is not None:
            self._driver.send_queued()

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A savepoint around the block: an error undoes the block's writes alone.

        Sent through the driver (the Session's own nested transactions cost a
        closing more than its statements do). The block makes no ORM change
        that must survive it being undone: the Session's rows are expired then,
        and read again when next used.
        """
        driver = self.driver()
        # On a server the savepoint goes with the block's first statement, and
        # its release with the statement after the block: no round trip of their own.
        driver.queue(_SAVEPOINT)
        try:
            yield
        except BaseException:
            if not driver.unqueue(_SAVEPOINT):
                driver.execute(_ROLLBACK_TO_SAVEPOINT)
            self.session.expire_all()
            raise
        if not driver.unqueue(_SAVEPOINT):
            driver.queue(_RELEASE_SAVEPOINT)

    # Closings (the hot path: see `store.closing_path`) ---------------------------------

    def read_closing(self, loan_id: str, key: str | None, *, lock: bool = True) -> ClosingRead:
        """What closing the loan reads, in two queries (on a server, its rows locked first).

        A quote reads the same, without the locks (`lock=False`).
        """
        found = closing_path.read_closing(self.driver(), loan_id, key, lock=lock)
        if found is None:
            raise self._unknown(LoanRow, loan_id, "loan", "UNKNOWN_LOAN")
        self._remember_parties(found)
        return found

    def _remember_parties(self, read: ClosingRead) -> None:
        """The parties a closing read found, for `get_party` to answer without a query."""
        self._parties.setdefault(read.lender.id, read.lender)
        self._parties.setdefault(read.borrower.id, read.borrower)

    def closing_rows(self, loan_id: str, key: str | None) -> ClosingReadRows:
        """The rows `read_closing` reads, as read (on a server, locked): to check a read holds."""
        return closing_path.closing_rows(self.driver(), loan_id, key, lock=True)

    def write_closing(
        self,
        closing: ClosingWrite,
        entries: Sequence[JournalEntry],
        heads: Mapping[ChainKey, ChainHead],
    ) -> None:
        """Every row of a closing and its journal entries (the next links after `heads`).

        A statement per table on SQLite; one statement on a server.
        """
        driver = self.driver()
        writes, moved, released = closing_path.closing_writes(driver.day, closing)
        writes += self.journal_writes(
            entries, heads, settlement_id=closing.settlement_id, driver=driver
        )
        counts = driver.write_all(writes)
        if counts[moved] != len(closing.transfers):
            self._refuse_transfers(closing.transfers)
        if counts[released] != len(set(closing.released_interest_ids)):
            self._refuse_release(closing.released_interest_ids)

    def read_closings(self, wanted: Sequence[tuple[str, str | None]]) -> dict[str, ClosingRead]:
        """What closing each (loan, key) reads, locked, in one round trip (a server's store).

        Each loan once; a loan that does not exist is not in the answer.
        """
        found = closing_path.read_closings(self.driver(), wanted)
        for read in found.values():
            self._remember_parties(read)
        return found

    def write_closings(
        self,
        closings: Sequence[ClosingToWrite],
    ) -> None:
        """The rows of closings that share no row, as `write_closing` writes each: together.

        On a server, one statement for them all. Raises `ClosingsNoLongerApply`
        (having written) when a note was not with its assignor or an interest
        was no longer active; the caller undoes the write.
        """
        driver = self.driver()
        writes: list[Write] = []
        expected: dict[Sql, int] = {}  # the rows the moves and the releases must change
        for closing, entries, heads in closings:
            found, moved, released = closing_path.closing_writes(driver.day, closing)
            for at, count in (
                (moved, len(closing.transfers)),
                (released, len(set(closing.released_interest_ids))),
            ):
                expected[found[at][0]] = expected.get(found[at][0], 0) + count
            writes += found
            writes += self.journal_writes(
                entries, heads, settlement_id=closing.settlement_id, driver=driver
            )
        merged = closing_path.merged_writes(writes)
        counts = dict(zip((sql for sql, _ in merged), driver.write_all(merged), strict=True))
        if any(counts.get(sql, 0) != count for sql, count in expected.items()):
            raise closing_path.ClosingsNoLongerApply

    # Parties ---------------------------------------------------------------------------

    def add_party(self, party: Party) -> None:
        self._check_new(PartyRow, party.id, "party")
        self._add(mapping.party_row(party))

    def get_party(self, party_id: str) -> Party:
        """A party, read once per transaction: a closing names its parties several times."""
        known = self._parties.get(party_id)
        if known is None:
            known = self._parties[party_id] = self._read_party(party_id)
        return known

    def _read_party(self, party_id: str) -> Party:
        parties, signatories = table_of(PartyRow), table_of(SignatoryRow)
        rows = self.session.execute(
            select(parties, signatories.c.name.label("signer"), signatories.c.title)
            .outerjoin(signatories, signatories.c.party_id == parties.c.id)
            .where(parties.c.id == party_id)
            .order_by(signatories.c.position)
        ).all()
        if not rows:
            raise self._unknown(PartyRow, party_id, "party", "UNKNOWN_PARTY")
        first = rows[0]
        return Party(
            id=first.id,
            name=first.name,
            entity_type=first.entity_type,
            jurisdiction=first.jurisdiction,
            short_name=first.short_name,
            signatories=tuple(
                Signatory(name=row.signer, title=row.title) for row in rows if row.signer
            ),
        )

    def list_parties(self) -> list[Party]:
        rows = self.session.scalars(select(PartyRow).order_by(PartyRow.id))
        return [mapping.party_from_row(row) for row in rows]

    # Locks (PostgreSQL; a SQLite writer already holds the whole file) ------------------

    def lock_loan(self, loan_id: str) -> None:
        """The first lock a use case takes: the loan's row, until the transaction ends."""
        if locks_rows(self.session):
            self.driver().rows(_LOCK_LOAN, (loan_id,))

    def lock_notes(self, note_ids: Sequence[str]) -> None:
        """The second: the notes' rows, by id."""
        if not note_ids or not locks_rows(self.session):
            return
        driver = self.driver()
        wanted = sorted(set(note_ids))
        for start in range(0, len(wanted), IDS_PER_QUERY_MAX):
            chunk = wanted[start : start + IDS_PER_QUERY_MAX]
            driver.rows(_lock_notes_sql(len(chunk)), chunk)

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

    def append_loan_events(
        self, loan_id: str, events: Iterable[LoggedEvent], *, after: int | None = None
    ) -> None:
        """Append events after the loan's last one; events are never rewritten.

        `after`, when the caller holds the loan (locked) and knows how many events
        it has, saves looking that up; the primary key refuses a wrong count.
        """
        if after is None:
            row = self._loan_row(loan_id)
            after = (
                self.session.scalar(
                    select(func.max(LoanEventRow.sequence)).where(LoanEventRow.loan_id == row.id)
                )
                or 0
            )
            if "events" in row.__dict__:
                self.session.expire(row, ["events"])
        driver = self.driver()
        driver.write_all(
            [closing_path.loan_events_write(driver.day, loan_id, list(events), after=after)]
        )

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

    def append_note_events(self, note_id: str, events: Iterable[LoggedEvent]) -> None:
        row = self._note_row(note_id)
        last = self.session.scalar(
            select(func.max(NoteEventRow.sequence)).where(NoteEventRow.note_id == row.id)
        )
        new_rows = mapping.event_rows(NoteEventRow, events, first_sequence=(last or 0) + 1)
        for new_row in new_rows:
            new_row.note_id = row.id
        self._add_events(row, new_rows)

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
        driver = self.driver()
        writes = closing_path.move_notes_writes(driver.day, transfers, settlement_id=settlement_id)
        if driver.write_all(writes)[0] != len(transfers):
            self._refuse_transfers(transfers)

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
        ids = list(interest_ids)
        driver = self.driver()
        writes = closing_path.release_writes(driver.day, ids, on, released_by=released_by)
        if driver.write_all(writes)[0] != len(set(ids)):
            self._refuse_release(ids)
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
        driver = self.driver()
        driver.write_all([closing_path.obligations_write(driver.day, list(obligations))])

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

    def loan_with_events(self, loan_id: str) -> Loan:
        """As `get_loan`, in two prebuilt Core statements (the hot path of a closing)."""
        loan, _ = self.loan_header(loan_id)
        rows = self.session.execute(_LOAN_EVENTS, {"loan_id": loan_id})
        return replace(loan, events=mapping.events_from_rows(rows))

    def notes_with_events(self, note_ids: Iterable[str]) -> dict[str, Note]:
        """As `notes`, in two prebuilt Core statements per chunk of notes."""
        found: dict[str, Note] = {}
        for chunk in _chunks(sorted(set(note_ids))):
            logs: dict[str, list[Row[Any]]] = {}
            for row in self.session.execute(_NOTE_EVENTS, {"ids": chunk}):
                logs.setdefault(row.note_id, []).append(row)
            for row in self.session.execute(_NOTE_HEADERS, {"ids": chunk}):
                note = mapping.note_from_row(cast(NoteRow, row), events=False)
                events = mapping.events_from_rows(logs.get(row.id, ()))
                found[row.id] = replace(note, events=events)
        return found

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

    def add_snapshots(
        self, instrument: Loan | Note, drafts: Sequence[SnapshotDraft], *, after: int | None = None
    ) -> None:
        """Store snapshots after the instrument's newest, in order, in one statement.

        `after`, the newest snapshot's number when the caller just read it, saves
        looking it up; the primary key refuses a wrong one.
        """
        if not drafts:
            return
        kind = instrument_kind(instrument)
        last = after
        if last is None:
            last = self.session.scalar(
                select(func.max(PositionSnapshotRow.sequence)).where(
                    PositionSnapshotRow.instrument_kind == kind,
                    PositionSnapshotRow.instrument_id == instrument.id,
                )
            )
        driver = self.driver()
        driver.write_all(
            [closing_path.snapshots_write(driver.day, [(instrument, drafts, last or 0)])]
        )

    def add_snapshots_after(
        self, batches: Sequence[tuple[Loan | Note, Sequence[SnapshotDraft], int]]
    ) -> None:
        """Snapshots of several instruments, each after its newest (numbered by the caller)."""
        driver = self.driver()
        driver.write_all([closing_path.snapshots_write(driver.day, batches)])

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
# How many events a history has: its log less each reversal and the event it reverses.


def _events_count(events: Any, owner: Any, owner_id: Any) -> Any:
    """How many events a walk takes: the last sequence (they run from 1 without a gap),
    less each reversal and the event it reverses. Read from the primary key and the
    reversals' index, whatever the length of the history."""
    last = select(func.coalesce(func.max(events.sequence), 0)).where(owner == owner_id)
    reversals = select(func.count()).where(owner == owner_id, events.reverses.is_not(None))
    return (last.scalar_subquery() - 2 * reversals.scalar_subquery()).label("events_count")


_LOAN_HEADER = select(
    LoanRow.__table__, _events_count(LoanEventRow, LoanEventRow.loan_id, _LOANS.id)
).where(_LOANS.id == bindparam("loan_id"))
_NOTE_HEADERS = select(
    NoteRow.__table__, _events_count(NoteEventRow, NoteEventRow.note_id, _NOTES.id)
).where(_NOTES.id.in_(bindparam("ids", expanding=True)))
_LOAN_EVENTS = (
    select(LoanEventRow.__table__)
    .where(LoanEventRow.loan_id == bindparam("loan_id"))
    .order_by(LoanEventRow.sequence)
)
_NOTE_EVENTS = (
    select(NoteEventRow.__table__)
    .where(NoteEventRow.note_id.in_(bindparam("ids", expanding=True)))
    .order_by(NoteEventRow.note_id, NoteEventRow.sequence)
)
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


_LOCK_LOAN: Final = Sql("SELECT id FROM loans WHERE id = ? FOR UPDATE")
_SAVEPOINT: Final = Sql("SAVEPOINT unit_of_work")
_ROLLBACK_TO_SAVEPOINT: Final = Sql("ROLLBACK TO SAVEPOINT unit_of_work")
_RELEASE_SAVEPOINT: Final = Sql("RELEASE SAVEPOINT unit_of_work")


@functools.lru_cache(maxsize=64)
def _lock_notes_sql(count: int) -> Sql:
    marks = ", ".join("?" for _ in range(count))
    return Sql(f"SELECT id FROM notes WHERE id IN ({marks}) ORDER BY id FOR UPDATE")


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
