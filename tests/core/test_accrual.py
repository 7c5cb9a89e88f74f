"""Positions from events: known answers by hand, validation codes, and walking invariants."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from core_factories import AS_OF, loan_with, reference_loan, reference_notes
from hypothesis import given, settings
from hypothesis import strategies as st

from acquittance.core.accrual import (
    accrue,
    per_diem,
    per_diem_exact,
    position,
    position_of,
    positions,
    start,
    validate_events,
)
from acquittance.core.daycount import CONVENTIONS
from acquittance.core.errors import InputError, StateError
from acquittance.core.instruments import (
    Advance,
    Compounding,
    Discharge,
    OpeningBalance,
    Payment,
    RateChange,
    Satisfaction,
    Terms,
)

D = Decimal
JAN1 = date(2024, 1, 1)


def opening(principal: str = "1000.00", interest: str = "0.00", on: date = JAN1) -> OpeningBalance:
    return OpeningBalance(on, D(principal), D(interest))


# --- the reference case ---------------------------------------------------------------


def test_reference_loan_on_its_opening_date_is_the_agreement_figures():
    held = position(reference_loan(), AS_OF)
    assert (held.principal, held.interest) == (D("17500000.00"), D("1140370.41"))
    assert held.total == D("18640370.41")
    assert held.periods == ()
    assert held.currency == "USD"


def test_reference_loan_a_month_later_accrues_act_360():
    # 17,500,000 x 0.065 x 30/360 = 94,791.6666..; 1,140,370.41 + that = 1,235,162.0766..
    held = position(reference_loan(), date(2002, 4, 30))
    assert held.interest == D("1235162.08")
    [period] = held.periods
    assert (period.start, period.end, period.days) == (AS_OF, date(2002, 4, 30), 30)
    assert period.year_fraction == Fraction(1, 12)
    assert period.interest == Fraction(284375, 3)


@pytest.mark.parametrize(
    ("note_id", "interest"),
    [
        ("valence-note-1", "484250.00"),  # 434,250.00 + 8,000,000 x 7.5% / 12
        ("valence-note-2", "363187.50"),  # 325,687.50 + 37,500.00
        ("valence-note-3", "213900.10"),  # 191,817.43 + 22,082.6675
    ],
)
def test_reference_notes_a_month_later_accrue_30_360_us(note_id, interest):
    held = position(reference_notes()[note_id], date(2002, 4, 30))
    assert held.interest == D(interest)
    assert held.periods[0].day_count == "30/360-US"
    assert held.periods[0].days == 30


def test_before_history_is_refused_with_the_first_date():
    with pytest.raises(InputError) as caught:
        position(reference_loan(), date(1990, 1, 1))
    assert caught.value.code == "BEFORE_HISTORY"
    assert "2002-03-31" in caught.value.message
    assert "berg-valence-loan" in caught.value.message


# --- allocation, rate changes, rounding once -------------------------------------------


def test_payment_goes_to_interest_first_then_principal():
    # 1000 x 36% x 10/360 = 10.00 accrued; 20.00 paid: 10.00 interest, 10.00 principal.
    loan = loan_with((opening(), Payment(date(2024, 1, 11), D("20.00"))), rate="0.36")
    held = position(loan, date(2024, 1, 11))
    assert (held.principal, held.interest) == (D("990.00"), D("0.00"))
    later = position(loan, date(2024, 1, 21))  # 990 x 36% x 10/360 = 9.90
    assert (later.principal, later.interest) == (D("990.00"), D("9.90"))


def test_payment_smaller_than_interest_leaves_principal_and_the_rest_of_the_interest():
    loan = loan_with((opening(), Payment(date(2024, 1, 11), D("4.00"))), rate="0.36")
    held = position(loan, date(2024, 1, 11))
    assert (held.principal, held.interest) == (D("1000.00"), D("6.00"))


def test_payment_of_the_rounded_interest_closes_the_sub_cent_remainder():
    # 1000 x 5% / 360 = 0.13888..: the cents due are 0.14 and paying them settles the interest.
    loan = loan_with((opening(), Payment(date(2024, 1, 2), D("0.14"))), rate="0.05")
    held = position(loan, date(2024, 1, 2))
    assert (held.principal, held.interest, held.interest_exact) == (D("1000.00"), D("0.00"), 0)


def test_partial_interest_payment_keeps_the_exact_rest():
    loan = loan_with((opening(), Payment(date(2024, 1, 2), D("0.10"))), rate="0.05")
    held = position(loan, date(2024, 1, 2))
    assert held.interest_exact == Fraction(1000 * 5, 100 * 360) - Fraction(1, 10)
    assert held.interest == D("0.04")


def test_satisfaction_is_applied_like_a_payment():
    loan = loan_with((opening(), Satisfaction(date(2024, 1, 11), D("20.00"), "s1")), rate="0.36")
    assert position(loan, date(2024, 1, 11)).principal == D("990.00")


def test_overpayment_is_refused():
    loan = loan_with((opening(), Payment(date(2024, 1, 11), D("1010.01"))), rate="0.36")
    with pytest.raises(InputError) as caught:
        position(loan, date(2024, 1, 11))
    assert caught.value.code == "OVERPAYMENT"
    paid_in_full = loan_with((opening(), Payment(date(2024, 1, 11), D("1010.00"))), rate="0.36")
    assert position(paid_in_full, date(2024, 2, 1)).total == D("0.00")


def test_events_dated_on_the_as_of_date_are_included():
    loan = loan_with((opening(), Advance(date(2024, 1, 5), D("500.00"))))
    assert position(loan, date(2024, 1, 5)).principal == D("1500.00")
    assert position(loan, date(2024, 1, 4)).principal == D("1000.00")


def test_rate_change_applies_from_its_date():
    # 10 days at 36% (10.00) then 10 days at 72% (20.00).
    events = (opening(), RateChange(date(2024, 1, 11), D("0.72")))
    held = position(loan_with(events, rate="0.36"), date(2024, 1, 21))
    assert held.interest == D("30.00")
    assert [p.annual_rate for p in held.periods] == [D("0.36"), D("0.72")]


def test_interest_is_rounded_once_not_per_period():
    # Ten one-day periods of 1 x 36% / 360 = 0.001 each: 0.01 in all, though each rounds to 0.00.
    changes = tuple(RateChange(JAN1 + timedelta(days=n), D("0.36")) for n in range(1, 10))
    held = position(loan_with((opening("1.00"), *changes), rate="0.36"), date(2024, 1, 11))
    assert len(held.periods) == 10
    assert held.interest == D("0.01")


def test_advance_as_first_event_opens_the_history():
    loan = loan_with((Advance(JAN1, D("1000.00")),), rate="0.36")
    assert position(loan, date(2024, 1, 11)).total == D("1010.00")


def test_discharge_stops_everything():
    events = (
        opening(),
        Satisfaction(date(2024, 1, 11), D("1010.00"), "s"),
        Discharge(date(2024, 1, 11), "s"),
    )
    held = position(loan_with(events, rate="0.36"), date(2025, 1, 1))
    assert (held.principal, held.interest) == (D("0.00"), D("0.00"))
    assert per_diem(loan_with(events, rate="0.36"), date(2025, 1, 1)) == D("0.00")


# --- compounding -----------------------------------------------------------------------


def test_simple_never_capitalises():
    held = position(loan_with((opening(),), rate="0.12"), date(2026, 1, 1))
    assert held.principal == D("1000.00")
    # 2024-01-01 to 2026-01-01 is 731 days: 1000 x 12% x 731/360 = 243.666.., one period.
    assert held.interest == D("243.67")
    assert len(held.periods) == 1


def test_monthly_compounding_capitalises_on_month_end_anniversaries():
    # Opened Jan 31 2024: anniversaries Feb 29 (clipped) and Mar 31 (counted from the opening).
    # Feb: 1000 x 12% x 29/360 = 9.666.. -> 9.67 capitalised; principal 1009.67.
    # Mar: 1009.67 x 12% x 31/360 = 10.4332.. -> 10.43; principal 1020.10.
    loan = loan_with((opening(on=date(2024, 1, 31)),), rate="0.12", compounding=Compounding.MONTHLY)
    held = position(loan, date(2024, 3, 31))
    assert (held.principal, held.interest) == (D("1020.10"), D("0.00"))
    assert [p.end for p in held.periods] == [date(2024, 2, 29), date(2024, 3, 31)]
    later = position(loan, date(2024, 4, 10))  # 1020.10 x 12% x 10/360 = 3.4003..
    assert (later.principal, later.interest) == (D("1020.10"), D("3.40"))


def test_annual_compounding_capitalises_on_the_anniversary():
    # Opened Feb 29 2024; the first anniversary is Feb 28 2025: 365/365 x 10% x 1000 = 100.00.
    loan = loan_with(
        (opening(on=date(2024, 2, 29)),),
        rate="0.10",
        day_count="ACT/365F",
        compounding=Compounding.ANNUAL,
    )
    assert position(loan, date(2025, 2, 27)).principal == D("1000.00")
    held = position(loan, date(2025, 2, 28))
    assert (held.principal, held.interest) == (D("1100.00"), D("0.00"))


# --- per diem --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day_count", "on", "expected"),
    [
        ("ACT/360", date(2024, 6, 1), Fraction(36600 * 10, 100 * 360)),
        ("30/360-US", date(2024, 1, 30), Fraction(3660, 360)),
        ("30E/360", date(2024, 1, 31), Fraction(3660, 360)),
        ("ACT/365F", date(2024, 6, 1), Fraction(3660, 365)),
        ("ACT/ACT-ISDA", date(2024, 6, 1), Fraction(3660, 366)),
        ("ACT/ACT-ISDA", date(2023, 12, 31), Fraction(3660, 365)),
    ],
)
def test_per_diem_is_one_day_of_the_conventions_year(day_count, on, expected):
    loan = loan_with((opening("36600.00", on=date(2023, 1, 1)),), rate="0.10", day_count=day_count)
    assert per_diem_exact(loan, on) == expected


def test_reference_per_diems():
    assert per_diem(reference_loan(), AS_OF) == D("3159.72")  # 17.5m x 6.5% / 360
    assert per_diem(reference_notes()["valence-note-1"], AS_OF) == D("1666.67")


# --- validation ------------------------------------------------------------------------


BAD_HISTORIES = [
    ((), "NO_OPENING_BALANCE"),
    ((Payment(JAN1, D("1.00")),), "NO_OPENING_BALANCE"),
    ((opening(), opening()), "DUPLICATE_OPENING_BALANCE"),
    ((Advance(JAN1, D("1.00")), opening(on=date(2024, 2, 1))), "OPENING_BALANCE_NOT_FIRST"),
    ((opening(), Payment(date(2023, 12, 31), D("1.00"))), "EVENT_BEFORE_OPENING"),
    (
        (opening(), Payment(date(2024, 3, 1), D("1.00")), Payment(date(2024, 2, 1), D("1.00"))),
        "EVENTS_OUT_OF_ORDER",
    ),
    ((opening("-1.00"),), "NEGATIVE_AMOUNT"),
    ((opening("1.00", "-0.01"),), "NEGATIVE_AMOUNT"),
    ((opening(), Advance(JAN1, D("-5.00"))), "NEGATIVE_AMOUNT"),
    ((opening(), Payment(JAN1, D("-5.00"))), "NEGATIVE_AMOUNT"),
    ((opening(), Satisfaction(JAN1, D("-5.00"), "s")), "NEGATIVE_AMOUNT"),
    ((opening("1.001"),), "AMOUNT_NOT_IN_CENTS"),
    ((opening(), Discharge(JAN1, "s"), Payment(date(2024, 2, 1), D("1.00"))), "LOAN_DISCHARGED"),
    ((opening(), RateChange(JAN1, D("8"))), "RATE_LOOKS_LIKE_PERCENT"),
    ((opening(), RateChange(JAN1, D("-0.01"))), "NEGATIVE_RATE"),
]


@pytest.mark.parametrize(("events", "code"), BAD_HISTORIES)
def test_bad_histories_are_refused_with_their_code(events, code):
    with pytest.raises((InputError, StateError)) as caught:
        validate_events("loan", events)
    assert caught.value.code == code
    with pytest.raises((InputError, StateError)):
        position(loan_with(events), date(2030, 1, 1))


def test_out_of_order_message_names_the_event_and_dates():
    events = (opening(), Payment(date(2024, 3, 1), D("1.00")), Advance(date(2024, 2, 1), D("1.00")))
    with pytest.raises(InputError) as caught:
        validate_events("loan", events)
    assert "Advance" in caught.value.message
    assert "2024-02-01" in caught.value.message and "2024-03-01" in caught.value.message


@pytest.mark.parametrize(
    ("terms", "code"),
    [
        (Terms(D("8"), "ACT/360", "USD"), "RATE_LOOKS_LIKE_PERCENT"),
        (Terms(D("0.08"), "ACT/999", "USD"), "UNKNOWN_DAY_COUNT"),
        (Terms(D("0.08"), "ACT/360", "usd"), "INVALID_CURRENCY"),
        (Terms(D("0.08"), "ACT/360", "USD", rounding="banker"), "UNKNOWN_ROUNDING"),
    ],
)
def test_bad_terms_are_refused(terms, code):
    loan = loan_with((opening(),))
    with pytest.raises(InputError) as caught:
        position(type(loan)(loan.id, "l", "b", terms, loan.events), JAN1)
    assert caught.value.code == code


# --- walking forward gives the same answer as one step -----------------------------------


@st.composite
def histories(draw):
    day_count = draw(st.sampled_from(sorted(CONVENTIONS)))
    compounding = draw(st.sampled_from(list(Compounding)))
    opened = draw(st.dates(date(1999, 1, 1), date(2030, 12, 31)))
    principal_cents = draw(st.integers(0, 10**10))
    events = [
        OpeningBalance(opened, D(principal_cents) / 100, D(draw(st.integers(0, 10**8))) / 100)
    ]
    offsets = sorted(draw(st.lists(st.integers(0, 1500), max_size=6)))
    for offset in offsets:
        on = opened + timedelta(days=offset)
        kind = draw(st.sampled_from(["advance", "payment", "rate"]))
        if kind == "advance":
            events.append(Advance(on, D(draw(st.integers(0, 10**9))) / 100))
        elif kind == "payment":
            events.append(Payment(on, D(draw(st.integers(0, principal_cents // 10))) / 100))
        else:
            events.append(RateChange(on, D(draw(st.integers(0, 2000))) / 10000))
    rate = D(draw(st.integers(0, 2000))) / 10000
    loan = loan_with(tuple(events), rate=str(rate), day_count=day_count, compounding=compounding)
    end = opened + timedelta(days=draw(st.integers(0, 2000)))
    between = draw(st.lists(st.dates(opened, end), max_size=6))
    return loan, between, end


@settings(max_examples=150, deadline=None)
@given(histories())
def test_walking_through_intermediate_dates_gives_the_one_step_position(case):
    loan, between, end = case
    one_step = position(loan, end)
    walked = positions(loan, [*between, end])
    assert walked[-1] == one_step
    assert walked[-1].interest_exact == one_step.interest_exact
    assert walked[-1].periods == one_step.periods
    for held in walked:
        assert held == position(loan, held.as_of)


@settings(max_examples=150, deadline=None)
@given(histories())
def test_accruing_step_by_step_with_the_state_gives_the_same_cents(case):
    loan, between, end = case
    state = start(loan)
    for on in sorted(between):
        state = accrue(state, loan.events, on)
    state = accrue(state, loan.events, end)
    assert position_of(state).interest == position(loan, end).interest
    assert position_of(state).interest_exact == position(loan, end).interest_exact


@settings(max_examples=100, deadline=None)
@given(histories())
def test_exact_interest_is_the_periods_plus_what_was_carried_in(case):
    loan, _, end = case
    held = position(loan, end)
    simple_no_payments = loan.terms.compounding is Compounding.SIMPLE and not any(
        isinstance(e, Payment) for e in loan.events
    )
    if simple_no_payments:
        carried_in = Fraction(loan.events[0].interest)
        assert held.interest_exact == carried_in + sum(p.interest for p in held.periods)
    assert held.interest >= 0
    assert held.principal >= 0
