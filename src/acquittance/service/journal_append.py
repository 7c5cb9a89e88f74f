"""Sealing entry drafts onto each party's hash chain, and appending them."""

from __future__ import annotations

from collections.abc import Iterable

from acquittance.books.chain import GENESIS_HASH, seal
from acquittance.books.entries import EntryDraft, JournalEntry
from acquittance.store.repository import Repository


def append_drafts(repo: Repository, drafts: Iterable[EntryDraft]) -> list[JournalEntry]:
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
