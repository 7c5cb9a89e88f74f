"""What one party may see: its own instruments, books and obligations, and the quotes and
settlements of loans it is on.

The server's routes call these with the caller's party; each reads through the
same use cases as the command line and then keeps only what the party is on.
Anything else is refused exactly as an id that does not exist (the same code
and message), and a refusal never names ids the party cannot see: the store's
own "not found" messages list the ids it holds, so they are cut to their first
clause here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from acquittance.books.entries import JournalEntry
from acquittance.core.errors import NotFoundError
from acquittance.core.instruments import Loan, Note, Party, Position
from acquittance.service import books
from acquittance.service.obligations import obligations as all_obligations
from acquittance.service.quote import QuoteRequest, save_quote_in
from acquittance.service.quote import saved_quote as any_saved_quote
from acquittance.service.quote import saved_quotes as all_saved_quotes
from acquittance.service.register import instrument_position
from acquittance.service.register import register as whole_register
from acquittance.service.settle import ClosedSettlement, settlement_record
from acquittance.service.store import Store, Work
from acquittance.store.closings import StoredQuote, StoredSettlement
from acquittance.store.records import ObligationRecord
from acquittance.store.repository import Repository


@contextmanager
def hidden_ids() -> Iterator[None]:
    """A "not found" from the store, without the list of ids the store holds."""
    try:
        yield
    except NotFoundError as error:
        raise NotFoundError(error.code, f"{error.message.split(';')[0]}; {_HINT}") from None


_HINT = "check the id; the API's lists show the records your party is on"


def not_visible(code: str, what: str, record_id: str) -> NotFoundError:
    """The refusal for a record of another party: the same as for one that does not exist."""
    return NotFoundError(code, f"there is no {what} {record_id!r}; {_HINT}")


@dataclass(frozen=True)
class Visible:
    """The ids of what a party is on: loans (as lender or borrower) and notes."""

    party_id: str
    loans: dict[str, Loan]
    notes: dict[str, Note]


def visible(store: Store, party_id: str) -> Visible:
    """The loans the party is lender or borrower of; the notes it holds or that secure them
    (under a pledge not yet released)."""
    with store.read() as session:
        repo = Repository(session)
        loans = {
            loan.id: loan
            for loan in repo.list_loans()
            if party_id in (loan.lender_id, loan.borrower_id)
        }
        pledged = {
            note_id
            for loan_id in loans
            for interest in repo.interests_securing(loan_id)
            if interest.active
            for note_id in interest.note_ids
        }
        notes = {
            note.id: note
            for note in repo.list_notes()
            if note.holder_id == party_id or note.id in pledged
        }
    return Visible(party_id, loans, notes)


def loans(store: Store, party_id: str) -> list[Loan]:
    return sorted(visible(store, party_id).loans.values(), key=lambda loan: loan.id)


def _loan_header(repo: Repository, party_id: str, loan_id: str) -> Loan:
    """The loan's header if the party is lender or borrower; else refused as unknown."""
    try:
        header, _ = repo.loan_header(loan_id)
    except NotFoundError:
        raise not_visible("UNKNOWN_LOAN", "loan", loan_id) from None
    if party_id not in (header.lender_id, header.borrower_id):
        raise not_visible("UNKNOWN_LOAN", "loan", loan_id)
    return header


def _note_visible(repo: Repository, party_id: str, note_id: str) -> bool:
    """Held by the party, or pledged under an active interest securing a loan of the party."""
    headers = repo.note_headers((note_id,))
    if note_id not in headers:
        return False
    if headers[note_id][0].holder_id == party_id:
        return True
    interest_id = repo.active_pledge(note_id)
    if interest_id is None:
        return False
    interest = repo.get_security_interest(interest_id)
    return party_id in (interest.secured_party_id, interest.debtor_id)


def loan(store: Store, party_id: str, loan_id: str) -> Loan:
    with store.read() as session:
        repo = Repository(session)
        _loan_header(repo, party_id, loan_id)
        return repo.get_loan(loan_id)


def notes(store: Store, party_id: str) -> list[Note]:
    return sorted(visible(store, party_id).notes.values(), key=lambda note: note.id)


def note(store: Store, party_id: str, note_id: str) -> Note:
    with store.read() as session:
        repo = Repository(session)
        if not _note_visible(repo, party_id, note_id):
            raise not_visible("UNKNOWN_NOTE", "note", note_id)
        return repo.get_note(note_id)


