"""`acquittance read FILE... [--json] [--jsonl PATH | --csv PATH] [--jobs N]`.

One file: the terms found in it, as a Rich summary or (with --json) one JSON
document; an unreadable file is an error (exit 2). Several files or a folder:
a batch, one JSON line per file on standard output or in --jsonl PATH, or the
amounts of every file in --csv PATH. A file that fails in a batch gives its own
line with `path` and `error` and the run goes on; the batch exits 0 when at
least one file was read and 1 when every file failed (each error is in the
output). Parsers are imported inside the command so that starting it stays cheap.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from acquittance.cli.app import JSON_OPTION, app, emit_json
from acquittance.cli.toplevel import DB_HELP
from acquittance.core.errors import InputError

FILES_ARGUMENT = typer.Argument(
    ..., help="Agreement files (.txt .md .htm .html .docx .pdf) or folders.", metavar="FILE..."
)
JSONL_OPTION = typer.Option(
    None, "--jsonl", help="Batch: write JSON Lines to PATH.", metavar="PATH"
)
CSV_OPTION = typer.Option(
    None, "--csv", help="Batch: write every amount to PATH as CSV.", metavar="PATH"
)
JOBS_OPTION = typer.Option(
    None, "--jobs", min=1, max=64, help="Batch: processes (default: cores).", metavar="N"
)


@app.command("read")
def read(
    files: list[Path] = FILES_ARGUMENT,
    as_json: bool = JSON_OPTION,
    jsonl: Path | None = JSONL_OPTION,
    csv_path: Path | None = CSV_OPTION,
    jobs: int | None = JOBS_OPTION,
    import_: bool = typer.Option(
        False, "--import", help="Load what was read into the store as a draft deal."
    ),
    deal_out: Path | None = typer.Option(
        None,
        "--deal-out",
        help="Write what was read as a deal file (TOML) to PATH.",
        metavar="PATH",
    ),
    rate: str | None = typer.Option(
        None,
        "--rate",
        help="With --import: the loan's annual rate when the text has none.",
        metavar="RATE",
    ),
    db: str | None = typer.Option(None, "--db", help=DB_HELP, metavar="PATH|URL"),
) -> None:
    """The terms found in an agreement: parties, dates, amounts with roles, and checks."""
    if jsonl is not None and csv_path is not None:
        raise InputError("USAGE", "give --jsonl PATH or --csv PATH, not both")
    batch = len(files) > 1 or files[0].is_dir() or jsonl is not None or csv_path is not None
    if batch:
        _read_batch(files, jsonl=jsonl, csv_path=csv_path, jobs=jobs, as_json=as_json)
        return
    from acquittance.agreements.reading import read_file, to_dict

    reading = read_file(files[0])
    if import_ or deal_out is not None:
        _import(
            to_dict(reading),
            files[0],
            import_=import_,
            deal_out=deal_out,
            rate=rate,
            db=db,
            as_json=as_json,
        )
        return
    if as_json:
        emit_json(to_dict(reading))
    else:
        from acquittance.agreements.reading.summary import print_summary

        print_summary(to_dict(reading), path=str(files[0]))


def _read_batch(
    files: list[Path],
    *,
    jsonl: Path | None,
    csv_path: Path | None,
    jobs: int | None,
    as_json: bool,
) -> None:
    from acquittance.agreements.reading.batch import discover, read_many
    from acquittance.agreements.reading.output import ResultWriter
    from acquittance.cli.progress import progress

    paths = discover(files)
    if not paths:
        raise InputError("NO_FILES", "no .txt, .md, .htm, .html, .docx or .pdf file found to read")
    read_count = 0
    with (
        ResultWriter(jsonl=jsonl, csv_path=csv_path) as writer,
        progress(len(paths), "reading", as_json=as_json) as advance,
    ):
        for result in read_many(paths, jobs=jobs):
            read_count += "error" not in result
            writer.write(result)
            advance()
    if read_count == 0:
        sys.stderr.write(f"error NO_FILE_READ: none of the {len(paths)} files could be read\n")
        raise typer.Exit(1)


def _import(
    document: dict[str, Any],
    path: Path,
    *,
    import_: bool,
    deal_out: Path | None,
    rate: str | None,
    db: str | None,
    as_json: bool,
) -> None:
    """Turn what was read into a deal file, and load it when asked."""
    from acquittance.agreements.importing import deal_text
    from acquittance.deals.parse import parse_deal

    text = deal_text(document, source=path.name, rate=rate)
    deal = parse_deal(text, source=f"deal imported from {path.name}")
    if deal_out is not None:
        try:
            deal_out.write_text(text, encoding="utf-8")
        except OSError as error:
            raise InputError(
                "OUTPUT_NOT_WRITABLE", f"cannot write {deal_out}: {error.strerror}"
            ) from None
    from acquittance.present.documents import REGISTER_KINDS, imported_document

    summary = None
    if import_:
        from acquittance import service

        summary = service.load_deal(service.store_at(db), deal)
    document = imported_document(str(deal_out) if deal_out else None, summary)
    if as_json:
        emit_json(document)
    else:
        loaded = ", ".join(
            f"{name}: {', '.join(document[name])}" for name in REGISTER_KINDS if name in document
        )
        typer.echo(f"imported {path.name}: {loaded or 'written to ' + str(deal_out)}", err=True)
