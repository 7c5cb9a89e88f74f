"""Start-up: `--version` and `--help` answer without the heavy parts, and each command
loads only what it needs. What is imported is checked here; how long it takes is a
benchmark's business (benchmarks/startup.py), never a test's."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from cli_helpers import REFERENCE_DEAL, REFERENCE_LOAN, ok, run

import acquittance
from acquittance.cli import app as cli_app
from acquittance.cli import toplevel

#: Never needed to print help or a version. (Typer 0.17 imports the `rich` package
#: itself, a few names, to see whether it is installed; its consoles and tables are heavy.)
HEAVY = (
    "sqlalchemy",
    "alembic",
    "mako",
    "rich.console",
    "rich.table",
    "rich.markdown",
    "weasyprint",
    "docx",
    "jinja2",
    "pypdf",
)
#: Never needed to quote from a store.
NOT_FOR_A_QUOTE = (
    "alembic",
    "mako",
    "weasyprint",
    "docx",
    "jinja2",
    "pypdf",
    "pypdfium2",
    "bs4",
    "lxml",
    "acquittance.agreements",
    # The deal-file parser and its TOML reader: a quote reads the store, not a deal file.
    "acquittance.deals.parse",
    "tomllib",
)

PROBE = """
import json, os, sys
from acquittance.cli import main
try:
    main(sys.argv[1:])
except SystemExit as stop:
    code = stop.code
with open(os.environ["MODULES_OUT"], "w") as out:
    json.dump({"code": code, "modules": sorted(sys.modules)}, out)
"""


def imported_by(tmp_path: Path, *args: str | Path) -> tuple[int, set[str]]:
    """Run `acquittance ARGS` in a fresh interpreter; its exit status and the modules it loaded."""
    out = tmp_path / "modules.json"
    subprocess.run(
        [sys.executable, "-c", PROBE, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"MODULES_OUT": str(out), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    found = json.loads(out.read_text())
    return found["code"], set(found["modules"])


def loaded(modules: set[str], packages: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules for p in packages if m == p or m.startswith(f"{p}."))


def test_version_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    plain = run(capsys, "--version")
    assert (plain.code, plain.out, plain.err) == (0, f"acquittance {acquittance.__version__}\n", "")
    assert ok(capsys, "--version") == {"version": acquittance.__version__}
    # Also as an option of the application, after another global option.
    assert run(capsys, "--db", "x.db", "--version").out == plain.out


def test_version_imports_nothing_of_the_cli(tmp_path: Path) -> None:
    code, modules = imported_by(tmp_path, "--version")
    assert code == 0
    assert loaded(modules, ("typer", "click", "acquittance.cli.app", *HEAVY)) == []


@pytest.mark.parametrize(("args", "status"), [(("--help",), 0), ((), 2)])
def test_help_imports_neither_typer_nor_a_command_module_nor_anything_heavy(
    tmp_path: Path, args: tuple[str, ...], status: int
) -> None:
    code, modules = imported_by(tmp_path, *args)
    assert code == status
    assert loaded(modules, ("typer", "click", "acquittance.cli.app", *HEAVY)) == []
    assert loaded(modules, ("acquittance.cli.commands", "acquittance.cli.read")) == []


def _typer_run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`acquittance ARGS` through the Typer application, past the console script's own
    answers."""
    capsys.readouterr()
    with pytest.raises(SystemExit) as stop:
        cli_app.run(list(args))
    captured = capsys.readouterr()
    assert isinstance(stop.value.code, int)
    return stop.value.code, captured.out, captured.err


#: Terminal widths around each of the help's limits (Click's floor of 50 columns, its
#: ceiling of `toplevel.MAX_WIDTH`), and the wrap points of every line between.
WIDTHS = ("", "junk", "-3", "0", "1", "30", *map(str, range(48, 106)), "160", "1000")


@pytest.mark.parametrize("columns", WIDTHS)
def test_the_help_page_is_the_one_typer_prints_byte_for_byte(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, columns: str
) -> None:
    """`acquittance --help`, answered before Typer is imported, is what Typer prints for
    it (and `acquittance` alone, on standard error with status 2), at every width."""
    if columns:
        monkeypatch.setenv("COLUMNS", columns)
    else:
        monkeypatch.delenv("COLUMNS", raising=False)
    typer_help = _typer_run(capsys, "--help")
    assert typer_help[0] == 0 and typer_help[2] == ""
    assert typer_help[1] == f"{toplevel.help_text()}\n"
    console_help = run(capsys, "--help")
    assert (console_help.code, console_help.out, console_help.err) == (0, typer_help[1], "")
    typer_bare = _typer_run(capsys)
    assert typer_bare == (2, "", typer_help[1])
    console_bare = run(capsys)
    assert (console_bare.code, console_bare.out, console_bare.err) == typer_bare


