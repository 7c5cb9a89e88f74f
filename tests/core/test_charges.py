"""Charges, late charges by rule, and default interest: known answers worked by hand.

Worked example (a loan of 10,000.00 at 12% ACT/360, opened 2024-01-01, level
payments of 500.00 due on the 1st of each month from 2024-02-01, a late
charge of 5% of the part missed after 10 days of grace):

- 2024-02-01 is paid in full on 2024-02-05 (within grace): no charge.
- 2024-03-01 gets 200.00 on 2024-03-08: 300.00 is missed at the end of grace
  (2024-03-11), so on 2024-03-12 a late charge of 5% x 300.00 = 15.00.
- 2024-04-01 gets nothing: everything scheduled to date is 1,500.00 against
  700.00 paid, a shortfall of 800.00, but the charge is on at most one
  payment, 500.00: 25.00 on 2024-04-12.

Default interest: from a default on 2024-02-01 at 18%, the loan's 10,000.00
accrues 10,000.00 x 0.18 x 29/360 = 145.00 to 2024-03-01 (the period marked
default), after 10,000.00 x 0.12 x 31/360 = 103.33... at the contract rate.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from acquittance.core.accrual import position
from acquittance.core.charges import check_rule, late_charges_due, missed_payments
from acquittance.core.errors import AcquittanceError
from acquittance.core.instruments import (
    Charge,
    DefaultRate,
    LateCharge,
    LateChargeRule,
    LevelPayment,
    Loan,
    Note,
    OpeningBalance,
    Payment,
    RateChange,
    Terms,
)

TERMS = Terms(annual_rate=Decimal("0.12"), day_count="ACT/360", currency="USD")
SCHEDULE = LevelPayment(Decimal("500.00"), date(2024, 2, 1), 12)
FIVE_PERCENT = LateChargeRule(grace_days=10, percent=Decimal("0.05"))
OPENING = OpeningBalance(date(2024, 1, 1), Decimal("10000.00"))


def _loan(*events: object) -> Loan:
    return Loan("loan", "lender", "borrower", TERMS, events=(OPENING, *events))  # type: ignore[arg-type]


PAID = (Payment(date(2024, 2, 5), Decimal("500.00")), Payment(date(2024, 3, 8), Decimal("200.00")))


def test_late_charges_follow_the_worked_example() -> None:
    events = _loan(*PAID).events
    missed = missed_payments(SCHEDULE, FIVE_PERCENT, events, date(2024, 4, 30))
    assert [(m.due, m.missed, m.late_from) for m in missed] == [
        (date(2024, 3, 1), Decimal("300.00"), date(2024, 3, 12)),
        (date(2024, 4, 1), Decimal("500.00"), date(2024, 4, 12)),
    ]
    due = late_charges_due(
        SCHEDULE,
        FIVE_PERCENT,
        events,
        date(2024, 4, 30),
        stands_at=date(2024, 3, 8),
        rounding="half-up",
    )
    assert due == (
        LateCharge(date(2024, 3, 12), Decimal("15.00"), due=date(2024, 3, 1)),
        LateCharge(date(2024, 4, 12), Decimal("25.00"), due=date(2024, 4, 1)),
    )


def test_a_charge_already_assessed_is_not_assessed_again() -> None:
    charged = LateCharge(date(2024, 3, 12), Decimal("15.00"), due=date(2024, 3, 1))
    events = _loan(*PAID, charged).events
    due = late_charges_due(
        SCHEDULE,
        FIVE_PERCENT,
        events,
        date(2024, 3, 31),
        stands_at=date(2024, 3, 12),
        rounding="half-up",
    )
    assert due == ()


def test_a_flat_charge_and_a_history_past_the_day_of_the_charge() -> None:
    flat = LateChargeRule(grace_days=15, amount=Decimal("35.00"))
    events = _loan(Payment(date(2024, 3, 20), Decimal("1000.00"))).events
    due = late_charges_due(
        SCHEDULE, flat, events, date(2024, 3, 31), stands_at=date(2024, 3, 20), rounding="half-up"
    )
    # 2024-02-01 and 2024-03-01 were missed by the end of their grace (02-16, 03-16); the
    # payment of 2024-03-20 came after. The history stands at 03-20: both are charged then.
    assert due == (
        LateCharge(date(2024, 3, 20), Decimal("35.00"), due=date(2024, 2, 1)),
        LateCharge(date(2024, 3, 20), Decimal("35.00"), due=date(2024, 3, 1)),
    )


def test_payments_go_to_charges_then_interest_then_principal() -> None:
    loan = _loan(
        Charge(date(2024, 1, 10), Decimal("100.00")),
        Payment(date(2024, 1, 31), Decimal("300.00")),
    )
    # Interest to 2024-01-31: 10,000.00 x 0.12 x 30/360 = 100.00; the charge 100.00 first.
    held = position(loan, date(2024, 1, 31))
    assert (held.charges, held.interest, held.principal) == (
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("9900.00"),
    )
    unpaid = position(_loan(Charge(date(2024, 1, 10), Decimal("100.00"))), date(2024, 1, 31))
    assert (unpaid.charges, unpaid.total) == (Decimal("100.00"), Decimal("10200.00"))


def test_a_charge_does_not_split_the_accrual_period() -> None:
    with_charge = position(_loan(Charge(date(2024, 1, 10), Decimal("5.00"))), date(2024, 3, 1))
    without = position(_loan(), date(2024, 3, 1))
    assert with_charge.interest_exact == without.interest_exact
    assert len(with_charge.periods) == 1


def test_default_interest_is_marked_and_a_rate_change_cures_it() -> None:
    loan = _loan(
        DefaultRate(date(2024, 2, 1), Decimal("0.18")),
        RateChange(date(2024, 3, 1), Decimal("0.12")),
    )
    held = position(loan, date(2024, 3, 31))
    periods = [(p.start, p.end, p.annual_rate, p.default) for p in held.periods]
    assert periods == [
        (date(2024, 1, 1), date(2024, 2, 1), Decimal("0.12"), False),
        (date(2024, 2, 1), date(2024, 3, 1), Decimal("0.18"), True),
        (date(2024, 3, 1), date(2024, 3, 31), Decimal("0.12"), False),
    ]
    assert held.periods[1].interest == Decimal("145")
    # 103.333... + 145 + 100 = 348.333... -> 348.33
    assert held.interest == Decimal("348.33")


def test_a_charge_on_a_note_is_refused() -> None:
    note = Note(
        "n", "Maker", "holder", TERMS, events=(OPENING, Charge(date(2024, 2, 1), Decimal("1.00")))
    )
    with pytest.raises(AcquittanceError) as refused:
        position(note, date(2024, 3, 1))
    assert refused.value.code == "CHARGE_ON_NOTE"


def test_more_than_charges_interest_and_principal_is_an_overpayment() -> None:
    loan = _loan(
        Charge(date(2024, 1, 1), Decimal("10.00")), Payment(date(2024, 1, 1), Decimal("10010.01"))
    )
    with pytest.raises(AcquittanceError) as refused:
        position(loan, date(2024, 1, 1))
    assert refused.value.code == "OVERPAYMENT" and "10.00 charges" in refused.value.message


@pytest.mark.parametrize(
    ("rule", "schedule", "code"),
    [
        (LateChargeRule(10), SCHEDULE, "INCOMPLETE_LATE_CHARGE"),
        (LateChargeRule(-1, Decimal("0.05")), SCHEDULE, "INVALID_GRACE_DAYS"),
        (LateChargeRule(10, amount=Decimal("5.001")), SCHEDULE, "INVALID_LATE_CHARGE"),
        (LateChargeRule(10, Decimal("1.5")), SCHEDULE, "INVALID_LATE_CHARGE"),
        (LateChargeRule(10, Decimal("0.05")), None, "LATE_CHARGE_WITHOUT_SCHEDULE"),
    ],
)
def test_a_rule_that_cannot_apply_is_refused(
    rule: LateChargeRule, schedule: LevelPayment | None, code: str
) -> None:
    with pytest.raises(AcquittanceError) as refused:
        check_rule("loan", rule, schedule)
    assert refused.value.code == code


def test_with_both_a_percent_and_an_amount_the_greater_is_charged() -> None:
    rule = LateChargeRule(grace_days=10, percent=Decimal("0.05"), amount=Decimal("20.00"))
    events = _loan(*PAID).events
    due = late_charges_due(
        SCHEDULE, rule, events, date(2024, 4, 30), stands_at=date(2024, 3, 8), rounding="half-up"
    )
    # 5% of 300.00 is 15.00, less than 20.00; 5% of 500.00 is 25.00, more.
    assert [charge.amount for charge in due] == [Decimal("20.00"), Decimal("25.00")]
