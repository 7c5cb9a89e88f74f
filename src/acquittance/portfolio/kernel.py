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

The overflow bound. Every product and sum stays below 2**63 when, for an
instrument, (principal bound) x (highest rate in millionths) x (day units of
its whole span) < `PRODUCT_MAX` = 2**62 (about 4.6e18), where the principal
bound is the opening principal and interest plus every advance, grown by
compounding at the highest rate. A loan of 120 million dollars at 10 % for 10
years is inside it, and so is the reference loan (17.5 million at 6.5 %) for
40 years; the check is made in floats with margins far wider than their
error. Past it, or where anything is not in the integer columns
(`Book.exact_only`), or where the core would refuse the history (events out
of order, an overpayment, a date before the opening...), the instrument is
marked for the core (`KernelResult.core`), which computes it or
raises its own error; the engine counts those.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import lcm
from typing import Final, NamedTuple

import numpy as np
import numpy.typing as npt

from acquittance.core.accrual import EVENTS_COUNT_MAX
from acquittance.core.conventions import (
    COMPOUNDING_MONTHS,
    DAY_COUNTS,
    EVENT_EFFECTS,
    ROUNDING_RULES,
    Basis,
    DayCount,
    Effect,
    is_leap_year,
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
PRODUCT_MAX: Final = 2**62
#: Instruments walked together; bounds the kernel's temporaries to a few MB.
CHUNK_ROWS: Final = 1 << 14

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

_MONTH_DAYS: Final = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
_DAYS_BEFORE_MONTH: Final = np.concatenate(([0], np.cumsum(_MONTH_DAYS)[:-1]))


class Dates(NamedTuple):
    """Dates as arrays: day numbers, their calendar fields, and the leap-year days before them."""

    days: IntArray  # days since 1970-01-01
    year: IntArray
    month: IntArray
    day: IntArray
    leap_days: IntArray  # `conventions.leap_days_before` the date

    def take(self, rows: Rows | slice, fields: tuple[int, ...] = (0, 1, 2, 3, 4)) -> Dates:
        """The dates at `rows`; only `fields` are gathered (the others stand in as `days`)."""
        picked = [self[index][rows] if index in fields else None for index in range(5)]
        days = picked[0] if picked[0] is not None else self.days[rows]
        return Dates(*(days if value is None else value for value in picked))

    def put(
        self, rows: Rows | slice, values: Dates, fields: tuple[int, ...] = (0, 1, 2, 3, 4)
    ) -> None:
        for index in fields:
            self[index][rows] = values[index]


def _from_civil(year: IntArray, month: IntArray, day: IntArray) -> Dates:
    """Day numbers of calendar dates (H. Hinnant's days_from_civil, on arrays)."""
    shifted = year - (month <= 2)
    era = shifted // 400
    year_of_era = shifted - era * 400
    day_of_year = (153 * ((month + 9) % 12) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    days = era * 146097 + day_of_era - 719468
    return _dates(days, year, month, day)


def _dates(days: IntArray, year: IntArray, month: IntArray, day: IntArray) -> Dates:
    day_in_year = _DAYS_BEFORE_MONTH[month - 1] + day - 1 + (month > 2) * is_leap_year(year)
    return Dates(days, year, month, day, leap_days_before(year, day_in_year))


def civil(days: IntArray) -> Dates:
    """Calendar fields of day numbers (H. Hinnant's civil_from_days, on arrays)."""
    shifted = days + 719468
    era = shifted // 146097
    day_of_era = shifted - era * 146097
    year_of_era = (
        day_of_era - day_of_era // 1460 + day_of_era // 36524 - day_of_era // 146096
    ) // 365
    day_of_year = day_of_era - (365 * year_of_era + year_of_era // 4 - year_of_era // 100)
    month_from_march = (5 * day_of_year + 2) // 153
    day = day_of_year - (153 * month_from_march + 2) // 5 + 1
    month = month_from_march + 3 - 12 * (month_from_march >= 10)
    year = year_of_era + era * 400 + (month <= 2)
    return _dates(days, year, month, day)


def _add_months(month_number: IntArray, day: IntArray, months: IntArray) -> Dates:
    """`schedule.add_months` on arrays: the same day `months` later, clipped to the month's end.

    `month_number` is year x 12 + month - 1 of the start (`conventions.month_index`).
    """
    target = month_number + months
    year, month = target // 12, target % 12 + 1
    length = _MONTH_DAYS[month - 1] + (month == 2) * is_leap_year(year)
    return _from_civil(year, month, np.minimum(day, length))


def _units(convention: DayCount, start: Dates, end: Dates) -> tuple[IntArray, ...]:
    """The period's day units per year basis of the convention (see `units_by_basis`)."""
    return units_by_basis(
        convention,
        days=end.days - start.days,
        leap_days=end.leap_days - start.leap_days,
        start=(start.year, start.month, start.day),
        end=(end.year, end.month, end.day),
        select=np.where,
    )


_FIELDS_READ: Final = {
    Basis.ACTUAL_FIXED: (0,),
    Basis.ACTUAL_BY_YEAR: (0, 4),
    Basis.THIRTY: (0, 1, 2, 3),
}


def _pick(rows: Rows | slice, mask: npt.NDArray[np.bool_]) -> Rows:
    return np.flatnonzero(mask) if isinstance(rows, slice) else rows[mask]


# --- one group of instruments with one day count ---------------------------------------------


class _Walk:
    """The state of a walk through instruments of one day count, as arrays (one row each)."""

    def __init__(
        self, convention: DayCount, rounding: npt.NDArray[np.int8], rate: IntArray, opening: Dates
    ):
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
        self.period_start = Dates(*(field.copy() for field in opening))
        #: The date fields this convention reads (`Dates` order): fewer gathers per period.
        self.fields = _FIELDS_READ[convention.basis]
        self.core = np.zeros(size, dtype=np.bool_)
        self.next_capitalisation = np.full(size, _NEVER, dtype=np.int64)
        self.compounding: Rows = np.zeros(0, dtype=np.intp)

    def start_compounding(self, months: IntArray, opening: Dates) -> None:
        self.compounding = np.flatnonzero(months > 0)
        rows = self.compounding
        self.months = months
        self.capitalisations = np.zeros(len(months), dtype=np.int64)
        self.opening_month = opening.year * 12 + opening.month - 1
        self.opening_day = opening.day
        self.next_capitalisation[rows] = _add_months(
            self.opening_month[rows], opening.day[rows], months[rows]
        ).days

    def accrue(self, rows: Rows | slice, end: Dates) -> None:
        """Close the open period of `rows` at `end` (>= its start, aligned with `rows`)."""
        units = _units(self.convention, self.period_start.take(rows, self.fields), end)
        weighted = self.principal[rows] * self.rate[rows]
        for (basis, _), count in zip(self.bases, units, strict=True):
            self.accrued[basis, rows] += weighted * count
        self.period_start.put(rows, end, self.fields)

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
            rule = ROUNDING_RULES[ROUNDINGS[self.modes[0]]]
            return floor + np.asarray(rule(floor, remainder, self.common), dtype=np.int64)
        modes = self.rounding[rows]
        increment = np.zeros_like(floor)
        for code in self.modes:
            rule = ROUNDING_RULES[ROUNDINGS[code]]
            increment = np.where(modes == code, rule(floor, remainder, self.common), increment)
        return floor + increment

    def clear_interest(self, rows: Rows | slice) -> None:
        self.whole[rows] = 0
        self.accrued[:, rows] = 0

    def capitalise_through(self, rows: Rows | slice, through: IntArray) -> None:
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
            self.accrue(pending, civil(self.next_capitalisation[pending]))
            self.principal[pending] += self.rounded(pending)
            self.clear_interest(pending)
            self.capitalisations[pending] += 1
            self.next_capitalisation[pending] = _add_months(
                self.opening_month[pending],
                self.opening_day[pending],
                self.months[pending] * (self.capitalisations[pending] + 1),
            ).days

    def apply(self, rows: Rows | slice, kind: npt.NDArray[np.int8], value: IntArray) -> None:
        """Apply one event to each of `rows` (periods already closed at its date)."""
        opens = kind == _CODE[Effect.OPEN]
        if opens.any():
            self.principal[_pick(rows, opens)] = value[opens]
        adds = kind == _CODE[Effect.ADD_PRINCIPAL]
        if adds.any():
            self.principal[_pick(rows, adds)] += value[adds]
        changed = kind == _CODE[Effect.SET_RATE]
        if changed.any():
            self.rate[_pick(rows, changed)] = value[changed]
        settles = np.isin(kind, _SETTLE_CODES)
        if settles.any():
            self.settle(_pick(rows, settles), value[settles])
        ended = kind == _CODE[Effect.DISCHARGE]
        if ended.any():
            hit = _pick(rows, ended)
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
    """A chunk's columns, with events re-based to start at 0, and their dates' fields."""

    offsets: IntArray
    counts: IntArray
    date: IntArray
    kind: npt.NDArray[np.int8]
    value: IntArray
    dates: Dates
    applied: IntArray  # how many of each row's events are dated on or before the as-of date


def _chunk(book: Book, low: int, high: int, as_of: int) -> _Chunk:
    offsets = book.events_offsets[low : high + 1]
    first, last = int(offsets[0]), int(offsets[-1])
    offsets = offsets - first
    day = book.event_date[first:last].astype(np.int64)
    on_or_before = np.concatenate(([0], np.cumsum(day <= as_of)))
    return _Chunk(
        offsets=offsets,
        counts=np.diff(offsets),
        date=day,
        kind=book.event_kind[first:last],
        value=book.event_value[first:last],
        dates=civil(day),
        applied=on_or_before[offsets[1:]] - on_or_before[offsets[:-1]],
    )


def _segment_sum(values: npt.NDArray[np.float64], offsets: IntArray) -> npt.NDArray[np.float64]:
    total = np.concatenate(([0.0], np.cumsum(values)))
    return total[offsets[1:]] - total[offsets[:-1]]


def _needs_core(
    book: Book, low: int, high: int, chunk: _Chunk, as_of: int
) -> npt.NDArray[np.bool_]:
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
    starts = chunk.offsets[rows]
    opening = chunk.dates.take(starts)
    walk = _Walk(convention, book.rounding[at], book.annual_rate[at], opening)
    months = _MONTHS_BY_CODE[book.compounding[at]]
    if months.any():
        walk.start_compounding(months, opening)
    applied = chunk.applied[rows]
    walk.whole[:] = book.opening_interest[at] * (chunk.kind[starts] == _CODE[Effect.OPEN])
    everyone = np.arange(len(rows))
    for step in range(int(applied.max(initial=0))):
        remaining = applied > step
        active: Rows | slice = slice(None) if remaining.all() else everyone[remaining]
        events = starts[active] + step
        day = chunk.dates.take(events, walk.fields)
        walk.capitalise_through(active, day.days)
        walk.accrue(active, day)
        walk.apply(active, chunk.kind[events], chunk.value[events])
    end = Dates(*(np.full(len(rows), field[0]) for field in civil(np.array([as_of]))))
    walk.capitalise_through(slice(None), end.days)
    walk.accrue(slice(None), end)
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
        chunk = _chunk(book, low, high, as_of)
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
