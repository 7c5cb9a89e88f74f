"""From an instrument's events to journal entries: what history means in the books.

Pure: given a loan (or note) and the parties it touches, `book_history`
walks its events once, in order, and returns the entry drafts they call for,
with interest accrued up to each payment posted first, and the `Booked`
amounts (principal and interest as the books carry them). The walk is
incremental: `book_event` takes a `BookState` (the accrual state after the
last event booked, and what the books carry) and one more event, and returns
that event's drafts and the next state, so appending an event to a stored
history costs the same however long it is. At a settlement, `accrual_drafts`
posts what accrued since: the difference between two rounded cumulative
positions, so that the postings add up to the whole, to the cent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from acquittance.books import accounts, posting
from acquittance.books.entries import EntryDraft, EntryKind, Leg, check_balanced
from acquittance.core import accrual
from acquittance.core.accrual import AccrualState, position, position_of
from acquittance.core.instruments import (
    Advance,
    Charge,
    DefaultRate,
    Discharge,
    Event,
    InterestAccrual,
    Loan,
    Note,
    OpeningBalance,
    Party,
    Payment,
    Position,
    RateChange,
    Satisfaction,
)
from acquittance.core.money import ZERO


@dataclass(frozen=True)
class Booked:
    """Principal and interest of one instrument as its holder's books carry them."""

    principal: Decimal = ZERO
    interest: Decimal = ZERO


@dataclass(frozen=True)
class Books:
    """Who an instrument's postings touch: a loan's lender and borrower, or a note's holder."""

    lender: Party | None = None
    borrower: Party | None = None
    holder: Party | None = None


@dataclass(frozen=True)
class BookState:
    """Where booking an instrument's history stands.

    `accrual` is the walk after the last event booked (see `accrual.AccrualState`);
    `booked` is what the holder's books carry for the instrument at that point.
    Together they are all that booking the next event needs, so a stored
    `BookState` (a snapshot) continues exactly as the walk from the opening would.
    """

    accrual: AccrualState
    booked: Booked


def accrual_drafts(
    instrument: Loan | Note, books: Books, booked: Booked, reached: Position
) -> tuple[tuple[EntryDraft, ...], Booked]:
    """Post interest accrued (and interest capitalised) since `booked`, up to `reached`.

    Every draft is checked (`check_balanced`) before it is returned, as the
    posting rules check theirs.
    """
    drafts: list[EntryDraft] = []
    capitalised = reached.principal - booked.principal
    accrued = (reached.interest + capitalised) - booked.interest
    if accrued:
        drafts.extend(_accrual(instrument, books, reached.as_of, accrued))
    if capitalised:
        for draft in _capitalisation(instrument, books, reached.as_of, capitalised):
            check_balanced(draft)
            drafts.append(draft)
    return tuple(drafts), Booked(reached.principal, reached.interest)


def accrual_to(
    instrument: Loan | Note, books: Books, booked: Booked, as_of: date
) -> tuple[tuple[EntryDraft, ...], Booked]:
    """Post what accrued on `instrument` from what is booked up to `as_of`."""
    return accrual_drafts(instrument, books, booked, position(instrument, as_of))


def _accrual(
    instrument: Loan | Note, books: Books, on: date, amount: Decimal
) -> tuple[EntryDraft, ...]:
    if isinstance(instrument, Loan):
        assert books.lender is not None and books.borrower is not None
        return posting.loan_accrual(
            instrument, as_of=on, interest=amount, lender=books.lender, borrower=books.borrower
        )
    assert books.holder is not None
    return posting.note_accrual(instrument, as_of=on, interest=amount, holder=books.holder)


