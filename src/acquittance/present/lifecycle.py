"""JSON documents of the lifecycle use cases: record, payoff, release, reversal, events.

One shape per command (docs/json/*.schema.json): `instrument` names the loan
or note everywhere, `entries` is always the list of entries posted, amounts
are decimal strings and dates ISO.
"""

from __future__ import annotations

from dataclasses import fields
from typing import TYPE_CHECKING, Any

from acquittance.core.instruments import EVENT_KINDS, LoggedEvent
from acquittance.core.money import amount_text
from acquittance.present.documents import entry_document, obligation_document, plain

if TYPE_CHECKING:
    from acquittance.service.payoff import PaidOff
    from acquittance.service.record import Recorded
    from acquittance.service.release import Released
    from acquittance.service.reversal import EventLog, LoggedLine, Reversed


def event_fields(event: LoggedEvent) -> dict[str, Any]:
    """An event as its kind and its own fields (date, amount, annual_rate, ...)."""
    values = {f.name: plain(getattr(event, f.name)) for f in fields(event)}
    return {"kind": EVENT_KINDS[type(event)], **values}


def payoff_document(paid: PaidOff) -> dict[str, Any]:
    return {
        "action": paid.action_id,
        "instrument": paid.loan_id,
        "date": paid.on.isoformat(),
        "amount": amount_text(paid.amount),
        "status": "discharged",
        "released_security_interests": list(paid.released_interest_ids),
        "obligations": [obligation_document(o) for o in paid.obligations],
        "entries": [entry_document(e) for e in paid.entries],
        "replayed": paid.replayed,
    }


def recorded_document(recorded: Recorded) -> dict[str, Any]:
    return {
        "action": recorded.action_id,
        "instrument": recorded.instrument_id,
        "instrument_kind": recorded.instrument_kind,
        "event": recorded.event_ref,
        "kind": recorded.kind,
        "date": recorded.event.date.isoformat(),
        "backdated": recorded.backdated,
        "entries": [entry_document(e) for e in recorded.entries],
        "payoff": None if recorded.payoff is None else _payoff_part(recorded.payoff),
        "replayed": recorded.replayed,
    }


def _payoff_part(paid: PaidOff) -> dict[str, Any]:
    document = payoff_document(paid)
    return {key: document[key] for key in ("status", "released_security_interests", "obligations")}


def released_document(released: Released) -> dict[str, Any]:
    return {
        "action": released.action_id,
        "instrument": released.loan_id,
        "date": released.on.isoformat(),
        "released": [
            {"note": n.note_id, "security_interest": n.security_interest_id} for n in released.notes
        ],
        "remaining_notes": list(released.remaining_note_ids),
        "obligations": [obligation_document(o) for o in released.obligations],
        "entries": [],
        "replayed": released.replayed,
    }


def reversed_document(done: Reversed) -> dict[str, Any]:
    return {
        "action": done.action_id,
        "instrument": done.instrument_id,
        "instrument_kind": done.instrument_kind,
        "event": done.reversal_ref,
        "reverses": done.reversed_ref,
        "reversed_event": event_fields(done.reversed_event),
        "date": done.on.isoformat(),
        "reason": done.reason,
        "entries": [entry_document(e) for e in done.entries],
        "replayed": done.replayed,
    }


def event_line_document(line: LoggedLine) -> dict[str, Any]:
    return {
        "event": line.ref,
        "sequence": line.sequence,
        "status": line.status,
        "reversed_by": line.reversed_by,
        "backdated": line.backdated,
        **event_fields(line.event),
    }


def event_log_document(log: EventLog) -> dict[str, Any]:
    return {
        "instrument": log.instrument_id,
        "instrument_kind": log.instrument_kind,
        "events": [event_line_document(line) for line in log.lines],
    }
