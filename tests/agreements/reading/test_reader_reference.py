"""The reference agreement through the command line: every fact DESIGN.md lists."""

from __future__ import annotations

from decimal import Decimal

import pytest
from reader_support import REFERENCE, SHARED, read_json, shared_file

EXPECTED_AMOUNTS = {
    "17500000.00": "debt_principal",
    "1140370.41": "debt_interest",
    "17533226.80": "collateral_principal",
    "951754.93": "collateral_interest",
    "155388.68": "cash_to_creditor",
}
EXPECTED_CLAUSES = {
    "assignment",
    "payment",
    "discharge",
    "termination",
    "assumption",
    "lien_release",
    "representations_and_warranties",
    "release_of_claims",
    "statutory_waiver",
    "successors_and_assigns",
    "further_assurances",
    "time_of_essence",
    "governing_law",
    "amendment",
    "entire_agreement",
    "counterparts",
}


@pytest.fixture(scope="module")
def reference_text() -> str:
    return REFERENCE.read_text(encoding="utf-8")


def test_reference_reads_date_parties_and_loan(capsys: pytest.CaptureFixture[str]) -> None:
    document = read_json(capsys, REFERENCE)
    assert document["effective_date"] == "2002-03-31"
    parties = {p["short_name"]: p for p in document["parties"]}
    assert parties["Berg"]["name"] == "Berg & Berg Enterprises, LLC"
    assert parties["Berg"]["entity_type"] == "limited liability company"
    assert parties["Berg"]["jurisdiction"] == "California"
    assert parties["Berg"]["role"] == "lender"
    assert parties["Valence"]["name"] == "Valence Technology, Inc."
    assert (parties["Valence"]["entity_type"], parties["Valence"]["jurisdiction"]) == (
        "corporation",
        "Delaware",
    )
    assert parties["Valence"]["role"] == "borrower"
    assert {"name": "Loan Agreement", "date": "2001-02-24"}.items() <= document[
        "referenced_agreements"
    ][0].items()


def test_reference_amounts_have_roles_and_offsets(
    capsys: pytest.CaptureFixture[str], reference_text: str
) -> None:
    document = read_json(capsys, REFERENCE)
    found = {a["value"]: a["role"] for a in document["amounts"]}
    assert found == EXPECTED_AMOUNTS
    for amount in document["amounts"]:
        text = reference_text[amount["start"] : amount["end"]]
        assert text == amount["text"]
        assert Decimal(text.lstrip("$").replace(",", "")) == Decimal(amount["value"])


def test_reference_balances_to_the_cent(capsys: pytest.CaptureFixture[str]) -> None:
    reconciliation = read_json(capsys, REFERENCE)["reconciliation"]
    assert reconciliation["status"] == "balanced"
    assert reconciliation["difference"] == "0.00"
    assert sum(Decimal(a["value"]) for a in reconciliation["debt"]) == Decimal("18640370.41")


def test_reference_signatories_and_clauses(capsys: pytest.CaptureFixture[str]) -> None:
    document = read_json(capsys, REFERENCE)
    signed = {(s["name"], s["title"], s["party"]) for s in document["signatories"]}
    assert signed == {
        ("Carl E. Berg", "Managing Member", "Berg & Berg Enterprises, LLC"),
        ("Kevin W. Mischnick", "VP of Finance", "Valence Technology, Inc."),
    }
    kinds = {c["kind"] for c in document["clauses"]}
    assert kinds >= EXPECTED_CLAUSES
    law = [c for c in document["clauses"] if c["kind"] == "governing_law"]
    assert law[0]["jurisdiction"] == "California"
    assert document["discrepancies"] == []


def test_reference_passes_the_acceptance_checker(
    capsys: pytest.CaptureFixture[str], tmp_path: pytest.TempPathFactory
) -> None:
    import json
    import subprocess
    import sys
    from pathlib import Path

    checker = shared_file(SHARED / "acceptance" / "lib" / "check_read.py")
    expected = checker.parents[1] / "expect" / "valence-berg-2002.json"
    actual = Path(str(tmp_path)) / "actual.json"
    actual.write_text(json.dumps(read_json(capsys, REFERENCE)))
    result = subprocess.run(
        [sys.executable, str(checker), str(expected), str(actual)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout


def test_summary_without_json_shows_the_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    from reader_support import run_cli

    code, out, _ = run_cli(capsys, str(REFERENCE))
    assert code == 0
    assert "balanced" in out
    assert "155,388.68" in out
