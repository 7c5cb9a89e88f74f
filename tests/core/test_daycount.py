"""Known answers for every day-count convention, from the conventions' own definitions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from acquittance.core.daycount import CONVENTIONS, canonical_convention, day_count, year_fraction
from acquittance.core.errors import InputError
from acquittance.core.interest import parse_rate, simple_interest

D = date

# (convention, start, end, days of the convention's count, denominator)
KNOWN = [
    # ACT/360: actual days over 360.
    ("ACT/360", D(2002, 3, 31), D(2002, 4, 30), 30, 360),
    ("ACT/360", D(2024, 1, 1), D(2025, 1, 1), 366, 360),
    ("ACT/360", D(2023, 2, 28), D(2023, 3, 1), 1, 360),
    # ACT/365F: actual days over 365, leap year or not.
    ("ACT/365F", D(2024, 1, 1), D(2025, 1, 1), 366, 365),
    ("ACT/365F", D(2024, 2, 28), D(2024, 3, 1), 2, 365),
    ("ACT/365F", D(2023, 1, 31), D(2023, 2, 28), 28, 365),
]

# 30/360 family: (convention, start, end, 30/360 days)
THIRTY = [
    # Bond basis: D1 31 -> 30; D2 31 -> 30 only when D1 is then 30; February untouched.
    ("30/360-BOND", D(2023, 1, 31), D(2023, 2, 28), 28),
    ("30/360-BOND", D(2023, 1, 15), D(2023, 3, 31), 76),
    ("30/360-BOND", D(2023, 1, 30), D(2023, 3, 31), 60),
    ("30/360-BOND", D(2023, 1, 31), D(2023, 3, 31), 60),
    ("30/360-BOND", D(2023, 2, 28), D(2023, 3, 31), 33),
    ("30/360-BOND", D(2024, 2, 29), D(2024, 3, 31), 32),
    ("30/360-BOND", D(2002, 3, 31), D(2002, 4, 30), 30),
    # US: end-of-February rules first, then the 31st rules.
    ("30/360-US", D(2023, 2, 28), D(2023, 3, 31), 30),
    ("30/360-US", D(2023, 2, 28), D(2024, 2, 29), 360),
    ("30/360-US", D(2024, 2, 28), D(2024, 3, 31), 33),  # Feb 28 is not February's end in 2024
    ("30/360-US", D(2024, 2, 29), D(2024, 3, 31), 30),
    ("30/360-US", D(2023, 1, 31), D(2023, 2, 28), 28),  # end in February alone is not moved
    ("30/360-US", D(2023, 1, 15), D(2023, 3, 31), 76),
    ("30/360-US", D(2023, 1, 30), D(2023, 3, 31), 60),
    ("30/360-US", D(2002, 3, 31), D(2002, 4, 30), 30),
    ("30/360-US", D(2002, 3, 31), D(2002, 5, 31), 60),
    # Eurobond: every 31st becomes the 30th; February untouched.
    ("30E/360", D(2023, 1, 15), D(2023, 3, 31), 75),
    ("30E/360", D(2023, 2, 28), D(2023, 3, 31), 32),
    ("30E/360", D(2023, 1, 31), D(2023, 2, 28), 28),
    ("30E/360", D(2024, 2, 29), D(2024, 3, 31), 31),
    ("30E/360", D(2023, 3, 31), D(2023, 5, 31), 60),
]

# ACT/ACT-ISDA: days in each calendar year over that year's length.
ACT_ACT = [
    (D(2023, 12, 31), D(2024, 1, 1), Fraction(1, 365)),
    (D(2024, 1, 1), D(2025, 1, 1), Fraction(1)),
    (D(2003, 11, 1), D(2004, 5, 1), Fraction(61, 365) + Fraction(121, 366)),  # ISDA example
    (D(2024, 2, 28), D(2024, 3, 1), Fraction(2, 366)),
    (D(2023, 7, 1), D(2025, 7, 1), Fraction(184, 365) + 1 + Fraction(181, 365)),
]


@pytest.mark.parametrize(("convention", "start", "end", "days", "year_days"), KNOWN)
def test_actual_fixed_conventions_count_actual_days(convention, start, end, days, year_days):
    assert year_fraction(convention, start, end) == Fraction(days, year_days)
    assert day_count(convention, start, end) == days


@pytest.mark.parametrize(("convention", "start", "end", "days"), THIRTY)
def test_thirty_360_conventions_follow_their_day_rules(convention, start, end, days):
    assert year_fraction(convention, start, end) == Fraction(days, 360)
    assert day_count(convention, start, end) == days


@pytest.mark.parametrize(("start", "end", "expected"), ACT_ACT)
def test_act_act_isda_splits_by_calendar_year(start, end, expected):
    assert year_fraction("ACT/ACT-ISDA", start, end) == expected
    assert day_count("ACT/ACT-ISDA", start, end) == (end - start).days


@pytest.mark.parametrize("convention", sorted(CONVENTIONS))
def test_same_day_is_zero(convention):
    assert year_fraction(convention, D(2024, 2, 29), D(2024, 2, 29)) == 0


@pytest.mark.parametrize("convention", sorted(CONVENTIONS))
def test_start_after_end_is_the_negative_of_the_reversed_period(convention):
    start, end = D(2023, 1, 31), D(2024, 3, 31)
    assert year_fraction(convention, end, start) == -year_fraction(convention, start, end)


@pytest.mark.parametrize(
    ("alias", "canonical"),
    [
        ("actual/360", "ACT/360"),
        ("ACT/365", "ACT/365F"),
        ("ACT/ACT", "ACT/ACT-ISDA"),
        ("30/360", "30/360-BOND"),
        ("30U/360", "30/360-US"),
        (" 30e/360 ", "30E/360"),
    ],
)
def test_aliases_resolve_to_canonical_names(alias, canonical):
    assert canonical_convention(alias) == canonical


@pytest.mark.parametrize("name", ["ACT/999", "", "30/365", None])
def test_unknown_convention_is_refused(name):
    with pytest.raises(InputError) as caught:
        year_fraction(name, D(2024, 1, 1), D(2024, 2, 1))
    assert caught.value.code == "UNKNOWN_DAY_COUNT"


@pytest.mark.parametrize("convention", ["ACT/360", "ACT/365F", "ACT/ACT-ISDA"])
@given(
    a=st.dates(D(1990, 1, 1), D(2040, 12, 31)),
    b=st.dates(D(1990, 1, 1), D(2040, 12, 31)),
    c=st.dates(D(1990, 1, 1), D(2040, 12, 31)),
)
def test_actual_conventions_are_additive(convention, a, b, c):
    a, b, c = sorted((a, b, c))
    assert year_fraction(convention, a, b) + year_fraction(convention, b, c) == year_fraction(
        convention, a, c
    )


@pytest.mark.parametrize(
    ("principal", "rate", "convention", "start", "end", "expected"),
    [
        # 1 x 0.036 x 50/360 = 0.005 exactly: half-up goes to the cent above.
        ("1", "0.036", "ACT/360", D(2024, 1, 1), D(2024, 2, 20), "0.01"),
        # 10 x 0.18 / 360 = 0.005.
        ("10", "0.18", "ACT/360", D(2024, 1, 1), D(2024, 1, 2), "0.01"),
        # 0.0049999.. rounds down.
        ("1", "0.0359", "ACT/360", D(2024, 1, 1), D(2024, 2, 20), "0.00"),
        # The reference loan for one month: 17,500,000 x 6.5% x 30/360 = 94,791.666..
        ("17500000.00", "6.5%", "ACT/360", D(2002, 3, 31), D(2002, 4, 30), "94791.67"),
        # A reference note for one month: 8,000,000 x 7.5% x 30/360 = 50,000.
        ("8000000.00", "7.5%", "30/360-US", D(2002, 3, 31), D(2002, 4, 30), "50000.00"),
        ("1000", "0.05", "ACT/365F", D(2024, 1, 1), D(2025, 1, 1), "50.14"),  # 50.1369..
    ],
)
def test_simple_interest_rounds_half_up_to_the_cent(
    principal, rate, convention, start, end, expected
):
    assert simple_interest(principal, rate, convention, start, end) == Decimal(expected)


def test_simple_interest_half_even_when_asked():
    assert simple_interest(
        "10", "0.18", "ACT/360", D(2024, 1, 1), D(2024, 1, 2), rounding="half-even"
    ) == Decimal("0.00")


def test_simple_interest_refuses_negative_principal():
    with pytest.raises(InputError) as caught:
        simple_interest("-1", "0.05", "ACT/360", D(2024, 1, 1), D(2024, 2, 1))
    assert caught.value.code == "NEGATIVE_PRINCIPAL"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8%", "0.08"),
        (" 6.5% ", "0.065"),
        ("0.08", "0.08"),
        (Decimal("0.075"), "0.075"),
        ("1", "1"),
        ("0", "0"),
    ],
)
def test_parse_rate_accepts_fractions_and_percentages(text, expected):
    assert parse_rate(text) == Decimal(expected)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (8, "RATE_LOOKS_LIKE_PERCENT"),
        ("8", "RATE_LOOKS_LIKE_PERCENT"),
        (Decimal("6.5"), "RATE_LOOKS_LIKE_PERCENT"),
        ("-1%", "NEGATIVE_RATE"),
        ("-0.01", "NEGATIVE_RATE"),
        ("eight", "INVALID_AMOUNT"),
    ],
)
def test_parse_rate_refuses_bad_rates(value, code):
    with pytest.raises(InputError) as caught:
        parse_rate(value)
    assert caught.value.code == code


def test_dates_may_be_iso_strings_and_rates_plain_floats() -> None:
    from decimal import Decimal

    from acquittance import simple_interest, year_fraction

    assert year_fraction("ACT/360", "2002-03-31", "2002-04-30") == Fraction(1, 12)
    assert simple_interest(
        Decimal("17500000.00"), 0.065, "ACT/360", "2002-03-31", "2002-04-30"
    ) == Decimal("94791.67")


@pytest.mark.parametrize("bad", ["2002-02-30", "31/03/2002", 20020331, None])
def test_a_bad_date_is_a_clear_error(bad: object) -> None:
    from acquittance import year_fraction

    with pytest.raises(InputError) as refused:
        year_fraction("ACT/360", bad, date(2002, 4, 30))  # type: ignore[arg-type]
    assert refused.value.code == "INVALID_DATE"


def test_a_float_rate_is_read_as_the_decimal_it_was_written_as() -> None:
    assert parse_rate(0.065) == Decimal("0.065")
    with pytest.raises(InputError) as refused:
        parse_rate(6.5)
    assert refused.value.code == "RATE_LOOKS_LIKE_PERCENT"
