"""Booking a history in one walk: the entries are those of the definition (positions of every
prefix of the events), and booking in parts, resumed from a state, books the same entries."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from books_factories import make_party
from hypothesis import given, settings
from hypothesis import strategies as st

from acquittance.books.entries import EntryDraft
from acquittance.books.history import (
    Booked,
    Books,
    BookState,
    accrual_drafts,
    assigned,
    book_event,
    book_events,
    book_history,
    booked_walk,
)
from acquittance.books.history import _event_drafts as event_drafts
from acquittance.core import accrual
from acquittance.core.accrual import position
from acquittance.core.daycount import CONVENTIONS
from acquittance.core.errors import AcquittanceError
from acquittance.core.instruments import (
    Advance,
    Compounding,
    Discharge,
    Event,
    Loan,
    Note,
    OpeningBalance,
    Payment,
    RateChange,
    Satisfaction,
    Terms,
)

D = Decimal
LENDER, BORROWER, HOLDER = (
    make_party("lender", "Lender"),
    make_party("borrower", "Borrower"),
    make_party("holder", "Holder"),
)


@st.composite
def instruments(draw: st.DrawFn) -> Loan | Note:
    """A loan or note under any convention and compounding, with every kind of event."""
    opened = draw(st.dates(date(1999, 1, 1), date(2030, 12, 31)))
    cents = draw(st.integers(0, 10**10))
    events: list[Event] = [
        OpeningBalance(opened, D(cents) / 100, D(draw(st.integers(0, 10**7))) / 100)
    ]
    for offset in sorted(draw(st.lists(st.integers(0, 1500), max_size=7))):
        on = opened + timedelta(days=offset)
        kind = draw(st.sampled_from(["advance", "payment", "satisfaction", "rate"]))
        amount = D(draw(st.integers(0, max(cents // 10, 1)))) / 100
        if kind == "advance":
            events.append(Advance(on, D(draw(st.integers(0, 10**9))) / 100))
        elif kind == "payment":
            events.append(Payment(on, amount))
        elif kind == "satisfaction":
            events.append(Satisfaction(on, amount, "s"))
        else:
            events.append(RateChange(on, D(draw(st.integers(0, 2000))) / 10000))
    if draw(st.booleans()):
        events.append(Discharge(events[-1].date + timedelta(days=draw(st.integers(0, 60))), "s"))
    terms = Terms(
        D(draw(st.integers(0, 2000))) / 10000,
        draw(st.sampled_from(sorted(CONVENTIONS))),
        "USD",
        draw(st.sampled_from(list(Compounding))),
    )
    if draw(st.booleans()):
        return Loan("loan", "lender", "borrower", terms, tuple(events))
    return Note("note", "Maker", "holder", terms, tuple(events))


def books_of(instrument: Loan | Note) -> Books:
    if isinstance(instrument, Loan):
        return Books(lender=LENDER, borrower=BORROWER)
    return Books(holder=HOLDER)


def by_definition(instrument: Loan | Note, books: Books) -> tuple[list[EntryDraft], Booked]:
    """The entries as the rules define them: from the positions of prefixes of the events.

    Quadratic on purpose (a position per prefix); the one walk must give exactly this.
    """
    drafts: list[EntryDraft] = []
    booked = Booked()
    events = instrument.events
    for index, event in enumerate(events):
        posting_point = not isinstance(event, RateChange | Discharge)
        if index > 0 and posting_point:
            reached = position(replace(instrument, events=events[:index]), event.date)
            accrued, booked = accrual_drafts(instrument, books, booked, reached)
            drafts.extend(accrued)
        after = position(replace(instrument, events=events[: index + 1]), event.date)
        drafts.extend(event_drafts(instrument, books, event, booked, after))
        if posting_point:
            booked = Booked(after.principal, after.interest)
    return drafts, booked


@settings(max_examples=150, deadline=None)
@given(instrument=instruments())
def test_one_walk_books_what_the_positions_of_every_prefix_define(instrument: Loan | Note) -> None:
    books = books_of(instrument)
    try:
        expected, expected_booked = by_definition(instrument, books)
    except AcquittanceError as refused:
        with pytest.raises(AcquittanceError) as again:
            book_history(instrument, books)
        assert again.value.code == refused.code
        return
    drafts, booked = book_history(instrument, books)
    assert list(drafts) == expected
    assert (booked.principal, booked.interest) == (
        expected_booked.principal,
        expected_booked.interest,
    )


@settings(max_examples=150, deadline=None)
@given(instrument=instruments(), cut=st.integers(0, 10))
def test_booking_in_two_parts_resumed_from_the_state_books_the_same(
    instrument: Loan | Note, cut: int
) -> None:
    books = books_of(instrument)
    try:
        whole, states = book_events(instrument, books, instrument.events)
    except AcquittanceError:
        return
    cut = min(cut, len(instrument.events) - 1)
    first, before = book_events(instrument, books, instrument.events[: cut + 1])
    # The state as a snapshot keeps it: the accrual state and what is booked, nothing else.
    resumed = BookState(
        before[-1].accrual, Booked(before[-1].booked.principal, before[-1].booked.interest)
    )
    rest, after = book_events(instrument, books, instrument.events[cut + 1 :], state=resumed)
    assert [*first, *rest] == list(whole)
    assert [*before, *after] == list(states)


@settings(max_examples=150, deadline=None)
@given(instrument=instruments(), cut=st.integers(0, 10))
def test_a_walk_taken_already_gives_the_states_booking_gives(
    instrument: Loan | Note, cut: int
) -> None:
    books = books_of(instrument)
    cut = min(cut, len(instrument.events) - 1)
    try:
        _, before = book_events(instrument, books, instrument.events[: cut + 1])
        rest = instrument.events[cut + 1 :]
        _, expected = book_events(instrument, books, rest, state=before[-1])
    except AcquittanceError:
        return
    # As a closing walks its own events to check them: one step each, from the state.
    walked, state = [], before[-1].accrual
    for event in rest:
        state = accrual.step(state, event)
        walked.append(state)
    assert booked_walk(before[-1], rest, walked) == expected


def test_the_first_event_is_booked_without_a_state() -> None:
    loan = Loan("loan", "lender", "borrower", Terms(D("0.06"), "ACT/360", "USD"))
    opening = OpeningBalance(date(2024, 1, 1), D("1000.00"), D("5.00"))
    drafts, state = book_event(loan, Books(lender=LENDER, borrower=BORROWER), None, opening)
    assert [d.kind.value for d in drafts] == ["opening", "opening"]
    assert state.booked == Booked(D("1000.00"), D("5.00"))
    assert state.accrual.events_count == 1


def test_a_payment_posts_the_interest_accrued_since_the_state_then_the_payment() -> None:
    loan = Loan("loan", "lender", "borrower", Terms(D("0.36"), "ACT/360", "USD"))
    books = Books(lender=LENDER, borrower=BORROWER)
    _, state = book_event(loan, books, None, OpeningBalance(date(2024, 1, 1), D("1000.00")))
    # 1000 x 36% x 10/360 = 10.00 accrued, then 20.00 paid: 10.00 interest, 10.00 principal.
    drafts, after = book_event(loan, books, state, Payment(date(2024, 1, 11), D("20.00")))
    assert [d.kind.value for d in drafts] == ["accrual", "accrual", "payment", "payment"]
    assert after.booked == Booked(D("990.00"), D("0.00"))


def test_an_assigned_note_is_booked_by_its_new_holder_at_its_position() -> None:
    note = Note("note", "Maker", "holder", Terms(D("0.36"), "ACT/360", "USD"))
    _, state = book_event(
        note, Books(holder=HOLDER), None, OpeningBalance(date(2024, 1, 1), D("1000.00"))
    )
    moved = assigned(state, date(2024, 1, 21))
    assert moved.booked == Booked(D("1000.00"), D("20.00"))
    assert moved.accrual.as_of == date(2024, 1, 21)
    # The walk goes on unchanged: the period still runs from the opening.
    assert moved.accrual.period_start == date(2024, 1, 1)
