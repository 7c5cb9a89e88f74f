"""`acquittance draft`: the settlement agreement, from a deal file or from the store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from acquittance.cli.app import DB_HELP, JSON_OPTION, app, emit_json, parse_date
from acquittance.core.errors import InputError


def _from_deal_file(path: Path, as_of: str | None, loan_id: str | None) -> dict[str, Any]:
    """Quote a deal file's loan in memory (no store) on the date given."""
    from acquittance.core import settlement
    from acquittance.deals.parse import read_deal_file

    if as_of is None:
        raise InputError("MISSING_OPTION", "drafting from a deal file needs --as-of DATE")
    deal = read_deal_file(path)
    loan = _pick_loan(deal.loans, loan_id, str(path))
    notes = {note.id: note for note in deal.notes}
    quote = settlement.quote(loan, notes, deal.security_interests, parse_date(as_of))
    return {
        "quote": quote,
        "parties": {party.id: party for party in deal.parties},
        "loan": loan,
        "notes": notes,
        "title": deal.title,
    }


def _pick_loan(loans: Any, loan_id: str | None, source: str) -> Any:
    if loan_id is not None:
        for loan in loans:
            if loan.id == loan_id:
                return loan
        raise InputError("UNKNOWN_LOAN", f"{source} has no loan {loan_id!r}")
    if len(loans) != 1:
        names = ", ".join(loan.id for loan in loans) or "none"
        raise InputError("AMBIGUOUS_LOAN", f"{source} has loans {names}; name one with --loan")
    return loans[0]


def _from_store(source: str, as_of: str | None, db: str | None) -> dict[str, Any]:
    """A closed settlement or saved quote by id, or a loan quoted on --as-of."""
    from acquittance import service
    from acquittance.core.errors import NotFoundError
    from acquittance.present.documents import quote_from_document
    from acquittance.store import resolve_url
    from acquittance.store.repository import Repository

    store = service.Store(resolve_url(db))
    with store.read() as session:
        repo = Repository(session)
        quote = None
        for lookup in (repo.get_settlement, repo.get_quote):
            try:
                quote = quote_from_document(lookup(source).document)
                break
            except NotFoundError:
                continue
    if quote is None:
        if as_of is None:
            raise InputError(
                "UNKNOWN_SOURCE",
                f"{source!r} is not a deal file, a settlement or a saved quote; for a loan in "
                "the store give --as-of DATE",
            )
        quote = service.quote(store, service.QuoteRequest(loan_id=source, as_of=parse_date(as_of)))
    with store.read() as session:
        repo = Repository(session)
        loan = repo.get_loan(quote.loan_id)
        parties = {p: repo.get_party(p) for p in (quote.lender_id, quote.borrower_id)}
        notes = {line.note_id: repo.get_note(line.note_id) for line in quote.collateral}
    return {"quote": quote, "parties": parties, "loan": loan, "notes": notes, "title": None}


@app.command()
def draft(
    source: str = typer.Argument(
        ..., help="A deal file, a settlement or saved quote id, or a loan id."
    ),
    as_of: str | None = typer.Option(None, "--as-of", help="The settlement date, YYYY-MM-DD."),
    fmt: str = typer.Option("md", "--format", help="md, html, docx or pdf."),
    output: Path = typer.Option(..., "--output", help="Where to write the agreement."),
    loan_id: str | None = typer.Option(
        None, "--loan", help="The loan, when a deal file has several."
    ),
    words: bool = typer.Option(False, "--words", help="Write amounts in words as well as figures."),
    title: str | None = typer.Option(None, "--title", help="The agreement's title."),
    governing_law: str | None = typer.Option(
        None, "--governing-law", help="Override the governing law."
    ),
    templates: Path | None = typer.Option(
        None, "--templates", help="A folder of templates overriding the clause library."
    ),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    as_json: bool = JSON_OPTION,
) -> None:
    """Draft the settlement agreement as md, html, docx or pdf."""
    from acquittance.agreements.drafting import build_context, write_draft
    from acquittance.agreements.drafting.context import DEFAULT_TITLE

    path = Path(source)
    if path.suffix.lower() == ".toml" or path.is_file():
        facts = _from_deal_file(path, as_of, loan_id)
    else:
        facts = _from_store(source, as_of, db)
    law = governing_law or facts["loan"].governing_law
    if not law:
        raise InputError(
            "MISSING_GOVERNING_LAW",
            "the loan names no governing law; add governing_law to the deal file's [deal] table "
            "or pass --governing-law",
        )
    context = build_context(
        facts["quote"],
        parties=facts["parties"],
        loan=facts["loan"],
        notes=facts["notes"],
        governing_law=law,
        title=title or facts["title"] or DEFAULT_TITLE,
        amounts_in_words=words,
    )
    written = write_draft(context, fmt, output, templates_dir=templates)
    if as_json:
        emit_json({"output": str(written), "format": fmt, "as_of": context.effective_date})
    else:
        typer.echo(f"wrote {written}", err=True)
