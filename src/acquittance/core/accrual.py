"""Positions from events: principal and accrued interest of a loan or note on any date.

The rules, in the order an auditor checks them:

- History starts at the first event, an `OpeningBalance` or an `Advance`. A
  position can be asked for on that date or later (else BEFORE_HISTORY). Events
  dated D are applied on D: the position as of D includes them.
- Interest accrues over *periods* of constant principal and rate. A period
  starts at the opening and ends at the next event or capitalisation date; its
  interest is principal x rate x year_fraction(day count, start, end), exactly,
  as a `Fraction`. The period is measured from its own start, never split at
  dates where nothing happens, so the result does not depend on which
  intermediate dates someone asked about (this matters for the 30/360 family,
  whose year fractions are not additive across an arbitrary split).
- Accrued interest is carried exactly and rounded once, under the terms'
  rounding mode, into `Position.interest`.
- Payments (and settlement `Satisfaction`s) go to accrued interest first, then
  principal. A payment is a posting point: the interest it can settle is the
  accrued interest rounded to the cent. A payment that covers those cents
  settles the interest in full, and the sub-cent difference between the exact
  accrual and its cents (at most half a cent under half-up) is closed with it; a
  smaller payment settles that much of the exact interest and the exact rest
  stays accrued. More than the rounded interest plus principal is OVERPAYMENT.
- Compounding: SIMPLE never capitalises. MONTHLY and ANNUAL capitalise unpaid
  accrued interest into principal on each monthly or annual anniversary of the
  opening date, counted from the opening (Jan 31 -> Feb 28/29 -> Mar 31; Feb 29
  -> Feb 28 in common years). Capitalisation is a posting point like a payment:
  the rounded interest becomes principal. On a date with both, capitalisation
  (for the period just ended) comes before that date's events.
- A `Discharge` extinguishes the debt: from its date nothing is owed or accrues.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Final

from acquittance.core.dates import add_days
from acquittance.core.daycount import canonical_convention, day_count, year_fraction
from acquittance.core.errors import InputError, StateError
from acquittance.core.instruments import (
    AccrualPeriod,
    Advance,
    Compounding,
    Discharge,
    Event,
    Loan,
    Note,
    OpeningBalance,
    Payment,
    Position,
    RateChange,
    Satisfaction,
    Terms,
)
from acquittance.core.interest import parse_rate
from acquittance.core.money import CENT, ROUNDING_MODES, check_currency, round_money, to_decimal
from acquittance.core.schedule import add_months

#: Most events one instrument may carry; a longer history is refused, not walked slowly.
EVENTS_COUNT_MAX: Final = 100_000
_ACTUAL_CONVENTIONS: Final = frozenset({"ACT/360", "ACT/365F", "ACT/ACT-ISDA"})
_THIRTY_360_DAY: Final = Fraction(1, 360)


def _kind_of(instrument: Loan | Note) -> str:
    return "loan" if isinstance(instrument, Loan) else "note"


def validate_terms(instrument_id: str, terms: Terms) -> None:
    """Refuse terms no accrual can use: bad rate, day count, currency or rounding mode."""
    parse_rate(terms.annual_rate, field=f"annual_rate of {instrument_id}")
    canonical_convention(terms.day_count)
    check_currency(terms.currency)
    if terms.rounding not in ROUNDING_MODES:
        raise InputError(
            "UNKNOWN_ROUNDING",
            f"rounding {terms.rounding!r} of {instrument_id} is not known; "
            f"use one of {', '.join(ROUNDING_MODES)}",
        )
    if not isinstance(terms.compounding, Compounding):
        raise InputError(
            "UNKNOWN_COMPOUNDING",
            f"compounding {terms.compounding!r} of {instrument_id} is not known; "
            f"use one of {', '.join(c.value for c in Compounding)}",
        )


def _amounts_of(event: Event) -> tuple[tuple[str, object], ...]:
    if isinstance(event, OpeningBalance):
        return (("opening principal", event.principal), ("opening interest", event.interest))
    if isinstance(event, Advance | Payment | Satisfaction):
        return ((type(event).__name__.lower(), event.amount),)
    return ()


def _check_amounts(instrument_id: str, event: Event) -> None:
    for label, value in _amounts_of(event):
        amount = to_decimal(value, field=f"{label} of {instrument_id} on {event.date}")
        if amount < 0:
            raise InputError(
                "NEGATIVE_AMOUNT",
                f"{label} {amount} of {instrument_id} on {event.date} is negative; "
                "amounts must be 0 or more",
            )
        if amount != amount.quantize(CENT):
            raise InputError(
                "AMOUNT_NOT_IN_CENTS",
                f"{label} {amount} of {instrument_id} on {event.date} has fractions of a "
                "cent; write it to the cent",
            )
    if isinstance(event, RateChange):
        parse_rate(event.annual_rate, field=f"rate change of {instrument_id} on {event.date}")


def _check_first(instrument_id: str, events: Sequence[Event], kind: str) -> date:
    if len(events) > EVENTS_COUNT_MAX:
        raise InputError(
            "TOO_MANY_EVENTS",
            f"{kind} {instrument_id} has {len(events)} events, above {EVENTS_COUNT_MAX}",
        )
    if not events or not isinstance(events[0], OpeningBalance | Advance):
        first = type(events[0]).__name__ if events else "no event"
        raise InputError(
            "NO_OPENING_BALANCE",
            f"{kind} {instrument_id} starts with {first}; its history must start with an "
            "opening balance or an advance",
        )
    return events[0].date


def validate_events(instrument_id: str, events: Sequence[Event], *, kind: str = "loan") -> None:
    """Refuse a history that cannot be walked; raise the first problem found."""
    opening = _check_first(instrument_id, events, kind)
    previous = events[0]
    discharged_on: date | None = None
    for index, event in enumerate(events):
        name = type(event).__name__
        if discharged_on is not None:
            raise StateError(
                "LOAN_DISCHARGED",
                f"{kind} {instrument_id} was discharged on {discharged_on}; "
                f"the {name} of {event.date} comes after it and cannot be applied",
            )
        if index > 0 and isinstance(event, OpeningBalance):
            code = "OPENING_BALANCE_NOT_FIRST"
            if isinstance(events[0], OpeningBalance):
                code = "DUPLICATE_OPENING_BALANCE"
            raise InputError(
                code,
                f"{kind} {instrument_id} has an opening balance on {event.date} after other "
                "events; give one opening balance, as its first event",
            )
        if event.date < opening:
            raise InputError(
                "EVENT_BEFORE_OPENING",
                f"the {name} of {event.date} on {kind} {instrument_id} is before its opening "
                f"on {opening}; move it or start the history earlier",
            )
        if event.date < previous.date:
            raise InputError(
                "EVENTS_OUT_OF_ORDER",
                f"the {name} of {event.date} on {kind} {instrument_id} comes after the "
                f"{type(previous).__name__} of {previous.date}; list events in date order",
            )
        _check_amounts(instrument_id, event)
        if isinstance(event, Discharge):
            discharged_on = event.date
        previous = event


@dataclass(frozen=True)
class AccrualState:
    """Where a walk through an instrument's history stands, as of `as_of`.

    The open period runs from `period_start` at `principal` and `annual_rate`;
    `interest_closed` is the exact interest of the closed periods (and the
    opening balance) less what payments and capitalisations took from it.
    """

    instrument_id: str
    kind: str
    terms: Terms
    opening: date
    as_of: date
    principal: Decimal
    annual_rate: Decimal
    period_start: date
    interest_closed: Fraction
    periods: tuple[AccrualPeriod, ...]
    capitalisations_count: int
    discharged: bool


def _open_period(state: AccrualState, end: date) -> AccrualPeriod | None:
    if end <= state.period_start or state.principal == 0 or state.discharged:
        return None
    convention = canonical_convention(state.terms.day_count)
    fraction = year_fraction(convention, state.period_start, end)
    return AccrualPeriod(
        start=state.period_start,
        end=end,
        principal=state.principal,
        annual_rate=state.annual_rate,
        day_count=convention,
        days=day_count(convention, state.period_start, end),
        year_fraction=fraction,
        interest=Fraction(state.principal) * Fraction(state.annual_rate) * fraction,
    )


def _close_period(state: AccrualState, at: date) -> AccrualState:
    period = _open_period(state, at)
    if period is None:
        return replace(state, period_start=max(at, state.period_start))
    return replace(
        state,
        period_start=at,
        interest_closed=state.interest_closed + period.interest,
        periods=(*state.periods, period),
    )


def accrued_exact(state: AccrualState) -> Fraction:
    """The exact accrued unpaid interest as of the state's date."""
    period = _open_period(state, state.as_of)
    return state.interest_closed + (period.interest if period else Fraction(0))


