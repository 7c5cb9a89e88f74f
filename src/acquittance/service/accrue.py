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

The positions on D come from the portfolio engine for the whole book at once
(`portfolio.engine.positions`: the kernel, and the core for what it declines,
counted in `AccrualRun.core_count`), the store read in chunks
(`store.book_export`); what the books carry comes from the snapshots. An
instrument the engine refuses is walked by the core from its snapshot, which
says why.

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
from acquittance.books.history import Booked, BookState, book_event
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
    append_events_batched,
    find_accrual_run_by_key,
    instrument_headers,
    last_accrual_run,
    lock_all_instruments,
)
from acquittance.store.book_export import instrument_chunks
from acquittance.store.repository import Repository
from acquittance.store.snapshots import instrument_kind

#: Called after each instrument with (instruments done, instruments in the run).
Progress = Callable[[int, int], None]
#: An instrument, its events count before the run, the events the run adds, the states after.
_Appended = tuple[Loan | Note, int, list[Event], list[BookState]]


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
    core_count: int = 0  # positions the engine left to the core (the kernel declined them)

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
    # Locks first, so that what follows (a run under the same key, the last run, where each
    # history stands) is read after any run or closing that held them has committed.
    lock_all_instruments(session)
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
    instruments = _instruments(repo)
    newest = _newest_states(repo, instruments, through)
    reached, core_count = _positions_on(repo, through)
    drafts: list[EntryDraft] = []
    lines: list[AccrualLine] = []
    appended: list[_Appended] = []
    for done, (instrument, events_count) in enumerate(instruments, start=1):
        place = (instrument_kind(instrument), instrument.id)
        found = _accrue_one(repo, instrument, newest[place], reached.get(place), through, drafts)
        if found is not None:
            line, events, states = found
            lines.append(line)
            appended.append((instrument, events_count, events, states))
        if progress is not None:
            progress(done, len(instruments))
    # Every instrument's new events in one statement per table, every snapshot in one.
    append_events_batched(repo.session, [(i, count, events) for i, count, events, _ in appended])
    repo.add_snapshots_after(
        [
            (i, history.drafts_of(i, states), newest[(instrument_kind(i), i.id)].sequence)
            for i, _, _, states in appended
        ]
    )
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
    return AccrualRun(
        run.id, key, through, len(entries), run.lines, len(instruments), core_count=core_count
    )


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


def _instruments(repo: Repository) -> list[tuple[Loan | Note, int]]:
    """Every loan, then every note, with a history: headers and events counts (locked)."""
    return [(i, count) for i, count in instrument_headers(repo.session) if count > 0]


def _newest_states(
    repo: Repository, instruments: Sequence[tuple[Loan | Note, int]], through: date
) -> dict[tuple[str, str], history.Newest]:
    """Each instrument's newest state by (kind, id), from its snapshots in batches.

    A snapshot that is missing or behind the events is rebuilt from them, once.
    """
    found = repo.snapshots_on([i for i, _ in instruments], through)
    newest: dict[tuple[str, str], history.Newest] = {}
    for instrument, events_count in instruments:
        place = (instrument_kind(instrument), instrument.id)
        _, latest = found[place]
        fresh = latest is not None and latest.state.events_count == events_count
        if fresh and isinstance(instrument, Note):
            fresh = latest is not None and latest.booked_by == instrument.holder_id
        if fresh:
            assert latest is not None
            booked = Booked(latest.booked_principal, latest.booked_interest)
            newest[place] = history.Newest(BookState(latest.state, booked), latest.sequence)
        else:
            newest[place] = history.newest(repo, instrument, events_count)
    return newest


def _positions_on(
    repo: Repository, through: date
) -> tuple[dict[tuple[str, str], tuple[Decimal, Decimal]], int]:
    """Principal and interest of every instrument on `through` by (kind, id), from the
    engine, and how many of them the core computed. Refused instruments are left out."""
    from acquittance.portfolio.columns import book_of
    from acquittance.portfolio.engine import positions

    reached: dict[tuple[str, str], tuple[Decimal, Decimal]] = {}
    core_count = 0
    for chunk in instrument_chunks(repo.session):
        found = positions(book_of(chunk), through, instrument_of=chunk.__getitem__)
        core_count += len(found.core_rows)
        for row, instrument in enumerate(chunk):
            if row not in found.errors:
                place = (instrument_kind(instrument), instrument.id)
                reached[place] = (found.principal(row), found.interest(row))
    return reached, core_count


def _accrue_one(
    repo: Repository,
    instrument: Loan | Note,
    newest: history.Newest,
    position: tuple[Decimal, Decimal] | None,
    through: date,
    drafts: list[EntryDraft],
) -> tuple[AccrualLine, list[Event], list[BookState]] | None:
    """Late charges and the accrual mark of one instrument: its line, events and states.

    `position` is the engine's (principal, interest) on `through`: late charges
    change neither, so it holds after them too. None when nothing posts. The
    drafts it calls for are added to `drafts`.
    """
    state = newest.state
    if state.accrual.discharged or state.accrual.as_of > through:
        return None
    books = history.books_of(repo, instrument)
    appended: list[Event] = []
    states: list[BookState] = []
    charged = ZERO
    for charge in _late_charges(repo, instrument, state, through):
        posted, state = book_event(instrument, books, state, charge)
        drafts.extend(posted)
        appended.append(charge)
        states.append(state)
        charged += charge.amount
    if position is None:  # the engine refused it: the core says why
        reached = accrual.position_of(accrual.advance(state.accrual, through))
        position = (reached.principal, reached.interest)
    principal, accrued = position
    capitalised = principal - state.booked.principal
    interest = accrued + capitalised - state.booked.interest
    if interest or capitalised:
        mark = InterestAccrual(through)
        posted, state = book_event(instrument, books, state, mark)
        drafts.extend(posted)
        appended.append(mark)
        states.append(state)
    if not appended:
        return None
    line = AccrualLine(
        instrument_kind(instrument),
        instrument.id,
        instrument.terms.currency,
        interest,
        capitalised,
        charged,
    )
    return line, appended, states


def _late_charges(
    repo: Repository, instrument: Loan | Note, state: BookState, through: date
) -> tuple[LateCharge, ...]:
    if not isinstance(instrument, Loan) or instrument.late_charge is None:
        return ()
    assert instrument.level_payment is not None, "a late charge rule is loaded with its schedule"
    # Only a loan with a rule reads its events: which payments came, which charges were made.
    events = repo.loan_with_events(instrument.id).events
    return late_charges_due(
        instrument.level_payment,
        instrument.late_charge,
        events,
        through,
        stands_at=state.accrual.as_of,
        rounding=instrument.terms.rounding,
    )
