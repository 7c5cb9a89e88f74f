"""The reference deal (examples/valence-berg-2002.toml), built by hand, and small builders."""

from __future__ import annotations

from decimal import Decimal

from acquittance.core.instruments import Compounding, Event, Loan, Terms
from reference_case import (
    AS_OF,
    LOAN_TERMS,
    NOTE_TERMS,
    reference_interest,
    reference_loan,
    reference_notes,
)

D = Decimal
__all__ = [
    "AS_OF",
    "LOAN_TERMS",
    "NOTE_TERMS",
    "reference_interest",
    "reference_loan",
    "reference_notes",
]


def loan_with(
    events: tuple[Event, ...],
    *,
    rate: str = "0.06",
    day_count: str = "ACT/360",
    compounding: Compounding = Compounding.SIMPLE,
    rounding: str = "half-up",
) -> Loan:
    terms = Terms(D(rate), day_count, "USD", compounding, rounding)
    return Loan("loan", "lender", "borrower", terms, events)
