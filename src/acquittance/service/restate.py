"""What the lifecycle use cases share: the instrument, its lock, its key, and corrections.

Each lifecycle use case (record, payoff, release, reversal) runs in one write
transaction: it locks the loan (or the note) first, answers a key already used
with the first result, and otherwise decides and writes. A correction (a
reversal, an event dated before the newest one) appends to the log, posts
the correcting entries on the correction date (`books.restatement`) and
rebuilds the instrument's position snapshots from its corrected history.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace

from acquittance.books.entries import JournalEntry
from acquittance.books.restatement import changed_date, correction_drafts, posting_walk
from acquittance.core.accrual import event_text, validate_events
from acquittance.core.errors import NotFoundError, StateError
from acquittance.core.instruments import Loan, LoggedEvent, Note
from acquittance.core.lifecycle import (
    Logged,
    correction_cause,
    correction_date,
    effective_events,
)
from acquittance.service.journal_append import append_drafts
from acquittance.service.quote import find_header
from acquittance.store.lifecycle import StoredAction
from acquittance.store.repository import Repository
from acquittance.store.snapshots import SnapshotDraft, instrument_kind


@dataclass(frozen=True)
class Held:
    """A loan or note, locked for this transaction, with its history and how long its log is."""

    instrument: Loan | Note
    kind: str  # "loan" or "note"
    events_count: int  # the history's events (reversals and what they undid left out)

    @property
    def id(self) -> str:
        return self.instrument.id


def hold(repo: Repository, instrument_id: str) -> Held:
    """Lock a loan or note (the first lock a use case takes), then read its header."""
    header, _ = find_header(repo, instrument_id)
    kind = instrument_kind(header)
    if kind == "loan":
        repo.lock_loan(instrument_id)
    else:
        repo.lock_notes((instrument_id,))
    # Read again after the lock: a writer that held it may have appended meanwhile.
    header, count = find_header(repo, instrument_id)
    return Held(header, kind, count)


def with_events(repo: Repository, held: Held) -> Loan | Note:
    if held.kind == "loan":
        return repo.loan_with_events(held.id)
    return repo.notes_with_events((held.id,))[held.id]


def request_digest(*parts: object) -> str:
    """A digest of what was asked, to tell a retry from another request under the same key."""
    text = repr(tuple(event_text(p) if _is_event(p) else repr(p) for p in parts))
    return hashlib.sha256(text.encode()).hexdigest()


def _is_event(value: object) -> bool:
    return hasattr(value, "date") and hasattr(value, "__dataclass_fields__")


def new_action_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


def earlier_action(
    repo: Repository, key: str | None, digest: str, *, asked: str
) -> StoredAction | None:
    """The action already made under `key`, when this is a retry of it; refused if it is not."""
    if key is None:
        return None
    earlier = repo.find_action_by_key(key)
    if earlier is None:
        return None
    if earlier.request_digest != digest:
        raise StateError(
            "IDEMPOTENCY_KEY_REUSED",
            f"key {key!r} was already used for a {earlier.kind} on {earlier.instrument_kind} "
            f"{earlier.instrument_id} dated {earlier.on.isoformat()} ({earlier.id}), not for "
            f"this {asked}; use a new key for a new request",
        )
    return earlier


def check_kind(held: Held, wanted: str, *, doing: str) -> Loan:
    if held.kind != wanted or not isinstance(held.instrument, Loan):
        raise NotFoundError(
            "UNKNOWN_LOAN",
            f"{held.id} is a note, not a loan; {doing} applies to a loan (`acquittance list`)",
        )
    return held.instrument


def correct(
    repo: Repository, held: Held, instrument: Loan | Note, log: Sequence[Logged], item: LoggedEvent
) -> list[JournalEntry]:
    """Log `item` (a reversal or a late event), post the corrections, rebuild the snapshots.

    The caller has checked that nothing dated on or before a closed settlement
    changes; the corrected history is walked here and refused, before anything
    is written, if it cannot be (an overpayment, say).
    """
    parties = {party.id: party for party in repo.list_parties()}
    transfers = repo.note_transfers(held.id) if held.kind == "note" else []
    changed = changed_date(dict(log), item)
    assert all(t.date < changed for t in transfers), "a correction reaches into a settlement"
    corrected = effective_events([*log, (len(log) + 1, item)])
    validate_events(held.id, corrected, kind=held.kind)
    before = posting_walk(instrument, parties, transfers)
    after = posting_walk(replace(instrument, events=corrected), parties, transfers)
    drafts = correction_drafts(
        before.drafts,
        after.drafts,
        on=correction_date(instrument.events, item),
        cause=correction_cause(held.id, item),
    )
    if held.kind == "loan":
        repo.append_loan_events(held.id, (item,))
    else:
        repo.append_note_events(held.id, (item,))
    entries = append_drafts(repo, drafts)
    repo.clear_snapshots(instrument)
    repo.add_snapshots(
        instrument,
        [
            SnapshotDraft(state.accrual, state.booked.principal, state.booked.interest, holder)
            for state, holder in after.states
        ],
        after=0,
    )
    return entries
