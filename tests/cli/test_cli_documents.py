"""The document commands at the edge: `letter payoff`, `statement`, `schedule --output`,
`ucc3` and `draft`, on a real SQLite store: what `--json` prints, and each refusal as
exit status 2 with `error CODE: message`, no file written and the store unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import REFERENCE_DEAL, REFERENCE_LOAN, dump, ok, run

HARBOR_DEAL = REFERENCE_DEAL.with_name("harbor-mortgage-surplus.toml")


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "books.db"
    ok(capsys, "init", "--db", path)
    ok(capsys, "load", REFERENCE_DEAL, "--db", path)
    ok(capsys, "load", HARBOR_DEAL, "--db", path)
    return path


@pytest.mark.parametrize("fmt", ["md", "docx", "pdf"])
def test_payoff_letter_reports_the_quotes_figures(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    out = tmp_path / f"payoff.{fmt}"
    quote = ok(capsys, "quote", "harbor-quill-loan", "--as-of", "2024-06-30", "--db", db)
    written = ok(
        capsys,
        "letter",
        "payoff",
        "harbor-quill-loan",
        "--as-of",
        "2024-06-30",
        "--output",
        out,
        "--db",
        db,
    )
    assert written["output"] == str(out) and written["format"] == fmt
    assert written["bytes"] == out.stat().st_size
    assert written["payoff"]["principal"] == quote["owed"]["principal"]
    assert written["payoff"]["interest"] == quote["owed"]["interest"]
    assert written["payoff"]["total"] == quote["owed"]["total"]
    assert written["payoff"]["per_diem"] == quote["owed"]["per_diem"]
    assert written["good_through"] == quote["owed"]["good_through"]


def test_statement_schedule_and_ucc3_write_their_files(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    statement = ok(
        capsys,
        "statement",
        REFERENCE_LOAN,
        "--from",
        "2002-03-31",
        "--to",
        "2002-04-30",
        "--output",
        tmp_path / "s.docx",
        "--db",
        db,
    )
    assert statement["opening"]["total"] == "0.00"
    assert statement["closing"]["principal"] == "17500000.00"
    assert [event["kind"] for event in statement["events"]] == ["opening"]
    for fmt in ("csv", "xlsx"):
        schedule = ok(
            capsys, "schedule", "quill-mortgage-1", "--output", tmp_path / f"q.{fmt}", "--db", db
        )
        assert (schedule["format"], schedule["installments_count"]) == (fmt, 360)
    ucc3 = ok(
        capsys,
        "ucc3",
        "harbor-quill-pledge",
        "--amendment",
        "--note",
        "quill-mortgage-1",
        "--output",
        tmp_path / "u.pdf",
        "--db",
        db,
    )
    assert ucc3["kind"] == "amendment" and ucc3["notes"] == ["quill-mortgage-1"]
    assert ucc3["file_number"] == "202301170012345"
    assert (tmp_path / "u.pdf").read_bytes()[:4] == b"%PDF"


def test_schedule_json_still_prints_the_rows(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = ok(capsys, "schedule", "quill-mortgage-1", "--db", db)
    assert document["note"] == "quill-mortgage-1" and len(document["installments"]) == 360


def _refused(
    capsys: pytest.CaptureFixture[str], db: Path, folder: Path, code: str, *args: str | Path
) -> None:
    before, files = dump(db), sorted(folder.rglob("*"))
    result = run(capsys, *args, "--db", db)
    assert result.code == 2, (args, result.out, result.err)
    assert result.err.startswith(f"error {code}: "), result.err
    assert result.out == ""
    as_json = run(capsys, *args, "--db", db, "--json")
    assert as_json.code == 2
    assert json.loads(as_json.out)["error"]["code"] == code
    assert dump(db) == before
    assert sorted(folder.rglob("*")) == files


PAYOFF = ("letter", "payoff", "harbor-quill-loan", "--as-of", "2024-06-30")


@pytest.mark.parametrize(
    ("code", "args"),
    [
        ("FORMAT_MISMATCH", (*PAYOFF, "--format", "pdf", "--output", "{dir}/p.md")),
        ("UNKNOWN_FORMAT", (*PAYOFF, "--format", "rtf", "--output", "{dir}/p.rtf")),
        ("OUTPUT_EXISTS", (*PAYOFF, "--output", "{dir}/existing.md")),
        ("OUTPUT_IS_INPUT", (*PAYOFF, "--format", "pdf", "--output", "{db}", "--force")),
        ("OUTPUT_NOT_WRITABLE", (*PAYOFF, "--output", "{dir}/no/such/p.md")),
        ("UNKNOWN_LOAN", ("letter", "payoff", "nope", "--as-of", "2024-06-30", "--output",
                             "{dir}/p.md")),
        ("INVALID_DATE", ("statement", "harbor-quill-loan", "--from", "2024-13-01", "--to",
                          "2024-06-30", "--output", "{dir}/s.md")),
        ("DATES_OUT_OF_ORDER", ("statement", "harbor-quill-loan", "--from", "2024-06-30",
                                "--to", "2024-01-01", "--output", "{dir}/s.md")),
        ("UNKNOWN_INSTRUMENT", ("statement", "nope", "--from", "2024-01-01", "--to",
                                "2024-06-30", "--output", "{dir}/s.md")),
        ("FORMAT_MISMATCH", ("schedule", "quill-mortgage-1", "--output", "{dir}/s.pdf")),
        ("FORMAT_MISMATCH", ("schedule", "quill-mortgage-1", "--format", "xlsx", "--output",
                             "{dir}/s.csv")),
        ("MISSING_OPTION", ("schedule", "quill-mortgage-1", "--format", "csv")),
        ("NO_SCHEDULE", ("schedule", "harbor-quill-loan", "--output", "{dir}/s.csv")),
        ("MISSING_OPTION", ("ucc3", "harbor-quill-pledge", "--output", "{dir}/u.md")),
        ("CONFLICTING_OPTIONS", ("ucc3", "harbor-quill-pledge", "--termination", "--amendment",
                                 "--output", "{dir}/u.md")),
        ("MISSING_NOTES", ("ucc3", "harbor-quill-pledge", "--amendment", "--output",
                           "{dir}/u.md")),
        ("NOTE_NOT_PLEDGED", ("ucc3", "harbor-quill-pledge", "--amendment", "--note",
                              "valence-note-1", "--output", "{dir}/u.md")),
        ("UNKNOWN_SECURITY_INTEREST", ("ucc3", "nope", "--termination", "--output",
                                       "{dir}/u.md")),
        ("OUTPUT_EXISTS", ("draft", REFERENCE_LOAN, "--as-of", "2002-03-31", "--output",
                           "{dir}/existing.md")),
        ("FORMAT_MISMATCH", ("draft", REFERENCE_LOAN, "--as-of", "2002-03-31", "--format", "pdf",
                             "--output", "{dir}/a.md")),
        ("OUTPUT_IS_INPUT", ("draft", "{dir}/deal.toml", "--as-of", "2002-03-31", "--format",
                             "md", "--output", "{dir}/deal.toml", "--force")),
    ],
)  # fmt: skip
def test_each_bad_input_is_refused_with_its_code_and_changes_nothing(
    db: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    code: str,
    args: tuple[str, ...],
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "existing.md").write_text("mine", encoding="utf-8")
    (folder / "deal.toml").write_bytes(REFERENCE_DEAL.read_bytes())
    filled = [str(a).format(dir=folder, db=db) for a in args]
    _refused(capsys, db, folder, code, *filled)
    assert (folder / "existing.md").read_text(encoding="utf-8") == "mine"
    assert (folder / "deal.toml").read_bytes() == REFERENCE_DEAL.read_bytes()


def test_force_replaces_an_existing_draft(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "a.md"
    out.write_text("old", encoding="utf-8")
    args = ("draft", REFERENCE_LOAN, "--as-of", "2002-03-31", "--output", out, "--db", db)
    written = ok(capsys, *args, "--force")
    assert written["title"] == "Letter Agreement and Release"
    assert written["source"] == "store" and written["format"] == "md"
    assert out.read_text(encoding="utf-8").startswith("# LETTER AGREEMENT AND RELEASE")


def test_a_deal_file_draft_notes_what_the_store_recorded_since(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ok(
        capsys,
        "record",
        "harbor-quill-loan",
        "--kind",
        "payment",
        "--date",
        "2024-06-01",
        "--amount",
        "25000.00",
        "--db",
        db,
    )
    args = (HARBOR_DEAL, "--as-of", "2024-06-30", "--output", tmp_path / "a.md", "--db", db)
    result = run(capsys, "draft", *args, "--json")
    assert result.code == 0, result.err
    document = json.loads(result.out)
    assert document["source"] == "deal_file"
    assert document["title"] == "Settlement Agreement and Release"
    (notice,) = document["notices"]
    assert f"note: {notice}" in result.err
