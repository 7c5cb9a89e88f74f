"""The documents a servicer sends, drafted from the store: payoff letter, statement,
schedule, UCC-3.

Each use case checks where the document goes first (an input, a format that
disagrees with the file's extension, an existing file without `force`: see
`agreements/drafting/output.py`), reads what it needs in one read
transaction, builds the document's context with the pure drafting code,
renders it through the clause library's templates and writes the file all or
nothing. None of them writes to the store: a refusal changes nothing, and so
does a success, apart from the file it writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Final

from sqlalchemy.engine import make_url

from acquittance.core.collateral import SecurityInterest
from acquittance.core.errors import NotFoundError
from acquittance.core.instruments import Loan, Note, Party
from acquittance.core.schedule import ScheduleRow
from acquittance.core.settlement_types import Obligation, Quote
from acquittance.service.quote import QuoteRequest, find_instrument, quote_from, settlement_inputs
from acquittance.service.register import note_schedule
from acquittance.service.store import Store
from acquittance.store.repository import Repository

if TYPE_CHECKING:
    from acquittance.agreements.drafting.payoff import PayoffContext
    from acquittance.agreements.drafting.statement import StatementContext
    from acquittance.agreements.drafting.ucc3 import Ucc3Context

#: The formats of the documents drafted from templates, and of the schedule.
DOCUMENT_FORMATS: Final = ("md", "html", "docx", "pdf")
SCHEDULE_FORMATS: Final = ("csv", "xlsx")
#: Files SQLite keeps beside its database; none of them is ever a document's output.
_SQLITE_SIDE_FILES: Final = ("", "-wal", "-shm", "-journal")


@dataclass(frozen=True)
class Output:
    """Where a document goes and how: the file, the format (None: from the extension),
    whether an existing file may be replaced, and counsel's templates folder, if any."""

    path: Path
    fmt: str | None = None
    force: bool = False
    templates: Path | None = None


@dataclass(frozen=True)
class Written:
    """A document written: what it is, where, in which format, and how many bytes."""

    kind: str  # "payoff_letter", "statement", "schedule", "ucc3"
    path: Path
    fmt: str
    size_bytes: int


@dataclass(frozen=True)
class PayoffLetter:
    written: Written
    quote: Quote
    context: PayoffContext


@dataclass(frozen=True)
class Statement:
    written: Written
    context: StatementContext


@dataclass(frozen=True)
class ScheduleFile:
    written: Written
    note: Note
    rows: tuple[ScheduleRow, ...]


@dataclass(frozen=True)
class Ucc3Filing:
    written: Written
    context: Ucc3Context


def store_files(store: Store) -> tuple[Path, ...]:
    """The files a SQLite store is kept in (none for a server store): a document's inputs."""
    url = make_url(store.url)
    if not url.drivername.startswith("sqlite") or not url.database:
        return ()
    if url.database == ":memory:" or url.database.startswith("file:"):
        return ()
    database = Path(url.database)
    return tuple(database.with_name(database.name + side) for side in _SQLITE_SIDE_FILES)


def prepare(
    store: Store | None,
    output: Output,
    *,
    allowed: Sequence[str],
    inputs: Sequence[Path] = (),
) -> str:
    """Check the output before anything is read or rendered; the format to write."""
    from acquittance.agreements.drafting.output import prepare_output

    sources = [*inputs, *(store_files(store) if store is not None else ())]
    if output.templates is not None:
        sources.append(output.templates)
    return prepare_output(
        output.path, output.fmt, allowed=allowed, force=output.force, inputs=sources
    )


def _write(output: Output, fmt: str, content: bytes, *, kind: str) -> Written:
    from acquittance.agreements.drafting.output import write_output

    path = write_output(output.path, content, force=output.force)
    return Written(kind=kind, path=path, fmt=fmt, size_bytes=len(content))


def payoff_letter(
    store: Store, loan_id: str, as_of: date, output: Output, *, good_through: date | None = None
) -> PayoffLetter:
    """The payoff letter of a loan as of a date: the quote's figures, per diem, good-through."""
    from acquittance.agreements.drafting.payoff import build_payoff_context, payoff_document
    from acquittance.agreements.drafting.render import render_servicing

    fmt = prepare(store, output, allowed=DOCUMENT_FORMATS)
    with store.read() as session:
        repo = Repository(session)
        inputs = settlement_inputs(repo, loan_id)
        quote = quote_from(inputs, QuoteRequest(loan_id, as_of, good_through=good_through))
        later = _interest_on(find_instrument(repo, loan_id), as_of, quote.good_through)
        parties = _parties(repo, (quote.lender_id, quote.borrower_id))
    context = build_payoff_context(
        quote,
        parties=parties,
        loan=inputs.loan,
        interests=inputs.interests,
        notes=inputs.notes,
        interest_at_good_through=later,
    )
    document = payoff_document(context, templates_dir=output.templates)
    content = render_servicing(document, fmt, templates_dir=output.templates)
    return PayoffLetter(_write(output, fmt, content, kind="payoff_letter"), quote, context)


def _interest_on(loan: Loan | Note, as_of: date, good_through: date) -> Decimal:
    """The interest owed on `good_through` if nothing happens after `as_of`: what a payoff
    on that date takes, accrued exactly and rounded once."""
    from acquittance.core import accrual

    walked = accrual.accrue(accrual.start(loan), loan.events, as_of)
    return accrual.position_of(accrual.advance(walked, good_through)).interest


