"""Alembic's environment for the store, run by `acquittance.store.schema` with a Config in code.

The caller hands over an open connection (already in a write transaction) in
`config.attributes["connection"]`, so a migration runs through the same engine
settings as everything else and no alembic.ini is needed at run time.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from acquittance.store.engine import open_engine, write_engine
from acquittance.store.models import Base

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    # Used only by `alembic` on the command line while developing migrations.
    engine = write_engine(open_engine(context.config.get_main_option("sqlalchemy.url") or ""))
    with engine.begin() as fresh:
        _run(fresh)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("acquittance migrations run online only: use `acquittance init`")
run_migrations_online()
