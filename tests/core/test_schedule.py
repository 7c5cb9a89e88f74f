"""Level payments and amortization schedules: published answers and invariants."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from acquittance.core.errors import InputError
from acquittance.core.instruments import Terms
from acquittance.core.schedule import add_months, amortization_schedule, level_payment

D = Decimal


@pytest.mark.parametrize(
    ("principal", "rate", "count", "expected"),
    [
        ("100000", "0.06", 360, "599.55"),  # the textbook 30-year mortgage
        ("200000", "6.5%", 360, "1264.14"),
        ("1000", "0.12", 12, "88.85"),  # 88.8487..
        ("100000", "0", 3, "33333.33"),
        ("1200", "0.12", 1, "1212.00"),  # one payment: principal plus a month's interest
    ],
)
def test_level_payment_known_answers(principal, rate, count, expected):
    assert level_payment(principal, rate, count) == D(expected)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 1, 31), 2, date(2024, 3, 31)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 11, 30), 3, date(2025, 2, 28)),
        (date(2024, 12, 15), 1, date(2025, 1, 15)),
    ],
)
def test_add_months_clips_to_month_end_and_counts_from_the_start(start, months, expected):
    assert add_months(start, months) == expected


def test_schedule_rows_by_hand():
    terms = Terms(D("0.12"), "30/360-US", "USD")
    rows = amortization_schedule(D("1000.00"), terms, date(2024, 1, 31), 12)
    first = rows[0]
    assert (first.payment, first.interest, first.principal, first.balance) == (
        D("88.85"),
        D("10.00"),
        D("78.85"),
        D("921.15"),
    )
    assert rows[1].interest == D("9.21")  # 921.15 x 1% = 9.2115
    assert [row.due for row in rows[:4]] == [
        date(2024, 1, 31),
        date(2024, 2, 29),
        date(2024, 3, 31),
        date(2024, 4, 30),
    ]
    assert len(rows) == 12
    assert rows[-1].balance == 0
    assert sum(row.principal for row in rows) == D("1000.00")


def test_textbook_mortgage_clears_exactly():
    rows = amortization_schedule(
        D("100000"), Terms(D("0.06"), "30/360-US", "USD"), date(2024, 1, 1), 360
    )
    assert rows[0].payment == D("599.55")
    assert rows[0].interest == D("500.00")
    assert rows[-1].balance == 0
    assert abs(rows[-1].payment - D("599.55")) < D("1.00")


def test_payment_below_interest_is_refused():
    with pytest.raises(InputError) as caught:
        amortization_schedule(
            D("1000"), Terms(D("0.12"), "30/360-US", "USD"), date(2024, 1, 1), 12, payment=D("9.99")
        )
    assert caught.value.code == "PAYMENT_BELOW_INTEREST"


def test_interest_only_payments_end_with_a_balloon():
    rows = amortization_schedule(
        D("1000"), Terms(D("0.12"), "30/360-US", "USD"), date(2024, 1, 1), 3, payment=D("10.00")
    )
    assert [row.payment for row in rows] == [D("10.00"), D("10.00"), D("1010.00")]


def test_a_large_payment_ends_the_schedule_early():
    rows = amortization_schedule(
        D("1000"), Terms(D("0"), "30/360-US", "USD"), date(2024, 1, 1), 12, payment=D("400")
    )
    assert [row.payment for row in rows] == [D("400"), D("400"), D("200")]


@pytest.mark.parametrize(
    ("count", "code"), [(0, "INVALID_PAYMENT_COUNT"), (1201, "INVALID_PAYMENT_COUNT")]
)
def test_bad_counts_are_refused(count, code):
    with pytest.raises(InputError) as caught:
        level_payment("1000", "0.05", count)
    assert caught.value.code == code


def test_negative_principal_is_refused():
    with pytest.raises(InputError) as caught:
        level_payment("-1000", "0.05", 12)
    assert caught.value.code == "NEGATIVE_AMOUNT"


@settings(max_examples=60, deadline=None)
@given(
    principal_cents=st.integers(0, 10**9),
    rate_basis_points=st.integers(0, 2500),
    count=st.integers(1, 480),
)
def test_every_schedule_repays_the_principal_exactly(principal_cents, rate_basis_points, count):
    principal = D(principal_cents) / 100
    terms = Terms(D(rate_basis_points) / 10000, "30/360-US", "USD")
    rows = amortization_schedule(principal, terms, date(2024, 1, 31), count)
    assert sum(row.principal for row in rows) == principal
    assert rows[-1].balance == 0
    assert all(row.balance >= 0 for row in rows)
    assert all(row.payment == row.interest + row.principal for row in rows)
