"""How the command line shows things: help, enumerated options, decimals in --explain,
ids in tables on a narrow terminal, and progress only where a person watches."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import REFERENCE_DEAL, REFERENCE_LOAN, ok, run

from acquittance.cli import app as cli_app
from acquittance.cli import choices, progress, toplevel
from acquittance.core.instruments import EVENT_KINDS
from acquittance.service.documents import DOCUMENT_FORMATS, SCHEDULE_FORMATS
from acquittance.store.records import ObligationStatus

HARBOR_DEAL = REFERENCE_DEAL.with_name("harbor-mortgage-surplus.toml")


@pytest.fixture
def store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    db = tmp_path / "store.db"
    ok(capsys, "init", "--db", db)
    ok(capsys, "load", REFERENCE_DEAL, "--db", db)
    ok(capsys, "load", HARBOR_DEAL, "--db", db)
    return db


def _leaves() -> dict[str, Any]:
    group = cli_app.LazyGroup(name="probe")
    cli_app.load_commands(group)
    leaves: dict[str, Any] = {}
    for name, command in group.commands.items():
        leaves[name] = command
        for sub_name, sub in getattr(command, "commands", {}).items():
            leaves[f"{name} {sub_name}"] = sub
    return leaves


# --- help -------------------------------------------------------------------------------------


def test_no_help_shows_default_none(capsys: pytest.CaptureFixture[str]) -> None:
    for name in ["", *_leaves()]:
        result = run(capsys, *name.split(), "--help")
        assert result.code == 0, (name, result.err)
        assert "default: None" not in result.out, name
        assert "<str>" not in result.out, name


def test_every_command_option_and_argument_says_what_it_does() -> None:
    for name, command in _leaves().items():
        assert (command.help or "").strip(), f"{name} has no help"
        for param in command.params:
            text = getattr(param, "help", None) or ""
            assert text.strip(), f"{name} {param.name} has no help"
            assert text.rstrip().endswith((".", ")")), f"{name} {param.name}: {text!r}"


def test_top_level_help_groups_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    text = run(capsys, "--help").out
    headings = [line[:-1] for line in text.splitlines() if re.fullmatch(r"[A-Z][a-z ]+:", line)]
    commands = set(toplevel.COMMANDS)
    panels = [title for title, names in toplevel.HELP_PANELS.items() if set(names) & commands]
    assert headings == ["Usage", "Options", *panels] or headings == ["Options", *panels]
    grouped = {name for names in toplevel.HELP_PANELS.values() for name in names}
    assert set(toplevel.COMMANDS) <= grouped


# --- enumerated options -----------------------------------------------------------------------


def test_the_choices_are_the_products_own() -> None:
    assert tuple(choices.DocumentFormat) == DOCUMENT_FORMATS
    assert tuple(choices.ScheduleFormat) == SCHEDULE_FORMATS
    assert set(choices.RecordedEvent) <= set(EVENT_KINDS.values())
    assert [str(s) for s in choices.ObligationFilter] == [str(s) for s in ObligationStatus]


@pytest.mark.parametrize(
    ("args", "listed"),
    [
        (("draft",), "[md|html|docx|pdf]"),
        (("letter", "payoff"), "[md|html|docx|pdf]"),
        (("statement",), "[md|html|docx|pdf]"),
        (("ucc3",), "[md|html|docx|pdf]"),
        (("schedule",), "[csv|xlsx]"),
        (("record",), "[advance|payment|rate_change]"),
        (("obligations",), "[open|done]"),
    ],
)
def test_help_lists_the_choices(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], listed: str
) -> None:
    text = " ".join(run(capsys, *args, "--help").out.split())
    assert listed.strip("[]").replace("|", "|") in text.replace("<", "").replace(">", "")


@pytest.mark.parametrize(
    ("code", "args"),
    [
        (
            "UNKNOWN_FORMAT",
            ("schedule", "quill-mortgage-1", "--format", "ods", "--output", "x.ods"),
        ),
        ("UNKNOWN_FORMAT", ("draft", "x", "--format", "rtf", "--output", "x.rtf")),
        ("UNKNOWN_EVENT", ("record", REFERENCE_LOAN, "--kind", "refund", "--date", "2002-04-01")),
        ("INVALID_STATUS", ("obligations", "--status", "maybe")),
    ],
)
def test_a_value_not_offered_is_refused_with_its_code(
    store: Path, capsys: pytest.CaptureFixture[str], code: str, args: tuple[str, ...]
) -> None:
    refused = run(capsys, *args, "--db", store)
    assert refused.code == 2
    assert refused.err.startswith(f"error {code}: "), refused.err
    as_json = run(capsys, *args, "--db", store, "--json")
    assert as_json.json()["error"]["code"] == code


def test_a_missing_enumerated_option_is_a_usage_error(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = run(capsys, "record", REFERENCE_LOAN, "--date", "2002-04-01", "--db", store)
    assert missing.code == 2 and missing.err.startswith("error USAGE: ")


# --- plain decimals in --explain --------------------------------------------------------------

NUMBER = re.compile(r"^-?\d+(\.\d+)?$|^-?\d+/\d+$")


def _strings(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [s for value in node.values() for s in _strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in _strings(value)]
    return [node] if isinstance(node, str) else []


@pytest.mark.parametrize("as_of", ["2002-03-31", "2002-04-30"])
def test_explain_writes_every_decimal_out(
    store: Path, capsys: pytest.CaptureFixture[str], as_of: str
) -> None:
    """On the reference date no period has run, so the periods' interest is exactly zero:
    the edge case that once printed as 0E-20. A month on, every period has figures."""
    document = ok(capsys, "quote", REFERENCE_LOAN, "--as-of", as_of, "--explain", "--db", store)
    explained = document["explanation"]
    looks_numeric = re.compile(r"-?[\d.]+(E[-+]?\d+)?|-?\d+/\d+", re.IGNORECASE)
    numbers = [s for s in _strings(explained) if looks_numeric.fullmatch(s)]
    assert numbers
    for text in numbers:
        assert NUMBER.match(text) and "E" not in text.upper(), text
    zero = explained["loan"]["periods_interest_decimal"]
    if as_of == "2002-03-31":
        assert zero == "0." + "0" * 20
    shown = run(capsys, "quote", REFERENCE_LOAN, "--as-of", as_of, "--explain", "--db", store)
    assert shown.code == 0
    assert not re.search(r"\dE[-+]?\d", shown.out), shown.out


def test_explain_names_each_instrument_as_every_document_does(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = ok(
        capsys, "quote", REFERENCE_LOAN, "--as-of", "2002-04-30", "--explain", "--db", store
    )
    explained = document["explanation"]
    assert explained["loan"]["instrument"] == REFERENCE_LOAN
    assert [n["instrument"] for n in explained["notes"]] == [
        n["note"] for n in document["collateral"]["notes"]
    ]
    periods = explained["loan"]["periods"]
    assert periods and periods[0]["interest_decimal"].startswith("94791.66")


# --- ids in tables ----------------------------------------------------------------------------


def test_ids_stay_whole_on_a_narrow_terminal(
    store: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    closed = ok(capsys, "settle", REFERENCE_LOAN, "--as-of", "2002-03-31", "--db", store)
    saved = ok(
        capsys, "quote", "harbor-quill-loan", "--as-of", "2024-06-30", "--save", "--db", store
    )
    obligation_ids = [o["id"] for o in closed["obligations"]]
    assert any(len(i) > 40 for i in obligation_ids)
    monkeypatch.setenv("COLUMNS", "60")
    listed = run(capsys, "list", "--db", store)
    shown = run(capsys, "obligations", "--db", store)
    quotes = run(capsys, "quotes", "--db", store)
    for ids, out in (
        (["berg-valence-loan", "harbor-quill-pledge", "quill-mortgage-1"], listed.out),
        (obligation_ids, shown.out),
        ([saved["quote_id"]], quotes.out),
    ):
        for record_id in ids:
            assert record_id in out, (record_id, out)
    books = run(capsys, "books", "harbor", "--db", store)
    accounts = ok(capsys, "books", "harbor", "--db", store)["accounts"]
    for account in accounts:
        assert account["account"] in books.out, (account, books.out)
    # A table that fits stays within the terminal.
    position = run(capsys, "position", REFERENCE_LOAN, "--as-of", "2002-03-31", "--db", store)
    assert max(map(len, position.out.splitlines())) <= 60


# --- progress ---------------------------------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_draws_only_on_a_terminal_without_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(progress.QUIET_VARIABLE, raising=False)
    terminal = _Terminal()
    assert progress.shown(stream=terminal)
    assert not progress.shown(stream=terminal, as_json=True)
    assert not progress.shown(stream=io.StringIO())
    monkeypatch.setenv(progress.QUIET_VARIABLE, "1")
    assert not progress.shown(stream=terminal)
    monkeypatch.delenv(progress.QUIET_VARIABLE)
    monkeypatch.setattr("sys.stderr", terminal)
    with progress.progress(3, "counting") as advance:
        for _ in range(3):
            advance()
    assert "counting" in terminal.getvalue()
    piped = io.StringIO()
    monkeypatch.setattr("sys.stderr", piped)
    with progress.progress(3, "counting") as advance:
        advance()
    assert piped.getvalue() == ""


def test_a_piped_batch_prints_json_lines_and_no_progress(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    batch = tmp_path / "batch.csv"
    batch.write_text(
        f"loan,as_of,key\n{REFERENCE_LOAN},2002-03-31,p-1\nharbor-quill-loan,2024-06-30,p-2\n"
    )
    result = run(capsys, "settle", "--batch", batch, "--db", store)
    assert result.code == 0, result.err
    lines = [json.loads(line) for line in result.out.splitlines()]
    assert [line["status"] for line in lines] == ["closed", "closed"]
    assert "\r" not in result.err and "━" not in result.err and "\x1b" not in result.err
    assert result.err.splitlines() == [result.err.splitlines()[-1]]
    assert result.err.startswith("settled 2 lines: 2 closed, 0 refused")


def test_a_piped_batch_read_prints_no_progress(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "agreements"
    folder.mkdir()
    for name in ("a.md", "b.md"):
        ok(capsys, "draft", REFERENCE_DEAL, "--as-of", "2002-03-31", "--output", folder / name)
    result = run(capsys, "read", folder)
    assert result.code == 0, result.err
    assert len(result.out.splitlines()) == 2
    assert result.err == ""


def test_a_batch_on_a_terminal_draws_its_bar_on_stderr_only(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = tmp_path / "batch.csv"
    batch.write_text(f"loan,as_of,key\n{REFERENCE_LOAN},2002-03-31,t-1\n")
    monkeypatch.delenv(progress.QUIET_VARIABLE, raising=False)
    terminal = _Terminal()
    capsys.readouterr()
    monkeypatch.setattr("sys.stderr", terminal)
    with pytest.raises(SystemExit) as stop:
        from acquittance.cli import main

        main(["settle", "--batch", str(batch), "--db", str(store)])
    assert stop.value.code in (0, None)
    out = capsys.readouterr().out
    assert [json.loads(line)["status"] for line in out.splitlines()] == ["closed"]
    assert "settling" in terminal.getvalue()
    assert "settling" not in out
