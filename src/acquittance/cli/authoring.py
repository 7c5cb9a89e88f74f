"""`acquittance new deal FILE`: a commented starter deal file to edit, then load."""

from __future__ import annotations

from pathlib import Path

import typer

from acquittance.cli.app import JSON_OPTION, app, emit_json

new_app = typer.Typer(
    help="Write a commented starter file to edit, such as a deal file.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(new_app, name="new")


@new_app.command("deal")
def new_deal(
    file: Path = typer.Argument(
        ..., help="The deal file to write, such as deal.toml.", metavar="FILE"
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite FILE if it exists."),
    as_json: bool = JSON_OPTION,
) -> None:
    """A commented starter deal file that `acquittance load` accepts as written.

    A lender, a borrower, one loan with an opening balance, two notes pledged to it and
    the financing statement that perfects the pledge, every key explained beside it.
    """
    from acquittance.deals.starter import write_starter

    written = write_starter(file, force=force)
    if as_json:
        from acquittance.present.files import starter_document

        emit_json(starter_document(written, written.stat().st_size))
    else:
        typer.echo(f"wrote {written}; edit it, then: acquittance load {written}", err=True)