def _capitalisation(
    instrument: Loan | Note, books: Books, on: date, amount: Decimal
) -> tuple[EntryDraft, ...]:
    """Compounding moves unpaid interest into principal: a reclassification in each book."""
    currency = instrument.terms.currency
    description = f"Interest capitalised into principal of {instrument.id}"
    if isinstance(instrument, Note):
        assert books.holder is not None
        # Notes carry principal and interest in separate accounts too.
        legs = (
            Leg(accounts.NOTES_RECEIVABLE, amount, currency),
            Leg(accounts.NOTES_INTEREST_RECEIVABLE, -amount, currency),
        )
        return (
            EntryDraft(books.holder.id, on, EntryKind.ACCRUAL, description, legs, instrument.id),
        )
    assert books.lender is not None and books.borrower is not None
    lender_legs = (
        Leg(accounts.loan_receivable(books.borrower), amount, currency),
        Leg(accounts.interest_receivable(books.borrower), -amount, currency),
    )
    borrower_legs = (
        Leg(accounts.interest_payable(books.lender), amount, currency),
        Leg(accounts.loan_payable(books.lender), -amount, currency),
    )
    return (
        EntryDraft(books.lender.id, on, EntryKind.ACCRUAL, description, lender_legs, instrument.id),
        EntryDraft(
            books.borrower.id, on, EntryKind.ACCRUAL, description, borrower_legs, instrument.id
        ),
    )


def _moves_booked(event: Event) -> bool:
    # Rate changes post nothing, a discharge follows the satisfaction that
    # already moved what is booked, and a charge is posted whole on its date
    # and moves no interest; every other event (an accrual run's mark
    # included) is a posting point.
    return not isinstance(event, RateChange | DefaultRate | Discharge | Charge)


def book_event(
    instrument: Loan | Note, books: Books, state: BookState | None, event: Event
) -> tuple[tuple[EntryDraft, ...], BookState]:
    """The entries one more event calls for, after the history `state` has booked.

    `state` None means `event` is the instrument's first. Interest accrued up
    to the event's date is posted first (for events that are posting points),
    then the event itself. Refuses an event that cannot come next, with the
    codes of `accrual.validate_events`.
    """
    if state is None:
        walked = accrual.begin(instrument, event)
        after = position_of(walked)
        drafts = _event_drafts(instrument, books, event, Booked(), after)
        return drafts, BookState(walked, Booked(after.principal, after.interest))
    accrual.check_event(state.accrual, event)
    reached = accrual.advance(state.accrual, event.date)
    found: list[EntryDraft] = []
    booked = state.booked
    if _moves_booked(event):
        accrued, booked = accrual_drafts(instrument, books, booked, position_of(reached))
        found.extend(accrued)
    walked = accrual.forget_periods(accrual.step(reached, event))
    after = position_of(walked)
    charges_paid = reached.charges - after.charges
    found.extend(_event_drafts(instrument, books, event, booked, after, charges_paid))
    return tuple(found), BookState(walked, _booked_after(event, booked, after))


def _booked_after(event: Event, booked: Booked, after: Position) -> Booked:
    """What the books carry after an event: its position if it is a posting point."""
    return Booked(after.principal, after.interest) if _moves_booked(event) else booked


def book_events(
    instrument: Loan | Note,
    books: Books,
    events: Sequence[Event],
    *,
    state: BookState | None = None,
) -> tuple[tuple[EntryDraft, ...], tuple[BookState, ...]]:
    """Book `events` in order after `state` (None: from the start), in one walk.

    Returns every draft, in order, and the state after each event, so that a
    caller can keep a snapshot per event.
    """
    drafts: list[EntryDraft] = []
    states: list[BookState] = []
    for event in events:
        posted, state = book_event(instrument, books, state, event)
        drafts.extend(posted)
        states.append(state)
    return tuple(drafts), tuple(states)


