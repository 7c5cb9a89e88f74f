"""Day-count conventions: exact year fractions between two dates.

One function per convention, named as the market names it, registered under
its canonical name and aliases. Every result is an exact `Fraction`; nothing is
rounded here. A start after the end gives the negative of the reversed period,
so that a fraction is additive: yf(a, b) + yf(b, c) == yf(a, c) wherever the
convention itself is additive (the actual/fixed ones and ACT/ACT-ISDA).
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date, datetime
from fractions import Fraction
from typing import Final

from acquittance.core.errors import InputError

YearFractionRule = Callable[[date, date], Fraction]


def _is_last_day_of_february(day: date) -> bool:
    return day.month == 2 and day.day == calendar.monthrange(day.year, 2)[1]


def _thirty_360(y1: int, m1: int, d1: int, y2: int, m2: int, d2: int) -> Fraction:
    return Fraction(360 * (y2 - y1) + 30 * (m2 - m1) + (d2 - d1), 360)


def actual_360(start: date, end: date) -> Fraction:
    """ACT/360 (Actual/360, French): actual days over 360."""
    return Fraction((end - start).days, 360)


def actual_365_fixed(start: date, end: date) -> Fraction:
    """ACT/365F (Actual/365 Fixed, English): actual days over 365, leap years or not."""
    return Fraction((end - start).days, 365)


def actual_actual_isda(start: date, end: date) -> Fraction:
    """ACT/ACT-ISDA: days in each calendar year over that year's length (365 or 366)."""
    if start == end:
        return Fraction(0)
    total = Fraction(0)
    cursor = start
    while cursor.year < end.year:
        year_end = date(cursor.year + 1, 1, 1)
        total += Fraction((year_end - cursor).days, 366 if calendar.isleap(cursor.year) else 365)
        cursor = year_end
    total += Fraction((end - cursor).days, 366 if calendar.isleap(end.year) else 365)
    return total


def thirty_360_bond(start: date, end: date) -> Fraction:
    """30/360-BOND (ISDA 2006 4.16(f), Bond Basis, 30A/360).

    D1 = 31 becomes 30; D2 = 31 becomes 30 only when D1 (after that) is 30.
    February ends are left as they are.
    """
    d1, d2 = start.day, end.day
    if d1 == 31:
        d1 = 30
    if d2 == 31 and d1 == 30:
        d2 = 30
    return _thirty_360(start.year, start.month, d1, end.year, end.month, d2)


def thirty_360_us(start: date, end: date) -> Fraction:
    """30/360-US (30U/360, SIA rule, with the end-of-February rules).

    In order: if both dates are the last day of February, D2 = 30; if the start
    is the last day of February, D1 = 30; if D2 = 31 and D1 is 30 or 31, D2 = 30;
    if D1 = 31, D1 = 30.
    """
    d1, d2 = start.day, end.day
    start_feb_end = _is_last_day_of_february(start)
    if start_feb_end and _is_last_day_of_february(end):
        d2 = 30
    if start_feb_end:
        d1 = 30
    if d2 == 31 and d1 >= 30:
        d2 = 30
    if d1 == 31:
        d1 = 30
    return _thirty_360(start.year, start.month, d1, end.year, end.month, d2)


def thirty_e_360(start: date, end: date) -> Fraction:
    """30E/360 (Eurobond basis, ISDA 2006 4.16(g)): any 31st becomes the 30th."""
    d1 = min(start.day, 30)
    d2 = min(end.day, 30)
    return _thirty_360(start.year, start.month, d1, end.year, end.month, d2)


CONVENTIONS: Final[dict[str, YearFractionRule]] = {
    "ACT/360": actual_360,
    "ACT/365F": actual_365_fixed,
    "ACT/ACT-ISDA": actual_actual_isda,
    "30/360-BOND": thirty_360_bond,
    "30/360-US": thirty_360_us,
    "30E/360": thirty_e_360,
}

ALIASES: Final[dict[str, str]] = {
    "ACTUAL/360": "ACT/360",
    "A/360": "ACT/360",
    "ACT/365": "ACT/365F",
    "ACT/365-FIXED": "ACT/365F",
    "ACTUAL/365F": "ACT/365F",
    "ACTUAL/365 FIXED": "ACT/365F",
    "A/365F": "ACT/365F",
    "ACT/ACT": "ACT/ACT-ISDA",
    "ACT/ACT ISDA": "ACT/ACT-ISDA",
    "ACTUAL/ACTUAL": "ACT/ACT-ISDA",
    "ACTUAL/ACTUAL-ISDA": "ACT/ACT-ISDA",
    "30/360": "30/360-BOND",
    "30A/360": "30/360-BOND",
    "BOND BASIS": "30/360-BOND",
    "30/360 BOND": "30/360-BOND",
    "30U/360": "30/360-US",
    "30/360 US": "30/360-US",
    "30E/360 EUROBOND": "30E/360",
    "EUROBOND BASIS": "30E/360",
}


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
    rule = CONVENTIONS[canonical_convention(convention)]
    start, end = as_date(start, label="start"), as_date(end, label="end")
    if start > end:
        return -rule(end, start)
    return rule(start, end)


def day_count(convention: str, start: date, end: date) -> int:
    """The convention's day count (numerator) for the period, for explanations."""
    fraction = year_fraction(convention, start, end)
    canonical = canonical_convention(convention)
    if canonical in ("ACT/360", "ACT/365F", "ACT/ACT-ISDA"):
        return (end - start).days
    return int(fraction * 360)
