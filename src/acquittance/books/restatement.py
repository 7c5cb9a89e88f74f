"""Corrections in the books: what a reversal or a late event changes, posted on its own date.

Pure. The books of an instrument are what walking its history posts
(`posting_walk`), holder by holder for a note that changed hands. When the
history is corrected (see `acquittance.core.lifecycle`), the walk of the
corrected history differs from the one already posted from some entry on.
`correction_drafts` posts, dated on the correction date, a reversal of each
entry from that point on and then the corrected entries (restated), so that
the books as of any earlier date stay as they were and the books from the
correction date on are those of the corrected history, to the cent.

`restated_drafts` replays a whole log this way (the expectation `verify`
compares the journal with): every plain append as it was posted, every
correction as its entries.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from acquittance.books.entries import DESCRIPTION_LENGTH_MAX, EntryDraft, EntryKind, Leg
from acquittance.books.history import Books, BookState, accrual_drafts, assigned, book_event
from acquittance.core.accrual import position_of
from acquittance.core.instruments import Event, Loan, LoggedEvent, Note, Party, Reversal
from acquittance.core.lifecycle import (
    Logged,
    correction_cause,
    correction_date,
    effective_events,
    is_correction,
)
from acquittance.core.settlement_types import NoteTransfer


@dataclass(frozen=True)
class Walk:
    """What walking a history posts, in order, and the state after each step and whose it is.

    `states` holds one (state, holder) per event, and one per assignment of a
    note; the holder is None for a loan (booked by both its parties).
    """

    drafts: tuple[EntryDraft, ...]
    states: tuple[tuple[BookState, str | None], ...]


def posting_walk(
    instrument: Loan | Note,
    parties: Mapping[str, Party],
    transfers: Sequence[NoteTransfer] = (),
) -> Walk:
    """Walk `instrument.events` once, in each holder's books, assignment by assignment."""
    if isinstance(instrument, Loan):
        books = Books(
            lender=parties[instrument.lender_id], borrower=parties[instrument.borrower_id]
        )
        return _loan_walk(instrument, books)
    return _note_walk(instrument, parties, transfers)


def _loan_walk(loan: Loan, books: Books) -> Walk:
    drafts: list[EntryDraft] = []
    states: list[tuple[BookState, str | None]] = []
    state: BookState | None = None
    for event in loan.events:
        posted, state = book_event(loan, books, state, event)
        drafts.extend(posted)
        states.append((state, None))
    return Walk(tuple(drafts), tuple(states))


def _note_walk(note: Note, parties: Mapping[str, Party], transfers: Sequence[NoteTransfer]) -> Walk:
    """Events dated on an assignment's date belong to the history before it."""
    pending = list(transfers)
    holder = pending[0].from_party_id if pending else note.holder_id
    drafts: list[EntryDraft] = []
    states: list[tuple[BookState, str | None]] = []
    state: BookState | None = None
    for event in note.events:
        while pending and state is not None and event.date > pending[0].date:
            state = _assign(drafts, note, parties[holder], state, pending[0].date)
            holder = pending.pop(0).to_party_id
            states.append((state, holder))
        held = replace(note, holder_id=holder)
        posted, state = book_event(held, Books(holder=parties[holder]), state, event)
        drafts.extend(posted)
        states.append((state, holder))
    for transfer in pending:
        assert state is not None, f"note {note.id} moved before its first event"
        state = _assign(drafts, note, parties[holder], state, transfer.date)
        holder = transfer.to_party_id
        states.append((state, holder))
    return Walk(tuple(drafts), tuple(states))


def _assign(
    drafts: list[EntryDraft], note: Note, assignor: Party, state: BookState, on: date
) -> BookState:
    """At an assignment the assignor books the interest accrued to that day; the note moves."""
    moved = assigned(state, on)
    held = replace(note, holder_id=assignor.id)
    posted, _ = accrual_drafts(
        held, Books(holder=assignor), state.booked, position_of(moved.accrual)
    )
    drafts.extend(posted)
    return moved


