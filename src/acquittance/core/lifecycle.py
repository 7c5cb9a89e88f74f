"""The life of a loan after its opening: reversals, late events, payoff and release, as pure rules.

An instrument's stored log is append-only: each event keeps the number it was
recorded under (its `sequence`), and a correction is a new entry in the log,
never an edit. Two kinds of correction exist:

- a `Reversal` names an earlier event by its number: the history is then read
  without either of them;
- a *backdated* event is dated before the newest event already recorded: the
  history is read with it in its date's place (after the events already
  recorded on that date).

`effective_events` is that reading: the history the accrual walks, in date
order. What follows a correction is recomputed from it; the books already
posted are corrected on the *correction date* (a reversal's own date; for a
backdated event, the date of the newest event recorded before it), so that
books as of any earlier date stay as they were posted.

Nothing dated on or before a closed settlement may change: the settlement
closed on the figures of that history.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from acquittance.core.collateral import SecurityInterest
from acquittance.core.dates import add_days
from acquittance.core.errors import InputError, NotFoundError, StateError
from acquittance.core.instruments import (
    EVENT_KINDS,
    Discharge,
    Event,
    LoggedEvent,
    OpeningBalance,
    Reversal,
    Satisfaction,
)
from acquittance.core.settlement import TERMINATION_DUE_DAYS
from acquittance.core.settlement_types import Obligation, ObligationKind

#: The longest reason a reversal may carry: it is shown in every correcting entry.
REASON_LENGTH_MAX: Final = 200

Logged = tuple[int, LoggedEvent]  # (sequence, event): one line of an instrument's log


def event_ref(instrument_id: str, sequence: int) -> str:
    """An event's stable reference: its instrument and the number it was recorded under."""
    return f"{instrument_id}#{sequence}"


def parse_event_ref(instrument_id: str, text: str) -> int:
    """The sequence an event reference names: "7", "#7" or "LOAN#7" (LOAN: this instrument)."""
    written = text.strip()
    owner, _, number = written.rpartition("#")
    if owner and owner != instrument_id:
        raise InputError(
            "EVENT_REF_MISMATCH",
            f"event {written!r} belongs to {owner}, not {instrument_id}; give an event of "
            f"{instrument_id} (see `acquittance events {instrument_id}`)",
        )
    if not number.isdigit() or int(number) < 1:
        raise InputError(
            "INVALID_EVENT_REF",
            f"event reference {written!r} is not a number like 3 or {instrument_id}#3; "
            f"`acquittance events {instrument_id}` lists them",
        )
    return int(number)


def reversed_sequences(log: Iterable[Logged]) -> dict[int, int]:
    """Each reversed event's number, and the number of the reversal that undid it."""
    return {event.reverses: seq for seq, event in log if isinstance(event, Reversal)}


def effective_events(log: Sequence[Logged]) -> tuple[Event, ...]:
    """The history an instrument's log stands for, in date order (recorded order within a date).

    Reversals and the events they reverse are left out; a backdated event
    takes its date's place. A log without corrections comes back as it is.
    """
    undone = reversed_sequences(log)
    kept = [
        (event.date, seq, event)
        for seq, event in log
        if not isinstance(event, Reversal) and seq not in undone
    ]
    kept.sort(key=lambda item: (item[0], item[1]))
    return tuple(event for _, _, event in kept)


def is_correction(effective: Sequence[Event], event: LoggedEvent) -> bool:
    """Whether logging `event` after a history `effective` corrects it (not a plain append)."""
    if isinstance(event, Reversal):
        return True
    return bool(effective) and event.date < max(e.date for e in effective)


def correction_date(effective: Sequence[Event], event: LoggedEvent) -> date:
    """The date a correction's entries are posted on: the reversal's, or the newest event's."""
    if isinstance(event, Reversal):
        return event.date
    return max(e.date for e in effective)


def correction_cause(instrument_id: str, event: LoggedEvent) -> str:
    """Why a correction's entries exist, in words, for their descriptions."""
    if isinstance(event, Reversal):
        return f"reversal of event {event_ref(instrument_id, event.reverses)}: {event.reason}"
    return f"{EVENT_KINDS[type(event)]} of {event.date.isoformat()} recorded late"


@dataclass(frozen=True)
class Settled:
    """The newest closed settlement an instrument took part in: nothing on or before it changes."""

    settlement_id: str
    on: date


def check_not_settled(
    kind: str, instrument_id: str, event: Event, settled: Settled | None, *, doing: str
) -> None:
    """SETTLED_HISTORY: the event is dated on or before a closed settlement of the instrument."""
    if settled is not None and event.date <= settled.on:
        raise StateError(
            "SETTLED_HISTORY",
            f"{doing} the {EVENT_KINDS[type(event)]} of {event.date.isoformat()} on {kind} "
            f"{instrument_id} would change settlement {settled.settlement_id}, closed on "
            f"{settled.on.isoformat()}; only events after {settled.on.isoformat()} can change",
        )


