"""The periodic statement of a loan or note: where it stood, what happened, where it stands.

The period runs from the start of `start` to the end of `end`, both days
included, so that consecutive statements (January 1-31, February 1-29) list
every event once. The opening position is the close of the day before `start`
(nothing, before the instrument's history begins); the closing position is
the close of `end`. Each event of the period is listed with what it changed:
a payment's split between interest and principal is the one the books post
(the position just before it, less the position just after, on its date).
Interest accrued in the period is what is left to reconcile the two: closing
interest = opening interest + accrued + the events' changes - interest
capitalised, to the cent, by construction and checked.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Final

from acquittance.agreements.drafting.context import refuse_control_characters
from acquittance.agreements.drafting.document import SignatureBlock, Table
from acquittance.agreements.drafting.servicing import ServicingDocument, compose_servicing
from acquittance.agreements.drafting.templating import figure, long_date
from acquittance.core.accrual import position
from acquittance.core.dates import add_days
from acquittance.core.errors import InputError, NotFoundError
from acquittance.core.instruments import (
    EVENT_KINDS,
    Advance,
    Charge,
    Compounding,
    DefaultRate,
    Discharge,
    Event,
    InterestAccrual,
    LateCharge,
    Loan,
    Note,
    OpeningBalance,
    Party,
    Payment,
    RateChange,
    Satisfaction,
)
from acquittance.core.money import ZERO

STATEMENT_TEMPLATE: Final = "statements/statement.j2"
#: Most events one statement lists; a longer period is split into several statements.
STATEMENT_EVENTS_MAX: Final = 2000


@dataclass(frozen=True)
class Balance:
    """Principal and accrued unpaid interest at one point of the statement."""

    principal: Decimal
    interest: Decimal

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest


NOTHING: Final = Balance(ZERO, ZERO)


@dataclass(frozen=True)
class ActivityRow:
    """One event of the period and what it changed (positive adds, negative takes away)."""

    date: date
    kind: str  # the event kinds of EVENT_KINDS: opening, advance, payment, rate_change, ...
    description: str
    amount: Decimal | None  # the cash or value the event moved; None for a rate change
    interest_change: Decimal
    principal_change: Decimal
    after: Balance
    annual_rate: Decimal | None  # the new rate of a rate change


@dataclass(frozen=True)
class StatementContext:
    """Everything a periodic statement states; its template sees only this."""

    instrument_id: str
    instrument_kind: str  # "loan" or "note"
    sender: Party  # the lender of a loan, the holder of a note
    recipient_name: str  # the borrower of a loan, the maker of a note
    recipient: Party | None  # the borrower as a party; a note's maker is only a name
    instrument_name: str  # "Credit Agreement", "mortgage note"
    instrument_date: date | None
    currency: str
    day_count: str
    start: date
    end: date
    opening: Balance
    closing: Balance
    activity: tuple[ActivityRow, ...]
    annual_rate_at_end: Decimal

    @property
    def opening_date(self) -> date:
        """The day whose close the opening position is."""
        return add_days(self.start, -1)

    def _sum(self, kinds: tuple[str, ...], field: str) -> Decimal:
        rows = (row for row in self.activity if row.kind in kinds)
        return sum((getattr(row, field) for row in rows), ZERO)

    @property
    def advanced(self) -> Decimal:
        """Principal lent or added in the period, and any balance brought forward."""
        return self._sum(("advance", "opening"), "principal_change")

    @property
    def paid(self) -> Decimal:
        """Cash paid in the period."""
        amounts = (row.amount for row in self.activity if row.kind == "payment")
        return sum((amount for amount in amounts if amount is not None), ZERO)

    @property
    def interest_paid(self) -> Decimal:
        """Interest settled in the period by payments and settlements."""
        return -self._sum(("payment", "satisfaction"), "interest_change")

    @property
    def principal_paid(self) -> Decimal:
        """Principal repaid in the period by payments and settlements."""
        return -self._sum(("payment", "satisfaction"), "principal_change")

    @property
    def events_principal_change(self) -> Decimal:
        return sum((row.principal_change for row in self.activity), ZERO)

    @property
    def events_interest_change(self) -> Decimal:
        return sum((row.interest_change for row in self.activity), ZERO)

    @property
    def interest_capitalised(self) -> Decimal:
        """Unpaid interest moved into principal on compounding dates in the period."""
        return self.closing.principal - self.opening.principal - self.events_principal_change

    @property
    def interest_accrued(self) -> Decimal:
        """Interest that accrued in the period: what reconciles opening and closing."""
        return (
            self.closing.interest
            - self.opening.interest
            - self.events_interest_change
            + self.interest_capitalised
        )


def build_statement_context(
    instrument: Loan | Note, *, parties: Mapping[str, Party], start: date, end: date
) -> StatementContext:
    """The statement of `instrument` from the start of `start` to the end of `end`."""
    if end < start:
        raise InputError(
            "DATES_OUT_OF_ORDER",
            f"the period ends on {end}, before it starts on {start}; give --from before --to",
        )
    in_period = [(i, e) for i, e in enumerate(instrument.events) if start <= e.date <= end]
    if len(in_period) > STATEMENT_EVENTS_MAX:
        raise InputError(
            "PERIOD_TOO_LONG",
            f"{instrument.id} has {len(in_period)} events from {start} to {end}; a statement "
            f"lists at most {STATEMENT_EVENTS_MAX}: split the period",
        )
    closing = position(instrument, end)  # refuses a period before the history (BEFORE_HISTORY)
    opening = _balance_before(instrument, start)
    who = _who(instrument, parties)
    context = StatementContext(
        instrument_id=instrument.id,
        instrument_kind=who.instrument_kind,
        sender=who.sender,
        recipient_name=who.recipient_name,
        recipient=who.recipient,
        instrument_name=who.instrument_name,
        instrument_date=who.instrument_date,
        currency=instrument.terms.currency,
        day_count=instrument.terms.day_count,
        start=start,
        end=end,
        opening=opening,
        closing=Balance(closing.principal, closing.interest),
        activity=tuple(_activity(instrument, index, event) for index, event in in_period),
        annual_rate_at_end=_rate_on(instrument, end),
    )
    _check_reconciles(context, instrument)
    refuse_control_characters(_texts(context))
    return context


def _balance_before(instrument: Loan | Note, start: date) -> Balance:
    """The close of the day before `start`; nothing when the history starts later."""
    if not instrument.events or start <= instrument.events[0].date:
        return NOTHING
    held = position(instrument, add_days(start, -1))
    return Balance(held.principal, held.interest)


@dataclass(frozen=True)
class _Who:
    """Who sends the statement, to whom, and what instrument it is about."""

    sender: Party
    recipient_name: str
    recipient: Party | None
    instrument_kind: str
    instrument_name: str
    instrument_date: date | None


def _who(instrument: Loan | Note, parties: Mapping[str, Party]) -> _Who:
    if isinstance(instrument, Loan):
        borrower = _party(parties, instrument.borrower_id, role="borrower")
        return _Who(
            sender=_party(parties, instrument.lender_id, role="lender"),
            recipient_name=borrower.name,
            recipient=borrower,
            instrument_kind="loan",
            instrument_name=instrument.agreement_name,
            instrument_date=instrument.agreement_date,
        )
    kind = instrument.kind if instrument.kind and instrument.kind != "note" else ""
    return _Who(
        sender=_party(parties, instrument.holder_id, role="holder"),
        recipient_name=instrument.maker,
        recipient=None,
        instrument_kind="note",
        instrument_name=f"{kind} note".strip(),
        instrument_date=instrument.issue_date,
    )


def _party(parties: Mapping[str, Party], party_id: str, *, role: str) -> Party:
    if party_id not in parties:
        raise NotFoundError(
            "PARTY_NOT_FOUND", f"the {role} {party_id!r} is not among the parties given"
        )
    return parties[party_id]


def _activity(instrument: Loan | Note, index: int, event: Event) -> ActivityRow:
    """What one event changed: the position on its date without it, and with it."""
    before, charges_before = NOTHING, ZERO
    if index > 0:
        held = position(replace(instrument, events=instrument.events[:index]), event.date)
        before, charges_before = Balance(held.principal, held.interest), held.charges
    held = position(replace(instrument, events=instrument.events[: index + 1]), event.date)
    after = Balance(held.principal, held.interest)
    charges_paid = (
        charges_before - held.charges if isinstance(event, Payment | Satisfaction) else ZERO
    )
    row = ActivityRow(
        date=event.date,
        kind=EVENT_KINDS[type(event)],
        description=_describe(event),
        amount=_amount_of(event),
        interest_change=after.interest - before.interest,
        principal_change=after.principal - before.principal,
        after=after,
        annual_rate=event.annual_rate if isinstance(event, RateChange | DefaultRate) else None,
    )
    if isinstance(event, Payment | Satisfaction):
        # Charges, interest, then principal, and nothing else: the parts add up to the amount.
        paid = charges_paid - (row.interest_change + row.principal_change)
        assert paid == event.amount, (event, paid)
    return row


def _describe(event: Event) -> str:
    if isinstance(event, OpeningBalance):
        return "Balance brought forward"
    if isinstance(event, Advance):
        return "Advance"
    if isinstance(event, Payment):
        return "Payment"
    if isinstance(event, RateChange):
        return f"Rate changed to {rate_text(event.annual_rate)} a year"
    if isinstance(event, Satisfaction):
        return f"Satisfied by settlement {event.settlement_id}"
    if isinstance(event, LateCharge):
        return f"Late charge on the payment due {event.due.isoformat()}"
    if isinstance(event, Charge):
        return "Fee charged"
    if isinstance(event, DefaultRate):
        return f"Default rate of {rate_text(event.annual_rate)} a year from this date"
    if isinstance(event, InterestAccrual):
        return "Interest accrued to this date posted to the books"
    assert isinstance(event, Discharge)
    return f"Discharged (settlement {event.settlement_id})"


def _amount_of(event: Event) -> Decimal | None:
    if isinstance(event, OpeningBalance):
        return event.principal + event.interest
    if isinstance(event, Advance | Payment | Satisfaction | Charge):
        return event.amount
    return None


def _rate_on(instrument: Loan | Note, on: date) -> Decimal:
    rate = instrument.terms.annual_rate
    for event in instrument.events:
        if event.date > on:
            break
        if isinstance(event, RateChange | DefaultRate):
            rate = event.annual_rate
    return rate


def rate_text(rate: Decimal) -> str:
    """0.095 -> '9.5%': the rate as people write it, exactly, without trailing zeros."""
    percent = (rate * 100).normalize()
    return f"{percent:f}%"


def _check_reconciles(context: StatementContext, instrument: Loan | Note) -> None:
    """Opening, events, accrual and capitalisation must make up the closing, to the cent."""
    principal = context.opening.principal + context.events_principal_change
    principal += context.interest_capitalised
    assert principal == context.closing.principal, "principal does not reconcile"
    interest = context.opening.interest + context.events_interest_change
    interest += context.interest_accrued - context.interest_capitalised
    assert interest == context.closing.interest, "interest does not reconcile"
    if instrument.terms.compounding is Compounding.SIMPLE:
        # Simple interest never moves into principal: the whole change is the events'.
        assert context.interest_capitalised == ZERO, context.interest_capitalised


def _texts(context: StatementContext) -> Iterator[tuple[str, str]]:
    yield "sender's name", context.sender.name
    yield "recipient's name", context.recipient_name
    yield "instrument's name", context.instrument_name
    for person in context.sender.signatories:
        yield "sender's signatory", person.name
        yield "sender's signatory's title", person.title


def statement_variables(context: StatementContext) -> dict[str, object]:
    """The names `statements/statement.j2` may use (see the templates' README)."""
    return {
        "instrument_id": context.instrument_id,
        "instrument_kind": context.instrument_kind,
        "is_loan": context.instrument_kind == "loan",
        "sender": context.sender,
        "recipient_name": context.recipient_name,
        "instrument_name": context.instrument_name,
        "instrument_date": context.instrument_date,
        "start": context.start,
        "end": context.end,
        "opening_date": context.opening_date,
        "opening": context.opening,
        "closing": context.closing,
        "events_count": len(context.activity),
        "advanced": context.advanced,
        "paid": context.paid,
        "interest_paid": context.interest_paid,
        "principal_paid": context.principal_paid,
        "interest_accrued": context.interest_accrued,
        "interest_capitalised": context.interest_capitalised,
        "annual_rate": rate_text(context.annual_rate_at_end),
        "day_count": context.day_count,
    }


def statement_document(
    context: StatementContext, *, templates_dir: Path | None = None
) -> ServicingDocument:
    """The statement in its structured form, from the clause library's template."""
    return compose_servicing(
        STATEMENT_TEMPLATE,
        statement_variables(context),
        currency=context.currency,
        tables={
            "summary": _summary_table(context),
            "activity": _activity_table(context),
            "totals": _totals_table(context),
        },
        signatures={"sender": SignatureBlock("", context.sender.name, context.sender.signatories)},
        templates_dir=templates_dir,
    )


def _summary_table(context: StatementContext) -> Table:
    money = context.currency
    opening, closing = context.opening, context.closing
    return Table(
        caption="Balances",
        columns=(
            "",
            f"Opening (close of {long_date(context.opening_date)})",
            f"Closing (close of {long_date(context.end)})",
        ),
        rows=(
            ("Principal", figure(opening.principal, money), figure(closing.principal, money)),
            (
                "Accrued unpaid interest",
                figure(opening.interest, money),
                figure(closing.interest, money),
            ),
        ),
        total=("Total", figure(opening.total, money), figure(closing.total, money)),
        amount_columns=frozenset({1, 2}),
    )


def _signed(amount: Decimal, currency: str) -> str:
    """A change as accountants write it: '($33,270.00)' takes away; blank when zero."""
    if amount == ZERO:
        return ""
    text = figure(abs(amount), currency)
    return f"({text})" if amount < ZERO else text


def _activity_table(context: StatementContext) -> Table:
    money = context.currency
    rows = tuple(
        (
            long_date(row.date),
            row.description,
            "" if row.amount is None else figure(row.amount, money),
            _signed(row.interest_change, money),
            _signed(row.principal_change, money),
            figure(row.after.principal, money),
        )
        for row in context.activity
    )
    return Table(
        caption=f"Activity from {long_date(context.start)} through {long_date(context.end)}",
        columns=("Date", "Activity", "Amount", "Interest", "Principal", "Principal balance"),
        rows=rows or (("", "No activity in the period", "", "", "", ""),),
        amount_columns=frozenset({2, 3, 4, 5}),
    )


def _totals_table(context: StatementContext) -> Table:
    money = context.currency
    rows = [
        ("Principal advanced or brought forward", figure(context.advanced, money)),
        ("Payments received", figure(context.paid, money)),
        ("Interest paid", figure(context.interest_paid, money)),
        ("Principal repaid", figure(context.principal_paid, money)),
        ("Interest accrued in the period", figure(context.interest_accrued, money)),
    ]
    if context.interest_capitalised:
        rows.append(("Interest capitalised", figure(context.interest_capitalised, money)))
    return Table(
        caption="Period totals",
        columns=("Item", "Amount"),
        rows=tuple(rows),
        amount_columns=frozenset({1}),
    )
