"""Inputs that were accepted and must not be: dates past the supported range, amounts
grouped wrongly, control characters in names, blank idempotency keys, empty deal files.

Each is refused with exit status 2 and one coded line, and the store is left as it was.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from cli_helpers import REFERENCE_DEAL, REFERENCE_LOAN, deal_file, dump, ok, run

from acquittance.core.dates import DATE_MAX, DATE_MIN
from acquittance.core.text import KEY_LENGTH_MAX

AS_OF = "2002-03-31"
REFERENCE_TEXT = REFERENCE_DEAL.read_text(encoding="utf-8")


@pytest.fixture
def empty(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "empty.db"
    ok(capsys, "init", "--db", path)
    return path


@pytest.fixture
def loaded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "loaded.db"
    ok(capsys, "init", "--db", path)
    ok(capsys, "load", REFERENCE_DEAL, "--db", path)
    return path


def refused(capsys: pytest.CaptureFixture[str], db: Path, code: str, *args: str | Path) -> str:
    """The command exits 2 with `error CODE: message`, plain and --json; the store is unchanged."""
    before = dump(db)
    result = run(capsys, *args, "--db", db)
    assert result.code == 2, (args, result.out, result.err)
    match = re.fullmatch(r"error ([A-Z][A-Z0-9_]+): (.+)\n", result.err)
    assert match, result.err
    assert match[1] == code, result.err
    as_json = run(capsys, *args, "--db", db, "--json")
    assert as_json.code == 2
    assert json.loads(as_json.out) == {"error": {"code": code, "message": match[2]}}
    assert dump(db) == before
    return match[2]


# --- dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("quote", REFERENCE_LOAN, "--as-of", "9999-12-31"),
        ("quote", REFERENCE_LOAN, "--as-of", "2200-01-01"),
        ("quote", REFERENCE_LOAN, "--as-of", "0001-01-01"),
        ("quote", REFERENCE_LOAN, "--as-of", AS_OF, "--good-through", "9999-12-31"),
        ("settle", REFERENCE_LOAN, "--as-of", "9999-12-31", "--key", "far"),
        ("position", REFERENCE_LOAN, "--as-of", "9999-12-31"),
        ("record", REFERENCE_LOAN, "--kind", "payment", "--date", "9999-12-31", "--amount", "1"),
        ("books", "berg", "--as-of", "9999-12-31"),
        ("obligations", "complete", "x", "--on", "9999-12-31"),
    ],
)
def test_a_date_past_the_supported_range_is_refused(
    args: tuple[str, ...], loaded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    message = refused(capsys, loaded, "DATE_OUT_OF_RANGE", *args)
    assert DATE_MIN.isoformat() in message and DATE_MAX.isoformat() in message


def test_the_last_supported_date_is_quoted(
    loaded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = ok(capsys, "quote", REFERENCE_LOAN, "--as-of", DATE_MAX.isoformat(), "--db", loaded)
    assert document["as_of"] == DATE_MAX.isoformat()


@pytest.mark.parametrize("text", ["20020331", "2002-3-31", "2002-W13-7", "2002-03-31T00:00"])
def test_a_date_not_written_yyyy_mm_dd_is_invalid(
    text: str, loaded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    refused(capsys, loaded, "INVALID_DATE", "quote", REFERENCE_LOAN, "--as-of", text)


def test_a_deal_file_date_past_the_range_names_its_line(
    empty: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = REFERENCE_TEXT.replace("agreement_date = 2001-02-24", "agreement_date = 9999-12-31")
    path = deal_file(tmp_path, "far.toml", text)
    message = refused(capsys, empty, "DATE_OUT_OF_RANGE", "load", path)
    line = text.splitlines().index("agreement_date = 9999-12-31") + 1
    assert f"line {line}" in message and "loans[0].agreement_date" in message


# --- amounts --------------------------------------------------------------------------------


@pytest.mark.parametrize("amount", ["1,7,5", "12,34", "1,,000", "1,000.00,0", ",175", "١٧٥"])
def test_an_amount_grouped_wrongly_is_refused_on_the_command_line(
    amount: str, loaded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    refused(
        capsys,
        loaded,
        "INVALID_AMOUNT",
        "record",
        REFERENCE_LOAN,
        "--kind",
        "payment",
        "--date",
        "2002-04-30",
        "--amount",
        amount,
    )
    refused(
        capsys,
        loaded,
        "INVALID_AMOUNT",
        "quote",
        REFERENCE_LOAN,
        "--as-of",
        AS_OF,
        "--value",
        f"valence-note-1={amount}",
    )


def test_an_amount_grouped_by_thousands_is_read(
    loaded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = ok(
        capsys,
        "quote",
        REFERENCE_LOAN,
        "--as-of",
        AS_OF,
        "--value",
        "valence-note-1=9,000,000.00",
        "--db",
        loaded,
    )
    notes = {line["note"]: line for line in document["collateral"]["notes"]}
    assert notes["valence-note-1"]["value"] == "9000000.00"


def test_a_deal_file_amount_grouped_wrongly_is_refused(
    empty: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = REFERENCE_TEXT.replace("principal = 17500000.00", 'principal = "1,7,5"')
    message = refused(capsys, empty, "INVALID_AMOUNT", "load", deal_file(tmp_path, "a.toml", text))
    assert "loans[0].events[0].principal" in message


# --- names ----------------------------------------------------------------------------------

NAME_EDITS = {
    "a bell in a party's name": (
        'name = "Berg & Berg Enterprises, LLC"',
        'name = "Berg & Berg\\u0007 Enterprises, LLC"',
        "parties[0].name",
    ),
    "an escape sequence in a signatory": (
        'name = "Carl E. Berg"',
        'name = "\\u001b[31mCarl E. Berg"',
        "parties[0].signatories",
    ),
    "a line break in a short name": (
        'short_name = "Valence"',
        'short_name = "Val\\nence"',
        "parties[1].short_name",
    ),
    "a right-to-left override in a maker": (
        'maker = "Exhibit A obligor 1 (illustrative)"',
        'maker = "Exhibit A \\u202eobligor 1"',
        "notes[0].maker",
    ),
    "a NUL in a note's description": (
        'kind = "mortgage"\nissue_date = 1998-06-30',
        'kind = "mortgage"\ndescription = "first\\u0000lien"\nissue_date = 1998-06-30',
        "notes[0].description",
    ),
}


@pytest.mark.parametrize("case", sorted(NAME_EDITS))
def test_a_control_character_in_a_name_is_refused(
    case: str, empty: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old, new, field = NAME_EDITS[case]
    assert old in REFERENCE_TEXT, old
    path = deal_file(tmp_path, "names.toml", REFERENCE_TEXT.replace(old, new, 1))
    message = refused(capsys, empty, "CONTROL_CHARACTER", "load", path)
    assert field in message and "U+" in message
    assert ok(capsys, "list", "--db", empty)["parties"] == []


def test_a_name_longer_than_the_store_keeps_is_refused(
    empty: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = REFERENCE_TEXT.replace('short_name = "Berg"', f'short_name = "{"B" * 301}"')
    message = refused(capsys, empty, "TEXT_TOO_LONG", "load", deal_file(tmp_path, "l.toml", text))
    assert "parties[0].short_name" in message


# --- idempotency keys -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "key", ["", " ", "\t\n", "settle\x00one", "line\nbreak", "k" * (KEY_LENGTH_MAX + 1)]
)
def test_a_blank_unprintable_or_overlong_key_is_refused(
    key: str, loaded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    refused(capsys, loaded, "INVALID_KEY", "settle", REFERENCE_LOAN, "--as-of", AS_OF, "--key", key)


def test_the_longest_key_is_kept_and_replays(
    loaded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = "k" * KEY_LENGTH_MAX
    first = ok(capsys, "settle", REFERENCE_LOAN, "--as-of", AS_OF, "--key", key, "--db", loaded)
    again = ok(capsys, "settle", REFERENCE_LOAN, "--as-of", AS_OF, "--key", key, "--db", loaded)
    assert again["settlement"] == first["settlement"]


# --- empty deal files -----------------------------------------------------------------------

PARTIES_ONLY = REFERENCE_TEXT[: REFERENCE_TEXT.index("[[loans]]")]


@pytest.mark.parametrize(
    "text",
    ["", "\n\n", "# a deal, some day\n", '[deal]\ntitle = "Nothing yet"\n', PARTIES_ONLY],
    ids=["empty", "blank lines", "comment", "header only", "parties only"],
)
def test_a_deal_file_without_a_loan_is_refused(
    text: str, empty: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = deal_file(tmp_path, "empty.toml", text)
    message = refused(capsys, empty, "EMPTY_DEAL", "load", path)
    assert str(path) in message and "[[loans]]" in message
    assert ok(capsys, "list", "--db", empty)["parties"] == []
