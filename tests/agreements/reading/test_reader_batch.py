"""Batch mode: one JSON line (or CSV rows) per file; a bad file never stops the run."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from reader_support import FIXTURES, run_cli

from acquittance.agreements.reading.batch import discover, read_many


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    (folder / "nested").mkdir(parents=True)
    for name in ("unbalanced.txt", "amendment.txt"):
        (folder / name).write_text((FIXTURES / name).read_text())
    (folder / "nested" / "empty.txt").write_text("")
    (folder / "notes.rtf").write_text("ignored: not a format the batch looks for")
    return folder


def test_folder_batch_gives_one_line_per_file_with_errors_inline(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run_cli(capsys, str(_folder(tmp_path)), "--jobs", "2")
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    # Paths in sorted order: the folder's own files and its subfolders, as the file system sorts.
    assert [Path(x["path"]).name for x in lines] == ["amendment.txt", "empty.txt", "unbalanced.txt"]
    assert lines[1]["error"]["code"] == "EMPTY_FILE"
    assert lines[2]["reconciliation"]["status"] == "unbalanced"


def test_csv_lists_every_amount_with_its_path(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "amounts.csv"
    code, _, _ = run_cli(capsys, str(_folder(tmp_path)), "--csv", str(target))
    rows = list(csv.DictReader(target.open()))
    assert code == 0
    assert {"path", "value", "role", "start", "end"} <= set(rows[0])
    assert any(r["value"] == "140000.00" and r["role"] == "cash_to_creditor" for r in rows)


def test_batch_where_every_file_fails_exits_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "a.txt").write_text("")
    target = tmp_path / "out.jsonl"
    code, _, err = run_cli(capsys, str(tmp_path / "a.txt"), "--jsonl", str(target))
    assert code == 1
    assert "NO_FILE_READ" in err
    assert json.loads(target.read_text())["error"]["code"] == "EMPTY_FILE"


def test_single_missing_file_is_an_error_with_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "/no/such/agreement.txt", "--json")
    assert code == 2
    assert json.loads(out)["error"]["code"] == "FILE_NOT_FOUND"
    assert err.startswith("error FILE_NOT_FOUND:")


def test_read_many_keeps_input_order_in_a_pool(tmp_path: Path) -> None:
    paths = discover([_folder(tmp_path)])
    assert [r["path"] for r in read_many(paths, jobs=3)] == [str(p) for p in paths]
