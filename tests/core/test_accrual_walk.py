"""The incremental accrual API: a walk taken one event (or one date) at a time, and resumed
from any state it reached, gives the one-walk state and position, bit for bit."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from core_factories import loan_with, reference_loan
from hypothesis import given, settings
from hypothesis import strategies as st

from acquittance.core.accrual import (
    EVENTS_DIGEST_EMPTY,
    AccrualState,
    History,
    advance,
    begin,
    check_state,
    events_digest,
    forget_periods,
    history,
    position,
    position_of,
    step,
    validate_events,
)
from acquittance.core.daycount import CONVENTIONS
from acquittance.core.errors import AcquittanceError, InputError
from acquittance.core.instruments import (
    Advance,
    Compounding,
    Discharge,
    Event,
    Loan,
    OpeningBalance,
    Payment,
    RateChange,
    Satisfaction,
)

D = Decimal
JAN1 = date(2024, 1, 1)


@st.composite
def histories(draw: st.DrawFn) -> Loan:
    """A loan under any convention and compounding, with every kind of event."""
    day_count = draw(st.sampled_from(sorted(CONVENTIONS)))
    compounding = draw(st.sampled_from(list(Compounding)))
    opened = draw(st.dates(date(1999, 1, 1), date(2030, 12, 31)))
    principal_cents = draw(st.integers(0, 10**10))
    first: Event
    if draw(st.booleans()):
        first = OpeningBalance(
            opened, D(principal_cents) / 100, D(draw(st.integers(0, 10**8))) / 100
        )
    else:
        first = Advance(opened, D(principal_cents) / 100)
    events: list[Event] = [first]
    for offset in sorted(draw(st.lists(st.integers(0, 1500), max_size=8))):
        on = opened + timedelta(days=offset)
        kind = draw(st.sampled_from(["advance", "payment", "satisfaction", "rate"]))
        cents = D(draw(st.integers(0, max(principal_cents // 10, 1)))) / 100
        if kind == "advance":
            events.append(Advance(on, D(draw(st.integers(0, 10**9))) / 100))
        elif kind == "payment":
            events.append(Payment(on, cents))
        elif kind == "satisfaction":
            events.append(Satisfaction(on, cents, "s"))
        else:
            events.append(RateChange(on, D(draw(st.integers(0, 2000))) / 10000))
    if draw(st.booleans()):
        events.append(Discharge(events[-1].date + timedelta(days=draw(st.integers(0, 90))), "s"))
    rate = D(draw(st.integers(0, 2000))) / 10000
    return loan_with(tuple(events), rate=str(rate), day_count=day_count, compounding=compounding)


def _stored(state: AccrualState) -> AccrualState:
    """The state as storage rebuilds it: from its fields, with no periods behind it."""
    values = {f.name: getattr(state, f.name) for f in dataclasses.fields(state)}
    values["interest_closed"] = Fraction(str(state.interest_closed))
    return forget_periods(AccrualState(**values))


def _walk(loan: Loan, pauses: list[int], resumes: list[bool]) -> AccrualState:
    """Step through the events, pausing at dates between them and resuming from stored states."""
    state = begin(loan)
    for index, event in enumerate(loan.events[1:]):
        pause = pauses[index % len(pauses)] if pauses else 0
        between = state.as_of + timedelta(days=pause)
        if between < event.date:
            state = advance(state, between)
        if resumes and resumes[index % len(resumes)]:
            state = _stored(state)
        state = step(state, event)
    return state


@settings(max_examples=200, deadline=None)
@given(
    loan=histories(),
    pauses=st.lists(st.integers(0, 400), max_size=5),
    resumes=st.lists(st.booleans(), max_size=5),
    after=st.integers(0, 900),
)
def test_a_walk_in_steps_and_resumed_from_stored_states_is_the_one_walk(
    loan: Loan, pauses: list[int], resumes: list[bool], after: int
) -> None:
    try:
        whole = history(loan, loan.events[-1].date)
    except AcquittanceError as refused:
        with pytest.raises(AcquittanceError) as again:
            _walk(loan, pauses, resumes)
        assert again.value.code == refused.code
        return
    walked = _walk(loan, pauses, resumes)
    assert walked == whole.latest
    assert walked.events_digest == events_digest(loan.events)
    end = walked.as_of + timedelta(days=after)
    one_walk, in_steps = position(loan, end), position_of(advance(walked, end))
    assert (in_steps.principal, in_steps.interest) == (one_walk.principal, one_walk.interest)
    assert in_steps.interest_exact == one_walk.interest_exact
    assert str(in_steps.principal) == str(one_walk.principal)


@settings(max_examples=150, deadline=None)
@given(loan=histories(), days=st.integers(-30, 2000))
def test_a_history_on_any_date_gives_the_position_of_that_date(loan: Loan, days: int) -> None:
    on = loan.events[0].date + timedelta(days=days)
    try:
        held = history(loan, on)
    except AcquittanceError:
        return
    if on < loan.events[0].date:
        assert held.at is None
        with pytest.raises(InputError) as caught:
            held.state()
        assert caught.value.code == "BEFORE_HISTORY"
        return
    reached = position_of(held.state())
    expected = position(loan, on)
    assert (reached.principal, reached.interest_exact) == (
        expected.principal,
        expected.interest_exact,
    )
    assert held.latest.events_count == len(loan.events)


BAD_NEXT = [
    (
        (OpeningBalance(JAN1, D("1.00")), OpeningBalance(JAN1, D("1.00"))),
        "DUPLICATE_OPENING_BALANCE",
    ),
    (
        (Advance(JAN1, D("1.00")), OpeningBalance(date(2024, 2, 1), D("1.00"))),
        "OPENING_BALANCE_NOT_FIRST",
    ),
    (
        (OpeningBalance(JAN1, D("1.00")), Payment(date(2023, 12, 31), D("1.00"))),
        "EVENT_BEFORE_OPENING",
    ),
    (
        (
            OpeningBalance(JAN1, D("1.00")),
            Payment(date(2024, 3, 1), D("0.01")),
            Payment(date(2024, 2, 1), D("0.01")),
        ),
        "EVENTS_OUT_OF_ORDER",
    ),
    ((OpeningBalance(JAN1, D("1.00")), Advance(JAN1, D("-5.00"))), "NEGATIVE_AMOUNT"),
    ((OpeningBalance(JAN1, D("1.00")), Payment(JAN1, D("0.001"))), "AMOUNT_NOT_IN_CENTS"),
    (
        (OpeningBalance(JAN1, D("1.00")), Discharge(JAN1, "s"), Payment(date(2024, 2, 1), D("1"))),
        "LOAN_DISCHARGED",
    ),
    ((OpeningBalance(JAN1, D("1.00")), RateChange(JAN1, D("8"))), "RATE_LOOKS_LIKE_PERCENT"),
]


@pytest.mark.parametrize(("events", "code"), BAD_NEXT)
def test_a_step_refuses_what_the_whole_history_check_refuses(
    events: tuple[Event, ...], code: str
) -> None:
    with pytest.raises(AcquittanceError) as whole:
        validate_events("loan", events)
    loan = loan_with(events)
    state = begin(loan)
    with pytest.raises(AcquittanceError) as stepped:
        for event in events[1:]:
            state = step(state, event)
    assert whole.value.code == stepped.value.code == code
    assert whole.value.message == stepped.value.message


def test_the_first_event_must_open_the_history() -> None:
    with pytest.raises(InputError) as caught:
        begin(loan_with((Payment(JAN1, D("1.00")),)))
    assert caught.value.code == "NO_OPENING_BALANCE"
    with pytest.raises(InputError) as empty:
        begin(loan_with(()))
    assert empty.value.code == "NO_OPENING_BALANCE"


def test_an_event_before_the_date_a_state_was_taken_to_is_out_of_order() -> None:
    loan = loan_with((OpeningBalance(JAN1, D("1000.00")),))
    taken = advance(begin(loan), date(2024, 6, 30))
    with pytest.raises(InputError) as caught:
        step(taken, Payment(date(2024, 5, 1), D("1.00")))
    assert caught.value.code == "EVENTS_OUT_OF_ORDER"
    assert "2024-06-30" in caught.value.message and "2024-05-01" in caught.value.message
    with pytest.raises(InputError) as back:
        advance(taken, date(2024, 6, 29))
    assert back.value.code == "DATES_OUT_OF_ORDER"


def test_advancing_to_a_date_does_not_split_the_period() -> None:
    # 30/360 is not additive across an arbitrary split; advancing must not close a period.
    loan = loan_with((OpeningBalance(date(2024, 1, 31), D("1000.00")),), day_count="30/360-US")
    stepped = advance(advance(begin(loan), date(2024, 2, 29)), date(2024, 3, 31))
    assert position_of(stepped) == position(loan, date(2024, 3, 31))
    assert len(position_of(stepped).periods) == 1


def test_monthly_capitalisation_while_advancing_matches_the_one_walk() -> None:
    loan = loan_with(
        (OpeningBalance(date(2024, 1, 31), D("1000.00")),),
        rate="0.12",
        compounding=Compounding.MONTHLY,
    )
    state = begin(loan)
    for day in (date(2024, 2, 15), date(2024, 2, 29), date(2024, 3, 30), date(2024, 4, 10)):
        state = advance(state, day)
    assert position_of(state) == position(loan, date(2024, 4, 10))
    assert state.capitalisations_count == 2


def test_the_events_digest_is_by_value_and_changes_with_any_event() -> None:
    one = (OpeningBalance(JAN1, D("10.00")), Payment(date(2024, 2, 1), D("1.50")))
    same = (OpeningBalance(JAN1, D("10")), Payment(date(2024, 2, 1), D("1.5")))
    other = (OpeningBalance(JAN1, D("10.00")), Payment(date(2024, 2, 2), D("1.50")))
    assert events_digest(one) == events_digest(same)
    assert events_digest(one) != events_digest(other)
    assert events_digest(()) == EVENTS_DIGEST_EMPTY
    assert begin(loan_with(one)).events_digest == events_digest(one[:1])


def test_a_state_checks_what_it_holds() -> None:
    state = begin(reference_loan())
    check_state(state)
    with pytest.raises(AssertionError):
        check_state(dataclasses.replace(state, principal=D("-1.00")))
    with pytest.raises(AssertionError):
        check_state(dataclasses.replace(state, as_of=state.last_event_date - timedelta(days=1)))


def test_a_history_whose_states_disagree_is_refused() -> None:
    loan = loan_with((OpeningBalance(JAN1, D("1000.00")), Payment(date(2024, 3, 1), D("1.00"))))
    latest = history(loan, date(2024, 3, 1)).latest
    first = begin(loan)
    # The payment of March 1 is not walked by `first`, so no history on March 1 holds it.
    with pytest.raises(AssertionError):
        History(date(2024, 3, 1), first, latest)
    assert History(date(2024, 2, 1), first, latest).state().as_of == date(2024, 2, 1)


def test_before_history_names_the_earliest_date_allowed() -> None:
    with pytest.raises(InputError) as caught:
        position(reference_loan(), date(1990, 1, 1))
    assert caught.value.code == "BEFORE_HISTORY"
    assert "the earliest date allowed is 2002-03-31" in caught.value.message
