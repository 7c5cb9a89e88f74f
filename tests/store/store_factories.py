"""The reference deal as domain values, and helpers to load it, for the store tests."""

from __future__ import annotations

from dataclasses import dataclass

from acquittance.core.collateral import SecurityInterest
from acquittance.core.instruments import Loan, Note, Party
from acquittance.store.repository import Repository
from reference_case import BERG, VALENCE, reference_interest, reference_loan, reference_notes


@dataclass(frozen=True)
class Deal:
    parties: tuple[Party, ...]
    loan: Loan
    notes: tuple[Note, ...]
    interest: SecurityInterest


def reference_deal() -> Deal:
    """The Valence/Berg deal of examples/valence-berg-2002.toml, as domain values."""
    return Deal(
        parties=(BERG, VALENCE),
        loan=reference_loan(),
        notes=tuple(reference_notes().values()),
        interest=reference_interest(),
    )


def load_deal(repository: Repository, deal: Deal) -> None:
    for party in deal.parties:
        repository.add_party(party)
    repository.add_loan(deal.loan)
    for note in deal.notes:
        repository.add_note(note)
    repository.add_security_interest(deal.interest)
