"""Bad input: exit status 2, one coded error, and a store whose content is unchanged."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from cli_helpers import REFERENCE_DEAL, deal_file, dump, ok, run

BASE = """\
[deal]
title = "Test"
currency = "USD"

[[parties]]
id = "lender"
name = "Lender LLC"
entity_type = "limited liability company"
jurisdiction = "California"

[[parties]]
id = "borrower"
name = "Borrower Inc."
entity_type = "corporation"
jurisdiction = "Delaware"

[[loans]]
id = "loan-a"
lender = "lender"
borrower = "borrower"
annual_rate = "6%"
day_count = "ACT/360"

[[loans.events]]
kind = "opening"
date = 2020-01-01
principal = 1000000.00
interest = 1000.00

[[notes]]
id = "note-1"
maker = "Maker One"
holder = "borrower"
annual_rate = "5%"
day_count = "30/360-US"

[[notes.events]]
kind = "opening"
date = 2020-01-01
principal = 300000.00
interest = 500.00

[[notes]]
id = "note-2"
maker = "Maker Two"
holder = "borrower"
annual_rate = "5%"
day_count = "30/360-US"

[[notes.events]]
kind = "opening"
date = 2020-01-01
principal = 200000.00

[[notes]]
id = "note-3"
maker = "Maker Three"
holder = "borrower"
annual_rate = "5%"
day_count = "30/360-US"

[[notes.events]]
kind = "opening"
date = 2020-01-01
principal = 1000.00

[[security_interests]]
id = "pledge-a"
loan = "loan-a"
secured_party = "lender"
debtor = "borrower"
notes = ["note-1", "note-2"]

[[security_interests.financing_statements]]
id = "ucc1-a"
filing_office = "California Secretary of State"
file_number = "2020-0001"
filed_on = 2020-01-02
"""

PAYMENTS_OUT_OF_ORDER = """interest = 1000.00

[[loans.events]]
kind = "payment"
date = 2020-03-01
amount = 100.00

[[loans.events]]
kind = "payment"
date = 2020-02-01
amount = 100.00
"""

PAYMENT_FIRST = """[[loans.events]]
kind = "payment"
date = 2019-06-01
amount = 100.00

[[loans.events]]
kind = "opening\""""

SECOND_PLEDGE = """[[security_interests]]
id = "pledge-b"
loan = "loan-a"
secured_party = "lender"
debtor = "borrower"
notes = ["note-1"]

[[security_interests]]"""


def _replace(old: str, new: str, count: int = 1) -> Callable[[str], str]:
    def edit(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, count)

    return edit


