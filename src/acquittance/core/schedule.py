"""Level payments and amortization schedules of monthly-pay notes (mortgage notes).

Interest in a schedule is the mortgage-note convention: each month is one
twelfth of a year whatever its length (30/360 style), so a month's interest is
balance x annual rate / 12. The level payment comes from the annuity formula,
computed exactly with `Fraction` and rounded once to the cent. Each row of a
schedule is a posting point (a payment is booked), so each row's interest is
rounded there, under the terms' rounding mode; the last row clears the balance
exactly.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import MAXYEAR, MINYEAR, date
from decimal import Decimal
from fractions import Fraction
from typing import Final

from acquittance.core.dates import out_of_range
from acquittance.core.errors import InputError
from acquittance.core.instruments import Terms
from acquittance.core.interest import parse_rate
from acquittance.core.money import DEFAULT_ROUNDING, round_money, to_decimal

#: Longest schedule accepted: 100 years of monthly payments.
PAYMENTS_COUNT_MAX: Final = 1200
MONTHS_PER_YEAR: Final = 12


def add_months(start: date, months: int) -> date:
    """The same day `months` later, clipped to the month's end (Jan 31 + 1 -> Feb 28/29).

    Always count from the original date, never chain: Jan 31 + 2 is Mar 31, not Mar 28.
    """
    month_index = start.year * 12 + (start.month - 1) + months
    year, month_zero = divmod(month_index, 12)
    if not MINYEAR <= year <= MAXYEAR:
        raise out_of_range(f"{months} months after", start.isoformat())
    last_day = calendar.monthrange(year, month_zero + 1)[1]
    return date(year, month_zero + 1, min(start.day, last_day))


@dataclass(frozen=True)
class ScheduleRow:
    """One payment of a schedule: what it pays to interest and principal, and what is left."""

    number: int
    due: date
    payment: Decimal
    interest: Decimal
    principal: Decimal
    balance: Decimal


def _check_count(count: int) -> None:
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise InputError(
            "INVALID_PAYMENT_COUNT", f"payment count {count!r} must be a whole number 1 or more"
        )
    if count > PAYMENTS_COUNT_MAX:
        raise InputError(
            "INVALID_PAYMENT_COUNT",
            f"payment count {count} is above {PAYMENTS_COUNT_MAX} (100 years of months)",
        )


def _check_principal(principal: object) -> Decimal:
    amount = to_decimal(principal, field="principal")
    if amount < 0:
        raise InputError("NEGATIVE_AMOUNT", f"principal {amount} is negative; use 0 or more")
    return amount


def level_payment(
    principal: object, annual_rate: object, count: int, *, rounding: str = DEFAULT_ROUNDING
) -> Decimal:
    """The level monthly payment that repays `principal` in `count` months.

    Annuity formula at the monthly rate i = annual / 12: P x i x (1+i)^n / ((1+i)^n - 1),
    exact in `Fraction`, rounded once to the cent. A zero rate gives P / n.
    """
    amount = _check_principal(principal)
    rate = parse_rate(annual_rate)
    _check_count(count)
    monthly = Fraction(rate) / MONTHS_PER_YEAR
    if monthly == 0:
        return round_money(Fraction(amount) / count, rounding=rounding)
    growth = (1 + monthly) ** count
    exact = Fraction(amount) * monthly * growth / (growth - 1)
    return round_money(exact, rounding=rounding)


def amortization_schedule(
    principal: object,
    terms: Terms,
    first_due: date,
    count: int,
    payment: object | None = None,
) -> tuple[ScheduleRow, ...]:
    """The rows of a level-payment schedule, due monthly from `first_due`.

    `payment` defaults to `level_payment`. A payment smaller than a month's
    interest is refused (PAYMENT_BELOW_INTEREST): that is negative amortization,
    which this schedule does not model. A payment larger than needed ends the
    schedule early, on the row that clears the balance. The last row always pays
    the balance left, so the balance ends at exactly 0.00.
    """
    balance = _check_principal(principal)
    rate = parse_rate(terms.annual_rate)
    _check_count(count)
    if payment is None:
        level = level_payment(balance, rate, count, rounding=terms.rounding)
    else:
        level = to_decimal(payment, field="payment")
        if level < 0:
            raise InputError("NEGATIVE_AMOUNT", f"payment {level} is negative; use 0 or more")
    rows: list[ScheduleRow] = []
    for number in range(1, count + 1):
        interest = round_money(Fraction(balance) * Fraction(rate) / 12, rounding=terms.rounding)
        if level < interest and number < count:
            raise InputError(
                "PAYMENT_BELOW_INTEREST",
                f"payment {level} is less than month {number}'s interest {interest}; "
                "use a payment at least equal to the interest",
            )
        paid = interest + balance if (number == count or level >= interest + balance) else level
        to_principal = paid - interest
        balance = balance - to_principal
        rows.append(
            ScheduleRow(
                number, add_months(first_due, number - 1), paid, interest, to_principal, balance
            )
        )
        if balance == 0:
            break
    return tuple(rows)
