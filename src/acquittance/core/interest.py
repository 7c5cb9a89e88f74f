"""Rates and simple interest: the formula every accrual rests on."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

from acquittance.core.daycount import year_fraction
from acquittance.core.errors import InputError
from acquittance.core.money import DEFAULT_ROUNDING, round_money, to_decimal

#: Annual rates above this, written without `%`, are taken for a percentage typed
#: where a fraction was meant (8 instead of 0.08) and refused.
RATE_FRACTION_MAX = Decimal(1)


def parse_rate(value: object, *, field: str = "annual_rate") -> Decimal:
    """An annual rate as a fraction: "0.08", Decimal("0.08") or "8%" -> Decimal("0.08").

    A bare number above 1 is refused: it is almost always a percentage written
    where a fraction is expected, and 100 times too much interest is not a typo
    to accept silently.
    """
    if isinstance(value, float):
        # A rate is a quoted ratio, not money: take the decimal the float was written as.
        value = repr(value)
    if isinstance(value, str) and value.strip().endswith("%"):
        rate = to_decimal(value.strip()[:-1], field=field) / 100
    else:
        rate = to_decimal(value, field=field)
        if rate > RATE_FRACTION_MAX:
            raise InputError(
                "RATE_LOOKS_LIKE_PERCENT",
                f"{field} {value} is above 1; write a fraction (0.08) or a percentage "
                f'with the sign ("8%")',
            )
    if rate < 0:
        raise InputError("NEGATIVE_RATE", f"{field} {value} is negative; rates must be 0 or more")
    return rate


def exact_simple_interest(
    principal: Decimal, annual_rate: Decimal, convention: str, start: date, end: date
) -> Fraction:
    """principal x rate x year fraction, exactly (no rounding)."""
    return Fraction(principal) * Fraction(annual_rate) * year_fraction(convention, start, end)


def simple_interest(
    principal: object,
    annual_rate: object,
    convention: str,
    start: date,
    end: date,
    *,
    rounding: str = DEFAULT_ROUNDING,
) -> Decimal:
    """Simple interest on `principal` from `start` to `end`, rounded half-up to the cent."""
    amount = to_decimal(principal, field="principal")
    if amount < 0:
        raise InputError(
            "NEGATIVE_PRINCIPAL", f"principal {amount} is negative; it must be 0 or more"
        )
    rate = parse_rate(annual_rate)
    return round_money(
        exact_simple_interest(amount, rate, convention, start, end), rounding=rounding
    )
