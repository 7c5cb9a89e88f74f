"""The reference settlement (Valence to Berg, 2002-03-31) and its variants, for drafting."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from acquittance.agreements.drafting import DraftContext, build_context
from acquittance.core.instruments import Position
from acquittance.core.settlement_types import CashLeg, CollateralLine, Quote, SatisfactionKind
from reference_case import BERG, NOTE_FIGURES, VALENCE, reference_loan, reference_notes

AS_OF = date(2002, 3, 31)

LOAN = replace(reference_loan(), events=())
NOTES = {note_id: replace(note, events=()) for note_id, note in reference_notes().items()}


def position(instrument_id: str, principal: Decimal, interest: Decimal) -> Position:
    """A minimal position: drafting reads only the quote's figures."""
    return Position(
        instrument_id=instrument_id,
        as_of=AS_OF,
        currency="USD",
        principal=principal,
        interest=interest,
        interest_exact=Fraction(interest),
    )


def reference_quote() -> Quote:
    lines = tuple(
        CollateralLine(
            note_id=note_id,
            maker=NOTES[note_id].maker,
            issue_date=issued,
            principal=Decimal(principal),
            interest=Decimal(interest),
            value=Decimal(principal) + Decimal(interest),
        )
        for note_id, issued, principal, interest in NOTE_FIGURES
    )
    return Quote(
        loan_id=LOAN.id,
        lender_id="berg",
        borrower_id="valence",
        as_of=AS_OF,
        currency="USD",
        owed_principal=Decimal("17500000.00"),
        owed_interest=Decimal("1140370.41"),
        per_diem=Decimal("3159.72"),
        good_through=AS_OF,
        collateral=lines,
        cash=CashLeg(Decimal("155388.68"), "valence", "berg"),
        remaining_debt=Decimal("0.00"),
        satisfaction=SatisfactionKind.FULL,
        fingerprint="reference",
        loan_position=position(LOAN.id, Decimal("17500000.00"), Decimal("1140370.41")),
        note_positions=tuple(
            position(line.note_id, line.principal, line.interest) for line in lines
        ),
    )


def context_of(quote: Quote, **options: Any) -> DraftContext:
    options.setdefault("governing_law", "California")
    return build_context(
        quote, parties={"berg": BERG, "valence": VALENCE}, loan=LOAN, notes=NOTES, **options
    )


def surplus_quote() -> Quote:
    """The notes taken at 18,700,000.00, 59,629.59 more than the debt: the surplus goes back."""
    quote = reference_quote()
    first, *rest = quote.collateral
    raised = replace(first, value=first.value + Decimal("215018.27"))
    return replace(
        quote,
        collateral=(raised, *rest),
        cash=CashLeg(Decimal("59629.59"), "berg", "valence"),
    )


def partial_quote() -> Quote:
    """Only the first note, no cash: the rest of the debt stays owed."""
    quote = reference_quote()
    first = quote.collateral[0]
    remaining = quote.owed_total - first.value
    return replace(
        quote,
        collateral=(first,),
        cash=CashLeg(Decimal("0.00"), None, None),
        remaining_debt=remaining,
        satisfaction=SatisfactionKind.PARTIAL,
    )


def exact_quote() -> Quote:
    """The debt equals the notes' carrying amount: no cash moves either way."""
    quote = reference_quote()
    return replace(
        quote,
        owed_interest=quote.owed_interest - quote.cash.amount,
        cash=CashLeg(Decimal("0.00"), None, None),
    )


def text_of(content: bytes, fmt: str) -> str:
    """The text a reader of the format would see, whitespace collapsed."""
    if fmt == "md":
        text = content.decode("utf-8")
    elif fmt == "html":
        import lxml.html

        # Each element's text apart, as a reader sees separate cells and lines.
        text = " ".join(lxml.html.fromstring(content).itertext())
    elif fmt == "docx":
        text = _docx_text(content)
    else:
        import pypdf

        reader = pypdf.PdfReader(io.BytesIO(content))
        text = "\n".join(page.extract_text() for page in reader.pages)
    return " ".join(text.split())


def _docx_text(content: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(content))
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        parts.extend(cell.text for row in table.rows for cell in row.cells)
    return "\n".join(parts)
