"""Sealing entry drafts onto their chains in each party's journal, and appending them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from acquittance.books.chain import GENESIS_HASH, ChainHead, ChainKey, seal
from acquittance.books.entries import EntryDraft, JournalEntry
from acquittance.store.repository import Repository


def entry_id(party_id: str, chain: str, sequence: int) -> str:
    """An entry's id names its party, its chain and its place: "berg/berg-valence-loan/3"."""
    if not chain:
        return f"{party_id}-{sequence:06d}"
    return f"{party_id}/{chain}/{sequence}"


def append_drafts(
    repo: Repository, drafts: Sequence[EntryDraft], *, settlement_id: str | None = None
) -> list[JournalEntry]:
    """Seal drafts onto their chains, in order, and append them in one batch.

    The chains' heads are read (and on PostgreSQL locked) once, in (party,
    chain) order, whatever the number of drafts.
    """
    sealed, heads = seal_drafts(repo, drafts)
    repo.append_journal(sealed, heads, settlement_id=settlement_id)
    return sealed


def seal_drafts(
    repo: Repository,
    drafts: Sequence[EntryDraft],
    *,
    heads: Mapping[ChainKey, ChainHead] | None = None,
    checked: bool = False,
) -> tuple[list[JournalEntry], Mapping[ChainKey, ChainHead]]:
    """Seal drafts onto their chains, in order; the entries, and the heads they follow.

    The heads are read (and on PostgreSQL locked) unless the caller read them
    already in this transaction (under the write lock) and passes them as
    `heads`, covering every chain of the drafts (a chain absent from them is
    empty). `checked`: every draft, as given, has passed `check_balanced`
    already (as the posting rules' drafts have), so sealing does not run it again.
    """
    if heads is None:
        heads = repo.chain_heads((draft.party_id, draft.chain) for draft in drafts)
    tips = {key: (head.sequence, head.hash) for key, head in heads.items()}
    sealed: list[JournalEntry] = []
    for draft in drafts:
        key = (draft.party_id, draft.chain)
        sequence, previous = tips.get(key, (0, GENESIS_HASH))
        entry = seal(
            draft,
            entry_id=entry_id(draft.party_id, draft.chain, sequence + 1),
            sequence=sequence + 1,
            previous_hash=previous,
            checked=checked,
        )
        tips[key] = (entry.sequence, entry.hash)
        sealed.append(entry)
    return sealed, heads
