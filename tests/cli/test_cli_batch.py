"""`settle --batch`: one result line per input line, in order; a rerun closes nothing twice."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import REFERENCE_DEAL, REFERENCE_LOAN, dump, ok, run

HARBOR_DEAL = REFERENCE_DEAL.with_name("harbor-mortgage-surplus.toml")
HARBOR_LOAN = "harbor-quill-loan"


def _store(tmp_path: Path, capsys: pytest.CaptureFixture[str], db: str | Path) -> str | Path:
    ok(capsys, "init", "--db", db)
    ok(capsys, "load", REFERENCE_DEAL, "--db", db)
    ok(capsys, "load", HARBOR_DEAL, "--db", db)
    return db


def _batch(
    capsys: pytest.CaptureFixture[str], db: str | Path, path: Path, *options: str
) -> list[dict[str, Any]]:
    result = run(capsys, "settle", "--batch", path, *options, "--db", db)
    assert result.code == 0, result.err
    return [json.loads(line) for line in result.out.splitlines()]


def test_each_line_closes_on_its_own_in_input_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = _store(tmp_path, capsys, tmp_path / "store.db")
    batch = tmp_path / "batch.csv"
    batch.write_text(
        "loan,as_of,key\n"
        f"{HARBOR_LOAN},2024-06-30,same-key\n"
        "no-such-loan,2024-06-30,k-2\n"
        f"{REFERENCE_LOAN},2002-03-31,same-key\n"
        f"{REFERENCE_LOAN},2002-03-31,k-4\n"
    )
    lines = _batch(capsys, db, batch)
    assert [(x["loan"], x["status"], x["code"]) for x in lines] == [
        (HARBOR_LOAN, "closed", None),
        ("no-such-loan", "error", "UNKNOWN_LOAN"),
        # A key is an attempt on one loan: the same key closes another loan too.
        (REFERENCE_LOAN, "closed", None),
        (REFERENCE_LOAN, "error", "LOAN_DISCHARGED"),
    ]
    assert ok(capsys, "verify", "--db", db)["ok"]


def test_a_rerun_closes_nothing_twice_and_answers_the_same(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "store.db"
    _store(tmp_path, capsys, db)
    batch = tmp_path / "batch.jsonl"
    batch.write_text(
        json.dumps({"loan": REFERENCE_LOAN, "as_of": "2002-03-31", "key": "r-1"})
        + "\n"
        + json.dumps({"loan": HARBOR_LOAN, "as_of": "2024-06-30", "key": "r-2"})
        + "\n"
    )
    first = _batch(capsys, db, batch)
    before = dump(db)
    again = _batch(capsys, db, batch)
    assert again == first
    assert dump(db) == before


def test_a_stale_fingerprint_refuses_only_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = _store(tmp_path, capsys, tmp_path / "store.db")
    quote = ok(capsys, "quote", HARBOR_LOAN, "--as-of", "2024-06-30", "--db", db)
    batch = tmp_path / "batch.csv"
    batch.write_text(
        "loan,as_of,key,fingerprint\n"
        f"{REFERENCE_LOAN},2002-03-31,f-1,{'0' * 64}\n"
        f"{HARBOR_LOAN},2024-06-30,f-2,{quote['fingerprint']}\n"
    )
    lines = _batch(capsys, db, batch)
    assert [(x["status"], x["code"]) for x in lines] == [("error", "STALE_QUOTE"), ("closed", None)]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("loan,date,key\nx,2024-06-30,k\n", "BATCH_HEADER"),
        ("loan,as_of\nx,2024-06-30\n", "BATCH_HEADER"),
    ],
)
def test_a_file_that_is_not_a_batch_is_refused_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, code: str
) -> None:
    db = _store(tmp_path, capsys, tmp_path / "store.db")
    batch = tmp_path / "batch.csv"
    batch.write_text(text)
    before = dump(db)
    result = run(capsys, "settle", "--batch", batch, "--db", db)
    assert (result.code, result.err.split(":")[0]) == (2, f"error {code}")
    assert dump(db) == before


@pytest.mark.parametrize(
    ("line", "code"),
    [
        (f"{REFERENCE_LOAN},2002-02-30,k", "INVALID_DATE"),
        (f"{REFERENCE_LOAN},9999-12-31,k", "DATE_OUT_OF_RANGE"),
        (f"{REFERENCE_LOAN},2002-03-31,", "INVALID_KEY"),
        (",2002-03-31,k", "BATCH_LINE"),
    ],
)
def test_a_bad_line_is_refused_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], line: str, code: str
) -> None:
    db = _store(tmp_path, capsys, tmp_path / "store.db")
    batch = tmp_path / "batch.csv"
    batch.write_text(f"loan,as_of,key\n{line}\n{HARBOR_LOAN},2024-06-30,good\n")
    lines = _batch(capsys, db, batch)
    assert [x["code"] for x in lines] == [code, None]


def test_the_batch_options_are_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = _store(tmp_path, capsys, tmp_path / "store.db")
    batch = tmp_path / "batch.csv"
    batch.write_text("loan,as_of,key\n")
    assert run(capsys, "settle", "--batch", batch, "--workers", "0", "--db", db).code == 2
    mixed = run(capsys, "settle", REFERENCE_LOAN, "--batch", batch, "--db", db)
    assert mixed.code == 2 and "BATCH_WITH_LOAN" in mixed.err
    missing = run(capsys, "settle", "--batch", tmp_path / "none.csv", "--db", db)
    assert missing.code == 2 and "BATCH_NOT_READABLE" in missing.err


@pytest.mark.postgres
def test_workers_race_one_loan_on_postgres_and_one_closes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], postgres_url: str
) -> None:
    db = _store(tmp_path, capsys, postgres_url)
    batch = tmp_path / "race.csv"
    batch.write_text(
        "loan,as_of,key\n"
        + "".join(f"{REFERENCE_LOAN},2002-03-31,race-{i}\n" for i in range(8))
        + f"{HARBOR_LOAN},2024-06-30,other\n"
    )
    lines = _batch(capsys, db, batch, "--workers", "8")
    statuses = [x["status"] for x in lines[:8]]
    assert statuses.count("closed") == 1
    assert {x["code"] for x in lines[:8] if x["status"] == "error"} == {"LOAN_DISCHARGED"}
    assert lines[8]["status"] == "closed"
    assert [x["key"] for x in lines] == [*(f"race-{i}" for i in range(8)), "other"]
    assert ok(capsys, "verify", "--db", db)["ok"]


@pytest.mark.postgres
def test_more_workers_than_one_process_holds_close_each_loan_once_in_input_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], postgres_url: str
) -> None:
    db = _store(tmp_path, capsys, postgres_url)
    batch = tmp_path / "race.csv"
    # More groups than one process's connections, so that every process gets some.
    count = 12 * 32
    loans = [(REFERENCE_LOAN, "2002-03-31"), (HARBOR_LOAN, "2024-06-30")]
    batch.write_text(
        "loan,as_of,key\n"
        + "".join(f"{loans[i % 2][0]},{loans[i % 2][1]},k-{i}\n" for i in range(count))
    )
    lines = _batch(capsys, db, batch, "--workers", "20")
    assert [x["key"] for x in lines] == [f"k-{i}" for i in range(count)]
    for loan, _ in loans:
        mine = [x for x in lines if x["loan"] == loan]
        assert [x["status"] for x in mine].count("closed") == 1
        assert {x["code"] for x in mine if x["status"] == "error"} == {"LOAN_DISCHARGED"}
    assert ok(capsys, "verify", "--db", db)["ok"]


@pytest.mark.parametrize("content", ["loan,as_of,key\n", "loan,as_of,key\n,2024-06-30,k-1\n"])
def test_a_batch_with_no_line_to_close_still_refuses_a_store_that_is_not_there(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str
) -> None:
    batch = tmp_path / "batch.csv"
    batch.write_text(content)
    missing = tmp_path / "no-store.db"
    result = run(capsys, "settle", "--batch", batch, "--db", missing)
    assert result.code == 2
    assert result.err.startswith("error STORE_NOT_INITIALIZED: "), result.err
    assert result.out == ""
    assert not missing.exists()
