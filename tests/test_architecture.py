"""The layout is the architecture: arrows point down, from the faces to the core, never back.

core imports nothing of the other parts; books and agreements import only the
core (and themselves); the faces (cli, server) call the service layer and
never open the store themselves. Checked on the source, import by import,
including imports inside functions.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "acquittance"

#: What each part may import from acquittance, besides itself.
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "books": {"core"},
    "agreements": {"core"},
    "deals": {"core"},
    "portfolio": {"core"},
}
FACES = ("cli", "server")


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            if node.module == "acquittance":
                found.extend((node.lineno, f"acquittance.{alias.name}") for alias in node.names)
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
    return [(line, name) for line, name in found if name.startswith("acquittance.")]


def _modules(part: str) -> list[Path]:
    return sorted((PACKAGE / part).rglob("*.py"))


def _part(module: str) -> str:
    return module.split(".")[1]


@pytest.mark.parametrize("part", sorted(ALLOWED))
def test_lower_parts_import_only_what_lies_below_them(part: str) -> None:
    allowed = ALLOWED[part] | {part}
    wrong = [
        f"{path.relative_to(PACKAGE)}:{line} imports {module}"
        for path in _modules(part)
        for line, module in _imports(path)
        if _part(module) not in allowed
    ]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("face", FACES)
def test_faces_never_open_the_store(face: str) -> None:
    wrong = [
        f"{path.relative_to(PACKAGE)}:{line} imports {module}"
        for path in _modules(face)
        for line, module in _imports(path)
        if _part(module) == "store"
    ]
    assert not wrong, "\n".join(wrong)


def test_the_service_layer_imports_no_face() -> None:
    wrong = [
        f"{path.relative_to(PACKAGE)}:{line} imports {module}"
        for path in _modules("service")
        for line, module in _imports(path)
        if _part(module) in (*FACES, "present")
    ]
    assert not wrong, "\n".join(wrong)


def test_the_server_reaches_the_store_only_through_the_service() -> None:
    """No module of the server imports the store, even for a type: it calls the service."""
    modules = _modules("server")
    assert modules, "the server package exists"
    wrong = [
        f"{path.relative_to(PACKAGE)}:{line} imports {module}"
        for path in modules
        for line, module in _imports(path)
        if _part(module) in ("store", "cli")
    ]
    assert not wrong, "\n".join(wrong)


def test_every_part_the_checks_name_exists() -> None:
    assert (PACKAGE / "cli").is_dir()
    assert (PACKAGE / "server" / "__init__.py").is_file()
    for part in (*ALLOWED, "service", "store", "present"):
        assert (PACKAGE / part / "__init__.py").is_file(), part
