"""Use cases: each one reads the store, asks the pure core what to do, and applies it
in one database transaction, or not at all.

The functions here take a store URL (see `store.resolve_url`) and plain
arguments, and return domain values or JSON documents. They never print; the
CLI translates. A refusal raises an `AcquittanceError` before anything is
committed, so an error changes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.engine import Engine

from acquittance import accrual, settlement
from acquittance.bookkeeping import Books, accrual_drafts, book_history
from acquittance.deal import Deal
from acquittance.documents import settlement_document
from acquittance.errors import NotFoundError, StateError
from acquittance.instruments import Event, Loan, Note, OpeningBalance, Party, Position
from acquittance.ledger import posting
from acquittance.ledger.chain import GENESIS_HASH, ChainCheck, seal, verify_chain
from acquittance.ledger.entries import EntryDraft, JournalEntry
from acquittance.schedule import ScheduleRow, amortization_schedule
from acquittance.settlement_types import Quote
from acquittance.store import init_store, open_store, transaction
from acquittance.store.records import ObligationRecord, StoredSettlement
from acquittance.store.repository import Repository


@dataclass(frozen=True)
class QuoteRequest:
    """What a quote or settlement is asked for: the loan, the date and the options."""

    loan_id: str
    as_of: date
    note_ids: tuple[str, ...] | None = None
    values: Mapping[str, Decimal] | None = None
    partial: bool = False
    good_through: date | None = None


class Store:
    """A store opened once per command; every use case runs in its own transaction."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = open_store(self.url)
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def read(self) -> Any:
        return transaction(self.engine, write=False)

    def write(self) -> Any:
        return transaction(self.engine, write=True)


def initialize(url: str) -> None:
    """Create the store, or migrate it to the newest schema."""
    init_store(url).dispose()


# --- loading deals ----------------------------------------------------------------------------


def load_deal(store: Store, deal: Deal) -> dict[str, Any]:
    """Put a deal's records and their opening entries in the store: all of them or none."""
    with store.write() as session:
        repo = Repository(session)
        for party in deal.parties:
            repo.add_party(party)
        for loan in deal.loans:
            repo.add_loan(loan)
        for note in deal.notes:
            repo.add_note(note)
        _check_pledges_against_store(repo, deal)
        for interest in deal.security_interests:
            repo.add_security_interest(interest)
        parties = {party.id: party for party in deal.parties}
        drafts: list[EntryDraft] = []
        for loan in deal.loans:
            books = Books(lender=parties[loan.lender_id], borrower=parties[loan.borrower_id])
            drafts.extend(book_history(loan, books)[0])
        for note in deal.notes:
            drafts.extend(book_history(note, Books(holder=parties[note.holder_id]))[0])
        entries = _append(repo, drafts)
    return {
        "parties": [p.id for p in deal.parties],
        "loans": [loan.id for loan in deal.loans],
        "notes": [n.id for n in deal.notes],
        "security_interests": [s.id for s in deal.security_interests],
        "entries": len(entries),
    }


def _check_pledges_against_store(repo: Repository, deal: Deal) -> None:
    """A note pledged in the deal may not already be pledged in the store."""
    for interest in deal.security_interests:
        for note_id in interest.note_ids:
            existing = repo.active_pledge(note_id)
            if existing is not None:
                raise StateError(
                    "NOTE_ALREADY_PLEDGED",
                    f"note {note_id} is already pledged under security interest {existing}; "
                    "release that pledge first",
                )


def _append(repo: Repository, drafts: Iterable[EntryDraft]) -> list[JournalEntry]:
    """Seal drafts onto each party's hash chain, in order, and append them."""
    heads: dict[str, tuple[int, str]] = {}
    sealed: list[JournalEntry] = []
    for draft in drafts:
        if draft.party_id not in heads:
            last = repo.last_entry(draft.party_id)
            heads[draft.party_id] = (
                (0, GENESIS_HASH) if last is None else (last.sequence, last.hash)
            )
        sequence, previous = heads[draft.party_id]
        entry = seal(
            draft,
            entry_id=f"{draft.party_id}-{sequence + 1:06d}",
            sequence=sequence + 1,
            previous_hash=previous,
        )
        heads[draft.party_id] = (entry.sequence, entry.hash)
        sealed.append(entry)
    repo.append_entries(sealed)
    return sealed


