"""acquittance: secured loans collateralised by notes receivable, and their settlement.

The public API is what this module exports; everything else may change.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

# Names resolve on first use, so that `acquittance read` does not pay for the ledger.
_WHERE: dict[str, str] = {
    "AcquittanceError": "acquittance.errors",
    "Advance": "acquittance.instruments",
    "CONVENTIONS": "acquittance.daycount",
    "CashLeg": "acquittance.settlement_types",
    "Closing": "acquittance.settlement_types",
    "CollateralLine": "acquittance.settlement_types",
    "Compounding": "acquittance.instruments",
    "Deal": "acquittance.deal",
    "Discharge": "acquittance.instruments",
    "FinancingStatement": "acquittance.collateral",
    "InputError": "acquittance.errors",
    "LevelPayment": "acquittance.instruments",
    "Loan": "acquittance.instruments",
    "Money": "acquittance.money",
    "NotFoundError": "acquittance.errors",
    "Note": "acquittance.instruments",
    "NoteTransfer": "acquittance.settlement_types",
    "Obligation": "acquittance.settlement_types",
    "ObligationKind": "acquittance.settlement_types",
    "OpeningBalance": "acquittance.instruments",
    "Party": "acquittance.instruments",
    "Payment": "acquittance.instruments",
    "Position": "acquittance.instruments",
    "Quote": "acquittance.settlement_types",
    "RateChange": "acquittance.instruments",
    "Satisfaction": "acquittance.instruments",
    "SatisfactionKind": "acquittance.settlement_types",
    "SecurityInterest": "acquittance.collateral",
    "Signatory": "acquittance.instruments",
    "StateError": "acquittance.errors",
    "StorageError": "acquittance.errors",
    "Terms": "acquittance.instruments",
    "amortization_schedule": "acquittance.schedule",
    "close": "acquittance.settlement",
    "explain": "acquittance.settlement",
    "level_payment": "acquittance.schedule",
    "parse_deal": "acquittance.deal",
    "parse_rate": "acquittance.interest",
    "position": "acquittance.accrual",
    "positions": "acquittance.accrual",
    "quote": "acquittance.settlement",
    "read_deal_file": "acquittance.deal",
    "round_money": "acquittance.money",
    "simple_interest": "acquittance.interest",
    "year_fraction": "acquittance.daycount",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'acquittance' has no attribute {name!r}")


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
