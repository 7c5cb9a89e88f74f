"""One instrument's position in plain integers: the core's rules, without its objects.

`walk` follows `acquittance.core.accrual` rule for rule (read that module first):
the same periods (one per event date and capitalisation date, each measured
from its own start), the same interest-first allocation and sub-cent rule at a
posting point, the same capitalisation anniversaries, the same single rounding.
What changes is the arithmetic. Accrued interest is an integer numerator over a
per-instrument common denominator, in cents:

    interest (cents) = n / (Y x R)

where Y is the convention's year in day units (360; 365; 365 x 366 for
ACT/ACT-ISDA, whose day in a common year is 366 units and in a leap year 365)
and R is the least common denominator of the rates seen so far. A period adds
principal_cents x rate x R x day_units to n: one integer product, no
`Fraction`, no intermediate dataclass. Principal stays a `Decimal` and goes
through the very operations the core applies to it (so even its exponent is
the core's), with its integer cents alongside.

Validation is the core's, made cheap: a walk accepts only what
`accrual.validate_terms` and `accrual.validate_events` accept, and returns None
(the caller then asks the core, which raises its own error with its own words)
at the first sign of anything else: an error of any kind (OVERPAYMENT,
BEFORE_HISTORY, a bad amount, rate or date, events out of order or after a
discharge), an input of an unexpected type (a rate or amount written as a
string, a subclass of an event), or amounts so large that `Decimal`'s context
could round them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, getcontext
from math import gcd
from typing import Final, NamedTuple, TypeAlias

from acquittance.core.accrual import EVENTS_COUNT_MAX
from acquittance.core.daycount import canonical_convention
from acquittance.core.errors import AcquittanceError
from acquittance.core.instruments import (
    Advance,
    Compounding,
    Discharge,
    Loan,
    Note,
    OpeningBalance,
    Payment,
    RateChange,
    Satisfaction,
)
from acquittance.core.interest import parse_rate
from acquittance.core.money import CENT, ROUNDING_MODES, check_currency

#: A walk's answer: principal, interest (cents), exact interest as numerator and denominator.
Row: TypeAlias = tuple[Decimal, Decimal, int, int]

#: Amounts from this many cents up are left to the core (well inside `Decimal`'s 28 digits).
CENTS_MAX: Final = 10**24
#: Principal or interest from this many cents up is left to the core.
BALANCE_CENTS_MAX: Final = 10**25
#: `Decimal` arithmetic on the amounts above is exact only with at least this precision.
PRECISION_MIN: Final = 28

_OPENING, _ADVANCE, _SETTLE, _RATE, _DISCHARGE = range(5)
_KIND_OF: Final[dict[type, int]] = {
    OpeningBalance: _OPENING,
    Advance: _ADVANCE,
    Payment: _SETTLE,
    Satisfaction: _SETTLE,
    RateChange: _RATE,
    Discharge: _DISCHARGE,
}

_ACT_360, _ACT_365F, _ACT_ACT_ISDA, _BOND, _US, _EURO = range(6)
_CONVENTION_ID: Final[dict[str, int]] = {
    "ACT/360": _ACT_360,
    "ACT/365F": _ACT_365F,
    "ACT/ACT-ISDA": _ACT_ACT_ISDA,
    "30/360-BOND": _BOND,
    "30/360-US": _US,
    "30E/360": _EURO,
}
#: Day units in a year, per convention id: the common denominator of its year fractions.
_YEAR_UNITS: Final = (360, 365, 365 * 366, 360, 360, 360)

_DOWN, _UP, _HALF_UP, _HALF_EVEN = range(4)
_MODE_ID: Final[dict[str, int]] = {
    "down": _DOWN,
    "up": _UP,
    "half-up": _HALF_UP,
    "half-even": _HALF_EVEN,
}
assert set(_MODE_ID) == set(ROUNDING_MODES), "a rounding mode the fast path does not know"

_MONTHS_OF: Final[dict[Compounding, int]] = {
    Compounding.SIMPLE: 0,
    Compounding.MONTHLY: 1,
    Compounding.ANNUAL: 12,
}
_MONTH_DAYS: Final = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_ZERO: Final = Decimal("0.00")  # what the core's round_money gives for 0, and its opening principal
_NEVER: Final = date.max

#: Names already found good by the core's own checks (a day count maps to its id).
_known_conventions: dict[str, int] = {}
_known_currencies: set[str] = set()


def precision_ok() -> bool:
    """Whether the current `Decimal` context keeps the core's principal sums exact."""
    return getcontext().prec >= PRECISION_MIN


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _february_days(year: int) -> int:
    return 29 if _is_leap(year) else 28


