"""The reference deal as domain values, and helpers to load it, for the store tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from acquittance.collateral import FinancingStatement, SecurityInterest
from acquittance.instruments import Loan, Note, OpeningBalance, Party, Signatory, Terms
from acquittance.store.repository import Repository


@dataclass(frozen=True)
class Deal:
    parties: tuple[Party, ...]
    loan: Loan
    notes: tuple[Note, ...]
    interest: SecurityInterest


def reference_deal() -> Deal:
    """The Valence/Berg deal of examples/valence-berg-2002.toml, as domain values."""
    berg = Party(
        id="berg",
        name="Berg & Berg Enterprises, LLC",
        entity_type="limited liability company",
        jurisdiction="California",
        short_name="Berg",
        signatories=(Signatory("Carl E. Berg", "Managing Member"),),
    )
    valence = Party(
        id="valence",
        name="Valence Technology, Inc.",
        entity_type="corporation",
        jurisdiction="Delaware",
        short_name="Valence",
        signatories=(Signatory("Kevin W. Mischnick", "VP of Finance"),),
    )
    loan = Loan(
        id="berg-valence-loan",
        lender_id="berg",
        borrower_id="valence",
        terms=Terms(annual_rate=Decimal("0.065"), day_count="ACT/360", currency="USD"),
        events=(OpeningBalance(date(2002, 3, 31), Decimal("17500000.00"), Decimal("1140370.41")),),
        agreement_name="Loan Agreement",
        agreement_date=date(2001, 2, 24),
    )
    figures = [
        ("8000000.00", "434250.00"),
        ("6000000.00", "325687.50"),
        ("3533226.80", "191817.43"),
    ]
    notes = tuple(
        Note(
            id=f"valence-note-{number}",
            maker=f"Exhibit A obligor {number} (illustrative)",
            holder_id="valence",
            terms=Terms(annual_rate=Decimal("0.075"), day_count="30/360-US", currency="USD"),
            events=(OpeningBalance(date(2002, 3, 31), Decimal(principal), Decimal(interest)),),
        )
        for number, (principal, interest) in enumerate(figures, start=1)
    )
    interest = SecurityInterest(
        id="berg-valence-pledge",
        loan_id=loan.id,
        secured_party_id="berg",
        debtor_id="valence",
        note_ids=tuple(note.id for note in notes),
        granted_on=date(2001, 2, 24),
        financing_statements=(
            FinancingStatement(
                id="berg-valence-ucc1",
                filing_office="California Secretary of State",
                file_number="illustrative",
                filed_on=date(2001, 3, 1),
            ),
        ),
    )
    return Deal(parties=(berg, valence), loan=loan, notes=notes, interest=interest)


def load_deal(repository: Repository, deal: Deal) -> None:
    for party in deal.parties:
        repository.add_party(party)
    repository.add_loan(deal.loan)
    for note in deal.notes:
        repository.add_note(note)
    repository.add_security_interest(deal.interest)
