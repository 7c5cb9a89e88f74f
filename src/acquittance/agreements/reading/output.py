"""Batch output: JSON Lines (standard output or a file), CSV of amounts, a progress bar.

CSV cells are neutralised against formula injection (OWASP's advice): a cell
that starts with "=", "+", "-", "@", a tab, a carriage return or a line feed
gets a leading single quote, so a spreadsheet shows it as text instead of
running it ("=HYPERLINK(...)" in an agreement's text, or in a file's name). A
cell that is a plain decimal number, negative ones included ("-1250.00"), is
left alone: it cannot hold a formula, and an amount must stay a number the
spreadsheet can add up.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path
from typing import IO, Any, Final

from acquittance.core.errors import InputError

CSV_COLUMNS = ("path", "value", "currency", "role", "text", "start", "end")
#: First characters that make a spreadsheet read a cell as a formula (or start a new line).
FORMULA_PREFIXES: Final = ("=", "+", "-", "@", "\t", "\r", "\n")
_PLAIN_NUMBER: Final = re.compile(r"-?\d+(?:\.\d+)?")


def neutralize_cell(value: object) -> object:
    """The cell as a spreadsheet should show it: text that looks like a formula quoted."""
    if not isinstance(value, str) or not value.startswith(FORMULA_PREFIXES):
        return value
    if _PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


class ResultWriter:
    """Writes each batch result as it arrives: a JSON line, or its amounts as CSV rows."""

    def __init__(self, *, jsonl: Path | None, csv_path: Path | None) -> None:
        self._jsonl, self._csv_path = jsonl, csv_path
        self._stream: IO[str] = sys.stdout
        self._owned: IO[str] | None = None
        self._csv: Any = None

    def __enter__(self) -> ResultWriter:
        target = self._jsonl or self._csv_path
        if target is not None:
            try:
                self._owned = target.open("w", encoding="utf-8", newline="")
            except OSError as error:
                raise InputError(
                    "UNWRITABLE_OUTPUT",
                    f"cannot write {target} ({error.strerror}); pick another path",
                ) from None
            self._stream = self._owned
        if self._csv_path is not None:
            self._csv = csv.writer(self._stream)
            self._csv.writerow(CSV_COLUMNS)
        return self

    def write(self, result: dict[str, Any]) -> None:
        if self._csv is None:
            self._stream.write(json.dumps(result, ensure_ascii=False) + "\n")
            return
        if "error" in result:
            sys.stderr.write(f"{result['path']}: error {result['error']['code']}\n")
        for amount in result.get("amounts", []):
            row = [result["path"], *(amount[k] for k in CSV_COLUMNS[1:])]
            self._csv.writerow([neutralize_cell(cell) for cell in row])

    def __exit__(self, *exc: object) -> None:
        if self._owned is not None:
            self._owned.close()
        else:
            self._stream.flush()
