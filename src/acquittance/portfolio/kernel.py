"""The columnar kernel: positions of a whole book from int64 columns, the core's cents to the bit.

It follows `core.accrual`'s rules (read its docstring first) and reads every
convention from `core.conventions`, the table the core reads too: the
periods (one per event date and capitalisation date, each measured from its
own start), interest first at its cents on a payment, the anniversaries of
compounding, the single rounding. What differs is the arithmetic, and where
it runs: the table's small pure functions (the calendar, the 30/360 rules,
the rounding rules) are compiled by Numba, unchanged, into one loop that
walks each instrument's events in machine integers, reading every column
once, in order. It makes no temporary array: its memory is the columns it
reads and the figures it writes.

Exact interest in integers. Accrued interest is carried as

    interest (cents) = whole + sum over year bases b of accrued_b / (RATE_SCALE x b)

with `whole` in cents (opening interest less partial payments) and one
integer sum per year basis (360, 365, 366; see `conventions.YEAR_BASES`): a
period adds principal_cents x rate_millionths x day_units_b to `accrued_b`.
ACT/ACT-ISDA splits its days between the 365 and 366 bases, so no period
ever needs a common denominator. Rounding (a payment's cents, a
capitalisation, the position) combines the remainders over the least common
multiple of the bases and applies the table's rule for the terms' mode.

The overflow bound. Every product and sum stays below 2**63 when, for an
instrument, (principal bound) x (highest rate in millionths) x (day units of
its whole span) < `PRODUCT_MAX` = 2**62 (about 4.6e18), where the principal
bound is the opening principal and interest plus every advance, grown by
compounding at the highest rate. A loan of 120 million dollars at 10 % for 10
years is inside it, and so is the reference loan (17.5 million at 6.5 %) for
40 years; the check is made in floats with margins far wider than their
error. Past it, or where anything is not in the integer columns
(`Book.exact_only`), or where the core would refuse the history (events out
of order, an overpayment, a date before the opening...), or where an event
kind is the core's alone (`Effect.CORE_ONLY`), the instrument is marked for
the core (`KernelResult.core`), which computes it or raises its own error;
the engine counts those.

Calendar fields (year, month, day, and the leap-year days before a date) come
from a table of the days from `CALENDAR_FIRST` to `CALENDAR_END`, made at
import on arrays (with the table's `leap_days_before`); a date outside it is
computed by the compiled calendar functions, and the tests check that the
two agree on every tabled day.

Compiled code is cached on disk by Numba, keyed on this module and on the
convention table's source (see `_make_walk`), so a change to either compiles
afresh; the first call in a fresh environment compiles, in a few seconds.
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import reduce
from math import lcm
from types import FunctionType
from typing import Any, Final, NamedTuple, TypeVar, cast

import numba
import numpy as np
import numpy.typing as npt

from acquittance.core import conventions
from acquittance.core.accrual import EVENTS_COUNT_MAX
from acquittance.core.conventions import (
    COMPOUNDING_MONTHS,
    DAY_COUNTS,
    EVENT_EFFECTS,
    ROUNDING_RULES,
    YEAR_BASES,
    Basis,
    DayCount,
    Effect,
)
from acquittance.portfolio.columns import (
    COMPOUNDINGS,
    EVENT_CODES,
    RATE_SCALE,
    ROUNDINGS,
    Book,
    day_number,
)

IntArray = npt.NDArray[np.int64]
Function = TypeVar("Function", bound=Callable[..., Any])

#: See the module's docstring: the largest principal x rate x day units kept in integers.
PRODUCT_MAX: Final = 2**62
#: Instruments per call of the compiled walk (a bound on the work between two returns).
CHUNK_ROWS: Final = 1 << 16
#: The days whose calendar fields are tabled (others are computed): 1900 to 2199.
CALENDAR_FIRST: Final = day_number(date(1900, 1, 1))
CALENDAR_END: Final = day_number(date(2200, 1, 1))
_NEVER: Final = 2**40  # a day number after any date the product keeps


@dataclass(frozen=True)
class KernelResult:
    """Positions in cents; `core` marks rows the kernel left to the core (their figures are 0).

    `whole` and `accrued` (one row per year basis of `conventions.YEAR_BASES`) are
    the exact interest, kept only when asked for: interest_exact =
    whole + sum_b accrued[b] / (RATE_SCALE x YEAR_BASES[b]).
    """

    principal: IntArray
    interest: IntArray
    core: npt.NDArray[np.bool_]
    whole: IntArray | None = None
    accrued: IntArray | None = None


# --- the table's functions, compiled ---------------------------------------------------------


def _jit(function: Function) -> Function:
    """`numba.njit`, keeping the function's type for mypy (Numba has no type hints)."""
    return cast(Function, numba.njit(function))


