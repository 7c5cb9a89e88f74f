"""What the reader finds in an agreement: frozen records, and their JSON form.

Offsets (`start`, `end`) are character offsets into `Reading.text`, the text as
read after decoding or extraction, so `text[start:end]` is what was found.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from acquittance.core.money import CENT, amount_text

AMOUNT_ROLES = (
    "debt_principal",
    "debt_interest",
    "debt_total",
    "collateral_principal",
    "collateral_interest",
    "collateral_value",
    "cash_to_creditor",
    "cash_to_debtor",
    "remaining_debt",
    "fee",
    "per_diem",
    "price",
    "other",
    "unknown",
)


@dataclass(frozen=True)
class Party:
    """A party named in the preamble, with what the text says it is."""

    name: str
    short_name: str | None
    entity_type: str | None
    jurisdiction: str | None
    role: str | None
    start: int
    end: int


@dataclass(frozen=True)
class ReferencedAgreement:
    """Another instrument the agreement names, with the date it gives it."""

    name: str
    date: date | None
    start: int
    end: int


@dataclass(frozen=True)
class Amount:
    """A figure found in the text; `words` is the value of accompanying words, if any."""

    value: Decimal
    currency: str
    role: str
    text: str
    start: int
    end: int
    words: Decimal | None = None
    schedule: str | None = None  # the exhibit or schedule it sits in, if any


@dataclass(frozen=True)
class Rate:
    """A percentage found in the text (value in percent, "6.5" for 6.5%)."""

    value: Decimal
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Signatory:
    """A person signing, with the title and the party the block names."""

    name: str
    title: str | None
    party: str | None
    start: int
    end: int


@dataclass(frozen=True)
class Clause:
    """A unit of the agreement (usually a numbered paragraph) and what it does."""

    kind: str
    start: int
    end: int
    jurisdiction: str | None = None


@dataclass(frozen=True)
class Discrepancy:
    """Something in the text that disagrees with itself; never resolved silently."""

    kind: str
    message: str
    start: int
    end: int


@dataclass(frozen=True)
class Reconciliation:
    """The settlement identity: debt = collateral + cash to creditor - cash to debtor + rest."""

    status: str
    debt: tuple[Amount, ...] = ()
    satisfaction: tuple[Amount, ...] = ()
    difference: Decimal | None = None


@dataclass(frozen=True)
class Reading:
    """Everything read from one agreement."""

    text: str
    title: str | None
    effective_date: date | None
    parties: tuple[Party, ...]
    referenced_agreements: tuple[ReferencedAgreement, ...]
    amounts: tuple[Amount, ...]
    rates: tuple[Rate, ...]
    signatories: tuple[Signatory, ...]
    clauses: tuple[Clause, ...]
    reconciliation: Reconciliation
    discrepancies: tuple[Discrepancy, ...]
    source_format: str = "text"
    extra: dict[str, Any] = field(default_factory=dict)


def value_text(value: Decimal) -> str:
    """An amount's decimal string: two places, or every place the text gives ("0.001")."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2 and value != value.quantize(CENT):
        return format(value.normalize(), "f")
    return amount_text(value)


def _amount_dict(amount: Amount) -> dict[str, Any]:
    result: dict[str, Any] = {
        "value": value_text(amount.value),
        "currency": amount.currency,
        "role": amount.role,
        "text": amount.text,
        "start": amount.start,
        "end": amount.end,
    }
    if amount.words is not None:
        result["words"] = amount_text(amount.words)
    if amount.schedule is not None:
        result["schedule"] = amount.schedule
    return result


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _reconciliation_dict(reconciliation: Reconciliation) -> dict[str, Any]:
    difference = reconciliation.difference
    return {
        "status": reconciliation.status,
        "debt": [_amount_dict(a) for a in reconciliation.debt],
        "satisfaction": [_amount_dict(a) for a in reconciliation.satisfaction],
        "difference": None if difference is None else amount_text(difference),
    }


def to_dict(reading: Reading) -> dict[str, Any]:
    """The JSON document of `acquittance read --json` (DESIGN.md, "Reading")."""
    return {
        "title": reading.title,
        "effective_date": _iso(reading.effective_date),
        "format": reading.source_format,
        "parties": [
            {
                "name": p.name,
                "short_name": p.short_name,
                "entity_type": p.entity_type,
                "jurisdiction": p.jurisdiction,
                "role": p.role,
            }
            for p in reading.parties
        ],
        "referenced_agreements": [
            {"name": r.name, "date": _iso(r.date), "start": r.start, "end": r.end}
            for r in reading.referenced_agreements
        ],
        "amounts": [_amount_dict(a) for a in reading.amounts],
        "rates": [
            {"value": str(r.value), "text": r.text, "start": r.start, "end": r.end}
            for r in reading.rates
        ],
        "signatories": [
            {"name": s.name, "title": s.title, "party": s.party} for s in reading.signatories
        ],
        "clauses": [_clause_dict(c) for c in reading.clauses],
        "reconciliation": _reconciliation_dict(reading.reconciliation),
        "discrepancies": [
            {"kind": d.kind, "message": d.message, "start": d.start, "end": d.end}
            for d in reading.discrepancies
        ],
    }


def _clause_dict(clause: Clause) -> dict[str, Any]:
    result: dict[str, Any] = {"kind": clause.kind, "start": clause.start, "end": clause.end}
    if clause.jurisdiction:
        result["jurisdiction"] = clause.jurisdiction
    return result
