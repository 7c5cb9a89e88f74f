"""Late charges by a deal's rule: which scheduled payments were missed, and what each costs.

The rule (a loan's `[loans.late_charge]`) is the shape loan systems give
penalties (Apache Fineract's overdue-installment charge, Frappe Lending's
penalty on a late repayment): after a grace period of N days past a
scheduled payment's due date, a payment not made in full is charged a
percentage of the part missed, a flat amount, or, with both, the greater of
the two (the mortgage form "5% of the payment or $15, whichever is more").

Whether a payment was missed is contractual delinquency, counted in money:
on the last day of grace for the payment due on D, the payments received up
to that day (dated on or before it) are compared with everything scheduled up
to D. The part missed is the shortfall, at most that one payment, so a missed
payment is charged once, and a payment caught up later is not charged again
for the ones before it (no pyramiding). The charge is assessed on the first
day after grace, or, when the loan's history already runs past that day, on
the date it stands at, and it carries the due date of the payment it is for,
so that assessing again finds it and charges nothing twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Final

from acquittance.core.dates import add_days
from acquittance.core.errors import InputError
from acquittance.core.instruments import (
    Discharge,
    Event,
    LateCharge,
    LateChargeRule,
    LevelPayment,
    Payment,
)
from acquittance.core.money import CENT, ZERO, round_money
from acquittance.core.schedule import add_months

#: A grace period longer than a year is a typo, not a term.
GRACE_DAYS_MAX: Final = 366


def check_rule(loan_id: str, rule: LateChargeRule, schedule: LevelPayment | None) -> None:
    """Refuse a rule that cannot be applied: both or neither figure, bad grace, no schedule."""
    where = f"the late charge of loan {loan_id}"
    if rule.percent is None and rule.amount is None:
        raise InputError(
            "INCOMPLETE_LATE_CHARGE",
            f"{where} gives neither a percent nor an amount; give one (or both, for the greater "
            "of the two)",
        )
    if isinstance(rule.grace_days, bool) or not 0 <= rule.grace_days <= GRACE_DAYS_MAX:
        raise InputError(
            "INVALID_GRACE_DAYS",
            f"{where} has grace_days {rule.grace_days!r}; give a whole number of days from 0 "
            f"to {GRACE_DAYS_MAX}",
        )
    if rule.amount is not None and (rule.amount < 0 or rule.amount != rule.amount.quantize(CENT)):
        raise InputError(
            "INVALID_LATE_CHARGE",
            f"{where} has amount {rule.amount}; give 0 or more, in whole cents",
        )
    if rule.percent is not None and not 0 <= rule.percent <= 1:
        raise InputError(
            "INVALID_LATE_CHARGE",
            f"{where} has percent {rule.percent}; give a fraction from 0 to 1 (0.05) or a "
            'percentage ("5%")',
        )
    if schedule is None:
        raise InputError(
            "LATE_CHARGE_WITHOUT_SCHEDULE",
            f"{where} needs scheduled payments to be missed; give the loan a level_payment "
            "table, or drop the late_charge table",
        )


@dataclass(frozen=True)
class MissedPayment:
    """A scheduled payment not made in full by the end of its grace period."""

    due: date
    scheduled: Decimal
    missed: Decimal  # the part not paid, at most `scheduled`
    late_from: date  # the first day after grace


def missed_payments(
    schedule: LevelPayment, rule: LateChargeRule, events: Sequence[Event], through: date
) -> tuple[MissedPayment, ...]:
    """The scheduled payments whose grace ended before `through` and that were missed."""
    payments = sorted((e.date, e.amount) for e in events if type(e) is Payment)
    discharged = next((e.date for e in events if isinstance(e, Discharge)), None)
    found: list[MissedPayment] = []
    for number in range(schedule.count):
        due = add_months(schedule.first_due, number)
        last_day_of_grace = add_days(due, rule.grace_days)
        late_from = add_days(last_day_of_grace, 1)
        if late_from > through or (discharged is not None and discharged <= late_from):
            break
        scheduled_to_date = schedule.amount * (number + 1)
        paid = sum((amount for day, amount in payments if day <= last_day_of_grace), ZERO)
        shortfall = min(schedule.amount, scheduled_to_date - paid)
        if shortfall > 0:
            found.append(MissedPayment(due, schedule.amount, shortfall, late_from))
    return tuple(found)


def charge_for(rule: LateChargeRule, missed: MissedPayment, *, rounding: str) -> Decimal:
    """The late charge on one missed payment: the percentage (rounded once to the cent), the
    flat amount, or the greater of the two when the rule gives both."""
    if rule.percent is None:
        assert rule.amount is not None, "a checked rule has a percent or an amount"
        return rule.amount
    share = round_money(rule.percent * missed.missed, rounding=rounding)
    return share if rule.amount is None else max(share, rule.amount)


def late_charges_due(
    schedule: LevelPayment,
    rule: LateChargeRule,
    events: Sequence[Event],
    through: date,
    *,
    stands_at: date,
    rounding: str,
) -> tuple[LateCharge, ...]:
    """The late charges the rule calls for up to `through` that the events do not hold yet.

    `stands_at` is the date the loan's history stands at: a charge whose day
    is earlier is assessed on it instead, since history is appended in order.
    """
    charged = {e.due for e in events if isinstance(e, LateCharge)}
    due: list[LateCharge] = []
    for missed in missed_payments(schedule, rule, events, through):
        amount = charge_for(rule, missed, rounding=rounding)
        if missed.due in charged or amount == 0:
            continue
        due.append(LateCharge(max(missed.late_from, stands_at), amount, due=missed.due))
    return tuple(due)
