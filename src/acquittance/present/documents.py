"""JSON documents for what the interfaces report: quotes, settlements, journals, books.

Amounts are decimal strings with two places ("17533226.80"), dates ISO strings,
parties by id. These shapes are the contract in DESIGN.md; the CLI prints them
with `--json` and stores a settlement's document so a replay returns it as is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from acquittance.core.money import amount_text
from acquittance.core.settlement_types import Obligation, Quote


def _amount(value: Decimal) -> str:
    return amount_text(value)


def quote_document(quote: Quote, *, explanation: Any = None) -> dict[str, Any]:
    """The quote as the contract names it: owed, collateral, cash, remaining_debt."""
    cash_to_lender = quote.cash.payee_id == quote.lender_id
    document: dict[str, Any] = {
        "loan": quote.loan_id,
        "lender": quote.lender_id,
        "borrower": quote.borrower_id,
        "as_of": quote.as_of.isoformat(),
        "currency": quote.currency,
        "satisfaction": quote.satisfaction.value,
        "owed": {
            "principal": _amount(quote.owed_principal),
            "interest": _amount(quote.owed_interest),
            "total": _amount(quote.owed_total),
            "per_diem": _amount(quote.per_diem),
            "good_through": quote.good_through.isoformat(),
        },
        "collateral": {
            "principal": _amount(quote.collateral_principal),
            "interest": _amount(quote.collateral_interest),
            "carrying_amount": _amount(quote.collateral_carrying_amount),
            "value": _amount(quote.collateral_value),
            "notes": [
                {
                    "note": line.note_id,
                    "maker": line.maker,
                    "issue_date": line.issue_date.isoformat() if line.issue_date else None,
                    "principal": _amount(line.principal),
                    "interest": _amount(line.interest),
                    "carrying_amount": _amount(line.carrying_amount),
                    "value": _amount(line.value),
                    "gain_or_loss": _amount(line.gain_or_loss),
                }
                for line in quote.collateral
            ],
        },
        "cash": {
            "amount": _amount(quote.cash.amount),
            "payer": quote.cash.payer_id,
            "payee": quote.cash.payee_id,
            "direction": (
                "none"
                if quote.cash.amount == 0
                else ("borrower_to_lender" if cash_to_lender else "lender_to_borrower")
            ),
        },
        "remaining_debt": _amount(quote.remaining_debt),
        "fingerprint": quote.fingerprint,
    }
    if explanation is not None:
        document["explanation"] = explanation
    return document


def leg_document(account: str, amount: Decimal, currency: str) -> dict[str, str]:
    return {"account": account, "amount": _amount(amount), "currency": currency}


def entry_document(entry: Any) -> dict[str, Any]:
    """One journal entry: id, date, kind, legs (debit positive) and its hash."""
    return {
        "id": entry.id,
        "party": entry.party_id,
        "sequence": entry.sequence,
        "date": entry.date.isoformat(),
        "kind": entry.kind,
        "description": entry.description,
        "reference": entry.reference,
        "legs": [leg_document(leg.account, leg.amount, leg.currency) for leg in entry.legs],
        "previous_hash": entry.previous_hash,
        "hash": entry.hash,
    }


def journal_document(party_id: str, entries: Iterable[Any]) -> dict[str, Any]:
    return {"party": party_id, "entries": [entry_document(e) for e in entries]}


def obligation_document(
    obligation: Obligation, *, status: str, completed_on: Any = None
) -> dict[str, Any]:
    return {
        "id": obligation.id,
        "kind": obligation.kind.value,
        "settlement": obligation.settlement_id,
        "party": obligation.party_id,
        "description": obligation.description,
        "due": obligation.due.isoformat(),
        "amount": _amount(obligation.amount) if obligation.amount is not None else None,
        "financing_statement": obligation.financing_statement_id,
        "status": status,
        "completed_on": completed_on.isoformat() if completed_on else None,
    }


def settlement_document(
    settlement_id: str,
    *,
    key: str,
    quote: Quote,
    explanation: Any,
    entries: Sequence[Any],
    obligations: Sequence[Obligation],
    released_interest_ids: Sequence[str],
    note_holders: Mapping[str, str],
) -> dict[str, Any]:
    """What closing produced; stored with the settlement and returned again on replay."""
    document = quote_document(quote, explanation=explanation)
    document.update(
        {
            "settlement": settlement_id,
            "idempotency_key": key,
            "entries": [entry_document(e) for e in entries],
            "obligations": [obligation_document(o, status="open") for o in obligations],
            "released_security_interests": list(released_interest_ids),
            "note_holders": dict(note_holders),
            "loan_status": "discharged" if quote.satisfaction.value == "full" else "outstanding",
        }
    )
    return document


def quote_from_document(document: Mapping[str, Any]) -> Quote:
    """The Quote a stored quote or settlement document states (to draft from it later).

    The loan and note positions carry only the figures the document kept; the
    accrual periods behind them are in its explanation.
    """
    from fractions import Fraction

    from acquittance.core.instruments import Position
    from acquittance.core.settlement_types import CashLeg, CollateralLine, SatisfactionKind

    as_of = date.fromisoformat(document["as_of"])
    currency = document["currency"]
    owed = document["owed"]

    def held(instrument_id: str, principal: str, interest: str) -> Position:
        exact = Fraction(Decimal(interest))
        return Position(
            instrument_id, as_of, currency, Decimal(principal), Decimal(interest), exact
        )

    lines = tuple(
        CollateralLine(
            note_id=n["note"],
            maker=n["maker"],
            issue_date=date.fromisoformat(n["issue_date"]) if n.get("issue_date") else None,
            principal=Decimal(n["principal"]),
            interest=Decimal(n["interest"]),
            value=Decimal(n["value"]),
        )
        for n in document["collateral"]["notes"]
    )
    cash = document["cash"]
    return Quote(
        loan_id=document["loan"],
        lender_id=document["lender"],
        borrower_id=document["borrower"],
        as_of=as_of,
        currency=currency,
        owed_principal=Decimal(owed["principal"]),
        owed_interest=Decimal(owed["interest"]),
        per_diem=Decimal(owed["per_diem"]),
        good_through=date.fromisoformat(owed["good_through"]),
        collateral=lines,
        cash=CashLeg(Decimal(cash["amount"]), cash["payer"], cash["payee"]),
        remaining_debt=Decimal(document["remaining_debt"]),
        satisfaction=SatisfactionKind(document["satisfaction"]),
        fingerprint=document["fingerprint"],
        loan_position=held(document["loan"], owed["principal"], owed["interest"]),
        note_positions=tuple(held(n.note_id, str(n.principal), str(n.interest)) for n in lines),
    )
