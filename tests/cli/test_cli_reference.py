"""The reference case (Valence and Berg, 2002-03-31) through the command line, with --json."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import REFERENCE_DEAL, REFERENCE_LOAN, dump, ok, run

D = Decimal
AS_OF = "2002-03-31"

#: The settlement entries of DESIGN.md's tables, signed debit-positive.
VALENCE_SETTLEMENT = {
    "Liabilities:LoanPayable:Berg": D("17500000.00"),
    "Liabilities:InterestPayable:Berg": D("1140370.41"),
    "Assets:NotesReceivable": D("-17533226.80"),
    "Assets:InterestReceivable:Notes": D("-951754.93"),
    "Assets:Cash": D("-155388.68"),
}
BERG_SETTLEMENT = {
    "Assets:NotesReceivable": D("17533226.80"),
    "Assets:InterestReceivable:Notes": D("951754.93"),
    "Assets:Cash": D("155388.68"),
    "Assets:LoanReceivable:Valence": D("-17500000.00"),
    "Assets:InterestReceivable:Valence": D("-1140370.41"),
}


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A store with the reference deal loaded."""
    path = tmp_path / "store" / "books.db"
    assert ok(capsys, "init", "--db", path)["initialized"] is True
    loaded = ok(capsys, "load", REFERENCE_DEAL, "--db", path)
    assert loaded["parties"] == ["berg", "valence"]
    assert loaded["loans"] == [REFERENCE_LOAN]
    assert loaded["notes"] == ["valence-note-1", "valence-note-2", "valence-note-3"]
    assert loaded["security_interests"] == ["berg-valence-pledge"]
    return path


@pytest.fixture
def settled(db: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, dict[str, Any]]:
    document = ok(capsys, "settle", REFERENCE_LOAN, "--as-of", AS_OF, "--key", "k", "--db", db)
    return db, document


def _check_reference_figures(document: dict[str, Any]) -> None:
    assert document["owed"]["principal"] == "17500000.00"
    assert document["owed"]["interest"] == "1140370.41"
    assert document["owed"]["total"] == "18640370.41"
    assert document["collateral"]["principal"] == "17533226.80"
    assert document["collateral"]["interest"] == "951754.93"
    assert document["collateral"]["value"] == "18484981.73"
    assert document["cash"]["amount"] == "155388.68"
    assert document["cash"]["payer"] == "valence"
    assert document["cash"]["payee"] == "berg"
    assert document["remaining_debt"] == "0.00"


