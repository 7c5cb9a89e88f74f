"""The documents a servicer sends: `letter payoff`, `statement`, `ucc3`, and the file
form of `schedule`.

Each command parses its options, calls its use case in `acquittance.service.documents`
and reports what was written: with `--json`, one document with `output`, `format`,
`bytes` and the figures the document states (amounts as decimal strings, dates ISO).
Every command refuses, with exit status 2 and nothing written: an output that is
one of its inputs (OUTPUT_IS_INPUT), a `--format` that disagrees with the output's
extension (FORMAT_MISMATCH), and an existing output without `--force` (OUTPUT_EXISTS).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from acquittance.cli.app import DB_HELP, JSON_OPTION, app, emit_json, parse_date
from acquittance.core.money import amount_text

FORMAT_HELP = "md, html, docx or pdf (default: from --output's extension)."
OUTPUT_OPTION = typer.Option(..., "--output", help="The file to write.")
FORCE_OPTION = typer.Option(False, "--force", help="Replace the output file if it exists.")
TEMPLATES_OPTION = typer.Option(
    None, "--templates", help="A folder of templates overriding the clause library."
)
DB_OPTION = typer.Option(None, "--db", help=DB_HELP)

letter_app = typer.Typer(
    help="Letters to a loan's borrower: the payoff letter.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(letter_app, name="letter")


def _written(result: Any) -> dict[str, Any]:
    written = result.written
    return {
        "document": written.kind,
        "output": str(written.path),
        "format": written.fmt,
        "bytes": written.size_bytes,
    }


def _report(document: dict[str, Any], *, as_json: bool) -> None:
    if as_json:
        emit_json(document)
    else:
        typer.echo(f"wrote {document['output']}", err=True)


@letter_app.command("payoff")
def payoff(
    loan_id: str = typer.Argument(..., help="The loan."),
    as_of: str = typer.Option(..., "--as-of", help="The payoff date, YYYY-MM-DD."),
    good_through: str | None = typer.Option(
        None, "--good-through", help="The last day the figures hold (default: 10 days on)."
    ),
    fmt: str | None = typer.Option(None, "--format", help=FORMAT_HELP),
    output: Path = OUTPUT_OPTION,
    force: bool = FORCE_OPTION,
    templates: Path | None = TEMPLATES_OPTION,
    db: str | None = DB_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """The payoff letter of a loan: principal, interest, total, per diem, good-through date."""
    from acquittance import service
    from acquittance.service.documents import Output, payoff_letter

    through = parse_date(good_through, option="--good-through") if good_through else None
    result = payoff_letter(
        service.store_at(db),
        loan_id,
        parse_date(as_of),
        Output(output, fmt, force, templates),
        good_through=through,
    )
    context = result.context
    document = _written(result) | {
        "loan": context.loan_id,
        "lender": context.lender.id,
        "borrower": context.borrower.id,
        "as_of": context.as_of,
        "good_through": context.good_through,
        "payoff": {
            "principal": amount_text(context.principal),
            "interest": amount_text(context.interest),
            "total": amount_text(context.total),
            "per_diem": amount_text(context.per_diem),
            "interest_to_good_through": amount_text(context.interest_to_good_through),
            "total_at_good_through": amount_text(context.total_at_good_through),
        },
    }
    _report(document, as_json=as_json)


@app.command()
def statement(
    instrument_id: str = typer.Argument(..., help="A loan or note id."),
    start: str = typer.Option(..., "--from", help="The first day of the period, YYYY-MM-DD."),
    end: str = typer.Option(..., "--to", help="The last day of the period, YYYY-MM-DD."),
    fmt: str | None = typer.Option(None, "--format", help=FORMAT_HELP),
    output: Path = OUTPUT_OPTION,
    force: bool = FORCE_OPTION,
    templates: Path | None = TEMPLATES_OPTION,
    db: str | None = DB_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """The periodic statement of a loan or note: opening, each event, interest, closing."""
    from acquittance import service
    from acquittance.service.documents import Output, periodic_statement

    result = periodic_statement(
        service.store_at(db),
        instrument_id,
        parse_date(start, option="--from"),
        parse_date(end, option="--to"),
        Output(output, fmt, force, templates),
    )
    context = result.context
    document = _written(result) | {
        "instrument": context.instrument_id,
        "kind": context.instrument_kind,
        "from": context.start,
        "to": context.end,
        "opening": _balance(context.opening),
        "closing": _balance(context.closing),
        "interest_accrued": amount_text(context.interest_accrued),
        "interest_paid": amount_text(context.interest_paid),
        "principal_paid": amount_text(context.principal_paid),
        "events": [
            {
                "date": row.date,
                "kind": row.kind,
                "amount": None if row.amount is None else amount_text(row.amount),
                "interest": amount_text(row.interest_change),
                "principal": amount_text(row.principal_change),
            }
            for row in context.activity
        ],
    }
    _report(document, as_json=as_json)


def _balance(balance: Any) -> dict[str, str]:
    return {
        "principal": amount_text(balance.principal),
        "interest": amount_text(balance.interest),
        "total": amount_text(balance.total),
    }


@app.command()
def ucc3(
    record_id: str = typer.Argument(
        ..., help="The security interest (or one of its financing statements)."
    ),
    termination: bool = typer.Option(
        False, "--termination", help="Terminate the financing statement (item 2)."
    ),
    amendment: bool = typer.Option(
        False, "--amendment", help="Release the notes named with --note (item 8, DELETE)."
    ),
    note_ids: list[str] | None = typer.Option(
        None, "--note", help="A note released; repeat for each."
    ),
    statement_id: str | None = typer.Option(
        None, "--financing-statement", help="The financing statement, when there are several."
    ),
    fmt: str | None = typer.Option(None, "--format", help=FORMAT_HELP),
    output: Path = OUTPUT_OPTION,
    force: bool = FORCE_OPTION,
    templates: Path | None = TEMPLATES_OPTION,
    db: str | None = DB_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """A UCC-3 (national form UCC3) filled from a financing statement: termination or release."""
    from acquittance import service
    from acquittance.core.errors import InputError
    from acquittance.service.documents import Output, ucc3_filing

    if termination == amendment:
        raise InputError(
            "MISSING_OPTION" if not termination else "CONFLICTING_OPTIONS",
            "give exactly one of --termination and --amendment",
        )
    result = ucc3_filing(
        service.store_at(db),
        record_id,
        Output(output, fmt, force, templates),
        termination=termination,
        note_ids=tuple(note_ids or ()),
        statement_id=statement_id,
    )
    context = result.context
    document = _written(result) | {
        "kind": context.kind.value,
        "security_interest": context.interest_id,
        "financing_statement": context.statement.id,
        "file_number": context.statement.file_number,
        "filing_office": context.statement.filing_office,
        "secured_party": context.secured_party.id,
        "debtor": context.debtor.id,
        "notes": [note.note_id for note in context.released],
        "due": context.due,
        "obligation": context.obligation_id,
    }
    _report(document, as_json=as_json)


def write_schedule(
    db: str | None,
    note_id: str,
    *,
    fmt: str | None,
    output: Path | None,
    force: bool,
    as_json: bool,
) -> None:
    """`schedule NOTE --output F.csv|F.xlsx`: the schedule written to a file."""
    from acquittance import service
    from acquittance.core.errors import InputError
    from acquittance.service.documents import Output, schedule_file

    if output is None:
        raise InputError("MISSING_OPTION", "--format needs --output PATH, the file to write")
    result = schedule_file(service.store_at(db), note_id, Output(output, fmt, force))
    document = _written(result) | {"note": result.note.id, "rows": len(result.rows)}
    _report(document, as_json=as_json)