def _settle(state: AccrualState, event: Payment | Satisfaction) -> AccrualState:
    interest_due = round_money(state.interest_closed, rounding=state.terms.rounding)
    if event.amount > interest_due + state.principal:
        raise InputError(
            "OVERPAYMENT",
            f"the {type(event).__name__} of {event.amount} on {event.date} to {state.kind} "
            f"{state.instrument_id} is more than the {interest_due + state.principal} owed "
            f"({state.principal} principal, {interest_due} interest); reduce it",
        )
    if event.amount >= interest_due:
        # The cents settle the interest; the sub-cent difference is closed with them.
        return replace(
            state,
            interest_closed=Fraction(0),
            principal=state.principal - (event.amount - interest_due),
        )
    return replace(state, interest_closed=state.interest_closed - Fraction(event.amount))


def _apply(state: AccrualState, event: Event) -> AccrualState:
    state = _close_period(state, event.date)
    if isinstance(event, OpeningBalance):
        return replace(state, principal=event.principal, interest_closed=Fraction(event.interest))
    if isinstance(event, Advance):
        return replace(state, principal=state.principal + event.amount)
    if isinstance(event, Payment | Satisfaction):
        return _settle(state, event)
    if isinstance(event, RateChange):
        return replace(state, annual_rate=parse_rate(event.annual_rate))
    if isinstance(event, Discharge):
        return replace(
            state, principal=Decimal("0.00"), interest_closed=Fraction(0), discharged=True
        )
    raise TypeError(f"{type(event).__name__} is not an event this module knows")


