"""The storage port: one code path through SQLAlchemy 2 for SQLite and PostgreSQL.

`resolve_url` finds the store, `init_store` creates or migrates it,
`open_store` opens an existing one without changing it, `transaction` runs a
unit of work atomically, and `Repository` maps domain values to rows and back.
"""

from acquittance.store.engine import open_engine, retrying, transaction
from acquittance.store.location import resolve_url
from acquittance.store.repository import Repository
from acquittance.store.schema import check_current, init_store, migrate, open_store

__all__ = [
    "Repository",
    "check_current",
    "init_store",
    "migrate",
    "open_engine",
    "open_store",
    "resolve_url",
    "retrying",
    "transaction",
]
