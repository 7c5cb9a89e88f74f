"""Day-count conventions: exact year fractions between two dates.

One function per convention, named as the market names it, registered under
its canonical name and aliases; each follows the convention table
(`core.conventions`), which the columnar kernel follows too. Every result is
an exact `Fraction`; nothing is rounded here. A start after the end gives the
negative of the reversed period, so that a fraction is additive:
yf(a, b) + yf(b, c) == yf(a, c) wherever the convention itself is additive
(the actual/fixed ones and ACT/ACT-ISDA).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from fractions import Fraction
from functools import lru_cache
from typing import Final

from acquittance.core.conventions import (
    DAY_COUNT_ALIASES,
    DAY_COUNT_BY_NAME,
    DAY_COUNTS,
    Basis,
    DayCount,
    leap_days_before,
    select_scalar,
    units_by_basis,
)
from acquittance.core.errors import InputError

YearFractionRule = Callable[[date, date], Fraction]


def _leap_days_before(day: date) -> int:
    return int(leap_days_before(day.year, day.toordinal() - date(day.year, 1, 1).toordinal()))


def _table_fraction(convention: DayCount, start: date, end: date) -> Fraction:
    """The year fraction (start <= end) as the convention table describes it."""
    if convention.basis is Basis.ACTUAL_FIXED:  # `units_by_basis` in short: days over the year
        return Fraction((end - start).days, convention.years[0])
    leap_days = 0
    if convention.basis is Basis.ACTUAL_BY_YEAR:
        leap_days = _leap_days_before(end) - _leap_days_before(start)
    units = units_by_basis(
        convention,
        days=(end - start).days,
        leap_days=leap_days,
        start=(start.year, start.month, start.day),
        end=(end.year, end.month, end.day),
        select=select_scalar,
    )
    years = convention.years
    if len(years) == 1:
        return Fraction(units[0], years[0])
    # Over several bases, one Fraction: cheaper than adding one per basis.
    denominator = 1
    for year in years:
        denominator *= year
    return Fraction(
        sum(count * (denominator // year) for count, year in zip(units, years, strict=True)),
        denominator,
    )


def _rule(name: str, doc: str) -> YearFractionRule:
    convention = DAY_COUNT_BY_NAME[name]

    def rule(start: date, end: date) -> Fraction:
        return _table_fraction(convention, start, end)

    rule.__doc__ = f"{name}: {doc} (see core.conventions)"
    return rule


actual_360 = _rule("ACT/360", "actual days over 360")
actual_365_fixed = _rule("ACT/365F", "actual days over 365, leap years or not")
actual_actual_isda = _rule("ACT/ACT-ISDA", "days in each calendar year over its length")
thirty_360_bond = _rule("30/360-BOND", "ISDA 2006 4.16(f), Bond Basis, 30A/360")
thirty_360_us = _rule("30/360-US", "30U/360 (SIA), with the end-of-February rules")
thirty_e_360 = _rule("30E/360", "Eurobond basis, ISDA 2006 4.16(g)")

#: Each convention's rule, under its canonical name (the table's order).
CONVENTIONS: Final[dict[str, YearFractionRule]] = {
    entry.name: _rule(entry.name, entry.doc) for entry in DAY_COUNTS
}
ALIASES: Final[dict[str, str]] = dict(DAY_COUNT_ALIASES)


def canonical_convention(name: str) -> str:
    """The canonical name of a convention or alias; a clear error for an unknown one."""
    if not isinstance(name, str):
        raise InputError("UNKNOWN_DAY_COUNT", f"day count {name!r} is not a convention name")
    key = name.strip().upper()
    if key in CONVENTIONS:
        return key
    if key in ALIASES:
        return ALIASES[key]
    raise InputError(
        "UNKNOWN_DAY_COUNT",
        f"day count {name!r} is not known; use one of {', '.join(CONVENTIONS)}",
    )


def as_date(value: object, *, label: str = "date") -> date:
    """A date, or an ISO date string (2002-03-31); anything else is a clear error."""
    if isinstance(value, datetime):
        raise InputError("INVALID_DATE", f"{label} {value!r} has a time of day; give a date")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InputError("INVALID_DATE", f"{label} {value!r} is not a date (YYYY-MM-DD)")


def year_fraction(convention: str, start: date, end: date) -> Fraction:
    """The exact year fraction from `start` to `end` under `convention`.

    A start after the end gives the negative of the reversed period.
    """
    canonical = canonical_convention(convention)
    start, end = as_date(start, label="start"), as_date(end, label="end")
    return _year_fraction(canonical, start, end)


@lru_cache(maxsize=4096)
def _year_fraction(canonical: str, start: date, end: date) -> Fraction:
    # Kept: a walk asks for the same periods again (a quote, its closing, the books).
    rule = CONVENTIONS[canonical]
    if start > end:
        return -rule(end, start)
    return rule(start, end)


def day_count(convention: str, start: date, end: date) -> int:
    """The convention's day count (numerator) for the period, for explanations."""
    canonical = canonical_convention(convention)
    return days_of(canonical, start, end, year_fraction(canonical, start, end))


def days_of(canonical: str, start: date, end: date, fraction: Fraction) -> int:
    """The day count of a period whose year fraction under `canonical` is `fraction`."""
    if DAY_COUNT_BY_NAME[canonical].basis is not Basis.THIRTY:
        return (end - start).days
    return int(fraction * 360)
