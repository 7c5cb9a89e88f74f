"""The register, settlement and books commands."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import typer

from acquittance.cli import views
from acquittance.cli.app import JSON_OPTION, app, emit_json, parse_date
from acquittance.cli.choices import ObligationFilter, ScheduleFormat
from acquittance.cli.toplevel import DB_HELP
from acquittance.core.errors import InputError
from acquittance.core.money import to_decimal
from acquittance.present import documents

DB_OPTION = typer.Option(None, "--db", help=DB_HELP, metavar="PATH|URL")
AS_OF_OPTION = typer.Option(..., "--as-of", help="The date, YYYY-MM-DD.", metavar="DATE")


def _store(db: str | None) -> Any:
    from acquittance.service import store_at

    return store_at(db)


@app.command()
def init(db: str | None = DB_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Create the store, or migrate it to the newest schema."""
    from acquittance.service import initialize

    store = _store(db)
    initialize(store)
    if as_json:
        emit_json(documents.store_document(store.describe()))
    else:
        views.console().print(f"store ready: {store.describe()}")


@app.command()
def load(
    deal_file: Path = typer.Argument(..., help="A TOML deal file.", metavar="DEAL_FILE"),
    db: str | None = DB_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Load a deal file: parties, loans, notes, pledges and opening entries; all or nothing."""
    from acquittance.deals.parse import read_deal_file
    from acquittance.service import load_deal

    deal = read_deal_file(deal_file)
    document = documents.load_document(load_deal(_store(db), deal), str(deal_file))
    if as_json:
        emit_json(document)
    else:
        views.loaded(document)


@app.command("list")
def list_records(db: str | None = DB_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Every party, loan, note, security interest and settlement in the store."""
    from acquittance.service import register

    records = register(_store(db))
    if as_json:
        emit_json(documents.register_document(records))
    else:
        views.register(records)


@app.command()
def show(
    record_id: str = typer.Argument(
        ...,
        help="The id of a party, loan, note, security interest, settlement or saved quote.",
        metavar="ID",
    ),
    db: str | None = DB_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """One record, in full."""
    from acquittance import service
    from acquittance.present.documents import record_document

    kind, record = service.show(_store(db), record_id)
    document = record_document(kind, record)
    if as_json:
        emit_json(document)
    else:
        views.console().print_json(json.dumps(document, default=str))


@app.command()
def position(
    instrument_id: str = typer.Argument(..., help="A loan or note id.", metavar="LOAN_OR_NOTE"),
    as_of: str = AS_OF_OPTION,
    db: str | None = DB_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Principal and accrued unpaid interest of a loan or note on a date."""
    from acquittance.service import instrument_position

    instrument, held = instrument_position(_store(db), instrument_id, parse_date(as_of))
    document = documents.position_document(instrument, held)
    if as_json:
        emit_json(document)
    else:
        views.position(document)


def _values(pairs: list[str]) -> dict[str, Decimal] | None:
    values: dict[str, Decimal] = {}
    for pair in pairs:
        note_id, sep, amount = pair.partition("=")
        if not sep:
            raise InputError(
                "INVALID_VALUE", f"--value {pair!r} must be NOTE=AMOUNT, e.g. note-1=950000.00"
            )
        values[note_id.strip()] = to_decimal(amount, field=f"value of {note_id}")
    return values or None


def _request(
    loan_id: str,
    as_of: str,
    notes: list[str],
    values: list[str],
    partial: bool,
    good_through: str | None,
) -> Any:
    from acquittance.service import QuoteRequest

    return QuoteRequest(
        loan_id=loan_id,
        as_of=parse_date(as_of),
        note_ids=tuple(notes) if notes else None,
        values=_values(values),
        partial=partial,
        good_through=parse_date(good_through, option="--good-through") if good_through else None,
    )


NOTE_OPTION = typer.Option(
    [], "--note", help="Assign only this note (repeat for several).", metavar="NOTE"
)
VALUE_OPTION = typer.Option(
    [],
    "--value",
    help="Take NOTE at AMOUNT instead of its carrying amount (repeat for several).",
    metavar="NOTE=AMOUNT",
)
PARTIAL_OPTION = typer.Option(
    False, "--partial", help="Partial satisfaction: no cash; the rest stays owed."
)
GOOD_THROUGH_OPTION = typer.Option(
    None, "--good-through", help="Last date the quote holds (YYYY-MM-DD).", metavar="DATE"
)


@app.command()
def quote(
    loan_id: str = typer.Argument(..., help="The loan's id.", metavar="LOAN"),
    as_of: str = AS_OF_OPTION,
    notes: list[str] = NOTE_OPTION,
    values: list[str] = VALUE_OPTION,
    partial: bool = PARTIAL_OPTION,
    good_through: str | None = GOOD_THROUGH_OPTION,
    explain: bool = typer.Option(
        False, "--explain", help="Also show how every figure was computed."
    ),
    save: bool = typer.Option(
        False, "--save", help="Keep the quote; settle it later with --quote."
    ),
    db: str | None = DB_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """What is owed on a date, the collateral assigned, and the cash that balances them."""
    from acquittance import service
    from acquittance.core import settlement
    from acquittance.present.documents import quote_document

    store = _store(db)
    request = _request(loan_id, as_of, notes, values, partial, good_through)
    quote_id = None
    if save:
        saved = service.save_quote(store, request)
        the_quote, quote_id = saved.quote, saved.id
    else:
        the_quote = service.quote(store, request)
    explanation = documents.explanation_document(settlement.explain(the_quote))
    document = quote_document(the_quote, explanation=explanation, quote_id=quote_id)
    if as_json:
        emit_json(document)
        return
    views.quote(document, parties=views.party_names(store, the_quote))
    if quote_id is not None:
        views.console().print(f"saved as {quote_id}: settle it with --quote {quote_id}")
    if explain:
        views.explanation(explanation)


@app.command()
def quotes(
    loan_id: str | None = typer.Option(
        None, "--loan", help="Only this loan's saved quotes.", metavar="LOAN"
    ),
    db: str | None = DB_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Saved quotes (made with `quote --save`), by date."""
    from acquittance import service

    saved = service.saved_quotes(_store(db), loan_id=loan_id)
    document = documents.saved_quotes_document(saved)
    if as_json:
        emit_json(document)
    else:
        views.saved_quotes(document)


@app.command()
def settle(
    loan_id: str | None = typer.Argument(
        None, help="The loan's id (not with --batch).", metavar="LOAN"
    ),
    as_of: str | None = typer.Option(
        None, "--as-of", help="The settlement date, YYYY-MM-DD.", metavar="DATE"
    ),
    key: str | None = typer.Option(
        None,
        "--key",
        help="Idempotency key: the same key again returns the first result.",
        metavar="KEY",
    ),
    quote_id: str | None = typer.Option(
        None,
        "--quote",
        help="Close a saved quote; refused if its inputs changed.",
        metavar="QUOTE_ID",
    ),
    notes: list[str] = NOTE_OPTION,
    values: list[str] = VALUE_OPTION,
    partial: bool = PARTIAL_OPTION,
    batch: Path | None = typer.Option(
        None,
        "--batch",
        help="Close every line of a CSV or JSON Lines file (loan,as_of,key).",
        metavar="FILE",
    ),
    workers: int = typer.Option(
        1, "--workers", help="Close batch lines from N connections at once.", metavar="N"
    ),
    db: str | None = DB_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Close the settlement atomically: notes assigned, loan discharged, both books posted."""
    if batch is not None:
        if loan_id is not None or as_of or key or quote_id or notes or values or partial:
            raise InputError(
                "BATCH_WITH_LOAN",
                "--batch takes its loans, dates and keys from the file; "
                "give no loan, --as-of, --key or --quote with it",
            )
        from acquittance.cli.batch import run_batch

        run_batch(db, batch, workers=workers, as_json=as_json)
        return
    from acquittance import service
    from acquittance.present.documents import settlement_document

    if loan_id is None:
        raise InputError("MISSING_ARGUMENT", "settle needs a LOAN (or --batch FILE)")
    store = _store(db)
    fingerprint = None
    if quote_id is not None:
        request, fingerprint = service.request_from_saved(store, quote_id)
        if request.loan_id != loan_id:
            raise InputError(
                "QUOTE_LOAN_MISMATCH",
                f"quote {quote_id} is for loan {request.loan_id}, not {loan_id}",
            )
    elif as_of is None:
        raise InputError(
            "MISSING_OPTION", "settle needs --as-of DATE (or --quote ID of a saved quote)"
        )
    else:
        request = _request(loan_id, as_of, notes, values, partial, None)
    closed = service.settle(store, request, key=key, quoted_fingerprint=fingerprint)
    document = settlement_document(closed)
    if as_json:
        emit_json(document)
    else:
        views.settlement(document)


@app.command()
def journal(
    party_id: str = typer.Argument(..., help="The party's id.", metavar="PARTY"),
    db: str | None = DB_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """The party's journal entries, in order, with their hashes."""
    from acquittance import service
    from acquittance.present.documents import journal_document

    who, entries = service.journal(_store(db), party_id)
    if as_json:
        emit_json(journal_document(who.id, entries))
    else:
        views.journal(who, entries)


@app.command()
def books(
    party_id: str = typer.Argument(..., help="The party's id.", metavar="PARTY"),
    as_of: str | None = typer.Option(
        None, "--as-of", help="Balances as of this date (default: every entry).", metavar="DATE"
    ),
    account: str | None = typer.Option(
        None, "--account", help="Show one account's history instead.", metavar="ACCOUNT"
    ),
    db: str | None = DB_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """The party's trial balance (or one account's history)."""
    from acquittance import service

    store = _store(db)
    who, entries = service.journal(store, party_id)
    cutoff = parse_date(as_of) if as_of else None
    if account is not None:
        document = documents.history_document(who, entries, account)
    else:
        document = documents.trial_balance_document(
            who, entries, service.counterparties(store, party_id), cutoff
        )
    if as_json:
        emit_json(document)
    elif account is not None:
        views.history(document)
    else:
        views.trial_balance(document)


@app.command()
def verify(
    anchor: bool = typer.Option(
        False, "--anchor", help="Also print a digest of every chain head, to keep elsewhere."
    ),
    against: str | None = typer.Option(
        None,
        "--against",
        help="Fail if history was cut or changed since this --anchor digest.",
        metavar="DIGEST",
    ),
    db: str | None = DB_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Recompute every chain and check the register; exit 1 if anything does not match."""
    from acquittance import service

    if anchor and against:
        raise InputError("ANCHOR_AND_AGAINST", "give --anchor or --against DIGEST, not both")
    store = _store(db)
    check = service.verify(store, against=against)
    digest = service.anchor(store) if anchor and check.ok else None
    document = documents.verification_document(check, against=against, anchor=digest)
    if as_json:
        emit_json(document)
    elif anchor and digest is not None:
        typer.echo(digest)
        views.verification(document, stderr=True)
    else:
        views.verification(document)
    if not check.ok:
        raise typer.Exit(1)


export_app = typer.Typer(
    help="Export books to other tools.", no_args_is_help=True, rich_markup_mode=None
)
app.add_typer(export_app, name="export")


@export_app.command("beancount")
def export_beancount(
    party_id: str = typer.Argument(..., help="The party's id.", metavar="PARTY"),
    output: Path | None = typer.Option(
        None, "--output", help="Write here instead of standard output.", metavar="PATH"
    ),
    force: bool = typer.Option(False, "--force", help="Replace the output file if it exists."),
    db: str | None = DB_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """The party's book as Beancount text (bean-check accepts it)."""
    from acquittance import service
    from acquittance.books.accounts import chart_of_accounts
    from acquittance.books.beancount import to_beancount
    from acquittance.present.files import beancount_document

    store = _store(db)
    if output is not None:
        _check_export_output(store, output, force=force)
    who, entries = service.journal(store, party_id)
    chart = chart_of_accounts(who, service.counterparties(store, party_id))
    currency = entries[0].legs[0].currency if entries else "USD"
    text = to_beancount(who, entries, currency=currency, chart=chart)
    if output is not None:
        from acquittance.agreements.drafting.output import write_output

        write_output(output, text.encode("utf-8"), force=force)
    if as_json:
        emit_json(beancount_document(who.id, text, output=output, entries=entries))
    elif output is None:
        typer.echo(text, nl=False)
    else:
        views.console(stderr=True).print(f"wrote {output}")


def _check_export_output(store: Any, output: Path, *, force: bool) -> None:
    """The refusals every written file has: an input, a folder, an existing file."""
    from acquittance.agreements.drafting.output import check_output
    from acquittance.service.documents import store_files

    check_output(output, force=force, inputs=store_files(store))


obligations_app = typer.Typer(
    help="Post-closing obligations: termination filings and wires.", rich_markup_mode=None
)
app.add_typer(obligations_app, name="obligations", invoke_without_command=True)


@obligations_app.callback(invoke_without_command=True)
def obligations(
    ctx: typer.Context,
    status: ObligationFilter | None = typer.Option(
        None, "--status", help="Only the open or only the done ones (default: all)."
    ),
    db: str | None = DB_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """List obligations (subcommand `complete` marks one done)."""
    if ctx.invoked_subcommand is not None:
        return
    from acquittance import service

    records = service.obligations(_store(db), status=status.value if status else None)
    document = documents.obligations_document(records)
    if as_json:
        emit_json(document)
    else:
        views.obligations(document)


@obligations_app.command("complete")
def complete(
    obligation_id: str = typer.Argument(..., help="The obligation's id.", metavar="OBLIGATION"),
    on: str = typer.Option(..., "--on", help="The date it was done, YYYY-MM-DD.", metavar="DATE"),
    db: str | None = DB_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Mark an obligation done (a termination statement filed, a wire received)."""
    from acquittance import service

    record = service.complete_obligation(_store(db), obligation_id, parse_date(on, option="--on"))
    document = documents.obligation_document(record)
    if as_json:
        emit_json(document)
    else:
        views.obligations({"obligations": [document]})


@app.command()
def demo(
    deal_file: Path = typer.Argument(
        Path("examples/valence-berg-2002.toml"), help="The deal file to run.", metavar="DEAL_FILE"
    ),
    as_of: str = typer.Option(
        "2002-03-31", "--as-of", help="The settlement date, YYYY-MM-DD.", metavar="DATE"
    ),
    db: str | None = DB_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Run a deal end to end on a store: init, load, quote, settle, books, obligations, verify."""
    from acquittance.cli.walkthrough import run

    run(db, deal_file, parse_date(as_of), as_json=as_json)


@app.command()
def schedule(
    note_id: str = typer.Argument(..., help="A note with a level monthly payment.", metavar="NOTE"),
    fmt: ScheduleFormat | None = typer.Option(
        None, "--format", help="The file's format, with --output (default: its extension)."
    ),
    output: Path | None = typer.Option(
        None, "--output", help="Write the schedule to this file.", metavar="PATH"
    ),
    force: bool = typer.Option(False, "--force", help="Replace the output file if it exists."),
    db: str | None = DB_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """A note's amortization schedule, generated from its terms."""
    from acquittance import service

    if output is not None or fmt is not None:
        from acquittance.cli.documents import write_schedule

        write_schedule(
            db, note_id, fmt=fmt.value if fmt else None, output=output, force=force, as_json=as_json
        )
        return
    note, rows = service.note_schedule(_store(db), note_id)
    document = documents.schedule_document(note, rows)
    if as_json:
        emit_json(document)
    else:
        views.schedule(document)
