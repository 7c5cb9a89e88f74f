"""Verifying the store: every journal's hash chain and what each settlement posted."""

from __future__ import annotations

from acquittance.books.chain import ChainCheck, verify_chain
from acquittance.service.store import Store
from acquittance.store.repository import Repository


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