def correction_drafts(
    posted: Sequence[EntryDraft], corrected: Sequence[EntryDraft], *, on: date, cause: str
) -> tuple[EntryDraft, ...]:
    """Reverse what was posted from where the corrected walk differs, then post the rest.

    Both lists are walks in their events' own dates; the entries made here are
    dated `on`, reversals first, then the corrected entries (restated).
    """
    same = 0
    for before, after in zip(posted, corrected, strict=False):
        if before != after:
            break
        same += 1
    reversals = tuple(_reversal(draft, on, cause) for draft in posted[same:])
    restated = tuple(_restated(draft, on, cause) for draft in corrected[same:])
    return reversals + restated


def _fit(text: str) -> str:
    if len(text) <= DESCRIPTION_LENGTH_MAX:
        return text
    return text[: DESCRIPTION_LENGTH_MAX - 3] + "..."


def _reversal(draft: EntryDraft, on: date, cause: str) -> EntryDraft:
    legs = tuple(Leg(leg.account, -leg.amount, leg.currency) for leg in draft.legs)
    description = (
        f"Reversal of the {draft.kind.value} of {draft.date.isoformat()} ({cause}): "
        f"{draft.description}"
    )
    return replace(
        draft, date=on, kind=EntryKind.REVERSAL, description=_fit(description), legs=legs
    )


def _restated(draft: EntryDraft, on: date, cause: str) -> EntryDraft:
    description = f"Restated for {draft.date.isoformat()} ({cause}): {draft.description}"
    return replace(draft, date=on, description=_fit(description))


@dataclass(frozen=True)
class Restated:
    """A log replayed: every entry it posted, in order, and the walk of its final history."""

    drafts: tuple[EntryDraft, ...]
    walk: Walk
    events: tuple[Event, ...]  # the final history, as `effective_events` reads it


def restated_drafts(
    instrument: Loan | Note,
    log: Sequence[Logged],
    parties: Mapping[str, Party],
    transfers: Sequence[NoteTransfer] = (),
) -> Restated:
    """Every entry a log has posted: plain appends as walked, each correction on its date.

    The walk of the history runs twice per correction (and once at the end),
    so a log without corrections costs one walk. A correction changes only
    events after every assignment of the note made before it, so the
    assignments it was made against are those dated before the event it changes.
    """

    def walk_of(events: tuple[Event, ...], moved: Sequence[NoteTransfer]) -> Walk:
        if isinstance(instrument, Loan):
            return posting_walk(replace(instrument, events=events), parties)
        # A walk against the assignments made so far: the note is its first holder's
        # until the first of them (its holder now may be a later assignee).
        first = transfers[0].from_party_id if transfers else instrument.holder_id
        holder = moved[-1].to_party_id if moved else first
        held = replace(instrument, events=events, holder_id=holder)
        return posting_walk(held, parties, moved)

    recorded = dict(log)
    drafts: list[EntryDraft] = []
    posted_walk = Walk((), ())  # the walk the books stand on after the last correction
    effective: tuple[Event, ...] = ()
    for index, (_, event) in enumerate(log):
        if not is_correction(effective, event):
            assert not isinstance(event, Reversal)
            effective = (*effective, event)
            continue
        changed = changed_date(recorded, event)
        moved = [transfer for transfer in transfers if transfer.date < changed]
        before = walk_of(effective, moved)
        drafts.extend(_appended_since(posted_walk, before))
        corrected = effective_events(log[: index + 1])
        after = walk_of(corrected, moved)
        on = correction_date(effective, event)
        cause = correction_cause(instrument.id, event)
        drafts.extend(correction_drafts(before.drafts, after.drafts, on=on, cause=cause))
        posted_walk, effective = after, corrected
    final = walk_of(effective, transfers)
    drafts.extend(_appended_since(posted_walk, final))
    return Restated(tuple(drafts), final, effective)


def changed_date(recorded: Mapping[int, LoggedEvent], event: LoggedEvent) -> date:
    """The date of the event a correction changes: the reversed one's, or the late one's own."""
    if isinstance(event, Reversal):
        return recorded[event.reverses].date
    return event.date


def _appended_since(earlier: Walk, later: Walk) -> tuple[EntryDraft, ...]:
    """The entries plain appends added to a walk: `later` extends `earlier`."""
    count = len(earlier.drafts)
    assert later.drafts[:count] == earlier.drafts, "a plain append changed what was posted"
    return later.drafts[count:]
