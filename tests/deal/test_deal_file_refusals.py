"""Deal files that used to load: no loan at all, control characters, far dates, loose grouping."""

from __future__ import annotations

from pathlib import Path

import pytest

from acquittance.core.errors import AcquittanceError
from acquittance.deals.parse import parse_deal, read_deal_file

REFERENCE = Path(__file__).resolve().parents[2] / "examples" / "valence-berg-2002.toml"
TEXT = REFERENCE.read_text(encoding="utf-8")


def code_and_message(text: str) -> tuple[str, str]:
    with pytest.raises(AcquittanceError) as caught:
        parse_deal(text, source="deal.toml")
    return caught.value.code, caught.value.message


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("", "defines nothing"),
        ("# only a comment\n", "defines nothing"),
        ('[deal]\ntitle = "Later"\ncurrency = "USD"\n', "defines nothing"),
        (TEXT[: TEXT.index("[[loans]]")], "defines 2 parties but no loan"),
    ],
)
def test_a_deal_without_a_loan_is_empty(text: str, found: str) -> None:
    code, message = code_and_message(text)
    assert code == "EMPTY_DEAL"
    assert message.startswith(f"deal.toml {found};")


def test_an_empty_file_on_disk_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "empty.toml"
    path.write_bytes(b"")
    with pytest.raises(AcquittanceError) as caught:
        read_deal_file(path)
    assert caught.value.code == "EMPTY_DEAL"
    assert str(path) in caught.value.message


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        (
            'title = "Letter Agreement and Release"',
            'title = "Letter\\u0008 Agreement"',
            "deal.title",
        ),
        (
            'jurisdiction = "Delaware"',
            'jurisdiction = "Dela\\u202eware"',
            "parties[1].jurisdiction",
        ),
        ('title = "VP of Finance"', 'title = "VP\\rof Finance"', "parties[1].signatories"),
        (
            'governing_law = "California"',
            'governing_law = "Cali\\u0085fornia"',
            "deal.governing_law",
        ),
    ],
)
def test_a_control_character_names_its_field(old: str, new: str, field: str) -> None:
    assert old in TEXT
    code, message = code_and_message(TEXT.replace(old, new, 1))
    assert code == "CONTROL_CHARACTER"
    assert f"field {field}" in message


def test_names_are_kept_exactly_otherwise() -> None:
    deal = parse_deal(
        TEXT.replace("Berg & Berg Enterprises, LLC", "Bérg & Berg – Ünternehmen, LLC")
    )
    assert deal.party("berg").name == "Bérg & Berg – Ünternehmen, LLC"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("agreement_date = 2001-02-24", "agreement_date = 1850-02-24"),
        ("date = 2002-03-31", "date = 2200-01-01"),
        ("issue_date = 1998-06-30", 'issue_date = "9999-12-31"'),
    ],
)
def test_a_date_outside_the_supported_range_is_refused(old: str, new: str) -> None:
    assert old in TEXT
    code, message = code_and_message(TEXT.replace(old, new, 1))
    assert code == "DATE_OUT_OF_RANGE"
    assert "1900-01-01" in message and "2199-12-31" in message


def test_a_string_date_must_be_yyyy_mm_dd() -> None:
    code, _ = code_and_message(TEXT.replace("issue_date = 1998-06-30", 'issue_date = "19980630"'))
    assert code == "INVALID_DATE"


@pytest.mark.parametrize("amount", ['"1,7,5"', '"12,34"', '"1,,000"', '"17,500,000.00,"'])
def test_a_loosely_grouped_amount_is_refused(amount: str) -> None:
    code, message = code_and_message(
        TEXT.replace("principal = 17500000.00", f"principal = {amount}")
    )
    assert code == "INVALID_AMOUNT"
    assert "loans[0].events[0].principal" in message


def test_a_strictly_grouped_amount_string_is_read() -> None:
    deal = parse_deal(TEXT.replace("principal = 17500000.00", 'principal = "17,500,000.00"'))
    assert str(deal.loans[0].events[0].principal) == "17500000.00"  # type: ignore[union-attr]
