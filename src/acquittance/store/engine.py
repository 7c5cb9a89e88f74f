"""Engines and transactions: one code path for SQLite and PostgreSQL.

SQLite is a system of record here, so every connection runs with foreign keys
on, write-ahead logging and `synchronous=FULL` (a commit that returned is on
disk). Python's sqlite3 module would otherwise decide when to BEGIN, and it
begins lazily, at the first write; we take that over (the documented
SQLAlchemy recipe: `isolation_level = None`, then emit BEGIN ourselves) so that
a write transaction starts with BEGIN IMMEDIATE. It takes the write lock before
the first read, so two concurrent settlements serialise instead of both
reading the same state and one failing half way.

PostgreSQL write transactions run READ COMMITTED with explicit row locks,
taken in one global order: the loan, then its notes by id, then the journal
chains appended to, by (party, chain) (see `Repository.lock_loan` and
`store.journal`). Two closings of one loan queue on the loan's row, and the
second reads, after the wait, what the first committed; closings of unrelated
loans share no locked row and run side by side. Measured against SERIALIZABLE
without locks, which refused most concurrent closings of one lender as
serialization failures (predicate locks on shared index pages), this is both
faster and needs no retry in the common case. A deadlock or a lost race on a
unique key (two first uses of one idempotency key) is still possible, and
`retrying` runs such a unit of work again. Reads run REPEATABLE READ, read
only, so a report sees one snapshot.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Final, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, StatementError
from sqlalchemy.orm import Session

from acquittance.core.errors import AcquittanceError, StorageError
from acquittance.store.location import describe, is_sqlite

#: How long a SQLite writer waits for another writer's lock before giving up.
BUSY_TIMEOUT_MS: Final = 15_000
#: Connections an engine keeps open at most, unless a command asks for more.
POOL_SIZE: Final = 5
#: How many times `retrying` runs a unit of work that lost a race.
ATTEMPTS_MAX: Final = 8
#: The first pause before running again; each later one doubles, with full jitter.
RETRY_PAUSE_SECONDS: Final = 0.005
#: Codes of the refusals that mean "another writer won, or the connection was lost: the
#: same work may succeed now".
_RETRYABLE_CODES: Final = frozenset({"STORE_BUSY", "STORE_CONFLICT", "STORE_UNREACHABLE"})

_WRITE_OPTION: Final = "acquittance_write"
#: Connections older than this are replaced when next taken from the pool (a server or a
#: firewall between may drop idle ones).
_RECYCLE_SECONDS: Final = 1800
#: PostgreSQL SQLSTATEs meaning "another transaction won; run again": serialization
#: failure and deadlock detected.
_RETRYABLE_SQLSTATES: Final = frozenset({"40001", "40P01"})

T = TypeVar("T")


def open_engine(
    url: str, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS, connections: int = POOL_SIZE
) -> Engine:
    """An engine for the store at `url`, configured for durable, serialised writes.

    `connections` is how many may be open at once (one per worker of a batch).
    """
    if is_sqlite(url):
        return _sqlite_engine(url, busy_timeout_ms)
    # No ping before each checkout (a round trip per transaction): a connection the server
    # dropped fails its first statement instead (STORE_UNREACHABLE), the pool is renewed,
    # and `retrying` runs the work again on a new connection.
    return create_engine(url, pool_size=connections, max_overflow=0, pool_recycle=_RECYCLE_SECONDS)


def _sqlite_engine(url: str, busy_timeout_ms: int) -> Engine:
    engine = create_engine(url, connect_args={"timeout": busy_timeout_ms / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take BEGIN away from the sqlite3 module; `_on_begin` emits it.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            cursor.execute("PRAGMA synchronous = FULL")
            _use_wal(cursor)
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        write = connection.get_execution_options().get(_WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def _use_wal(cursor: Any) -> None:
    # journal_mode is stored in the file; asking again when it is already WAL
    # writes nothing, so a read-only command leaves the file as it was.
    (mode,) = cursor.execute("PRAGMA journal_mode").fetchone()
    if str(mode).lower() != "wal":
        cursor.execute("PRAGMA journal_mode = WAL")


#: Each engine's write and read forms, made once: making one costs more than a short read.
_forms: WeakKeyDictionary[Engine, tuple[Engine, Engine]] = WeakKeyDictionary()


def _forms_of(engine: Engine) -> tuple[Engine, Engine]:
    found = _forms.get(engine)
    if found is None:
        if engine.dialect.name == "sqlite":
            found = (engine.execution_options(**{_WRITE_OPTION: True}), engine)
        else:
            found = (
                engine.execution_options(isolation_level="READ COMMITTED"),
                engine.execution_options(
                    isolation_level="REPEATABLE READ", postgresql_readonly=True
                ),
            )
        _forms[engine] = found
    return found


def write_engine(engine: Engine) -> Engine:
    """The same engine (same pool) marked so that its transactions are write transactions."""
    return _forms_of(engine)[0]


def read_engine(engine: Engine) -> Engine:
    """The same engine (same pool) for reads: on PostgreSQL, one read-only snapshot each."""
    return _forms_of(engine)[1]


@contextmanager
def transaction(engine: Engine, *, write: bool = True) -> Iterator[Session]:
    """A Session in one transaction: committed when the block ends, rolled back on any error."""
    bound = write_engine(engine) if write else read_engine(engine)
    try:
        with Session(bound, expire_on_commit=False) as session, session.begin():
            if write:
                # A Session connects lazily; connect now so that BEGIN IMMEDIATE
                # takes the write lock when the block starts, not at its first query.
                session.connection()
            yield session
    except IntegrityError as error:
        raise StorageError(
            "STORE_CONFLICT",
            "the store refused a change that conflicts with a record already there "
            f"({_first_line(error)}); nothing was written; check the ids and run the command again",
        ) from error
    except (OperationalError, DBAPIError) as error:
        if error.connection_invalidated:
            raise StorageError(
                "STORE_UNREACHABLE",
                f"the connection to {describe(str(engine.url))} was lost ({_first_line(error)}); "
                "nothing more was written; run the command again",
            ) from error
        if _is_retryable(error):
            raise StorageError(
                "STORE_BUSY",
                f"another command was writing {describe(str(engine.url))} at the same time; "
                "nothing was written; run the command again",
            ) from error
        from acquittance.store.schema import damaged_store  # schema imports this module

        damaged = damaged_store(str(engine.url), error)
        if damaged is None:
            raise
        raise damaged from error
    except StatementError as error:
        # A column type refused a value (a float amount): SQLAlchemy wraps our own
        # coded error; hand the caller the error itself.
        if isinstance(error.orig, AcquittanceError):
            raise error.orig from None
        raise


def retrying(engine: Engine, work: Callable[[Session], T], *, attempts: int = ATTEMPTS_MAX) -> T:
    """Run `work` in a write transaction, again (up to `attempts`) when it lost a race.

    A caller sees STORE_BUSY or STORE_CONFLICT only once every attempt lost.
    """
    for attempt in range(1, attempts + 1):
        try:
            with transaction(engine) as session:
                return work(session)
        except StorageError as error:
            if error.code not in _RETRYABLE_CODES or attempt == attempts:
                raise
        time.sleep(random.uniform(0, RETRY_PAUSE_SECONDS * 2 ** (attempt - 1)))
    raise AssertionError("unreachable: the last attempt returns or raises")


def _is_retryable(error: DBAPIError) -> bool:
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate in _RETRYABLE_SQLSTATES:
        return True
    text = str(error.orig).lower()
    return "database is locked" in text or "database is busy" in text


def _first_line(error: DBAPIError) -> str:
    return str(error.orig).strip().splitlines()[0] if error.orig else "constraint violated"
