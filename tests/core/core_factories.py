"""The reference deal (examples/valence-berg-2002.toml), built by hand, and small builders."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from acquittance.collateral import FinancingStatement, SecurityInterest
from acquittance.instruments import Compounding, Event, Loan, Note, OpeningBalance, Terms

D = Decimal
AS_OF = date(2002, 3, 31)
LOAN_TERMS = Terms(D("0.065"), "ACT/360", "USD")
NOTE_TERMS = Terms(D("0.075"), "30/360-US", "USD")


def reference_loan() -> Loan:
    return Loan(
        id="berg-valence-loan",
        lender_id="berg",
        borrower_id="valence",
        terms=LOAN_TERMS,
        events=(OpeningBalance(AS_OF, D("17500000.00"), D("1140370.41")),),
        agreement_date=date(2001, 2, 24),
    )


def _note(number: int, principal: str, interest: str, issued: date) -> Note:
    return Note(
        id=f"valence-note-{number}",
        maker=f"Exhibit A obligor {number} (illustrative)",
        holder_id="valence",
        terms=NOTE_TERMS,
        events=(OpeningBalance(AS_OF, D(principal), D(interest)),),
        issue_date=issued,
    )


def reference_notes() -> dict[str, Note]:
    notes = (
        _note(1, "8000000.00", "434250.00", date(1998, 6, 30)),
        _note(2, "6000000.00", "325687.50", date(1999, 1, 15)),
        _note(3, "3533226.80", "191817.43", date(2000, 3, 1)),
    )
    return {note.id: note for note in notes}


def reference_interest() -> SecurityInterest:
    return SecurityInterest(
        id="berg-valence-pledge",
        loan_id="berg-valence-loan",
        secured_party_id="berg",
        debtor_id="valence",
        note_ids=("valence-note-1", "valence-note-2", "valence-note-3"),
        granted_on=date(2001, 2, 24),
        financing_statements=(
            FinancingStatement(
                "berg-valence-ucc1",
                "California Secretary of State",
                "illustrative",
                date(2001, 3, 1),
            ),
        ),
    )


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
