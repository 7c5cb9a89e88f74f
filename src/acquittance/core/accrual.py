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
- Charges (`Charge`, `LateCharge`) are owed in cents beside interest and earn
  none; a payment goes to charges first, then interest, then principal. A
  `DefaultRate` is a rate change whose periods are marked default interest
  until a `RateChange` sets a contractual rate again. An `InterestAccrual` (an
  accrual run's mark) and a charge leave the open period unsplit, so no
  figure depends on whether or when accrual runs happened.

Walking one event at a time (the incremental API). An `AccrualState` is where
a walk through an instrument's history stands. `begin` stands on the first
event; `step` takes one more event; `advance` moves to a later date (applying
the anniversaries on the way); `position_of` reads the position wherever the
walk stands. The state carries everything the rules above read, exactly: the
unrounded interest of the closed periods (a `Fraction`), principal, rate, the
start of the open period, the anniversaries already counted, the last event
and a digest of the events walked. So a walk resumed from any state it reached
before (a stored snapshot) gives, event for event, the same state as a walk
from the opening, bit for bit; `position` on a whole history is that walk.
An event that cannot come next is refused by `step` with the codes
`validate_events` gives a whole history.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from itertools import islice
from typing import Any, Final

from acquittance.core.conventions import COMPOUNDING_MONTHS
from acquittance.core.dates import add_days
from acquittance.core.daycount import canonical_convention, days_of, year_fraction
from acquittance.core.errors import InputError, StateError
from acquittance.core.instruments import (
    EVENT_KINDS,
    AccrualPeriod,
    Advance,
    Charge,
    Compounding,
    DefaultRate,
    Discharge,
    Event,
    InterestAccrual,
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
#: The digest of no events: where every instrument's chain of event digests starts.
EVENTS_DIGEST_EMPTY: Final = "0" * 64
_ACTUAL_CONVENTIONS: Final = frozenset({"ACT/360", "ACT/365F", "ACT/ACT-ISDA"})
_THIRTY_360_DAY: Final = Fraction(1, 360)
_EVENT_NAMES: Final = {kind: event_type.__name__ for event_type, kind in EVENT_KINDS.items()}
_ZERO_PRINCIPAL: Final = Decimal("0.00")


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
    if isinstance(event, Advance | Payment | Satisfaction | Charge):
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
    if isinstance(event, DefaultRate):
        parse_rate(event.annual_rate, field=f"default rate of {instrument_id} on {event.date}")


def _no_opening(instrument_id: str, kind: str, first: object) -> InputError:
    name = type(first).__name__ if first is not None else "no event"
    return InputError(
        "NO_OPENING_BALANCE",
        f"{kind} {instrument_id} starts with {name}; its history must start with an "
        "opening balance or an advance",
    )


def _too_many(instrument_id: str, kind: str, count: int) -> InputError:
    return InputError(
        "TOO_MANY_EVENTS",
        f"{kind} {instrument_id} has {count} events, above {EVENTS_COUNT_MAX}",
    )


def _check_first(instrument_id: str, events: Sequence[Event], kind: str) -> date:
    if len(events) > EVENTS_COUNT_MAX:
        raise _too_many(instrument_id, kind, len(events))
    if not events or not isinstance(events[0], OpeningBalance | Advance):
        raise _no_opening(instrument_id, kind, events[0] if events else None)
    return events[0].date


@dataclass(frozen=True)
class _Tail:
    """What the next event of a history is checked against: where the history ends."""

    instrument_id: str
    kind: str
    opening: date
    opened_by_balance: bool  # the first event is an OpeningBalance (not an Advance)


def _check_next(
    tail: _Tail,
    event: Event,
    *,
    index: int,
    previous_date: date,
    previous_name: str,
    discharged_on: date | None,
) -> None:
    """One event against the history before it: every rule of `validate_events` but the first.

    `index` events come before it, the last a `previous_name` of `previous_date`.
    """
    name = type(event).__name__
    where = f"{tail.kind} {tail.instrument_id}"
    if index >= EVENTS_COUNT_MAX:
        raise _too_many(tail.instrument_id, tail.kind, index + 1)
    if discharged_on is not None:
        raise StateError(
            "LOAN_DISCHARGED",
            f"{where} was discharged on {discharged_on}; "
            f"the {name} of {event.date} comes after it and cannot be applied",
        )
    if index > 0 and isinstance(event, OpeningBalance):
        code = "OPENING_BALANCE_NOT_FIRST"
        if tail.opened_by_balance:
            code = "DUPLICATE_OPENING_BALANCE"
        raise InputError(
            code,
            f"{where} has an opening balance on {event.date} after other "
            "events; give one opening balance, as its first event",
        )
    if tail.kind == "note" and isinstance(event, Charge):
        raise InputError(
            "CHARGE_ON_NOTE",
            f"the {name} of {event.date} on {where}: charges are owed by a loan's borrower; "
            "record it on the loan",
        )
    if event.date < tail.opening:
        raise InputError(
            "EVENT_BEFORE_OPENING",
            f"the {name} of {event.date} on {where} is before its opening "
            f"on {tail.opening}; move it or start the history earlier",
        )
    if event.date < previous_date:
        raise InputError(
            "EVENTS_OUT_OF_ORDER",
            f"the {name} of {event.date} on {where} comes after the "
            f"{previous_name} of {previous_date}; list events in date order",
        )
    _check_amounts(tail.instrument_id, event)


def validate_events(instrument_id: str, events: Sequence[Event], *, kind: str = "loan") -> None:
    """Refuse a history that cannot be walked; raise the first problem found."""
    opening = _check_first(instrument_id, events, kind)
    tail = _Tail(instrument_id, kind, opening, isinstance(events[0], OpeningBalance))
    previous = events[0]
    discharged_on: date | None = None
    for index, event in enumerate(events):
        _check_next(
            tail,
            event,
            index=index,
            previous_date=previous.date,
            previous_name=type(previous).__name__,
            discharged_on=discharged_on,
        )
        if isinstance(event, Discharge):
            discharged_on = event.date
        previous = event


# --- the digest of the events walked ---------------------------------------------------------


def _canonical_number(value: Decimal) -> str:
    """A Decimal by its value, exactly: 10, 10.0 and 10.00 give one text (no context rounding).

    Its digits without trailing zeros, each dropped zero raising the exponent.
    """
    if not value.is_finite():
        return str(value)
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    figures = "".join(map(str, digits))
    significant = figures.rstrip("0")
    if not significant:
        return "0"
    exponent += len(figures) - len(significant)
    return f"{'-' if sign else ''}{significant}e{exponent}"


def _canonical_field(value: object) -> str:
    if isinstance(value, Decimal):
        return _canonical_number(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return value
    return repr(value)


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(event: object) -> tuple[str, ...] | None:
    event_type = type(event)
    names = _FIELD_NAMES.get(event_type)
    if names is None and is_dataclass(event) and not isinstance(event, type):
        names = _FIELD_NAMES[event_type] = tuple(f.name for f in fields(event))
    return names


def event_text(event: object) -> str:
    """An event as canonical text: its kind and fields, amounts by value. Never raises."""
    kind = EVENT_KINDS.get(type(event), type(event).__name__)
    names = _field_names(event)
    if names is None:
        return repr((kind, repr(event)))
    # repr of a tuple of strings is unambiguous: no field can run into the next.
    return repr((kind, *(_canonical_field(getattr(event, name)) for name in names)))


def next_digest(digest: str, event: object) -> str:
    """The digest of a history one event longer: SHA-256 over the previous digest and the event."""
    return hashlib.sha256(f"{digest}|{event_text(event)}".encode()).hexdigest()


def events_digest(events: Iterable[object]) -> str:
    """The digest of a whole history, as a walk through it carries it. Never raises."""
    digest = EVENTS_DIGEST_EMPTY
    for event in events:
        digest = next_digest(digest, event)
    return digest


# --- the state of a walk ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _PeriodLink:
    """A closed period and the ones before it: a walk adds one in constant time."""

    previous: _PeriodLink | None
    period: AccrualPeriod


@dataclass(frozen=True)
class AccrualState:
    """Where a walk through an instrument's history stands, as of `as_of`.

    The open period runs from `period_start` at `principal` and `annual_rate`;
    `interest_closed` is the exact interest of the closed periods (and the
    opening balance) less what payments and capitalisations took from it.
    `events_count` events have been walked, the last one a `last_event_kind`
    dated `last_event_date`; `events_digest` chains their digests
    (`next_digest`). Two states that compare equal continue identically.
    `periods` lists the periods closed since the walk began (a state rebuilt
    from storage starts with none; what came before is in `interest_closed`).
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
    capitalisations_count: int
    discharged_on: date | None
    events_count: int
    last_event_date: date
    last_event_kind: str  # an EVENT_KINDS value: "payment", "rate_change", ...
    opened_by: str  # the first event's kind: "opening" or "advance"
    events_digest: str
    charges: Decimal = _ZERO_PRINCIPAL  # fees and late charges not yet paid, in cents
    default_since: date | None = None  # the default rate applies from this date (DefaultRate)
    period_log: _PeriodLink | None = field(default=None, compare=False, repr=False)

    @property
    def discharged(self) -> bool:
        return self.discharged_on is not None

    @property
    def periods(self) -> tuple[AccrualPeriod, ...]:
        """The periods closed since the walk began, oldest first."""
        found: list[AccrualPeriod] = []
        link = self.period_log
        while link is not None:
            found.append(link.period)
            link = link.previous
        return tuple(reversed(found))


def check_state(state: AccrualState) -> None:
    """Assert what every state holds, one property at a time (for states read from storage)."""
    assert state.events_count >= 1, f"{state.instrument_id}: a state has walked an event"
    assert state.opening <= state.last_event_date, f"{state.instrument_id}: opening after last"
    assert state.period_start <= state.as_of, f"{state.instrument_id}: period starts after as_of"
    assert state.last_event_date <= state.as_of, f"{state.instrument_id}: event after as_of"
    assert state.principal >= 0, f"{state.instrument_id}: negative principal"
    assert state.annual_rate >= 0, f"{state.instrument_id}: negative rate"
    assert state.charges >= 0, f"{state.instrument_id}: negative charges"
    assert state.capitalisations_count >= 0, f"{state.instrument_id}: negative count"
    assert state.last_event_kind in _EVENT_NAMES, f"{state.instrument_id}: unknown event kind"
    assert state.opened_by in ("opening", "advance"), f"{state.instrument_id}: bad first event"
    assert len(state.events_digest) == 64, f"{state.instrument_id}: digest is not SHA-256 hex"


def check_event(state: AccrualState, event: Event) -> None:
    """Refuse an event that cannot come next after the history `state` has walked.

    The codes are `validate_events`' (LOAN_DISCHARGED, EVENTS_OUT_OF_ORDER, ...).
    An event dated before the state's own date is out of order too: the walk
    (and the books kept from it) already stand past that date.
    """
    _check_next(
        _Tail(state.instrument_id, state.kind, state.opening, state.opened_by == "opening"),
        event,
        index=state.events_count,
        previous_date=state.last_event_date,
        previous_name=_EVENT_NAMES[state.last_event_kind],
        discharged_on=state.discharged_on,
    )
    if event.date < state.as_of:
        raise InputError(
            "EVENTS_OUT_OF_ORDER",
            f"the {type(event).__name__} of {event.date} on {state.kind} "
            f"{state.instrument_id} is dated before {state.as_of}, up to which its history "
            f"is already taken; record it on or after {state.as_of}",
        )


def _changed(state: AccrualState, **changes: Any) -> AccrualState:
    """`state` with some fields changed: `dataclasses.replace` without its re-validation.

    A walk makes a new state at every event and anniversary; the fields it
    changes are the walk's own, already checked, so the copy need not run
    `__init__` again (which `dataclasses.replace` does, at several times the cost).
    """
    moved = object.__new__(AccrualState)
    moved.__dict__.update(state.__dict__)
    moved.__dict__.update(changes)
    return moved


def _open_period(state: AccrualState, end: date) -> AccrualPeriod | None:
    if end <= state.period_start or state.principal == 0 or state.discharged_on is not None:
        return None
    start = state.period_start
    convention, fraction, days = _period_measure(state.terms.day_count, start, end)
    return AccrualPeriod(
        start=start,
        end=end,
        principal=state.principal,
        annual_rate=state.annual_rate,
        day_count=convention,
        days=days,
        year_fraction=fraction,
        interest=_interest_of(state.principal, state.annual_rate, fraction),
        default=state.default_since is not None,
    )


def _measure(day_count: str, start: date, end: date) -> tuple[str, Fraction, int]:
    """A period's canonical convention, exact year fraction and day count."""
    convention = canonical_convention(day_count)
    fraction = year_fraction(convention, start, end)
    return convention, fraction, days_of(convention, start, end, fraction)


# Kept: a closing measures the same periods again (its quote, its check, its books).
_measured: Final = lru_cache(maxsize=4096)(_measure)


def _period_measure(day_count: str, start: date, end: date) -> tuple[str, Fraction, int]:
    if type(day_count) is str and type(start) is date and type(end) is date:
        return _measured(day_count, start, end)
    return _measure(day_count, start, end)


def _interest_of(principal: Decimal, rate: Decimal, fraction: Fraction) -> Fraction:
    """principal x rate x fraction, exactly: the Fraction the products give, reduced once."""
    if type(principal) is Decimal and type(rate) is Decimal:
        principal_numerator, principal_denominator = principal.as_integer_ratio()
        rate_numerator, rate_denominator = rate.as_integer_ratio()
        return Fraction(
            principal_numerator * rate_numerator * fraction.numerator,
            principal_denominator * rate_denominator * fraction.denominator,
        )
    return Fraction(principal) * Fraction(rate) * fraction


def _close_period(state: AccrualState, at: date) -> AccrualState:
    period = _open_period(state, at)
    if period is None:
        return _changed(state, period_start=max(at, state.period_start))
    return _changed(
        state,
        period_start=at,
        interest_closed=state.interest_closed + period.interest,
        period_log=_PeriodLink(state.period_log, period),
    )


def accrued_exact(state: AccrualState) -> Fraction:
    """The exact accrued unpaid interest as of the state's date."""
    period = _open_period(state, state.as_of)
    return state.interest_closed + (period.interest if period else Fraction(0))


def _settled(
    state: AccrualState, principal: Decimal, interest: Fraction, event: Payment | Satisfaction
) -> tuple[Decimal, Fraction, Decimal]:
    """Principal, exact interest and charges after a payment: charges, interest, principal.

    Charges come first (as Apache Fineract's default order has penalties and
    fees before interest); interest is taken at its cents.
    """
    interest_due = round_money(interest, rounding=state.terms.rounding)
    charges = state.charges
    owed = charges + interest_due + principal
    if event.amount > owed:
        charged = f", {charges} charges" if charges else ""
        raise InputError(
            "OVERPAYMENT",
            f"the {type(event).__name__} of {event.amount} on {event.date} to {state.kind} "
            f"{state.instrument_id} is more than the {owed} owed "
            f"({principal} principal, {interest_due} interest{charged}); reduce it",
        )
    if event.amount <= charges:
        return principal, interest, charges - event.amount
    amount = event.amount - charges
    if amount >= interest_due:
        # The cents settle the interest; the sub-cent difference is closed with them.
        return principal - (amount - interest_due), Fraction(0), _ZERO_PRINCIPAL
    return principal, interest - Fraction(amount), _ZERO_PRINCIPAL


def _apply(state: AccrualState, event: Event) -> AccrualState:
    """Close the open period at the event's date and apply the event (already checked).

    The hot path of every walk: one new state per event, built directly.
    """
    if isinstance(event, InterestAccrual | Charge):
        # Neither changes principal or rate: the open period goes on unsplit.
        return _noted(state, event)
    period = _open_period(state, event.date)
    interest = state.interest_closed
    log = state.period_log
    if period is not None:
        interest = interest + period.interest
        log = _PeriodLink(log, period)
    principal, rate, discharged_on = state.principal, state.annual_rate, state.discharged_on
    charges, default_since = state.charges, state.default_since
    if isinstance(event, OpeningBalance):
        principal, interest = event.principal, Fraction(event.interest)
    elif isinstance(event, Advance):
        principal = principal + event.amount
    elif isinstance(event, Payment | Satisfaction):
        principal, interest, charges = _settled(state, principal, interest, event)
    elif isinstance(event, RateChange):
        # A new contractual rate ends a default (a cure): its periods are ordinary again.
        rate, default_since = parse_rate(event.annual_rate), None
    elif isinstance(event, DefaultRate):
        rate = parse_rate(event.annual_rate)
        default_since = default_since or event.date
    elif isinstance(event, Discharge):
        principal, interest, discharged_on = _ZERO_PRINCIPAL, Fraction(0), event.date
        charges = _ZERO_PRINCIPAL
    else:
        raise TypeError(f"{type(event).__name__} is not an event this module knows")
    # Every field the event moves; the instrument, its terms, opening and
    # capitalisations stay as they were.
    return _changed(
        state,
        as_of=max(state.as_of, event.date),
        principal=principal,
        annual_rate=rate,
        period_start=max(event.date, state.period_start),
        interest_closed=interest,
        discharged_on=discharged_on,
        events_count=state.events_count + 1,
        last_event_date=event.date,
        last_event_kind=EVENT_KINDS[type(event)],
        events_digest=next_digest(state.events_digest, event),
        charges=charges,
        default_since=default_since,
        period_log=log,
    )


def _noted(state: AccrualState, event: InterestAccrual | Charge) -> AccrualState:
    """An event that leaves the open period running: an accrual run's mark, or a charge."""
    charges = state.charges + event.amount if isinstance(event, Charge) else state.charges
    return _changed(
        state,
        as_of=max(state.as_of, event.date),
        charges=charges,
        events_count=state.events_count + 1,
        last_event_date=event.date,
        last_event_kind=EVENT_KINDS[type(event)],
        events_digest=next_digest(state.events_digest, event),
    )


def _capitalisation_date(state: AccrualState, number: int) -> date | None:
    months = COMPOUNDING_MONTHS.get(state.terms.compounding, 0)  # the convention table's
    if not months or state.discharged_on is not None:
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
        state = _changed(
            state,
            principal=state.principal + capitalised,
            interest_closed=Fraction(0),
            capitalisations_count=state.capitalisations_count + 1,
        )


def begin(instrument: Loan | Note, first: Event | None = None) -> AccrualState:
    """Validate the terms and stand on the first event (the instrument's own, or `first`).

    The first event must be an opening balance or an advance; its date is the
    opening. Only that event is checked here: `step` checks each next one.
    """
    kind = _kind_of(instrument)
    validate_terms(instrument.id, instrument.terms)
    if first is None:
        first = instrument.events[0] if instrument.events else None
    if not isinstance(first, OpeningBalance | Advance):
        raise _no_opening(instrument.id, kind, first)
    _check_amounts(instrument.id, first)
    before = AccrualState(
        instrument_id=instrument.id,
        kind=kind,
        terms=instrument.terms,
        opening=first.date,
        as_of=first.date,
        principal=_ZERO_PRINCIPAL,
        annual_rate=parse_rate(instrument.terms.annual_rate),
        period_start=first.date,
        interest_closed=Fraction(0),
        capitalisations_count=0,
        discharged_on=None,
        events_count=0,
        last_event_date=first.date,
        last_event_kind=EVENT_KINDS[type(first)],
        opened_by=EVENT_KINDS[type(first)],
        events_digest=EVENTS_DIGEST_EMPTY,
    )
    return _apply(before, first)


def advance(state: AccrualState, to_date: date) -> AccrualState:
    """The same walk on a later date: anniversaries up to `to_date` capitalised, no event."""
    if not isinstance(to_date, date):
        raise InputError("INVALID_DATE", f"date {to_date!r} is not a date (YYYY-MM-DD)")
    if to_date < state.as_of:
        raise InputError(
            "DATES_OUT_OF_ORDER",
            f"cannot walk {state.kind} {state.instrument_id} back from {state.as_of} to "
            f"{to_date}; start again from its opening",
        )
    state = _capitalise_through(state, to_date)
    return state if state.as_of == to_date else _changed(state, as_of=to_date)


def _step(state: AccrualState, event: Event) -> AccrualState:
    if event.date < state.as_of:
        raise InputError(
            "DATES_OUT_OF_ORDER",
            f"cannot walk {state.kind} {state.instrument_id} back from {state.as_of} to "
            f"{event.date}; start again from its opening",
        )
    # `_apply` moves the date; only anniversaries need the walk to stop on the way.
    return _apply(_capitalise_through(state, event.date), event)


def step(state: AccrualState, event: Event) -> AccrualState:
    """The walk one event further: checked, anniversaries up to its date, then the event.

    The result stands on the event's date, with that event (and every earlier
    one) applied.
    """
    check_event(state, event)
    return _step(state, event)


def forget_periods(state: AccrualState) -> AccrualState:
    """The same state as a new starting point: positions read from it list later periods only."""
    return state if state.period_log is None else _changed(state, period_log=None)


def _walk(
    state: AccrualState, events: Sequence[Event], to_date: date, *, checked: bool
) -> AccrualState:
    """Apply the events after the `events_count` the state has walked, up to `to_date`."""
    for event in islice(events, state.events_count, None):
        if event.date > to_date:
            break
        state = step(state, event) if checked else _step(state, event)
    return advance(state, to_date)


def start(instrument: Loan | Note) -> AccrualState:
    """Validate an instrument and stand at its opening, with the opening date's events applied."""
    validate_terms(instrument.id, instrument.terms)
    validate_events(instrument.id, instrument.events, kind=_kind_of(instrument))
    state = begin(instrument)
    for event in islice(instrument.events, 1, None):
        if event.date != state.opening:
            break
        state = _step(state, event)
    return state


def accrue(state: AccrualState, events: Sequence[Event], to_date: date) -> AccrualState:
    """Walk forward to `to_date`, applying the events the state has not walked yet, up to it.

    `events` is the instrument's whole history; the first `state.events_count`
    of them are taken as walked already.
    """
    if to_date < state.as_of:
        raise InputError(
            "DATES_OUT_OF_ORDER",
            f"cannot walk {state.kind} {state.instrument_id} back from {state.as_of} to "
            f"{to_date}; start again from its opening",
        )
    return _walk(state, events, to_date, checked=True)


def position_of(state: AccrualState) -> Position:
    """The position a walk has reached: exact interest carried, rounded once here."""
    open_period = _open_period(state, state.as_of)
    exact = state.interest_closed + (open_period.interest if open_period else Fraction(0))
    periods = state.periods
    return Position(
        instrument_id=state.instrument_id,
        as_of=state.as_of,
        currency=state.terms.currency,
        principal=state.principal,
        interest=round_money(exact, rounding=state.terms.rounding),
        interest_exact=exact,
        periods=(*periods, open_period) if open_period else periods,
        rounding=state.terms.rounding,
        charges=state.charges,
    )


def before_history(kind: str, instrument_id: str, opening: date, as_of: date) -> InputError:
    """BEFORE_HISTORY: the date asked for, the instrument's first date, and the earliest allowed."""
    return InputError(
        "BEFORE_HISTORY",
        f"{as_of} is before the history of {kind} {instrument_id}, which starts on "
        f"{opening}; the earliest date allowed is {opening}",
    )


def _check_history(state: AccrualState, as_of: date) -> None:
    if not isinstance(as_of, date):
        raise InputError("INVALID_DATE", f"as-of date {as_of!r} is not a date (YYYY-MM-DD)")
    if as_of < state.opening:
        raise before_history(state.kind, state.instrument_id, state.opening, as_of)


def position(instrument: Loan | Note, as_of: date) -> Position:
    """Principal and accrued unpaid interest of `instrument` as of `as_of`, that day included."""
    state = start(instrument)
    _check_history(state, as_of)
    return position_of(_walk(state, instrument.events, as_of, checked=False))


def positions(instrument: Loan | Note, dates: Iterable[date]) -> tuple[Position, ...]:
    """Positions on several dates in one forward walk; dates in any order, answered sorted."""
    state = start(instrument)
    results: list[Position] = []
    for as_of in sorted(set(dates)):
        _check_history(state, as_of)
        state = _walk(state, instrument.events, as_of, checked=False)
        results.append(position_of(state))
    return tuple(results)


@dataclass(frozen=True)
class History:
    """What the rules read of an instrument's events on a date, without the events.

    `at` has walked every event dated on or before `as_of` and none after it
    (None when `as_of` is before the first event); `latest` has walked every
    event, for the digest and the last event. A service reads both from stored
    snapshots; `history` computes them from the events in one walk.
    """

    as_of: date
    at: AccrualState | None
    latest: AccrualState

    def __post_init__(self) -> None:
        latest, at = self.latest, self.at
        if at is None:
            assert self.as_of < latest.opening, f"{latest.instrument_id}: no state on or before"
            return
        assert at.instrument_id == latest.instrument_id, "states of two instruments"
        assert at.as_of <= self.as_of, f"{at.instrument_id}: state after {self.as_of}"
        assert at.events_count <= latest.events_count, f"{at.instrument_id}: state ahead"
        # Every event not walked by `at` is dated after `as_of`.
        walked_all = at.events_count == latest.events_count
        assert walked_all or latest.last_event_date > self.as_of, f"{at.instrument_id}: gap"

    @property
    def opening(self) -> date:
        return self.latest.opening

    def state(self) -> AccrualState:
        """The walk on `as_of` itself; BEFORE_HISTORY before the first event."""
        if self.at is None:
            raise before_history(
                self.latest.kind, self.latest.instrument_id, self.latest.opening, self.as_of
            )
        return advance(self.at, self.as_of)


def history(instrument: Loan | Note, as_of: date) -> History:
    """An instrument's `History` on `as_of`, from its events, in one walk."""
    state = start(instrument)
    if not isinstance(as_of, date):
        raise InputError("INVALID_DATE", f"as-of date {as_of!r} is not a date (YYYY-MM-DD)")
    at = None if as_of < state.opening else _walk(state, instrument.events, as_of, checked=False)
    latest = at if at is not None else state
    for event in islice(instrument.events, latest.events_count, None):
        latest = _step(latest, event)
    return History(as_of=as_of, at=at, latest=latest)


def per_diem_of(state: AccrualState) -> Fraction:
    """One day's interest at the state's principal and rate, on its date, exactly.

    One day is one day of the convention's year: 1/360 for ACT/360 (so the per
    diem is principal x rate / 360) and for the 30/360 family, 1/365 for
    ACT/365F, and for ACT/ACT-ISDA 1/365 or 1/366 by the year of the state's
    date (the day from it to the next belongs to that year).
    """
    if state.discharged_on is not None:
        return Fraction(0)
    convention = canonical_convention(state.terms.day_count)
    if convention in _ACTUAL_CONVENTIONS:
        one_day = year_fraction(convention, state.as_of, add_days(state.as_of, 1))
    else:
        one_day = _THIRTY_360_DAY
    return _interest_of(state.principal, state.annual_rate, one_day)


def per_diem_exact(instrument: Loan | Note, as_of: date) -> Fraction:
    """One day's interest at the principal and rate of `as_of`, exactly (see `per_diem_of`)."""
    state = start(instrument)
    _check_history(state, as_of)
    return per_diem_of(_walk(state, instrument.events, as_of, checked=False))


def per_diem(instrument: Loan | Note, as_of: date) -> Decimal:
    """`per_diem_exact` rounded to the cent for reporting, under the terms' rounding mode."""
    return round_money(per_diem_exact(instrument, as_of), rounding=instrument.terms.rounding)
