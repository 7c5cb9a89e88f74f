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
from decimal import Decimal
from typing import Any

from acquittance.core.errors import InputError

_LENDER_ROLES = ("lender", "secured_party", "creditor", "assignee", "releasor")
_BORROWER_ROLES = ("borrower", "debtor", "assignor", "releasee")


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:40].strip("-") or "party"


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


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
    lines = [
        f"# Imported from {source} by `acquittance read --import`.",
        "# Figures are the agreement's own; review anything marked as not stated.",
        "",
        "[deal]",
        f"title = {_quoted(reading.get('title') or 'Settlement Agreement')}",
        f"currency = {_quoted(amounts[0].get('currency') or 'USD')}",
    ]
    if law:
        lines.append(f"governing_law = {_quoted(law)}")
    for who, party_id in ((lender, lender_id), (borrower, borrower_id)):
        lines += ["", "[[parties]]", f"id = {_quoted(party_id)}", f"name = {_quoted(who['name'])}"]
        lines.append(f"short_name = {_quoted(who.get('short_name') or who['name'])}")
        lines.append(f"entity_type = {_quoted(who.get('entity_type') or 'not stated')}")
        lines.append(f"jurisdiction = {_quoted(who.get('jurisdiction') or 'not stated')}")
        signer = signatories.get(who["name"]) or signatories.get(who.get("short_name"))
        if signer and signer.get("name"):
            title = signer.get("title") or "not stated"
            lines.append(
                f"signatories = [{{ name = {_quoted(signer['name'])}, title = {_quoted(title)} }}]"
            )
    loan_id = f"{lender_id}-{borrower_id}-loan"
    lines += [
        "",
        "[[loans]]",
        f"id = {_quoted(loan_id)}",
        f"agreement_name = {_quoted(agreement.get('name') or 'Loan Agreement')}",
    ]
    if agreement.get("date"):
        lines.append(f"agreement_date = {agreement['date']}")
    lines += [
        f"lender = {_quoted(lender_id)}",
        f"borrower = {_quoted(borrower_id)}",
        f"annual_rate = {_quoted(annual_rate)}  # {rate_note}",
        'day_count = "ACT/360"  # not stated in the agreement',
        "",
        "[[loans.events]]",
        'kind = "opening"',
        f"date = {effective}",
        f"principal = {principal}",
        f"interest = {interest}",
        "",
        "[[notes]]",
        f'id = "{borrower_id}-collateral"',
        'maker = "not stated (the notes listed in the agreement\'s schedule)"',
        f"holder = {_quoted(borrower_id)}",
        'annual_rate = "0%"  # not stated in the agreement',
        'day_count = "30/360-US"  # not stated in the agreement',
        "",
        "[[notes.events]]",
        'kind = "opening"',
        f"date = {effective}",
        f"principal = {collateral[0]}",
        f"interest = {collateral[1]}",
        "",
        "[[security_interests]]",
        f'id = "{loan_id}-pledge"',
        f"loan = {_quoted(loan_id)}",
        f"secured_party = {_quoted(lender_id)}",
        f"debtor = {_quoted(borrower_id)}",
        f'notes = ["{borrower_id}-collateral"]',
        "",
    ]
    return "\n".join(lines)
