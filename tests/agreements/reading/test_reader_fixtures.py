"""Our own agreements of the reference's family and others, in every format the reader takes."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from reader_support import FIXTURES

from acquittance.agreements.reading import read_file, read_text, to_dict


def _read(name: str) -> dict[str, Any]:
    return to_dict(read_file(FIXTURES / name))


def _roles(document: dict[str, Any]) -> dict[str, str]:
    return {a["value"]: a["role"] for a in document["amounts"]}


def test_surplus_returned_to_the_borrower_balances() -> None:
    document = _read("surplus-to-borrower.txt")
    assert _roles(document)["46500.00"] == "cash_to_debtor"
    assert document["reconciliation"]["status"] == "balanced"


def test_partial_settlement_leaves_the_rest_outstanding() -> None:
    document = _read("partial-settlement.txt")
    assert _roles(document)["325000.00"] == "remaining_debt"
    assert document["reconciliation"]["status"] == "balanced"


def test_figures_that_do_not_add_up_are_unbalanced_by_the_difference() -> None:
    reconciliation = _read("unbalanced.txt")["reconciliation"]
    assert reconciliation["status"] == "unbalanced"
    assert reconciliation["difference"] == "10000.00"


def test_words_that_disagree_with_figures_are_flagged_where_they_are() -> None:
    path = FIXTURES / "words-mismatch.txt"
    document = _read(path.name)
    text = path.read_text()
    [mismatch] = [d for d in document["discrepancies"] if d["kind"] == "words_figures_mismatch"]
    assert "Five Thousand Dollars ($50,000.00" in text[mismatch["start"] : mismatch["end"]]
    assert [a["words"] for a in document["amounts"] if a["value"] == "50000.00"] == ["5000.00"]


def test_two_dates_a_missing_schedule_and_a_stranger_signature_are_flagged() -> None:
    kinds = {d["kind"] for d in _read("discrepancies.txt")["discrepancies"]}
    assert kinds == {"instrument_date_conflict", "schedule_mismatch", "signature_not_a_party"}


@pytest.mark.parametrize("name", ["amendment.txt", "plain-release.txt"])
def test_agreements_without_settlement_arithmetic_are_not_applicable(name: str) -> None:
    document = _read(name)
    assert document["reconciliation"]["status"] == "not_applicable"
    assert len(document["parties"]) == 2


def test_a_release_notes_the_california_waiver() -> None:
    clauses = _read("plain-release.txt")["clauses"]
    waiver = [c for c in clauses if c["kind"] == "statutory_waiver"]
    assert waiver and waiver[0]["jurisdiction"] == "California"


def _as_html(text: str) -> str:
    from html import escape

    blocks = "".join(f"<p>{escape(block)}</p>" for block in text.split("\n\n"))
    return f"<!DOCTYPE html><html><head><title>t</title></head><body>{blocks}</body></html>"


def _write_docx(text: str, path: Path) -> None:
    import docx

    document = docx.Document()
    for block in text.split("\n\n"):
        document.add_paragraph(" ".join(block.split()))
    document.save(str(path))


@pytest.mark.parametrize("fmt", ["html", "docx", "pdf"])
@pytest.mark.parametrize("name", ["surplus-to-borrower.txt", "unbalanced.txt"])
def test_every_format_reads_like_the_text(fmt: str, name: str, tmp_path: Path) -> None:
    text = (FIXTURES / name).read_text()
    path = tmp_path / f"agreement.{fmt}"
    if fmt == "html":
        path.write_text(_as_html(text), encoding="utf-8")
    elif fmt == "docx":
        _write_docx(text, path)
    else:
        from weasyprint import HTML

        HTML(string=_as_html(text)).write_pdf(str(path))
    reading = read_file(path)
    expected = _read(name)
    assert {a.value for a in reading.amounts} == {Decimal(a["value"]) for a in expected["amounts"]}
    assert _roles(to_dict(reading)) == _roles(expected)
    assert reading.reconciliation.status == expected["reconciliation"]["status"]
    for amount in reading.amounts:
        assert reading.text[amount.start : amount.end] == amount.text


def test_encodings_and_boms_decode_to_the_same_reading(tmp_path: Path) -> None:
    text = (FIXTURES / "surplus-to-borrower.txt").read_text()
    expected = _roles(_read("surplus-to-borrower.txt"))
    for encoding in ("utf-8-sig", "utf-16", "cp1252"):
        path = tmp_path / f"a-{encoding}.txt"
        path.write_bytes(text.replace("Cobalt", "Cöbalt").encode(encoding))
        assert _roles(to_dict(read_file(path))) == expected


def test_read_text_offsets_index_the_given_text() -> None:
    text = 'Borrower shall pay a fee of $1,250.50 (the "Fee").'
    [amount] = read_text(text).amounts
    assert text[amount.start : amount.end] == "$1,250.50"
    assert amount.role == "fee"