def periodic_statement(
    store: Store, instrument_id: str, start: date, end: date, output: Output
) -> Statement:
    """The statement of a loan or note from the start of `start` to the end of `end`."""
    from acquittance.agreements.drafting.render import render_servicing
    from acquittance.agreements.drafting.statement import (
        build_statement_context,
        statement_document,
    )

    fmt = prepare(store, output, allowed=DOCUMENT_FORMATS)
    with store.read() as session:
        repo = Repository(session)
        instrument = find_instrument(repo, instrument_id)
        parties = _parties(repo, _parties_of(instrument))
    context = build_statement_context(instrument, parties=parties, start=start, end=end)
    document = statement_document(context, templates_dir=output.templates)
    content = render_servicing(document, fmt, templates_dir=output.templates)
    return Statement(_write(output, fmt, content, kind="statement"), context)


def _parties_of(instrument: Loan | Note) -> tuple[str, ...]:
    if isinstance(instrument, Loan):
        return (instrument.lender_id, instrument.borrower_id)
    return (instrument.holder_id,)


def _parties(repo: Repository, party_ids: Sequence[str]) -> dict[str, Party]:
    return {party_id: repo.get_party(party_id) for party_id in dict.fromkeys(party_ids)}


def schedule_file(store: Store, instrument_id: str, output: Output) -> ScheduleFile:
    """A note's amortization schedule as CSV or XLSX."""
    from acquittance.agreements.drafting.spreadsheet import render_schedule, schedule_sheet
    from acquittance.core.errors import StateError

    fmt = prepare(store, output, allowed=SCHEDULE_FORMATS)
    with store.read() as session:
        repo = Repository(session)
        instrument = find_instrument(repo, instrument_id)
        if isinstance(instrument, Loan):
            raise StateError(
                "NO_SCHEDULE",
                f"{instrument_id} is a loan, and loans here carry no level payment; a schedule "
                "is generated for a note with level_payment",
            )
        holder = repo.get_party(instrument.holder_id)
    note, rows = note_schedule(store, instrument_id)
    sheet = schedule_sheet(
        note_id=note.id,
        maker=note.maker,
        holder=holder.name,
        currency=note.terms.currency,
        annual_rate=note.terms.annual_rate,
        payment=note.level_payment.amount if note.level_payment else None,
        rows=rows,
    )
    content = render_schedule(sheet, fmt)
    return ScheduleFile(_write(output, fmt, content, kind="schedule"), note, rows)


def ucc3_filing(
    store: Store,
    record_id: str,
    output: Output,
    *,
    termination: bool,
    note_ids: Sequence[str] = (),
    statement_id: str | None = None,
) -> Ucc3Filing:
    """A UCC-3 for a security interest's financing statement: termination or partial release.

    `record_id` is the security interest, or one of its financing statements.
    """
    from acquittance.agreements.drafting.render import render_servicing
    from acquittance.agreements.drafting.ucc3 import (
        Ucc3Kind,
        build_ucc3_context,
        choose_statement,
        ucc3_document,
    )

    fmt = prepare(store, output, allowed=DOCUMENT_FORMATS)
    kind = Ucc3Kind.TERMINATION if termination else Ucc3Kind.AMENDMENT
    with store.read() as session:
        repo = Repository(session)
        interest, named = _interest_and_statement(repo, record_id)
        statement = choose_statement(interest, statement_id or named)
        loan = repo.get_loan(interest.loan_id)
        releasable = _releasable_notes(repo, interest, note_ids)
        parties = _parties(repo, (interest.secured_party_id, interest.debtor_id))
        obligation = _filing_obligation(repo, statement.id, kind.value)
    context = build_ucc3_context(
        interest,
        kind=kind,
        statement_id=statement.id,
        note_ids=tuple(note_ids),
        releasable=releasable,
        parties=parties,
        currency=loan.terms.currency,
        due=obligation.due if obligation is not None else None,
        obligation_id=obligation.id if obligation is not None else None,
    )
    document = ucc3_document(context, templates_dir=output.templates)
    content = render_servicing(document, fmt, templates_dir=output.templates)
    return Ucc3Filing(_write(output, fmt, content, kind="ucc3"), context)


def _interest_and_statement(
    repo: Repository, record_id: str
) -> tuple[SecurityInterest, str | None]:
    """The security interest `record_id` names, directly or by one of its financing statements."""
    try:
        return repo.get_security_interest(record_id), None
    except NotFoundError:
        pass
    for interest in repo.list_security_interests():
        if any(statement.id == record_id for statement in interest.financing_statements):
            return interest, record_id
    raise NotFoundError(
        "UNKNOWN_SECURITY_INTEREST",
        f"no security interest or financing statement has id {record_id!r}; `acquittance list` "
        "shows the security interests",
    )


def _releasable_notes(
    repo: Repository, interest: SecurityInterest, named: Sequence[str]
) -> dict[str, Note]:
    """The notes an amendment of `interest` may release: pledged now, released by a
    settlement of its loan (assigned to the secured party, which no longer pledges them),
    or released from it by name (`acquittance release`)."""
    settled = {
        line.note_id
        for stored in repo.list_settlements(loan_id=interest.loan_id)
        for line in stored.quote.collateral
    }
    released = {
        note.note_id
        for action in repo.actions_of("loan", interest.loan_id)
        if action.kind == "release"
        for note in repo.action_notes(action.id)
        if note.security_interest_id == interest.id
    }
    candidates = set(interest.note_ids) | settled | released
    return {note_id: repo.get_note(note_id) for note_id in named if note_id in candidates}


def _filing_obligation(repo: Repository, statement_id: str, kind: str) -> Obligation | None:
    """The open obligation to file this UCC-3 (`termination_statement` or
    `amendment_statement` for that financing statement), if one is open."""
    wanted = f"{kind}_statement"
    for record in repo.list_obligations(status="open"):
        obligation = record.obligation
        if obligation.financing_statement_id == statement_id and obligation.kind == wanted:
            return obligation
    return None
