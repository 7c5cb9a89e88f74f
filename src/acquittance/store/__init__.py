"""The storage port: one code path through SQLAlchemy 2 for SQLite and PostgreSQL.

`resolve_url` finds the store, `init_store` creates or migrates it,
`open_store` opens an existing one without changing it, `transaction` runs a
unit of work atomically, and `Repository` maps domain values to rows and back.

Each name is imported on first use (PEP 562), so that a module of plain values
beside them (`store.records`, `store.location`) can be imported without
SQLAlchemy and the models; tests/store check that the table and the imports
for type checkers agree.
"""

from __future__ import annotations

from acquittance import _lazy

#: Each module and the names of it this package exports.
_EXPORTS: dict[str, tuple[str, ...]] = {
    "acquittance.store.engine": ("open_engine", "retrying", "transaction"),
    "acquittance.store.location": ("resolve_url",),
    "acquittance.store.repository": ("Repository",),
    "acquittance.store.schema": ("check_current", "init_store", "migrate", "open_store"),
}

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    # `X as X`: explicit re-exports, since type checkers do not evaluate `__all__` below.
    # isort: off
    from acquittance.store.engine import (
        open_engine as open_engine,
        retrying as retrying,
        transaction as transaction,
    )
    from acquittance.store.location import resolve_url as resolve_url
    from acquittance.store.repository import Repository as Repository
    from acquittance.store.schema import (
        check_current as check_current,
        init_store as init_store,
        migrate as migrate,
        open_store as open_store,
    )
    # isort: on

_WHERE: dict[str, str] = _lazy.where(_EXPORTS)
__all__ = sorted(_WHERE)

if not TYPE_CHECKING:  # type checkers see the imports above, and no name beyond them
    __getattr__, __dir__ = _lazy.lookup(__name__, _WHERE, globals())
