"""Position snapshots in use: where an instrument's history stands, kept as events are appended.

Snapshots are a cache derived from the events, which stay the truth. Each
command that appends events stores the walk after each of them (a
`BookState`: the exact accrual state and what the books carry), in the same
transaction, so the next append starts there instead of at the opening.
Reads take the newest snapshot on or before their date. A snapshot that is
missing or behind the events (a store made before snapshots existed) is never
trusted: a read then walks the events once, and the next write to that
instrument rebuilds its snapshots from them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from acquittance.books.entries import EntryDraft
from acquittance.books.history import Booked, Books, BookState, assigned, book_event, book_events
from acquittance.core import accrual
from acquittance.core.accrual import History
from acquittance.core.instruments import Event, Loan, Note
from acquittance.store.repository import Repository
from acquittance.store.snapshots import SnapshotDraft, StoredSnapshot, instrument_kind


def books_of(repo: Repository, instrument: Loan | Note) -> Books:
    """Whose books an instrument's postings touch: a loan's two parties, a note's holder."""
    if isinstance(instrument, Loan):
        return Books(
            lender=repo.get_party(instrument.lender_id),
            borrower=repo.get_party(instrument.borrower_id),
        )
    return Books(holder=repo.get_party(instrument.holder_id))


def drafts_of(instrument: Loan | Note, states: Sequence[BookState]) -> list[SnapshotDraft]:
    """Snapshots to store for `states`, booked by the instrument's holder (a loan: both parties)."""
    holder = instrument.holder_id if isinstance(instrument, Note) else None
    return [_draft(state, holder) for state in states]


def _draft(state: BookState, booked_by: str | None) -> SnapshotDraft:
    return SnapshotDraft(state.accrual, state.booked.principal, state.booked.interest, booked_by)


def book_state(stored: StoredSnapshot) -> BookState:
    """The book state a stored snapshot holds."""
    return BookState(stored.state, Booked(stored.booked_principal, stored.booked_interest))


def fresh(stored: StoredSnapshot | None, instrument: Loan | Note, events_count: int) -> bool:
    """The snapshot has walked every stored event, and its books are the current holder's."""
    if stored is None or stored.state.events_count != events_count:
        return False
    return not isinstance(instrument, Note) or stored.booked_by == instrument.holder_id


def replay(repo: Repository, instrument: Loan | Note) -> list[tuple[BookState, str | None]]:
    """Walk a whole history once, as the books kept it: each state and whose books it is.

    `instrument` has its events. A note assigned at a settlement is booked by
    its new holder from that date on, at its position there; events dated on
    the assignment date belong to the history before it.
    """
    books = books_of(repo, instrument)
    if isinstance(instrument, Loan):
        _, states = book_events(instrument, books, instrument.events)
        return [(state, None) for state in states]
    transfers = repo.note_transfers(instrument.id)
    holder = transfers[0].from_party_id if transfers else instrument.holder_id
    found: list[tuple[BookState, str | None]] = []
    state: BookState | None = None
    for event in instrument.events:
        while transfers and state is not None and event.date > transfers[0].date:
            state, holder = assigned(state, transfers[0].date), transfers[0].to_party_id
            found.append((state, holder))
            transfers = transfers[1:]
        _, state = book_event(instrument, books, state, event)
        found.append((state, holder))
    for transfer in transfers:
        assert state is not None, f"note {instrument.id} moved before its first event"
        state = assigned(state, transfer.date)
        found.append((state, transfer.to_party_id))
    return found


def _full(repo: Repository, instrument: Loan | Note) -> Loan | Note:
    if instrument.events:
        return instrument
    if isinstance(instrument, Loan):
        return repo.get_loan(instrument.id)
    return repo.get_note(instrument.id)


def current_state(repo: Repository, instrument: Loan | Note, events_count: int) -> BookState:
    """The newest `BookState` of an instrument, to append to it (in a write transaction).

    From its newest snapshot when that is fresh; else its snapshots are rebuilt
    from its events, once, and the newest of them returned.
    """
    return newest(repo, instrument, events_count).state


@dataclass(frozen=True)
class Newest:
    """An instrument's newest state, and the number of the snapshot that holds it."""

    state: BookState
    sequence: int


def newest(repo: Repository, instrument: Loan | Note, events_count: int) -> Newest:
    """As `current_state`, with the snapshot's number, so an append needs no look-up."""
    stored = repo.latest_snapshot(instrument)
    if fresh(stored, instrument, events_count):
        assert stored is not None
        return Newest(book_state(stored), stored.sequence)
    walked = replay(repo, _full(repo, instrument))
    assert walked, f"{instrument_kind(instrument)} {instrument.id} has no events"
    repo.clear_snapshots(instrument)
    repo.add_snapshots(instrument, [_draft(state, by) for state, by in walked], after=0)
    return Newest(walked[-1][0], len(walked))


def latest_state(repo: Repository, instrument: Loan | Note, events_count: int) -> BookState:
    """As `current_state`, but writing nothing: a stale cache is walked around, not rebuilt."""
    stored = repo.latest_snapshot(instrument)
    if fresh(stored, instrument, events_count):
        assert stored is not None
        return book_state(stored)
    walked = replay(repo, _full(repo, instrument))
    assert walked, f"{instrument_kind(instrument)} {instrument.id} has no events"
    return walked[-1][0]


def append_events(
    repo: Repository, instrument: Loan | Note, events_count: int, events: Sequence[Event]
) -> tuple[list[EntryDraft], BookState]:
    """Append events to an instrument and keep its snapshots; the drafts they call for.

    One step from the newest snapshot per event, whatever the history's length.
    """
    assert events, "append at least one event"
    books = books_of(repo, instrument)
    state = current_state(repo, instrument, events_count)
    drafts, states = book_events(instrument, books, events, state=state)
    if isinstance(instrument, Loan):
        repo.append_loan_events(instrument.id, events)
    else:
        repo.append_note_events(instrument.id, events)
    repo.add_snapshots(instrument, drafts_of(instrument, states))
    return list(drafts), states[-1]


def histories_on(
    repo: Repository, instruments: Mapping[str, tuple[Loan | Note, int]], on: date
) -> dict[str, History]:
    """Each instrument's `History` on a date, from its snapshots; read only.

    `instruments` maps ids to (instrument, how many events it has). An
    instrument whose snapshots are missing or behind is walked from its events.
    """
    listed = [instrument for instrument, _ in instruments.values()]
    found = repo.snapshots_on(listed, on)
    histories: dict[str, History] = {}
    for key, (instrument, events_count) in instruments.items():
        at, latest = found[(instrument_kind(instrument), instrument.id)]
        if latest is not None and latest.state.events_count == events_count:
            histories[key] = History(on, at.state if at else None, latest.state)
        else:
            histories[key] = accrual.history(_full(repo, instrument), on)
    return histories


def history_from(state: BookState, instrument: Loan | Note, on: date) -> History:
    """The `History` on a date from the newest state, walking the events only when it is later."""
    newest = state.accrual
    if newest.as_of <= on:
        return History(on, newest, newest)
    assert instrument.events, f"{instrument.id}: a date before its newest state needs its events"
    return accrual.history(instrument, on)
