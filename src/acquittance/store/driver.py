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

import itertools
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any, Final

from sqlalchemy import Boolean, Date, Integer
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from acquittance.core.dates import iso_text
from acquittance.store.models import Base, decimal_text

#: The most parameters one statement of many rows carries (PostgreSQL allows 65,535).
PARAMETERS_PER_STATEMENT_MAX: Final = 30_000
#: From how many values on, writes go as arrays (`Sql.arrays`): measured, a closing's few
#: hundred cost the server less as VALUES rows (a statement of the same text each time,
#: planned once a connection), a group's thousands far less as arrays.
ARRAYS_FROM_VALUES: Final = 2_000
#: How many composed statements (one per shape of writes) are kept, built once each.
_COMPOSED_MAX: Final = 256
#: A statement and the rows of parameters it runs for (once per row).
Write = tuple["Sql", Sequence[Sequence[Any]]]
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

    With `types` (PostgreSQL's type of each `?`, in order), an INSERT or UPDATE
    also comes as one statement for any number of rows: each placeholder's
    values as one array, the rows made by `unnest` (`arrays`). Its text does
    not change with the number of rows, so a server plans it once; only for
    rows that neither read what another wrote nor change a row another changes.
    """

    __slots__ = ("_multi", "_values", "arrays", "pyformat", "qmark")

    def __init__(
        self, text: str, *, rows_at_once: bool = True, types: Sequence[str] | None = None
    ) -> None:
        self.qmark: Final = text
        self.pyformat: Final = _pyformat(text)
        self._values = _values_span(text) if rows_at_once else None
        self._multi: dict[int, str] = {}
        self.arrays: Final = None if types is None else _arrays_form(text, types)

    @classmethod
    def insert(cls, text: str) -> Sql:
        """An INSERT whose every value is a placeholder: its `types` are its columns'."""
        return cls(text, types=insert_types(text))

    def __repr__(self) -> str:
        return f"Sql({self.qmark!r})"

    @property
    def inserts_rows(self) -> bool:
        return self._values is not None

    def rows_qmark(self, count: int) -> str:
        """The statement inserting `count` rows at once."""
        found = self._multi.get(count)
        if found is None:
            assert self._values is not None, f"{self!r} is not an INSERT ... VALUES"
            start, end = self._values
            row = self.qmark[start:end]
            text = self.qmark[:start] + ", ".join([row] * count) + self.qmark[end:]
            found = self._multi[count] = text
        return found


def insert_types(text: str) -> tuple[str, ...]:
    """PostgreSQL's type of each column `INSERT INTO table (a, b, ...) VALUES (?, ?, ...)`
    names, from the models: the `types` of an INSERT whose every value is a placeholder."""
    found = re.match(r"INSERT INTO (\w+) \(([^)]*)\) VALUES \(([^()]*)\)", text)
    assert found is not None, f"not an INSERT of placeholders: {text!r}"
    table = Base.metadata.tables[found[1]]
    names = [name.strip() for name in found[2].split(",")]
    assert found[3].replace(" ", "") == ",".join("?" for _ in names), text
    return tuple(_server_type(table.c[name].type) for name in names)


def _server_type(column_type: Any) -> str:
    if isinstance(column_type, Boolean):
        return "boolean"
    if isinstance(column_type, Integer):
        return "integer"
    if isinstance(column_type, Date):
        return "date"
    return "text"  # identifiers, codes, free text, and amounts as their exact text


def _arrays_form(text: str, types: Sequence[str]) -> str:
    """The statement run once for many rows: the values of placeholder n come as one text
    `?` (`_column_text`), and the rows from `unnest` of them all (column cN of u)."""
    pieces = text.split("?")
    assert len(pieces) - 1 == len(types), f"{len(types)} types for {text!r}"
    each = pieces[0] + "".join(f"u.c{n}{piece}" for n, piece in enumerate(pieces[1:], start=1))
    names = ", ".join(f"c{n}" for n in range(1, len(types) + 1))
    columns = ", ".join(f"(string_to_array(?, chr(31), chr(30)))[2:]::{name}[]" for name in types)
    rows = f"unnest({columns}) AS u({names})"
    if each.startswith("INSERT "):
        span = _values_span(each)
        assert span is not None, text
        start, end = span
        prefix = each[:start].removesuffix("VALUES ")
        return f"{prefix}SELECT {each[start + 1 : end - 1]} FROM {rows}{each[end:]}"
    assert each.startswith("UPDATE ") and " WHERE " in each, text
    at = each.index(" WHERE ")
    return f"{each[:at]} FROM {rows}{each[at:]}"


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

    __slots__ = ("_cursor", "_error", "_pyformat", "_queued", "sqlite")

    def __init__(self, session: Session) -> None:
        connection = session.connection()
        dialect = connection.dialect
        self.sqlite: Final = dialect.name == "sqlite"
        self._pyformat = not self.sqlite
        self._error = dialect.loaded_dbapi.Error
        driver_connection = connection.connection.driver_connection
        assert driver_connection is not None, "the Session's connection is open"
        self._cursor = driver_connection.cursor()
        self._queued: list[Sql] = []

    def queue(self, sql: Sql) -> None:
        """Run a statement of no parameters and no rows: on a server, with the next one sent.

        For a savepoint and its release, which would otherwise cost a round
        trip each. On SQLite, in process, it runs now.
        """
        if self.sqlite:
            self.execute(sql)
        else:
            self._queued.append(sql)

    def unqueue(self, sql: Sql) -> bool:
        """Take back a queued statement not yet sent; whether it was still waiting."""
        if sql in self._queued:
            self._queued.remove(sql)
            return True
        return False

    def send_queued(self) -> None:
        """Send what is queued now: before a statement that does not go through the driver."""
        if self._queued:
            self._pipelined([])

    def _text(self, sql: Sql) -> str:
        return sql.pyformat if self._pyformat else sql.qmark

    def rows(self, sql: Sql, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Every row the query gives."""
        return self._fetch(self._text(sql), parameters)

    def _fetch(self, text: str, parameters: Sequence[Any]) -> list[tuple[Any, ...]]:
        if self._queued:
            return self._pipelined([(text, parameters, False)])[0][1]
        _observe(text, 1)
        try:
            self._cursor.execute(text, parameters)
            return list(self._cursor.fetchall())
        except self._error as error:
            raise _wrapped(text, parameters, error, self._error) from error

    def execute(self, sql: Sql, parameters: Sequence[Any] = ()) -> int:
        """Run one statement; how many rows it changed."""
        text = self._text(sql)
        if self._queued:
            return self._pipelined([(text, parameters, False)])[0][0]
        _observe(text, 1)
        try:
            self._cursor.execute(text, parameters)
        except self._error as error:
            raise _wrapped(text, parameters, error, self._error) from error
        return int(self._cursor.rowcount)

    def execute_many(self, sql: Sql, rows: Sequence[Sequence[Any]]) -> int:
        """Run one statement once per row of parameters; how many rows it changed.

        One executemany on SQLite (in process, a statement prepared once); on a
        server, one round trip (see `write_all`).
        """
        if not rows:
            return 0
        if self._pyformat:
            return self.write_all([(sql, rows)])[0]
        _observe(sql.qmark, len(rows))
        try:
            if len(rows) == 1:
                self._cursor.execute(sql.qmark, rows[0])  # one row: no iterator to walk
            else:
                self._cursor.executemany(sql.qmark, rows)
        except self._error as error:
            raise _wrapped(sql.qmark, rows, error, self._error) from error
        return int(self._cursor.rowcount)

    def write_all(self, writes: Sequence[Write]) -> list[int]:
        """Run every write, in order; how many rows each changed.

        On SQLite, one executemany each. On a server, the writes go together
        as one statement (a WITH of data-modifying statements: one plan, one
        round trip), or a few when their parameters are many
        (`PARAMETERS_PER_STATEMENT_MAX`), sent in one pipeline. PostgreSQL runs
        one such statement on one snapshot: so no write may read what an
        earlier one wrote, or change a row another changes. Constraints are
        checked when each statement ends.
        """
        if self.sqlite:
            return [self.execute_many(sql, rows) for sql, rows in writes]
        statements = _composed_statements(writes)
        answers = self._pipelined([(text, parameters, True) for text, parameters, _ in statements])
        counts = [0] * len(writes)
        for (_, _, owners), (_, found) in zip(statements, answers, strict=True):
            for owner, changed in zip(owners, found[0], strict=True):
                counts[owner] += int(changed)
        return counts

    def rows_together(
        self, queries: Sequence[tuple[Sql, Sequence[Any]]]
    ) -> list[list[tuple[Any, ...]]]:
        """Run queries in order and give each one's rows: on a server, in one round trip.

        Each query still runs on its own, after the one before it has ended: on
        PostgreSQL a query after a lock sees what the lock's holder committed.
        """
        if self.sqlite:
            return [self.rows(sql, parameters) for sql, parameters in queries]
        statements = [(sql.pyformat, parameters, False) for sql, parameters in queries]
        return [found for _, found in self._pipelined(statements)]

    def _pipelined(
        self, statements: Sequence[tuple[str, Sequence[Any], bool]]
    ) -> list[tuple[int, list[tuple[Any, ...]]]]:
        """Send the queued statements and these before reading any answer.

        Gives each of these its (rows changed, rows). A statement marked raw
        has PostgreSQL's own `$n` placeholders and is sent as it is: psycopg
        parses the placeholders of a `%s` statement of more than 50 parameters
        again at every call.
        """
        from psycopg import RawCursor  # a server's driver: not imported for SQLite
        from psycopg.pq import ExecStatus

        connection = self._cursor.connection
        queued, self._queued = self._queued, []
        cursors: list[Any] = []
        try:
            with connection.pipeline():
                for sql in queued:
                    _observe(sql.pyformat, 1)
                    connection.execute(sql.pyformat)
                for text, parameters, raw in statements:
                    _observe(text, 1)
                    cursor = RawCursor(connection) if raw else connection.cursor()
                    cursors.append(cursor)
                    cursor.execute(text, parameters)
            return [
                (
                    int(cursor.rowcount),
                    cursor.fetchall() if cursor.pgresult.status == ExecStatus.TUPLES_OK else [],
                )
                for cursor in cursors
            ]
        except self._error as error:
            texts = "; ".join(text for text, _, _ in statements)
            raise _wrapped(texts, [p for _, p, _ in statements], error, self._error) from error
        finally:
            for cursor in cursors:
                cursor.close()

    def day(self, value: date | None) -> Any:
        """A date as its column stores it: ISO text on SQLite, a date on PostgreSQL."""
        if value is None or not self.sqlite:
            return value
        return iso_text(value)


#: A composed statement: its text, its parameters, and which write each count is of.
_Composed = tuple[str, list[Any], list[int]]
_composed_texts: dict[tuple[tuple[Sql, int], ...], str] = {}


def _composed_statements(writes: Sequence[Write]) -> list[_Composed]:
    """The statements that run `writes` on a server, each of at most the parameters allowed.

    Each write's rows are cut into parts (an INSERT's rows at once, any other
    statement's one row a part); consecutive parts go together in one
    statement until the next would pass `PARAMETERS_PER_STATEMENT_MAX`.
    """
    if not any(rows for _, rows in writes):
        return []
    values = sum(len(rows) * len(rows[0]) for _, rows in writes if rows)
    if values >= ARRAYS_FROM_VALUES and all(sql.arrays is not None for sql, rows in writes if rows):
        found = _arrays_statement(writes)
        if found is not None:
            return [found]
    statements: list[_Composed] = []
    shape: list[tuple[Sql, int]] = []
    parameters: list[Any] = []
    owners: list[int] = []
    for owner, part, rows in _parts(writes):
        width = len(rows) * len(rows[0])
        if shape and len(parameters) + width > PARAMETERS_PER_STATEMENT_MAX:
            statements.append((_composed(tuple(shape)), parameters, owners))
            shape, parameters, owners = [], [], []
        shape.append((part, len(rows)))
        parameters.extend(itertools.chain.from_iterable(rows))
        owners.append(owner)
    if shape:
        statements.append((_composed(tuple(shape)), parameters, owners))
    return statements


def _parts(writes: Sequence[Write]) -> Iterator[tuple[int, Sql, Sequence[Sequence[Any]]]]:
    for owner, (sql, rows) in enumerate(writes):
        if not rows:
            continue
        if not sql.inserts_rows:
            for row in rows:
                yield owner, sql, (row,)
            continue
        step = max(1, PARAMETERS_PER_STATEMENT_MAX // max(1, len(rows[0])))
        for start in range(0, len(rows), step):
            yield owner, sql, rows[start : start + step]


def _arrays_statement(writes: Sequence[Write]) -> _Composed | None:
    """The one statement running every write in its arrays form: its text depends only on
    which statements have rows, not on how many. None when a value cannot go that way."""
    present = [(owner, sql, rows) for owner, (sql, rows) in enumerate(writes) if rows]
    shape = tuple(sql for _, sql, _ in present)
    text = _composed_arrays_texts.get(shape)
    if text is None:
        text = _with_counts([sql.arrays for sql in shape if sql.arrays is not None])
        if len(_composed_arrays_texts) < _COMPOSED_MAX:
            _composed_arrays_texts[shape] = text
    parameters = []
    for _, _, rows in present:
        for column in zip(*rows, strict=True):
            found = _column_text(column)
            if found is None:
                return None
            parameters.append(found)
    return text, parameters, [owner for owner, _, _ in present]


#: A column's values go to the server as one text, each value after a unit separator and
#: a null as a record separator (neither is in any value: names refuse control characters,
#: and a value that has one sends its rows the other way): one parameter, parsed by the
#: server in one call, instead of an array that psycopg writes value by value in Python.
_UNIT: Final = "\x1f"
_NULL: Final = "\x1e"


def _column_text(values: Sequence[Any]) -> str | None:
    """The values as `_UNIT` + each value, joined by `_UNIT`; None when a value has either
    separator in it."""
    nulls = 0
    texts = []
    for value in values:
        if value is None:
            nulls += 1
            texts.append(_NULL)
        elif type(value) is str:
            texts.append(value)
        elif type(value) is bool:
            texts.append("t" if value else "f")
        elif type(value) is int:
            texts.append(str(value))
        elif type(value) is date:
            texts.append(iso_text(value))
        else:
            return None  # sent the other way, adapted by the driver
    joined = _UNIT + _UNIT.join(texts) if texts else ""
    if joined.count(_UNIT) != len(texts) or joined.count(_NULL) != nulls:
        return None
    return joined


_composed_arrays_texts: dict[tuple[Sql, ...], str] = {}


def _with_counts(texts: Sequence[str]) -> str:
    """One statement running each data-modifying statement, answering how many rows each
    changed; placeholders numbered `$1`, `$2`, ..."""
    names = [f"w{index}" for index in range(len(texts))]
    parts = [f"{name} AS ({text} RETURNING 1)" for name, text in zip(names, texts, strict=True)]
    counts = ", ".join(f"(SELECT count(*) FROM {name})" for name in names)
    return _numbered(f"WITH {', '.join(parts)} SELECT {counts}")


def _composed(shape: tuple[tuple[Sql, int], ...]) -> str:
    """One statement running each (statement, rows), numbered `$1`, `$2`, ...; counts each."""
    found = _composed_texts.get(shape)
    if found is not None:
        return found
    texts = [sql.rows_qmark(count) if count > 1 else sql.qmark for sql, count in shape]
    text = _with_counts(texts)
    if len(_composed_texts) < _COMPOSED_MAX:
        _composed_texts[shape] = text
    return text


def _numbered(text: str) -> str:
    """`?` placeholders as PostgreSQL's own, `$1`, `$2`, ..."""
    pieces = text.split("?")
    return pieces[0] + "".join(f"${n}{piece}" for n, piece in enumerate(pieces[1:], start=1))


def _observe(text: str, rows: int) -> None:
    for observer in _observers:
        observer(text, rows)


def _wrapped(text: str, parameters: Any, error: Exception, base: type[Exception]) -> DBAPIError:
    """The database's refusal as SQLAlchemy raises it, so `transaction` reads it the same way."""
    wrapped = DBAPIError.instance(text, parameters, error, base)
    assert isinstance(wrapped, DBAPIError)
    return wrapped


#: An amount as its exact text, refusing what `models.DecimalText` refuses: the column's
#: own conversion, called directly (it runs for every amount of every closing).
money: Final = decimal_text


def day_read(value: Any) -> date | None:
    """A date column as read: ISO text from SQLite, a date from PostgreSQL."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def amount_read(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value)
