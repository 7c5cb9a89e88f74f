"""Reversing an event, and listing an instrument's events with their references.

A reversal is a new event in the instrument's log, dated on the day it is
made; the reversed event stays where it was, marked reversed. The history is
then read without it: later figures are recomputed and the books already
posted are corrected by entries dated on the reversal (see
`books.restatement`). Refused with a code: an unknown event, one already
reversed, a reversal, the opening, a settlement's or payoff's events, and an
event dated on or before a closed settlement (see `core.lifecycle.reversal_of`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from acquittance.books.entries import JournalEntry
from acquittance.core.instruments import EVENT_KINDS, Event, LoggedEvent, Reversal
from acquittance.core.lifecycle import (
    event_ref,
    parse_event_ref,
    reversal_of,
    reversed_sequences,
)
from acquittance.core.text import check_idempotency_key
from acquittance.service.quote import find_header
from acquittance.service.restate import (
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
from acquittance.store.snapshots import instrument_kind


@dataclass(frozen=True)
class Reversed:
    """What a reversal did: its own reference, the event it undid, and the correcting entries."""

    action_id: str
    instrument_kind: str
    instrument_id: str
    reversal_ref: str
    reversed_ref: str
    reversed_event: Event
    on: date
    reason: str
    entries: tuple[JournalEntry, ...]
    replayed: bool = False


def reverse(
    store: Store,
    instrument_id: str,
    event: str,
    *,
    on: date,
    reason: str,
    key: str | None = None,
) -> Reversed:
    """Reverse the event `event` ("3", "#3" or "ID#3") of a loan or note, on `on`, for `reason`."""
    check_idempotency_key(key)
    sequence = parse_event_ref(instrument_id, event)
    return store.write_retrying(
        lambda repo: _reverse(repo, instrument_id, sequence, on, reason, key)
    )


def _reverse(
    repo: Repository, instrument_id: str, sequence: int, on: date, reason: str, key: str | None
) -> Reversed:
    held = hold(repo, instrument_id)
    digest = request_digest("reversal", instrument_id, sequence, on, " ".join(reason.split()))
    earlier = earlier_action(repo, key, digest, asked="reversal")
    if earlier is not None:
        return _reversed_from(repo, earlier)
    log = repo.event_log(held.kind, held.id)
    settled = repo.settled(held.kind, held.id)
    reversal = reversal_of(held.kind, held.id, log, sequence, on=on, reason=reason, settled=settled)
    instrument = with_events(repo, held)
    entries = correct(repo, held, instrument, log, reversal)
    action_id = new_action_id("rev")
    repo.add_action(
        StoredAction(
            id=action_id,
            kind="reversal",
            instrument_kind=held.kind,
            instrument_id=held.id,
            idempotency_key=key,
            request_digest=digest,
            on=on,
            event_sequence=len(log) + 1,
            amount=None,
            discharged=False,
        ),
        entries=entries,
    )
    return _reversed(action_id, held.kind, held.id, dict(log), len(log) + 1, reversal, entries)


def _reversed(
    action_id: str,
    kind: str,
    instrument_id: str,
    log: dict[int, LoggedEvent],
    sequence: int,
    reversal: Reversal,
    entries: list[JournalEntry],
    *,
    replayed: bool = False,
) -> Reversed:
    target = log[reversal.reverses]
    assert not isinstance(target, Reversal)
    return Reversed(
        action_id=action_id,
        instrument_kind=kind,
        instrument_id=instrument_id,
        reversal_ref=event_ref(instrument_id, sequence),
        reversed_ref=event_ref(instrument_id, reversal.reverses),
        reversed_event=target,
        on=reversal.date,
        reason=reversal.reason,
        entries=tuple(entries),
        replayed=replayed,
    )


def _reversed_from(repo: Repository, action: StoredAction) -> Reversed:
    assert action.event_sequence is not None
    log = dict(repo.event_log(action.instrument_kind, action.instrument_id))
    reversal = log[action.event_sequence]
    assert isinstance(reversal, Reversal)
    return _reversed(
        action.id,
        action.instrument_kind,
        action.instrument_id,
        log,
        action.event_sequence,
        reversal,
        repo.action_entries(action.id),
        replayed=True,
    )


@dataclass(frozen=True)
class LoggedLine:
    """One line of an instrument's log, as `events` lists it."""

    ref: str
    sequence: int
    kind: str  # an event kind: opening, advance, payment, ..., reversal
    event: LoggedEvent
    status: str  # "effective", "reversed" or "reversal"
    reversed_by: str | None  # the reversal's reference, for a reversed event
    backdated: bool  # recorded after an event dated later than it


@dataclass(frozen=True)
class EventLog:
    """A loan's or note's events in the order they were recorded, with their references."""

    instrument_kind: str
    instrument_id: str
    lines: tuple[LoggedLine, ...]


def event_log(store: Store, instrument_id: str) -> EventLog:
    """Every event of a loan or note as recorded: reference, kind, date, and whether it stands."""
    with store.read() as session:
        repo = Repository(session)
        header, _ = find_header(repo, instrument_id)
        kind = instrument_kind(header)
        log = repo.event_log(kind, instrument_id)
    undone = reversed_sequences(log)
    standing: dict[int, date] = {}  # the events standing so far, by sequence: their dates
    newest: date | None = None
    lines = []
    for sequence, event in log:
        if isinstance(event, Reversal):
            status, backdated = "reversal", False
            standing.pop(event.reverses, None)
            newest = max(standing.values(), default=None)
        else:
            status = "reversed" if sequence in undone else "effective"
            backdated = newest is not None and event.date < newest
            standing[sequence] = event.date
            newest = event.date if newest is None else max(newest, event.date)
        reversed_by = undone.get(sequence)
        lines.append(
            LoggedLine(
                ref=event_ref(instrument_id, sequence),
                sequence=sequence,
                kind=EVENT_KINDS[type(event)],
                event=event,
                status=status,
                reversed_by=None if reversed_by is None else event_ref(instrument_id, reversed_by),
                backdated=backdated,
            )
        )
    return EventLog(kind, instrument_id, tuple(lines))
