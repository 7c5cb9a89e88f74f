"""The pure reader (text in, reading out) does no I/O and knows nothing of files or batches.

`reader.py` brings text in from files (through `sources.py` and `extract.py`);
`batch.py` and `output.py` read many and write results; `summary.py` prints.
Every other module of the reader is pure: checked on the source, import by
import and call by call.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

READING = Path(__file__).resolve().parents[3] / "src" / "acquittance" / "agreements" / "reading"
DOORS = {"reader", "sources", "extract", "batch", "output", "summary", "__init__"}
FORBIDDEN_MODULES = {"os", "io", "pathlib", "subprocess", "shutil", "socket", "concurrent", "sys"}
FORBIDDEN_READING = {f"acquittance.agreements.reading.{name}" for name in DOORS - {"__init__"}}


def _pure_modules() -> list[Path]:
    return sorted(p for p in READING.glob("*.py") if p.stem not in DOORS)


def test_the_pure_reader_has_its_modules() -> None:
    names = {p.stem for p in _pure_modules()}
    assert {"analysis", "rules", "roles", "parties", "dates", "titles", "amounts"} <= names


@pytest.mark.parametrize("path", _pure_modules(), ids=lambda p: p.name)
def test_pure_reader_module_does_no_io(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    wrong = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            wrong += [a.name for a in node.names if a.name.split(".")[0] in FORBIDDEN_MODULES]
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module.split(".")[0] in FORBIDDEN_MODULES or node.module in FORBIDDEN_READING:
                wrong.append(node.module)
            if node.module == "acquittance.agreements.reading":
                wrong += [a.name for a in node.names if a.name in DOORS]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("open", "print", "input")
        ):
            wrong.append(f"{node.func.id}()")
    assert wrong == []
