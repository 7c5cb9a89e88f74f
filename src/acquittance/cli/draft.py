"""`acquittance draft`: the settlement agreement, from a deal file or from the store."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import typer

from acquittance.cli.app import JSON_OPTION, app, emit_json, parse_date
from acquittance.cli.choices import DocumentFormat
from acquittance.cli.toplevel import DB_HELP


@app.command()
def draft(
    source: str = typer.Argument(
        ..., help="A deal file, a settlement or saved quote id, or a loan id.", metavar="SOURCE"
    ),
    as_of: str | None = typer.Option(
        None, "--as-of", help="The settlement date, YYYY-MM-DD.", metavar="DATE"
    ),
    fmt: DocumentFormat | None = typer.Option(
        None, "--format", help="The agreement's format (default: --output's extension, else md)."
    ),
    output: Path = typer.Option(
        ..., "--output", help="Where to write the agreement.", metavar="PATH"
    ),
    force: bool = typer.Option(False, "--force", help="Replace the output file if it exists."),
    loan_id: str | None = typer.Option(
        None, "--loan", help="The loan, when a deal file has several.", metavar="LOAN"
    ),
    words: bool = typer.Option(False, "--words", help="Write amounts in words as well as figures."),
    title: str | None = typer.Option(
        None,
        "--title",
        help="The agreement's title (a deal file's [deal] title by default).",
        metavar="TEXT",
    ),
    governing_law: str | None = typer.Option(
        None, "--governing-law", help="Override the governing law.", metavar="TEXT"
    ),
    templates: Path | None = typer.Option(
        None,
        "--templates",
        help="A folder of templates overriding the clause library.",
        metavar="FOLDER",
    ),
    db: str | None = typer.Option(None, "--db", help=DB_HELP, metavar="PATH|URL"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Draft the settlement agreement as md, html, docx or pdf."""
    from acquittance import service
    from acquittance.core.errors import AcquittanceError
    from acquittance.service.documents import store_files
    from acquittance.service.draft import (
        DraftRequest,
        draft_agreement,
        facts_from_deal_file,
        facts_from_store,
        store_history_notice,
    )

    date_given = parse_date(as_of) if as_of is not None else None
    path = Path(source)
    inputs: tuple[Path, ...]
    if path.suffix.lower() == ".toml" or path.is_file():
        facts = facts_from_deal_file(path, date_given, loan_id)
        inputs = (path,)
        # No usable store to compare with: the file alone, as documented, and no notice.
        with contextlib.suppress(AcquittanceError):
            facts = store_history_notice(service.store_at(db), facts)
    else:
        store = service.store_at(db)
        inputs = store_files(store)
        facts = facts_from_store(store, source, date_given)
    request = DraftRequest(
        fmt=fmt.value if fmt is not None else None,
        output=output,
        title=title,
        governing_law=governing_law,
        amounts_in_words=words,
        templates=templates,
        force=force,
        inputs=inputs,
    )
    written = draft_agreement(facts, request)
    for notice in facts.notices:
        sys.stderr.write(f"note: {notice}\n")
    if as_json:
        from acquittance.present.files import draft_document

        emit_json(draft_document(written, facts))
    else:
        typer.echo(f"wrote {written.path}", err=True)