def _jit_inlined(function: Function) -> Function:
    """`_jit`, the function's code put in its caller's: a call between compiled functions
    costs more than these functions' work, and hides their arithmetic from the optimiser."""
    return cast(Function, numba.njit(inline="always")(function))


def _compiled(function: Callable[..., Any], **callees: Any) -> Any:
    """A function of the convention table compiled by Numba, calling `callees` compiled too.

    The table's functions call each other by their module's names; the copy
    compiled here finds the compiled ones under those names instead.
    """
    assert isinstance(function, FunctionType), f"{function!r} is not a plain function"
    scope = {**function.__globals__, **callees}
    copy = FunctionType(function.__code__, scope, function.__name__, function.__defaults__)
    return numba.njit(copy)


_is_leap_year = _compiled(conventions.is_leap_year)
_leap_years_before = _compiled(conventions.leap_years_before)
_days_in_february = _compiled(conventions.days_in_february, is_leap_year=_is_leap_year)
_leap_days_before = _compiled(
    conventions.leap_days_before,
    is_leap_year=_is_leap_year,
    leap_years_before=_leap_years_before,
)
_thirty_360_units = _compiled(conventions.thirty_360_units)
_select = _compiled(conventions.select_scalar)

#: The 30/360 rules of the table, in order of appearance; the walk has a branch for three.
_THIRTY_RULES: Final = tuple(
    dict.fromkeys(entry.thirty_rule for entry in DAY_COUNTS if entry.thirty_rule is not None)
)
_THIRTY_BRANCHES: Final = 3
_rule_0, _rule_1, _rule_2 = (
    _compiled(rule) for rule in (*_THIRTY_RULES, *(_THIRTY_RULES[:1] * 3))[:_THIRTY_BRANCHES]
)
#: The rounding rules, by code (`columns.ROUNDINGS` order); the walk has a branch for four.
_ROUNDING_BRANCHES: Final = 4
_round_0, _round_1, _round_2, _round_3 = (
    _compiled(ROUNDING_RULES[name])
    for name in (*ROUNDINGS, *(ROUNDINGS[:1] * 4))[:_ROUNDING_BRANCHES]
)
_ROUNDINGS_KNOWN: Final = min(len(ROUNDINGS), _ROUNDING_BRANCHES)


# --- the table as arrays, for the compiled walk ----------------------------------------------

#: How the walk counts a convention's days.
_FIXED, _BY_YEAR, _THIRTY, _UNKNOWN = 0, 1, 2, -1
#: What an event does, for the walk (`Effect`, as small integers).
_OPEN, _ADD, _SETTLE, _SET_RATE, _DISCHARGE, _MARK, _CORE = range(7)
_EFFECT_CODES: Final = {
    Effect.OPEN: _OPEN,
    Effect.ADD_PRINCIPAL: _ADD,
    Effect.SETTLE: _SETTLE,
    Effect.SET_RATE: _SET_RATE,
    Effect.DISCHARGE: _DISCHARGE,
    Effect.MARK: _MARK,
    Effect.CORE_ONLY: _CORE,
}
_BASIS_INDEX: Final = {year: index for index, year in enumerate(YEAR_BASES)}
_COMMON_YEAR: Final = reduce(lcm, YEAR_BASES)
_DENOMINATOR: Final = RATE_SCALE * _COMMON_YEAR
_DAYS_BEFORE_MONTH: Final = np.array(
    [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334], dtype=np.int64
)
_MONTH_DAYS: Final = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


def _counting(convention: DayCount) -> tuple[int, int]:
    """(how the walk counts the convention, its year basis index or 30/360 rule number)."""
    if convention.basis is Basis.ACTUAL_FIXED and len(convention.years) == 1:
        return _FIXED, _BASIS_INDEX[convention.years[0]]
    if convention.basis is Basis.ACTUAL_BY_YEAR and convention.years == (365, 366):
        return _BY_YEAR, 0
    rules = _THIRTY_RULES[:_THIRTY_BRANCHES]
    if (
        convention.basis is Basis.THIRTY
        and convention.years == (360,)
        and convention.thirty_rule in rules
    ):
        return _THIRTY, rules.index(convention.thirty_rule)
    return _UNKNOWN, 0  # a convention the walk has no branch for: the core's


