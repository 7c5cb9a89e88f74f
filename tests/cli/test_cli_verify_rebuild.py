"""`verify` rebuilds the books and positions from the events: edits the hash chain cannot see."""

from __future__ import annotations

import sqlite3
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from cli_helpers import REFERENCE_DEAL, ok, run

from acquittance.books.chain import GENESIS_HASH, seal
from acquittance.store.mapping import ledger_entry
from acquittance.store.records import EntryRecord, LegRecord

HARBOR_DEAL = REFERENCE_DEAL.with_name("harbor-mortgage-surplus.toml")


@pytest.fixture
def store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    db = tmp_path / "store.db"
    ok(capsys, "init", "--db", db)
    ok(capsys, "load", HARBOR_DEAL, "--db", db)
    for instrument in ("harbor-quill-loan", "quill-mortgage-1"):
        ok(capsys, "record", instrument, "--kind", "payment", "--date", "2024-05-01",
           "--amount", "1000.00", "--db", db)  # fmt: skip
    ok(capsys, "settle", "harbor-quill-loan", "--as-of", "2024-06-30", "--key", "k", "--db", db)
    ok(capsys, "record", "quill-mortgage-1", "--kind", "payment", "--date", "2024-07-05",
       "--amount", "500.00", "--db", db)  # fmt: skip
    assert ok(capsys, "verify", "--db", db)["ok"]
    return db


def _edit(db: Path, *statements: str) -> None:
    with sqlite3.connect(db) as connection:
        for statement in statements:
            connection.execute(statement)


def _refused(capsys: pytest.CaptureFixture[str], db: Path) -> dict[str, object]:
    result = run(capsys, "verify", "--db", db, "--json")
    assert result.code == 1, result.out
    document: dict[str, object] = result.json()
    assert document["ok"] is False
    return document


def _reseal(db: Path) -> None:
    """Recompute every hash and head after an edit, as someone covering their tracks would."""
    with sqlite3.connect(db) as connection:
        chains: dict[tuple[str, str], str] = {}
        rows = connection.execute(
            "SELECT id, party_id, chain, sequence, date, kind, description, reference "
            "FROM journal_entries ORDER BY party_id, chain, sequence"
        ).fetchall()
        for entry_id, party, chain, sequence, day, kind, description, reference in rows:
            legs = tuple(
                LegRecord(a, Decimal(m), c)
                for a, m, c in connection.execute(
                    "SELECT account, amount, currency FROM journal_legs WHERE entry_id = ? "
                    "ORDER BY position",
                    (entry_id,),
                )
            )
            record = EntryRecord(
                entry_id, party, sequence, date.fromisoformat(day), kind,
                description, legs, reference, "", "", chain,
            )  # fmt: skip
            previous = chains.get((party, chain), GENESIS_HASH)
            sealed = seal(
                ledger_entry(record).draft,
                entry_id=entry_id,
                sequence=sequence,
                previous_hash=previous,
            )
            connection.execute(
                "UPDATE journal_entries SET previous_hash = ?, hash = ? WHERE id = ?",
                (previous, sealed.hash, entry_id),
            )
            connection.execute(
                "UPDATE journal_heads SET hash = ? WHERE party_id = ? AND chain = ? "
                "AND sequence = ?",
                (sealed.hash, party, chain, sequence),
            )
            chains[(party, chain)] = sealed.hash


def test_a_resealed_amount_is_caught_against_the_events(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # An accrual overstated by a hundred on both sides: the entry still balances.
    accrual = (
        "SELECT min(id) FROM journal_entries WHERE kind = 'accrual' AND party_id = 'harbor' "
        "AND chain = 'harbor-quill-loan'"
    )
    _edit(
        store,
        "UPDATE journal_legs SET amount = printf('%.2f', amount + 100) "
        f"WHERE entry_id = ({accrual}) AND CAST(amount AS REAL) > 0",
        "UPDATE journal_legs SET amount = printf('%.2f', amount - 100) "
        f"WHERE entry_id = ({accrual}) AND CAST(amount AS REAL) < 0",
    )
    assert _refused(capsys, store)["reason"] is not None  # the hash sees it first
    _reseal(store)
    document = _refused(capsys, store)
    assert "not what the events call for" in str(document["reason"])
    assert str(document["first_bad"]).startswith("harbor/harbor-quill-loan/")


def test_a_deleted_event_is_caught(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _edit(
        store,
        "DELETE FROM loan_events WHERE loan_id = 'harbor-quill-loan' AND kind = 'payment'",
    )
    assert _refused(capsys, store)["reason"]


def test_a_changed_rate_is_caught(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _edit(store, "UPDATE notes SET annual_rate = '0.0999' WHERE id = 'quill-mortgage-2'")
    assert _refused(capsys, store)["reason"]


def test_a_note_moved_behind_its_history_is_caught(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _edit(store, "UPDATE notes SET holder_id = 'quill' WHERE id = 'quill-mortgage-2'")
    document = _refused(capsys, store)
    assert document["first_bad"] == "quill-mortgage-2"


def test_a_settlement_taken_off_its_loan_is_caught(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _edit(store, "DELETE FROM loan_events WHERE loan_id = 'harbor-quill-loan' AND kind IN "
                 "('satisfaction', 'discharge')")  # fmt: skip
    document = _refused(capsys, store)
    assert "not on the events" in str(document["reason"])
