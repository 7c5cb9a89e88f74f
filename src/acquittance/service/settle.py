"""Closing a settlement atomically: notes, loan, pledges, obligations and both books.

A closing runs in one write transaction that takes its locks in one fixed
order (on PostgreSQL): the loan, then its notes by id, then the journal
chains it appends to, by (party, chain). Closings of unrelated loans share no
row, so they never wait on each other; two closings of one loan queue on the
loan's row, and the second then sees the loan discharged (or, with the same
idempotency key, the first one's settlement, which it returns as its own).
A transaction that loses a race anyway (a deadlock, a key taken by another
loan's closing at the same moment) runs again, a bounded number of times.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from acquittance.books import posting
from acquittance.books.chain import ChainHead, ChainKey
from acquittance.books.entries import EntryDraft, EntryKind, JournalEntry
from acquittance.books.history import (
    Booked,
    Books,
    BookState,
    accrual_drafts,
    assigned,
    book_events,
    booked_walk,
)
from acquittance.core import settlement
from acquittance.core.accrual import AccrualState
from acquittance.core.errors import AcquittanceError, StateError, StorageError
from acquittance.core.instruments import Loan, Note
from acquittance.core.settlement_types import Closing, Quote, SatisfactionKind
from acquittance.core.text import check_idempotency_key
from acquittance.service import history
from acquittance.service.journal_append import seal_drafts
from acquittance.service.quote import (
    QuoteRequest,
    SettlementInputs,
    inputs_from_read,
    quote_from,
    settlement_inputs,
)
from acquittance.service.store import Store
from acquittance.store.closing_path import ClosingRead, ClosingWrite
from acquittance.store.closings import StoredSettlement
from acquittance.store.records import ObligationRecord, ObligationStatus
from acquittance.store.repository import Repository
from acquittance.store.snapshots import SnapshotDraft


@dataclass(frozen=True)
class ClosedSettlement:
    """What a closing did, as stored: the settlement, its entries, obligations and releases."""

    settlement: StoredSettlement
    entries: tuple[JournalEntry, ...]
    obligations: tuple[ObligationRecord, ...]
    released_interest_ids: tuple[str, ...]
    note_holders: Mapping[str, str]  # note id -> its holder after the closing

    @property
    def id(self) -> str:
        return self.settlement.id

    @property
    def quote(self) -> Quote:
        return self.settlement.quote

    @property
    def loan_status(self) -> str:
        full = self.quote.satisfaction is SatisfactionKind.FULL
        return "discharged" if full else "outstanding"


def settle(
    store: Store,
    request: QuoteRequest,
    *,
    key: str | None,
    quoted_fingerprint: str | None = None,
) -> ClosedSettlement:
    """Close a settlement atomically: notes, loan, pledges, obligations and both books.

    With a key already used, returns the first result and changes nothing. With
    `quoted_fingerprint` (a saved quote's), refuses when the inputs changed since.
    """
    check_idempotency_key(key)
    return store.write_retrying(
        lambda repo: _close(repo, request, key=key, quoted_fingerprint=quoted_fingerprint)
    )


@dataclass(frozen=True)
class Attempt:
    """One settlement to close: what is asked for, under which key, against which quote."""

    request: QuoteRequest
    key: str | None
    quoted_fingerprint: str | None = None


def settle_many(
    store: Store, attempts: Sequence[Attempt]
) -> list[ClosedSettlement | AcquittanceError]:
    """Close several settlements in one write transaction, each all or nothing on its own.

    Group commit: each closing runs in a savepoint of the same transaction, so
    a refusal undoes that closing alone, and the commit that makes them durable
    is paid once for the group. Nothing is returned until that commit has
    returned. Closings run in loan order, the global lock order, whatever the
    order asked; answers come back in the order asked. If the group loses a
    race (a deadlock, a key taken meanwhile) it is undone whole, and each
    closing then runs on its own, with retries, as `settle` does.
    """
    order = loan_order(attempts)
    answers: dict[int, ClosedSettlement | AcquittanceError] = {}
    try:
        with store.write() as session:
            repo = Repository(session)
            for index in order:
                answers[index] = close_in_savepoint(repo, attempts[index])
    except StorageError as error:
        if error.code not in ("STORE_BUSY", "STORE_CONFLICT"):
            raise
        return [_settle_alone(store, attempt) for attempt in attempts]
    return [answers[index] for index in range(len(attempts))]


def loan_order(attempts: Sequence[Attempt]) -> list[int]:
    """The attempts' places, in loan order: the order closings take their locks in."""
    return sorted(range(len(attempts)), key=lambda i: attempts[i].request.loan_id)


def close_in_savepoint(repo: Repository, attempt: Attempt) -> ClosedSettlement | AcquittanceError:
    """One closing of a group, in its own savepoint: its answer, or the refusal that undid it."""
    try:
        check_idempotency_key(attempt.key)
        with repo.savepoint():
            return close_with(repo, attempt)
    except StorageError:
        raise  # the store itself refused: the whole group runs again, one by one
    except AcquittanceError as error:
        return error


def close_with(repo: Repository, attempt: Attempt) -> ClosedSettlement:
    """One closing on `repo`, as a group's savepoint runs it (the key already checked)."""
    return _close(
        repo, attempt.request, key=attempt.key, quoted_fingerprint=attempt.quoted_fingerprint
    )


def _settle_alone(store: Store, attempt: Attempt) -> ClosedSettlement | AcquittanceError:
    try:
        return settle(
            store,
            attempt.request,
            key=attempt.key,
            quoted_fingerprint=attempt.quoted_fingerprint,
        )
    except AcquittanceError as error:
        return error


def _close(
    repo: Repository, request: QuoteRequest, *, key: str | None, quoted_fingerprint: str | None
) -> ClosedSettlement:
    # Reads under the loan's lock: a first attempt with this key that was still in
    # flight has committed by now, and is found.
    read = repo.read_closing(request.loan_id, key)
    if read.earlier_settlement_id is not None:
        return _replay(repo, repo.get_settlement(read.earlier_settlement_id), request)
    inputs = _inputs(repo, read, request)
    the_quote = quote_from(inputs.settlement, request)
    settlement_id = f"stl-{uuid.uuid4().hex[:16]}"
    loan = inputs.settlement.loan
    loan_history = inputs.settlement.loan_history
    closing, walk = settlement.close_walked(
        the_quote,
        settlement_id=settlement_id,
        # The fresh quote's fingerprint is that of the data as it is now.
        current_fingerprint=quoted_fingerprint or the_quote.fingerprint,
        loan=loan,
        interests=inputs.settlement.interests,
        loan_history=loan_history,
    )
    # The notes the loan pledges were locked with it (`read_closing`); any other asked for, now.
    repo.lock_notes(sorted({line.note_id for line in the_quote.collateral} - set(read.notes)))
    entries, heads = _post_settlement(repo, inputs, the_quote, settlement_id)
    repo.write_closing(
        ClosingWrite(
            settlement_id=settlement_id,
            key=key,
            quote=the_quote,
            entries_count=len(entries),
            loan_events=closing.loan_events,
            loan_events_after=inputs.loan_events_count,
            snapshots=_snapshots(repo, inputs, closing, walk),
            transfers=closing.note_transfers,
            released_interest_ids=closing.released_interest_ids,
            obligations=closing.obligations,
        ),
        entries,
        heads,
    )
    for interest_id, note_id in closing.released_pledges:
        repo.release_pledged_notes(interest_id, (note_id,), the_quote.as_of)
    stored = StoredSettlement(settlement_id, key, the_quote, len(entries))
    # In the order a replay reads them back, so that both answers are the same.
    return ClosedSettlement(
        settlement=stored,
        entries=_in_posting_order(entries, the_quote),
        obligations=tuple(
            ObligationRecord(o, ObligationStatus.OPEN)
            for o in sorted(closing.obligations, key=lambda o: (o.due, o.id))
        ),
        released_interest_ids=tuple(closing.released_interest_ids),
        note_holders={t.note_id: t.to_party_id for t in closing.note_transfers},
    )


@dataclass(frozen=True)
class _ClosingInputs:
    """What a closing decides on: the settlement inputs, and what the store already said."""

    settlement: SettlementInputs
    loan_events_count: int
    # Chain heads already read (and on a server locked) for these chains; None: read them.
    heads: Mapping[ChainKey, ChainHead] | None = None
    head_keys: frozenset[ChainKey] = frozenset()


def _inputs(repo: Repository, read: ClosingRead, request: QuoteRequest) -> _ClosingInputs:
    """The inputs from the closing's two reads, when every snapshot serves; else from events.

    Otherwise (a store from before snapshots, a history that moved on, a note
    asked for that is not pledged) the general path reads the events, rebuilds
    what is stale, and names what refuses the closing.
    """
    inputs = inputs_from_read(repo, read, request.as_of, request.note_ids)
    if inputs is None:
        general = settlement_inputs(repo, request.loan_id, request.note_ids, for_closing=True)
        return _ClosingInputs(general, len(general.loan.events))
    loan = inputs.loan
    keys = {(loan.lender_id, loan.id), (loan.borrower_id, loan.id)}
    keys |= {(note.holder_id, note.id) for note in inputs.notes.values()}
    return _ClosingInputs(inputs, read.loan.events_count, read.heads, frozenset(keys))


def _snapshots(
    repo: Repository,
    inputs: _ClosingInputs,
    closing: Closing,
    walk: Sequence[AccrualState] | None,
) -> list[tuple[Loan | Note, Sequence[SnapshotDraft], int]]:
    """The snapshots a closing adds: the loan's after its events, each note's as assigned.

    The loan's walk starts from the newest state, the one its quote was made
    from (no event stands after the closing date), and `close` checked that
    the closing's events leave the debt the quote says. When `close` took
    that walk from the newest state (`walk`), its states are the snapshots'.
    """
    quote, settled = closing.quote, inputs.settlement
    loan, newest = settled.loan, settled.newest_states
    # The books carry the loan's position on the closing date by now: the
    # settlement posted the interest accrued up to it (`_post_settlement`).
    reached = quote.loan_position
    start = newest[loan.id].state.accrual
    state = BookState(start, Booked(reached.principal, reached.interest))
    walked_from = settled.loan_history.at if settled.loan_history is not None else None
    if walk is not None and walked_from is start:
        states = booked_walk(state, closing.loan_events, walk)
    else:
        _, states = book_events(loan, _loan_books(repo, loan), closing.loan_events, state=state)
    found: list[tuple[Loan | Note, Sequence[SnapshotDraft], int]] = [
        (loan, history.drafts_of(loan, states), newest[loan.id].sequence)
    ]
    lines = {line.note_id: line for line in quote.collateral}
    for transfer in closing.note_transfers:
        note = settled.notes[transfer.note_id]
        moved = assigned(newest[note.id].state, transfer.date)
        line = lines[transfer.note_id]
        assert (moved.booked.principal, moved.booked.interest) == (line.principal, line.interest)
        draft = SnapshotDraft(
            moved.accrual, moved.booked.principal, moved.booked.interest, transfer.to_party_id
        )
        found.append((note, [draft], newest[note.id].sequence))
    return found


def _loan_books(repo: Repository, loan: Loan) -> Books:
    return Books(lender=repo.get_party(loan.lender_id), borrower=repo.get_party(loan.borrower_id))


def _replay(repo: Repository, earlier: StoredSettlement, request: QuoteRequest) -> ClosedSettlement:
    if (earlier.loan_id, earlier.as_of) != (request.loan_id, request.as_of):
        raise StateError(
            "IDEMPOTENCY_KEY_REUSED",
            f"key {earlier.idempotency_key!r} already closed settlement {earlier.id} of loan "
            f"{earlier.loan_id} as of {earlier.as_of.isoformat()}; "
            "use a new key for another settlement",
        )
    return closed_settlement(repo, earlier)


def _in_posting_order(entries: Sequence[JournalEntry], quote: Quote) -> tuple[JournalEntry, ...]:
    """Accruals on the loan, then on each note, then the settlement; lender before borrower."""

    def place(entry: JournalEntry) -> tuple[bool, bool, str, bool, int]:
        return (
            entry.kind is EntryKind.SETTLEMENT,
            entry.chain != quote.loan_id,
            entry.chain,
            entry.party_id != quote.lender_id,
            entry.sequence,
        )

    return tuple(sorted(entries, key=place))


def closed_settlement(repo: Repository, stored: StoredSettlement) -> ClosedSettlement:
    """A stored settlement with everything it did, read back from its rows."""
    return ClosedSettlement(
        settlement=stored,
        entries=_in_posting_order(repo.settlement_entries(stored.id), stored.quote),
        obligations=tuple(repo.list_obligations(settlement_id=stored.id)),
        released_interest_ids=tuple(repo.released_by(stored.id)),
        note_holders=repo.holders_after(stored.id),
    )


def _post_settlement(
    repo: Repository, inputs: _ClosingInputs, the_quote: Quote, settlement_id: str
) -> tuple[list[JournalEntry], Mapping[ChainKey, ChainHead]]:
    """Interest accrued up to the settlement date on the loan and each note, then the settlement.

    Sealed onto their chains, not yet written: the entries and the heads they follow.

    What the books carry comes from each instrument's newest snapshot, not a
    replay of its history. A note with an event after the settlement date is
    refused first (BACKDATED_CLOSING), before anything is posted.
    """
    settled = inputs.settlement
    settlement.check_no_later_events(the_quote, settled.notes, settled.note_histories)
    loan = settled.loan
    loan_books = _loan_books(repo, loan)
    assert settled.loan_state is not None, "settlement inputs carry the loan's newest state"
    drafts: list[EntryDraft] = list(
        accrual_drafts(loan, loan_books, settled.loan_state.booked, the_quote.loan_position)[0]
    )
    positions = {p.instrument_id: p for p in the_quote.note_positions}
    holder = Books(holder=loan_books.borrower)
    for line in the_quote.collateral:
        booked = settled.note_states[line.note_id].booked
        note = settled.notes[line.note_id]
        drafts.extend(accrual_drafts(note, holder, booked, positions[line.note_id])[0])
    lender, borrower = loan_books.lender, loan_books.borrower
    assert lender is not None and borrower is not None
    drafts.extend(posting.settlement(the_quote, lender, borrower, settlement_id=settlement_id))
    heads = inputs.heads
    if heads is not None:
        # Read with the loan; the settlement's own chains are new.
        known = inputs.head_keys | {(draft.party_id, settlement_id) for draft in drafts}
        if not {(draft.party_id, draft.chain) for draft in drafts} <= known:
            heads = None
    # Each draft was checked by the rule that made it (`accrual_drafts`, `posting.settlement`).
    return seal_drafts(repo, drafts, heads=heads, checked=True)


def settlement_record(store: Store, settlement_id: str) -> ClosedSettlement:
    """A closed settlement by id, with everything it did."""
    with store.read() as session:
        repo = Repository(session)
        return closed_settlement(repo, repo.get_settlement(settlement_id))


def close_in_transaction(
    repo: Repository, request: QuoteRequest, *, key: str | None, quoted_fingerprint: str | None
) -> ClosedSettlement:
    """Close within a write transaction the caller holds (the two-party workflow's), so
    that the closing and the caller's own rows commit together or not at all."""
    check_idempotency_key(key)
    return _close(repo, request, key=key, quoted_fingerprint=quoted_fingerprint)
