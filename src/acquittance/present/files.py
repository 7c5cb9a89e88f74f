"""The documents of commands that write a file: what was written, and the figures it states.

Every one starts with the same four fields: `document` (what kind of file),
`output` (its path), `format` and `bytes`; then the figures the file states,
named as everywhere else (`loan`, `instrument`, `note`, `party`; amounts as
decimal strings with two places, dates ISO).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from acquittance.core.money import amount_text


def written_document(kind: str, output: Path | str, fmt: str, size_bytes: int) -> dict[str, Any]:
    """The four fields every written file's document starts with."""
    return {"document": kind, "output": str(output), "format": fmt, "bytes": size_bytes}


def _written(result: Any) -> dict[str, Any]:
    written = result.written
    return written_document(written.kind, written.path, written.fmt, written.size_bytes)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def payoff_letter_document(result: Any) -> dict[str, Any]:
    """`letter payoff`: the letter written, and the payoff it states."""
    context = result.context
    return _written(result) | {
        "loan": context.loan_id,
        "lender": context.lender.id,
        "borrower": context.borrower.id,
        "as_of": _iso(context.as_of),
        "good_through": _iso(context.good_through),
        "payoff": {
            "principal": amount_text(context.principal),
            "interest": amount_text(context.interest),
            "total": amount_text(context.total),
            "per_diem": amount_text(context.per_diem),
            "interest_to_good_through": amount_text(context.interest_to_good_through),
            "total_at_good_through": amount_text(context.total_at_good_through),
        },
    }


def _balance(balance: Any) -> dict[str, str]:
    return {
        "principal": amount_text(balance.principal),
        "interest": amount_text(balance.interest),
        "total": amount_text(balance.total),
    }


def statement_document(result: Any) -> dict[str, Any]:
    """`statement`: the statement written; its opening, each event, interest and closing."""
    context = result.context
    return _written(result) | {
        "instrument": context.instrument_id,
        "instrument_kind": context.instrument_kind,
        "from": _iso(context.start),
        "to": _iso(context.end),
        "opening": _balance(context.opening),
        "closing": _balance(context.closing),
        "interest_accrued": amount_text(context.interest_accrued),
        "interest_paid": amount_text(context.interest_paid),
        "principal_paid": amount_text(context.principal_paid),
        "events": [
            {
                "date": _iso(row.date),
                "kind": row.kind,
                "amount": None if row.amount is None else amount_text(row.amount),
                "interest": amount_text(row.interest_change),
                "principal": amount_text(row.principal_change),
            }
            for row in context.activity
        ],
    }


def ucc3_document(result: Any) -> dict[str, Any]:
    """`ucc3`: the filing written and what it files (a termination, or notes released)."""
    context = result.context
    return _written(result) | {
        "kind": context.kind.value,
        "security_interest": context.interest_id,
        "financing_statement": context.statement.id,
        "file_number": context.statement.file_number,
        "filing_office": context.statement.filing_office,
        "secured_party": context.secured_party.id,
        "debtor": context.debtor.id,
        "notes": [note.note_id for note in context.released],
        "due": _iso(context.due),
        "obligation": context.obligation_id,
    }


def schedule_file_document(result: Any) -> dict[str, Any]:
    """`schedule NOTE --output F`: the file written and how many installments it lists."""
    return _written(result) | {
        "note": result.note.id,
        "installments_count": len(result.rows),
    }


def draft_document(written: Any, facts: Any) -> dict[str, Any]:
    """`draft`: the agreement written, for which loan and date, from which source."""
    return written_document(
        "settlement_agreement", written.path, written.fmt, written.size_bytes
    ) | {
        "loan": facts.loan.id,
        "as_of": _iso(facts.quote.as_of),
        "title": written.title,
        "source": facts.source,
        "notices": list(facts.notices),
    }


def starter_document(path: Path, size_bytes: int) -> dict[str, Any]:
    """`new deal FILE`: the starter deal file written."""
    return written_document("deal_file", path, "toml", size_bytes)


def beancount_document(
    party_id: str, text: str, *, output: Path | None, entries: Sequence[Any]
) -> dict[str, Any]:
    """`export beancount PARTY`: the book as Beancount text; with `--output`, the file
    written and no `text`."""
    size_bytes = len(text.encode("utf-8"))
    document = written_document("beancount", output or "-", "beancount", size_bytes)
    document |= {"party": party_id, "entries_count": len(entries)}
    document["text"] = text if output is None else None
    return document
