"""The convention table: every day count, compounding rule, event kind and rounding mode, once.

Both paths read this module and nothing else for these rules: the Decimal
core (`daycount`, `accrual`, `money`) on one instrument at a time, and the
columnar kernel (`acquittance.portfolio.kernel`) on whole arrays. So the rules
are written as data and as small pure functions that work alike on Python
integers and on NumPy integer arrays: they use only `+ - * // %`, comparisons,
`&` and `|` on comparison results, and a `select(condition, if_true,
if_false)` the caller passes (a conditional expression for scalars,
`numpy.where` for arrays). Nothing here imports NumPy or any other part of the
package.

Year fractions are split by *year basis*: a fraction is `units / basis` summed
over the bases a convention uses. ACT/360 and the 30/360 family count in one
basis of 360, ACT/365F in one of 365, and ACT/ACT-ISDA in two, the days that
fall in common years over 365 and those in leap years over 366. Keeping one
sum per basis is what lets the kernel stay in integers (see
`acquittance.portfolio.kernel`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any, Final

#: `select(condition, if_true, if_false)`: a conditional expression, or `numpy.where`.
Select = Callable[[Any, Any, Any], Any]


def select_scalar(condition: Any, if_true: Any, if_false: Any) -> Any:
    """`select` for Python integers."""
    return if_true if condition else if_false


# --- the calendar ----------------------------------------------------------------------------


def is_leap_year(year: Any) -> Any:
    """Gregorian leap years: every fourth, except centuries not divisible by 400."""
    return (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))


def leap_years_before(year: Any) -> Any:
    """How many leap years there are from year 1 up to, not including, `year`."""
    before = year - 1
    return before // 4 - before // 100 + before // 400


def days_in_february(year: Any) -> Any:
    return 28 + is_leap_year(year) * 1


# --- day counts ------------------------------------------------------------------------------


class Basis(Enum):
    """How a convention counts: actual days over a fixed year, per calendar year, or 30/360."""

    ACTUAL_FIXED = "actual days over a fixed year"
    ACTUAL_BY_YEAR = "actual days over the length of each calendar year"
    THIRTY = "30-day months over a 360-day year"


#: The adjustment of a 30/360 convention: (d1, d2, start is February's end, end is
#: February's end, select) -> (d1, d2).
ThirtyRule = Callable[[Any, Any, Any, Any, Select], tuple[Any, Any]]


def thirty_bond_days(
    d1: Any, d2: Any, start_feb_end: Any, end_feb_end: Any, select: Select
) -> tuple[Any, Any]:
    """ISDA 2006 4.16(f): D1 = 31 becomes 30; D2 = 31 becomes 30 when D1 (so changed) is 30."""
    d1 = select(d1 == 31, 30, d1)
    d2 = select((d2 == 31) & (d1 == 30), 30, d2)
    return d1, d2


def thirty_us_days(
    d1: Any, d2: Any, start_feb_end: Any, end_feb_end: Any, select: Select
) -> tuple[Any, Any]:
    """30U/360 (SIA), in order: both February ends -> D2 = 30; start February's end ->
    D1 = 30; D2 = 31 and D1 is 30 or 31 -> D2 = 30; D1 = 31 -> D1 = 30."""
    d2 = select(start_feb_end & end_feb_end, 30, d2)
    d1 = select(start_feb_end, 30, d1)
    d2 = select((d2 == 31) & (d1 >= 30), 30, d2)
    d1 = select(d1 == 31, 30, d1)
    return d1, d2


def thirty_e_days(
    d1: Any, d2: Any, start_feb_end: Any, end_feb_end: Any, select: Select
) -> tuple[Any, Any]:
    """30E/360, ISDA 2006 4.16(g): any 31st becomes the 30th."""
    return select(d1 == 31, 30, d1), select(d2 == 31, 30, d2)


def thirty_360_units(
    start: tuple[Any, Any, Any], end: tuple[Any, Any, Any], adjusted: tuple[Any, Any]
) -> Any:
    """360 x years + 30 x months + days, on (year, month, day) and the adjusted days."""
    (y1, m1, _), (y2, m2, _) = start, end
    d1, d2 = adjusted
    return 360 * (y2 - y1) + 30 * (m2 - m1) + (d2 - d1)


@dataclass(frozen=True)
class DayCount:
    """One day-count convention: its market name, aliases, how it counts, and its rule."""

    name: str
    aliases: tuple[str, ...]
    basis: Basis
    #: The year bases its fraction is summed over, in day units: (360,), (365,) or (365, 366).
    years: tuple[int, ...]
    thirty_rule: ThirtyRule | None = None
    doc: str = ""


DAY_COUNTS: Final[tuple[DayCount, ...]] = (
    DayCount(
        "ACT/360",
        ("ACTUAL/360", "A/360"),
        Basis.ACTUAL_FIXED,
        (360,),
        doc="Actual/360 (French): actual days over 360.",
    ),
    DayCount(
        "ACT/365F",
        ("ACT/365", "ACT/365-FIXED", "ACTUAL/365F", "ACTUAL/365 FIXED", "A/365F"),
        Basis.ACTUAL_FIXED,
        (365,),
        doc="Actual/365 Fixed (English): actual days over 365, leap years or not.",
    ),
    DayCount(
        "ACT/ACT-ISDA",
        ("ACT/ACT", "ACT/ACT ISDA", "ACTUAL/ACTUAL", "ACTUAL/ACTUAL-ISDA"),
        Basis.ACTUAL_BY_YEAR,
        (365, 366),
        doc="Actual/Actual ISDA: days in each calendar year over that year's length.",
    ),
    DayCount(
        "30/360-BOND",
        ("30/360", "30A/360", "BOND BASIS", "30/360 BOND"),
        Basis.THIRTY,
        (360,),
        thirty_bond_days,
        doc="30/360 Bond Basis (ISDA 2006 4.16(f), 30A/360).",
    ),
    DayCount(
        "30/360-US",
        ("30U/360", "30/360 US"),
        Basis.THIRTY,
        (360,),
        thirty_us_days,
        doc="30/360 US (30U/360, SIA), with the end-of-February rules.",
    ),
    DayCount(
        "30E/360",
        ("30E/360 EUROBOND", "EUROBOND BASIS"),
        Basis.THIRTY,
        (360,),
        thirty_e_days,
        doc="30E/360 (Eurobond basis, ISDA 2006 4.16(g)).",
    ),
)
DAY_COUNT_BY_NAME: Final[dict[str, DayCount]] = {entry.name: entry for entry in DAY_COUNTS}
DAY_COUNT_ALIASES: Final[dict[str, str]] = {
    alias: entry.name for entry in DAY_COUNTS for alias in entry.aliases
}
#: Every year basis any convention uses: the kernel keeps one interest sum per basis.
YEAR_BASES: Final[tuple[int, ...]] = (360, 365, 366)


def leap_days_before(year: Any, day_of_year: Any) -> Any:
    """Days from 1 January of year 1 up to (year, day_of_year, 0-based) that lie in leap years."""
    return 366 * leap_years_before(year) + is_leap_year(year) * day_of_year


def units_by_basis(
    convention: DayCount,
    *,
    days: Any,
    leap_days: Any,
    start: tuple[Any, Any, Any],
    end: tuple[Any, Any, Any],
    select: Select,
) -> tuple[Any, ...]:
    """The period's day units in each of `convention.years`: the fraction is their sum over them.

    `days` is the actual day count (end - start), `leap_days` how many of those
    days fall in leap years, `start` and `end` the dates as (year, month, day).
    """
    if convention.basis is Basis.ACTUAL_FIXED:
        return (days,)
    if convention.basis is Basis.ACTUAL_BY_YEAR:
        return (days - leap_days, leap_days)
    assert convention.thirty_rule is not None, f"{convention.name} has no 30/360 rule"
    start_feb_end = (start[1] == 2) & (start[2] == days_in_february(start[0]))
    end_feb_end = (end[1] == 2) & (end[2] == days_in_february(end[0]))
    adjusted = convention.thirty_rule(start[2], end[2], start_feb_end, end_feb_end, select)
    return (thirty_360_units(start, end, adjusted),)


# --- compounding -----------------------------------------------------------------------------

#: Months between capitalisations of unpaid interest, by the terms' compounding (0: never).
#: Anniversaries count from the opening date: opening + k x months, clipped to the month's end.
COMPOUNDING_MONTHS: Final[dict[str, int]] = {"simple": 0, "monthly": 1, "annual": 12}


def month_index(year: Any, month: Any) -> Any:
    """Months since year 0 of (year, month 1-12): what `add_months` counts on."""
    return year * 12 + (month - 1)


# --- event kinds -----------------------------------------------------------------------------


class Effect(Enum):
    """What an event does to an instrument's walk, after the period up to its date is closed."""

    OPEN = "sets principal and interest (the first event only)"
    ADD_PRINCIPAL = "adds its amount to principal"
    SETTLE = "pays accrued interest at its cents first, then principal"
    SET_RATE = "sets the annual rate from its date"
    DISCHARGE = "extinguishes principal and interest; nothing accrues after it"
    MARK = "changes no figure: the open period runs on, unsplit, past its date"
    CORE_ONLY = "known to the core only: an instrument with one is computed by the core"


