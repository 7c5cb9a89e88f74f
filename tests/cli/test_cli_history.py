"""The command line over long histories and their edges: a note event after the closing date."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import dump, ok, run

HARBOR = Path(__file__).resolve().parents[2] / "examples" / "harbor-mortgage-surplus.toml"


def test_settling_before_a_later_note_payment_is_refused_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "acquittance.db"
    db = ("--db", str(store))
    ok(capsys, "init", *db)
    ok(capsys, "load", HARBOR, *db)
    ok(
        capsys,
        "record",
        "quill-mortgage-1",
        "--kind",
        "payment",
        "--date",
        "2024-07-05",
        "--amount",
        "50000.00",
        *db,
    )
    before = dump(store)
    refused = run(capsys, "settle", "harbor-quill-loan", "--as-of", "2024-06-30", *db)
    assert refused.code == 2
    assert refused.err.startswith(
        "error BACKDATED_CLOSING: note quill-mortgage-1 has a Payment on 2024-07-05"
    )
    assert dump(store) == before


def test_a_quote_before_the_history_says_the_earliest_date_allowed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ("--db", str(tmp_path / "acquittance.db"))
    ok(capsys, "init", *db)
    ok(capsys, "load", HARBOR, *db)
    refused = run(capsys, "quote", "harbor-quill-loan", "--as-of", "2023-12-31", *db)
    assert refused.code == 2
    assert "error BEFORE_HISTORY: 2023-12-31" in refused.err
    assert "the earliest date allowed" in refused.err and "2024-01-01" in refused.err
