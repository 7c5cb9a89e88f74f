"""Drafting the settlement agreement: from a deal file, a closed settlement, a saved quote
or a loan in the store quoted on a date."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from acquittance.core import settlement
from acquittance.core.errors import InputError, NotFoundError
from acquittance.core.instruments import Loan, Note, Party
from acquittance.core.settlement_types import Quote
from acquittance.service.quote import QuoteRequest, quote_from, settlement_inputs
from acquittance.service.store import Store
from acquittance.store.repository import Repository


@dataclass(frozen=True)
class DraftFacts:
    """Everything an agreement is drafted from: the quote, its parties, loan and notes."""

    quote: Quote
    parties: Mapping[str, Party]
    loan: Loan
    notes: Mapping[str, Note]
    title: str | None


@dataclass(frozen=True)
class DraftRequest:
    """What to draft and how: the format, where to write it and the options counsel chose."""

    fmt: str
    output: Path
    title: str | None = None
    governing_law: str | None = None
    amounts_in_words: bool = False
    templates: Path | None = None


def facts_from_deal_file(path: Path, as_of: date | None, loan_id: str | None) -> DraftFacts:
    """Quote a deal file's loan in memory (no store) on the date given."""
    from acquittance.deals.parse import read_deal_file

    if as_of is None:
        raise InputError("MISSING_OPTION", "drafting from a deal file needs --as-of DATE")
    deal = read_deal_file(path)
    loan = _pick_loan(deal.loans, loan_id, str(path))
    notes = {note.id: note for note in deal.notes}
    quote = settlement.quote(loan, notes, deal.security_interests, as_of)
    parties = {party.id: party for party in deal.parties}
    return DraftFacts(quote, parties, loan, notes, deal.title)


def _pick_loan(loans: Sequence[Loan], loan_id: str | None, source: str) -> Loan:
    if loan_id is not None:
        for loan in loans:
            if loan.id == loan_id:
                return loan
        raise InputError("UNKNOWN_LOAN", f"{source} has no loan {loan_id!r}")
    if len(loans) != 1:
        names = ", ".join(loan.id for loan in loans) or "none"
        raise InputError("AMBIGUOUS_LOAN", f"{source} has loans {names}; name one with --loan")
    return loans[0]


def facts_from_store(store: Store, source: str, as_of: date | None) -> DraftFacts:
    """A closed settlement or saved quote by id, or a loan quoted on `as_of`; one read."""
    with store.read() as session:
        repo = Repository(session)
        quote = _stored_quote(repo, source)
        if quote is None:
            if as_of is None:
                raise InputError(
                    "UNKNOWN_SOURCE",
                    f"{source!r} is not a deal file, a settlement or a saved quote; for a loan "
                    "in the store give --as-of DATE",
                )
            request = QuoteRequest(loan_id=source, as_of=as_of)
            quote = quote_from(settlement_inputs(repo, source), request)
        loan = repo.get_loan(quote.loan_id)
        parties = {p: repo.get_party(p) for p in (quote.lender_id, quote.borrower_id)}
        notes = {line.note_id: repo.get_note(line.note_id) for line in quote.collateral}
    return DraftFacts(quote, parties, loan, notes, None)


def _stored_quote(repo: Repository, source: str) -> Quote | None:
    try:
        return repo.get_settlement(source).quote
    except NotFoundError:
        pass
    try:
        return repo.get_quote(source).quote
    except NotFoundError:
        return None


def draft_agreement(facts: DraftFacts, request: DraftRequest) -> Path:
    """Write the agreement drafted from `facts`; returns the file written."""
    from acquittance.agreements.drafting import build_context, write_draft
    from acquittance.agreements.drafting.context import DEFAULT_TITLE

    law = request.governing_law or facts.loan.governing_law
    if not law:
        raise InputError(
            "MISSING_GOVERNING_LAW",
            "the loan names no governing law; add governing_law to the deal file's [deal] table "
            "or pass --governing-law",
        )
    context = build_context(
        facts.quote,
        parties=dict(facts.parties),
        loan=facts.loan,
        notes=dict(facts.notes),
        governing_law=law,
        title=request.title or facts.title or DEFAULT_TITLE,
        amounts_in_words=request.amounts_in_words,
    )
    return write_draft(context, request.fmt, request.output, templates_dir=request.templates)