# --- recording events -------------------------------------------------------------------------


def record_event(store: Store, instrument_id: str, event: Event) -> list[JournalEntry]:
    """Append an event (advance, payment, rate change) to a loan or note, and book it.

    The event must come on or after the instrument's last one; interest accrued
    up to its date is posted first, then the event, all in one transaction.
    """
    with store.write() as session:
        repo = Repository(session)
        instrument = _instrument(repo, instrument_id)
        updated = replace(instrument, events=(*instrument.events, event))
        kind = "loan" if isinstance(instrument, Loan) else "note"
        accrual.validate_events(instrument.id, updated.events, kind=kind)
        if isinstance(instrument, Loan):
            books = Books(
                lender=repo.get_party(instrument.lender_id),
                borrower=repo.get_party(instrument.borrower_id),
            )
        else:
            books = Books(holder=repo.get_party(instrument.holder_id))
        # Replaying the history is deterministic: the new event's entries are the tail.
        booked_from = _as_booked_by_holder(repo, instrument)
        before = book_history(booked_from, books)[0]
        after = book_history(replace(booked_from, events=(*booked_from.events, event)), books)[0]
        if isinstance(instrument, Loan):
            repo.append_loan_events(instrument.id, (event,))
        else:
            repo.append_note_events(instrument.id, (event,))
        return _append(repo, after[len(before) :])


def _as_booked_by_holder(repo: Repository, instrument: Loan | Note) -> Loan | Note:
    """The instrument as its current holder's books carry it.

    A note assigned at a settlement came into the new holder's books at its
    position on that date; its history before then was the assignor's.
    """
    if not isinstance(instrument, Note):
        return instrument
    transfers = repo.note_transfers(instrument.id)
    if not transfers:
        return instrument
    moved_on = transfers[-1].date
    held = accrual.position(instrument, moved_on)
    later = tuple(event for event in instrument.events if event.date > moved_on)
    opening = OpeningBalance(moved_on, held.principal, held.interest)
    return replace(instrument, events=(opening, *later))


# --- positions and quotes ---------------------------------------------------------------------


def instrument_position(
    store: Store, instrument_id: str, as_of: date
) -> tuple[Loan | Note, Position]:
    """A loan's or note's position on a date, derived from its events."""
    with store.read() as session:
        repo = Repository(session)
        instrument = _instrument(repo, instrument_id)
    return instrument, accrual.position(instrument, as_of)


def _instrument(repo: Repository, instrument_id: str) -> Loan | Note:
    try:
        return repo.get_loan(instrument_id)
    except NotFoundError:
        pass
    try:
        return repo.get_note(instrument_id)
    except NotFoundError:
        raise NotFoundError(
            "UNKNOWN_INSTRUMENT",
            f"no loan or note has id {instrument_id!r}; `acquittance list` shows them",
        ) from None


@dataclass(frozen=True)
class _Inputs:
    loan: Loan
    notes: dict[str, Note]
    interests: list[Any]


def _inputs(repo: Repository, loan_id: str, requested: Sequence[str] | None = None) -> _Inputs:
    loan = repo.get_loan(loan_id)
    interests = repo.list_security_interests(loan_id=loan_id)
    note_ids = {note_id for interest in interests for note_id in interest.note_ids}
    notes = {note_id: repo.get_note(note_id) for note_id in sorted(note_ids)}
    # A note asked for by name but not pledged to this loan is loaded too, so that
    # the core refuses it as NOTE_NOT_PLEDGED instead of calling it unknown.
    for note_id in requested or ():
        if note_id not in notes:
            try:
                notes[note_id] = repo.get_note(note_id)
            except NotFoundError:
                continue
            note_ids.add(note_id)
    # Interests of other loans over the same notes matter to the pledge checks.
    own = {interest.id for interest in interests}
    other_ids = {repo.active_pledge(note_id) for note_id in sorted(note_ids)} - own - {None}
    others = [repo.get_security_interest(i) for i in sorted(i for i in other_ids if i)]
    return _Inputs(loan, notes, [*interests, *others])


def _quote(inputs: _Inputs, request: QuoteRequest) -> Quote:
    return settlement.quote(
        inputs.loan,
        inputs.notes,
        inputs.interests,
        request.as_of,
        **_options(request),
        good_through=request.good_through,
    )


