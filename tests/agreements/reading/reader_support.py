"""Helpers of the reader's tests: where the fixtures and the shared corpus are, the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).parents[1] / "fixtures"
SHARED = Path(__file__).parents[3] / ".." / "shared"
#: The reference agreement, kept in the project (see fixtures/README.md).
REFERENCE = FIXTURES / "valence-berg-2002-letter-agreement.txt"
CORPUS = SHARED / "corpus" / "cuad"


def shared_file(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"the shared folder is not next to the checkout ({path} is missing)")
    return path


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run `acquittance read ARGS` in-process; (exit status, stdout, stderr)."""
    import typer

    from acquittance.cli import _register_commands, main
    from acquittance.cli.app import app

    _register_commands()
    # A Typer app with one command runs it without its name; with several it is a group.
    group = len(app.registered_commands) > 1 or bool(app.registered_groups)
    argv = ["read", *args] if group else list(args)
    assert typer  # imported for its side effect of being available to main
    try:
        main(argv)
    except SystemExit as stop:
        code = int(stop.code or 0)
    else:
        code = 0
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def read_json(capsys: pytest.CaptureFixture[str], path: Path) -> dict[str, Any]:
    code, out, err = run_cli(capsys, str(path), "--json")
    assert code == 0, err
    document: dict[str, Any] = json.loads(out)
    return document
