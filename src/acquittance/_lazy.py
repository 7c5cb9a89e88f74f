"""Names a package exports, each imported from its module on first use (PEP 562).

A package lists its exports as {module: names}; `lookup` turns that into the
module-level `__getattr__` and `__dir__` that find each name on first use and
keep it, so that importing the package imports none of the modules behind it.
This module itself imports nothing.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping


def where(exports: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    """Each exported name and the module it comes from."""
    return {name: module for module, names in exports.items() for name in names}


def lookup(
    package: str, found_in: Mapping[str, str], namespace: dict[str, object]
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """The package's `__getattr__` and `__dir__` over `found_in` (see `where`).

    A name found is kept in `namespace` (the package's globals), so that the
    next use is a plain attribute.
    """

    def __getattr__(name: str) -> object:
        module = found_in.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        from importlib import import_module

        value = getattr(import_module(module), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *found_in})

    return __getattr__, __dir__
