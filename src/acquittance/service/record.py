"""Recording an event on a loan or note, and booking what it means."""

from __future__ import annotations

from acquittance.books.entries import JournalEntry
from acquittance.core.instruments import Event
from acquittance.service import history
from acquittance.service.journal_append import append_drafts
from acquittance.service.quote import find_header
from acquittance.service.store import Store
from acquittance.store.repository import Repository


def record_event(store: Store, instrument_id: str, event: Event) -> list[JournalEntry]:
    """Append an event (advance, payment, rate change) to a loan or note, and book it.

    The event must come on or after the instrument's last one (and, for a note
    assigned at a settlement, on or after that date); interest accrued up to
    its date is posted first, then the event, all in one transaction. The walk
    starts from the instrument's newest snapshot, so the cost does not grow
    with its history; the event is not loaded with the ones before it.
    """
    with store.write() as session:
        repo = Repository(session)
        instrument, events_count = find_header(repo, instrument_id)
        drafts, _ = history.append_events(repo, instrument, events_count, (event,))
        return append_drafts(repo, drafts)
