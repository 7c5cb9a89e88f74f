"""Loading a deal file: its records and their opening entries, all or nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from acquittance.books.entries import EntryDraft
from acquittance.books.history import Books, book_events
from acquittance.core.errors import StateError
from acquittance.core.instruments import Loan, Note
from acquittance.service import history
from acquittance.service.journal_append import append_drafts
from acquittance.service.store import Store
from acquittance.store.repository import Repository

if TYPE_CHECKING:
    from acquittance.deals.parse import Deal


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
        instruments: list[tuple[Loan | Note, Books]] = [
            (loan, Books(lender=parties[loan.lender_id], borrower=parties[loan.borrower_id]))
            for loan in deal.loans
        ]
        instruments += [(note, Books(holder=parties[note.holder_id])) for note in deal.notes]
        for instrument, books in instruments:
            # One walk per instrument: its entries, and a snapshot after each event.
            booked, states = book_events(instrument, books, instrument.events)
            drafts.extend(booked)
            repo.add_snapshots(instrument, history.drafts_of(instrument, states))
        entries = append_drafts(repo, drafts)
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