def _options(request: QuoteRequest) -> dict[str, Any]:
    return {"note_ids": request.note_ids, "values": request.values, "partial": request.partial}


def quote(store: Store, request: QuoteRequest) -> Quote:
    """What is owed, the collateral and the cash that balances them; changes nothing."""
    with store.read() as session:
        return _quote(_inputs(Repository(session), request.loan_id, request.note_ids), request)


def save_quote(store: Store, request: QuoteRequest, document: dict[str, Any]) -> str:
    """Keep a quote, with the fingerprint of its inputs, so a later closing can check it."""
    with store.write() as session:
        repo = Repository(session)
        current = _quote(_inputs(repo, request.loan_id, request.note_ids), request)
        quote_id = f"q-{uuid.uuid4().hex[:12]}"
        document = {**document, "quote": quote_id, "request": _request_document(request)}
        repo.add_quote(
            quote_id=quote_id,
            loan_id=request.loan_id,
            as_of=request.as_of,
            fingerprint=current.fingerprint,
            document=document,
        )
    return quote_id


def _request_document(request: QuoteRequest) -> dict[str, Any]:
    return {
        "loan": request.loan_id,
        "as_of": request.as_of.isoformat(),
        "notes": list(request.note_ids) if request.note_ids is not None else None,
        "values": {k: str(v) for k, v in (request.values or {}).items()} or None,
        "partial": request.partial,
        "good_through": request.good_through.isoformat() if request.good_through else None,
    }


def request_from_saved(store: Store, quote_id: str) -> tuple[QuoteRequest, str]:
    """The request a saved quote was made for, and the fingerprint it had then."""
    with store.read() as session:
        saved = Repository(session).get_quote(quote_id)
    stored = saved.document["request"]
    request = QuoteRequest(
        loan_id=saved.loan_id,
        as_of=saved.as_of,
        note_ids=tuple(stored["notes"]) if stored.get("notes") is not None else None,
        values={k: Decimal(v) for k, v in (stored.get("values") or {}).items()} or None,
        partial=bool(stored.get("partial")),
        good_through=date.fromisoformat(stored["good_through"])
        if stored.get("good_through")
        else None,
    )
    return request, saved.fingerprint


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


# --- settlement -------------------------------------------------------------------------------


def settle(
    store: Store,
    request: QuoteRequest,
    *,
    key: str | None,
    quoted_fingerprint: str | None = None,
) -> dict[str, Any]:
    """Close a settlement atomically: notes, loan, pledges, obligations and both books.

    With a key already used, returns the first result and changes nothing. With
    `quoted_fingerprint` (a saved quote's), refuses when the inputs changed since.
    """
    with store.write() as session:
        repo = Repository(session)
        if key is not None:
            earlier = repo.find_settlement_by_key(key)
            if earlier is not None:
                return _replay(earlier, request)
        inputs = _inputs(repo, request.loan_id, request.note_ids)
        the_quote = _quote(inputs, request)
        settlement_id = f"stl-{uuid.uuid4().hex[:16]}"
        closing = settlement.close(
            the_quote,
            settlement_id=settlement_id,
            # The fresh quote's fingerprint is that of the data as it is now.
            current_fingerprint=quoted_fingerprint or the_quote.fingerprint,
            loan=inputs.loan,
            interests=inputs.interests,
        )
        entries = _post_settlement(repo, inputs, the_quote, settlement_id)
        repo.append_loan_events(inputs.loan.id, closing.loan_events)
        for transfer in closing.note_transfers:
            repo.set_note_holder(transfer, settlement_id=settlement_id)
        if closing.released_interest_ids:
            repo.release_security_interests(closing.released_interest_ids, the_quote.as_of)
        for interest_id, note_id in closing.released_pledges:
            repo.release_pledged_notes(interest_id, (note_id,), the_quote.as_of)
        document = settlement_document(
            settlement_id,
            key=key or settlement_id,
            quote=the_quote,
            explanation=settlement.explain(the_quote),
            entries=entries,
            obligations=closing.obligations,
            released_interest_ids=closing.released_interest_ids,
            note_holders={t.note_id: t.to_party_id for t in closing.note_transfers},
        )
        repo.add_settlement(
            settlement_id=settlement_id,
            idempotency_key=key,
            loan_id=inputs.loan.id,
            as_of=the_quote.as_of,
            satisfaction=the_quote.satisfaction.value,
            fingerprint=the_quote.fingerprint,
            document=document,
        )
        repo.add_obligations(closing.obligations)
    return document


