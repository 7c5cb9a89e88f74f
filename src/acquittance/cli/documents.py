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

from acquittance.cli.app import JSON_OPTION, app, emit_json, parse_date
from acquittance.cli.choices import DocumentFormat
from acquittance.cli.toplevel import DB_HELP

FORMAT_HELP = "The document's format (default: from --output's extension)."
OUTPUT_OPTION = typer.Option(..., "--output", help="The file to write.", metavar="PATH")
FORCE_OPTION = typer.Option(False, "--force", help="Replace the output file if it exists.")
TEMPLATES_OPTION = typer.Option(
    None,
    "--templates",
    help="A folder of templates overriding the clause library.",
    metavar="FOLDER",
)
DB_OPTION = typer.Option(None, "--db", help=DB_HELP, metavar="PATH|URL")

letter_app = typer.Typer(
    help="Letters to a loan's borrower: the payoff letter.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(letter_app, name="letter")


def _report(document: dict[str, Any], *, as_json: bool) -> None:
    if as_json:
        emit_json(document)
    else:
        typer.echo(f"wrote {document['output']}", err=True)


@letter_app.command("payoff")
def payoff(
    loan_id: str = typer.Argument(..., help="The loan's id.", metavar="LOAN"),
    as_of: str = typer.Option(..., "--as-of", help="The payoff date, YYYY-MM-DD.", metavar="DATE"),
    good_through: str | None = typer.Option(
        None,
        "--good-through",
        help="The last day the figures hold (default: 10 days on).",
        metavar="DATE",
    ),
    fmt: DocumentFormat | None = typer.Option(None, "--format", help=FORMAT_HELP),
    output: Path = OUTPUT_OPTION,
    force: bool = FORCE_OPTION,
    templates: Path | None = TEMPLATES_OPTION,
    db: str | None = DB_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """The payoff letter of a loan: principal, interest, total, per diem, good-through date."""
    from acquittance import service
    from acquittance.present.files import payoff_letter_document
    from acquittance.service.documents import Output, payoff_letter

    through = parse_date(good_through, option="--good-through") if good_through else None
    result = payoff_letter(
        service.store_at(db),
        loan_id,
        parse_date(as_of),
        Output(output, _format(fmt), force, templates),
        good_through=through,
    )
    _report(payoff_letter_document(result), as_json=as_json)


@app.command()
def statement(
    instrument_id: str = typer.Argument(..., help="A loan or note id.", metavar="LOAN_OR_NOTE"),
    start: str = typer.Option(
        ..., "--from", help="The first day of the period, YYYY-MM-DD.", metavar="DATE"
    ),
    end: str = typer.Option(
        ..., "--to", help="The last day of the period, YYYY-MM-DD.", metavar="DATE"
    ),
    fmt: DocumentFormat | None = typer.Option(None, "--format", help=FORMAT_HELP),
    output: Path = OUTPUT_OPTION,
    force: bool = FORCE_OPTION,
    templates: Path | None = TEMPLATES_OPTION,
    db: str | None = DB_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """The periodic statement of a loan or note: opening, each event, interest, closing."""
    from acquittance import service
    from acquittance.present.files import statement_document
    from acquittance.service.documents import Output, periodic_statement

    result = periodic_statement(
        service.store_at(db),
        instrument_id,
        parse_date(start, option="--from"),
        parse_date(end, option="--to"),
        Output(output, _format(fmt), force, templates),
    )
    _report(statement_document(result), as_json=as_json)


@app.command()
def ucc3(
    record_id: str = typer.Argument(
        ..., help="The security interest (or one of its financing statements).", metavar="ID"
    ),
    termination: bool = typer.Option(
        False, "--termination", help="Terminate the financing statement (item 2)."
    ),
    amendment: bool = typer.Option(
        False, "--amendment", help="Release the notes named with --note (item 8, DELETE)."
    ),
    note_ids: list[str] = typer.Option(
        [], "--note", help="A note released; repeat for each.", metavar="NOTE"
    ),
    statement_id: str | None = typer.Option(
        None,
        "--financing-statement",
        help="The financing statement, when there are several.",
        metavar="STATEMENT_ID",
    ),
    fmt: DocumentFormat | None = typer.Option(None, "--format", help=FORMAT_HELP),
    output: Path = OUTPUT_OPTION,
    force: bool = FORCE_OPTION,
    templates: Path | None = TEMPLATES_OPTION,
    db: str | None = DB_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """A UCC-3 (national form UCC3) filled from a financing statement: termination or release."""
    from acquittance import service
    from acquittance.core.errors import InputError
    from acquittance.present.files import ucc3_document
    from acquittance.service.documents import Output, ucc3_filing

    if termination == amendment:
        raise InputError(
            "MISSING_OPTION" if not termination else "CONFLICTING_OPTIONS",
            "give exactly one of --termination and --amendment",
        )
    result = ucc3_filing(
        service.store_at(db),
        record_id,
        Output(output, _format(fmt), force, templates),
        termination=termination,
        note_ids=tuple(note_ids or ()),
        statement_id=statement_id,
    )
    _report(ucc3_document(result), as_json=as_json)


def _format(fmt: DocumentFormat | None) -> str | None:
    return fmt.value if fmt is not None else None


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
    from acquittance.present.files import schedule_file_document
    from acquittance.service.documents import Output, schedule_file

    if output is None:
        raise InputError("MISSING_OPTION", "--format needs --output PATH, the file to write")
    result = schedule_file(service.store_at(db), note_id, Output(output, fmt, force))
    _report(schedule_file_document(result), as_json=as_json)