def _capitalisation_date(state: AccrualState, number: int) -> date | None:
    months = {Compounding.MONTHLY: 1, Compounding.ANNUAL: 12}.get(state.terms.compounding)
    if months is None or state.discharged:
        return None
    return add_months(state.opening, months * number)


def _capitalise_through(state: AccrualState, through: date) -> AccrualState:
    """Capitalise on every anniversary up to and including `through`."""
    while True:
        anniversary = _capitalisation_date(state, state.capitalisations_count + 1)
        if anniversary is None or anniversary > through:
            return state
        state = _close_period(state, anniversary)
        capitalised = round_money(state.interest_closed, rounding=state.terms.rounding)
        state = replace(
            state,
            principal=state.principal + capitalised,
            interest_closed=Fraction(0),
            capitalisations_count=state.capitalisations_count + 1,
        )


def start(instrument: Loan | Note) -> AccrualState:
    """Validate an instrument and stand at its opening, with the opening date's events applied."""
    kind = _kind_of(instrument)
    validate_terms(instrument.id, instrument.terms)
    validate_events(instrument.id, instrument.events, kind=kind)
    opening = instrument.events[0].date
    state = AccrualState(
        instrument_id=instrument.id,
        kind=kind,
        terms=instrument.terms,
        opening=opening,
        as_of=opening,
        principal=Decimal("0.00"),
        annual_rate=parse_rate(instrument.terms.annual_rate),
        period_start=opening,
        interest_closed=Fraction(0),
        periods=(),
        capitalisations_count=0,
        discharged=False,
    )
    for event in instrument.events:
        if event.date != opening:
            break
        state = _apply(state, event)
    return state


