"""The public API changes only on purpose: this list is the contract."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from decimal import Decimal
from fractions import Fraction

import acquittance
from exports import type_checking_imports

EXPECTED = {
    "CONVENTIONS", "AcquittanceError", "Advance", "CashLeg", "Charge", "Closing", "CollateralLine",
    "DefaultRate", "InterestAccrual", "LateCharge", "LateChargeRule",
    "Compounding", "Deal", "Discharge", "FinancingStatement", "InputError", "LevelPayment",
    "Loan", "Money", "NotFoundError", "Note", "NoteTransfer", "Obligation", "ObligationKind",
    "OpeningBalance", "Party", "Payment", "Position", "Quote", "RateChange", "Reversal",
    "Satisfaction", "SatisfactionKind", "SecurityInterest", "Signatory", "StateError",
    "StorageError", "Terms", "amortization_schedule", "close", "explain", "level_payment",
    "parse_deal", "parse_rate", "position", "positions", "quote", "read_deal_file",
    "round_money", "simple_interest", "year_fraction",
}  # fmt: skip


def test_public_names_are_exactly_the_contract() -> None:
    assert set(acquittance.__all__) == EXPECTED
    for name in EXPECTED:
        assert hasattr(acquittance, name), name


def test_contract_functions_answer_exactly() -> None:
    assert acquittance.year_fraction("ACT/360", date(2002, 3, 31), date(2002, 4, 30)) == Fraction(
        30, 360
    )
    assert acquittance.simple_interest(
        Decimal("17500000.00"), Decimal("0.065"), "ACT/360", date(2002, 3, 31), date(2002, 4, 30)
    ) == Decimal("94791.67")


def test_type_checkers_see_exactly_the_names_that_resolve_at_run_time() -> None:
    exports = {module: set(names) for module, names in acquittance._EXPORTS.items()}
    assert type_checking_imports(acquittance) == exports


def test_importing_the_package_imports_none_of_it() -> None:
    probe = "import sys, acquittance; print(sorted(m for m in sys.modules if 'acquittance' in m))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "['acquittance', 'acquittance._lazy']"
    assert acquittance.__version__
