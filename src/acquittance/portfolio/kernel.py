"""The columnar kernel: positions of a whole book in int64 arrays, the core's cents to the bit.

It follows `core.accrual`'s rules (read its docstring first) and reads every
convention from `core.conventions`, the table the core reads too: the
periods (one per event date and capitalisation date, each measured from its
own start), interest first at its cents on a payment, the anniversaries of
compounding, the single rounding. What differs is the arithmetic. The walk
goes event by event for all instruments at once: step k applies every
instrument's k-th event, on arrays.

Exact interest in integers. Accrued interest is carried as

    interest (cents) = whole + sum over year bases b of accrued_b / (RATE_SCALE x b)

with `whole` in cents (opening interest less partial payments) and one
integer sum per year basis (360, 365, 366; see `conventions.YEAR_BASES`): a
period adds principal_cents x rate_millionths x day_units_b to `accrued_b`.
ACT/ACT-ISDA splits its days between the 365 and 366 bases, so no period
ever needs a common denominator. Rounding (a payment's cents, a
capitalisation, the position) combines the remainders over the least common
multiple of the bases and applies the table's rule for the terms' mode.

The overflow bound. Every product and sum stays below 2**62 when, for an
instrument, (principal bound) x (highest rate in millionths) x (day units of
its whole span) < `PRODUCT_MAX` = 2**61, where the principal bound is the
opening principal and interest plus every advance, grown by compounding at
the highest rate. That holds, for example, for a loan of 500 million dollars
at 10 % over 10 years. Past it, or where anything is not in the integer
columns (`Book.exact_only`), or where the core would refuse the history
(events out of order, an overpayment, a date before the opening...), the
instrument is marked for the core (`KernelResult.core`), which computes it or
raises its own error; the engine counts those.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import lcm
from typing import Final

import numpy as np
import numpy.typing as npt

from acquittance.core.accrual import EVENTS_COUNT_MAX
from acquittance.core.conventions import (
    COMPOUNDING_MONTHS,
    DAY_COUNTS,
    ROUNDING_RULES,
    Basis,
    DayCount,
    Effect,
    EVENT_EFFECTS,
    leap_days_before,
    units_by_basis,
)
from acquittance.portfolio.columns import (
    COMPOUNDINGS,
    EVENT_CODES,
    RATE_SCALE,
    ROUNDINGS,
    Book,
)

IntArray = npt.NDArray[np.int64]
Rows = npt.NDArray[np.intp]

#: See the module's docstring: the largest principal x rate x day units kept in integers.
PRODUCT_MAX: Final = 2**61
#: Instruments walked together; bounds the kernel's temporaries to a few MB.
CHUNK_ROWS: Final = 1 << 16

_CODE: Final[dict[Effect, int]] = {
    effect: EVENT_CODES.index(kind)
    for kind, effect in EVENT_EFFECTS.items()
    if effect is not Effect.CORE_ONLY and effect is not Effect.SETTLE
}
_SETTLE_CODES: Final = np.array(
    [EVENT_CODES.index(k) for k, e in EVENT_EFFECTS.items() if e is Effect.SETTLE], dtype=np.int8
)
_MONTHS_BY_CODE: Final = np.array([COMPOUNDING_MONTHS[c] for c in COMPOUNDINGS], dtype=np.int64)
_NEVER: Final = np.int64(2**40)  # a day number after any date the product keeps
_EPOCH_MONTH: Final = 1970 * 12


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


# --- dates on arrays -------------------------------------------------------------------------


def _ymd(days: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    as_days = days.astype("datetime64[D]")
    months = as_days.astype("datetime64[M]")
    month_number = months.astype(np.int64)
    day = (as_days - months.astype("datetime64[D]")).astype(np.int64) + 1
    return month_number // 12 + 1970, month_number % 12 + 1, day


def _day_of_year(days: IntArray, year: IntArray) -> IntArray:
    year_start = (year - 1970).astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64)
    return days - year_start


def _month_start(month_number: IntArray) -> IntArray:
    """Day number of the first day of month `month_number` (months since year 0)."""
    return (month_number - _EPOCH_MONTH).astype("datetime64[M]").astype("datetime64[D]").astype(
        np.int64
    )


def _add_months(month_number: IntArray, day: IntArray, months: IntArray) -> IntArray:
    """`schedule.add_months` on arrays: the same day `months` later, clipped to the month's end."""
    target = month_number + months
    start = _month_start(target)
    length = _month_start(target + 1) - start
    return start + np.minimum(day, length) - 1


