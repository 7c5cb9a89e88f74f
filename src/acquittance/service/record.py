"""Recording an event on a loan or note, and booking what it means."""

from __future__ import annotations

from dataclasses import replace

from acquittance.books.entries import JournalEntry
from acquittance.books.history import Books, book_history
from acquittance.core import accrual
from acquittance.core.instruments import Event, Loan, Note, OpeningBalance
from acquittance.service.journal_append import append_drafts
from acquittance.service.quote import find_instrument
from acquittance.service.store import Store
from acquittance.store.repository import Repository


def record_event(store: Store, instrument_id: str, event: Event) -> list[JournalEntry]:
    """Append an event (advance, payment, rate change) to a loan or note, and book it.

    The event must come on or after the instrument's last one; interest accrued
    up to its date is posted first, then the event, all in one transaction.
    """
    with store.write() as session:
        repo = Repository(session)
        instrument = find_instrument(repo, instrument_id)
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
        return append_drafts(repo, after[len(before) :])


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
