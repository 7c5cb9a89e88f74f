"""The supported date range: checked where dates come in, and no OverflowError from the core."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from acquittance.core import dates, settlement
from acquittance.core.accrual import per_diem, position
from acquittance.core.dates import DATE_MAX, DATE_MIN, add_days, check_date, parse_date
from acquittance.core.errors import InputError
from acquittance.core.schedule import add_months
from reference_case import reference_interest, reference_loan, reference_notes


def _code(call: object) -> str:
    assert callable(call)
    with pytest.raises(InputError) as caught:
        call()
    return caught.value.code


def test_the_bounds_are_inclusive() -> None:
    assert check_date(DATE_MIN) == DATE_MIN
    assert check_date(DATE_MAX) == DATE_MAX
    assert _code(lambda: check_date(date(1899, 12, 31))) == "DATE_OUT_OF_RANGE"
    assert _code(lambda: check_date(date(2200, 1, 1))) == "DATE_OUT_OF_RANGE"


def test_the_range_message_names_both_bounds() -> None:
    with pytest.raises(InputError) as caught:
        parse_date("9999-12-31", field="--as-of")
    assert caught.value.code == "DATE_OUT_OF_RANGE"
    assert "--as-of 9999-12-31" in caught.value.message
    assert DATE_MIN.isoformat() in caught.value.message
    assert DATE_MAX.isoformat() in caught.value.message


@pytest.mark.parametrize(
    "text",
    ["", "2002-02-30", "20020331", "2002-3-31", "2002-W13-7", "2002-03-31T00:00", "٢٠٠٢-03-31"],
)
def test_only_a_calendar_date_written_yyyy_mm_dd_parses(text: str) -> None:
    assert _code(lambda: parse_date(text)) == "INVALID_DATE"


@given(st.dates(min_value=DATE_MIN, max_value=DATE_MAX))
def test_every_supported_date_parses_back(day: date) -> None:
    assert parse_date(day.isoformat()) == day


@given(st.dates(), st.integers(min_value=-4_000_000, max_value=4_000_000))
def test_add_days_is_exact_or_a_coded_error(day: date, days: int) -> None:
    try:
        moved = add_days(day, days)
    except InputError as error:
        assert error.code == "DATE_OUT_OF_RANGE"
        assert not date.min.toordinal() <= day.toordinal() + days <= date.max.toordinal()
    else:
        assert moved.toordinal() == day.toordinal() + days


def test_add_months_past_the_calendar_is_a_coded_error() -> None:
    assert add_months(date(9999, 11, 30), 1) == date(9999, 12, 30)
    assert _code(lambda: add_months(date(9999, 12, 31), 1)) == "DATE_OUT_OF_RANGE"


def test_the_core_quotes_the_last_supported_date_and_refuses_the_calendar_end() -> None:
    loan, notes, interests = reference_loan(), reference_notes(), [reference_interest()]
    far = settlement.quote(loan, notes, interests, DATE_MAX)
    assert far.as_of == DATE_MAX
    settlement.explain(far)  # 198 years of interest, shown to 20 places
    for day in (date(9999, 12, 31), date.max):
        with pytest.raises(InputError) as caught:
            settlement.quote(loan, notes, interests, day)
        assert caught.value.code == "DATE_OUT_OF_RANGE"
    assert position(loan, date.max).principal == Decimal("17500000.00")
    assert _code(lambda: per_diem(loan, date.max)) == "DATE_OUT_OF_RANGE"


@given(st.dates())
def test_iso_text_is_isoformat_for_any_date(day: date) -> None:
    assert dates.iso_text(day) == day.isoformat()
    assert dates.iso_text(day) == day.isoformat()  # the remembered text, the second time


def test_iso_text_leaves_a_date_subclass_to_its_own_isoformat() -> None:
    moment = datetime(2024, 6, 30, 12, 0)
    assert dates.iso_text(moment) == "2024-06-30T12:00:00"
    assert dates.iso_text(date(2024, 6, 30)) == "2024-06-30"