def _units(convention: DayCount, start: IntArray, end: IntArray) -> tuple[IntArray, ...]:
    """The period's day units per year basis of the convention (see `units_by_basis`)."""
    days = end - start
    leap_days: IntArray | int = 0
    start_ymd = end_ymd = (days, days, days)
    if convention.basis is Basis.ACTUAL_BY_YEAR:
        start_year, end_year = _ymd(start)[0], _ymd(end)[0]
        leap_days = leap_days_before(end_year, _day_of_year(end, end_year)) - leap_days_before(
            start_year, _day_of_year(start, start_year)
        )
    elif convention.basis is Basis.THIRTY:
        start_ymd, end_ymd = _ymd(start), _ymd(end)
    return units_by_basis(
        convention, days=days, leap_days=leap_days, start=start_ymd, end=end_ymd, select=np.where
    )


# --- one group of instruments with one day count ---------------------------------------------


class _Walk:
    """The state of a walk through instruments of one day count, as arrays (one row each)."""

    def __init__(self, convention: DayCount, rounding: npt.NDArray[np.int8], rate: IntArray):
        size = len(rate)
        self.convention = convention
        self.bases = [(YEAR_BASIS_INDEX[year], RATE_SCALE * year) for year in convention.years]
        common = lcm(*convention.years)
        self.common = RATE_SCALE * common
        self.factors = [common // year for year in convention.years]
        self.rounding = rounding
        self.modes = [int(code) for code in np.unique(rounding)]
        self.principal = np.zeros(size, dtype=np.int64)
        self.rate = rate.copy()
        self.whole = np.zeros(size, dtype=np.int64)
        self.accrued = np.zeros((3, size), dtype=np.int64)
        self.period_start = np.zeros(size, dtype=np.int64)
        self.core = np.zeros(size, dtype=np.bool_)
        self.next_capitalisation = np.full(size, _NEVER, dtype=np.int64)
        self.compounding: Rows = np.zeros(0, dtype=np.intp)

    def start_compounding(self, months: IntArray, opening: IntArray) -> None:
        self.compounding = np.flatnonzero(months > 0)
        rows = self.compounding
        self.months = months
        self.capitalisations = np.zeros(len(months), dtype=np.int64)
        year, month, day = _ymd(opening)
        self.opening_month = year * 12 + month - 1
        self.opening_day = day
        self.next_capitalisation[rows] = _add_months(
            self.opening_month[rows], day[rows], months[rows]
        )

    def accrue(self, rows: Rows | slice, end: IntArray) -> None:
        """Close the open period of `rows` at `end` (>= its start)."""
        units = _units(self.convention, self.period_start[rows], end)
        weighted = self.principal[rows] * self.rate[rows]
        for (basis, _), count in zip(self.bases, units, strict=True):
            self.accrued[basis, rows] += weighted * count
        self.period_start[rows] = end

    def rounded(self, rows: Rows | slice) -> IntArray:
        """Accrued interest of `rows` rounded to whole cents under each one's mode."""
        floor = self.whole[rows].copy()
        fraction = np.zeros_like(floor)
        for (basis, denominator), factor in zip(self.bases, self.factors, strict=True):
            quotient, remainder = np.divmod(self.accrued[basis, rows], denominator)
            floor += quotient
            fraction += remainder * factor
        carry, remainder = np.divmod(fraction, self.common)
        floor += carry
        if len(self.modes) == 1:
            return floor + ROUNDING_RULES[ROUNDINGS[self.modes[0]]](floor, remainder, self.common)
        modes = self.rounding[rows]
        increment = np.zeros_like(floor)
        for code in self.modes:
            rule = ROUNDING_RULES[ROUNDINGS[code]]
            increment = np.where(modes == code, rule(floor, remainder, self.common), increment)
        return floor + increment

    def clear_interest(self, rows: Rows | slice) -> None:
        self.whole[rows] = 0
        self.accrued[:, rows] = 0

    def capitalise_through(self, rows: Rows, through: IntArray) -> None:
        """Capitalise on every anniversary of `rows` up to `through` (aligned with `rows`)."""
        if len(self.compounding) == 0:
            return
        limit = np.full(len(self.principal), -1, dtype=np.int64)
        limit[rows] = through
        pending = self.compounding
        while True:
            pending = pending[self.next_capitalisation[pending] <= limit[pending]]
            if len(pending) == 0:
                return
            self.accrue(pending, self.next_capitalisation[pending])
            self.principal[pending] += self.rounded(pending)
            self.clear_interest(pending)
            self.capitalisations[pending] += 1
            self.next_capitalisation[pending] = _add_months(
                self.opening_month[pending],
                self.opening_day[pending],
                self.months[pending] * (self.capitalisations[pending] + 1),
            )

    def apply(self, rows: Rows, kind: npt.NDArray[np.int8], value: IntArray) -> None:
        """Apply one event to each of `rows` (periods already closed at its date)."""
        for code, effect in ((_CODE[Effect.OPEN], "open"), (_CODE[Effect.ADD_PRINCIPAL], "add")):
            hit = rows[kind == code]
            if len(hit):
                amount = value[kind == code]
                if effect == "open":
                    self.principal[hit] = amount
                else:
                    self.principal[hit] += amount
        changed = kind == _CODE[Effect.SET_RATE]
        if changed.any():
            self.rate[rows[changed]] = value[changed]
        settles = np.isin(kind, _SETTLE_CODES)
        if settles.any():
            self.settle(rows[settles], value[settles])
        ended = kind == _CODE[Effect.DISCHARGE]
        if ended.any():
            hit = rows[ended]
            self.principal[hit] = 0
            self.clear_interest(hit)
            self.next_capitalisation[hit] = _NEVER

    def settle(self, rows: Rows, paid: IntArray) -> None:
        """Interest first at its cents, then principal; more than both goes to the core."""
        due = self.rounded(rows)
        self.core[rows[paid > due + self.principal[rows]]] = True
        full = paid >= due
        covered = rows[full]
        self.principal[covered] -= paid[full] - due[full]
        self.clear_interest(covered)
        self.whole[rows[~full]] -= paid[~full]


YEAR_BASIS_INDEX: Final = {360: 0, 365: 1, 366: 2}


# --- checks: what the kernel leaves to the core ----------------------------------------------


@dataclass(frozen=True)
class _Chunk:
    """A chunk's columns, with events re-based to start at 0."""

    offsets: IntArray
    counts: IntArray
    date: IntArray
    kind: npt.NDArray[np.int8]
    value: IntArray


def _chunk(book: Book, low: int, high: int) -> _Chunk:
    offsets = book.events_offsets[low : high + 1]
    first, last = int(offsets[0]), int(offsets[-1])
    return _Chunk(
        offsets=offsets - first,
        counts=np.diff(offsets),
        date=book.event_date[first:last].astype(np.int64),
        kind=book.event_kind[first:last],
        value=book.event_value[first:last],
    )


def _segment_sum(values: npt.NDArray[np.float64], offsets: IntArray) -> npt.NDArray[np.float64]:
    total = np.concatenate(([0.0], np.cumsum(values)))
    return total[offsets[1:]] - total[offsets[:-1]]


def _needs_core(book: Book, low: int, high: int, chunk: _Chunk, as_of: int) -> npt.NDArray[np.bool_]:
    """Rows of the chunk the core must compute: not in integers, refused, or past the bound."""
    counts, offsets, kind = chunk.counts, chunk.offsets, chunk.kind
    core = book.exact_only[low:high].copy()
    core |= (counts == 0) | (counts > EVENTS_COUNT_MAX)
    has_events = np.flatnonzero(counts > 0)
    first = offsets[:-1][has_events]
    owner = np.repeat(np.arange(len(counts)), counts)
    is_first = np.zeros(len(kind), dtype=np.bool_)
    is_first[first] = True
    first_kind = kind[first]
    opens = (first_kind == _CODE[Effect.OPEN]) | (first_kind == _CODE[Effect.ADD_PRINCIPAL])
    core[has_events[~opens]] = True
    core[has_events[chunk.date[first] > as_of]] = True  # BEFORE_HISTORY
    late_opening = (kind == _CODE[Effect.OPEN]) & ~is_first
    backwards = np.zeros(len(kind), dtype=np.bool_)
    backwards[1:] = (chunk.date[1:] < chunk.date[:-1]) & ~is_first[1:]
    last = np.zeros(len(kind), dtype=np.bool_)
    last[offsets[1:][has_events] - 1] = True
    after_discharge = (kind == _CODE[Effect.DISCHARGE]) & ~last
    core[owner[late_opening | backwards | after_discharge]] = True
    core |= _past_bound(book, low, high, chunk, as_of, owner)
    return core


def _past_bound(
    book: Book, low: int, high: int, chunk: _Chunk, as_of: int, owner: IntArray
) -> npt.NDArray[np.bool_]:
    """Rows whose principal x rate x day units might pass PRODUCT_MAX (estimated in floats,
    with margins far wider than a float's error)."""
    kind, counts = chunk.kind, chunk.counts
    adds = (kind == _CODE[Effect.OPEN]) | (kind == _CODE[Effect.ADD_PRINCIPAL])
    principal = _segment_sum(np.where(adds, chunk.value, 0).astype(np.float64), chunk.offsets)
    principal += book.opening_interest[low:high]
    rates = np.where(kind == _CODE[Effect.SET_RATE], chunk.value, 0)
    rate = book.annual_rate[low:high].astype(np.float64)
    if len(rates):
        highest = np.zeros(len(counts), dtype=np.int64)
        np.maximum.at(highest, owner, rates)
        rate = np.maximum(rate, highest)
    opening = np.full(len(counts), float(as_of))
    has_events = counts > 0
    opening[has_events] = chunk.date[chunk.offsets[:-1][has_events]]
    span = np.maximum(as_of - opening, 0.0)
    months = _MONTHS_BY_CODE[np.maximum(book.compounding[low:high], 0)]
    # A 30/360 period counts at most 3 days more than it has; anniversaries add periods.
    units = span + 3.0 * (counts + 2) + np.where(months > 0, 3.0 * span / 28.0, 0.0)
    # Capitalising every period at most multiplies principal by e^(rate x year fraction).
    growth = np.exp(np.minimum(rate / RATE_SCALE * units / 360.0 * (months > 0), 700.0))
    units *= 1.01
    bound = (principal * growth + 1.0) * np.maximum(rate, 1.0) * (units + 1.0)
    return bound >= PRODUCT_MAX  # type: ignore[no-any-return]


# --- the walk --------------------------------------------------------------------------------


def _walk_group(
    book: Book, low: int, chunk: _Chunk, rows: Rows, convention: DayCount, as_of: int
) -> _Walk:
    """Walk the chunk's `rows` (all of one day count, none for the core) to `as_of`."""
    at = low + rows
    walk = _Walk(convention, book.rounding[at], book.annual_rate[at])
    starts = chunk.offsets[rows]
    opening = chunk.date[starts]
    walk.period_start[:] = opening
    months = _MONTHS_BY_CODE[book.compounding[at]]
    if months.any():
        walk.start_compounding(months, opening)
    applied_total = np.concatenate(([0], np.cumsum(chunk.date <= as_of)))
    applied = applied_total[chunk.offsets[rows + 1]] - applied_total[starts]
    walk.whole[:] = book.opening_interest[at] * (chunk.kind[starts] == _CODE[Effect.OPEN])
    everyone = np.arange(len(rows))
    for step in range(int(applied.max(initial=0))):
        active = everyone if step == 0 else everyone[applied > step]
        events = starts[active] + step
        day = chunk.date[events]
        walk.capitalise_through(active, day)
        walk.accrue(active, day)
        walk.apply(active, chunk.kind[events], chunk.value[events])
    end = np.full(len(rows), as_of, dtype=np.int64)
    walk.capitalise_through(everyone, end)
    walk.accrue(everyone, end)
    return walk


def walk_book(book: Book, as_of: int, *, exact: bool = False) -> KernelResult:
    """Every instrument's position on day `as_of` (days since 1970-01-01), in cents.

    Rows marked in `core` are left at 0 for the core to compute. With `exact`,
    the result keeps the exact interest (see `KernelResult`).
    """
    size = len(book)
    principal = np.zeros(size, dtype=np.int64)
    interest = np.zeros(size, dtype=np.int64)
    core = np.zeros(size, dtype=np.bool_)
    whole = np.zeros(size, dtype=np.int64) if exact else None
    accrued = np.zeros((3, size), dtype=np.int64) if exact else None
    for low in range(0, size, CHUNK_ROWS):
        high = min(low + CHUNK_ROWS, size)
        chunk = _chunk(book, low, high)
        needs_core = _needs_core(book, low, high, chunk, as_of)
        day_count = book.day_count[low:high]
        for code, convention in enumerate(DAY_COUNTS):
            rows = np.flatnonzero((day_count == code) & ~needs_core)
            if len(rows) == 0:
                continue
            walk = _walk_group(book, low, chunk, rows, convention, as_of)
            at = low + rows
            principal[at] = walk.principal
            interest[at] = walk.rounded(slice(None))
            needs_core[rows] |= walk.core
            if whole is not None and accrued is not None:
                whole[at] = walk.whole
                accrued[:, at] = walk.accrued
        core[low:high] = needs_core
    principal[core] = 0
    interest[core] = 0
    return KernelResult(principal, interest, core, whole, accrued)
