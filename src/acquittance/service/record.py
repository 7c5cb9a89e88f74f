"""Recording an event on a loan or note, and booking what it means.

An event dated on or after the newest one is appended: interest accrued up
to its date is posted, then the event, from the instrument's newest snapshot.
An event dated before the newest one (backdated) is accepted too: what
follows it is recomputed and the books are corrected on the date of the
newest event (see `acquittance.core.lifecycle`), unless a closed settlement
would change (SETTLED_HISTORY).

A payment that brings a loan to zero pays it off: the loan is discharged,
its pledge released and a UCC-3 termination queued, as `payoff` does (a
servicer treats a payment in full as the payoff it is). A backdated payment
that reaches zero is only recorded: what came after it stands on the loan.

Under an idempotency key, the same request again answers the first result
and writes nothing; the key with a different request is IDEMPOTENCY_KEY_REUSED.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from acquittance.books.entries import JournalEntry
from acquittance.core.accrual import position_of
from acquittance.core.errors import StateError
from acquittance.core.instruments import EVENT_KINDS, Event, Loan, Payment, Reversal
from acquittance.core.lifecycle import (
    check_after_opening,
    check_not_settled,
    effective_events,
    event_ref,
    is_correction,
)
from acquittance.core.text import check_idempotency_key
from acquittance.service import history
from acquittance.service.journal_append import append_drafts
from acquittance.service.payoff import PaidOff, discharge, paid_off
from acquittance.service.restate import (
    Held,
    correct,
    earlier_action,
    hold,
    new_action_id,
    request_digest,
    with_events,
)
from acquittance.service.store import Store
from acquittance.store.lifecycle import StoredAction
from acquittance.store.repository import Repository


@dataclass(frozen=True)
class Recorded:
    """What recording an event did: its reference, the entries posted, a payoff if one."""

    action_id: str
    instrument_kind: str
    instrument_id: str
    event: Event
    event_ref: str
    entries: tuple[JournalEntry, ...]
    backdated: bool  # dated before the newest event: what follows was recomputed
    payoff: PaidOff | None = None  # the payment brought a loan to zero and discharged it
    replayed: bool = False  # the answer of an earlier request under the same key

    @property
    def kind(self) -> str:
        return EVENT_KINDS[type(self.event)]


def record(store: Store, instrument_id: str, event: Event, *, key: str | None = None) -> Recorded:
    """Record an event (advance, payment, rate change) on a loan or note, and book it."""
    check_idempotency_key(key)
    return store.write_retrying(lambda repo: _record(repo, instrument_id, event, key))


def record_event(
    store: Store, instrument_id: str, event: Event, *, key: str | None = None
) -> list[JournalEntry]:
    """As `record`, answering only the journal entries it posted."""
    return list(record(store, instrument_id, event, key=key).entries)


def _record(repo: Repository, instrument_id: str, event: Event, key: str | None) -> Recorded:
    held = hold(repo, instrument_id)
    digest = request_digest("record", instrument_id, event)
    earlier = earlier_action(repo, key, digest, asked="record")
    if earlier is not None:
        return recorded_from(repo, earlier)
    action_id = new_action_id("rec")
    # Where the history stands, from its newest snapshot: no event is loaded unless
    # this one is late and what follows it must be walked again.
    newest = history.current_state(repo, held.instrument, held.events_count).accrual
    _check_open(held, newest.discharged_on, event)
    backdated = event.date < newest.last_event_date
    payoff = None
    # On a settlement's date or before, the settlement closed on the history as it was.
    check_not_settled(
        held.kind, held.id, event, repo.settled(held.kind, held.id), doing="recording"
    )
    if backdated:
        check_after_opening(held.kind, held.id, newest.opening, event)
        instrument = with_events(repo, held)
        log = repo.event_log(held.kind, held.id)
        entries = correct(repo, held, instrument, log, event)
        sequence = len(log) + 1
    else:
        drafts, state = history.append_events(repo, held.instrument, held.events_count, (event,))
        entries = append_drafts(repo, drafts)
        sequence = repo.events_recorded(held.kind, held.id)
        if _reaches_zero(held, event, state.accrual):
            assert isinstance(event, Payment) and isinstance(held.instrument, Loan)
            payoff = discharge(
                repo,
                held,
                held.instrument,
                event.date,
                action_id=action_id,
                entries=entries,
                paid=event.amount,
                discharged=False,
            )
    repo.add_action(
        StoredAction(
            id=action_id,
            kind="record",
            instrument_kind=held.kind,
            instrument_id=held.id,
            idempotency_key=key,
            request_digest=digest,
            on=event.date,
            event_sequence=sequence,
            amount=getattr(event, "amount", None),
            discharged=payoff is not None,
        ),
        entries=entries,
    )
    return Recorded(
        action_id=action_id,
        instrument_kind=held.kind,
        instrument_id=held.id,
        event=event,
        event_ref=event_ref(held.id, sequence),
        entries=tuple(entries),
        backdated=backdated,
        payoff=payoff,
    )


def _check_open(held: Held, discharged: date | None, event: Event) -> None:
    if discharged is not None:
        raise StateError(
            "LOAN_DISCHARGED",
            f"{held.kind} {held.id} was discharged on {discharged.isoformat()}; the "
            f"{EVENT_KINDS[type(event)]} of {event.date.isoformat()} cannot be recorded on it",
        )


def _reaches_zero(held: Held, event: Event, state: object) -> bool:
    if held.kind != "loan" or not isinstance(event, Payment):
        return False
    reached = position_of(state)  # type: ignore[arg-type]
    return reached.principal == 0 and reached.interest == 0


def recorded_from(repo: Repository, action: StoredAction) -> Recorded:
    """A record action read back: the first answer, as it was given."""
    assert action.event_sequence is not None, f"action {action.id} appended no event"
    log = dict(repo.event_log(action.instrument_kind, action.instrument_id))
    event = log[action.event_sequence]
    assert not isinstance(event, Reversal), f"action {action.id} names a reversal"
    entries = tuple(repo.action_entries(action.id))
    earlier = [line for line in log.items() if line[0] < action.event_sequence]
    return Recorded(
        action_id=action.id,
        instrument_kind=action.instrument_kind,
        instrument_id=action.instrument_id,
        event=event,
        event_ref=event_ref(action.instrument_id, action.event_sequence),
        entries=entries,
        backdated=is_correction(effective_events(earlier), event),
        payoff=paid_off(repo, action, entries) if action.discharged else None,
        replayed=True,
    )
