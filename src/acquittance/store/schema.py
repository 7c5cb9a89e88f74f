"""Opening a store and checking it before use: its file, its schema version, its health.

Alembic runs programmatically from a Config built here, against a connection
we open, so no alembic.ini is needed once installed. `init` is the only
command that creates or changes the schema; every other command calls
`open_store`, which refuses a missing or outdated store without touching it.

Opening is also where a store that cannot be used is told apart from one that
merely needs `init`, each with its own code and nothing changed:

- NOT_A_STORE: the path is a folder, or a file that is not a SQLite database
  (a text file passed as --db). It is recognised by its first bytes, before
  SQLite opens it, so that the file is never touched.
- STORE_CORRUPT: a SQLite file (or a PostgreSQL relation) the database itself
  reports as damaged, here or at any later query (`damaged_store`).
- STORE_UNREACHABLE: the server does not answer, or refuses the connection.
- INVALID_STORE_URL: the URL names a driver that is not installed, or options
  the driver refuses.
- STORE_NOT_INITIALIZED, STORE_NEEDS_MIGRATION, STORE_TOO_NEW: the schema.

Every other command reads the schema version without Alembic: the revision
scripts are scanned for their `revision` and `down_revision` lines, which is
all the check needs, and Alembic (with Mako) is imported by `init` alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Final

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import DBAPIError, NoSuchModuleError, OperationalError

from acquittance.core.errors import StorageError
from acquittance.store.engine import POOL_SIZE, open_engine, read_engine, write_engine
from acquittance.store.location import describe, prepare_location, sqlite_path, store_exists

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_FOLDER: Final = Path(__file__).parent / "migrations"
VERSION_TABLE: Final = "alembic_version"
#: Every SQLite database file starts with these 16 bytes.
SQLITE_HEADER: Final = b"SQLite format 3\x00"
#: SQLite's primary result codes for a damaged file and for a file that is no database.
_SQLITE_CORRUPT: Final = 11
_SQLITE_NOTADB: Final = 26
#: PostgreSQL's SQLSTATEs for data and index corruption.
_POSTGRES_CORRUPT: Final = frozenset({"XX001", "XX002"})

_REVISION_LINE = re.compile(r"^revision\s*(?::[^=\n]*)?=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN_REVISION_LINE = re.compile(r"^down_revision\s*(?::[^=\n]*)?=\s*(.+)$", re.MULTILINE)
_QUOTED = re.compile(r"['\"]([^'\"]+)['\"]")


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_FOLDER))
    return config


def _alembic_revisions() -> tuple[tuple[str, ...], set[str]]:
    """The heads and all revisions, as Alembic itself reads them."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return tuple(script.get_heads()), {r.revision for r in script.walk_revisions()}


def revisions() -> tuple[tuple[str, ...], set[str]]:
    """The heads of the revision scripts, and every revision they know.

    Read from the scripts' text, which is enough for a linear history; anything
    else (no script found, a line not understood, several heads) is left to
    Alembic, which gives the same answer more slowly.
    """
    downs: set[str] = set()
    known: set[str] = set()
    for path in sorted((MIGRATIONS_FOLDER / "versions").glob("*.py")):
        source = path.read_text(encoding="utf-8")
        revision = _REVISION_LINE.search(source)
        down = _DOWN_REVISION_LINE.search(source)
        if revision is None or down is None or revision[1] in known:
            return _alembic_revisions()
        known.add(revision[1])
        downs.update(_QUOTED.findall(down[1]))
    heads = tuple(sorted(known - downs))
    if len(heads) != 1 or not downs <= known:
        return _alembic_revisions()
    return heads, known


def head_revision() -> str:
    heads, _ = revisions()
    assert len(heads) == 1, f"the migrations folder has {len(heads)} heads, not one"
    return heads[0]


