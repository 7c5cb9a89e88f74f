"""Verifying the store: every chain, its recorded head, and everything derived from events.

`verify` recomputes every hash and link, checks each chain's newest entry
against the recorded head, counts again the entries each settlement posted,
checks the note holders against their transfers, and rebuilds both books and
every position from the stored events to compare with the journal, the
snapshots and the settlements (`rebuild`).
`anchor` records the heads of every chain and returns their digest, to be kept
outside the store; `verify(against=DIGEST)` then fails if any chain was cut
or changed since, while entries appended later are fine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from acquittance.books.chain import ChainCheck, ChainHead, anchor_digest, chain_heads, verify_chain
from acquittance.books.entries import JournalEntry
from acquittance.core.errors import InputError
from acquittance.service.audit import verify_audit_trail
from acquittance.service.rebuild import rebuild_check
from acquittance.service.store import Store
from acquittance.store.repository import Repository


@dataclass(frozen=True)
class Verification:
    """What `verify` found: all good, or the first thing that does not match and why."""

    ok: bool
    entries: int  # journal entries checked
    first_bad: str | None  # id of the first entry (or record) that does not match
    reason: str | None = None
    anchored: bool = False  # checked against an anchor digest as well


def verify(store: Store, *, against: str | None = None) -> Verification:
    """Check every chain, head, settlement and holder; optionally against an anchor digest."""
    if against is not None:
        _check_digest_text(against)
    with store.read() as session:
        repo = Repository(session)
        entries = repo.entries()
        heads = repo.all_chain_heads()
        counted = _check_settlements(repo, entries)
        register = _check_register(repo)
        rebuilt = rebuild_check(repo, entries)
        anchored = None if against is None else repo.anchored_heads(against)
    check = verify_chain(entries, heads={head.key: head for head in heads})
    if not check.ok:
        return _failed(check, len(entries))
    for problem in (counted, register, _check_recorded_heads(entries, heads)):
        if problem is not None:
            return Verification(False, len(entries), problem[0], problem[1])
    if rebuilt is not None:
        return Verification(False, len(entries), rebuilt.where, rebuilt.reason)
    if against is not None:
        problem = _check_anchor(against, entries, heads, anchored)
        if problem is not None:
            return Verification(False, len(entries), problem[0], problem[1], anchored=True)
    audited = verify_audit_trail(store)  # the server's workflow steps, sealed the same way
    if not audited.ok:
        return Verification(False, len(entries), audited.first_bad, audited.reason)
    return Verification(True, len(entries), None, anchored=against is not None)


def anchor(store: Store) -> str:
    """Record the head of every chain and return their digest (hex), to keep elsewhere."""
    with store.write() as session:
        repo = Repository(session)
        heads = repo.all_chain_heads()
        digest = anchor_digest(heads)
        repo.record_anchor(digest, heads)
    return digest


def _failed(check: ChainCheck, entries: int) -> Verification:
    return Verification(False, entries, check.first_bad, check.reason)


def _check_digest_text(digest: str) -> None:
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise InputError(
            "INVALID_DIGEST",
            f"--against {digest[:80]!r} is not a digest; give the 64 hex digits that "
            "`acquittance verify --anchor` printed",
        )


def _check_recorded_heads(
    entries: Sequence[JournalEntry], heads: Sequence[ChainHead]
) -> tuple[str | None, str] | None:
    """Every chain in the journal has its head recorded (none was added behind its back)."""
    recorded = {head.key for head in heads}
    for key in sorted(chain_heads(entries)):
        if key not in recorded:
            return (None, f"chain {key[1] or '(book)'} of {key[0]} has no recorded head")
    return None


def _check_settlements(
    repo: Repository, entries: Sequence[JournalEntry]
) -> tuple[str | None, str] | None:
    """Each settlement's entries are all still in the journal, as many as it posted."""
    posted = repo.settlement_entry_counts()
    for settlement in repo.list_settlements():
        if posted.get(settlement.id, 0) != settlement.entries_count:
            return (
                settlement.id,
                f"settlement {settlement.id} posted {settlement.entries_count} journal entries "
                f"and the journal holds {posted.get(settlement.id, 0)} of them",
            )
    return None


def _check_register(repo: Repository) -> tuple[str | None, str] | None:
    """Each note's holder is the one its transfer history ends with."""
    for note_id, holder_id, last_to in repo.holders_and_last_transfers():
        if last_to is not None and holder_id != last_to:
            return (
                note_id,
                f"note {note_id} is recorded as held by {holder_id}, but its transfers end "
                f"with {last_to}",
            )
    return None


def _check_anchor(
    digest: str,
    entries: Sequence[JournalEntry],
    heads: Sequence[ChainHead],
    anchored: Sequence[ChainHead] | None,
) -> tuple[str | None, str] | None:
    if anchored is None:
        if anchor_digest(heads) == digest:
            return None
        return (
            None,
            "the store holds no anchor with that digest and its chains' heads do not match it: "
            "history was cut or changed since, or the digest is from another store",
        )
    if anchor_digest(anchored) != digest:
        return (None, "the anchor recorded for that digest was changed")
    by_place = {(e.party_id, e.chain, e.sequence): e for e in entries}
    for head in anchored:
        entry = by_place.get((head.party_id, head.chain, head.sequence))
        if entry is None:
            return (
                None,
                f"entry {head.sequence} of chain {head.chain or '(book)'} of {head.party_id}, "
                "the head when the anchor was taken, is gone: history was cut",
            )
        if entry.hash != head.hash:
            return (entry.id, "this entry, the head when the anchor was taken, was changed")
    return None
