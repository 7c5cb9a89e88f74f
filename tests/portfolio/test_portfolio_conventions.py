"""One table for both paths: the core's day counts and rounding, and the kernel's, from it."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from acquittance.core import conventions
from acquittance.core.daycount import ALIASES, CONVENTIONS, year_fraction
from acquittance.core.instruments import EVENT_KINDS, Compounding
from acquittance.core.money import ROUNDING_MODES, round_money
from acquittance.portfolio import kernel
from acquittance.portfolio.columns import day_number

dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2199, 12, 31))


def test_every_event_kind_of_the_core_is_described_in_the_table() -> None:
    # A new kind must get a line in conventions.EVENT_EFFECTS (CORE_ONLY at least).
    assert set(EVENT_KINDS.values()) <= set(conventions.EVENT_EFFECTS)


def test_every_compounding_rounding_and_convention_of_the_core_is_in_the_table() -> None:
    assert {c.value for c in Compounding} == set(conventions.COMPOUNDING_MONTHS)
    assert set(ROUNDING_MODES) == set(conventions.ROUNDING_RULES)
    assert tuple(CONVENTIONS) == tuple(entry.name for entry in conventions.DAY_COUNTS)
    assert ALIASES == conventions.DAY_COUNT_ALIASES


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(dates, dates), min_size=1, max_size=40))
def test_the_kernels_day_units_are_the_cores_year_fractions(pairs: list[tuple[date, date]]) -> None:
    ordered = [(min(a, b), max(a, b)) for a, b in pairs]
    start = kernel.civil(np.array([day_number(a) for a, _ in ordered], dtype=np.int64))
    end = kernel.civil(np.array([day_number(b) for _, b in ordered], dtype=np.int64))
    for convention in conventions.DAY_COUNTS:
        units = kernel._units(convention, start, end)
        for row, (a, b) in enumerate(ordered):
            got = sum(
                (Fraction(int(u[row]), y) for u, y in zip(units, convention.years, strict=True)),
                Fraction(0),
            )
            assert got == year_fraction(convention.name, a, b), (convention.name, a, b)


@settings(max_examples=300, deadline=None)
@given(st.lists(dates, min_size=1, max_size=40))
def test_calendar_fields_on_arrays_are_the_calendars(days: list[date]) -> None:
    fields = kernel.civil(np.array([day_number(d) for d in days], dtype=np.int64))
    assert fields.year.tolist() == [d.year for d in days]
    assert fields.month.tolist() == [d.month for d in days]
    assert fields.day.tolist() == [d.day for d in days]
    again = kernel._from_civil(fields.year, fields.month, fields.day)
    assert again.days.tolist() == fields.days.tolist()


@given(st.integers(-(10**9), 10**9), st.integers(1, 10**6), st.sampled_from(tuple(ROUNDING_MODES)))
def test_the_tables_rounding_is_the_rounding_point(
    numerator: int, denominator: int, mode: str
) -> None:
    cents = conventions.round_quotient(numerator, denominator, mode)
    assert round_money(Fraction(numerator, denominator * 100), rounding=mode) * 100 == cents