def add_months(start: date, months: int) -> date:
    """`schedule.add_months`, without `calendar`: clipped to the month's end, from `start`."""
    index = start.year * 12 + start.month - 1 + months
    year, month_zero = divmod(index, 12)
    last = _february_days(year) if month_zero == 1 else _MONTH_DAYS[month_zero]
    day = start.day
    return date(year, month_zero + 1, day if day <= last else last)


def day_units(convention: int, start: date, end: date) -> int:
    """The year fraction from `start` to `end` (start <= end) times the convention's year units."""
    if convention <= _ACT_365F:
        return (end - start).days
    if convention == _ACT_ACT_ISDA:
        year = start.year
        if year == end.year:
            return (end - start).days * (365 if _is_leap(year) else 366)
        total = 0
        cursor = start
        while cursor.year < end.year:
            year_end = date(cursor.year + 1, 1, 1)
            total += (year_end - cursor).days * (365 if _is_leap(cursor.year) else 366)
            cursor = year_end
        return total + (end - cursor).days * (365 if _is_leap(end.year) else 366)
    d1, d2 = start.day, end.day
    if convention == _BOND:
        if d1 == 31:
            d1 = 30
        if d2 == 31 and d1 == 30:
            d2 = 30
    elif convention == _US:
        start_february_end = start.month == 2 and d1 == _february_days(start.year)
        if start_february_end and end.month == 2 and d2 == _february_days(end.year):
            d2 = 30
        if start_february_end:
            d1 = 30
        if d2 == 31 and d1 >= 30:
            d2 = 30
        if d1 == 31:
            d1 = 30
    else:
        d1 = min(d1, 30)
        d2 = min(d2, 30)
    return 360 * (end.year - start.year) + 30 * (end.month - start.month) + (d2 - d1)


def round_cents(numerator: int, denominator: int, mode: int) -> int:
    """`money.round_money` of numerator/denominator cents (denominator > 0) to whole cents."""
    floor = numerator // denominator
    remainder = numerator - floor * denominator
    if remainder == 0:
        return floor
    positive = numerator > 0
    if mode == _DOWN:
        return floor if positive else floor + 1
    if mode == _UP:
        return floor + 1 if positive else floor
    twice = 2 * remainder
    if twice > denominator:
        return floor + 1
    if twice < denominator:
        return floor
    if mode == _HALF_EVEN:
        return floor if floor % 2 == 0 else floor + 1
    return floor + 1 if positive else floor


def money(cents: int) -> Decimal:
    """The `Decimal` the core's `round_money` gives for a whole number of cents."""
    if cents == 0:
        return _ZERO
    return (Decimal(cents) * CENT).quantize(CENT)