@pytest.mark.parametrize("columns", ["", "junk", "0", "-3", " 90 ", "120"])
def test_the_help_finds_the_width_shutil_finds(
    monkeypatch: pytest.MonkeyPatch, columns: str
) -> None:
    if columns:
        monkeypatch.setenv("COLUMNS", columns)
    else:
        monkeypatch.delenv("COLUMNS", raising=False)
    assert toplevel.terminal_columns() == shutil.get_terminal_size().columns


def test_the_help_page_names_every_command_and_option_of_the_application() -> None:
    group = typer.main.get_command(cli_app.app)
    assert isinstance(group, cli_app.LazyGroup)
    cli_app.load_commands(group)
    ctx = group.context_class(group, info_name="acquittance")
    rows = [line.split(maxsplit=1) for line in toplevel.help_text(100).splitlines()]
    listed = {row[0] for row in rows if row}
    commands = [name for name, command in group.commands.items() if not command.hidden]
    assert len(commands) == len(toplevel.COMMANDS)
    assert [name for name in commands if name not in listed] == []
    options = [param.get_help_record(ctx) for param in group.get_params(ctx)]
    assert {record[0] for record in options if record} == {"--db PATH|URL", "--version", "--help"}
    text = " ".join(toplevel.help_text(100).split())
    for record in options:
        assert record is not None
        assert " ".join(record) in text, record


def test_a_quote_loads_neither_migrations_nor_the_reader_nor_the_drafter(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "books.db"
    ok(capsys, "init", "--db", db)
    ok(capsys, "load", REFERENCE_DEAL, "--db", db)
    code, modules = imported_by(
        tmp_path, "quote", REFERENCE_LOAN, "--as-of", "2002-03-31", "--db", db, "--json"
    )
    assert code == 0
    assert loaded(modules, NOT_FOR_A_QUOTE) == []
    assert loaded(modules, ("acquittance.cli.read", "acquittance.cli.draft")) == []


def test_the_command_table_is_what_the_modules_register() -> None:
    """`acquittance --help` lists COMMANDS without importing the modules: the table must
    name every command they register, with the first sentence of its docstring."""
    group = cli_app.LazyGroup(name="probe")
    cli_app.load_commands(group)
    registered = {
        name: command.get_short_help_str(limit=500) for name, command in group.commands.items()
    }
    table = {name: summary for name, (_, summary) in toplevel.COMMANDS.items()}
    assert registered == table
    for name, (module, _) in toplevel.COMMANDS.items():
        command = group.commands[name]
        callbacks = [
            command.callback,
            *(c.callback for c in getattr(command, "commands", {}).values()),
        ]
        modules = {getattr(c, "__module__", None) for c in callbacks if c is not None}
        assert modules == {f"acquittance.cli.{module}"}, name


def test_every_module_that_registers_commands_is_in_the_table() -> None:
    folder = Path(cli_app.__file__).parent
    registering = {
        path.stem
        for path in folder.glob("*.py")
        if path.stem != "app"
        and re.search(r"@app\.command|app\.add_typer", path.read_text(encoding="utf-8"))
    }
    assert registering == set(toplevel.COMMAND_MODULES)


def test_help_lists_every_command_with_its_summary(capsys: pytest.CaptureFixture[str]) -> None:
    result = run(capsys, "--help")
    assert result.code == 0
    text = " ".join(result.out.split())
    for name, (_, summary) in toplevel.COMMANDS.items():
        assert f" {name} " in text, name
        assert " ".join(summary.split()) in text, name
    assert "--version" in text and "--db" in text


def test_each_command_runs_from_its_own_module(capsys: pytest.CaptureFixture[str]) -> None:
    for name in toplevel.COMMANDS:
        result = run(capsys, name, "--help")
        assert result.code == 0, (name, result.err)
        assert f"acquittance {name}" in result.out


def test_an_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    result = run(capsys, "nosuch")
    assert result.code == 2
    assert result.err.startswith("error USAGE: ")