def _table() -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """The convention table as the walk reads it: by day count, compounding and event code."""
    counting = np.array([_counting(entry) for entry in DAY_COUNTS], dtype=np.int64)
    months = np.array([COMPOUNDING_MONTHS[name] for name in COMPOUNDINGS], dtype=np.int64)
    effects = np.full(256, _CORE, dtype=np.int64)  # every int8 code; unknown ones: the core's
    for code, kind in enumerate(EVENT_CODES):
        effects[code] = _EFFECT_CODES[EVENT_EFFECTS[kind]]
    return counting[:, 0].copy(), counting[:, 1].copy(), months, effects


#: The table as the walk reads it; globals, compiled in as constants (see `_civil`).
_COUNTING, _COUNTING_ARGUMENT, _MONTHS_BY_CODE, _EFFECT_BY_CODE = _table()


def _rules_version() -> int:
    """A number from the digest of the table's source: the compiled walk closes over it."""
    return int(hashlib.sha256(inspect.getsource(conventions).encode()).hexdigest()[:15], 16)


# --- dates -----------------------------------------------------------------------------------


@_jit
def _civil_computed(days: int) -> tuple[int, int, int]:
    """(year, month, day) of a day number (H. Hinnant's civil_from_days)."""
    shifted = days + 719468
    era = shifted // 146097
    day_of_era = shifted - era * 146097
    year_of_era = (
        day_of_era - day_of_era // 1460 + day_of_era // 36524 - day_of_era // 146096
    ) // 365
    day_of_year = day_of_era - (365 * year_of_era + year_of_era // 4 - year_of_era // 100)
    month_from_march = (5 * day_of_year + 2) // 153
    day = day_of_year - (153 * month_from_march + 2) // 5 + 1
    month = month_from_march + 3 if month_from_march < 10 else month_from_march - 9
    year = year_of_era + era * 400 + (1 if month <= 2 else 0)
    return year, month, day


@_jit
def _from_civil_one(year: int, month: int, day: int) -> int:
    """The day number of a calendar date (H. Hinnant's days_from_civil)."""
    shifted = year - (1 if month <= 2 else 0)
    era = shifted // 400
    year_of_era = shifted - era * 400
    day_of_year = (153 * ((month + 9) % 12) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era - 719468


@_jit
def _leap_days_computed(year: int, month: int, day: int) -> int:
    """`conventions.leap_days_before` the date."""
    day_in_year = _DAYS_BEFORE_MONTH[month - 1] + day - 1
    if month > 2 and _is_leap_year(year):
        day_in_year += 1
    return _leap_days_before(year, day_in_year)  # type: ignore[no-any-return]


#: A tabled day's fields, packed: leap days x 2**23 + year x 2**9 + month x 2**5 + day.
_LEAP_SHIFT, _YEAR_SHIFT, _MONTH_SHIFT = 23, 9, 5


def _calendar() -> IntArray:
    """The tabled days' fields, packed, computed on arrays at import (compiling the walk's
    own calendar for it would cost more than the table does; tests check they agree)."""
    days = np.arange(CALENDAR_FIRST, CALENDAR_END, dtype=np.int64)
    moment = days.astype("datetime64[D]")
    year = moment.astype("datetime64[Y]").astype(np.int64) + 1970
    month = moment.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day = (moment - moment.astype("datetime64[M]")).astype(np.int64) + 1
    day_in_year = (moment - moment.astype("datetime64[Y]")).astype(np.int64)
    leap_days = np.asarray(conventions.leap_days_before(year, day_in_year), dtype=np.int64)
    return (  # type: ignore[no-any-return]
        (leap_days << _LEAP_SHIFT) | (year << _YEAR_SHIFT) | (month << _MONTH_SHIFT) | day
    )


_CALENDAR: Final = _calendar()


@_jit_inlined
def _civil(days: int) -> tuple[int, int, int, int]:
    """(year, month, day, leap days before it) of a day number: tabled, or computed.

    The table is a global, which Numba compiles in as a constant: an array
    passed in would be reference-counted on every call, at more cost than the
    lookup.
    """
    offset = days - CALENDAR_FIRST
    if 0 <= offset < len(_CALENDAR):
        packed = _CALENDAR[offset]
        return (
            (packed >> _YEAR_SHIFT) & 0x3FFF,
            (packed >> _MONTH_SHIFT) & 0xF,
            packed & 0x1F,
            packed >> _LEAP_SHIFT,
        )
    year, month, day = _civil_computed(days)
    return year, month, day, _leap_days_computed(year, month, day)


@_jit_inlined
def _add_months(month_number: int, day: int, months: int) -> int:
    """`schedule.add_months`: the day number of the same day `months` later, clipped to the
    month's end; `month_number` is year x 12 + month - 1 of the start."""
    target = month_number + months
    year, month = target // 12, target % 12 + 1
    length = _MONTH_DAYS[month - 1]
    if month == 2:
        length = _days_in_february(year)
    return _from_civil_one(year, month, min(day, length))


# --- day units and rounding ------------------------------------------------------------------

Fields = tuple[int, int, int, int]  # `_civil`'s (year, month, day, leap days before)


@_jit_inlined
def _thirty_days(rule: int, start: Fields, end: Fields) -> tuple[int, int]:
    """The table's 30/360 rule number `rule` on the period's days of the month."""
    start_feb_end = start[1] == 2 and start[2] == _days_in_february(start[0])
    end_feb_end = end[1] == 2 and end[2] == _days_in_february(end[0])
    if rule == 0:
        return _rule_0(start[2], end[2], start_feb_end, end_feb_end, _select)  # type: ignore[no-any-return]
    if rule == 1:
        return _rule_1(start[2], end[2], start_feb_end, end_feb_end, _select)  # type: ignore[no-any-return]
    return _rule_2(start[2], end[2], start_feb_end, end_feb_end, _select)  # type: ignore[no-any-return]


@_jit_inlined
def _period_units(
    counting: int, argument: int, start: int, start_fields: Fields, end: int, end_fields: Fields
) -> tuple[int, int]:
    """`conventions.units_by_basis` in the walk: the day units of the period's one or two
    bases (the second is 0 but for ACT/ACT-ISDA's days in leap years)."""
    if counting == _FIXED:
        return end - start, 0
    if counting == _BY_YEAR:
        leap = end_fields[3] - start_fields[3]
        return end - start - leap, leap
    adjusted = _thirty_days(argument, start_fields, end_fields)
    units = _thirty_360_units(start_fields[:3], end_fields[:3], adjusted)
    return units, 0


@_jit_inlined
def _accrued_after(
    counting: int,
    argument: int,
    weighted: int,
    accrued: tuple[int, int, int],
    units: tuple[int, int],
) -> tuple[int, int, int]:
    """`accrued` with a period of principal x rate `weighted` and day `units` added."""
    at_360, at_365, at_366 = accrued
    if counting == _FIXED:
        if argument == 0:
            at_360 += weighted * units[0]
        elif argument == 1:
            at_365 += weighted * units[0]
        else:
            at_366 += weighted * units[0]
    elif counting == _BY_YEAR:
        at_365 += weighted * units[0]
        at_366 += weighted * units[1]
    else:
        at_360 += weighted * units[0]
    return at_360, at_365, at_366


@_jit_inlined
def _rounding(mode: int, floor: int, remainder: int, denominator: int) -> int:
    """The table's rounding rule number `mode`: the 0 or 1 to add to the floor."""
    if mode == 0:
        return _round_0(floor, remainder, denominator)  # type: ignore[no-any-return]
    if mode == 1:
        return _round_1(floor, remainder, denominator)  # type: ignore[no-any-return]
    if mode == 2:
        return _round_2(floor, remainder, denominator)  # type: ignore[no-any-return]
    return _round_3(floor, remainder, denominator)  # type: ignore[no-any-return]


@_jit_inlined
def _rounded(mode: int, whole: int, accrued: tuple[int, int, int]) -> int:
    """The exact interest (see the module's docstring) rounded to whole cents under `mode`."""
    floor = whole
    fraction = 0
    for basis in range(3):
        if accrued[basis] != 0:
            year = YEAR_BASES[basis]
            quotient, remainder = divmod(accrued[basis], RATE_SCALE * year)
            floor += quotient
            fraction += remainder * (_COMMON_YEAR // year)
    carry, remainder = divmod(fraction, _DENOMINATOR)
    floor += carry
    return floor + _rounding(mode, floor, remainder, _DENOMINATOR)


# --- one instrument --------------------------------------------------------------------------

#: Where a walk stands: principal, rate, whole, accrued, the open period's start (its day
#: number and `_civil` fields), the next anniversary and how many came before it.
Walk = tuple[int, int, int, tuple[int, int, int], int, Fields, int, int]
#: An instrument's terms as the walk reads them: how it counts days, that count's argument,
#: the rounding mode, months between capitalisations, and the opening's month number and day.
Terms = tuple[int, int, int, int, int, int]


@_jit_inlined
def _accrued_to(walk: Walk, terms: Terms, end: int) -> Walk:
    """The walk with its open period closed at `end`, after capitalising on every
    anniversary up to `end` (for the period just ended, as the core does)."""
    principal, rate, whole, accrued, start, start_fields, anniversary, count = walk
    counting, argument, mode, months, opening_month, opening_day = terms
    actual = counting == _FIXED  # ACT/360 and ACT/365F read day numbers only
    while anniversary <= end:
        fields = (0, 0, 0, 0) if actual else _civil(anniversary)
        units = _period_units(counting, argument, start, start_fields, anniversary, fields)
        accrued = _accrued_after(counting, argument, principal * rate, accrued, units)
        start, start_fields = anniversary, fields
        principal += _rounded(mode, whole, accrued)
        whole, accrued = 0, (0, 0, 0)
        count += 1
        anniversary = _add_months(opening_month, opening_day, months * (count + 1))
    fields = (0, 0, 0, 0) if actual else _civil(end)
    units = _period_units(counting, argument, start, start_fields, end, fields)
    accrued = _accrued_after(counting, argument, principal * rate, accrued, units)
    return principal, rate, whole, accrued, end, fields, anniversary, count


@_jit_inlined
def _applied(walk: Walk, mode: int, effect: int, value: int) -> tuple[bool, Walk]:
    """The walk after one event (its period closed): (refused as an overpayment, walk)."""
    principal, rate, whole, accrued, start, start_fields, anniversary, count = walk
    if effect == _OPEN:
        principal = value
    elif effect == _ADD:
        principal += value
    elif effect == _SET_RATE:
        rate = value
    elif effect == _SETTLE and value > 0:  # nothing paid settles nothing, not even sub-cents
        due = _rounded(mode, whole, accrued)
        if value > due + principal:
            return True, walk  # an overpayment: the core says so
        if value >= due:  # the cents settle the interest, sub-cent rest and all
            principal -= value - due
            whole, accrued = 0, (0, 0, 0)
        else:
            whole -= value
    elif effect == _DISCHARGE:
        principal, whole, accrued, anniversary = 0, 0, (0, 0, 0), _NEVER
    return False, (principal, rate, whole, accrued, start, start_fields, anniversary, count)


@_jit_inlined
def _opened(
    code: int, compounding: int, mode: int, first: int, opening: int, interest: int, rate: int
) -> tuple[bool, Terms, Walk]:
    """(for the core, terms, walk) of an instrument whose first event has effect `first`
    on `opening`, with terms of those codes, before its first event is applied."""
    no_terms = (0, 0, 0, 0, 0, 0)
    no_walk = (0, 0, 0, (0, 0, 0), 0, (0, 0, 0, 0), 0, 0)
    if not (0 <= code < len(_COUNTING) and 0 <= compounding < len(_MONTHS_BY_CODE)):
        return True, no_terms, no_walk
    counting, months = _COUNTING[code], _MONTHS_BY_CODE[compounding]
    if counting == _UNKNOWN or not 0 <= mode < _ROUNDINGS_KNOWN or first not in (_OPEN, _ADD):
        return True, no_terms, no_walk
    fields = _civil(opening)
    opening_month = fields[0] * 12 + fields[1] - 1
    terms = (counting, _COUNTING_ARGUMENT[code], int(mode), months, opening_month, fields[2])
    anniversary = _NEVER if months == 0 else _add_months(opening_month, fields[2], months)
    whole = interest if first == _OPEN else 0
    return False, terms, (0, rate, whole, (0, 0, 0), opening, fields, anniversary, 0)


@_jit_inlined
def _refused(at: int, high: int, effect: int, day: int, previous: int) -> bool:
    """Whether event `at` (not the first) makes a history the core refuses, or takes only:
    a kind of the core's alone, a second opening, a date out of order, a discharge before
    the last event."""
    return effect in (_CORE, _OPEN) or day < previous or (effect == _DISCHARGE and at != high - 1)


@_jit_inlined
def _past_bound(principal: float, rate: float, span: int, events: int, months: int) -> bool:
    """Whether principal x rate x day units might pass PRODUCT_MAX, from the principal
    added and the highest rate (estimated in floats, with margins far wider than a
    float's error)."""
    days = max(float(span), 0.0)
    # A 30/360 period counts at most 3 days more than it has; anniversaries add periods.
    units = days + 3.0 * (events + 2)
    growth = 1.0
    if months > 0:
        units += 3.0 * days / 28.0
        # Capitalising every period at most multiplies principal by e^(rate x year fraction).
        growth = np.exp(min(rate / RATE_SCALE * units / 360.0, 700.0))
    units *= 1.01
    return (principal * growth + 1.0) * max(rate, 1.0) * (units + 1.0) >= float(PRODUCT_MAX)


# --- the book --------------------------------------------------------------------------------


def _make_walk(rules_version: int) -> Callable[..., int]:
    """The compiled walk over rows `low` to `high`; it returns `rules_version`.

    Numba's disk cache keys a function on its own code and on the values it
    closes over, not on the functions it calls: closing over the table's
    version makes a change to the table compile afresh, and the caller checks
    that the walk it ran was built from the table it reads. The book's arrays
    are read here only: a compiled function given an array counts references
    to it on every call, at more cost than most of these functions' work.
    """

    @numba.njit(cache=True, nogil=True)  # nogil: threads of one process walk at once
    def walk(low: int, high: int, as_of: int, book: tuple[Any, ...], out: tuple[Any, ...]) -> int:
        offsets, day_count, compounding, rounding, annual_rate, opening_interest = book[:6]
        exact_only, event_date, event_kind, event_value = book[6:]
        principal_out, interest_out, core_out, whole_out, accrued_out = out
        for row in range(low, high):
            # Unsigned indexes: a signed one is checked for counting from the end, at each read.
            at_row = np.uint64(row)
            first, last = offsets[at_row], offsets[at_row + np.uint64(1)]
            core = exact_only[at_row] or first == last or last - first > EVENTS_COUNT_MAX
            if not core:
                opening = int(event_date[np.uint64(first)])
                core, terms, walked = _opened(
                    day_count[at_row],
                    compounding[at_row],
                    rounding[at_row],
                    _EFFECT_BY_CODE[event_kind[np.uint64(first)] & 0xFF],
                    opening,
                    opening_interest[at_row],
                    annual_rate[at_row],
                )
                core = core or opening > as_of
            if core:
                core_out[at_row] = True
                continue
            added, highest, previous = (
                float(opening_interest[at_row]),
                float(annual_rate[at_row]),
                opening,
            )
            for at in range(first, last):
                index = np.uint64(at)
                effect, day = _EFFECT_BY_CODE[event_kind[index] & 0xFF], int(event_date[index])
                if at > first and _refused(at, last, effect, day, previous):
                    core = True
                    break
                previous = day
                if day > as_of or effect == _MARK:  # a mark splits no period
                    continue
                value = event_value[index]
                if effect in (_OPEN, _ADD):
                    added += float(value)
                elif effect == _SET_RATE:
                    highest = max(highest, float(value))
                core, walked = _applied(_accrued_to(walked, terms, day), terms[2], effect, value)
                if core:
                    break
            if not core:
                walked = _accrued_to(walked, terms, as_of)
                core = _past_bound(added, highest, as_of - opening, last - first, terms[3])
            if core:  # past the bound the figures may be garbage: nothing traps an overflow
                core_out[at_row] = True
                continue
            principal_out[at_row] = walked[0]
            interest_out[at_row] = _rounded(terms[2], walked[2], walked[3])
            if len(whole_out):
                whole_out[at_row] = walked[2]
                for basis in range(3):
                    accrued_out[basis, at_row] = walked[3][basis]
        return rules_version

    return cast(Callable[..., int], walk)


def _read_only(array: npt.ArrayLike, dtype: Any) -> npt.NDArray[Any]:
    """The column as the walk's one signature reads it: contiguous, `dtype`, read-only."""
    view = np.ascontiguousarray(array, dtype=dtype).view()
    view.flags.writeable = False
    return view


_RULES_VERSION: Final = _rules_version()
_walk_rows: Final = _make_walk(_RULES_VERSION)
_BOOK_TYPES: Final = (
    ("events_offsets", np.int64),
    ("day_count", np.int8),
    ("compounding", np.int8),
    ("rounding", np.int8),
    ("annual_rate", np.int64),
    ("opening_interest", np.int64),
    ("exact_only", np.bool_),
    ("event_date", np.int32),
    ("event_kind", np.int8),
    ("event_value", np.int64),
)


def walk_book(book: Book, as_of: int, *, exact: bool = False) -> KernelResult:
    """Every instrument's position on day `as_of` (days since 1970-01-01), in cents.

    Rows marked in `core` are left at 0 for the core to compute. With `exact`,
    the result keeps the exact interest (see `KernelResult`).
    """
    size = len(book)
    principal = np.zeros(size, dtype=np.int64)
    interest = np.zeros(size, dtype=np.int64)
    core = np.zeros(size, dtype=np.bool_)
    whole = np.zeros(size if exact else 0, dtype=np.int64)
    accrued = np.zeros((3, size if exact else 0), dtype=np.int64)
    columns = tuple(_read_only(getattr(book, name), dtype) for name, dtype in _BOOK_TYPES)
    out = (principal, interest, core, whole, accrued)
    for low in range(0, size, CHUNK_ROWS):
        high = min(low + CHUNK_ROWS, size)
        walked = _walk_rows(low, high, int(as_of), columns, out)
        assert walked == _RULES_VERSION, "the compiled walk is not the current table's"
    if not exact:
        return KernelResult(principal, interest, core)
    return KernelResult(principal, interest, core, whole, accrued)


# --- dates and day units on arrays (what the tests check the walk's calendar with) ---------


class Dates(NamedTuple):
    """Dates as arrays: day numbers, their calendar fields, and the leap-year days before them."""

    days: IntArray  # days since 1970-01-01
    year: IntArray
    month: IntArray
    day: IntArray
    leap_days: IntArray  # `conventions.leap_days_before` the date


@_jit
def _civil_rows(days: IntArray, tabled: bool, fields: IntArray) -> None:
    for row in range(len(days)):
        if tabled:
            found = _civil(days[row])
        else:
            year, month, day = _civil_computed(days[row])
            found = (year, month, day, _leap_days_computed(year, month, day))
        fields[0, row], fields[1, row], fields[2, row], fields[3, row] = found


@_jit
def _days_rows(fields: IntArray, days: IntArray) -> None:
    for row in range(len(days)):
        days[row] = _from_civil_one(fields[0, row], fields[1, row], fields[2, row])


def civil(days: IntArray, *, tabled: bool = True) -> Dates:
    """Calendar fields of day numbers, as the walk finds them (`tabled`: from the table
    where it has them; else computed, as the walk does outside it)."""
    numbers = np.ascontiguousarray(days, dtype=np.int64)
    fields = np.zeros((4, len(numbers)), dtype=np.int64)
    _civil_rows(numbers, tabled, fields)
    return Dates(numbers, fields[0], fields[1], fields[2], fields[3])


def _from_civil(year: IntArray, month: IntArray, day: IntArray) -> Dates:
    """Day numbers of calendar dates, as the walk computes them."""
    days = np.zeros(len(year), dtype=np.int64)
    _days_rows(np.array([year, month, day], dtype=np.int64), days)
    return civil(days)


@_jit
def _units_rows(
    counting: int, argument: int, start: IntArray, end: IntArray, units: IntArray
) -> None:
    for row in range(start.shape[1]):
        units[0, row], units[1, row] = _period_units(
            counting,
            argument,
            start[0, row],
            (start[1, row], start[2, row], start[3, row], start[4, row]),
            end[0, row],
            (end[1, row], end[2, row], end[3, row], end[4, row]),
        )


def _units(convention: DayCount, start: Dates, end: Dates) -> tuple[IntArray, ...]:
    """The period's day units per year basis of the convention, as the walk counts them."""
    counting, argument = _counting(convention)
    assert counting != _UNKNOWN, f"the walk has no branch for {convention.name}"
    units = np.zeros((2, len(start.days)), dtype=np.int64)
    fields = [np.array(dates, dtype=np.int64) for dates in (start, end)]
    _units_rows(counting, argument, fields[0], fields[1], units)
    return tuple(units[: len(convention.years)])