BAD_DEALS = {
    "unknown day count": (
        _replace('day_count = "ACT/360"', 'day_count = "ACT/999"'),
        "UNKNOWN_DAY_COUNT",
    ),
    "negative principal": (
        _replace("principal = 1000000.00", "principal = -1000000.00"),
        "NEGATIVE_AMOUNT",
    ),
    "rate as a bare percentage": (
        _replace('annual_rate = "6%"', "annual_rate = 6.5"),
        "RATE_LOOKS_LIKE_PERCENT",
    ),
    "rate as a percentage string without the sign": (
        _replace('annual_rate = "6%"', 'annual_rate = "6.5"'),
        "RATE_LOOKS_LIKE_PERCENT",
    ),
    "events out of date order": (
        _replace("interest = 1000.00\n", PAYMENTS_OUT_OF_ORDER),
        "EVENTS_OUT_OF_ORDER",
    ),
    "event before the opening balance": (
        _replace('[[loans.events]]\nkind = "opening"', PAYMENT_FIRST),
        "NO_OPENING_BALANCE",
    ),
    "currency mismatch": (
        _replace('day_count = "ACT/360"', 'day_count = "ACT/360"\ncurrency = "EUR"'),
        "CURRENCY_MISMATCH",
    ),
    "pledging a note the borrower does not hold": (
        _replace('holder = "borrower"', 'holder = "lender"'),
        "NOTE_NOT_HELD_BY_DEBTOR",
    ),
    "pledging a note twice in one file": (
        _replace("[[security_interests]]", SECOND_PLEDGE),
        "NOTE_ALREADY_PLEDGED",
    ),
    "a bad amount": (
        _replace("principal = 1000000.00", 'principal = "abc"'),
        "INVALID_AMOUNT",
    ),
    "an unknown field": (
        _replace('day_count = "ACT/360"', 'day_count = "ACT/360"\ncolour = "red"'),
        "UNKNOWN_FIELD",
    ),
    "a reference to an undefined party": (
        _replace('lender = "lender"', 'lender = "nobody"'),
        "UNKNOWN_PARTY",
    ),
    "truncated": (lambda text: text[: len(text) // 2] + "\nunfinished = ", "DEAL_FILE_SYNTAX"),
}


@pytest.fixture
def empty(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "empty.db"
    ok(capsys, "init", "--db", path)
    return path


@pytest.fixture
def loaded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "loaded.db"
    ok(capsys, "init", "--db", path)
    ok(capsys, "load", deal_file(tmp_path, "base.toml", BASE), "--db", path)
    return path


def refused(
    capsys: pytest.CaptureFixture[str], db: Path, code: str | set[str], *args: str | Path
) -> str:
    """The command exits 2 with `error CODE: message` and leaves the store as it was."""
    before = dump(db)
    result = run(capsys, *args, "--db", db)
    assert result.code == 2, (args, result.out, result.err)
    match = re.fullmatch(r"error ([A-Z][A-Z0-9_]+): (.+)\n", result.err)
    assert match, result.err
    assert match[1] in ({code} if isinstance(code, str) else code), result.err
    assert dump(db) == before
    # The same refusal with --json: the error document on stdout.
    as_json = run(capsys, *args, "--db", db, "--json")
    assert as_json.code == 2
    assert json.loads(as_json.out) == {"error": {"code": match[1], "message": match[2]}}
    assert dump(db) == before
    return match[2]


@pytest.mark.parametrize("case", sorted(BAD_DEALS))
def test_a_bad_deal_file_is_refused_and_loads_nothing(
    case: str, empty: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit, code = BAD_DEALS[case]
    path = deal_file(tmp_path, "bad.toml", edit(BASE))
    message = refused(capsys, empty, code, "load", path)
    assert str(path) in message
    assert ok(capsys, "list", "--db", empty)["parties"] == []


def test_a_truncated_file_names_the_line(
    empty: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = deal_file(tmp_path, "cut.toml", BASE[: len(BASE) // 2] + "\nunfinished = ")
    message = refused(capsys, empty, "DEAL_FILE_SYNTAX", "load", path)
    assert re.search(r"line \d+", message), message


def test_a_bad_field_names_its_line_and_path(
    empty: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = deal_file(
        tmp_path, "bad.toml", BASE.replace("principal = 1000000.00", 'principal = "x"')
    )
    line = BASE.splitlines().index("principal = 1000000.00") + 1
    message = refused(capsys, empty, "INVALID_AMOUNT", "load", path)
    assert f"line {line}" in message
    assert "loans[0].events[0].principal" in message


def test_an_unknown_day_count_names_the_known_ones(
    empty: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = deal_file(tmp_path, "bad.toml", BASE.replace('"ACT/360"', '"ACT/999"'))
    message = refused(capsys, empty, "UNKNOWN_DAY_COUNT", "load", path)
    assert "loans[0].day_count" in message and "30E/360" in message


def test_a_second_deal_pledging_a_pledged_note_is_refused(
    loaded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A deal file names its own records, so the second one defines the note again; either
    way the pledged note is not pledged twice and nothing changes."""
    second = BASE.replace('id = "loan-a"', 'id = "loan-b"').replace(
        'loan = "loan-a"', 'loan = "loan-b"'
    )
    second = second.replace('id = "pledge-a"', 'id = "pledge-b"').replace('"ucc1-a"', '"ucc1-b"')
    path = deal_file(tmp_path, "second.toml", second)
    refused(capsys, loaded, {"NOTE_ALREADY_PLEDGED", "DUPLICATE_ID"}, "load", path)
    pledges = ok(capsys, "list", "--db", loaded)["security_interests"]
    assert [p["id"] for p in pledges] == ["pledge-a"]


def test_the_same_deal_twice_is_refused(
    loaded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    refused(capsys, loaded, "DUPLICATE_ID", "load", tmp_path / "base.toml")


def test_settling_a_discharged_loan(loaded: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ok(capsys, "settle", "loan-a", "--as-of", "2020-01-01", "--key", "one", "--db", loaded)
    refused(capsys, loaded, "LOAN_DISCHARGED", "settle", "loan-a", "--as-of", "2020-01-01")
    refused(
        capsys,
        loaded,
        "LOAN_DISCHARGED",
        "settle",
        "loan-a",
        "--as-of",
        "2020-01-01",
        "--key",
        "two",
    )
    refused(capsys, loaded, "LOAN_DISCHARGED", "quote", "loan-a", "--as-of", "2020-01-01")


def test_assigning_a_note_not_pledged_to_the_lender(
    loaded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for command in ("quote", "settle"):
        message = refused(
            capsys,
            loaded,
            "NOTE_NOT_PLEDGED",
            command,
            "loan-a",
            "--as-of",
            "2020-01-01",
            "--note",
            "note-3",
        )
        assert "note-3" in message
        refused(
            capsys,
            loaded,
            "UNKNOWN_NOTE",
            command,
            "loan-a",
            "--as-of",
            "2020-01-01",
            "--note",
            "x",
        )


def test_a_stale_quote_is_refused(loaded: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A quote saved for note-1; then note-2 settles part of the debt; the saved quote no
    longer describes the loan."""
    saved = ok(
        capsys,
        "quote",
        "loan-a",
        "--as-of",
        "2020-03-31",
        "--note",
        "note-1",
        "--partial",
        "--save",
        "--db",
        loaded,
    )
    partial = ok(
        capsys,
        "settle",
        "loan-a",
        "--as-of",
        "2020-03-31",
        "--note",
        "note-2",
        "--partial",
        "--key",
        "p",
        "--db",
        loaded,
    )
    assert partial["loan_status"] == "outstanding"
    refused(capsys, loaded, "STALE_QUOTE", "settle", "loan-a", "--quote", saved["quote_id"])
    refused(capsys, loaded, "UNKNOWN_QUOTE", "settle", "loan-a", "--quote", "q-nope")


@pytest.mark.parametrize(
    ("code", "args"),
    [
        ("UNKNOWN_LOAN", ("quote", "nope", "--as-of", "2020-01-01")),
        ("UNKNOWN_LOAN", ("settle", "nope", "--as-of", "2020-01-01", "--key", "k")),
        ("UNKNOWN_PARTY", ("journal", "nope")),
        ("UNKNOWN_PARTY", ("books", "nope")),
        ("UNKNOWN_INSTRUMENT", ("position", "nope", "--as-of", "2020-01-01")),
        ("UNKNOWN_RECORD", ("show", "nope")),
        ("UNKNOWN_OBLIGATION", ("obligations", "complete", "nope", "--on", "2020-01-01")),
        ("BEFORE_HISTORY", ("quote", "loan-a", "--as-of", "2019-12-31")),
        ("BEFORE_HISTORY", ("settle", "loan-a", "--as-of", "2019-12-31", "--key", "k")),
        ("INVALID_DATE", ("quote", "loan-a", "--as-of", "2020-13-01")),
        ("INVALID_AMOUNT", ("settle", "loan-a", "--as-of", "2020-01-01", "--value", "note-1=x")),
        ("INVALID_VALUE", ("quote", "loan-a", "--as-of", "2020-01-01", "--value", "note-1")),
        ("MISSING_OPTION", ("settle", "loan-a")),
        ("INVALID_STATUS", ("obligations", "--status", "maybe")),
    ],
)
def test_unknown_records_and_bad_options(
    code: str, args: tuple[str, ...], loaded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    refused(capsys, loaded, code, *args)


def test_export_of_an_unknown_party(loaded: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = dump(loaded)
    result = run(capsys, "export", "beancount", "nope", "--db", loaded)
    assert result.code == 2
    assert result.err.startswith("error UNKNOWN_PARTY: ")
    assert dump(loaded) == before


@pytest.mark.parametrize(
    "args",
    [("quote", "loan-a"), ("quote", "loan-a", "--as-of", "2020-01-01", "--bogus"), ("nosuch",)],
)
def test_usage_errors_exit_2_with_a_coded_line(
    args: tuple[str, ...], loaded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = dump(loaded)
    try:
        result = run(capsys, *args, "--db", loaded)
    except Exception as crash:  # the bug: the exception escapes main
        pytest.fail(f"{type(crash).__name__}: {crash}")
    assert result.code == 2
    assert re.fullmatch(r"error USAGE: [^\n]+\n", result.err), result.err
    assert dump(loaded) == before


@pytest.mark.parametrize(
    "args",
    [
        ("quote", "loan-a", "--as-of", "2020-01-01"),
        ("journal", "lender"),
        ("load", str(REFERENCE_DEAL)),
        ("settle", "loan-a", "--as-of", "2020-01-01", "--key", "k"),
        ("verify",),
    ],
)
def test_a_store_not_initialised_is_refused_and_not_created(
    args: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "missing" / "never.db"
    result = run(capsys, *args, "--db", path, "--json")
    assert result.code == 2
    assert result.json()["error"]["code"] == "STORE_NOT_INITIALIZED"
    assert result.err.startswith("error STORE_NOT_INITIALIZED: ")
    assert not path.exists()
    assert not list(tmp_path.rglob("never.db*"))


def test_a_store_that_cannot_be_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for path in (Path("/proc/nonexistent/x.db"), tmp_path / "a-file" / "x.db"):
        (tmp_path / "a-file").write_text("not a folder")
        result = run(capsys, "init", "--db", path)
        assert result.code == 2, result.err
        assert result.err.startswith("error STORE_NOT_WRITABLE: "), result.err
        assert not path.exists()


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root writes to read-only folders"
)
def test_a_store_in_a_read_only_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        result = run(capsys, "init", "--db", folder / "x.db")
        assert result.code == 2
        assert result.err.startswith("error STORE_NOT_WRITABLE: ")
    finally:
        folder.chmod(0o755)


# --- the installed console script -----------------------------------------------------------

SCRIPT = Path(sys.executable).parent / "acquittance"


def _script(
    *args: str | Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


@pytest.mark.skipif(not SCRIPT.exists(), reason="the console script is not installed")
def test_the_console_script_reports_errors_by_the_contract(loaded: Path, tmp_path: Path) -> None:
    before = dump(loaded)
    plain = _script("quote", "nope", "--as-of", "2020-01-01", env={"ACQUITTANCE_DB": str(loaded)})
    assert plain.returncode == 2
    assert plain.stdout == ""
    assert re.fullmatch(r"error UNKNOWN_LOAN: [^\n]+\n", plain.stderr), plain.stderr
    as_json = _script("journal", "nope", "--json", "--db", loaded)
    assert as_json.returncode == 2
    assert json.loads(as_json.stdout)["error"]["code"] == "UNKNOWN_PARTY"
    assert re.fullmatch(r"error UNKNOWN_PARTY: [^\n]+\n", as_json.stderr), as_json.stderr
    bad = tmp_path / "negative.toml"
    bad.write_text(BASE.replace("principal = 1000000.00", "principal = -1000000.00"))
    load = _script("load", bad, "--db", loaded)
    assert load.returncode == 2
    assert load.stderr.startswith("error NEGATIVE_AMOUNT: ") and load.stderr.count("\n") == 1
    assert dump(loaded) == before


@pytest.mark.skipif(not SCRIPT.exists(), reason="the console script is not installed")
def test_the_console_script_settles_the_reference_case(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {"ACQUITTANCE_DB": str(tmp_path / "ref.db")}
    ok(capsys, "init", "--db", env["ACQUITTANCE_DB"])
    ok(capsys, "load", REFERENCE_DEAL, "--db", env["ACQUITTANCE_DB"])
    settled = _script(
        "settle", "berg-valence-loan", "--as-of", "2002-03-31", "--key", "k", "--json", env=env
    )
    assert settled.returncode == 0, settled.stderr
    document = json.loads(settled.stdout)
    assert document["cash"]["amount"] == "155388.68" and document["settlement"]
    verified = _script("verify", "--json", env=env)
    assert verified.returncode == 0 and json.loads(verified.stdout)["ok"] is True
