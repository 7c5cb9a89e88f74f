"""The reference case (examples/valence-berg-2002.toml) as domain values, built by hand.

One copy for every test folder: the core, ledger, store and drafting tests use
these without parsing the deal file, so that each area is tested on its own.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from acquittance.core.collateral import FinancingStatement, SecurityInterest
from acquittance.core.instruments import Loan, Note, OpeningBalance, Party, Signatory, Terms

AS_OF = date(2002, 3, 31)
LOAN_TERMS = Terms(Decimal("0.065"), "ACT/360", "USD")
NOTE_TERMS = Terms(Decimal("0.075"), "30/360-US", "USD")

BERG = Party(
    id="berg",
    name="Berg & Berg Enterprises, LLC",
    entity_type="limited liability company",
    jurisdiction="California",
    short_name="Berg",
    signatories=(Signatory("Carl E. Berg", "Managing Member"),),
)
VALENCE = Party(
    id="valence",
    name="Valence Technology, Inc.",
    entity_type="corporation",
    jurisdiction="Delaware",
    short_name="Valence",
    signatories=(Signatory("Kevin W. Mischnick", "VP of Finance"),),
)

#: (note id, issue date, principal, accrued interest) of the illustrative split of Exhibit A.
NOTE_FIGURES = (
    ("valence-note-1", date(1998, 6, 30), "8000000.00", "434250.00"),
    ("valence-note-2", date(1999, 1, 15), "6000000.00", "325687.50"),
    ("valence-note-3", date(2000, 3, 1), "3533226.80", "191817.43"),
)


def reference_loan() -> Loan:
    return Loan(
        id="berg-valence-loan",
        lender_id="berg",
        borrower_id="valence",
        terms=LOAN_TERMS,
        events=(OpeningBalance(AS_OF, Decimal("17500000.00"), Decimal("1140370.41")),),
        agreement_date=date(2001, 2, 24),
        governing_law="California",
    )


def reference_notes() -> dict[str, Note]:
    notes = (
        Note(
            id=note_id,
            maker=f"Exhibit A obligor {number} (illustrative)",
            holder_id="valence",
            terms=NOTE_TERMS,
            events=(OpeningBalance(AS_OF, Decimal(principal), Decimal(interest)),),
            issue_date=issued,
        )
        for number, (note_id, issued, principal, interest) in enumerate(NOTE_FIGURES, start=1)
    )
    return {note.id: note for note in notes}


def reference_interest() -> SecurityInterest:
    return SecurityInterest(
        id="berg-valence-pledge",
        loan_id="berg-valence-loan",
        secured_party_id="berg",
        debtor_id="valence",
        note_ids=tuple(figures[0] for figures in NOTE_FIGURES),
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
