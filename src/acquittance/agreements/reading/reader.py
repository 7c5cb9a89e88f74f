"""The reading pipeline: text in, `Reading` out, as one readable list of steps."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from acquittance.agreements.reading import checks, clauses, parties, roles, segments, signatures
from acquittance.agreements.reading.amounts import Figure, figures, percents
from acquittance.agreements.reading.model import Amount, Rate, Reading, ReferencedAgreement
from acquittance.agreements.reading.sources import check_text, load


def read_file(path: str | Path) -> Reading:
    """Read the agreement in a .txt, .md, .htm/.html, .docx or .pdf file."""
    text, kind = load(Path(path))
    return read_text(text, source_format=kind)


def read_text(text: str, *, source_format: str = "text") -> Reading:
    """Read an agreement's text; offsets in the result index into `text`."""
    check_text(text)
    text = text.replace("\r\n", "\n") if "\r\n" in text and source_format != "text" else text
    attached = segments.attachments(text)
    body_end = attached[0].start if attached else len(text)
    units = segments.units(text, end=body_end)
    title = parties.find_title(text)
    found_parties = parties.find_parties(text)
    sides = roles.find_sides(text[:body_end], found_parties)
    found_parties = roles.party_roles(found_parties, sides, text)
    references = parties.find_referenced(text[:body_end], title=title)
    found_figures = figures(text)
    amounts = _amounts(text, found_figures, units, attached, sides, body_end)
    found_signatories = signatures.find_signatories(text, body_end=body_end, parties=found_parties)
    discrepancies = [
        *checks.words_mismatches(found_figures),
        *checks.date_conflicts(references),
        *checks.schedule_mismatches(text, body_end, attached),
        *checks.stranger_signatures(found_signatories, found_parties),
    ]
    return Reading(
        text=text,
        title=title,
        effective_date=parties.find_effective_date(text),
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


def _amounts(
    text: str,
    found: Sequence[Figure],
    units: Sequence[segments.Unit],
    attached: Sequence[segments.Attachment],
    sides: roles.Sides,
    body_end: int,
) -> list[Amount]:
    terms = roles.term_sides(text, body_end=body_end, sides=sides)
    spans = [(u.start, u.end) for u in units]
    body = [f for f in found if f.start < body_end]
    result = []
    for figure, context in zip(body, roles.contexts(text, spans, body), strict=True):
        role = roles.role_of(context, sides=sides, terms=terms)
        result.append(_amount(text, figure, role, None))
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
        if value == figure.value and role != "other":
            return role
    attachment = next((a for a in attached if a.label == schedule), None)
    if attachment is None:
        return "other"
    return _column_role(text, figure, attachment)


def _column_role(text: str, figure: Figure, attachment: segments.Attachment) -> str:
    # In a table "| Maker | Date | Principal | Interest |", the header cell over the
    # figure's cell names it; notes scheduled in an exhibit are the collateral.
    line_start = text.rfind("\n", attachment.start, figure.start) + 1
    line = text[line_start : text.find("\n", figure.start) % (len(text) + 1)]
    cell = text[line_start : figure.start].count("|")
    header = re.search(r"^.*\|.*\bprincipal\b.*$", text[attachment.start : line_start], re.I | re.M)
    if "|" not in line or header is None:
        return "other"
    cells = [c.strip().lower() for c in header.group(0).split("|")]
    label = cells[cell] if cell < len(cells) else ""
    if "interest" in label:
        return "collateral_interest"
    if "principal" in label:
        return "collateral_principal"
    if "total" in label:
        return "collateral_value"
    return "other"


def _unique_references(
    references: Sequence[ReferencedAgreement],
) -> list[ReferencedAgreement]:
    # The same instrument with the same date, named again, is one reference.
    seen: dict[tuple[str, object], ReferencedAgreement] = {}
    for reference in references:
        seen.setdefault((reference.name, reference.date), reference)
    return list(seen.values())