def check_instrument(store: Store, party_id: str, instrument_id: str) -> None:
    with store.read() as session:
        repo = Repository(session)
        try:
            _loan_header(repo, party_id, instrument_id)
            return
        except NotFoundError:
            pass
        if not _note_visible(repo, party_id, instrument_id):
            raise not_visible("UNKNOWN_INSTRUMENT", "loan or note", instrument_id)


def position(
    store: Store, party_id: str, instrument_id: str, as_of: date
) -> tuple[Loan | Note, Position]:
    check_instrument(store, party_id, instrument_id)
    with hidden_ids():
        return instrument_position(store, instrument_id, as_of)


def positions(store: Store, party_id: str, as_of: date) -> list[tuple[str, Loan | Note, Position]]:
    """Every instrument the party is on, with its position on `as_of`: the register."""
    seen = visible(store, party_id)
    found: list[tuple[str, Loan | Note, Position]] = []
    for kind, ids in (("loan", sorted(seen.loans)), ("note", sorted(seen.notes))):
        for instrument_id in ids:
            with hidden_ids():
                instrument, held = instrument_position(store, instrument_id, as_of)
            found.append((kind, instrument, held))
    return found


def party(store: Store, party_id: str, requested: str) -> Party:
    if requested != party_id:
        raise not_visible("UNKNOWN_PARTY", "party", requested)
    with hidden_ids():
        return books.party(store, party_id)


def journal(store: Store, party_id: str, requested: str) -> tuple[Party, list[JournalEntry]]:
    if requested != party_id:
        raise not_visible("UNKNOWN_PARTY", "party", requested)
    with hidden_ids():
        return books.journal(store, party_id)


def counterparties(store: Store, party_id: str) -> list[Party]:
    with hidden_ids():
        return books.counterparties(store, party_id)


def save_quote(store: Store, party_id: str, request: QuoteRequest) -> StoredQuote:
    """Quote a loan of the party and keep it; a note it cannot see is refused as unknown."""
    return store.write_retrying(quote_saving(party_id, request))


def quote_saving(party_id: str, request: QuoteRequest) -> Work[StoredQuote]:
    """`save_quote` as a unit of work, for a caller that holds the transaction."""

    def work(repo: Repository) -> StoredQuote:
        _loan_header(repo, party_id, request.loan_id)
        named = [*(request.note_ids or ()), *(request.values or {})]
        if named:
            pledged = {n for i in repo.interests_securing(request.loan_id) for n in i.note_ids}
            for note_id in named:
                if note_id not in pledged and not _note_visible(repo, party_id, note_id):
                    raise not_visible("UNKNOWN_NOTE", "note", note_id)
        with hidden_ids():
            return save_quote_in(repo, request)

    return work


def saved_quotes(store: Store, party_id: str, *, loan_id: str | None = None) -> list[StoredQuote]:
    seen = visible(store, party_id).loans
    if loan_id is not None and loan_id not in seen:
        raise not_visible("UNKNOWN_LOAN", "loan", loan_id)
    return [q for q in all_saved_quotes(store, loan_id=loan_id) if q.loan_id in seen]


def saved_quote(store: Store, party_id: str, quote_id: str) -> StoredQuote:
    with hidden_ids():
        try:
            found = any_saved_quote(store, quote_id)
        except NotFoundError:
            raise not_visible("UNKNOWN_QUOTE", "quote", quote_id) from None
    if party_id not in (found.quote.lender_id, found.quote.borrower_id):
        raise not_visible("UNKNOWN_QUOTE", "quote", quote_id)
    return found


def closed_settlements(store: Store, party_id: str) -> list[StoredSettlement]:
    return [
        s
        for s in whole_register(store)["settlements"]
        if party_id in (s.quote.lender_id, s.quote.borrower_id)
    ]


def closed_settlement(store: Store, party_id: str, settlement_id: str) -> ClosedSettlement:
    try:
        found = settlement_record(store, settlement_id)
    except NotFoundError:
        raise not_visible("UNKNOWN_SETTLEMENT", "settlement", settlement_id) from None
    if party_id not in (found.quote.lender_id, found.quote.borrower_id):
        raise not_visible("UNKNOWN_SETTLEMENT", "settlement", settlement_id)
    return found


def party_obligations(
    store: Store, party_id: str, *, status: str | None = None
) -> list[ObligationRecord]:
    """The obligations the party is responsible for."""
    return [
        record
        for record in all_obligations(store, status=status)
        if record.obligation.party_id == party_id
    ]