def booked_walk(
    state: BookState, events: Sequence[Event], walked: Sequence[AccrualState]
) -> tuple[BookState, ...]:
    """The states `book_events` reaches after `state`, for a walk through `events` taken already.

    `walked` holds the accrual state after each event, stepped (so checked)
    from `state.accrual` as `book_event` steps it: the walk a closing takes to
    check its own events. Only what the books carry is derived here, by the
    rule `book_event` follows; the drafts the events call for are not made.
    """
    states: list[BookState] = []
    booked = state.booked
    for event, accrued in zip(events, walked, strict=True):
        if _moves_booked(event):
            booked = _booked_after(event, booked, position_of(accrued))
        states.append(BookState(accrual.forget_periods(accrued), booked))
    return tuple(states)


def book_history(instrument: Loan | Note, books: Books) -> tuple[tuple[EntryDraft, ...], Booked]:
    """Every entry the instrument's events call for, in order, and what the books then carry.

    Satisfactions and discharges are posted by their settlement; here they only
    move what is booked, so that a later settlement accrues from the right base.
    One walk through the events: linear in their number.
    """
    drafts, states = book_events(instrument, books, instrument.events)
    return drafts, states[-1].booked if states else Booked()


def assigned(state: BookState, on: date) -> BookState:
    """A note as its new holder's books carry it from an assignment on `on`.

    The new holder takes the note at its position on that date (principal and
    interest, as the settlement posts them); the accrual walk goes on unchanged.
    """
    reached = accrual.advance(state.accrual, on)
    held = position_of(reached)
    return BookState(accrual.forget_periods(reached), Booked(held.principal, held.interest))


def _event_drafts(
    instrument: Loan | Note,
    books: Books,
    event: object,
    booked: Booked,
    after: Position,
    charges_paid: Decimal = ZERO,
) -> tuple[EntryDraft, ...]:
    if isinstance(event, OpeningBalance):
        if isinstance(instrument, Loan):
            assert books.lender is not None and books.borrower is not None
            return posting.loan_opening(
                instrument, event, lender=books.lender, borrower=books.borrower
            )
        assert books.holder is not None
        return posting.note_opening(instrument, event, holder=books.holder)
    if isinstance(event, Advance):
        return _advance(instrument, books, event)
    if isinstance(event, Charge):
        return _charge(instrument, books, event)
    if isinstance(event, Payment):
        interest = booked.interest - after.interest
        principal = booked.principal - after.principal
        if isinstance(instrument, Loan):
            assert books.lender is not None and books.borrower is not None
            return posting.loan_payment(
                instrument,
                event,
                interest=interest,
                principal=principal,
                charges=charges_paid,
                lender=books.lender,
                borrower=books.borrower,
            )
        assert books.holder is not None
        return posting.note_payment(
            instrument, event, interest=interest, principal=principal, holder=books.holder
        )
    # Rate changes post nothing; satisfactions and discharges are posted by their
    # settlement; an accrual run's mark posted its interest before it.
    assert isinstance(event, RateChange | DefaultRate | Satisfaction | Discharge | InterestAccrual)
    return ()


def _charge(instrument: Loan | Note, books: Books, event: Charge) -> tuple[EntryDraft, ...]:
    # The accrual walk refuses charges on notes (CHARGE_ON_NOTE).
    assert isinstance(instrument, Loan), f"a charge on note {instrument.id}"
    assert books.lender is not None and books.borrower is not None
    return posting.loan_charge(instrument, event, lender=books.lender, borrower=books.borrower)


def _advance(instrument: Loan | Note, books: Books, event: Advance) -> tuple[EntryDraft, ...]:
    if isinstance(instrument, Loan):
        assert books.lender is not None and books.borrower is not None
        return posting.loan_advance(instrument, event, lender=books.lender, borrower=books.borrower)
    assert books.holder is not None
    currency = instrument.terms.currency
    legs = (
        Leg(accounts.NOTES_RECEIVABLE, event.amount, currency),
        Leg(accounts.CASH, -event.amount, currency),
    )
    description = f"Advance of {event.amount} on {instrument.kind} note {instrument.id}"
    return (
        EntryDraft(
            books.holder.id, event.date, EntryKind.ADVANCE, description, legs, instrument.id
        ),
    )
