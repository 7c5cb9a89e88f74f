"""The Typer application and what every command shares: JSON output and error translation.

Commands live in sibling modules that register themselves on `app`. They are
imported only when one of their commands runs: `COMMANDS` (in `toplevel`, with
the application's own help and options) names each command, its module and its
one-line help, so that the help lists them all without importing any (and
SQLAlchemy, Rich or the agreement reader with them), and `acquittance quote`
imports the register commands and not the reader or the drafter. Each command
imports its heavy dependencies inside its body for the same reason. Help is
Click's plain text: Typer's Rich panels cost more to import than the rest of
the start-up. `acquittance --help` itself never reaches this module: the
console script answers it from `toplevel` (tests/cli check the table against
what the modules register, and the two help pages against each other).
"""

from __future__ import annotations

import importlib
import json
import sys
from datetime import date
from decimal import Decimal
from typing import Any, NoReturn

import typer
from typer.core import TyperGroup

from acquittance import __version__
from acquittance.cli.toplevel import (
    COMMAND_MODULES,
    COMMANDS,
    DB_HELP,
    DB_METAVAR,
    MAX_WIDTH,
    PROGRAM,
    PROGRAM_HELP,
    VERSION_HELP,
    command_sections,
)
from acquittance.core import dates
from acquittance.core.errors import AcquittanceError, InputError


class LazyGroup(TyperGroup):
    """The top-level group: a command's module is imported when the command is asked for."""

    def list_commands(self, ctx: Any) -> list[str]:
        return [*COMMANDS, *(name for name in self.commands if name not in COMMANDS)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands:
            module = COMMANDS.get(cmd_name, (None, ""))[0]
            # A name the table does not know may still be registered by some module.
            load_commands(self, (module,) if module else COMMAND_MODULES)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """The command list from `COMMANDS` in the groups of `HELP_PANELS`, importing
        nothing; each summary whole, wrapped (as `toplevel.help_text` lays it out)."""
        summaries = {name: summary for name, (_, summary) in COMMANDS.items()}
        summaries |= {
            name: command.get_short_help_str(limit=200)
            for name, command in self.commands.items()
            if name not in COMMANDS and not command.hidden
        }
        for title, names in command_sections(summaries):
            with formatter.section(title):
                formatter.write_dl([(name, summaries[name]) for name in names])


def load_commands(group: TyperGroup, modules: tuple[str, ...] = COMMAND_MODULES) -> None:
    """Import command modules (each registers on `app`) and add their commands to `group`."""
    for module in modules:
        importlib.import_module(f"acquittance.cli.{module}")
    built = typer.main.get_command(app)
    assert isinstance(built, TyperGroup)
    for name, command in built.commands.items():
        group.commands.setdefault(name, command)


app = typer.Typer(
    name=PROGRAM,
    help=PROGRAM_HELP,
    cls=LazyGroup,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"max_content_width": MAX_WIDTH},
)

#: `--json` on every reporting command: one JSON document on standard output, nothing else there.
JSON_OPTION = typer.Option(False, "--json", help="Print one JSON document on standard output.")


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
    """A date option: YYYY-MM-DD, within the dates acquittance keeps (core.dates)."""
    return dates.parse_date(text, field=option)


def fail(error: AcquittanceError, *, as_json: bool) -> NoReturn:
    """Report a user-caused error the one way the contract says, and exit 2."""
    if as_json:
        from acquittance.present.errors import error_document

        emit_json(error_document(error))
    message = " ".join(error.message.split())
    sys.stderr.write(f"error {error.code}: {message}\n")
    raise SystemExit(2)


def version_text(*, as_json: bool) -> str:
    """What `acquittance --version` prints."""
    if as_json:
        return json.dumps({"version": __version__}) + "\n"
    return f"acquittance {__version__}\n"


def _show_version(value: bool) -> None:
    if value:
        sys.stdout.write(version_text(as_json=False))
        raise typer.Exit()


@app.callback()
def _options(
    db: str | None = typer.Option(
        None, "--db", help=DB_HELP, show_default=False, metavar=DB_METAVAR
    ),
    version: bool = typer.Option(
        False,
        "--version",
        help=VERSION_HELP,
        is_eager=True,
        callback=_show_version,
    ),
) -> None:
    """Secured loans collateralised by notes receivable, and their settlement."""
    # `acquittance --db PATH COMMAND` and `acquittance COMMAND --db PATH` both work;
    # a command's own --db wins because it is resolved after this.
    if db is not None:
        import os

        os.environ["ACQUITTANCE_DB"] = db


def _exception_classes(name: str) -> tuple[type[BaseException], ...]:
    """Click's exception `name`, and Typer's own copy of it where newer Typer has one."""
    found: list[type[BaseException]] = []
    for module in ("typer._click.exceptions", "click.exceptions", "typer.exceptions"):
        candidate = getattr(sys.modules.get(module), name, None)
        if isinstance(candidate, type) and candidate not in found:
            found.append(candidate)
    return tuple(found)


def _usage_code(mistake: BaseException) -> str:
    """USAGE, or the stable code of an enumerated option whose value it does not offer."""
    from acquittance.cli.choices import choice_code

    param = getattr(mistake, "param", None)
    if param is None or type(mistake).__name__ == "MissingParameter":
        return "USAGE"
    return choice_code(getattr(param, "opts", ())) or "USAGE"


def run(args: list[str]) -> NoReturn:
    """Run the command line on `args` and exit with the contract's status."""
    as_json = "--json" in args
    exit_, abort = _exception_classes("Exit"), _exception_classes("Abort")
    no_args, usage = _exception_classes("NoArgsIsHelpError"), _exception_classes("UsageError")
    click_error = _exception_classes("ClickException")
    try:
        result = app(args=args, prog_name=PROGRAM, standalone_mode=False)
    except AcquittanceError as error:
        fail(error, as_json=as_json)
    except exit_ as stop:
        raise SystemExit(getattr(stop, "exit_code", 0)) from None
    except no_args as bare:
        # `acquittance` alone: the help text, as a usage mistake.
        sys.stderr.write(f"{bare.format_message()}\n")  # type: ignore[attr-defined]
        raise SystemExit(2) from None
    except abort:
        raise SystemExit(130) from None
    except usage as mistake:
        message = f"{mistake.format_message()} (see acquittance --help)"  # type: ignore[attr-defined]
        fail(InputError(_usage_code(mistake), message), as_json=as_json)
    except click_error as other:
        fail(InputError("USAGE", other.format_message()), as_json=as_json)  # type: ignore[attr-defined]
    raise SystemExit(result if isinstance(result, int) else 0)
