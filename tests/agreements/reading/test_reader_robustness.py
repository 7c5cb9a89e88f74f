"""Bad input gets a clear error; arbitrary text never crashes; past failures stay fixed."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reader_support import FIXTURES, REFERENCE

from acquittance.agreements.reading import read_file, read_text, to_dict
from acquittance.agreements.reading.sources import FILE_SIZE_MAX_BYTES
from acquittance.core.errors import AcquittanceError, InputError


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("empty.txt", b"", "EMPTY_FILE"),
        ("blank.txt", b"  \n\t\n", "EMPTY_FILE"),
        ("binary.txt", bytes(range(256)) * 4, "BINARY_FILE"),
        ("broken.pdf", b"not a pdf at all", "UNREADABLE_PDF"),
        ("truncated.pdf", b"%PDF-1.4\n1 0 obj\n", "UNREADABLE_PDF"),
        ("fake.docx", b"plain words", "UNREADABLE_DOCX"),
        ("zip.docx", b"PK\x03\x04garbage", "UNREADABLE_DOCX"),
        ("old.doc", b"\xd0\xcf\x11\xe0 words", "UNSUPPORTED_FORMAT"),
    ],
)
def test_bad_files_get_stable_codes(name: str, content: bytes, code: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError) as raised:
        read_file(path)
    assert raised.value.code == code
    assert str(path) in raised.value.message or code in ("BINARY_FILE",)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError) as missing:
        read_file(tmp_path / "nope.txt")
    assert missing.value.code == "FILE_NOT_FOUND"
    with pytest.raises(InputError) as folder:
        read_file(tmp_path)
    assert folder.value.code == "IS_A_DIRECTORY"


def test_too_large_file_names_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    with path.open("wb") as handle:
        handle.truncate(FILE_SIZE_MAX_BYTES + 1)
    with pytest.raises(InputError) as raised:
        read_file(path)
    assert raised.value.code == "FILE_TOO_LARGE"
    assert "20 MB" in raised.value.message


def _check(text: str) -> None:
    try:
        reading = read_text(text)
    except AcquittanceError:
        return
    for amount in reading.amounts:
        assert text[amount.start : amount.end] == amount.text
    assert reading.reconciliation.status in ("balanced", "unbalanced", "not_applicable")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=3000))
def test_arbitrary_text_never_crashes(text: str) -> None:
    _check(text)


_PIECES = st.sampled_from(
    [
        "$1,000.00",
        ' (the "Loan")',
        " Whereas, ",
        "\n\n1.   ",
        " and accrued and unpaid interest of ",
        " agrees to pay to ",
        " Five Thousand Dollars (",
        "EXHIBIT A\n",
        "By: /s/ ",
        "   By: ",
        " dated March 1, 2001",
        " paid in full",
        "(",
        ")",
        '"',
        "\n",
    ]
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_reference_text_never_crashes(data: st.DataObject) -> None:
    text = REFERENCE.read_text(encoding="utf-8")
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, 40))
        text = text[:at] + data.draw(_PIECES) + text[at + cut :]
    _check(text)


REGRESSIONS = (
    sorted((FIXTURES / "regressions").glob("*")) if (FIXTURES / "regressions").is_dir() else []
)


@pytest.mark.parametrize("path", REGRESSIONS, ids=lambda p: p.name)
def test_inputs_that_once_failed_still_read(path: Path) -> None:
    try:
        reading = read_file(path)
    except AcquittanceError:
        return
    for amount in reading.amounts:
        assert reading.text[amount.start : amount.end] == amount.text


@pytest.mark.parametrize("ending", ["\r\n", "\r"])
def test_offsets_index_the_text_as_python_reads_it_whatever_the_line_endings(
    ending: str, tmp_path: Path
) -> None:
    source = (FIXTURES / "surplus-to-borrower.txt").read_text(encoding="utf-8")
    path = tmp_path / "windows.txt"
    path.write_bytes(source.replace("\n", ending).encode("utf-8"))
    document = to_dict(read_file(path))
    as_read = path.read_text(encoding="utf-8")  # universal newlines, as a checker reads it
    assert document["amounts"]
    for amount in document["amounts"]:
        assert as_read[amount["start"] : amount["end"]] == amount["text"]


_WORDS_AGREEMENT = """SETTLEMENT AGREEMENT

This Settlement Agreement is made and entered into effective June 30, 2020 by and between
Alder Finance LLC ("Alder"), a Delaware limited liability company, and Birch Homes, Inc.
("Birch"), an Ohio corporation.

Whereas, Birch owns mortgage notes receivable in the principal amount of Seventy-Seven
Thousand and 00/100 Dollars ($77,000.00) and accrued and unpaid interest of Five Hundred
and 00/100 Dollars ($500.00) (the "Notes"), which have been pledged as collateral to Alder;

Whereas, the Loan Agreement between Alder and Birch has an outstanding balance in the
principal amount of Eighty Thousand and 00/100 Dollars ($80,000.00) and accrued and unpaid
interest of One Thousand and 00/100 Dollars ($1,000.00) (the "Loan");

1. Birch hereby assigns the Notes to Alder and agrees to pay to Alder Three Thousand Five
Hundred and 00/100 Dollars ($3,500.00), and Alder agrees that the Loan is paid in full.
"""


@pytest.mark.parametrize("garble", ["\ufffe", "X", "~"])
def test_garbled_words_before_a_figure_keep_its_role_and_claim_no_words(garble: str) -> None:
    plain = to_dict(read_text(_WORDS_AGREEMENT))
    assert plain["reconciliation"]["status"] == "balanced"
    garbled_text = _WORDS_AGREEMENT.replace("Seventy-Seven", f"Seventy{garble}Seven", 1)
    reading = to_dict(read_text(garbled_text))
    before = [(a["value"], a["role"]) for a in plain["amounts"]]
    assert [(a["value"], a["role"]) for a in reading["amounts"]] == before
    assert "words" not in reading["amounts"][0]
    assert reading["reconciliation"]["status"] == "balanced"
