"""The Typer application and what every command shares: JSON output and error translation.

Commands live in sibling modules that register themselves on `app`; each
imports its heavy dependencies inside the command so that `acquittance read`
does not pay for SQLAlchemy and `acquittance quote` does not pay for PDF.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from decimal import Decimal
from typing import Any, NoReturn

import typer

from acquittance.core.errors import AcquittanceError, InputError

app = typer.Typer(
    name="acquittance",
    help="System of record for secured loans collateralised by notes, and for settling them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

#: `--json` on every reporting command: one JSON document on standard output, nothing else there.
JSON_OPTION = typer.Option(False, "--json", help="Print one JSON document on standard output.")
DB_HELP = "Store: a file path or a SQLAlchemy URL (else $ACQUITTANCE_DB, else a per-user file)."


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot put {type(value).__name__} in JSON")


def emit_json(document: Any) -> None:
    """Write one JSON document to standard output (amounts as decimal strings, dates ISO)."""
    sys.stdout.write(json.dumps(document, indent=2, default=_json_default, ensure_ascii=False))
    sys.stdout.write("\n")


def parse_date(text: str, *, option: str = "--as-of") -> date:
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        raise InputError(
            "INVALID_DATE", f"{option} {text!r} is not a date; write it as YYYY-MM-DD"
        ) from None


def fail(error: AcquittanceError, *, as_json: bool) -> NoReturn:
    """Report a user-caused error the one way the contract says, and exit 2."""
    if as_json:
        emit_json({"error": error.as_dict()})
    message = " ".join(error.message.split())
    sys.stderr.write(f"error {error.code}: {message}\n")
    raise SystemExit(2)


@app.callback()
def _options(
    db: str | None = typer.Option(None, "--db", help=DB_HELP, show_default=False),
) -> None:
    """Secured loans collateralised by notes receivable, and their settlement."""
    # `acquittance --db PATH COMMAND` and `acquittance COMMAND --db PATH` both work;
    # a command's own --db wins because it is resolved after this.
    if db is not None:
        import os

        os.environ["ACQUITTANCE_DB"] = db
