"""From what an agreement says to a draft deal in the register (`read --import`).

The reading names the parties, the loan with what it owed on the effective
date, and the collateral with its principal and interest. This module writes
those as a deal file's TOML text, so that it can be reviewed, kept and loaded
like any other deal, and the settlement quoted, closed and booked, and the books
checked against the agreement. Nothing is invented: what the agreement does not
state (the loan's rate, the notes' makers) is marked as not stated, and an
agreement without the figures a settlement needs is refused with a clear code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import tomli_w

from acquittance.core.dates import parse_date
from acquittance.core.errors import InputError

_LENDER_ROLES = ("lender", "secured_party", "creditor", "assignee", "releasor")
_BORROWER_ROLES = ("borrower", "debtor", "assignor", "releasee")


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:40].strip("-") or "party"


def _party_with(parties: Sequence[Mapping[str, Any]], roles: Sequence[str]) -> Mapping[str, Any]:
    for role in roles:
        for party in parties:
            if party.get("role") == role:
                return party
    raise InputError(
        "IMPORT_NEEDS_PARTIES",
        "the agreement does not say which party lends and which borrows; import needs both "
        f"(found: {', '.join(str(p.get('name')) for p in parties) or 'no parties'})",
    )


def _sum_of(amounts: Sequence[Mapping[str, Any]], role: str) -> Decimal | None:
    """The figure of a role as the reconciliation used it (repeats in schedules ignored)."""
    values = [
        Decimal(a["value"]) for a in amounts if a.get("role") == role and not a.get("schedule")
    ]
    if not values:
        return None
    # The same figure repeated (a recital and a clause) counts once.
    return sum(set(values), Decimal("0.00"))


def _debt(amounts: Sequence[Mapping[str, Any]]) -> tuple[Decimal, Decimal]:
    principal = _sum_of(amounts, "debt_principal")
    interest = _sum_of(amounts, "debt_interest") or Decimal("0.00")
    if principal is None:
        total = _sum_of(amounts, "debt_total")
        if total is None:
            raise InputError(
                "IMPORT_NEEDS_DEBT",
                "the agreement states no outstanding loan principal or balance; nothing to import",
            )
        principal, interest = total, Decimal("0.00")
    return principal, interest


def _collateral(amounts: Sequence[Mapping[str, Any]]) -> tuple[Decimal, Decimal] | None:
    principal = _sum_of(amounts, "collateral_principal")
    interest = _sum_of(amounts, "collateral_interest") or Decimal("0.00")
    if principal is None:
        value = _sum_of(amounts, "collateral_value")
        return None if value is None else (value, Decimal("0.00"))
    return principal, interest


def _rate(rates: Sequence[Mapping[str, Any]], given: str | None) -> tuple[str, str]:
    if given is not None:
        return given, "given on the command line"
    stated = {str(r.get("value")) for r in rates if r.get("value") is not None}
    if len(stated) == 1:
        return f"{stated.pop()}%", "as stated in the agreement"
    return "0%", "not stated in the agreement: set it before quoting any later date"


def deal_text(reading: Mapping[str, Any], *, source: str, rate: str | None = None) -> str:
    """A deal file (TOML) for the loan, notes and pledge an agreement describes."""
    effective = reading.get("effective_date")
    if not effective:
        raise InputError(
            "IMPORT_NEEDS_DATE", "the agreement states no effective date; import needs one"
        )
    parties = reading.get("parties") or []
    lender, borrower = _party_with(parties, _LENDER_ROLES), _party_with(parties, _BORROWER_ROLES)
    lender_id, borrower_id = (
        _slug(lender["short_name"] or lender["name"]),
        _slug(borrower["short_name"] or borrower["name"]),
    )
    amounts = reading.get("amounts") or []
    principal, interest = _debt(amounts)
    collateral = _collateral(amounts)
    if collateral is None:
        raise InputError(
            "IMPORT_NEEDS_COLLATERAL",
            "the agreement states no collateral figures; import needs the notes' principal",
        )
    annual_rate, rate_note = _rate(reading.get("rates") or [], rate)
    agreement: Mapping[str, Any] = next(iter(reading.get("referenced_agreements") or []), {})
    law = next(
        (
            c.get("jurisdiction")
            for c in reading.get("clauses") or []
            if c.get("kind") == "governing_law"
        ),
        None,
    )
    signatories = {s.get("party"): s for s in reading.get("signatories") or []}
    on = parse_date(str(effective), field="the effective date")
    lines = [
        _comment(f"Imported from {source} by `acquittance read --import`."),
        "# Figures are the agreement's own; review anything marked as not stated.",
        *_table(
            "[deal]",
            {
                "title": reading.get("title") or "Settlement Agreement",
                "currency": amounts[0].get("currency") or "USD",
                "governing_law": law or None,
            },
        ),
    ]
    for who, party_id in ((lender, lender_id), (borrower, borrower_id)):
        signer = signatories.get(who["name"]) or signatories.get(who.get("short_name"))
        signed_by = None
        if signer and signer.get("name"):
            signed_by = [{"name": signer["name"], "title": signer.get("title") or "not stated"}]
        party = {
            "id": party_id,
            "name": who["name"],
            "short_name": who.get("short_name") or who["name"],
            "entity_type": who.get("entity_type") or "not stated",
            "jurisdiction": who.get("jurisdiction") or "not stated",
            "signatories": signed_by,
        }
        lines += _table("[[parties]]", party)
    loan_id = f"{lender_id}-{borrower_id}-loan"
    note_id = f"{borrower_id}-collateral"
    agreement_date = agreement.get("date")
    loan = {
        "id": loan_id,
        "agreement_name": agreement.get("name") or "Loan Agreement",
        "agreement_date": (
            parse_date(str(agreement_date), field="the loan agreement's date")
            if agreement_date
            else None
        ),
        "lender": lender_id,
        "borrower": borrower_id,
        "annual_rate": annual_rate,
        "day_count": "ACT/360",
    }
    lines += _table(
        "[[loans]]",
        loan,
        comments={"annual_rate": rate_note, "day_count": _NOT_STATED},
    )
    lines += _table("[[loans.events]]", _opening(on, principal, interest))
    note = {
        "id": note_id,
        "maker": "not stated (the notes listed in the agreement's schedule)",
        "holder": borrower_id,
        "annual_rate": "0%",
        "day_count": "30/360-US",
    }
    lines += _table(
        "[[notes]]", note, comments={"annual_rate": _NOT_STATED, "day_count": _NOT_STATED}
    )
    lines += _table("[[notes.events]]", _opening(on, *collateral))
    pledge = {
        "id": f"{loan_id}-pledge",
        "loan": loan_id,
        "secured_party": lender_id,
        "debtor": borrower_id,
        "notes": [note_id],
    }
    lines += _table("[[security_interests]]", pledge)
    return "\n".join(lines) + "\n"


_NOT_STATED = "not stated in the agreement"


def _opening(on: date, principal: Decimal, interest: Decimal) -> dict[str, Any]:
    """An opening-balance event; tomli-w writes the Decimals as exact TOML literals."""
    return {"kind": "opening", "date": on, "principal": principal, "interest": interest}


def _table(
    header: str, values: Mapping[str, Any], *, comments: Mapping[str, str] | None = None
) -> list[str]:
    """A table's lines: its header, then each key tomli-w writes, with any note beside it.

    Keys are written one at a time so that a note (what the agreement does not
    state) can stand on the line of the value it is about; tomli-w quotes and
    escapes every value, so nothing an agreement says can end a string or start
    a table. A value of None is left out.
    """
    lines = ["", header]
    for key, value in values.items():
        if value is None:
            continue
        line = tomli_w.dumps({key: value}).rstrip("\n")
        note = (comments or {}).get(key)
        lines.append(f"{line}  {_comment(note)}" if note else line)
    return lines


def _comment(text: str) -> str:
    """A TOML comment of one line: a line break or control character in `text` becomes a space."""
    return "# " + "".join(ch if ch.isprintable() else " " for ch in text)
