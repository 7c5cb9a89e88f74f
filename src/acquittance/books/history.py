"""From an instrument's events to journal entries: what history means in the books.

Pure: given a loan (or note) and the parties it touches, `book_history`
replays its events in order and returns the entry drafts they call for, with
interest accrued up to each payment posted first, and the `Booked` amounts
(principal and interest as the books carry them). At a settlement,
`accrual_to` posts what accrued since: the difference between two rounded
cumulative positions, so that the postings add up to the whole, to the cent.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from acquittance.books import accounts, posting
from acquittance.books.entries import EntryDraft, EntryKind, Leg
from acquittance.core.accrual import position
from acquittance.core.instruments import (
    Advance,
    Discharge,
    Loan,
    Note,
    OpeningBalance,
    Party,
    Payment,
    Position,
    RateChange,
    Satisfaction,
)

ZERO = Decimal("0.00")


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


def _position_before(instrument: Loan | Note, index: int, on: date) -> Position:
    """The position on `on` from the events before `index` only (that day's accrual included)."""
    return position(replace(instrument, events=instrument.events[:index]), on)


def accrual_drafts(
    instrument: Loan | Note, books: Books, booked: Booked, reached: Position
) -> tuple[tuple[EntryDraft, ...], Booked]:
    """Post interest accrued (and interest capitalised) since `booked`, up to `reached`."""
    drafts: list[EntryDraft] = []
    capitalised = reached.principal - booked.principal
    accrued = (reached.interest + capitalised) - booked.interest
    if accrued:
        drafts.extend(_accrual(instrument, books, reached.as_of, accrued))
    if capitalised:
        drafts.extend(_capitalisation(instrument, books, reached.as_of, capitalised))
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


def book_history(instrument: Loan | Note, books: Books) -> tuple[tuple[EntryDraft, ...], Booked]:
    """Every entry the instrument's events call for, in order, and what the books then carry.

    Satisfactions and discharges are posted by their settlement; here they only
    move what is booked, so that a later settlement accrues from the right base.
    """
    drafts: list[EntryDraft] = []
    booked = Booked()
    for index, event in enumerate(instrument.events):
        if index > 0 and not isinstance(event, RateChange | Discharge):
            accrued, booked = accrual_drafts(
                instrument, books, booked, _position_before(instrument, index, event.date)
            )
            drafts.extend(accrued)
        after = _position_before(instrument, index + 1, event.date)
        drafts.extend(_event_drafts(instrument, books, event, booked, after))
        if not isinstance(event, RateChange | Discharge):
            booked = Booked(after.principal, after.interest)
    return tuple(drafts), booked


def _event_drafts(
    instrument: Loan | Note, books: Books, event: object, booked: Booked, after: Position
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
                lender=books.lender,
                borrower=books.borrower,
            )
        assert books.holder is not None
        return posting.note_payment(
            instrument, event, interest=interest, principal=principal, holder=books.holder
        )
    # Rate changes post nothing; satisfactions and discharges are posted by their settlement.
    assert isinstance(event, RateChange | Satisfaction | Discharge)
    return ()


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
