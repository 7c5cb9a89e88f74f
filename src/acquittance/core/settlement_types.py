"""The values a settlement is made of: the quote, and the effects of closing it.

Kept apart from the logic in `settlement` so that the ledger's posting rules and
the agreement drafter can depend on the shapes without depending on the logic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from acquittance.core.instruments import Event, Position


class SatisfactionKind(StrEnum):
    """UCC 9-620: acceptance of collateral in full or in partial satisfaction."""

    FULL = "full"
    PARTIAL = "partial"


@dataclass(frozen=True)
class CollateralLine:
    """One note assigned: its position on the quote date and the value it is taken at."""

    note_id: str
    maker: str
    issue_date: date | None
    principal: Decimal
    interest: Decimal
    value: Decimal  # equals carrying_amount unless an explicit value was given

    @property
    def carrying_amount(self) -> Decimal:
        return self.principal + self.interest

    @property
    def gain_or_loss(self) -> Decimal:
        """Value less carrying amount: positive is a gain to the assignor (the borrower)."""
        return self.value - self.carrying_amount


@dataclass(frozen=True)
class CashLeg:
    """The cash that balances debt and collateral: who pays whom; zero and None when none moves."""

    amount: Decimal
    payer_id: str | None
    payee_id: str | None


@dataclass(frozen=True)
class Quote:
    """What is owed on a loan on a date, the collateral assigned, and the cash that balances them.

    Identity: owed_total = collateral_value + cash to lender - cash to borrower + remaining_debt.
    """

    loan_id: str
    lender_id: str
    borrower_id: str
    as_of: date
    currency: str
    owed_principal: Decimal
    owed_interest: Decimal
    per_diem: Decimal  # interest for each day past as_of, until good_through
    good_through: date
    collateral: tuple[CollateralLine, ...]
    cash: CashLeg
    remaining_debt: Decimal
    satisfaction: SatisfactionKind
    fingerprint: str  # digest of every input; a closing refuses a quote whose inputs changed
    loan_position: Position
    note_positions: tuple[Position, ...]
    # The per diem before rounding, for figures that multiply it (interest to the
    # good-through date); None for a quote rebuilt from a document, which keeps cents only.
    per_diem_exact: Fraction | None = field(default=None, compare=False)
    # Fees and late charges charged and not yet paid: owed beside principal and interest.
    owed_charges: Decimal = Decimal("0.00")

    @property
    def owed_total(self) -> Decimal:
        return self.owed_principal + self.owed_interest + self.owed_charges

    @property
    def collateral_principal(self) -> Decimal:
        return sum((line.principal for line in self.collateral), Decimal("0.00"))

    @property
    def collateral_interest(self) -> Decimal:
        return sum((line.interest for line in self.collateral), Decimal("0.00"))

    @property
    def collateral_carrying_amount(self) -> Decimal:
        return self.collateral_principal + self.collateral_interest

    @property
    def collateral_value(self) -> Decimal:
        return sum((line.value for line in self.collateral), Decimal("0.00"))


@dataclass(frozen=True)
class NoteTransfer:
    """A note changes holder: assigned by the borrower to the lender at closing."""

    note_id: str
    from_party_id: str
    to_party_id: str
    date: date


class ObligationKind(StrEnum):
    TERMINATION_STATEMENT = "termination_statement"  # file a UCC-3 for a financing statement
    WIRE = "wire"  # pay the balancing cash
    AMENDMENT_STATEMENT = "amendment_statement"  # file a UCC-3 releasing named collateral


@dataclass(frozen=True)
class Obligation:
    """Something a party must still do after closing, by a deadline."""

    id: str
    kind: ObligationKind
    settlement_id: str
    party_id: str  # who must do it
    description: str
    due: date
    amount: Decimal | None = None
    financing_statement_id: str | None = None


@dataclass(frozen=True)
class Closing:
    """Everything closing a quote changes, computed purely; a service applies it in one go."""

    settlement_id: str
    quote: Quote
    note_transfers: tuple[NoteTransfer, ...]
    loan_events: tuple[Event, ...]  # Satisfaction, and Discharge when fully satisfied
    released_interest_ids: tuple[str, ...]
    obligations: tuple[Obligation, ...]
    # (security interest id, note id): assigned notes leaving a pledge that continues.
    released_pledges: tuple[tuple[str, str], ...] = ()
