"""The accrual run: post the interest accrued on every open loan and note to both books.

`accrue(store, through=D)` runs in one write transaction. It takes the loans'
rows, then the notes', in id order (the order a closing takes them), and for
each open instrument:

- assesses the late charges its deal's rule calls for up to D (`core.charges`),
  as `LateCharge` events posted to both books;
- appends an `InterestAccrual` mark dated D where the interest accrued since
  the books were last posted is not zero; booking the mark posts that
  interest (the difference of two rounded positions, so the parts add up to
  the whole), exactly as a payment or a settlement would first.

A mark changes no figure of the instrument (the accrual period is not split),
so a run in one step through D and runs at every month-end up to D leave the
same positions and the same balances. A settlement or payment afterwards
starts from what the run booked: it pays off the accrued receivable and
payable and posts only the interest accrued since.

Once per period: an instrument whose books already carry its interest to D
gets nothing, so a rerun posts nothing. A run through a date before the last
run's is refused (ACCRUAL_BEFORE_LAST_RUN); the same key again answers as the
first run did and changes nothing; a key used for another date is refused.
An instrument whose history already runs past D is left to its next posting
point. Events are the truth: `verify` rebuilds every entry a run posted from
the marks and charges it appended.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from acquittance.books.entries import EntryDraft
from acquittance.books.history import BookState, book_event
from acquittance.core import accrual
from acquittance.core.charges import late_charges_due
from acquittance.core.errors import InputError, StateError
from acquittance.core.instruments import Event, InterestAccrual, LateCharge, Loan, Note
from acquittance.core.money import ZERO
from acquittance.core.text import check_idempotency_key
from acquittance.service import history
from acquittance.service.journal_append import append_drafts
from acquittance.service.store import Store
from acquittance.store.accruals import (
    AccrualLine,
    StoredAccrualRun,
    add_accrual_run,
    find_accrual_run_by_key,
    last_accrual_run,
)
from acquittance.store.repository import Repository
from acquittance.store.snapshots import instrument_kind

#: Called after each instrument with (instruments done, instruments in the run).
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class AccrualRun:
    """What a run did: its id, key and date, one line per instrument it posted for.

    `replayed` is true when the key had run before and this is that first answer.
    """

    id: str
    key: str | None
    through: date
    entries_count: int
    lines: tuple[AccrualLine, ...]
    instruments_count: int  # open instruments looked at
    replayed: bool = False

    @property
    def interest_total(self) -> dict[str, Decimal]:
        """Interest posted, by currency."""
        totals: dict[str, Decimal] = {}
        for line in self.lines:
            totals[line.currency] = totals.get(line.currency, ZERO) + line.interest
        return totals


def accrue(
    store: Store,
    *,
    through: date,
    key: str | None = None,
    progress: Progress | None = None,
) -> AccrualRun:
    """Post accrued interest (and late charges) of every open loan and note up to `through`."""
    check_idempotency_key(key)
    if not isinstance(through, date):
        raise InputError("INVALID_DATE", f"--through {through!r} is not a date (YYYY-MM-DD)")
    return store.write_retrying(lambda repo: _run(repo, through, key, progress))


def _run(repo: Repository, through: date, key: str | None, progress: Progress | None) -> AccrualRun:
    session = repo.session
    if key is not None:
        earlier = find_accrual_run_by_key(session, key)
        if earlier is not None:
            return _replay(earlier, through)
    last = last_accrual_run(session)
    if last is not None and through < last.through:
        raise StateError(
            "ACCRUAL_BEFORE_LAST_RUN",
            f"the last accrual run went through {last.through.isoformat()}; a run through "
            f"{through.isoformat()} would go back before it. Run through "
            f"{last.through.isoformat()} or later",
        )
    instruments = _open_instruments(repo)
    drafts: list[EntryDraft] = []
    lines: list[AccrualLine] = []
    for done, instrument in enumerate(instruments, start=1):
        line = _accrue_one(repo, instrument, through, drafts)
        if line is not None:
            lines.append(line)
        if progress is not None:
            progress(done, len(instruments))
    entries = append_drafts(repo, drafts) if drafts else []
    run = StoredAccrualRun(
        id=f"acr-{uuid.uuid4().hex[:16]}",
        key=key,
        through=through,
        entries_count=len(entries),
        sequence=(last.sequence + 1) if last is not None else 1,
        lines=tuple(lines),
    )
    add_accrual_run(session, run)
    return AccrualRun(run.id, key, through, len(entries), run.lines, len(instruments))


def _replay(earlier: StoredAccrualRun, through: date) -> AccrualRun:
    if earlier.through != through:
        raise StateError(
            "IDEMPOTENCY_KEY_REUSED",
            f"key {earlier.key!r} already ran accruals through {earlier.through.isoformat()} "
            f"(run {earlier.id}); use a new key for a run through {through.isoformat()}",
        )
    return AccrualRun(
        earlier.id,
        earlier.key,
        earlier.through,
        earlier.entries_count,
        earlier.lines,
        instruments_count=len(earlier.lines),
        replayed=True,
    )


def _open_instruments(repo: Repository) -> list[Loan | Note]:
    """Every loan not discharged, then every note, each locked (loans first, by id)."""
    loans = [loan for loan in repo.list_loans() if loan.discharged_on is None and loan.events]
    for loan in loans:
        repo.lock_loan(loan.id)
    notes = [note for note in repo.list_notes() if note.events]
    repo.lock_notes([note.id for note in notes])
    return [*loans, *notes]


def _accrue_one(
    repo: Repository, instrument: Loan | Note, through: date, drafts: list[EntryDraft]
) -> AccrualLine | None:
    """Late charges and the accrual mark of one instrument; its line, or None if nothing posts."""
    newest = history.newest(repo, instrument, len(instrument.events))
    state = newest.state
    if state.accrual.discharged or state.accrual.as_of > through:
        return None
    books = history.books_of(repo, instrument)
    appended: list[Event] = []
    states: list[BookState] = []
    charged = ZERO
    for charge in _late_charges(instrument, state, through):
        posted, state = book_event(instrument, books, state, charge)
        drafts.extend(posted)
        appended.append(charge)
        states.append(state)
        charged += charge.amount
    reached = accrual.position_of(accrual.advance(state.accrual, through))
    capitalised = reached.principal - state.booked.principal
    interest = reached.interest + capitalised - state.booked.interest
    if interest or capitalised:
        mark = InterestAccrual(through)
        posted, state = book_event(instrument, books, state, mark)
        drafts.extend(posted)
        appended.append(mark)
        states.append(state)
    if not appended:
        return None
    _append(repo, instrument, appended, states, newest.sequence)
    return AccrualLine(
        instrument_kind(instrument),
        instrument.id,
        instrument.terms.currency,
        interest,
        capitalised,
        charged,
    )


def _late_charges(
    instrument: Loan | Note, state: BookState, through: date
) -> tuple[LateCharge, ...]:
    if not isinstance(instrument, Loan) or instrument.late_charge is None:
        return ()
    assert instrument.level_payment is not None, "a late charge rule is loaded with its schedule"
    return late_charges_due(
        instrument.level_payment,
        instrument.late_charge,
        instrument.events,
        through,
        stands_at=state.accrual.as_of,
        rounding=instrument.terms.rounding,
    )


def _append(
    repo: Repository,
    instrument: Loan | Note,
    events: Sequence[Event],
    states: Sequence[BookState],
    after: int,
) -> None:
    if isinstance(instrument, Loan):
        repo.append_loan_events(instrument.id, events, after=len(instrument.events))
    else:
        repo.append_note_events(instrument.id, events)
    repo.add_snapshots(instrument, history.drafts_of(instrument, states), after=after)