def test_quote(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = dump(db)
    document = ok(capsys, "quote", REFERENCE_LOAN, "--as-of", AS_OF, "--db", db)
    _check_reference_figures(document)
    assert document["as_of"] == AS_OF
    assert [n["note"] for n in document["collateral"]["notes"]] == [
        "valence-note-1",
        "valence-note-2",
        "valence-note-3",
    ]
    assert dump(db) == before  # a quote changes nothing


def test_quote_explain_shows_the_figures_and_how(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run(capsys, "quote", REFERENCE_LOAN, "--as-of", AS_OF, "--explain", "--db", db)
    assert result.code == 0, result.err
    for figure in ("17,500,000.00", "1,140,370.41", "18,484,981.73", "155,388.68"):
        assert figure in result.out
    assert "rounded half-up to 1,140,370.41" in result.out
    assert "how the interest was computed" in result.out
    assert "owed = collateral value + cash to lender" in result.out


def test_settle_closes_and_both_books_carry_the_agreement(
    settled: tuple[Path, dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    db, document = settled
    _check_reference_figures(document)
    assert document["settlement"]
    assert document["loan_status"] == "discharged"
    assert document["released_security_interests"] == ["berg-valence-pledge"]
    assert document["note_holders"] == {
        "valence-note-1": "berg",
        "valence-note-2": "berg",
        "valence-note-3": "berg",
    }
    for party_id, expected in (("valence", VALENCE_SETTLEMENT), ("berg", BERG_SETTLEMENT)):
        journal = ok(capsys, "journal", party_id, "--db", db)
        assert journal["entries"]
        for entry in journal["entries"]:
            assert {"id", "date", "kind", "legs", "hash"} <= set(entry)
            assert sum(D(leg["amount"]) for leg in entry["legs"]) == 0, entry["id"]
            for leg in entry["legs"]:
                assert D(leg["amount"]) == D(leg["amount"]).quantize(D("0.01"))
        (settlement,) = [e for e in journal["entries"] if e["kind"] == "settlement"]
        assert settlement["date"] == AS_OF
        assert {leg["account"]: D(leg["amount"]) for leg in settlement["legs"]} == expected
        assert len(settlement["legs"]) == 5
        books = ok(capsys, "books", party_id, "--db", db)
        assert books["total_debit"] == books["total_credit"]
    berg_books = ok(capsys, "books", "berg", "--db", db)
    rows = {row["account"]: row["balance"] for row in berg_books["accounts"]}
    assert rows["Assets:NotesReceivable"] == "17533226.80"
    assert rows["Assets:Cash"] == "155388.68"


def test_verify(settled: tuple[Path, dict[str, Any]], capsys: pytest.CaptureFixture[str]) -> None:
    db, _ = settled
    document = ok(capsys, "verify", "--db", db)
    assert document["ok"] is True
    assert document["first_bad"] is None
    counted = sum(len(ok(capsys, "journal", p, "--db", db)["entries"]) for p in ("berg", "valence"))
    assert document["entries"] == counted


def test_obligations_and_completing_them(
    settled: tuple[Path, dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    db, _ = settled
    listed = ok(capsys, "obligations", "--db", db)["obligations"]
    by_kind = {o["kind"]: o for o in listed}
    assert len(listed) == 2 and set(by_kind) == {"wire", "termination_statement"}
    wire, termination = by_kind["wire"], by_kind["termination_statement"]
    assert (wire["amount"], wire["due"], wire["party"]) == ("155388.68", "2002-03-31", "valence")
    assert (termination["due"], termination["party"]) == ("2002-04-20", "berg")
    assert termination["financing_statement"] == "berg-valence-ucc1"
    assert {o["status"] for o in listed} == {"open"}
    done = ok(capsys, "obligations", "complete", wire["id"], "--on", "2002-03-31", "--db", db)
    assert done["status"] == "done" and done["completed_on"] == "2002-03-31"
    still_open = ok(capsys, "obligations", "--status", "open", "--db", db)["obligations"]
    assert [o["id"] for o in still_open] == [termination["id"]]
    ok(capsys, "obligations", "complete", termination["id"], "--on", "2002-04-15", "--db", db)
    assert ok(capsys, "obligations", "--status", "open", "--db", db)["obligations"] == []
    assert len(ok(capsys, "obligations", "--status", "done", "--db", db)["obligations"]) == 2
    # Completing it twice is refused and changes nothing.
    before = dump(db)
    again = run(capsys, "obligations", "complete", wire["id"], "--on", "2002-04-01", "--db", db)
    assert again.code == 2 and again.err.startswith("error ")
    assert dump(db) == before


def test_export_beancount_is_accepted_by_bean_check(
    settled: tuple[Path, dict[str, Any]], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db, _ = settled
    for party_id in ("valence", "berg"):
        output = tmp_path / f"{party_id}.beancount"
        result = run(capsys, "export", "beancount", party_id, "--output", output, "--db", db)
        assert result.code == 0, result.err
        text = output.read_text(encoding="utf-8")
        assert "155388.68" in text
        checked = subprocess.run(
            [str(Path(sys.executable).parent / "bean-check"), str(output)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
    printed = run(capsys, "export", "beancount", "valence", "--db", db)
    assert printed.code == 0 and "17500000.00" in printed.out


def test_list_show_and_position(
    settled: tuple[Path, dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    db, document = settled
    register = ok(capsys, "list", "--db", db)
    assert [p["id"] for p in register["parties"]] == ["berg", "valence"]
    assert [loan["id"] for loan in register["loans"]] == [REFERENCE_LOAN]
    assert {n["id"]: n["holder"] for n in register["notes"]} == {
        "valence-note-1": "berg",
        "valence-note-2": "berg",
        "valence-note-3": "berg",
    }
    assert [s["id"] for s in register["security_interests"]] == ["berg-valence-pledge"]
    assert register["security_interests"][0]["released_on"] == AS_OF
    assert [(s["id"], s["idempotency_key"]) for s in register["settlements"]] == [
        (document["settlement"], "k")
    ]
    loan = ok(capsys, "show", REFERENCE_LOAN, "--db", db)
    assert loan["kind"] == "loan" and loan["id"] == REFERENCE_LOAN
    assert [e["kind"] for e in loan["events"]] == ["opening", "satisfaction", "discharge"]
    assert loan["events"][-1]["date"] == AS_OF
    party = ok(capsys, "show", "valence", "--db", db)
    assert party["kind"] == "party" and party["name"] == "Valence Technology, Inc."
    shown = ok(capsys, "show", document["settlement"], "--db", db)
    assert shown["kind"] == "settlement" and shown["cash"]["amount"] == "155388.68"
    note = ok(capsys, "show", "valence-note-3", "--db", db)
    assert note["kind"] == "note" and note["note_kind"] == "mortgage"
    assert note["id"] == "valence-note-3" and note["holder"] == "berg"
    # Positions: the discharged loan owes nothing; the note keeps accruing for its new holder.
    loan_position = ok(capsys, "position", REFERENCE_LOAN, "--as-of", AS_OF, "--db", db)
    assert loan_position["total"] == "0.00"
    note_position = ok(capsys, "position", "valence-note-1", "--as-of", AS_OF, "--db", db)
    assert (note_position["principal"], note_position["interest"]) == ("8000000.00", "434250.00")
    later = ok(capsys, "position", "valence-note-1", "--as-of", "2002-06-30", "--db", db)
    # 8,000,000.00 at 7.5% 30/360 for three months is 150,000.00.
    assert later["interest"] == "584250.00"


def test_position_of_the_loan_before_settling(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = ok(capsys, "position", REFERENCE_LOAN, "--as-of", AS_OF, "--db", db)
    assert (document["principal"], document["interest"], document["total"]) == (
        "17500000.00",
        "1140370.41",
        "18640370.41",
    )
    assert document["currency"] == "USD"


def test_the_same_key_again_returns_the_first_document_and_changes_nothing(
    settled: tuple[Path, dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    db, first = settled
    before = dump(db)
    again = ok(capsys, "settle", REFERENCE_LOAN, "--as-of", AS_OF, "--key", "k", "--db", db)
    assert again == first
    assert dump(db) == before
    reused = run(
        capsys, "settle", REFERENCE_LOAN, "--as-of", "2002-04-30", "--key", "k", "--db", db
    )
    assert reused.code == 2
    assert reused.err.startswith("error IDEMPOTENCY_KEY_REUSED: ")
    assert dump(db) == before
    discharged = run(
        capsys, "settle", REFERENCE_LOAN, "--as-of", AS_OF, "--key", "k2", "--json", "--db", db
    )
    assert discharged.code == 2
    assert discharged.json()["error"]["code"] == "LOAN_DISCHARGED"
    assert dump(db) == before


def test_a_saved_quote_settles_with_quote_id(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    saved = ok(capsys, "quote", REFERENCE_LOAN, "--as-of", AS_OF, "--save", "--db", db)
    quote_id = saved["quote_id"]
    assert quote_id
    document = ok(capsys, "settle", REFERENCE_LOAN, "--quote", quote_id, "--key", "q", "--db", db)
    _check_reference_figures(document)
    assert document["fingerprint"] == saved["fingerprint"]
    before = dump(db)
    again = run(capsys, "settle", REFERENCE_LOAN, "--quote", quote_id, "--key", "q2", "--db", db)
    assert again.code == 2 and again.err.startswith("error LOAN_DISCHARGED: ")
    other = run(capsys, "settle", "other-loan", "--quote", quote_id, "--db", db)
    assert other.code == 2 and other.err.startswith("error QUOTE_LOAN_MISMATCH: ")
    assert dump(db) == before


def test_demo_prints_every_reference_figure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run(capsys, "demo", REFERENCE_DEAL, "--db", tmp_path / "demo.db")
    assert result.code == 0, result.err
    for figure in (
        "17,500,000.00",
        "1,140,370.41",
        "18,640,370.41",
        "17,533,226.80",
        "951,754.93",
        "18,484,981.73",
        "155,388.68",
    ):
        assert figure in result.out, figure
    assert "journal verified" in result.out


def test_db_may_come_before_the_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The option is carried in the environment; monkeypatch restores it afterwards.
    monkeypatch.setenv("ACQUITTANCE_DB", str(tmp_path / "unused.db"))
    store = tmp_path / "global.db"
    assert run(capsys, "--db", store, "init").code == 0
    assert run(capsys, "--db", store, "load", REFERENCE_DEAL).code == 0
    quoted = run(capsys, "--db", store, "quote", REFERENCE_LOAN, "--as-of", AS_OF, "--json")
    assert quoted.json()["cash"]["amount"] == "155388.68"
    assert not (tmp_path / "unused.db").exists()


def test_record_a_payment_books_accrual_then_payment_and_settles_after(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    recorded = ok(
        capsys, "record", REFERENCE_LOAN, "--kind", "payment", "--date", "2002-04-15",
        "--amount", "100000.00", "--db", db, "--json",
    )  # fmt: skip
    kinds = [(entry["party"], entry["kind"]) for entry in recorded["entries"]]
    assert kinds == [
        ("berg", "accrual"), ("valence", "accrual"), ("berg", "payment"), ("valence", "payment"),
    ]  # fmt: skip
    for entry in recorded["entries"]:
        assert sum(Decimal(leg["amount"]) for leg in entry["legs"]) == 0
    # 15 days of 6.5% ACT/360 on 17,500,000.00, from 2002-03-31 to 2002-04-15.
    assert recorded["entries"][0]["legs"][0]["amount"] == "47395.83"
    position = ok(capsys, "position", REFERENCE_LOAN, "--as-of", "2002-04-15", "--db", db, "--json")
    assert position["interest"] == "1087766.24"  # 1,140,370.41 + 47,395.83 - 100,000.00
    settled = ok(capsys, "settle", REFERENCE_LOAN, "--as-of", "2002-04-30", "--db", db, "--json")
    assert settled["remaining_debt"] == "0.00"
    assert ok(capsys, "verify", "--db", db, "--json")["ok"] is True


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("--kind", "payment", "--date", "2002-03-01", "--amount", "5.00"), "EVENT_BEFORE_OPENING"),
        (("--kind", "payment", "--date", "2002-04-01", "--amount", "99999999.00"), "OVERPAYMENT"),
        (("--kind", "payment", "--date", "2002-04-01", "--amount", "-5.00"), "NEGATIVE_AMOUNT"),
        (
            ("--kind", "rate_change", "--date", "2002-04-01", "--rate", "7"),
            "RATE_LOOKS_LIKE_PERCENT",
        ),
        (("--kind", "refund", "--date", "2002-04-01", "--amount", "5.00"), "UNKNOWN_EVENT"),
    ],
)
def test_record_refuses_bad_events_and_changes_nothing(
    db: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], code: str
) -> None:
    before = dump(db)
    result = run(capsys, "record", REFERENCE_LOAN, *args, "--db", db)
    assert result.code == 2
    assert result.err.startswith(f"error {code}: ") or result.err.startswith("error EVENTS_OUT")
    assert dump(db) == before


def test_record_on_a_discharged_loan_is_refused(
    settled: tuple[Path, dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    db, _ = settled
    before = dump(db)
    result = run(
        capsys, "record", REFERENCE_LOAN, "--kind", "payment", "--date", "2002-05-01",
        "--amount", "5.00", "--db", db,
    )  # fmt: skip
    assert result.code == 2
    assert result.err.startswith("error LOAN_DISCHARGED: ")
    assert dump(db) == before


def test_a_note_assigned_at_settlement_accrues_in_its_new_holders_books_from_then(
    settled: tuple[Path, dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    db, _ = settled
    recorded = ok(
        capsys, "record", "valence-note-1", "--kind", "payment", "--date", "2002-04-30",
        "--amount", "60000.00", "--db", db, "--json",
    )  # fmt: skip
    legs = [
        (entry["party"], entry["kind"], leg["account"], leg["amount"])
        for entry in recorded["entries"]
        for leg in entry["legs"]
    ]
    # One month at 7.5% (30/360) on 8,000,000.00 accrues to Berg, which now holds the note;
    # the interest up to the settlement came to Berg with the note, not again.
    assert legs == [
        ("berg", "accrual", "Assets:InterestReceivable:Notes", "50000.00"),
        ("berg", "accrual", "Income:Interest", "-50000.00"),
        ("berg", "payment", "Assets:Cash", "60000.00"),
        ("berg", "payment", "Assets:InterestReceivable:Notes", "-60000.00"),
    ]
    assert ok(capsys, "verify", "--db", db, "--json")["ok"] is True
