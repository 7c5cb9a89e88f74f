"""Where the store is: `--db`, else ACQUITTANCE_DB, else a per-user data file.

Everything here turns what the user typed into one SQLAlchemy URL, and checks
that a SQLite file could be created where it points. Nothing here opens a
database: a read-only command must be able to resolve a missing store without
creating it. A URL that could not name a store acquittance can use (a bad
port, an unknown database kind or driver) is refused here, as
INVALID_STORE_URL, before anything is created or connected to.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from acquittance.core.errors import StorageError

ENVIRONMENT_VARIABLE: Final = "ACQUITTANCE_DB"
STORE_FILE_NAME: Final = "acquittance.db"
APPLICATION_FOLDER: Final = "acquittance"

_URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
#: psycopg 3 is the PostgreSQL driver we ship; SQLAlchemy's bare `postgresql://`
#: means psycopg2, which is not installed, so plain URLs are pointed at psycopg.
_PLAIN_POSTGRES = re.compile(r"^(postgresql|postgres)://")
#: The database kinds acquittance keeps a store in, and the drivers it ships for them
#: ("" is SQLAlchemy's default driver, which for SQLite is the standard library's).
SUPPORTED_DRIVERS: Final = {"sqlite": ("", "pysqlite"), "postgresql": ("psycopg",)}
PORT_MAX: Final = 65_535
_URL_EXAMPLES: Final = (
    "give a file path such as books.db or a URL such as postgresql://user@host/dbname"
)


def resolve_url(db: str | None = None, *, environ: Mapping[str, str] | None = None) -> str:
    """The store's SQLAlchemy URL from `--db`, else ACQUITTANCE_DB, else the per-user file.

    `environ` stands in for the process's environment where ACQUITTANCE_DB is
    looked up; the per-user file's folder follows the process's own (see
    `default_store_path`).
    """
    environ = os.environ if environ is None else environ
    chosen = db if db else environ.get(ENVIRONMENT_VARIABLE, "")
    if not chosen.strip():
        return sqlite_url_for(default_store_path())
    return normalise_location(chosen.strip())


def normalise_location(text: str) -> str:
    """A SQLAlchemy URL as given (plain PostgreSQL rewritten to psycopg) or a path as SQLite."""
    if _PLAIN_POSTGRES.match(text):
        text = _PLAIN_POSTGRES.sub("postgresql+psycopg://", text, count=1)
    if not _URL_SCHEME.match(text):
        return sqlite_url_for(Path(text))
    try:
        url = make_url(text)
        port = url.port  # parsed by make_url: "postgresql://:bad" fails there
    except (ArgumentError, ValueError):
        raise _invalid_url(text, "is not a SQLAlchemy URL") from None
    check_supported(url, text)
    if port is not None and not 0 < port <= PORT_MAX:
        raise _invalid_url(text, f"has port {port}; a port is a number from 1 to {PORT_MAX}")
    return text


def check_supported(url: URL, text: str) -> None:
    """Refuse a database kind or driver acquittance does not keep its store in.

    Checked on the URL's text, so that no dialect is imported to find out.
    """
    backend, _, driver = url.drivername.partition("+")
    if backend not in SUPPORTED_DRIVERS:
        raise _invalid_url(
            text,
            f"names the database kind {backend!r}; acquittance keeps its store in SQLite "
            "or PostgreSQL",
        )
    if driver not in SUPPORTED_DRIVERS[backend]:
        shipped = " or ".join(f"{backend}+{d}" for d in SUPPORTED_DRIVERS[backend] if d)
        raise _invalid_url(
            text,
            f"names the driver {driver!r}, which acquittance does not ship",
            hint=f"write {shipped or backend}:// or {backend}:// instead",
        )
    if backend == "sqlite" and url.host:
        # sqlite://books.db (two slashes) is an in-memory database named by its host part.
        raise _invalid_url(
            text,
            "puts a file name where a host goes",
            hint="a SQLite URL has three slashes before a relative path (sqlite:///books.db) "
            "and four before an absolute one, or give the file path alone",
        )


def _invalid_url(text: str, problem: str, *, hint: str = _URL_EXAMPLES) -> StorageError:
    return StorageError("INVALID_STORE_URL", f"the store URL {_redact(text)!r} {problem}; {hint}")


def sqlite_url_for(path: Path) -> str:
    """`sqlite:///` and the absolute path, so the store does not move with the working folder."""
    return f"sqlite:///{path.expanduser().resolve()}"


def default_store_path(*, platform: str | None = None) -> Path:
    """The per-user data file, in the folder platformdirs gives an application's user data.

    That is $XDG_DATA_HOME (when absolute: the XDG spec says a relative one is
    ignored), else ~/.local/share, on Linux and BSD; ~/Library/Application
    Support on macOS (where recent platformdirs also honour an absolute
    $XDG_DATA_HOME); the local, not roaming, AppData on Windows: a store is a
    database, not a setting to sync.
    platformdirs reads the process's environment. `platform` (a `sys.platform`
    value) picks another platform's rules, for tests. Nothing is created here.
    """
    # Imported here, not at the top: only a command without --db or ACQUITTANCE_DB
    # needs it, and `acquittance --help` and `--version` need none of this module.
    from platformdirs.api import PlatformDirsABC

    platform = sys.platform if platform is None else platform
    rules: type[PlatformDirsABC]
    if platform == "darwin":
        from platformdirs.macos import MacOS

        rules = MacOS
    elif platform == "win32":
        from platformdirs.windows import Windows

        rules = Windows
    else:
        from platformdirs.unix import Unix

        rules = Unix
    # appauthor=False: on Windows the folder is AppData\Local\acquittance, not
    # AppData\Local\acquittance\acquittance.
    folder = rules(appname=APPLICATION_FOLDER, appauthor=False, roaming=False).user_data_path
    return folder / STORE_FILE_NAME


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL; None for a server store or an in-memory database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def prepare_location(url: str) -> None:
    """Make sure a SQLite store can be created: its folder exists and is writable."""
    path = sqlite_path(url)
    if path is None:
        return
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # Probe by writing, because permission bits lie (root, ACLs, read-only mounts).
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".acquittance-probe-"):
            pass
        if path.exists() and not os.access(path, os.W_OK):
            raise PermissionError(f"{path} is read-only")
    except OSError as error:
        raise StorageError(
            "STORE_NOT_WRITABLE",
            f"cannot write the store at {path} ({error.strerror or error}); choose a "
            "writable location with --db PATH or ACQUITTANCE_DB, or fix the folder's permissions",
        ) from None


def store_exists(url: str) -> bool:
    """False only when a SQLite store's file is missing; a server store is asked on open."""
    path = sqlite_path(url)
    return path is None or path.exists()


def describe(url: str) -> str:
    """The URL for messages, without its password."""
    return _redact(url)


def _redact(text: str) -> str:
    try:
        return make_url(text).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return re.sub(r"://([^:/@]*):[^@]*@", r"://\1:***@", text)
