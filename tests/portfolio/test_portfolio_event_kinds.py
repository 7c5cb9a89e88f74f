"""Event kinds beyond the ones the random books of test_portfolio_properties draw, and the
kernel's calendar table: the engine is still accrual.position, figure for figure.

An accrual run's mark (`InterestAccrual`) takes the kernel and splits no period;
charges and default rates take the core, and are counted there.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_portfolio_properties import as_of_for, assert_same_as_core, core_or_error, instruments

from acquittance.core.instruments import (
    Advance,
    Charge,
    DefaultRate,
    Discharge,
    Event,
    InterestAccrual,
    LateCharge,
    Loan,
    Note,
    OpeningBalance,
    Payment,
    Terms,
)
from acquittance.portfolio import book_columns, kernel
from acquittance.portfolio.columns import day_number


@st.composite
def with_inserted(draw: st.DrawFn, make: st.SearchStrategy[object]) -> Loan | Note:
    """An instrument of the random books with events from `make(day)` put in date order."""
    instrument = draw(instruments())
    history: list[Event] = list(instrument.events)
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(1, len(history)))
        after = history[at - 1].date
        before = history[at].date if at < len(history) else after + timedelta(days=400)
        day = after + timedelta(days=draw(st.integers(0, (before - after).days)))
        history.insert(at, draw(make)(day))  # type: ignore[operator]
    return replace(instrument, events=tuple(history))


def mark(day: date) -> Event:
    return InterestAccrual(day)


marks = st.just(mark)
core_kinds = st.sampled_from(
    (
        lambda day: Charge(day, Decimal("25.00")),
        lambda day: LateCharge(day, Decimal("12.50"), day - timedelta(days=10)),
        lambda day: DefaultRate(day, Decimal("0.18")),
    )
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(with_inserted(marks), st.integers(-200, 900))
def test_marks_of_accrual_runs_are_the_core_to_the_bit(instrument: Loan | Note, shift: int) -> None:
    assert_same_as_core([instrument], as_of_for(instrument, shift))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instruments(), st.integers(0, 900), st.data())
def test_a_mark_leaves_an_instrument_on_the_path_it_took(
    instrument: Loan | Note, shift: int, data: st.DataObject
) -> None:
    as_of = as_of_for(instrument, shift)
    if isinstance(core_or_error(instrument, as_of), tuple) or isinstance(
        instrument.events[-1], Discharge
    ):
        return  # nothing comes after a discharge
    last = instrument.events[-1].date
    day = data.draw(st.dates(min_value=last, max_value=last + timedelta(days=60)))
    marked = replace(instrument, events=(*instrument.events, InterestAccrual(day)))
    before, after = book_columns([instrument], as_of), book_columns([marked], as_of)
    assert after.core_path == before.core_path
    assert after.positions() == before.positions()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(with_inserted(core_kinds), st.integers(-200, 900))
def test_charges_and_default_rates_are_the_cores_and_counted(
    instrument: Loan | Note, shift: int
) -> None:
    as_of = as_of_for(instrument, shift)
    assert_same_as_core([instrument], as_of)
    if not isinstance(core_or_error(instrument, as_of), tuple):
        assert book_columns([instrument], as_of).core_path == (0,)


def test_a_mark_on_a_month_end_splits_no_thirty_360_period() -> None:
    # Split at Jan 31, 30/360-US would count Jan 15 - Jan 31 and Jan 31 - Mar 15 (16 + 45
    # days); unsplit it counts Jan 15 - Mar 15, 60 days. Both paths must say 60.
    opened = OpeningBalance(date(2024, 1, 15), Decimal("36000.00"), Decimal("0.00"))
    loan = Loan(
        "loan-1",
        "lender",
        "borrower",
        Terms(Decimal("0.1"), "30/360-US", "USD"),
        (opened, InterestAccrual(date(2024, 1, 31))),
    )
    columns = book_columns([loan], date(2024, 3, 15))
    assert columns.core_path == ()
    assert columns.interest == (Decimal("600.00"),)
    assert_same_as_core([loan], date(2024, 3, 15))


def test_a_payment_of_nothing_leaves_the_sub_cent_interest_accrued() -> None:
    # The core takes a payment for charges first; with none owed, nothing paid settles
    # nothing, and the sub-cent interest a payment of its cents would close stays.
    loan = Loan(
        "loan-1",
        "lender",
        "borrower",
        Terms(Decimal("0.0001"), "ACT/360", "USD"),
        (Advance(date(2023, 2, 28), Decimal("0.01")), Payment(date(2023, 3, 1), Decimal("0"))),
    )
    columns = book_columns([loan], date(2023, 3, 1))
    assert columns.core_path == ()
    assert columns.interest_exact == (Fraction(1, 360_000_000),)
    assert_same_as_core([loan], date(2023, 3, 1))


def test_the_calendar_table_is_the_computed_calendar() -> None:
    days = np.arange(kernel.CALENDAR_FIRST, kernel.CALENDAR_END, dtype=np.int64)
    tabled, computed = kernel.civil(days), kernel.civil(days, tabled=False)
    for field in ("year", "month", "day", "leap_days"):
        assert np.array_equal(getattr(tabled, field), getattr(computed, field)), field


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instruments(), st.sampled_from((-44_000, -45_300, 63_000, 64_200)), st.integers(-50, 900))
def test_histories_across_and_beyond_the_calendar_table_are_the_core(
    instrument: Loan | Note, days: int, shift: int
) -> None:
    # Moved to around 1900 or 2200, periods start or end outside the table's days.
    moved = tuple(
        replace(event, date=event.date + timedelta(days=days)) for event in instrument.events
    )
    shifted = replace(instrument, events=moved)
    assert_same_as_core([shifted], as_of_for(shifted, shift))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)), min_size=1))
def test_dates_outside_the_table_are_computed_as_the_calendar_has_them(days: list[date]) -> None:
    fields = kernel.civil(np.array([day_number(d) for d in days], dtype=np.int64))
    assert fields.year.tolist() == [d.year for d in days]
    assert fields.month.tolist() == [d.month for d in days]
    assert fields.day.tolist() == [d.day for d in days]
