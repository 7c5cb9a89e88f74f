"""The journal's rows: entries and legs appended in batches, and the head of every chain.

Appends are prebuilt statements on the driver (`store.driver`), a few per call
whatever the number of entries (one each for entries, legs and head changes),
because a closing appends several entries to several chains and the
statements, not the rows, are what a transaction pays for. On PostgreSQL the
heads are read `FOR UPDATE`, in (party, chain) order: the last of the locks a
use case takes (the loan first, then its notes by id, then these), so that
two writers always lock in the same order and never deadlock.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Final

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from acquittance.books.chain import GENESIS_HASH, ChainHead, ChainKey
from acquittance.books.entries import JournalEntry
from acquittance.core.errors import StateError
from acquittance.store.driver import Driver, Sql, Write, money
from acquittance.store.models import (
    AnchorHeadRow,
    JournalHeadRow,
    table_of,
)

_HEADS: Final = table_of(JournalHeadRow)
#: How many chains one query asks about (well inside SQLite's expression depth).
CHAINS_PER_QUERY_MAX: Final = 200
_ANCHORS: Final = table_of(AnchorHeadRow)


def locks_rows(session: Session) -> bool:
    """Whether this store takes row locks (PostgreSQL); SQLite writers hold the whole file."""
    return session.get_bind().dialect.name != "sqlite"


class JournalRows:
    """Repository methods for the journal's chains (mixed into `Repository`)."""

    session: Session

    if TYPE_CHECKING:
        # Provided by the repository this is mixed into.
        def driver(self) -> Driver: ...

    def chain_heads(
        self, keys: Iterable[ChainKey], *, lock: bool = True
    ) -> dict[ChainKey, ChainHead]:
        """The heads of these chains (absent: the chain is empty), locked for an append.

        Through the driver, one prebuilt statement per `CHAINS_PER_QUERY_MAX`
        chains; in (party, chain) order, the lock order, across them too.
        """
        wanted = sorted(set(keys))
        driver = self.driver()
        found: dict[ChainKey, ChainHead] = {}
        for start in range(0, len(wanted), CHAINS_PER_QUERY_MAX):
            chunk = wanted[start : start + CHAINS_PER_QUERY_MAX]
            parameters = [value for key in chunk for value in key]
            query = _heads_query(len(chunk), lock=lock and not driver.sqlite)
            for row in driver.rows(query, parameters):
                found[(row[0], row[1])] = ChainHead(*row)
        return found

    def all_chain_heads(self) -> list[ChainHead]:
        """Every chain's head as recorded, in (party, chain) order."""
        query = select(
            _HEADS.c.party_id, _HEADS.c.chain, _HEADS.c.sequence, _HEADS.c.hash, _HEADS.c.entry_id
        )
        rows = self.session.execute(query.order_by(_HEADS.c.party_id, _HEADS.c.chain))
        return [ChainHead(*row) for row in rows]

    def append_journal(
        self,
        entries: Sequence[JournalEntry],
        heads: Mapping[ChainKey, ChainHead],
        *,
        settlement_id: str | None = None,
    ) -> None:
        """Append sealed entries, each the next link of its chain after `heads`.

        Three statements whatever the number of entries: the entries, their
        legs, and every chain's new head (an insert that updates a head already
        there). The heads were read, and on PostgreSQL locked, by `chain_heads`;
        a chain that had none is new to this transaction, and the primary key
        still refuses two writers starting the same chain.
        """
        self.driver().write_all(self.journal_writes(entries, heads, settlement_id=settlement_id))

    def journal_writes(
        self,
        entries: Sequence[JournalEntry],
        heads: Mapping[ChainKey, ChainHead],
        *,
        settlement_id: str | None = None,
        driver: Driver | None = None,
    ) -> list[Write]:
        """The writes that append `entries` after `heads` (checked to be their next links).

        `driver`: this repository's, when the caller holds it already.
        """
        if not entries:
            return []
        newest = _check_links(entries, heads)
        day = (driver or self.driver()).day
        entry_rows = [
            (
                entry.id,
                entry.party_id,
                entry.chain,
                entry.sequence,
                day(entry.date),
                entry.kind.value,
                entry.description,
                entry.reference,
                entry.previous_hash,
                entry.hash,
                settlement_id,
            )
            for entry in entries
        ]
        leg_rows = [
            (entry.id, position, leg.account, money(leg.amount), leg.currency)
            for entry in entries
            for position, leg in enumerate(entry.legs, start=1)
        ]
        head_rows = [
            (key[0], key[1], entry.sequence, entry.hash, entry.id)
            for key, entry in sorted(newest.items())
        ]
        return [(_INSERT_ENTRIES, entry_rows), (_INSERT_LEGS, leg_rows), (_MOVE_HEADS, head_rows)]

    # Anchors ----------------------------------------------------------------------------

    def record_anchor(self, digest: str, heads: Sequence[ChainHead]) -> None:
        """Keep the heads an anchor digest was taken over (once per digest)."""
        self.session.execute(delete(_ANCHORS).where(_ANCHORS.c.digest == digest))
        if heads:
            self.session.execute(
                insert(_ANCHORS),
                [
                    {
                        "digest": digest,
                        "party_id": head.party_id,
                        "chain": head.chain,
                        "sequence": head.sequence,
                        "hash": head.hash,
                        "entry_id": head.entry_id,
                    }
                    for head in heads
                ],
            )

    def anchored_heads(self, digest: str) -> list[ChainHead] | None:
        """The heads recorded for an anchor digest, or None when none were."""
        query = (
            select(
                _ANCHORS.c.party_id,
                _ANCHORS.c.chain,
                _ANCHORS.c.sequence,
                _ANCHORS.c.hash,
                _ANCHORS.c.entry_id,
            )
            .where(_ANCHORS.c.digest == digest)
            .order_by(_ANCHORS.c.party_id, _ANCHORS.c.chain)
        )
        rows = [ChainHead(*row) for row in self.session.execute(query)]
        return rows or None


