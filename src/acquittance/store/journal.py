"""The journal's rows: entries and legs appended in batches, and the head of every chain.

Appends are SQLAlchemy Core statements, a few per call whatever the number of
entries (one for the heads, one each for entries, legs and head changes),
because a closing appends several entries to several chains and the
statements, not the rows, are what a transaction pays for. On PostgreSQL the
heads are read `FOR UPDATE`, in (party, chain) order: the last of the locks a
use case takes (the loan first, then its notes by id, then these), so that
two writers always lock in the same order and never deadlock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from sqlalchemy import delete, insert, select, tuple_
from sqlalchemy.orm import Session

from acquittance.books.chain import GENESIS_HASH, ChainHead, ChainKey
from acquittance.books.entries import JournalEntry
from acquittance.core.errors import StateError
from acquittance.store.models import (
    AnchorHeadRow,
    JournalEntryRow,
    JournalHeadRow,
    JournalLegRow,
    table_of,
)

_HEADS: Final = table_of(JournalHeadRow)
_ENTRIES: Final = table_of(JournalEntryRow)
_LEGS: Final = table_of(JournalLegRow)
_ANCHORS: Final = table_of(AnchorHeadRow)


def locks_rows(session: Session) -> bool:
    """Whether this store takes row locks (PostgreSQL); SQLite writers hold the whole file."""
    return session.get_bind().dialect.name != "sqlite"


class JournalRows:
    """Repository methods for the journal's chains (mixed into `Repository`)."""

    session: Session

    def chain_heads(
        self, keys: Iterable[ChainKey], *, lock: bool = True
    ) -> dict[ChainKey, ChainHead]:
        """The heads of these chains (absent: the chain is empty), locked for an append."""
        wanted = sorted(set(keys))
        if not wanted:
            return {}
        query = (
            select(
                _HEADS.c.party_id,
                _HEADS.c.chain,
                _HEADS.c.sequence,
                _HEADS.c.hash,
                _HEADS.c.entry_id,
            )
            .where(tuple_(_HEADS.c.party_id, _HEADS.c.chain).in_(wanted))
            .order_by(_HEADS.c.party_id, _HEADS.c.chain)
        )
        if lock and locks_rows(self.session):
            query = query.with_for_update()
        return {(row[0], row[1]): ChainHead(*row) for row in self.session.execute(query)}

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
        """Append sealed entries, each the next link of its chain after `heads`."""
        if not entries:
            return
        newest = _check_links(entries, heads)
        self.session.execute(
            insert(_ENTRIES),
            [
                {
                    "id": entry.id,
                    "party_id": entry.party_id,
                    "chain": entry.chain,
                    "sequence": entry.sequence,
                    "date": entry.date,
                    "kind": entry.kind.value,
                    "description": entry.description,
                    "reference": entry.reference,
                    "previous_hash": entry.previous_hash,
                    "hash": entry.hash,
                    "settlement_id": settlement_id,
                }
                for entry in entries
            ],
        )
        self.session.execute(
            insert(_LEGS),
            [
                {
                    "entry_id": entry.id,
                    "position": position,
                    "account": leg.account,
                    "amount": leg.amount,
                    "currency": leg.currency,
                }
                for entry in entries
                for position, leg in enumerate(entry.legs, start=1)
            ],
        )
        self._move_heads(newest)

    def _move_heads(self, newest: Mapping[ChainKey, JournalEntry]) -> None:
        """Every chain's new head in one statement: an insert that updates a head already there.

        The heads were read, and on PostgreSQL locked, by `chain_heads`; a chain
        that had none is new to this transaction, and the primary key still
        refuses two writers starting the same chain.
        """
        rows = [
            {
                "party_id": key[0],
                "chain": key[1],
                "sequence": entry.sequence,
                "hash": entry.hash,
                "entry_id": entry.id,
            }
            for key, entry in sorted(newest.items())
        ]
        upsert = _upsert(self.session)(_HEADS)
        statement = upsert.on_conflict_do_update(
            index_elements=[_HEADS.c.party_id, _HEADS.c.chain],
            set_={
                "sequence": upsert.excluded.sequence,
                "hash": upsert.excluded.hash,
                "entry_id": upsert.excluded.entry_id,
            },
        )
        self.session.execute(statement, rows)

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


def _upsert(session: Session) -> Any:
    """The dialect's INSERT with ON CONFLICT (SQLite and PostgreSQL spell it alike).

    Imported when first used, so that a SQLite command never loads the
    PostgreSQL dialect.
    """
    if session.get_bind().dialect.name == "sqlite":
        from sqlalchemy.dialects import sqlite

        return sqlite.insert
    from sqlalchemy.dialects import postgresql

    return postgresql.insert


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