def accrue(state: AccrualState, events: Iterable[Event], to_date: date) -> AccrualState:
    """Walk forward to `to_date`, applying the events dated after the state's date up to it."""
    if to_date < state.as_of:
        raise InputError(
            "DATES_OUT_OF_ORDER",
            f"cannot walk {state.kind} {state.instrument_id} back from {state.as_of} to "
            f"{to_date}; start again from its opening",
        )
    for event in events:
        if event.date <= state.as_of:
            continue
        if event.date > to_date:
            break
        state = _capitalise_through(state, event.date)
        state = _apply(state, event)
    state = _capitalise_through(state, to_date)
    return replace(state, as_of=to_date)


def position_of(state: AccrualState) -> Position:
    """The position a walk has reached: exact interest carried, rounded once here."""
    exact = accrued_exact(state)
    open_period = _open_period(state, state.as_of)
    periods = (*state.periods, open_period) if open_period else state.periods
    return Position(
        instrument_id=state.instrument_id,
        as_of=state.as_of,
        currency=state.terms.currency,
        principal=state.principal,
        interest=round_money(exact, rounding=state.terms.rounding),
        interest_exact=exact,
        periods=periods,
        rounding=state.terms.rounding,
    )


def _check_history(state: AccrualState, as_of: date) -> None:
    if not isinstance(as_of, date):
        raise InputError("INVALID_DATE", f"as-of date {as_of!r} is not a date (YYYY-MM-DD)")
    if as_of < state.opening:
        raise InputError(
            "BEFORE_HISTORY",
            f"{as_of} is before the history of {state.kind} {state.instrument_id}, which "
            f"starts on {state.opening}; quote on or after {state.opening}",
        )


def position(instrument: Loan | Note, as_of: date) -> Position:
    """Principal and accrued unpaid interest of `instrument` as of `as_of`, that day included."""
    state = start(instrument)
    _check_history(state, as_of)
    return position_of(accrue(state, instrument.events, as_of))


def positions(instrument: Loan | Note, dates: Iterable[date]) -> tuple[Position, ...]:
    """Positions on several dates in one forward walk; dates in any order, answered sorted."""
    state = start(instrument)
    results: list[Position] = []
    for as_of in sorted(set(dates)):
        _check_history(state, as_of)
        state = accrue(state, instrument.events, as_of)
        results.append(position_of(state))
    return tuple(results)


def per_diem_exact(instrument: Loan | Note, as_of: date) -> Fraction:
    """One day's interest at the principal and rate of `as_of`, exactly.

    One day is one day of the convention's year: 1/360 for ACT/360 (so the per
    diem is principal x rate / 360) and for the 30/360 family, 1/365 for
    ACT/365F, and for ACT/ACT-ISDA 1/365 or 1/366 by the year of `as_of` (the
    day from `as_of` to the next belongs to that year).
    """
    state = start(instrument)
    _check_history(state, as_of)
    state = accrue(state, instrument.events, as_of)
    if state.discharged:
        return Fraction(0)
    convention = canonical_convention(state.terms.day_count)
    if convention in _ACTUAL_CONVENTIONS:
        one_day = year_fraction(convention, as_of, add_days(as_of, 1))
    else:
        one_day = _THIRTY_360_DAY
    return Fraction(state.principal) * Fraction(state.annual_rate) * one_day


def per_diem(instrument: Loan | Note, as_of: date) -> Decimal:
    """`per_diem_exact` rounded to the cent for reporting, under the terms' rounding mode."""
    return round_money(per_diem_exact(instrument, as_of), rounding=instrument.terms.rounding)
