"""The command line: `acquittance COMMAND ...` (see DESIGN.md for the contract).

This module is the console script's entry point and imports nothing at all:
`acquittance --version` answers from here, `acquittance --help` (and
`acquittance` alone, which prints the same help as a usage mistake) from
`acquittance.cli.toplevel`, and everything else starts Typer
(`acquittance.cli.app`), which imports a command's module only when it runs.
"""

from __future__ import annotations

import sys

_VERSION_ARGUMENTS = frozenset({"--version", "--json"})


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `acquittance` console script; always exits."""
    args = sys.argv[1:] if argv is None else list(argv)
    if "--version" in args and set(args) <= _VERSION_ARGUMENTS:
        from acquittance import __version__

        if "--json" in args:
            sys.stdout.write(f'{{"version": "{__version__}"}}\n')
        else:
            sys.stdout.write(f"acquittance {__version__}\n")
        raise SystemExit(0)
    if args in ([], ["--help"]):
        from acquittance.cli.toplevel import help_text

        # What Typer would print (tests/cli hold the two to the same bytes).
        (sys.stdout if args else sys.stderr).write(f"{help_text()}\n")
        raise SystemExit(0 if args else 2)
    from acquittance.cli.app import run

    run(args)


def _register_commands() -> None:
    """Import every command module, so that `app` holds all the commands (for tests that
    inspect it); running a command does not need this."""
    from importlib import import_module

    from acquittance.cli.toplevel import COMMAND_MODULES

    for module in COMMAND_MODULES:
        import_module(f"acquittance.cli.{module}")
