"""The core imports nothing from the layers above it (store, service, faces, books, ...)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[2] / "src" / "acquittance" / "core"
ABOVE = (
    "store",
    "service",
    "cli",
    "server",
    "books",
    "agreements",
    "portfolio",
    "deals",
    "present",
)


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted(CORE.glob("*.py")), ids=lambda p: p.name)
def test_a_core_module_imports_only_the_core_and_the_standard_library(path: Path) -> None:
    for name in _imported(path):
        if name.startswith("acquittance."):
            layer = name.split(".")[1]
            assert layer == "core", f"{path.name} imports {name}"
            assert layer not in ABOVE
