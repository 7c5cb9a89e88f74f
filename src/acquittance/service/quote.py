"""Quotes: what is owed, the collateral and the cash that balances them; saved quotes."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from acquittance.core import settlement
from acquittance.core.errors import NotFoundError
from acquittance.core.instruments import Loan, Note
from acquittance.core.settlement_types import Quote
from acquittance.service.store import Store
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
        raise NotFoundError(
            "UNKNOWN_INSTRUMENT",
            f"no loan or note has id {instrument_id!r}; `acquittance list` shows them",
        ) from None


@dataclass(frozen=True)
class SettlementInputs:
    loan: Loan
    notes: dict[str, Note]
    interests: list[Any]


def settlement_inputs(
    repo: Repository, loan_id: str, requested: Sequence[str] | None = None
) -> SettlementInputs:
    loan = repo.get_loan(loan_id)
    interests = repo.list_security_interests(loan_id=loan_id)
    note_ids = {note_id for interest in interests for note_id in interest.note_ids}
    notes = {note_id: repo.get_note(note_id) for note_id in sorted(note_ids)}
    # A note asked for by name but not pledged to this loan is loaded too, so that
    # the core refuses it as NOTE_NOT_PLEDGED instead of calling it unknown.
    for note_id in requested or ():
        if note_id not in notes:
            try:
                notes[note_id] = repo.get_note(note_id)
            except NotFoundError:
                continue
            note_ids.add(note_id)
    # Interests of other loans over the same notes matter to the pledge checks.
    own = {interest.id for interest in interests}
    other_ids = {repo.active_pledge(note_id) for note_id in sorted(note_ids)} - own - {None}
    others = [repo.get_security_interest(i) for i in sorted(i for i in other_ids if i)]
    return SettlementInputs(loan, notes, [*interests, *others])


def quote_from(inputs: SettlementInputs, request: QuoteRequest) -> Quote:
    return settlement.quote(
        inputs.loan,
        inputs.notes,
        inputs.interests,
        request.as_of,
        **_options(request),
        good_through=request.good_through,
    )


def _options(request: QuoteRequest) -> dict[str, Any]:
    return {"note_ids": request.note_ids, "values": request.values, "partial": request.partial}


def quote(store: Store, request: QuoteRequest) -> Quote:
    """What is owed, the collateral and the cash that balances them; changes nothing."""
    with store.read() as session:
        return quote_from(
            settlement_inputs(Repository(session), request.loan_id, request.note_ids), request
        )


def save_quote(store: Store, request: QuoteRequest) -> StoredQuote:
    """Quote once and keep it, with the fingerprint of its inputs, so a closing can check it."""
    with store.write() as session:
        repo = Repository(session)
        current = quote_from(settlement_inputs(repo, request.loan_id, request.note_ids), request)
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
