"""Paying a loan off in cash: the payoff figure paid, the loan discharged, its pledge released.

The payoff on a date is the loan's principal and its interest accrued to that
day, rounded once (the quote's figure). Paying it, in one write transaction:
interest accrued to the date is posted and the payment booked in both
parties' books; the loan is discharged; every security interest securing it
is released (the pledged notes stay with their holder, free of the pledge);
and a UCC-3 termination statement is queued for each open financing
statement, due `TERMINATION_DUE_DAYS` after the payoff, as at a settlement.

Paying more than the payoff is OVERPAYMENT and less is PAYOFF_SHORT (a
partial payment is `record --kind payment`); both say the payoff figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from acquittance.books.entries import JournalEntry
from acquittance.core import accrual
from acquittance.core.accrual import position_of
from acquittance.core.errors import InputError, StateError
from acquittance.core.instruments import Discharge, Event, Loan, Payment
from acquittance.core.lifecycle import lien_obligations
from acquittance.core.money import CENT, to_decimal
from acquittance.core.settlement_types import ObligationKind
from acquittance.core.text import check_idempotency_key
from acquittance.service import history
from acquittance.service.journal_append import append_drafts
from acquittance.service.restate import (
    Held,
    check_kind,
    earlier_action,
    hold,
    new_action_id,
    request_digest,
)
from acquittance.service.store import Store
from acquittance.store.lifecycle import StoredAction
from acquittance.store.records import ObligationRecord, ObligationStatus
from acquittance.store.repository import Repository


@dataclass(frozen=True)
class PaidOff:
    """What a payoff did: the figure paid, the entries, the pledges released, the UCC-3s queued."""

    action_id: str
    loan_id: str
    on: date
    amount: Decimal
    entries: tuple[JournalEntry, ...]
    released_interest_ids: tuple[str, ...]
    obligations: tuple[ObligationRecord, ...]
    replayed: bool = False


def payoff(
    store: Store,
    loan_id: str,
    *,
    on: date,
    amount: Decimal | None = None,
    key: str | None = None,
) -> PaidOff:
    """Pay a loan off in cash on `on`: `amount` (default: the payoff figure) must be exactly it."""
    check_idempotency_key(key)
    if amount is not None:
        amount = _amount(amount)
    return store.write_retrying(lambda repo: _payoff(repo, loan_id, on, amount, key))


def _amount(value: object) -> Decimal:
    written = to_decimal(value, field="--amount")
    if written <= 0 or written != written.quantize(CENT):
        raise InputError(
            "INVALID_AMOUNT",
            f"--amount {written} must be more than 0 and in whole cents; leave it out to pay "
            "the payoff figure",
        )
    return written


def _payoff(
    repo: Repository, loan_id: str, on: date, amount: Decimal | None, key: str | None
) -> PaidOff:
    held = hold(repo, loan_id)
    loan = check_kind(held, "loan", doing="a payoff")
    digest = request_digest("payoff", loan_id, on, amount)
    earlier = earlier_action(repo, key, digest, asked="payoff")
    if earlier is not None:
        return paid_off(repo, earlier, repo.action_entries(earlier.id))
    figure = _payoff_figure(repo, held, loan, on)
    paid = figure if amount is None else amount
    _check_paid(loan.id, on, paid, figure)
    action_id = new_action_id("pyf")
    events: list[Event] = [Payment(on, paid)] if paid > 0 else []
    drafts, _ = history.append_events(
        repo, held.instrument, held.events_count, (*events, Discharge(on, action_id))
    )
    entries = append_drafts(repo, drafts)
    recorded = repo.events_recorded("loan", loan.id)
    done = discharge(
        repo, held, loan, on, action_id=action_id, entries=entries, paid=paid, discharged=True
    )
    repo.add_action(
        StoredAction(
            id=action_id,
            kind="payoff",
            instrument_kind="loan",
            instrument_id=loan.id,
            idempotency_key=key,
            request_digest=digest,
            on=on,
            event_sequence=recorded - len(events),
            amount=paid,
            discharged=True,
        ),
        entries=entries,
    )
    return done


def _payoff_figure(repo: Repository, held: Held, loan: Loan, on: date) -> Decimal:
    """Principal and interest owed on `on`, to the cent; never before the newest event.

    From the loan's newest snapshot: no event is loaded.
    """
    state = history.current_state(repo, held.instrument, held.events_count).accrual
    if state.discharged_on is not None:
        raise StateError(
            "LOAN_DISCHARGED",
            f"loan {loan.id} was discharged on {state.discharged_on.isoformat()}; nothing is "
            "owed to pay off",
        )
    if on < state.last_event_date:
        newest = state.last_event_date.isoformat()
        raise InputError(
            "PAYOFF_BEFORE_LAST_EVENT",
            f"a payoff on {on.isoformat()} comes before the newest event of loan {loan.id}, of "
            f"{newest}; pay it off on {newest} or later",
        )
    reached = position_of(accrual.advance(state, on))
    return reached.principal + reached.interest


def _check_paid(loan_id: str, on: date, paid: Decimal, figure: Decimal) -> None:
    if paid > figure:
        raise InputError(
            "OVERPAYMENT",
            f"{paid} is more than the payoff of loan {loan_id} on {on.isoformat()}, which is "
            f"{figure}; pay {figure}, or leave --amount out",
        )
    if paid < figure:
        raise InputError(
            "PAYOFF_SHORT",
            f"{paid} is less than the payoff of loan {loan_id} on {on.isoformat()}, which is "
            f"{figure}; pay {figure}, or record a partial payment with `acquittance record "
            f"{loan_id} --kind payment`",
        )


def discharge(
    repo: Repository,
    held: Held,
    loan: Loan,
    on: date,
    *,
    action_id: str,
    entries: Sequence[JournalEntry],
    paid: Decimal,
    discharged: bool,
) -> PaidOff:
    """Release the loan's pledges and queue their terminations; the loan is at zero.

    Unless `discharged`, the caller booked a payment (`paid`) that left nothing
    owed, and the discharge event is appended here, after it.
    """
    if not discharged:
        discharge_event = (Discharge(on, action_id),)
        history.append_events(repo, held.instrument, held.events_count + 1, discharge_event)
    interests = [i for i in repo.interests_securing(loan.id) if i.active]
    repo.release_security_interests([i.id for i in interests], on, released_by=action_id)
    obligations = lien_obligations(
        action_id,
        ObligationKind.TERMINATION_STATEMENT,
        on,
        interests,
        what=f": loan {loan.id} paid off on {on.isoformat()}",
    )
    repo.add_obligations(obligations)
    return PaidOff(
        action_id=action_id,
        loan_id=loan.id,
        on=on,
        amount=paid,
        entries=tuple(entries),
        released_interest_ids=tuple(i.id for i in interests),
        obligations=tuple(
            ObligationRecord(o, ObligationStatus.OPEN)
            for o in sorted(obligations, key=lambda o: (o.due, o.id))
        ),
    )


def paid_off(repo: Repository, action: StoredAction, entries: Sequence[JournalEntry]) -> PaidOff:
    """A payoff read back from its rows: the first answer, as it was given."""
    assert action.amount is not None, f"action {action.id} has no amount"
    return PaidOff(
        action_id=action.id,
        loan_id=action.instrument_id,
        on=action.on,
        amount=action.amount,
        entries=tuple(entries),
        released_interest_ids=tuple(repo.released_by(action.id)),
        obligations=tuple(repo.list_obligations(settlement_id=action.id)),
        replayed=True,
    )
