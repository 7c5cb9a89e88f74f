"""acquittance: secured loans collateralised by notes receivable, and their settlement.

The public API is what this module exports; everything else may change.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from acquittance.core.accrual import position, positions
    from acquittance.core.collateral import FinancingStatement, SecurityInterest
    from acquittance.core.daycount import CONVENTIONS, year_fraction
    from acquittance.core.errors import (
        AcquittanceError,
        InputError,
        NotFoundError,
        StateError,
        StorageError,
    )
    from acquittance.core.instruments import (
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
    from acquittance.core.interest import parse_rate, simple_interest
    from acquittance.core.money import Money, round_money
    from acquittance.core.schedule import amortization_schedule, level_payment
    from acquittance.core.settlement import close, explain, quote
    from acquittance.core.settlement_types import (
        CashLeg,
        Closing,
        CollateralLine,
        NoteTransfer,
        Obligation,
        ObligationKind,
        Quote,
        SatisfactionKind,
    )
    from acquittance.deals.parse import Deal, parse_deal, read_deal_file

# Names resolve on first use, so that `acquittance read` does not pay for the ledger.
_WHERE: dict[str, str] = {
    "AcquittanceError": "acquittance.core.errors",
    "Advance": "acquittance.core.instruments",
    "CONVENTIONS": "acquittance.core.daycount",
    "CashLeg": "acquittance.core.settlement_types",
    "Closing": "acquittance.core.settlement_types",
    "CollateralLine": "acquittance.core.settlement_types",
    "Compounding": "acquittance.core.instruments",
    "Deal": "acquittance.deals.parse",
    "Discharge": "acquittance.core.instruments",
    "FinancingStatement": "acquittance.core.collateral",
    "InputError": "acquittance.core.errors",
    "LevelPayment": "acquittance.core.instruments",
    "Loan": "acquittance.core.instruments",
    "Money": "acquittance.core.money",
    "NotFoundError": "acquittance.core.errors",
    "Note": "acquittance.core.instruments",
    "NoteTransfer": "acquittance.core.settlement_types",
    "Obligation": "acquittance.core.settlement_types",
    "ObligationKind": "acquittance.core.settlement_types",
    "OpeningBalance": "acquittance.core.instruments",
    "Party": "acquittance.core.instruments",
    "Payment": "acquittance.core.instruments",
    "Position": "acquittance.core.instruments",
    "Quote": "acquittance.core.settlement_types",
    "RateChange": "acquittance.core.instruments",
    "Satisfaction": "acquittance.core.instruments",
    "SatisfactionKind": "acquittance.core.settlement_types",
    "SecurityInterest": "acquittance.core.collateral",
    "Signatory": "acquittance.core.instruments",
    "StateError": "acquittance.core.errors",
    "StorageError": "acquittance.core.errors",
    "Terms": "acquittance.core.instruments",
    "amortization_schedule": "acquittance.core.schedule",
    "close": "acquittance.core.settlement",
    "explain": "acquittance.core.settlement",
    "level_payment": "acquittance.core.schedule",
    "parse_deal": "acquittance.deals.parse",
    "parse_rate": "acquittance.core.interest",
    "position": "acquittance.core.accrual",
    "positions": "acquittance.core.accrual",
    "quote": "acquittance.core.settlement",
    "read_deal_file": "acquittance.deals.parse",
    "round_money": "acquittance.core.money",
    "simple_interest": "acquittance.core.interest",
    "year_fraction": "acquittance.core.daycount",
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
