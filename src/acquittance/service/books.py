"""A party's journal and the parties its chart of accounts names."""

from __future__ import annotations

from acquittance.books.entries import JournalEntry
from acquittance.core.instruments import Party
from acquittance.service.store import Store
from acquittance.store.repository import Repository


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