#: Every event kind (`instruments.EVENT_KINDS` values) and its effect. A kind missing here
#: is computed by the core alone, and tests/portfolio say so until it is described.
EVENT_EFFECTS: Final[dict[str, Effect]] = {
    "opening": Effect.OPEN,
    "advance": Effect.ADD_PRINCIPAL,
    "payment": Effect.SETTLE,
    "satisfaction": Effect.SETTLE,
    "rate_change": Effect.SET_RATE,
    "discharge": Effect.DISCHARGE,
    # An accrual run's mark moves only what the books carry (`InterestAccrual`).
    "accrual": Effect.MARK,
    # Charges and default rates change what is owed in ways the kernel does not model; a
    # reversal never reaches a walk (the events a walk sees are the log with reversals
    # applied), but is not worth a kernel path.
    "charge": Effect.CORE_ONLY,
    "late_charge": Effect.CORE_ONLY,
    "default_rate": Effect.CORE_ONLY,
    "reversal": Effect.CORE_ONLY,
}


# --- the rounding point ----------------------------------------------------------------------

#: Rounds a value >= 0 given as floor + remainder / denominator (0 <= remainder <
#: denominator): the 0 or 1 to add to the floor. Every mode is symmetric about zero,
#: so a negative value rounds as the negative of its magnitude.
RoundingRule = Callable[[Any, Any, Any], Any]


def _round_down(floor: Any, remainder: Any, denominator: Any) -> Any:
    return remainder * 0


def _round_up(floor: Any, remainder: Any, denominator: Any) -> Any:
    return (remainder > 0) * 1


def _round_half_up(floor: Any, remainder: Any, denominator: Any) -> Any:
    return (2 * remainder >= denominator) * 1


def _round_half_even(floor: Any, remainder: Any, denominator: Any) -> Any:
    twice = 2 * remainder
    return ((twice > denominator) | ((twice == denominator) & (floor % 2 == 1))) * 1


#: The rounding modes an instrument's terms may name (half-up unless they say otherwise).
ROUNDING_RULES: Final[dict[str, RoundingRule]] = {
    "half-up": _round_half_up,
    "half-even": _round_half_even,
    "down": _round_down,
    "up": _round_up,
}
DEFAULT_ROUNDING: Final = "half-up"


def round_quotient(numerator: int, denominator: int, mode: str) -> int:
    """numerator / denominator (denominator > 0) rounded to a whole number in `mode`."""
    magnitude = abs(numerator)
    floor, remainder = divmod(magnitude, denominator)
    whole = floor + int(ROUNDING_RULES[mode](floor, remainder, denominator))
    return whole if numerator >= 0 else -whole
