"""Every `--json` shape is documented by a JSON Schema in docs/json, and the output obeys it.

The schemas forbid properties they do not name, so a field added to a
document without its schema, or dropped from one, fails here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import REFERENCE_DEAL, REFERENCE_LOAN, ok, run
from jsonschema import Draft202012Validator, FormatChecker

SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "json"
HARBOR_DEAL = REFERENCE_DEAL.with_name("harbor-mortgage-surplus.toml")


def _check(name: str, document: Any) -> None:
    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text())
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    problems = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not problems, "\n".join(f"{list(p.absolute_path)}: {p.message}" for p in problems)


@pytest.fixture
def store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    db = tmp_path / "store.db"
    ok(capsys, "init", "--db", db)
    ok(capsys, "load", REFERENCE_DEAL, "--db", db)
    ok(capsys, "load", HARBOR_DEAL, "--db", db)
    return db


def test_quote_and_saved_quotes(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _check("quote", ok(capsys, "quote", REFERENCE_LOAN, "--as-of", "2002-03-31", "--db", store))
    harbor = ("harbor-quill-loan", "--as-of", "2024-06-30")
    saved = ok(capsys, "quote", *harbor, "--save", "--db", store)
    _check("quote", saved)
    assert saved["quote_id"].startswith("q-")
    _check("quotes", ok(capsys, "quotes", "--db", store))


def test_settle_journal_obligations_and_verify(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for loan, as_of in ((REFERENCE_LOAN, "2002-03-31"), ("harbor-quill-loan", "2024-06-30")):
        _check("settle", ok(capsys, "settle", loan, "--as-of", as_of, "--key", loan, "--db", store))
    for party in ("berg", "valence", "harbor", "quill"):
        _check("journal", ok(capsys, "journal", party, "--db", store))
    _check("obligations", ok(capsys, "obligations", "--db", store))
    _check("verify", ok(capsys, "verify", "--db", store))
    anchored = ok(capsys, "verify", "--anchor", "--db", store)
    _check("verify", anchored)
    _check("verify", ok(capsys, "verify", "--against", anchored["anchor"], "--db", store))


def test_batch_lines(store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    batch = tmp_path / "batch.csv"
    batch.write_text(
        "loan,as_of,key\n"
        f"{REFERENCE_LOAN},2002-03-31,b-1\n"
        "no-such-loan,2002-03-31,b-2\n"
        f"{REFERENCE_LOAN},not-a-date,b-3\n"
    )
    result = run(capsys, "settle", "--batch", batch, "--db", store)
    assert result.code == 0, result.err
    lines = [json.loads(line) for line in result.out.splitlines()]
    assert [line["status"] for line in lines] == ["closed", "error", "error"]
    for line in lines:
        _check("settle-batch-line", line)


def test_errors(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    refused = run(capsys, "quote", "no-such-loan", "--as-of", "2002-03-31", "--db", store, "--json")
    assert refused.code == 2
    _check("error", refused.json())


def test_a_document_with_an_unnamed_field_is_refused_by_its_schema() -> None:
    with pytest.raises(AssertionError):
        _check("error", {"error": {"code": "X_Y", "message": "m"}, "extra": 1})


def test_a_loan_shows_its_status_and_a_pledge_its_release(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = ok(capsys, "show", REFERENCE_LOAN, "--db", store)
    assert (before["status"], before["discharged_on"]) == ("open", None)
    ok(capsys, "settle", REFERENCE_LOAN, "--as-of", "2002-03-31", "--key", "s", "--db", store)
    after = ok(capsys, "show", REFERENCE_LOAN, "--db", store)
    assert (after["status"], after["discharged_on"]) == ("discharged", "2002-03-31")
    pledge = ok(capsys, "show", "berg-valence-pledge", "--db", store)
    assert pledge["released_on"] == "2002-03-31"


def test_accrue(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _check("accrue", ok(capsys, "accrue", "--through", "2024-05-31", "--db", store))
    _check("accrue", ok(capsys, "accrue", "--through", "2024-05-31", "--key", "k", "--db", store))


def test_a_journal_with_charges(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    loan = ("harbor-quill-loan", "--date", "2024-06-01")
    ok(capsys, "record", *loan, "--kind", "charge", "--amount", "50.00", "--db", store)
    journal = ok(capsys, "journal", "harbor", "--db", store)
    assert "charge" in {entry["kind"] for entry in journal["entries"]}
    _check("journal", journal)
