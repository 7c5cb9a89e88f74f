"""Closing a settlement atomically: notes, loan, pledges, obligations and both books."""

from __future__ import annotations

import uuid
from typing import Any

from acquittance.books import posting
from acquittance.books.entries import EntryDraft, JournalEntry
from acquittance.books.history import Books, accrual_drafts
from acquittance.core import settlement
from acquittance.core.errors import StateError
from acquittance.core.settlement_types import Quote
from acquittance.present.documents import settlement_document
from acquittance.service import history
from acquittance.service.journal_append import append_drafts
from acquittance.service.quote import QuoteRequest, SettlementInputs, quote_from, settlement_inputs
from acquittance.service.store import Store
from acquittance.store.records import StoredSettlement
from acquittance.store.repository import Repository


def settle(
    store: Store,
    request: QuoteRequest,
    *,
    key: str | None,
    quoted_fingerprint: str | None = None,
) -> dict[str, Any]:
    """Close a settlement atomically: notes, loan, pledges, obligations and both books.

    With a key already used, returns the first result and changes nothing. With
    `quoted_fingerprint` (a saved quote's), refuses when the inputs changed since.
    """
    with store.write() as session:
        repo = Repository(session)
        if key is not None:
            earlier = repo.find_settlement_by_key(key)
            if earlier is not None:
                return _replay(earlier, request)
        inputs = settlement_inputs(repo, request.loan_id, request.note_ids)
        the_quote = quote_from(inputs, request)
        settlement_id = f"stl-{uuid.uuid4().hex[:16]}"
        closing = settlement.close(
            the_quote,
            settlement_id=settlement_id,
            # The fresh quote's fingerprint is that of the data as it is now.
            current_fingerprint=quoted_fingerprint or the_quote.fingerprint,
            loan=inputs.loan,
            interests=inputs.interests,
        )
        entries = _post_settlement(repo, inputs, the_quote, settlement_id)
        history.record_closing(
            repo, closing, loan=inputs.loan, notes=inputs.notes, settlement_id=settlement_id
        )
        if closing.released_interest_ids:
            repo.release_security_interests(closing.released_interest_ids, the_quote.as_of)
        for interest_id, note_id in closing.released_pledges:
            repo.release_pledged_notes(interest_id, (note_id,), the_quote.as_of)
        document = settlement_document(
            settlement_id,
            key=key or settlement_id,
            quote=the_quote,
            explanation=settlement.explain(the_quote),
            entries=entries,
            obligations=closing.obligations,
            released_interest_ids=closing.released_interest_ids,
            note_holders={t.note_id: t.to_party_id for t in closing.note_transfers},
        )
        repo.add_settlement(
            settlement_id=settlement_id,
            idempotency_key=key,
            loan_id=inputs.loan.id,
            as_of=the_quote.as_of,
            satisfaction=the_quote.satisfaction.value,
            fingerprint=the_quote.fingerprint,
            document=document,
        )
        repo.add_obligations(closing.obligations)
    return document


def _replay(earlier: StoredSettlement, request: QuoteRequest) -> dict[str, Any]:
    if (earlier.loan_id, earlier.as_of) != (request.loan_id, request.as_of):
        raise StateError(
            "IDEMPOTENCY_KEY_REUSED",
            f"key {earlier.idempotency_key!r} already closed settlement {earlier.id} of loan "
            f"{earlier.loan_id} as of {earlier.as_of.isoformat()}; "
            "use a new key for another settlement",
        )
    return earlier.document


def _post_settlement(
    repo: Repository, inputs: SettlementInputs, the_quote: Quote, settlement_id: str
) -> list[JournalEntry]:
    """Interest accrued up to the settlement date on the loan and each note, then the settlement.

    What the books carry comes from each instrument's newest snapshot, not a
    replay of its history. A note with an event after the settlement date is
    refused first (BACKDATED_CLOSING), before anything is posted.
    """
    settlement.check_no_later_events(the_quote, inputs.notes)
    loan = inputs.loan
    lender, borrower = repo.get_party(loan.lender_id), repo.get_party(loan.borrower_id)
    loan_books = Books(lender=lender, borrower=borrower)
    assert inputs.loan_state is not None, "settlement inputs carry the loan's newest state"
    drafts: list[EntryDraft] = list(
        accrual_drafts(loan, loan_books, inputs.loan_state.booked, the_quote.loan_position)[0]
    )
    positions = {p.instrument_id: p for p in the_quote.note_positions}
    for line in the_quote.collateral:
        note = inputs.notes[line.note_id]
        booked = inputs.note_states[line.note_id].booked
        drafts.extend(
            accrual_drafts(note, Books(holder=borrower), booked, positions[line.note_id])[0]
        )
    drafts.extend(posting.settlement(the_quote, lender, borrower, settlement_id=settlement_id))
    return append_drafts(repo, drafts)


def settlement_record(store: Store, settlement_id: str) -> StoredSettlement:
    with store.read() as session:
        return Repository(session).get_settlement(settlement_id)
