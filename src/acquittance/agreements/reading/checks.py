"""The checks a reviewer would make: does the arithmetic hold, does the text agree with itself.

Reconciliation is conservative: it applies only when the agreement settles a
debt (it says the debt is paid, discharged or satisfied) and the reader placed
both a debt figure and something that satisfies it. Figures in exhibits are
detail of the body's figures and are never added to them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal

from acquittance.agreements.reading.amounts import Figure
from acquittance.agreements.reading.model import (
    Amount,
    Discrepancy,
    Party,
    Reconciliation,
    ReferencedAgreement,
    Signatory,
)
from acquittance.agreements.reading.segments import Attachment, is_filing_number, normalise_label
from acquittance.core.money import CENT, ZERO, format_amount

# Words by which an agreement says a debt is settled; without them no arithmetic applies.
_SETTLES = re.compile(
    r"\b(?:(?:paid|payment|satisfied|satisfaction)\s+in\s+full|(?:fully|hereby)\s+(?:paid|satisfied)"
    r"|paid\s+and\s+discharged|(?:full|partial)\s+satisfaction\s+of|in\s+satisfaction\s+of\s+the"
    r"|acceptance\s+of\s+(?:the\s+)?collateral|payoff\s+amount|remains?\s+outstanding)\b",
    re.IGNORECASE,
)
DEBT_ROLES = ("debt_principal", "debt_interest", "debt_total")
COLLATERAL_ROLES = ("collateral_principal", "collateral_interest", "collateral_value")


def reconcile(text: str, amounts: Sequence[Amount]) -> Reconciliation:
    """debt = collateral + cash to creditor - cash to debtor + remaining debt, to the cent."""
    body = [a for a in amounts if a.schedule is None]
    chosen = {role: _distinct(text, body, role) for role in (*DEBT_ROLES, *COLLATERAL_ROLES)}
    for role in ("cash_to_creditor", "cash_to_debtor", "remaining_debt"):
        chosen[role] = _distinct(text, body, role)
    debt = _pick(chosen, "debt_principal", "debt_interest", "debt_total")
    # Collateral taken at an agreed value counts at that value, not at its carrying amount.
    collateral = chosen["collateral_value"] or _pick(
        chosen, "collateral_principal", "collateral_interest", "collateral_value"
    )
    cash_in, cash_out, rest = (
        chosen["cash_to_creditor"],
        chosen["cash_to_debtor"],
        chosen["remaining_debt"],
    )
    satisfaction = [*collateral, *cash_in, *cash_out, *rest]
    if not debt or not satisfaction or not _SETTLES.search(text):
        return Reconciliation("not_applicable")
    if len({a.currency for a in (*debt, *satisfaction)}) > 1:
        return Reconciliation("not_applicable", tuple(debt), tuple(satisfaction))
    owed = sum((a.value for a in debt), ZERO)
    settled = sum((a.value for a in (*collateral, *cash_in, *rest)), ZERO) - sum(
        (a.value for a in cash_out), ZERO
    )
    difference = (owed - settled).quantize(CENT)
    status = "balanced" if difference == 0 else "unbalanced"
    return Reconciliation(status, tuple(debt), tuple(satisfaction), difference)


def _distinct(text: str, amounts: Sequence[Amount], role: str) -> list[Amount]:
    # A figure repeated for the same purpose (a recital and an operative clause) counts once;
    # the same figure in two items of one list ("Note No. 1: $750,000.00 ...; Note No. 2:
    # $750,000.00 ...") or two rows of one table is two instruments and counts twice.
    kept: list[Amount] = []
    last: dict[Decimal, Amount] = {}
    for amount in sorted(amounts, key=lambda a: a.start):
        if amount.role != role:
            continue
        previous = last.get(amount.value)
        if previous is None or _separate_items(text[previous.end : amount.start]):
            kept.append(amount)
        last[amount.value] = amount
    return kept


_ROW = re.compile(r"^[^\n|]*\|[^\n]*$", re.MULTILINE)
ITEM_GAP_MAX = 600


def _separate_items(between: str) -> bool:
    """Whether the text between two equal figures parts two items of one list or table."""
    if len(between) > ITEM_GAP_MAX:
        return False
    if "|" in between:
        # Consecutive rows: the gap is the rest of one row and the start of the next.
        return "\n" in between and not _ROW.sub("", between).strip()
    return (
        ";" in between and "\n\n" not in between and not re.search(r"[a-z0-9)]\.\s+[A-Z]", between)
    )


def _pick(
    chosen: dict[str, list[Amount]], principal: str, interest: str, total: str
) -> list[Amount]:
    """Principal plus interest when the text gives them, else the stated total or value."""
    parts = [*chosen[principal], *chosen[interest]]
    return parts if parts else list(chosen[total])


def words_mismatches(figures: Sequence[Figure]) -> list[Discrepancy]:
    """Words that disagree with their figures: "five thousand dollars ($50,000)"."""
    found = []
    for figure in figures:
        if figure.words is None or figure.words == figure.value:
            continue
        start = figure.words_start if figure.words_start is not None else figure.start
        found.append(
            Discrepancy(
                "words_figures_mismatch",
                f"the words say {format_amount(figure.words)} but the figures say "
                f"{format_amount(figure.value)}",
                min(start, figure.start),
                max(figure.end, figure.words_end or figure.end),
            )
        )
    return found


def date_conflicts(references: Sequence[ReferencedAgreement]) -> list[Discrepancy]:
    """One instrument given two different dates."""
    first: dict[str, ReferencedAgreement] = {}
    found = []
    for reference in references:
        if reference.date is None:
            continue
        key = re.sub(r"^(?:the|this|a|an)\s+", "", reference.name.lower())
        earlier = first.setdefault(key, reference)
        if earlier.date != reference.date:
            found.append(
                Discrepancy(
                    "instrument_date_conflict",
                    f"the {reference.name} is dated {reference.date} here but "
                    f"{earlier.date} earlier in the text",
                    reference.start,
                    reference.end,
                )
            )
    return found


_CITED = re.compile(
    r"\b(?P<label>(?:Exhibit|EXHIBIT|Schedule|SCHEDULE|Annex|ANNEX|Appendix|APPENDIX)\s+"
    r"(?P<letter>[A-Z0-9]{1,3}(?:[.-]\d{1,3})?))\b"
)


def schedule_mismatches(
    text: str, body_end: int, attached: Sequence[Attachment]
) -> list[Discrepancy]:
    """Schedules cited but not attached, and attached but never cited (when any are attached)."""
    if not attached:
        # Filed copies often leave every exhibit out; that is no contradiction in the text.
        return []
    labels = {a.label for a in attached}
    cited: dict[str, re.Match[str]] = {}
    for match in _CITED.finditer(text, 0, body_end):
        if not is_filing_number(match.group("letter")):
            cited.setdefault(normalise_label(match.group("label")), match)
    found = [
        Discrepancy(
            "schedule_mismatch",
            f"the text cites {label} but no attachment is headed {label} "
            f"(attached: {', '.join(sorted(labels))})",
            match.start(),
            match.end(),
        )
        for label, match in cited.items()
        if label not in labels and label.split()[0] in {x.split()[0] for x in labels}
    ]
    found += [
        Discrepancy(
            "schedule_mismatch",
            f"an attachment is headed {a.label} but the text never cites it",
            a.start,
            a.heading_end,
        )
        for a in attached
        if a.label not in cited
    ]
    return found


def stranger_signatures(
    signatories: Sequence[Signatory], parties: Sequence[Party]
) -> list[Discrepancy]:
    """A signature block for a party that is not a party to the agreement."""
    if not parties:
        return []
    keys = set()
    for party in parties:
        keys.add(_key(party.name))
        if party.short_name:
            keys.add(_key(party.short_name))
    found = []
    for signatory in signatories:
        if (
            signatory.party
            and _key(signatory.party) not in keys
            and not _near(signatory.party, keys)
        ):
            found.append(
                Discrepancy(
                    "signature_not_a_party",
                    f"{signatory.name} signs for {signatory.party}, which is not a party "
                    "named in the agreement",
                    signatory.start,
                    signatory.end,
                )
            )
    return found


def _near(name: str, keys: set[str]) -> bool:
    key = _key(name)
    return any(key and other and (key in other or other in key) for other in keys)


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def total_mismatches(text: str, amounts: Sequence[Amount]) -> list[Discrepancy]:
    """A stated total that its listed parts do not add up to (see `totals.py`)."""
    from acquittance.agreements.reading.totals import stated_totals

    found = []
    for total in stated_totals(text, amounts):
        if total.parts_sum != total.amount.value:
            found.append(
                Discrepancy(
                    "total_mismatch",
                    f"the stated total {format_amount(total.amount.value)} is not the sum of "
                    f"its {len(total.parts)} parts ({format_amount(total.parts_sum)})",
                    min(total.amount.start, total.parts[0].start),
                    max(total.amount.end, total.parts[-1].end),
                )
            )
    return found
