"""Prebuilt SQL sent straight to the database driver, inside the Session's transaction.

The hot paths (a closing, an append to the journal) issue a dozen small
statements each; SQLAlchemy's statement machinery costs more per statement
than SQLite takes to run one, so those statements are written once, as text,
and sent to the DBAPI cursor of the connection the Session already holds. They
run in the Session's transaction and savepoints, and a refusal by the database
is raised as SQLAlchemy's own exception (`transaction` maps it to a coded error).

Values cross this boundary in one way: amounts as their exact decimal text
(as `models.DecimalText` stores them), dates as ISO text on SQLite and as dates
on PostgreSQL, exactly as the models' column types write and read them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any, Final

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from acquittance.store.models import decimal_text

#: The most parameters one statement of many rows carries (PostgreSQL allows 65,535).
PARAMETERS_PER_STATEMENT_MAX: Final = 30_000
#: A statement and the rows of parameters it runs for (once per row).
Write = tuple["Sql", Sequence[Sequence[Any]]]
#: How many composed statements (one per shape of writes) are kept, built once each.
_COMPOSED_MAX: Final = 256
#: psycopg parses a statement's placeholders once and keeps the result for statements of
#: at most 50 parameters and 4,096 characters; a longer one is parsed at every call,
#: which costs more than the round trips that composing writes saves.
COMPOSED_PARAMETERS_MAX: Final = 50
COMPOSED_LENGTH_MAX: Final = 4096
#: Called with (statement text, rows) for every statement sent; see `observing`.
Observer = Callable[[str, int], None]
_observers: list[Observer] = []


@contextmanager
def observing(observer: Observer) -> Iterator[None]:
    """Call `observer` for every statement this module sends while the block runs.

    For counting (the benchmarks): these statements bypass SQLAlchemy's events.
    """
    _observers.append(observer)
    try:
        yield
    finally:
        _observers.remove(observer)


class Sql:
    """One statement, written with `?` placeholders, in each driver's parameter style.

    An INSERT of one row (`... VALUES (?, ...) ...`) also comes as an INSERT of
    many rows, for servers, where one statement is one round trip; unless
    `rows_at_once` is False (a row that reads what the rows before it wrote).
    """

    __slots__ = ("_multi", "_values", "pyformat", "qmark")

    def __init__(self, text: str, *, rows_at_once: bool = True) -> None:
        self.qmark: Final = text
        self.pyformat: Final = _pyformat(text)
        self._values = _values_span(text) if rows_at_once else None
        self._multi: dict[int, str] = {}

    def __repr__(self) -> str:
        return f"Sql({self.qmark!r})"

    @property
    def inserts_rows(self) -> bool:
        return self._values is not None

    def rows_pyformat(self, count: int) -> str:
        """The statement inserting `count` rows at once, in the `%s` style."""
        found = self._multi.get(count)
        if found is None:
            assert self._values is not None, f"{self!r} is not an INSERT ... VALUES"
            start, end = self._values
            row = self.qmark[start:end]
            text = self.qmark[:start] + ", ".join([row] * count) + self.qmark[end:]
            found = self._multi[count] = _pyformat(text)
        return found


def _pyformat(text: str) -> str:
    return text.replace("%", "%%").replace("?", "%s")


def _values_span(text: str) -> tuple[int, int] | None:
    """Where the row of an `INSERT ... VALUES (...)` starts and ends (parentheses included)."""
    if not text.startswith("INSERT "):
        return None
    start = text.find(" VALUES (")
    if start < 0:
        return None
    start += len(" VALUES ")
    depth = 0
    for at in range(start, len(text)):
        depth += {"(": 1, ")": -1}.get(text[at], 0)
        if depth == 0:
            return start, at + 1
    raise AssertionError(f"unbalanced parentheses in {text!r}")


class Driver:
    """The DBAPI connection under a Session, with the conversions its columns need."""

    __slots__ = ("_cursor", "_error", "_pyformat", "sqlite")

    def __init__(self, session: Session) -> None:
        connection = session.connection()
        dialect = connection.dialect
        self.sqlite: Final = dialect.name == "sqlite"
        self._pyformat = not self.sqlite
        self._error = dialect.loaded_dbapi.Error
        driver_connection = connection.connection.driver_connection
        assert driver_connection is not None, "the Session's connection is open"
        self._cursor = driver_connection.cursor()

    def _text(self, sql: Sql) -> str:
        return sql.pyformat if self._pyformat else sql.qmark

    def rows(self, sql: Sql, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Every row the query gives."""
        return self._fetch(self._text(sql), parameters)

    def _fetch(self, text: str, parameters: Sequence[Any]) -> list[tuple[Any, ...]]:
        _observe(text, 1)
        try:
            self._cursor.execute(text, parameters)
            return list(self._cursor.fetchall())
        except self._error as error:
            raise _wrapped(text, parameters, error, self._error) from error

    def execute(self, sql: Sql, parameters: Sequence[Any] = ()) -> int:
        """Run one statement; how many rows it changed."""
        text = self._text(sql)
        _observe(text, 1)
        try:
            self._cursor.execute(text, parameters)
        except self._error as error:
            raise _wrapped(text, parameters, error, self._error) from error
        return int(self._cursor.rowcount)

    def execute_many(self, sql: Sql, rows: Sequence[Sequence[Any]]) -> int:
        """Run one statement once per row of parameters; how many rows it changed.

        One executemany on SQLite (in process, a statement prepared once); on a
        server, one round trip: an INSERT of all the rows at once, or the
        statement itself for a single row.
        """
        if not rows:
            return 0
        if self._pyformat and (len(rows) == 1 or sql.inserts_rows):
            if len(rows) == 1:
                return self.execute(sql, rows[0])
            return self._insert_rows(sql, rows)
        text = self._text(sql)
        _observe(text, len(rows))
        try:
            self._cursor.executemany(text, rows)
        except self._error as error:
            raise _wrapped(text, rows, error, self._error) from error
        return int(self._cursor.rowcount)

    def write_all(self, writes: Sequence[Write]) -> list[int]:
        """Run every write, in order; how many rows each changed.

        On SQLite, one executemany each. On a server, consecutive writes go
        together as one statement (a WITH of data-modifying statements: one
        round trip, one plan), as many as keep it a statement the driver
        parses once (`COMPOSED_PARAMETERS_MAX`, `COMPOSED_LENGTH_MAX`).
        PostgreSQL runs one such statement on one snapshot: so no write may
        read what an earlier one wrote, or change a row another changes.
        Constraints are checked when each statement ends.
        """
        if self.sqlite:
            return [self.execute_many(sql, rows) for sql, rows in writes]
        counts: list[int] = []
        group: list[Write] = []
        for write in writes:
            if group and not _fits([*group, write]):
                counts += self._write_group(group)
                group = []
            group.append(write)
        return counts + self._write_group(group)

    def _write_group(self, group: Sequence[Write]) -> list[int]:
        present = [(sql, rows) for sql, rows in group if rows]
        if len(present) <= 1:
            return [self.execute_many(sql, rows) for sql, rows in group]
        text = _composed(tuple((sql, len(rows)) for sql, rows in present))
        parameters = [value for _, rows in present for row in rows for value in row]
        counts = iter(self._fetch(text, parameters)[0])
        return [int(next(counts)) if rows else 0 for _, rows in group]

    def _insert_rows(self, sql: Sql, rows: Sequence[Sequence[Any]]) -> int:
        changed = 0
        step = max(1, PARAMETERS_PER_STATEMENT_MAX // max(1, len(rows[0])))
        for start in range(0, len(rows), step):
            chunk = rows[start : start + step]
            text = sql.rows_pyformat(len(chunk))
            flat = [value for row in chunk for value in row]
            _observe(text, len(chunk))
            try:
                self._cursor.execute(text, flat)
            except self._error as error:
                raise _wrapped(text, flat, error, self._error) from error
            changed += int(self._cursor.rowcount)
        return changed

    def day(self, value: date | None) -> Any:
        """A date as its column stores it: ISO text on SQLite, a date on PostgreSQL."""
        if value is None or not self.sqlite:
            return value
        return value.isoformat()


_composed_texts: dict[tuple[tuple[Sql, int], ...], str] = {}


def _composed(shape: tuple[tuple[Sql, int], ...]) -> str:
    """One statement running each (statement, rows): each row of an INSERT at once, else each."""
    found = _composed_texts.get(shape)
    if found is not None:
        return found
    parts: list[str] = []
    counts: list[str] = []
    for sql, count in shape:
        texts = [sql.rows_pyformat(count)] if sql.inserts_rows else [sql.pyformat] * count
        names = []
        for text in texts:
            name = f"w{len(parts)}"
            parts.append(f"{name} AS ({text} RETURNING 1)")
            names.append(name)
        counts.append(" + ".join(f"(SELECT count(*) FROM {name})" for name in names))
    text = f"WITH {', '.join(parts)} SELECT {', '.join(counts)}"
    if len(_composed_texts) < _COMPOSED_MAX:
        _composed_texts[shape] = text
    return text


def _fits(group: Sequence[Write]) -> bool:
    """Whether these writes make one statement that the server driver parses only once."""
    present = tuple((sql, len(rows)) for sql, rows in group if rows)
    parameters = sum(len(rows) * len(rows[0]) for _, rows in group if rows)
    if parameters > COMPOSED_PARAMETERS_MAX:
        return False
    return len(present) <= 1 or len(_composed(present)) <= COMPOSED_LENGTH_MAX


def _observe(text: str, rows: int) -> None:
    for observer in _observers:
        observer(text, rows)


def _wrapped(text: str, parameters: Any, error: Exception, base: type[Exception]) -> DBAPIError:
    """The database's refusal as SQLAlchemy raises it, so `transaction` reads it the same way."""
    wrapped = DBAPIError.instance(text, parameters, error, base)
    assert isinstance(wrapped, DBAPIError)
    return wrapped


def money(value: Decimal | None) -> str | None:
    """An amount as its exact text, refusing what `models.DecimalText` refuses."""
    return decimal_text(value)


def day_read(value: Any) -> date | None:
    """A date column as read: ISO text from SQLite, a date from PostgreSQL."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def amount_read(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value)
