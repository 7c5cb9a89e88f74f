"""The pure reader: an agreement's text in, its `Reading` out, as one list of steps.

Nothing here touches a file, a process or the console: `reader.py` brings the
text in from a file, `batch.py` and `output.py` read many and write results.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from acquittance.agreements.reading import (
    checks,
    clauses,
    context,
    dates,
    parties,
    roles,
    segments,
    sides,
    signatures,
    titles,
)
from acquittance.agreements.reading.amounts import Figure, figures, percents
from acquittance.agreements.reading.model import Amount, Rate, Reading, ReferencedAgreement


def analyse(text: str, *, source_format: str = "text") -> Reading:
    """Everything read from an agreement's text; offsets in the result index into `text`."""
    text = text.replace("\r\n", "\n") if "\r\n" in text and source_format != "text" else text
    attached = segments.attachments(text)
    body_end = attached[0].start if attached else len(text)
    units = segments.units(text, end=body_end)
    title = titles.find_title(text)
    found_parties = parties.find_parties(text)
    found_sides = sides.find_sides(text[:body_end], found_parties)
    found_parties = sides.party_roles(found_parties, found_sides, text)
    title = titles.without_party_names(
        title, [n for p in found_parties for n in (p.name, p.short_name) if n]
    )
    references = parties.find_referenced(text[:body_end], title=title)
    found_figures = figures(text)
    amounts = _amounts(text, found_figures, units, attached, found_sides, body_end)
    found_signatories = signatures.find_signatories(text, body_end=body_end, parties=found_parties)
    effective = dates.find_effective_dates(text, body_end=body_end)
    discrepancies = [
        *checks.words_mismatches(found_figures),
        *checks.date_conflicts(references),
        *dates.effective_date_conflicts(effective),
        *checks.schedule_mismatches(text, body_end, attached),
        *checks.stranger_signatures(found_signatories, found_parties),
        *checks.total_mismatches(text[:body_end], amounts),
    ]
    return Reading(
        text=text,
        title=title,
        effective_date=effective[0].value if effective else None,
        parties=tuple(found_parties),
        referenced_agreements=tuple(_unique_references(references)),
        amounts=tuple(amounts),
        rates=tuple(Rate(p.value, text[p.start : p.end], p.start, p.end) for p in percents(text)),
        signatories=tuple(found_signatories),
        clauses=tuple(clauses.find_clauses(text, units)),
        reconciliation=checks.reconcile(text[:body_end], amounts),
        discrepancies=tuple(sorted(discrepancies, key=lambda d: d.start)),
        source_format=source_format,
    )


@dataclass(frozen=True)
class Explained:
    """A body figure, the role it got and the rules that gave it (for tests and tracing)."""

    text: str
    start: int
    decision: roles.Decision


def explain(text: str) -> list[Explained]:
    """Each figure of the body with its decision: which rules gave which role."""
    attached = segments.attachments(text)
    body_end = attached[0].start if attached else len(text)
    units = segments.units(text, end=body_end)
    found_sides = sides.find_sides(text[:body_end], parties.find_parties(text))
    terms = sides.term_sides(text, body_end=body_end, sides=found_sides)
    body = [f for f in figures(text) if f.start < body_end]
    spans = [(u.start, u.end) for u in units]
    return [
        Explained(text[f.start : f.end], f.start, roles.decide(c, sides=found_sides, terms=terms))
        for f, c in zip(body, context.contexts(text, spans, body), strict=True)
    ]


def _amounts(
    text: str,
    found: Sequence[Figure],
    units: Sequence[segments.Unit],
    attached: Sequence[segments.Attachment],
    found_sides: sides.Sides,
    body_end: int,
) -> list[Amount]:
    terms = sides.term_sides(text, body_end=body_end, sides=found_sides)
    spans = [(u.start, u.end) for u in units]
    body = [f for f in found if f.start < body_end]
    result = []
    for figure, figure_context in zip(body, context.contexts(text, spans, body), strict=True):
        decision = roles.decide(figure_context, sides=found_sides, terms=terms)
        result.append(_amount(text, figure, decision.role, None))
    body_roles = {(a.value, a.role) for a in result}
    for figure in found[len(body) :]:
        schedule = next((a.label for a in attached if a.start <= figure.start < a.end), None)
        role = _schedule_role(text, figure, schedule, attached, body_roles)
        result.append(_amount(text, figure, role, schedule))
    return result


def _amount(text: str, figure: Figure, role: str, schedule: str | None) -> Amount:
    return Amount(
        value=figure.value,
        currency=figure.currency,
        role=role,
        text=text[figure.start : figure.end],
        start=figure.start,
        end=figure.end,
        words=figure.words,
        schedule=schedule,
    )


def _schedule_role(
    text: str,
    figure: Figure,
    schedule: str | None,
    attached: Sequence[segments.Attachment],
    body_roles: set[tuple[Decimal, str]],
) -> str:
    """A figure in an exhibit repeats a body figure's role, or is read from its column."""
    for value, role in body_roles:
        if value == figure.value and role not in ("other", "unknown"):
            return role
    attachment = next((a for a in attached if a.label == schedule), None)
    if attachment is None:
        return "unknown"
    return _column_role(text, figure, attachment)


def _column_role(text: str, figure: Figure, attachment: segments.Attachment) -> str:
    # In a table "| Maker | Date | Principal | Interest |", the header cell over the
    # figure's cell names it; notes scheduled in an exhibit are the collateral.
    line_start = text.rfind("\n", attachment.start, figure.start) + 1
    line = text[line_start : text.find("\n", figure.start) % (len(text) + 1)]
    cell = text[line_start : figure.start].count("|")
    header = re.search(r"^.*\|.*\bprincipal\b.*$", text[attachment.start : line_start], re.I | re.M)
    if "|" not in line or header is None:
        return "unknown"
    cells = [c.strip().lower() for c in header.group(0).split("|")]
    label = cells[cell] if cell < len(cells) else ""
    if "interest" in label:
        return "collateral_interest"
    if "principal" in label:
        return "collateral_principal"
    if "total" in label:
        return "collateral_value"
    return "unknown"


def _unique_references(
    references: Sequence[ReferencedAgreement],
) -> list[ReferencedAgreement]:
    # The same instrument with the same date, named again, is one reference.
    seen: dict[tuple[str, object], ReferencedAgreement] = {}
    for reference in references:
        seen.setdefault((reference.name, reference.date), reference)
    return list(seen.values())
