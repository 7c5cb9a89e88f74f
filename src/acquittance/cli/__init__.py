"""The command line: `acquittance COMMAND ...` (see DESIGN.md for the contract)."""

from __future__ import annotations

import importlib
import sys

from acquittance.cli.app import app, fail
from acquittance.core.errors import AcquittanceError, InputError


def _exception_classes(name: str) -> tuple[type[BaseException], ...]:
    """Click's exception `name`, and Typer's own copy of it where newer Typer has one."""
    found: list[type[BaseException]] = []
    for module in ("click.exceptions", "typer.exceptions", "typer._click.exceptions"):
        try:
            candidate = getattr(importlib.import_module(module), name, None)
        except ImportError:
            continue
        if isinstance(candidate, type) and candidate not in found:
            found.append(candidate)
    return tuple(found)


_EXIT = _exception_classes("Exit")
_ABORT = _exception_classes("Abort")
_NO_ARGS = _exception_classes("NoArgsIsHelpError")
_USAGE = _exception_classes("UsageError")
_CLICK_ERROR = _exception_classes("ClickException")


def _register_commands() -> None:
    # Importing a command module registers its commands on `app`.
    for module in ("commands", "read", "draft"):
        importlib.import_module(f"acquittance.cli.{module}")


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `acquittance` console script."""
    args = sys.argv[1:] if argv is None else argv
    as_json = "--json" in args
    _register_commands()
    try:
        result = app(args=args, prog_name="acquittance", standalone_mode=False)
    except AcquittanceError as error:
        fail(error, as_json=as_json)
    except _EXIT as stop:
        raise SystemExit(getattr(stop, "exit_code", 0)) from None
    except _NO_ARGS as bare:
        # `acquittance` alone: the help text, as a usage mistake.
        sys.stderr.write(f"{bare.format_message()}\n")  # type: ignore[attr-defined]
        raise SystemExit(2) from None
    except _ABORT:
        raise SystemExit(130) from None
    except _USAGE as usage:
        message = f"{usage.format_message()} (see acquittance --help)"  # type: ignore[attr-defined]
        fail(InputError("USAGE", message), as_json=as_json)
    except _CLICK_ERROR as other:
        fail(InputError("USAGE", other.format_message()), as_json=as_json)  # type: ignore[attr-defined]
    raise SystemExit(result if isinstance(result, int) else 0)