def _replay(earlier: StoredSettlement, request: QuoteRequest) -> dict[str, Any]:
    if (earlier.loan_id, earlier.as_of) != (request.loan_id, request.as_of):
        raise StateError(
            "IDEMPOTENCY_KEY_REUSED",
            f"key {earlier.idempotency_key!r} already closed settlement {earlier.id} of loan "
            f"{earlier.loan_id} as of {earlier.as_of.isoformat()}; "
            "use a new key for another settlement",
        )
    return earlier.document


def _post_settlement(
    repo: Repository, inputs: _Inputs, the_quote: Quote, settlement_id: str
) -> list[JournalEntry]:
    """Interest accrued up to the settlement date on the loan and each note, then the settlement."""
    loan = inputs.loan
    lender, borrower = repo.get_party(loan.lender_id), repo.get_party(loan.borrower_id)
    loan_books = Books(lender=lender, borrower=borrower)
    drafts: list[EntryDraft] = list(
        accrual_drafts(
            loan, loan_books, book_history(loan, loan_books)[1], the_quote.loan_position
        )[0]
    )
    positions = {p.instrument_id: p for p in the_quote.note_positions}
    for line in the_quote.collateral:
        note = inputs.notes[line.note_id]
        note_books = Books(holder=borrower)
        booked = book_history(note, note_books)[1]
        drafts.extend(accrual_drafts(note, note_books, booked, positions[line.note_id])[0])
    drafts.extend(posting.settlement(the_quote, lender, borrower, settlement_id=settlement_id))
    return _append(repo, drafts)


def settlement_record(store: Store, settlement_id: str) -> StoredSettlement:
    with store.read() as session:
        return Repository(session).get_settlement(settlement_id)


# --- books ------------------------------------------------------------------------------------


def party(store: Store, party_id: str) -> Party:
    with store.read() as session:
        return Repository(session).get_party(party_id)


def journal(store: Store, party_id: str) -> tuple[Party, list[JournalEntry]]:
    """A party's journal entries in sequence order."""
    with store.read() as session:
        repo = Repository(session)
        return repo.get_party(party_id), repo.entries(party_id)


def counterparties(store: Store, party_id: str) -> list[Party]:
    """Every party that a party's loans run to or from (for its chart of accounts)."""
    with store.read() as session:
        repo = Repository(session)
        ids = set()
        for loan in repo.list_loans():
            if party_id in (loan.lender_id, loan.borrower_id):
                ids.add(loan.borrower_id if loan.lender_id == party_id else loan.lender_id)
        return [repo.get_party(i) for i in sorted(ids)]


def verify(store: Store) -> ChainCheck:
    """Recompute every journal's hash chain; name the first entry that does not match.

    The chain alone cannot see its newest entries removed, so each closed
    settlement's record of the entries it posted is checked against the journal too.
    """
    with store.read() as session:
        repo = Repository(session)
        entries = repo.entries()
        settlements = repo.list_settlements()
    check = verify_chain(entries)
    if not check.ok:
        return check
    hashes = {entry.id: entry.hash for entry in entries}
    for record in settlements:
        for posted in record.document.get("entries", []):
            if hashes.get(posted["id"]) != posted["hash"]:
                return ChainCheck(
                    ok=False,
                    checked=check.checked,
                    first_bad=posted["id"],
                    reason=f"settlement {record.id} posted this entry, and the journal no "
                    "longer holds it as posted",
                )
    return check


# --- obligations ------------------------------------------------------------------------------


def obligations(store: Store, *, status: str | None = None) -> list[ObligationRecord]:
    with store.read() as session:
        return Repository(session).list_obligations(status=status)


def complete_obligation(store: Store, obligation_id: str, on: date) -> ObligationRecord:
    with store.write() as session:
        repo = Repository(session)
        record = repo.complete_obligation(obligation_id, on)
        statement_id = record.obligation.financing_statement_id
        if statement_id is not None:
            repo.terminate_financing_statement(statement_id, on)
        return record


# --- listing ----------------------------------------------------------------------------------


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
            ("settlement", repo.get_settlement),
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
