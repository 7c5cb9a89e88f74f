"""`acquittance accrue` on the command line: its JSON, its refusals, no progress when piped."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import REFERENCE_DEAL, ok, run

HARBOR_DEAL = REFERENCE_DEAL.with_name("harbor-mortgage-surplus.toml")


@pytest.fixture
def store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    db = tmp_path / "store.db"
    ok(capsys, "init", "--db", db)
    ok(capsys, "load", HARBOR_DEAL, "--db", db)
    return db


def test_two_month_ends_then_a_settlement_verify(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    may = ok(capsys, "accrue", "--through", "2024-05-31", "--key", "may", "--db", store)
    june = ok(capsys, "accrue", "--through", "2024-06-30", "--db", store)
    assert may["postings"] and june["postings"]
    again = ok(capsys, "accrue", "--through", "2024-06-30", "--db", store)
    assert (again["entries_count"], again["postings"]) == (0, [])
    replayed = ok(capsys, "accrue", "--through", "2024-05-31", "--key", "may", "--db", store)
    assert replayed["replayed"] and replayed["run"] == may["run"]
    ok(capsys, "settle", "harbor-quill-loan", "--as-of", "2024-06-30", "--db", store)
    books = ok(capsys, "books", "quill", "--db", store)
    accounts = [row["account"] for row in books["accounts"]]
    assert not [name for name in accounts if name.startswith("Liabilities:Interest")]
    assert ok(capsys, "verify", "--db", store)["ok"] is True


def test_a_run_before_the_last_is_refused_with_its_code(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ok(capsys, "accrue", "--through", "2024-06-30", "--db", store)
    journal = ok(capsys, "journal", "harbor", "--db", store)
    refused = run(capsys, "accrue", "--through", "2024-05-31", "--db", store, "--json")
    assert refused.code == 2
    assert refused.json()["error"]["code"] == "ACCRUAL_BEFORE_LAST_RUN"
    assert ok(capsys, "journal", "harbor", "--db", store) == journal


def test_a_bad_date_is_refused(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    refused = run(capsys, "accrue", "--through", "2024-02-30", "--db", store)
    assert refused.code == 2 and refused.err.startswith("error ")


def test_piped_output_has_no_progress_bar(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = run(capsys, "accrue", "--through", "2024-05-31", "--db", store)
    assert result.code == 0, result.err
    assert "accruing" not in result.out and "\r" not in result.out
    assert "Accrued through 2024-05-31" in result.out


def test_record_a_charge_and_a_default_rate_then_quote_them(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    loan = "harbor-quill-loan"
    charged = ok(capsys, "record", loan, "--kind", "charge", "--date", "2024-06-01",
                 "--amount", "250.00", "--db", store)  # fmt: skip
    assert {e["kind"] for e in charged["entries"]} == {"charge"}
    ok(capsys, "record", loan, "--kind", "default_rate", "--date", "2024-06-02",
       "--rate", "14%", "--db", store)  # fmt: skip
    quoted = ok(capsys, "quote", loan, "--as-of", "2024-06-30", "--db", store)
    assert quoted["owed"]["charges"] == "250.00"
    shown = run(capsys, "quote", loan, "--as-of", "2024-06-30", "--explain", "--db", store)
    assert "default interest" in shown.out and "fees and late charges" in shown.out
    ok(capsys, "settle", loan, "--as-of", "2024-06-30", "--db", store)
    assert ok(capsys, "verify", "--db", store)["ok"] is True


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("quill-mortgage-1", "--kind", "charge", "--amount", "10.00"), "CHARGE_ON_NOTE"),
        (("harbor-quill-loan", "--kind", "charge"), "MISSING_OPTION"),
        (("harbor-quill-loan", "--kind", "charge", "--amount", "-5"), "NEGATIVE_AMOUNT"),
        (("harbor-quill-loan", "--kind", "default_rate"), "MISSING_OPTION"),
        (
            ("harbor-quill-loan", "--kind", "default_rate", "--rate", "18"),
            "RATE_LOOKS_LIKE_PERCENT",
        ),
    ],
)
def test_bad_charges_are_refused_and_change_nothing(
    store: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], code: str
) -> None:
    before = ok(capsys, "journal", "quill", "--db", store)
    refused = run(capsys, "record", *args, "--date", "2024-06-01", "--db", store, "--json")
    assert refused.code == 2
    assert refused.json()["error"]["code"] == code
    assert ok(capsys, "journal", "quill", "--db", store) == before
