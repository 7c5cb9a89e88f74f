"""Quotes: what is owed, the collateral and the cash that balances them; saved quotes."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, cast

from acquittance.books.history import BookState
from acquittance.core import settlement
from acquittance.core.accrual import History
from acquittance.core.errors import NotFoundError
from acquittance.core.instruments import Loan, Note
from acquittance.core.settlement_types import Quote
from acquittance.service import history
from acquittance.service.store import Store
from acquittance.store.closing_path import ClosingRead, InstrumentRead
from acquittance.store.closings import StoredQuote
from acquittance.store.repository import Repository


@dataclass(frozen=True)
class QuoteRequest:
    """What a quote or settlement is asked for: the loan, the date and the options."""

    loan_id: str
    as_of: date
    note_ids: tuple[str, ...] | None = None
    values: Mapping[str, Decimal] | None = None
    partial: bool = False
    good_through: date | None = None


def find_instrument(repo: Repository, instrument_id: str) -> Loan | Note:
    try:
        return repo.get_loan(instrument_id)
    except NotFoundError:
        pass
    try:
        return repo.get_note(instrument_id)
    except NotFoundError:
        raise _unknown_instrument(instrument_id) from None


def find_header(repo: Repository, instrument_id: str) -> tuple[Loan | Note, int]:
    """A loan or note without its events (see `Repository.loan_header`), and its events count."""
    try:
        return repo.loan_header(instrument_id)
    except NotFoundError:
        pass
    try:
        return repo.note_header(instrument_id)
    except NotFoundError:
        raise _unknown_instrument(instrument_id) from None


def _unknown_instrument(instrument_id: str) -> NotFoundError:
    return NotFoundError(
        "UNKNOWN_INSTRUMENT",
        f"no loan or note has id {instrument_id!r}; `acquittance list` shows them",
    )


@dataclass(frozen=True)
class SettlementInputs:
    """What a quote or a closing reads: the loan, its notes, the interests, where histories stand.

    `loan_state` and `note_states` are the newest `BookState`s (snapshots) of
    the loan and of each note, for a closing. When the inputs were read for one
    date (`histories_on`, a quote's), `loan_history` and `note_histories` are
    the instruments' histories on it, and the instruments are headers (no
    events). Inputs with neither let the core walk the instruments' events.
    """

    loan: Loan
    notes: dict[str, Note]
    interests: list[Any]
    loan_state: BookState | None = None
    note_states: Mapping[str, BookState] = field(default_factory=dict)
    histories_on: date | None = None
    loan_history: History | None = None
    note_histories: Mapping[str, History] = field(default_factory=dict)
    # For a closing: the newest states with the numbers of the snapshots holding them.
    newest_states: Mapping[str, history.Newest] = field(default_factory=dict)


def _requested_and_pledged(
    repo: Repository, loan_id: str, requested: Sequence[str] | None
) -> tuple[list[Any], list[str], list[Any]]:
    """The loan's interests, the notes they pledge plus those asked for, and other interests."""
    interests = repo.interests_securing(loan_id)
    note_ids = sorted({note_id for interest in interests for note_id in interest.note_ids})
    # A note asked for by name but not pledged to this loan is loaded too, so that
    # the core refuses it as NOTE_NOT_PLEDGED instead of calling it unknown.
    note_ids += [note_id for note_id in requested or () if note_id not in note_ids]
    # Interests of other loans over the same notes matter to the pledge checks.
    own = {interest.id for interest in interests}
    other_ids = set(repo.active_pledges(note_ids).values()) - own
    others = [repo.get_security_interest(i) for i in sorted(other_ids)]
    return interests, note_ids, others


def settlement_inputs(
    repo: Repository,
    loan_id: str,
    requested: Sequence[str] | None = None,
    *,
    for_closing: bool = False,
) -> SettlementInputs:
    """The inputs of a closing: the instruments with their events, and their newest states.

    Writes nothing, unless `for_closing` (in the closing's write transaction):
    then a stale snapshot is rebuilt here, once, and the newest states are kept
    for the closing to append after.
    """
    loan = repo.loan_with_events(loan_id)
    interests, note_ids, others = _requested_and_pledged(repo, loan_id, requested)
    notes = repo.notes_with_events(note_ids)
    if for_closing:
        newest = {loan.id: history.newest(repo, loan, len(loan.events))}
        for note_id, note in notes.items():
            newest[note_id] = history.newest(repo, note, len(note.events))
        return SettlementInputs(
            loan,
            notes,
            [*interests, *others],
            loan_state=newest[loan.id].state,
            note_states={note_id: newest[note_id].state for note_id in notes},
            newest_states=newest,
        )
    return SettlementInputs(
        loan,
        notes,
        [*interests, *others],
        loan_state=history.latest_state(repo, loan, len(loan.events)),
        note_states={
            note_id: history.latest_state(repo, note, len(note.events))
            for note_id, note in notes.items()
        },
    )


def quote_inputs(
    repo: Repository, loan_id: str, as_of: date, requested: Sequence[str] | None = None
) -> SettlementInputs:
    """The inputs of a quote on one date, from headers and snapshots: no event is loaded.

    Only the snapshots on or before `as_of` (and the newest) are read, whatever
    the length of the histories; an instrument whose snapshots are stale is
    walked from its events instead.
    """
    loan, loan_events_count = repo.loan_header(loan_id)
    interests, note_ids, others = _requested_and_pledged(repo, loan_id, requested)
    headers = repo.note_headers(note_ids)
    instruments: dict[str, tuple[Loan | Note, int]] = {f"note:{i}": h for i, h in headers.items()}
    instruments["loan"] = (loan, loan_events_count)
    found = history.histories_on(repo, instruments, as_of)
    return SettlementInputs(
        loan,
        {note_id: note for note_id, (note, _) in headers.items()},
        [*interests, *others],
        histories_on=as_of,
        loan_history=found["loan"],
        note_histories={note_id: found[f"note:{note_id}"] for note_id in headers},
    )


