"""Use cases: each reads the store, asks the pure core what to do, and applies it in one
database transaction, or not at all.

One module per use case. Each function takes a `Store` and plain values and
returns typed results; none prints. The faces (CLI, HTTP server) call these and
render what they return; nothing else opens a transaction on the store. A
refusal raises an `AcquittanceError` before anything is committed, so an error
changes nothing.
"""

from acquittance.service.books import counterparties, journal, party
from acquittance.service.load import load_deal
from acquittance.service.obligations import complete_obligation, obligations
from acquittance.service.payoff import PaidOff, payoff
from acquittance.service.quote import (
    QuoteRequest,
    quote,
    request_from_saved,
    save_quote,
    saved_quote,
    saved_quotes,
)
from acquittance.service.record import Recorded, record, record_event
from acquittance.service.register import instrument_position, note_schedule, register, show
from acquittance.service.release import Released, release
from acquittance.service.reversal import EventLog, Reversed, event_log, reverse
from acquittance.service.settle import ClosedSettlement, settle, settlement_record
from acquittance.service.store import Store, initialize, store_at
from acquittance.service.verify import Verification, anchor, verify

__all__ = [
    "ClosedSettlement",
    "EventLog",
    "PaidOff",
    "QuoteRequest",
    "Recorded",
    "Released",
    "Reversed",
    "Store",
    "Verification",
    "anchor",
    "complete_obligation",
    "counterparties",
    "event_log",
    "initialize",
    "instrument_position",
    "journal",
    "load_deal",
    "note_schedule",
    "obligations",
    "party",
    "payoff",
    "quote",
    "record",
    "record_event",
    "register",
    "release",
    "request_from_saved",
    "reverse",
    "save_quote",
    "saved_quote",
    "saved_quotes",
    "settle",
    "settlement_record",
    "show",
    "store_at",
    "verify",
]
