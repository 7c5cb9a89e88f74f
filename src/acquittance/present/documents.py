"""The one presenter: typed results to the JSON documents every face prints.

Amounts are decimal strings with two places ("17533226.80"), dates ISO strings,
parties by id. These shapes are the contract in DESIGN.md; the CLI prints them
with `--json` (and renders its tables from them), and the HTTP API answers
with them. Nothing here is stored: a replayed settlement is presented again
from its rows, by the same function that presented it the first time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, is_dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any

from acquittance.core.money import amount_text
from acquittance.core.settlement_types import Obligation, Quote
from acquittance.store.records import ObligationRecord

if TYPE_CHECKING:
    from acquittance.service.accrue import AccrualRun
    from acquittance.service.batch import BatchResult
    from acquittance.service.settle import ClosedSettlement
    from acquittance.service.verify import Verification


def _amount(value: Decimal) -> str:
    return amount_text(value)


def quote_document(
    quote: Quote, *, explanation: Any = None, quote_id: str | None = None
) -> dict[str, Any]:
    """The quote as the contract names it: owed, collateral, cash, remaining_debt."""
    cash_to_lender = quote.cash.payee_id == quote.lender_id
    document: dict[str, Any] = {"quote_id": quote_id} if quote_id is not None else {}
    document |= {
        "loan": quote.loan_id,
        "lender": quote.lender_id,
        "borrower": quote.borrower_id,
        "as_of": quote.as_of.isoformat(),
        "currency": quote.currency,
        "satisfaction": quote.satisfaction.value,
        "owed": {
            "principal": _amount(quote.owed_principal),
            "interest": _amount(quote.owed_interest),
            "charges": _amount(quote.owed_charges),
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


def _obligation_fields(
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


def settlement_document(closed: ClosedSettlement) -> dict[str, Any]:
    """What a closing did: the quote's fields, then the settlement, entries and obligations."""
    document = quote_document(closed.quote)
    document.update(
        {
            "settlement": closed.id,
            "idempotency_key": closed.settlement.idempotency_key or closed.id,
            "entries": [entry_document(e) for e in closed.entries],
            "obligations": [obligation_document(o) for o in closed.obligations],
            "released_security_interests": list(closed.released_interest_ids),
            "note_holders": dict(closed.note_holders),
            "loan_status": closed.loan_status,
        }
    )
    return document


def obligation_document(record: ObligationRecord) -> dict[str, Any]:
    """An obligation and where it stands."""
    return _obligation_fields(
        record.obligation, status=record.status.value, completed_on=record.completed_on
    )


def plain(value: Any) -> Any:
    """A record as JSON-friendly values (dates ISO, amounts as decimal strings)."""
    if is_dataclass(value) and not isinstance(value, type):
        return {k: plain(v) for k, v in asdict(value).items()}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def register_document(records: dict[str, list[Any]]) -> dict[str, Any]:
    document = {
        kind: [plain(r) for r in rows] for kind, rows in records.items() if kind != "settlements"
    }
    document["settlements"] = [
        {
            "id": s.id,
            "loan": s.loan_id,
            "as_of": s.as_of.isoformat(),
            "satisfaction": s.quote.satisfaction.value,
            "idempotency_key": s.idempotency_key,
        }
        for s in records["settlements"]
    ]
    return document


def record_document(kind: str, record: Any) -> dict[str, Any]:
    from acquittance.core.instruments import EVENT_KINDS

    if kind == "settlement":
        return {"kind": kind, **settlement_document(record)}
    if kind == "quote":
        return {"kind": kind, **quote_document(record.quote, quote_id=record.id)}
    fields = plain(record)
    # A note has a kind of its own ("mortgage"); it must not hide what the record is.
    if "kind" in fields:
        fields[f"{kind}_kind"] = fields.pop("kind")
    document = {"kind": kind, **fields}
    if "events" in document:
        document["events"] = [
            {"kind": EVENT_KINDS[type(event)], **plain(event)} for event in record.events
        ]
    if kind == "loan":
        discharged = record.discharged_on
        document["status"] = "open" if discharged is None else "discharged"
        document["discharged_on"] = discharged.isoformat() if discharged else None
    return document


def position_document(instrument: Any, held: Any) -> dict[str, Any]:
    return {
        "instrument": instrument.id,
        "as_of": held.as_of.isoformat(),
        "currency": held.currency,
        "principal": amount_text(held.principal),
        "interest": amount_text(held.interest),
        "total": amount_text(held.total),
        "interest_exact": f"{held.interest_exact.numerator}/{held.interest_exact.denominator}",
        "rounding": getattr(held, "rounding", "half-up"),
    }


def trial_balance_document(
    who: Any, entries: list[Any], counterparties: list[Any], as_of: date | None
) -> dict[str, Any]:
    from acquittance.books.accounts import chart_of_accounts
    from acquittance.books.reports import trial_balance

    chart = chart_of_accounts(who, counterparties)
    balance = trial_balance(entries, chart=chart, as_of=as_of, include_zero=False)
    return {
        "party": who.id,
        "as_of": as_of.isoformat() if as_of else None,
        "currency": balance.currency,
        "rows": [
            {
                "account": r.account,
                "name": r.display_name,
                "debit": amount_text(r.debit),
                "credit": amount_text(r.credit),
                "balance": amount_text(r.balance),
            }
            for r in balance.rows
        ],
        "total_debit": amount_text(balance.total_debit),
        "total_credit": amount_text(balance.total_credit),
    }


def history_document(who: Any, entries: list[Any], account: str) -> dict[str, Any]:
    from acquittance.books.reports import account_history

    rows = account_history(entries, account)
    return {"party": who.id, "account": account, "rows": [plain(r) for r in rows]}


def verification_document(
    check: Verification, *, against: str | None = None, anchor: str | None = None
) -> dict[str, Any]:
    """`verify`: ok, how many entries were checked, the first that does not match and why."""
    document: dict[str, Any] = {
        "ok": check.ok,
        "entries": check.entries,
        "first_bad": check.first_bad,
        "reason": check.reason,
    }
    if against is not None:
        document["against"] = against
    if anchor is not None:
        document["anchor"] = anchor
    return document


def batch_result_document(result: BatchResult) -> dict[str, Any]:
    """One line of `settle --batch`: loan, key, status, code, message, settlement_id."""
    error = result.error
    return {
        "loan": result.loan_id,
        "key": result.key,
        "status": "closed" if error is None else "error",
        "code": None if error is None else error.code,
        "message": None if error is None else " ".join(error.message.split()),
        "settlement_id": result.settlement_id,
    }


def accrual_run_document(run: AccrualRun) -> dict[str, Any]:
    """`accrue --json`: the run, and what it posted for each instrument."""
    return {
        "run": run.id,
        "key": run.key,
        "through": run.through.isoformat(),
        "replayed": run.replayed,
        "instruments": run.instruments_count,
        "entries": run.entries_count,
        "postings": [
            {
                "instrument": line.instrument_id,
                "kind": line.instrument_kind,
                "currency": line.currency,
                "interest": _amount(line.interest),
                "capitalised": _amount(line.capitalised),
                "late_charges": _amount(line.late_charges),
            }
            for line in run.lines
        ],
        "interest_total": {
            currency: _amount(total) for currency, total in sorted(run.interest_total.items())
        },
    }
