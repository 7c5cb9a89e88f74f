"""acquittance: secured loans collateralised by notes receivable, and their settlement.

The public API is what this module exports; everything else may change.
"""

from __future__ import annotations

from acquittance import _lazy

__version__ = "0.1.0"

#: The public API: each module and the public names defined in it. `__all__` is
#: these names. Each is imported on first use (PEP 562), so that `import
#: acquittance` costs next to nothing and `acquittance read` does not pay for the
#: ledger. The imports below give type checkers the same names;
#: tests/test_public_api.py checks that the two agree.
_EXPORTS: dict[str, tuple[str, ...]] = {
    "acquittance.core.accrual": ("position", "positions"),
    "acquittance.core.collateral": ("FinancingStatement", "SecurityInterest"),
    "acquittance.core.daycount": ("CONVENTIONS", "year_fraction"),
    "acquittance.core.errors": (
        "AcquittanceError",
        "InputError",
        "NotFoundError",
        "StateError",
        "StorageError",
    ),
    "acquittance.core.instruments": (
        "Advance",
        "Charge",
        "Compounding",
        "DefaultRate",
        "Discharge",
        "InterestAccrual",
        "LateCharge",
        "LateChargeRule",
        "LevelPayment",
        "Loan",
        "Note",
        "OpeningBalance",
        "Party",
        "Payment",
        "Position",
        "RateChange",
        "Reversal",
        "Satisfaction",
        "Signatory",
        "Terms",
    ),
    "acquittance.core.interest": ("parse_rate", "simple_interest"),
    "acquittance.core.money": ("Money", "round_money"),
    "acquittance.core.schedule": ("amortization_schedule", "level_payment"),
    "acquittance.core.settlement": ("close", "explain", "quote"),
    "acquittance.core.settlement_types": (
        "CashLeg",
        "Closing",
        "CollateralLine",
        "NoteTransfer",
        "Obligation",
        "ObligationKind",
        "Quote",
        "SatisfactionKind",
    ),
    "acquittance.deals.parse": ("Deal", "parse_deal", "read_deal_file"),
}

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    # `X as X`: explicit re-exports, since type checkers do not evaluate `__all__` below.
    # isort: off
    from acquittance.core.accrual import position as position, positions as positions
    from acquittance.core.collateral import (
        FinancingStatement as FinancingStatement,
        SecurityInterest as SecurityInterest,
    )
    from acquittance.core.daycount import CONVENTIONS as CONVENTIONS, year_fraction as year_fraction
    from acquittance.core.errors import (
        AcquittanceError as AcquittanceError,
        InputError as InputError,
        NotFoundError as NotFoundError,
        StateError as StateError,
        StorageError as StorageError,
    )
    from acquittance.core.instruments import (
        Advance as Advance,
        Charge as Charge,
        Compounding as Compounding,
        DefaultRate as DefaultRate,
        Discharge as Discharge,
        InterestAccrual as InterestAccrual,
        LateCharge as LateCharge,
        LateChargeRule as LateChargeRule,
        LevelPayment as LevelPayment,
        Loan as Loan,
        Note as Note,
        OpeningBalance as OpeningBalance,
        Party as Party,
        Payment as Payment,
        Position as Position,
        RateChange as RateChange,
        Reversal as Reversal,
        Satisfaction as Satisfaction,
        Signatory as Signatory,
        Terms as Terms,
    )
    from acquittance.core.interest import (
        parse_rate as parse_rate,
        simple_interest as simple_interest,
    )
    from acquittance.core.money import Money as Money, round_money as round_money
    from acquittance.core.schedule import (
        amortization_schedule as amortization_schedule,
        level_payment as level_payment,
    )
    from acquittance.core.settlement import close as close, explain as explain, quote as quote
    from acquittance.core.settlement_types import (
        CashLeg as CashLeg,
        Closing as Closing,
        CollateralLine as CollateralLine,
        NoteTransfer as NoteTransfer,
        Obligation as Obligation,
        ObligationKind as ObligationKind,
        Quote as Quote,
        SatisfactionKind as SatisfactionKind,
    )
    from acquittance.deals.parse import (
        Deal as Deal,
        parse_deal as parse_deal,
        read_deal_file as read_deal_file,
    )
    # isort: on

_WHERE: dict[str, str] = _lazy.where(_EXPORTS)
__all__ = sorted(_WHERE)

if not TYPE_CHECKING:  # type checkers see the imports above, and no name beyond them
    __getattr__, __dir__ = _lazy.lookup(__name__, _WHERE, globals())
