"""Values the store keeps that have no domain type of their own.

Obligations gain a status once stored. Journal entries have
a store-side record with exactly the ledger's fields, for callers (and tests)
that want the rows as stored, before the ledger's own checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from acquittance.core.settlement_types import Obligation


class ObligationStatus(StrEnum):
    OPEN = "open"
    DONE = "done"


@dataclass(frozen=True)
class ObligationRecord:
    """An obligation and where it stands."""

    obligation: Obligation
    status: ObligationStatus
    completed_on: date | None = None


@dataclass(frozen=True)
class LegRecord:
    account: str
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class EntryRecord:
    """A journal entry exactly as stored (fields as the ledger's JournalEntry)."""

    id: str
    party_id: str
    sequence: int
    date: date
    kind: str
    description: str
    legs: tuple[LegRecord, ...]
    reference: str | None
    previous_hash: str
    hash: str
    chain: str = ""