def inputs_from_read(
    repo: Repository, read: ClosingRead, on: date, requested: Sequence[str] | None = None
) -> SettlementInputs | None:
    """The inputs on `on` from what a closing reads, when every newest snapshot serves.

    A snapshot serves when it has walked all its instrument's events (and, for
    a note, is its current holder's), and stands on or before `on`; None
    otherwise, or when a note asked for is not among those pledged, for the
    general path to read and to name.
    """
    instruments = [read.loan, *read.notes.values()]
    if not all(_serves(found, on) for found in instruments) or not set(requested or ()) <= set(
        read.notes
    ):
        return None
    others = [repo.get_security_interest(i) for i in sorted(read.other_interest_ids)]
    newest = {
        found.instrument.id: history.Newest(history.book_state(found.newest), found.newest.sequence)
        for found in instruments
        if found.newest is not None
    }
    states = {instrument_id: held.state for instrument_id, held in newest.items()}
    loan = read.loan.instrument
    assert isinstance(loan, Loan)
    notes = {note_id: found.instrument for note_id, found in read.notes.items()}
    return SettlementInputs(
        loan,
        cast(dict[str, Note], notes),
        [*read.interests, *others],
        loan_state=states[loan.id],
        note_states={note_id: states[note_id] for note_id in notes},
        histories_on=on,
        loan_history=history.history_from(states[loan.id], loan, on),
        note_histories={
            note_id: history.history_from(states[note_id], note, on)
            for note_id, note in notes.items()
        },
        newest_states=newest,
    )


def _serves(found: InstrumentRead, on: date) -> bool:
    newest = found.newest
    if not history.fresh(newest, found.instrument, found.events_count):
        return False
    assert newest is not None
    return newest.state.as_of <= on


def _histories(inputs: SettlementInputs, on: date) -> tuple[History | None, dict[str, History]]:
    """The histories on `on`: as read for that date, or from the newest states."""
    if inputs.histories_on == on:
        return inputs.loan_history, dict(inputs.note_histories)
    loan_history = None
    if inputs.loan_state is not None:
        loan_history = history.history_from(inputs.loan_state, inputs.loan, on)
    note_histories = {
        note_id: history.history_from(state, inputs.notes[note_id], on)
        for note_id, state in inputs.note_states.items()
    }
    return loan_history, note_histories


def quote_from(inputs: SettlementInputs, request: QuoteRequest) -> Quote:
    loan_history, note_histories = _histories(inputs, request.as_of)
    return settlement.quote(
        inputs.loan,
        inputs.notes,
        inputs.interests,
        request.as_of,
        **_options(request),
        good_through=request.good_through,
        loan_history=loan_history,
        note_histories=note_histories,
    )


def _options(request: QuoteRequest) -> dict[str, Any]:
    return {"note_ids": request.note_ids, "values": request.values, "partial": request.partial}


def quote(store: Store, request: QuoteRequest) -> Quote:
    """What is owed, the collateral and the cash that balances them; changes nothing."""
    with store.read() as session:
        inputs = _inputs_on(Repository(session), request)
    return quote_from(inputs, request)


def _inputs_on(repo: Repository, request: QuoteRequest) -> SettlementInputs:
    """The newest snapshots in the closing's two reads when they serve, else `quote_inputs`."""
    read = repo.read_closing(request.loan_id, None, lock=False)
    found = inputs_from_read(repo, read, request.as_of, request.note_ids)
    if found is not None:
        return found
    return quote_inputs(repo, request.loan_id, request.as_of, request.note_ids)


def save_quote(store: Store, request: QuoteRequest) -> StoredQuote:
    """Quote once and keep it, with the fingerprint of its inputs, so a closing can check it."""
    with store.write() as session:
        return save_quote_in(Repository(session), request)


def save_quote_in(repo: Repository, request: QuoteRequest) -> StoredQuote:
    """`save_quote` within a write transaction the caller holds."""
    current = quote_from(_inputs_on(repo, request), request)
    quote_id = f"q-{uuid.uuid4().hex[:12]}"
    values = dict(request.values or {})
    repo.add_saved_quote(
        quote_id=quote_id,
        quote=current,
        notes_named=request.note_ids is not None,
        values=values,
        partial=request.partial,
        good_through=request.good_through,
    )
    return StoredQuote(
        id=quote_id,
        quote=current,
        note_ids=request.note_ids,
        values=values,
        partial=request.partial,
        good_through=request.good_through,
    )


def saved_quote(store: Store, quote_id: str) -> StoredQuote:
    with store.read() as session:
        return Repository(session).get_quote(quote_id)


def saved_quotes(store: Store, *, loan_id: str | None = None) -> list[StoredQuote]:
    with store.read() as session:
        return Repository(session).list_quotes(loan_id=loan_id)


def request_from_saved(store: Store, quote_id: str) -> tuple[QuoteRequest, str]:
    """The request a saved quote was made for, and the fingerprint it had then."""
    saved = saved_quote(store, quote_id)
    request = QuoteRequest(
        loan_id=saved.loan_id,
        as_of=saved.as_of,
        note_ids=saved.note_ids,
        values=dict(saved.values) or None,
        partial=saved.partial,
        good_through=saved.good_through,
    )
    return request, saved.fingerprint
