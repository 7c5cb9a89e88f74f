"""Amounts typed as text: ungrouped or grouped strictly by thousands, never guessed."""

from __future__ import annotations

from decimal import Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from acquittance.core.conventions import round_quotient
from acquittance.core.errors import InputError
from acquittance.core.money import ROUNDING_MODES, round_money, to_decimal

D = Decimal


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,234,567.89", D("1234567.89")),
        ("17,500,000.00", D("17500000.00")),
        ("1,000", D("1000")),
        ("999", D("999")),
        ("-1,000.50", D("-1000.50")),
        ("+12,345", D("12345")),
        ("  155,388.68 ", D("155388.68")),
        ("1_000_000.00", D("1000000.00")),
        ("17500000.00", D("17500000.00")),
        ("0.5", D("0.5")),
    ],
)
def test_grouped_and_ungrouped_amounts_read_exactly(text: str, expected: Decimal) -> None:
    assert to_decimal(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "1,7,5",  # read as 175 before
        "12,34",
        "1,,000",
        "1,0000",
        "12345,678",
        ",175",
        "175,",
        "1,000.",
        "1,000.00,0",
        "1,000.5e3",
        "1,000_000",
        "1_0",
        "1 000",
        "١٧٥",  # Arabic-Indic digits, which Decimal alone would take
        "１７５",  # full-width digits
        "",
        "abc",
    ],
)
def test_anything_else_is_an_invalid_amount(text: str) -> None:
    with pytest.raises(InputError) as caught:
        to_decimal(text, field="principal")
    assert caught.value.code == "INVALID_AMOUNT"
    assert "principal" in caught.value.message


@given(st.decimals(min_value=-(10**15), max_value=10**15, places=2, allow_nan=False))
def test_an_amount_formatted_with_thousands_reads_back(amount: Decimal) -> None:
    assert to_decimal(f"{amount:,}") == amount
    assert to_decimal(f"{amount:,}".replace(",", "_")) == amount
    assert to_decimal(str(amount)) == amount


def test_an_explanation_quantum_holds_large_interest_exactly() -> None:
    """Interest past 10^8 shown to 20 places needs more than the default 28 digits."""
    interest = Fraction(225_000_000_123_456_789, 1000)
    shown = round_money(interest, rounding="half-even", quantum=D("1E-20"))
    assert shown == D("225000000123456.78900000000000000000")
    assert round_money(interest) == D("225000000123456.79")


def _rounded_by_decimal_arithmetic(value: Fraction, rounding: str, quantum: D) -> D:
    """The rounding point worked out the long way: exact Decimal division, then quantize."""
    with localcontext() as context:
        context.prec = 200
        exact = D(value.numerator) / D(value.denominator)
        return exact.quantize(quantum, rounding=ROUNDING_MODES[rounding])


@given(
    numerator=st.integers(min_value=-(10**30), max_value=10**30),
    denominator=st.integers(min_value=1, max_value=10**12),
    rounding=st.sampled_from(sorted(ROUNDING_MODES)),
    quantum=st.sampled_from([D("0.01"), D("1"), D("0.001"), D("1E-20"), D("0.05"), D("0.010")]),
)
def test_the_rounding_point_agrees_with_long_decimal_arithmetic(
    numerator: int, denominator: int, rounding: str, quantum: D
) -> None:
    value = Fraction(numerator, denominator)
    expected = _rounded_by_decimal_arithmetic(value, rounding, quantum)
    if str(quantum) in ("0.05", "0.010"):  # whole quanta, rounded as quotients are
        quanta = value / Fraction(quantum)
        whole = round_quotient(quanta.numerator, quanta.denominator, rounding)
        with localcontext() as context:
            context.prec = 200
            expected = (D(whole) * quantum).quantize(quantum)
    found = round_money(value, rounding=rounding, quantum=quantum)
    assert found == expected
    assert found.as_tuple().exponent == quantum.as_tuple().exponent
