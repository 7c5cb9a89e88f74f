"""`acquittance book ...`: the whole book as columns, and positions of every instrument.

`book export FILE` writes the store's loans and notes with their events as a
Parquet book (a folder of files with `--partitions N`); `book positions`
computes every instrument's position on a date with the columnar engine, in
this process, on a local Dask cluster (`--local-workers N`, or `--dask
local`), or on an existing one (`--dask tcp://HOST:8786`), and writes them as
Parquet or CSV. NumPy, Arrow and Dask are imported only inside these commands.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer

from acquittance.cli.app import JSON_OPTION, app, emit_json, parse_date
from acquittance.cli.toplevel import DB_HELP

book_app = typer.Typer(
    help="The whole book as columns (Parquet), and positions of every instrument.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(book_app, name="book")
DB_OPTION = typer.Option(None, "--db", help=DB_HELP, metavar="PATH|URL")
FORCE_OPTION = typer.Option(False, "--force", help="Replace the output if it exists.")


@contextmanager
def progress_bar(description: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on standard error when it is a terminal; silent when piped."""
    if not sys.stderr.isatty():
        yield lambda done, total: None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield update


@book_app.command("export")
def export(
    output: Path = typer.Argument(
        ..., help="The book: a .parquet file (a folder with --partitions)."
    ),
    partitions: int = typer.Option(1, "--partitions", help="Files to split the book into."),
    force: bool = FORCE_OPTION,
    db: str | None = DB_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Write every loan and note with its events as a columnar book (Parquet)."""
    from acquittance import service
    from acquittance.present.portfolio import book_export_document
    from acquittance.service.portfolio import export_book

    written = export_book(service.store_at(db), output, force=force, partitions=partitions)
    document = book_export_document(written)
    if as_json:
        emit_json(document)
    else:
        typer.echo(
            f"wrote {written.path}: {written.loans} loans, {written.notes} notes, "
            f"{written.files} file(s), {written.size_bytes:,} bytes",
            err=True,
        )


def _local_workers(dask: str | None, local_workers: int | None) -> tuple[str | None, int | None]:
    """`--dask local` is a local cluster (of --local-workers, else one worker per CPU)."""
    if dask is not None and dask.strip().lower() == "local":
        return None, local_workers or os.cpu_count() or 1
    return dask, local_workers


@book_app.command("positions")
def positions(
    as_of: str = typer.Option(..., "--as-of", help="The date, YYYY-MM-DD.", metavar="DATE"),
    book: Path | None = typer.Option(
        None, "--book", help="A book file or folder (default: the store's book)."
    ),
    output: Path | None = typer.Option(
        None, "--output", help="Write one row per instrument to F.parquet or F.csv."
    ),
    dask: str | None = typer.Option(
        None,
        "--dask",
        help="Run on Dask: a scheduler's address (tcp://HOST:8786), or `local`.",
        show_default=False,
        metavar="ADDRESS",
    ),
    local_workers: int | None = typer.Option(
        None, "--local-workers", help="Run on a local Dask cluster of N worker processes."
    ),
    force: bool = FORCE_OPTION,
    db: str | None = DB_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Positions of every loan and note on a date, by the columnar engine."""
    from acquittance import service
    from acquittance.core.money import format_amount
    from acquittance.present.portfolio import positions_run_document
    from acquittance.service.portfolio import PositionsRequest, book_positions

    scheduler, workers = _local_workers(dask, local_workers)
    request = PositionsRequest(
        as_of=parse_date(as_of),
        book=book,
        output=output,
        force=force,
        scheduler=scheduler,
        local_workers=workers,
    )
    with progress_bar("positions") as on_progress:
        run = book_positions(service.store_at(db), request, on_progress=on_progress)
    if as_json:
        emit_json(positions_run_document(run))
        return
    for currency in run.principal:
        typer.echo(
            f"{currency}: principal {format_amount(run.principal[currency])}, "
            f"interest {format_amount(run.interest[currency])}"
        )
    where = f"; written to {run.output}" if run.output is not None else ""
    typer.echo(
        f"{run.rows:,} instruments as of {run.as_of}: {run.kernel_rows:,} by the kernel, "
        f"{run.core_rows - run.errors:,} by the core, {run.errors:,} refused ({run.engine})"
        f"{where}",
        err=True,
    )