def migrate(url: str) -> None:
    """Create the store (and its folder) or bring its schema to the newest revision."""
    from alembic import command

    _check_file(url)
    prepare_location(url)
    engine = _engine(url)
    try:
        config = alembic_config()
        with (
            _connecting(url),
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
    if not store_exists(url) or _check_file(url) == 0:
        raise _not_initialized(url)
    engine = _engine(url, connections=connections)
    try:
        check_current(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


def check_current(engine: Engine) -> None:
    """Refuse a store whose schema is missing (STORE_NOT_INITIALIZED) or behind or ahead."""
    url = engine.url.render_as_string(hide_password=False)
    with _connecting(url), read_engine(engine).connect() as connection:
        current = _current_revisions(connection)
        has_tables = bool(current) or bool(inspect(connection).get_table_names())
    if not current:
        raise _not_initialized(url, has_tables=has_tables)
    heads, known = revisions()
    if current == heads:
        return
    if not set(current) <= known:
        raise StorageError(
            "STORE_TOO_NEW",
            f"the store at {describe(url)} has schema revision {', '.join(current)}, newer "
            f"than this acquittance knows ({', '.join(heads)}); upgrade acquittance to use it",
        )
    raise StorageError(
        "STORE_NEEDS_MIGRATION",
        f"the store at {describe(url)} has schema revision {', '.join(current)} and this "
        f"acquittance needs {', '.join(heads)}; run `acquittance init` to migrate it "
        "(back it up first)",
    )


def _current_revisions(connection: Connection) -> tuple[str, ...]:
    """The store's schema revisions, as Alembic records them; () when it has none."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return ()
    rows = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}"))
    return tuple(sorted(str(revision) for revision in rows.scalars()))


def _check_file(url: str) -> int | None:
    """The size of a SQLite store's file (None when there is none); NOT_A_STORE for a
    folder or for a file that does not start as a SQLite database does.

    An empty file is what SQLite makes of a new database, so it passes (and
    `open_store` calls it not initialised, without opening it).
    """
    path = sqlite_path(url)
    if path is None or not (path.exists() or path.is_symlink()):
        return None
    if path.is_dir():
        raise _not_a_store(path, "is a folder; give the path of a store file inside it")
    try:
        with path.open("rb") as file:
            header = file.read(len(SQLITE_HEADER))
        size = path.stat().st_size
    except OSError as error:
        raise StorageError(
            "STORE_NOT_READABLE",
            f"cannot read the store at {path} ({error.strerror or error}); check its "
            "permissions, or point --db or ACQUITTANCE_DB at another store",
        ) from None
    if header and header != SQLITE_HEADER:
        raise _not_a_store(path, "is not a SQLite database, so it cannot be an acquittance store")
    return size


def _engine(url: str, *, connections: int = POOL_SIZE) -> Engine:
    """`open_engine`, with a driver that is missing or unknown as INVALID_STORE_URL."""
    try:
        return open_engine(url, connections=connections)
    except (NoSuchModuleError, ImportError) as error:
        raise StorageError(
            "INVALID_STORE_URL",
            f"the store URL {describe(url)!r} needs a database driver that is not installed "
            f"({error}); use a file path or a postgresql:// URL",
        ) from None


@contextmanager
def _connecting(url: str) -> Iterator[None]:
    """Turn "cannot connect" and "cannot read" into coded errors; others pass unchanged."""
    try:
        yield
    except DBAPIError as error:
        damaged = damaged_store(url, error)
        if damaged is not None:
            raise damaged from None
        if error.connection_invalidated:
            raise
        if isinstance(error, OperationalError):
            if not _is_connect_failure(error):
                raise
            raise StorageError(
                "STORE_UNREACHABLE",
                f"cannot connect to the store at {describe(url)} ({_first_line(error)}); "
                "check that the server is running and the URL, user and database are right",
            ) from None
        if error.statement is not None:
            raise
        # Raised while connecting, and not a connection failure: the driver refused
        # what the URL asked of it (an option it does not know, a bad value).
        raise StorageError(
            "INVALID_STORE_URL",
            f"the driver refused the store URL {describe(url)!r} ({_first_line(error)}); "
            "check its options",
        ) from None


def damaged_store(url: str, error: BaseException) -> StorageError | None:
    """STORE_CORRUPT when `error` says the store's file or pages are damaged; else None.

    A SQLite file that starts as a database but cannot be read as one (cut
    short, overwritten) is damaged too: SQLite calls that "not a database".
    """
    original = getattr(error, "orig", None) or error
    sqlite_code = getattr(original, "sqlite_errorcode", None)
    sqlstate = getattr(original, "sqlstate", None)
    sqlite_damaged = isinstance(sqlite_code, int) and (sqlite_code & 0xFF) in (
        _SQLITE_CORRUPT,
        _SQLITE_NOTADB,
    )
    if not (sqlite_damaged or sqlstate in _POSTGRES_CORRUPT):
        return None
    return StorageError(
        "STORE_CORRUPT",
        f"the store at {describe(url)} is damaged: the database reports "
        f'"{_first_line(error)}"; nothing was written; restore the store from a backup, '
        "or point --db or ACQUITTANCE_DB at another store",
    )


def _is_connect_failure(error: OperationalError) -> bool:
    # psycopg raises OperationalError for a refused or failed connection before any
    # statement ran; SQLite's equivalent is "unable to open database file".
    detail = str(error.orig).lower()
    return error.statement is None or "unable to open database file" in detail


def _first_line(error: BaseException) -> str:
    original = getattr(error, "orig", None) or error
    lines = str(original).strip().splitlines()
    return lines[0] if lines else "no detail"


def _not_a_store(path: Path, problem: str) -> StorageError:
    return StorageError(
        "NOT_A_STORE",
        f"{path} {problem}; point --db or ACQUITTANCE_DB at an acquittance store, or at a new "
        "file and run `acquittance init`",
    )


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