def cents_of(value: object) -> int:
    """A valid amount's whole cents (0 or more), or -1 for anything the core might refuse."""
    if type(value) is not Decimal or not value.is_finite() or value.adjusted() >= 22:
        return -1
    numerator, denominator = value.as_integer_ratio()
    if numerator < 0 or 100 % denominator:
        return -1
    cents = numerator * (100 // denominator)
    return cents if cents < CENTS_MAX else -1


def rate_of(value: object) -> Decimal | None:
    """The rate `interest.parse_rate` makes of `value`, or None where it would refuse it."""
    if type(value) is Decimal:
        return value if value.is_finite() and 0 <= value <= 1 else None
    try:
        return parse_rate(value)
    except AcquittanceError:
        return None


def convention_of(name: object) -> int | None:
    """The convention id of a day-count name or alias, or None for one the core refuses."""
    if type(name) is not str:
        return None
    known = _known_conventions.get(name)
    if known is not None:
        return known
    try:
        canonical = canonical_convention(name)
    except AcquittanceError:
        return None
    _known_conventions[name] = _CONVENTION_ID[canonical]
    return _known_conventions[name]


def currency_ok(code: object) -> bool:
    """Whether `money.check_currency` accepts `code`."""
    if type(code) is not str:
        return False
    if code in _known_currencies:
        return True
    try:
        check_currency(code)
    except AcquittanceError:
        return False
    _known_currencies.add(code)
    return True


def walk(instrument: Loan | Note, as_of: date) -> Row | None:
    """The core's position of `instrument` as of `as_of`, or None: ask the core.

    None means the core path is needed, for an answer or for its error; a Row is
    what `accrual.position` gives, to the bit. Assumes `precision_ok()`.
    """
    try:
        return _walk(instrument, as_of)
    except (ArithmeticError, ValueError, TypeError, AttributeError, IndexError):
        return None  # a date past year 9999, a malformed record: the core words it


def _walk(instrument: Loan | Note, as_of: date) -> Row | None:
    terms = instrument.terms
    events = instrument.events
    count = len(events)
    if count == 0 or count > EVENTS_COUNT_MAX:
        return None
    # validate_terms, check for check.
    rate = rate_of(terms.annual_rate)
    convention = convention_of(terms.day_count)
    mode = _MODE_ID.get(terms.rounding) if type(terms.rounding) is str else None
    months = _MONTHS_OF.get(terms.compounding)
    if (
        rate is None
        or convention is None
        or mode is None
        or months is None
        or not isinstance(terms.compounding, Compounding)
        or not currency_ok(terms.currency)
    ):
        return None
    first = events[0]
    if type(first) is not OpeningBalance and type(first) is not Advance:
        return None
    opening = first.date
    if type(opening) is not date or type(as_of) is not date or as_of < opening:
        return None

    year_units = _YEAR_UNITS[convention]
    rate_numerator, rate_denominator = rate.as_integer_ratio()
    denominator = rate_denominator  # R: common denominator of the rates so far
    scaled_rate = rate_numerator  # rate x R
    unit = year_units * denominator  # interest in cents is n / unit
    n = 0
    principal = _ZERO
    principal_cents = 0
    period_start = opening
    previous = opening
    capitalised = 0
    next_capitalisation = add_months(opening, months) if months else _NEVER
    discharged = False  # a discharge applied (on or before as_of)
    ended = False  # a discharge seen at all: nothing may follow it

    for index, event in enumerate(events):
        kind = _KIND_OF.get(type(event))
        if kind is None or ended:
            return None
        day = event.date
        if type(day) is not date or day < previous or (kind == _OPENING and index):
            return None
        previous = day
        if day > as_of:  # after the as-of date: validated, not applied
            if kind in (_ADVANCE, _SETTLE):
                if cents_of(event.amount) < 0:  # type: ignore[union-attr]
                    return None
            elif kind == _RATE:
                if rate_of(event.annual_rate) is None:  # type: ignore[union-attr]
                    return None
            else:
                ended = True
            continue

        if day > period_start:
            # Capitalise on the anniversaries up to this date, then close the period at it.
            if next_capitalisation <= day:
                grown = _capitalise(
                    _Growth(n, period_start, principal, principal_cents, capitalised),
                    _Compounding(opening, months, convention, scaled_rate, unit, mode),
                    day,
                )
                if grown is None:
                    return None
                n, period_start, principal, principal_cents, capitalised = grown
                next_capitalisation = add_months(opening, months * (capitalised + 1))
            if day > period_start:
                if principal_cents and scaled_rate:
                    n += principal_cents * scaled_rate * day_units(convention, period_start, day)
                period_start = day

        if kind == _SETTLE:
            amount = event.amount  # type: ignore[union-attr]
            paid = cents_of(amount)
            if paid < 0:
                return None
            due = round_cents(n, unit, mode)
            if paid > due + principal_cents or due >= BALANCE_CENTS_MAX:
                return None  # OVERPAYMENT: the core refuses it in its words
            if paid >= due:
                n = 0
                principal = principal - (amount - money(due))
                principal_cents -= paid - due
            else:
                n -= paid * unit
        elif kind == _ADVANCE:
            amount = event.amount  # type: ignore[union-attr]
            added = cents_of(amount)
            if added < 0:
                return None
            principal = principal + amount
            principal_cents += added
            if principal_cents >= BALANCE_CENTS_MAX:
                return None
        elif kind == _RATE:
            changed = rate_of(event.annual_rate)  # type: ignore[union-attr]
            if changed is None:
                return None
            rate_numerator, rate_denominator = changed.as_integer_ratio()
            if denominator % rate_denominator:
                common = denominator * rate_denominator // gcd(denominator, rate_denominator)
                n *= common // denominator
                denominator = common
                unit = year_units * denominator
            scaled_rate = rate_numerator * (denominator // rate_denominator)
        elif kind == _OPENING:
            opened = cents_of(event.principal)  # type: ignore[union-attr]
            interest = cents_of(event.interest)  # type: ignore[union-attr]
            if opened < 0 or interest < 0:
                return None
            principal = event.principal  # type: ignore[union-attr]
            principal_cents = opened
            n = interest * unit
        else:
            principal = _ZERO
            principal_cents = 0
            n = 0
            discharged = ended = True
            next_capitalisation = _NEVER

    if not discharged:
        if next_capitalisation <= as_of:
            grown = _capitalise(
                _Growth(n, period_start, principal, principal_cents, capitalised),
                _Compounding(opening, months, convention, scaled_rate, unit, mode),
                as_of,
            )
            if grown is None:
                return None
            n, period_start, principal, principal_cents, capitalised = grown
        if as_of > period_start and principal_cents and scaled_rate:
            n += principal_cents * scaled_rate * day_units(convention, period_start, as_of)
    whole = round_cents(n, unit, mode)
    if whole >= BALANCE_CENTS_MAX or whole <= -BALANCE_CENTS_MAX:
        return None
    return principal, money(whole), n, unit * 100


class _Growth(NamedTuple):
    """Where a walk stands: exact interest numerator, period start, principal, capitalisations."""

    n: int
    period_start: date
    principal: Decimal
    principal_cents: int
    capitalised: int


class _Compounding(NamedTuple):
    opening: date
    months: int
    convention: int
    scaled_rate: int
    unit: int
    mode: int


def _capitalise(growth: _Growth, terms: _Compounding, through: date) -> _Growth | None:
    """Capitalise unpaid interest on every anniversary up to `through`, as the core does."""
    n, period_start, principal, principal_cents, capitalised = growth
    due_on = add_months(terms.opening, terms.months * (capitalised + 1))
    while due_on <= through:
        if due_on > period_start:
            if principal_cents and terms.scaled_rate:
                days = day_units(terms.convention, period_start, due_on)
                n += principal_cents * terms.scaled_rate * days
            period_start = due_on
        due = round_cents(n, terms.unit, terms.mode)
        principal = principal + money(due)
        principal_cents += due
        n = 0
        capitalised += 1
        due_on = add_months(terms.opening, terms.months * (capitalised + 1))
        if principal_cents >= BALANCE_CENTS_MAX:
            return None
    return _Growth(n, period_start, principal, principal_cents, capitalised)