def check_after_opening(kind: str, instrument_id: str, opening: date, event: Event) -> None:
    """EVENT_BEFORE_OPENING: a late event still comes on or after the history's first date."""
    if event.date < opening:
        raise InputError(
            "EVENT_BEFORE_OPENING",
            f"the {EVENT_KINDS[type(event)]} of {event.date.isoformat()} on {kind} "
            f"{instrument_id} is before its opening on {opening.isoformat()}; date it "
            f"{opening.isoformat()} or later",
        )


def check_reason(reason: str) -> str:
    written = " ".join(reason.split())
    if not written:
        raise InputError("MISSING_REASON", "a reversal needs --reason: say why, in a few words")
    if len(written) > REASON_LENGTH_MAX:
        raise InputError(
            "REASON_TOO_LONG",
            f"the reason has {len(written)} characters; keep it to {REASON_LENGTH_MAX}",
        )
    return written


def reversal_of(
    kind: str,
    instrument_id: str,
    log: Sequence[Logged],
    sequence: int,
    *,
    on: date,
    reason: str,
    settled: Settled | None,
) -> Reversal:
    """The reversal of event `sequence`, checked against the log; refused with a code."""
    events = dict(log)
    target = events.get(sequence)
    ref = event_ref(instrument_id, sequence)
    if target is None:
        raise NotFoundError(
            "UNKNOWN_EVENT",
            f"{kind} {instrument_id} has no event {ref}; it has events 1 to {len(log)} "
            f"(`acquittance events {instrument_id}` lists them)",
        )
    if isinstance(target, Reversal):
        raise StateError(
            "REVERSAL_NOT_REVERSIBLE",
            f"event {ref} is itself a reversal; to restore what it undid, record that event again",
        )
    undone = reversed_sequences(log)
    if sequence in undone:
        raise StateError(
            "EVENT_ALREADY_REVERSED",
            f"event {ref} was already reversed by {event_ref(instrument_id, undone[sequence])}; "
            "nothing to reverse",
        )
    _check_reversible(kind, instrument_id, log, target, ref, settled)
    effective = effective_events(log)
    newest = max(e.date for e in effective)
    if on < newest:
        raise InputError(
            "REVERSAL_BEFORE_LAST_EVENT",
            f"a reversal on {on.isoformat()} would come before the newest event of {kind} "
            f"{instrument_id}, of {newest.isoformat()}; date it {newest.isoformat()} or later",
        )
    return Reversal(on, sequence, check_reason(reason))


def _check_reversible(
    kind: str,
    instrument_id: str,
    log: Sequence[Logged],
    target: Event,
    ref: str,
    settled: Settled | None,
) -> None:
    if isinstance(target, Satisfaction | Discharge):
        raise StateError(
            "SETTLED_HISTORY",
            f"event {ref} ({EVENT_KINDS[type(target)]}) records a settlement or payoff; it cannot "
            "be reversed",
        )
    discharged = next((e for _, e in log if isinstance(e, Discharge)), None)
    if discharged is not None:
        raise StateError(
            "LOAN_DISCHARGED",
            f"{kind} {instrument_id} was discharged on {discharged.date.isoformat()} and its "
            "pledge released; its events can no longer be reversed",
        )
    first = effective_events(log)[0]
    if target is first or isinstance(target, OpeningBalance):
        raise StateError(
            "FIRST_EVENT_NOT_REVERSIBLE",
            f"event {ref} opens the history of {kind} {instrument_id}; a history cannot lose its "
            "opening (correct the deal file and load it into a new store instead)",
        )
    check_not_settled(kind, instrument_id, target, settled, doing="reversing")


def lien_obligations(
    origin_id: str,
    kind: ObligationKind,
    on: date,
    interests: Sequence[SecurityInterest],
    *,
    what: str,
) -> tuple[Obligation, ...]:
    """A UCC-3 to file for each open financing statement of `interests`, due 20 days after `on`.

    The deadline is a settlement's termination rule (UCC 9-513(c),
    `TERMINATION_DUE_DAYS`); an amendment releasing named collateral is queued
    with the same one, as credit agreements commonly require.
    """
    form = (
        "a termination statement"
        if kind is ObligationKind.TERMINATION_STATEMENT
        else "an amendment"
    )
    label = "termination" if kind is ObligationKind.TERMINATION_STATEMENT else "amendment"
    return tuple(
        Obligation(
            id=f"{origin_id}:{label}:{statement.id}",
            kind=kind,
            settlement_id=origin_id,
            party_id=interest.secured_party_id,
            description=(
                f"file {form} (UCC-3) for financing statement {statement.file_number} with "
                f"{statement.filing_office}{what}"
            ),
            due=add_days(on, TERMINATION_DUE_DAYS),
            financing_statement_id=statement.id,
        )
        for interest in interests
        for statement in interest.financing_statements
        if statement.terminated_on is None
    )
