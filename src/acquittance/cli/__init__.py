"""The command line: `acquittance COMMAND ...` (see DESIGN.md for the contract)."""

from __future__ import annotations

import sys

import click

from acquittance.cli.app import app, fail
from acquittance.errors import AcquittanceError, InputError


def _register_commands() -> None:
    # Importing a command module registers its commands on `app`.
    import importlib

    for module in ("commands", "read", "draft"):
        try:
            importlib.import_module(f"acquittance.cli.{module}")
        except ModuleNotFoundError as missing:
            if missing.name != f"acquittance.cli.{module}":
                raise


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `acquittance` console script."""
    args = sys.argv[1:] if argv is None else argv
    as_json = "--json" in args
    _register_commands()
    try:
        result = app(args=args, prog_name="acquittance", standalone_mode=False)
    except AcquittanceError as error:
        fail(error, as_json=as_json)
    except click.exceptions.Exit as stop:
        raise SystemExit(stop.exit_code) from None
    except click.exceptions.Abort:
        raise SystemExit(130) from None
    except click.UsageError as usage:
        fail(
            InputError("USAGE", f"{usage.format_message()} (see acquittance --help)"),
            as_json=as_json,
        )
    except click.ClickException as other:
        fail(InputError("USAGE", other.format_message()), as_json=as_json)
    raise SystemExit(result if isinstance(result, int) else 0)
