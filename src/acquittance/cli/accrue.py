"""`acquittance accrue --through DATE`: the accrual run, with a progress bar on a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import typer

from acquittance.cli.app import JSON_OPTION, app, emit_json, parse_date
from acquittance.cli.toplevel import DB_HELP
from acquittance.core.errors import InputError
from acquittance.core.instruments import Charge, DefaultRate
from acquittance.core.money import format_amount, to_decimal


def _money(text: str) -> str:
    from decimal import Decimal

    return format_amount(Decimal(text))


@app.command()
def accrue(
    through: str = typer.Option(
        ..., "--through", help="Accrue up to this date, YYYY-MM-DD.", metavar="DATE"
    ),
    key: str | None = typer.Option(
        None,
        "--key",
        help="Idempotency key: the same key again returns the first result.",
        metavar="KEY",
    ),
    db: str | None = typer.Option(None, "--db", help=DB_HELP, metavar="PATH|URL"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Post accrued interest and late charges of every open loan and note to both books.

    Once per period: a rerun through the same date posts nothing, and a run
    through a date before the last run's is refused.
    """
    from acquittance.present.documents import accrual_run_document
    from acquittance.service import store_at
    from acquittance.service.accrue import accrue as run_accrual

    when = parse_date(through, option="--through")
    with _progress(quiet=as_json) as progress:
        run = run_accrual(store_at(db), through=when, key=key, progress=progress)
    document = accrual_run_document(run)
    if as_json:
        emit_json(document)
    else:
        _show(document)


@contextmanager
def _progress(*, quiet: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A Rich progress bar on standard output when a person watches it; else nothing."""
    if quiet or not sys.stdout.isatty():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(TextColumn("accruing"), BarColumn(), MofNCompleteColumn(), transient=True) as bar:
        task = bar.add_task("accrue", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield advance


def _show(document: dict[str, Any]) -> None:
    from rich.table import Table

    from acquittance.cli import views

    out = views.console()
    through = document["through"]
    if document["replayed"]:
        out.print(f"accrual run {document['run']} through {through} already ran under this key")
    if not document["postings"]:
        out.print(f"nothing to accrue through {through}: every open book is posted to it")
        return
    table = Table(title=f"Accrued through {through} (run {document['run']})")
    for column in ("instrument", "kind", "interest", "capitalised", "late charges"):
        table.add_column(
            column,
            justify="right" if column not in ("instrument", "kind") else "left",
            no_wrap=column == "instrument",
        )
    for line in document["postings"]:
        table.add_row(
            line["instrument"],
            line["kind"],
            _money(line["interest"]),
            _money(line["capitalised"]),
            _money(line["late_charges"]),
        )
    out.print(table)
    out.print(f"{document['entries_count']} journal entries posted")


def charge_or_default(
    kind: str, when: date, *, amount: str | None, rate: str | None
) -> Charge | DefaultRate:
    """`record --kind charge --amount A` or `record --kind default_rate --rate R`, as an event."""
    from acquittance.core.interest import parse_rate

    if kind == "default_rate":
        if rate is None:
            raise InputError("MISSING_OPTION", "a default rate needs --rate")
        return DefaultRate(when, parse_rate(rate, field="--rate"))
    if amount is None:
        raise InputError("MISSING_OPTION", "a charge needs --amount")
    value = to_decimal(amount, field="--amount")
    if value <= 0:
        raise InputError("NEGATIVE_AMOUNT", f"--amount {amount} must be more than 0")
    return Charge(when, value)
