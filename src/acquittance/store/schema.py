"""The store's schema version: create or migrate it, and check it before use.

Alembic runs programmatically from a Config built here, against a connection
we open, so no alembic.ini is needed once installed. `init` is the only
command that creates or changes the schema; every other command calls
`open_store`, which refuses a missing or outdated store without touching it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect
from sqlalchemy.exc import OperationalError

from acquittance.core.errors import StorageError
from acquittance.store.engine import POOL_SIZE, open_engine, read_engine, write_engine
from acquittance.store.location import describe, prepare_location, store_exists

MIGRATIONS_FOLDER: Final = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_FOLDER))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the migrations folder has no revisions"
    return head


def migrate(url: str) -> None:
    """Create the store (and its folder) or bring its schema to the newest revision."""
    prepare_location(url)
    engine = open_engine(url)
    try:
        config = alembic_config()
        with (
            _reachable(url),
            write_engine(engine).connect() as connection,
            _references_checked_at_end(connection),
            connection.begin(),
        ):
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            _check_references(connection)
    finally:
        engine.dispose()


def _check_references(connection: Connection) -> None:
    if connection.dialect.name != "sqlite":
        return
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise StorageError(
            "MIGRATION_BROKE_REFERENCES",
            f"migrating left {len(broken)} rows referring to rows that do not exist (first: "
            f"{broken[0]}); nothing was changed; report this with a copy of the store",
        )


@contextmanager
def _references_checked_at_end(connection: Connection) -> Iterator[None]:
    """On SQLite, foreign keys off while a migration rebuilds tables, then checked whole.

    SQLite rebuilds a table to alter it (copy, drop, rename); with foreign keys
    on, dropping a table others refer to fails even though the copy restores
    every row. The pragma only takes effect outside a transaction, so it is set
    on the raw connection before the migration's transaction begins; after it,
    `foreign_key_check` must find nothing, or the migration is undone.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.dbapi_connection
    assert raw is not None
    raw.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        raw.execute("PRAGMA foreign_keys = ON")


def init_store(url: str) -> Engine:
    """`acquittance init`: migrate, then open like any other command."""
    migrate(url)
    return open_store(url)


def open_store(url: str, *, connections: int = POOL_SIZE) -> Engine:
    """An engine on an existing, current store; never creates or changes anything."""
    if not store_exists(url):
        raise _not_initialized(url)
    engine = open_engine(url, connections=connections)
    try:
        check_current(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


def check_current(engine: Engine) -> None:
    """Refuse a store whose schema is missing (STORE_NOT_INITIALIZED) or behind or ahead."""
    url = str(engine.url)
    with _reachable(url), read_engine(engine).connect() as connection:
        current = MigrationContext.configure(connection).get_current_heads()
        has_tables = bool(inspect(connection).get_table_names())
    if not current:
        raise _not_initialized(url, has_tables=has_tables)
    script = ScriptDirectory.from_config(alembic_config())
    head = script.get_current_head()
    if current == (head,):
        return
    known = {revision.revision for revision in script.walk_revisions()}
    if not set(current) <= known:
        raise StorageError(
            "STORE_TOO_NEW",
            f"the store at {describe(url)} has schema revision {', '.join(current)}, newer "
            f"than this acquittance knows ({head}); upgrade acquittance to use it",
        )
    raise StorageError(
        "STORE_NEEDS_MIGRATION",
        f"the store at {describe(url)} has schema revision {', '.join(current)} and this "
        f"acquittance needs {head}; run `acquittance init` to migrate it (back it up first)",
    )


@contextmanager
def _reachable(url: str) -> Iterator[None]:
    """Turn "cannot connect" into a coded error; other database errors pass unchanged."""
    try:
        yield
    except OperationalError as error:
        if error.connection_invalidated or not _is_connect_failure(error):
            raise
        raise StorageError(
            "STORE_UNREACHABLE",
            f"cannot connect to the store at {describe(url)} ({_first_line(error)}); check "
            "that the server is running and the URL, user and database are right",
        ) from None


def _is_connect_failure(error: OperationalError) -> bool:
    # psycopg raises OperationalError for a refused or failed connection before any
    # statement ran; SQLite's equivalent is "unable to open database file".
    text = str(error.orig).lower()
    return error.statement is None or "unable to open database file" in text


def _first_line(error: OperationalError) -> str:
    lines = str(error.orig).strip().splitlines()
    return lines[0] if lines else "no detail"


def _not_initialized(url: str, *, has_tables: bool = False) -> StorageError:
    if has_tables:
        return StorageError(
            "STORE_NOT_INITIALIZED",
            f"{describe(url)} holds tables but no acquittance schema version; point --db "
            "or ACQUITTANCE_DB at an acquittance store, or at a new file and run "
            "`acquittance init`",
        )
    return StorageError(
        "STORE_NOT_INITIALIZED",
        f"there is no acquittance store at {describe(url)}; run `acquittance init` to create "
        "it, or point --db or ACQUITTANCE_DB at an existing store",
    )
