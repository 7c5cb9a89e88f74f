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


def obligations_document(records: Iterable[ObligationRecord]) -> dict[str, Any]:
    """`obligations`: each obligation and where it stands."""
    return {"obligations": [obligation_document(r) for r in records]}


def saved_quotes_document(saved: Iterable[Any]) -> dict[str, Any]:
    """`quotes`: each saved quote in the fields of `quote`, with its `quote_id`."""
    return {"quotes": [quote_document(s.quote, quote_id=s.id) for s in saved]}


def plain(value: Any) -> Any:
    """A record as JSON-friendly values (dates ISO, decimals as plain decimal strings)."""
    if is_dataclass(value) and not isinstance(value, type):
        return {k: plain(v) for k, v in asdict(value).items()}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, Decimal):
        return plain_decimal(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def plain_decimal(value: Decimal) -> str:
    """A decimal as people write it: "0.00000000000000000000", never "0E-20" or "1E+6"."""
    return format(value, "f")


def reference_name(field: str) -> str:
    """A field that refers to other records, named for what it refers to.

    Every document names a reference the same way: `lender_id` is `lender`, `note_ids`
    is `notes`, `entry_id` is `entry`; a record's own id is `id`.
    """
    if field.endswith("_ids"):
        return f"{field[: -len('_ids')]}s"
    if field.endswith("_id"):
        return field[: -len("_id")]
    return field


def _fields(value: Any) -> Any:
    """`plain`, with every reference field named by `reference_name`."""
    if is_dataclass(value) and not isinstance(value, type):
        return {reference_name(k): _fields(getattr(value, k)) for k in _field_names(value)}
    if isinstance(value, list | tuple):
        return [_fields(v) for v in value]
    return plain(value)


def _field_names(value: Any) -> list[str]:
    from dataclasses import fields

    return [f.name for f in fields(value)]


#: The record kinds `list` shows, under the names of its lists.
REGISTER_KINDS: dict[str, str] = {
    "parties": "party",
    "loans": "loan",
    "notes": "note",
    "security_interests": "security_interest",
}


def register_document(records: dict[str, list[Any]]) -> dict[str, Any]:
    """`list`: every record of each kind, in the same fields as `show` (without `kind`)."""
    document = {
        name: [record_fields(kind, r) for r in records[name]]
        for name, kind in REGISTER_KINDS.items()
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


def record_fields(kind: str, record: Any) -> dict[str, Any]:
    """A party, loan, note or security interest: its fields, references named for their
    records, events with their kind, and a loan's status."""
    from acquittance.core.instruments import EVENT_KINDS

    fields: dict[str, Any] = _fields(record)
    # A note has a kind of its own ("mortgage"); it must not hide what the record is.
    if "kind" in fields:
        fields[f"{kind}_kind"] = fields.pop("kind")
    if "events" in fields:
        fields["events"] = [
            {"kind": EVENT_KINDS[type(event)], **_fields(event)} for event in record.events
        ]
    if kind == "loan":
        discharged = record.discharged_on
        fields["status"] = "open" if discharged is None else "discharged"
        fields["discharged_on"] = discharged.isoformat() if discharged else None
    return fields


def record_document(kind: str, record: Any) -> dict[str, Any]:
    """`show ID`: what the record is (`kind`), then its fields."""
    if kind == "settlement":
        return {"kind": kind, **settlement_document(record)}
    if kind == "quote":
        return {"kind": kind, **quote_document(record.quote, quote_id=record.id)}
    return {"kind": kind, **record_fields(kind, record)}


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
        "accounts": [
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
    return {"party": who.id, "account": account, "postings": [_fields(r) for r in rows]}


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


def store_document(description: str) -> dict[str, Any]:
    """`init`: the store made ready (created, or migrated to the newest schema)."""
    return {"store": description, "initialized": True}


def load_document(summary: dict[str, Any], deal_file: str | None) -> dict[str, Any]:
    """`load`: the deal file and the ids of what it put in the store, and how many
    opening entries it posted (`entries_count`: `entries` is always a list of entries)."""
    return {
        "deal_file": deal_file,
        "parties": list(summary["parties"]),
        "loans": list(summary["loans"]),
        "notes": list(summary["notes"]),
        "security_interests": list(summary["security_interests"]),
        "entries_count": summary["entries"],
    }


def imported_document(deal_file: str | None, summary: dict[str, Any] | None) -> dict[str, Any]:
    """`read FILE --import/--deal-out`: the deal file written (if any), and what was loaded."""
    if summary is None:
        return {"deal_file": deal_file, "loaded": False}
    return {**load_document(summary, deal_file), "loaded": True}


def recorded_document(
    instrument_id: str, kind: str, on: date, entries: Iterable[Any]
) -> dict[str, Any]:
    """`record`: the event recorded on a loan or note, and the entries it posted."""
    return {
        "instrument": instrument_id,
        "kind": kind,
        "date": on.isoformat(),
        "entries": [entry_document(e) for e in entries],
    }


def schedule_document(note: Any, rows: Iterable[Any]) -> dict[str, Any]:
    """`schedule NOTE`: the level payment and every installment (number, due, payment,
    interest, principal, balance)."""
    return {
        "note": note.id,
        "payment": _amount(note.level_payment.amount) if note.level_payment else None,
        "installments": [
            {
                "number": row.number,
                "due": row.due.isoformat(),
                "payment": _amount(row.payment),
                "interest": _amount(row.interest),
                "principal": _amount(row.principal),
                "balance": _amount(row.balance),
            }
            for row in rows
        ],
    }


def explanation_document(explained: dict[str, Any]) -> dict[str, Any]:
    """`quote --explain`: the working behind each figure, with the names every other
    document uses (`instrument` for a loan or note). The loan, date and currency are
    the quote's own, beside it."""
    loan, notes = explained["loan"], explained["notes"]
    return {
        "loan": _explained_position(loan),
        "notes": [_explained_position(held) for held in notes],
        "per_diem": dict(explained["per_diem"]),
        "cash": dict(explained["cash"]),
        "fingerprint": explained["fingerprint"],
    }


def _explained_position(held: dict[str, Any]) -> dict[str, Any]:
    renamed = {reference_name(name): value for name, value in held.items()}
    return {**renamed, "periods": [dict(period) for period in held["periods"]]}


def demo_document(
    *,
    store: str,
    as_of: date,
    loaded: dict[str, Any],
    settlements: list[dict[str, Any]],
    books: list[dict[str, Any]],
    obligations: list[dict[str, Any]],
    verification: dict[str, Any],
) -> dict[str, Any]:
    """`demo`: each step of the walk-through, in the shape of the command that does it."""
    return {
        "store": store,
        "as_of": as_of.isoformat(),
        "loaded": loaded,
        "settlements": settlements,
        "books": books,
        "obligations": obligations,
        "verification": verification,
    }


def accrual_run_document(run: AccrualRun) -> dict[str, Any]:
    """`accrue --json`: the run, and what it posted for each instrument."""
    return {
        "run": run.id,
        "key": run.key,
        "through": run.through.isoformat(),
        "replayed": run.replayed,
        "instruments_count": run.instruments_count,
        "entries_count": run.entries_count,
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
