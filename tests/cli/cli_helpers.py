"""Running `acquittance` in-process and reading what it printed."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from acquittance.cli import main

REFERENCE_DEAL = Path(__file__).resolve().parents[2] / "examples" / "valence-berg-2002.toml"
REFERENCE_LOAN = "berg-valence-loan"


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> Run:
    """`acquittance ARGS...` in this process: its exit status, stdout and stderr."""
    capsys.readouterr()
    try:
        main([str(a) for a in args])
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    else:  # pragma: no cover - main always exits
        code = 0
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


def ok(capsys: pytest.CaptureFixture[str], *args: str | Path) -> Any:
    """Run a reporting command with --json that must succeed; its document."""
    result = run(capsys, *args, "--json")
    assert result.code == 0, (args, result.err, result.out)
    return result.json()


def dump(path: Path) -> list[str]:
    """The logical content of a SQLite store, statement by statement."""
    connection = sqlite3.connect(path)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


def deal_file(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path
