"""The lifecycle commands at the edge: their output, their keys, refusals that change nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import REFERENCE_DEAL, dump, ok, run

HARBOR_DEAL = REFERENCE_DEAL.with_name("harbor-mortgage-surplus.toml")
LOAN = "harbor-quill-loan"


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "store.db"
    ok(capsys, "init", "--db", path)
    ok(capsys, "load", HARBOR_DEAL, "--db", path)
    return path


def _refused(capsys: pytest.CaptureFixture[str], db: Path, code: str, *args: str) -> None:
    before = dump(db)
    result = run(capsys, *args, "--db", db)
    assert result.code == 2, result
    assert result.err.startswith(f"error {code}: "), result.err
    assert result.out == ""
    as_json = run(capsys, *args, "--db", db, "--json")
    assert as_json.code == 2 and as_json.json()["error"]["code"] == code
    assert dump(db) == before


def test_a_loan_s_life_on_the_command_line(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paid = run(capsys, "record", LOAN, "--kind", "payment", "--date", "2024-05-01",
               "--amount", "30000.00", "--key", "may", "--db", db)  # fmt: skip
    assert paid.code == 0 and f"recorded payment {LOAN}#4" in paid.out
    before = dump(db)
    again = run(capsys, "record", LOAN, "--kind", "payment", "--date", "2024-05-01",
                "--amount", "30000.00", "--key", "may", "--db", db)  # fmt: skip
    assert again.code == 0 and "nothing changed" in again.out
    assert dump(db) == before
    late = run(capsys, "record", LOAN, "--kind", "payment", "--date", "2024-04-10",
               "--amount", "500.00", "--db", db)  # fmt: skip
    assert late.code == 0 and "backdated" in late.out
    listed = run(capsys, "events", LOAN, "--db", db)
    assert listed.code == 0 and f"{LOAN}#5" in listed.out and "(backdated)" in listed.out
    undone = run(capsys, "reverse", LOAN, "#4", "--on", "2024-05-03", "--reason", "returned",
                 "--db", db)  # fmt: skip
    assert undone.code == 0 and f"{LOAN}#6 reverses {LOAN}#4" in undone.out
    assert "reversed by" in run(capsys, "events", LOAN, "--db", db).out
    released = run(capsys, "release", LOAN, "--note", "quill-mortgage-1", "--on", "2024-05-15",
                   "--db", db)  # fmt: skip
    assert released.code == 0 and "amendment_statement" in released.out
    paid_off = run(capsys, "payoff", LOAN, "--on", "2024-06-30", "--db", db)
    assert paid_off.code == 0 and "discharged" in paid_off.out
    assert "termination_statement" in paid_off.out
    kinds = {o["kind"] for o in ok(capsys, "obligations", "--db", db)["obligations"]}
    assert kinds == {"amendment_statement", "termination_statement"}
    assert ok(capsys, "show", LOAN, "--db", db)["status"] == "discharged"
    assert ok(capsys, "verify", "--db", db)["ok"] is True


def test_refusals_print_their_code_and_change_nothing(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _refused(capsys, db, "OVERPAYMENT", "payoff", LOAN, "--on", "2024-06-30",
             "--amount", "99999999.00")  # fmt: skip
    _refused(capsys, db, "PAYOFF_SHORT", "payoff", LOAN, "--on", "2024-06-30", "--amount", "1.00")
    _refused(capsys, db, "NOTE_NOT_PLEDGED", "release", LOAN, "--note", "nope",
             "--on", "2024-05-15")  # fmt: skip
    _refused(capsys, db, "RELEASE_OF_ALL_COLLATERAL", "release", LOAN, "--note", "quill-mortgage-1",
             "--note", "quill-mortgage-2", "--on", "2024-05-15")  # fmt: skip
    _refused(capsys, db, "UNKNOWN_EVENT", "reverse", LOAN, "42", "--on", "2024-06-30",
             "--reason", "x")  # fmt: skip
    _refused(capsys, db, "INVALID_EVENT_REF", "reverse", LOAN, "first", "--on", "2024-06-30",
             "--reason", "x")  # fmt: skip
    _refused(capsys, db, "UNKNOWN_INSTRUMENT", "events", "nope")
    _refused(capsys, db, "INVALID_DATE", "payoff", LOAN, "--on", "2024-13-01")
    run(capsys, "reverse", LOAN, "2", "--on", "2024-06-30", "--reason", "returned", "--db", db)
    _refused(capsys, db, "EVENT_ALREADY_REVERSED", "reverse", LOAN, "2", "--on", "2024-06-30",
             "--reason", "again")  # fmt: skip
    ok(capsys, "record", LOAN, "--kind", "payment", "--date", "2024-06-30", "--amount", "1.00",
       "--key", "k", "--db", db)  # fmt: skip
    _refused(capsys, db, "IDEMPOTENCY_KEY_REUSED", "record", LOAN, "--kind", "payment",
             "--date", "2024-06-30", "--amount", "2.00", "--key", "k")  # fmt: skip


def test_help_lists_the_lifecycle_commands(capsys: pytest.CaptureFixture[str]) -> None:
    result = run(capsys, "--help")
    for command in ("record", "payoff", "release", "reverse", "events"):
        assert f"  {command} " in result.out
