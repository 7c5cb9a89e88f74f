"""The store package's names are imported on first use: its plain values come without
SQLAlchemy, and type checkers see exactly the names that resolve at run time."""

from __future__ import annotations

import subprocess
import sys

import pytest

import acquittance.store as store
from exports import type_checking_imports


def test_type_checkers_see_exactly_the_names_that_resolve_at_run_time() -> None:
    exports = {module: set(names) for module, names in store._EXPORTS.items()}
    assert type_checking_imports(store) == exports


def test_every_exported_name_is_the_object_its_module_defines() -> None:
    from importlib import import_module

    for module, names in store._EXPORTS.items():
        for name in names:
            assert getattr(store, name) is getattr(import_module(module), name), name


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = store.no_such_name  # type: ignore[attr-defined]


@pytest.mark.parametrize("module", ["acquittance.store.records", "acquittance.store"])
def test_the_stores_plain_values_come_without_sqlalchemy(module: str) -> None:
    probe = f"import sys, {module}; print(sorted(m for m in sys.modules if 'sqlalchemy' in m))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]"
