"""acquittance: secured loans collateralised by notes receivable, and their settlement.

The public API is what this module exports; everything else may change.
"""

from acquittance.accrual import position, positions
from acquittance.collateral import FinancingStatement, SecurityInterest
from acquittance.daycount import CONVENTIONS, year_fraction
from acquittance.deal import Deal, parse_deal, read_deal_file
from acquittance.errors import (
    AcquittanceError,
    InputError,
    NotFoundError,
    StateError,
    StorageError,
)
from acquittance.instruments import (
    Advance,
    Compounding,
    Discharge,
    LevelPayment,
    Loan,
    Note,
    OpeningBalance,
    Party,
    Payment,
    Position,
    RateChange,
    Satisfaction,
    Signatory,
    Terms,
)
from acquittance.interest import parse_rate, simple_interest
from acquittance.money import Money, round_money
from acquittance.schedule import amortization_schedule, level_payment
from acquittance.settlement import close, explain, quote
from acquittance.settlement_types import (
    CashLeg,
    Closing,
    CollateralLine,
    NoteTransfer,
    Obligation,
    ObligationKind,
    Quote,
    SatisfactionKind,
)

__version__ = "0.1.0"

__all__ = [
    "CONVENTIONS",
    "AcquittanceError",
    "Advance",
    "CashLeg",
    "Closing",
    "CollateralLine",
    "Compounding",
    "Deal",
    "Discharge",
    "FinancingStatement",
    "InputError",
    "LevelPayment",
    "Loan",
    "Money",
    "NotFoundError",
    "Note",
    "NoteTransfer",
    "Obligation",
    "ObligationKind",
    "OpeningBalance",
    "Party",
    "Payment",
    "Position",
    "Quote",
    "RateChange",
    "Satisfaction",
    "SatisfactionKind",
    "SecurityInterest",
    "Signatory",
    "StateError",
    "StorageError",
    "Terms",
    "amortization_schedule",
    "close",
    "explain",
    "level_payment",
    "parse_deal",
    "parse_rate",
    "position",
    "positions",
    "quote",
    "read_deal_file",
    "round_money",
    "simple_interest",
    "year_fraction",
]