_INSERT_ENTRIES: Final = Sql.insert(
    "INSERT INTO journal_entries (id, party_id, chain, sequence, date, kind, description, "
    "reference, previous_hash, hash, settlement_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_LEGS: Final = Sql.insert(
    "INSERT INTO journal_legs (entry_id, position, account, amount, currency) "
    "VALUES (?, ?, ?, ?, ?)"
)
# SQLite and PostgreSQL spell the upsert alike.
_MOVE_HEADS: Final = Sql.insert(
    "INSERT INTO journal_heads (party_id, chain, sequence, hash, entry_id) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (party_id, chain) DO UPDATE SET sequence = excluded.sequence, "
    "hash = excluded.hash, entry_id = excluded.entry_id"
)


@functools.lru_cache(maxsize=64)
def _heads_query(count: int, *, lock: bool) -> Sql:
    """The heads of `count` chains, each (party_id, chain) given in order, in that order."""
    wanted = " OR ".join("(party_id = ? AND chain = ?)" for _ in range(count))
    return Sql(
        f"SELECT party_id, chain, sequence, hash, entry_id FROM journal_heads WHERE {wanted} "
        "ORDER BY party_id, chain" + (" FOR UPDATE" if lock else "")
    )


def _check_links(
    entries: Sequence[JournalEntry], heads: Mapping[ChainKey, ChainHead]
) -> dict[ChainKey, JournalEntry]:
    """Each entry is the next in its chain: sequence + 1 and the previous hash."""
    newest: dict[ChainKey, JournalEntry] = {}
    for entry in entries:
        key = (entry.party_id, entry.chain)
        if key in newest:
            sequence, previous = newest[key].sequence, newest[key].hash
        elif key in heads:
            sequence, previous = heads[key].sequence, heads[key].hash
        else:
            sequence, previous = 0, GENESIS_HASH
        if entry.sequence != sequence + 1:
            raise StateError(
                "JOURNAL_OUT_OF_SEQUENCE",
                f"journal entry {entry.id} has sequence {entry.sequence} but its chain expects "
                f"{sequence + 1}; seal entries against the current chain head",
            )
        if entry.previous_hash != previous:
            raise StateError(
                "JOURNAL_CHAIN_BROKEN",
                f"journal entry {entry.id} links to hash {entry.previous_hash[:12]}... but the "
                f"head of its chain is {previous[:12]}...; seal it against the current head",
            )
        newest[key] = entry
    return newest
