"""Drafting the settlement agreement: from a deal file, a closed settlement, a saved quote
or a loan in the store quoted on a date.

Whatever the source, the facts come from one builder (`facts_from_records`):
the loan, its notes and pledges, and the parties are read (from the file or
from the store), quoted by the same function as `acquittance quote`, and cut
down to what the agreement states. So a deal file and a store holding the
same records give the same agreement, byte for byte.

A deal file is drafted from the file alone: events recorded in the store
since it was loaded are not in that draft. `notices` says so when the store
holds the deal's loan with a different history; draft from the store (the
loan's id) to include them. The store does not keep a deal's title: a draft
from the store takes `--title`, or the drafter's default.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from acquittance.core.collateral import SecurityInterest
from acquittance.core.errors import AcquittanceError, InputError, NotFoundError
from acquittance.core.instruments import Loan, Note, Party
from acquittance.core.settlement_types import Quote
from acquittance.service.quote import QuoteRequest, SettlementInputs, quote_from, settlement_inputs
from acquittance.service.store import Store
from acquittance.store.repository import Repository


@dataclass(frozen=True)
class DraftRecords:
    """What an agreement is drafted from, wherever it was read."""

    loan: Loan
    notes: Mapping[str, Note]
    interests: Sequence[SecurityInterest]
    parties: Mapping[str, Party]
    title: str | None  # the deal's title; the store does not keep one


@dataclass(frozen=True)
class DraftFacts:
    """Everything an agreement is drafted from: the quote, its parties, loan and notes."""

    quote: Quote
    parties: Mapping[str, Party]
    loan: Loan
    notes: Mapping[str, Note]
    title: str | None
    source: str = "store"  # "deal_file" or "store": where the records were read
    notices: tuple[str, ...] = ()


@dataclass(frozen=True)
class DraftRequest:
    """What to draft and how: the format, where to write it and the options counsel chose."""

    fmt: str | None
    output: Path
    title: str | None = None
    governing_law: str | None = None
    amounts_in_words: bool = False
    templates: Path | None = None
    force: bool = False
    inputs: tuple[Path, ...] = ()  # files the draft must not be written over (the deal file)


@dataclass(frozen=True)
class DraftWritten:
    """An agreement written: where, in which format, and the title it carries."""

    path: Path
    fmt: str
    title: str
    size_bytes: int


def facts_from_records(
    records: DraftRecords, *, quote: Quote | None = None, as_of: date | None = None
) -> DraftFacts:
    """The one builder: the quote given (a settlement's, a saved one) or a quote on `as_of`,
    with only the parties and notes the agreement names."""
    if quote is None:
        if as_of is None:
            raise InputError("MISSING_OPTION", "drafting from a loan needs --as-of DATE")
        inputs = SettlementInputs(records.loan, dict(records.notes), list(records.interests))
        quote = quote_from(inputs, QuoteRequest(loan_id=records.loan.id, as_of=as_of))
    notes = {
        line.note_id: records.notes[line.note_id]
        for line in quote.collateral
        if line.note_id in records.notes
    }
    named = {quote.lender_id, quote.borrower_id} | {note.holder_id for note in notes.values()}
    parties = {p: records.parties[p] for p in sorted(named) if p in records.parties}
    return DraftFacts(quote, parties, records.loan, notes, records.title)


def facts_from_deal_file(path: Path, as_of: date | None, loan_id: str | None) -> DraftFacts:
    """Quote a deal file's loan in memory (no store) on the date given."""
    from acquittance.deals.parse import read_deal_file

    if as_of is None:
        raise InputError("MISSING_OPTION", "drafting from a deal file needs --as-of DATE")
    deal = read_deal_file(path)
    records = DraftRecords(
        loan=_pick_loan(deal.loans, loan_id, str(path)),
        notes={note.id: note for note in deal.notes},
        interests=deal.security_interests,
        parties={party.id: party for party in deal.parties},
        title=deal.title,
    )
    facts = facts_from_records(records, as_of=as_of)
    return DraftFacts(
        facts.quote, facts.parties, facts.loan, facts.notes, facts.title, source="deal_file"
    )


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
        if quote is None and as_of is None:
            raise InputError(
                "UNKNOWN_SOURCE",
                f"{source!r} is not a deal file, a settlement or a saved quote; for a loan "
                "in the store give --as-of DATE",
            )
        records = _store_records(repo, quote.loan_id if quote is not None else source, quote)
    return facts_from_records(records, quote=quote, as_of=as_of)


def _store_records(repo: Repository, loan_id: str, quote: Quote | None) -> DraftRecords:
    inputs = settlement_inputs(repo, loan_id)
    notes = dict(inputs.notes)
    # A closed settlement's notes have left the pledge (and the borrower): read them by id.
    for line in quote.collateral if quote is not None else ():
        if line.note_id not in notes:
            notes[line.note_id] = repo.get_note(line.note_id)
    held = {note.holder_id for note in notes.values()}
    party_ids = {inputs.loan.lender_id, inputs.loan.borrower_id} | held
    parties = {party_id: repo.get_party(party_id) for party_id in sorted(party_ids)}
    return DraftRecords(inputs.loan, notes, inputs.interests, parties, None)


def _stored_quote(repo: Repository, source: str) -> Quote | None:
    try:
        return repo.get_settlement(source).quote
    except NotFoundError:
        pass
    try:
        return repo.get_quote(source).quote
    except NotFoundError:
        return None


def store_history_notice(store: Store, facts: DraftFacts) -> DraftFacts:
    """The deal file's facts, with a notice when the store holds its loan with other events.

    Only a look: a store that is missing or cannot be opened adds no notice and
    is not created.
    """
    try:
        with store.read() as session:
            stored = Repository(session).get_loan(facts.loan.id)
    except AcquittanceError:
        return facts
    if stored.events == facts.loan.events:
        return facts
    notice = (
        f"the store holds loan {facts.loan.id} with {len(stored.events)} events and the deal "
        f"file with {len(facts.loan.events)}; this draft is from the file alone. Draft "
        f"`{facts.loan.id}` with --as-of to include what the store recorded"
    )
    return DraftFacts(
        facts.quote,
        facts.parties,
        facts.loan,
        facts.notes,
        facts.title,
        source=facts.source,
        notices=(*facts.notices, notice),
    )


def draft_agreement(facts: DraftFacts, request: DraftRequest) -> DraftWritten:
    """Write the agreement drafted from `facts`; returns what was written."""
    from acquittance.agreements.drafting import FORMATS, build_context, render
    from acquittance.agreements.drafting.context import DEFAULT_TITLE
    from acquittance.agreements.drafting.output import prepare_output, write_output

    inputs = [*request.inputs, *([request.templates] if request.templates else [])]
    fmt = prepare_output(
        request.output, request.fmt, allowed=FORMATS, force=request.force, inputs=inputs
    )
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
    content = render(context, fmt, templates_dir=request.templates)
    path = write_output(request.output, content, force=request.force)
    return DraftWritten(path=path, fmt=fmt, title=context.title, size_bytes=len(content))
