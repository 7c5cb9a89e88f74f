"""`acquittance portfolio overview`: every loan's payoff, collateral value, coverage and
shortfall on a date, as a table, a CSV file, an SVG chart or JSON."""

from __future__ import annotations

from pathlib import Path

import typer

from acquittance.cli.app import JSON_OPTION, app, emit_json, parse_date
from acquittance.cli.toplevel import DB_HELP

portfolio_app = typer.Typer(
    help="The portfolio overview: payoff, collateral, coverage and shortfall of every loan.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(portfolio_app, name="portfolio")


@portfolio_app.command("overview")
def overview(
    as_of: str = typer.Option(..., "--as-of", help="The date, YYYY-MM-DD.", metavar="DATE"),
    output: Path | None = typer.Option(
        None, "--output", help="Write the overview to x.csv (a table) or x.svg (a chart)."
    ),
    force: bool = typer.Option(False, "--force", help="Replace the output if it exists."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP, metavar="PATH|URL"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Every loan on a date: payoff, value of the pledged notes, coverage (LTV), shortfall."""
    from acquittance import service
    from acquittance.cli.book import progress_bar
    from acquittance.present.portfolio import overview_csv, overview_document, overview_svg
    from acquittance.service.portfolio import check_overview_output, portfolio_overview

    fmt = check_overview_output(output, force=force) if output is not None else None
    with progress_bar("overview") as on_progress:
        found = portfolio_overview(service.store_at(db), parse_date(as_of), on_progress=on_progress)
    if output is not None:
        text = overview_csv(found) if fmt == "csv" else overview_svg(found)
        output.write_text(text, encoding="utf-8")
    if as_json:
        document = overview_document(found)
        document["output"] = str(output) if output is not None else None
        emit_json(document)
        return
    if output is not None:
        typer.echo(f"wrote {output}", err=True)
        return
    _print_table(found)


def _print_table(found: object) -> None:
    from rich.console import Console
    from rich.table import Table

    from acquittance.core.money import format_amount

    table = Table(title=f"Portfolio overview as of {found.as_of}")  # type: ignore[attr-defined]
    for name, justify in (
        ("loan", "left"),
        ("status", "left"),
        ("payoff", "right"),
        ("collateral value", "right"),
        ("coverage", "right"),
        ("LTV", "right"),
        ("shortfall", "right"),
        ("surplus", "right"),
    ):
        table.add_column(name, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    for row in found.rows:  # type: ignore[attr-defined]
        table.add_row(
            row.loan_id,
            row.status,
            f"{format_amount(row.payoff)} {row.currency}",
            format_amount(row.collateral_value),
            "" if row.coverage is None else f"{row.coverage * 100:.2f} %",
            "" if row.loan_to_value is None else f"{row.loan_to_value * 100:.2f} %",
            format_amount(row.shortfall),
            format_amount(row.surplus),
        )
    import sys

    # Piped, a table keeps its full width (ids and amounts never wrap or shorten).
    Console(width=None if sys.stdout.isatty() else 200).print(table)
