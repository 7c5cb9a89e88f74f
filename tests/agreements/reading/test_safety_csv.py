"""`read --csv`: no cell reaches a spreadsheet as a formula; amounts stay numbers."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from reader_support import FIXTURES, run_cli

from acquittance.agreements.reading.output import ResultWriter, neutralize_cell


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ('=HYPERLINK("https://example.com","x")', '\'=HYPERLINK("https://example.com","x")'),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-$1,250.00", "'-$1,250.00"),
        ("-1250.00", "-1250.00"),
        ("-7", "-7"),
        ("1250.00", "1250.00"),
        ("$17,500,000.00", "$17,500,000.00"),
        ("debt_principal", "debt_principal"),
        (42, 42),
    ],
)
def test_formula_prefixes_are_quoted_and_numbers_kept(cell: object, shown: object) -> None:
    assert neutralize_cell(cell) == shown


def test_negative_amounts_stay_numbers_in_the_csv(tmp_path: Path) -> None:
    target = tmp_path / "amounts.csv"
    amount = {
        "value": "-1250.00",
        "currency": "USD",
        "role": "other",
        "text": "=1250",
        "start": 3,
        "end": 9,
    }
    with ResultWriter(jsonl=None, csv_path=target) as writer:
        writer.write({"path": "@agreement.txt", "amounts": [amount]})
    [header, row] = list(csv.reader(target.open(encoding="utf-8")))
    assert header[0] == "path"
    assert row == ["'@agreement.txt", "-1250.00", "USD", "other", "'=1250", "3", "9"]


def test_a_file_named_like_a_formula_is_quoted_in_the_csv(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hostile = tmp_path / "=HYPERLINK(1).txt"
    hostile.write_text((FIXTURES / "unbalanced.txt").read_text(encoding="utf-8"))
    target = tmp_path / "amounts.csv"
    monkeypatch.chdir(tmp_path)
    code, _, _ = run_cli(capsys, hostile.name, "--csv", str(target))
    assert code == 0
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert rows
    for row in rows:
        assert row["path"] == "'=HYPERLINK(1).txt"
        for cell in row.values():
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell
