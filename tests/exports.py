"""What a package that exports its names on first use tells type checkers it exports."""

from __future__ import annotations

import ast
from pathlib import Path
from types import ModuleType


def type_checking_imports(package: ModuleType) -> dict[str, set[str]]:
    """What `if TYPE_CHECKING:` in the package's __init__ imports, module by module."""
    assert package.__file__ is not None
    tree = ast.parse(Path(package.__file__).read_text(encoding="utf-8"))
    (block,) = [
        node
        for node in tree.body
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name)
        if node.test.id == "TYPE_CHECKING"
    ]
    imports: dict[str, set[str]] = {}
    for statement in block.body:
        assert isinstance(statement, ast.ImportFrom) and statement.module, ast.dump(statement)
        for alias in statement.names:
            # `X as X`: an explicit re-export, for type checkers in strict mode.
            assert alias.asname == alias.name, alias.name
            imports.setdefault(statement.module, set()).add(alias.name)
    return imports
