"""Writes a server runs as arrays: one statement for any number of rows, each column's values
as one text the server splits, and the statements' types those of their columns."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import psycopg
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.engine import make_url

from acquittance.store import closing_path, driver, journal, migrate
from acquittance.store.driver import Sql, insert_types


def test_an_insert_and_an_update_each_become_one_statement_over_unnest() -> None:
    insert = Sql(
        "INSERT INTO t (a, b) VALUES (?, (SELECT max(x) FROM u WHERE y = ?)) "
        "ON CONFLICT DO NOTHING",
        types=("text", "integer"),
    )
    column = "(string_to_array(?, chr(31), chr(30)))[2:]"
    assert insert.arrays == (
        "INSERT INTO t (a, b) SELECT u.c1, (SELECT max(x) FROM u WHERE y = u.c2) "
        f"FROM unnest({column}::text[], {column}::integer[]) AS u(c1, c2) ON CONFLICT DO NOTHING"
    )
    update = Sql("UPDATE t SET a = ? WHERE b = ? AND c = ?", types=("date", "text", "text"))
    assert update.arrays == (
        f"UPDATE t SET a = u.c1 FROM unnest({column}::date[], {column}::text[], "
        f"{column}::text[]) AS u(c1, c2, c3) WHERE b = u.c2 AND c = u.c3"
    )
    assert Sql("INSERT INTO t (a) VALUES (?)").arrays is None  # no types: rows as values
    with pytest.raises(AssertionError):
        Sql("UPDATE t SET a = ? WHERE b = ?", types=("text",))


@pytest.fixture
def arrays_always(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows go as arrays however few they are (the rule they are checked under)."""
    monkeypatch.setattr(driver, "ARRAYS_FROM_VALUES", 0)


def test_a_few_values_go_as_rows_and_many_as_arrays() -> None:
    insert = Sql("INSERT INTO t (a, b) VALUES (?, ?)", types=("text", "integer"))
    below = [("x", n) for n in range(driver.ARRAYS_FROM_VALUES // 2 - 1)]
    [(text, _, _)] = driver._composed_statements([(insert, below)])
    assert " VALUES ($1, $2), " in text and "unnest(" not in text
    [(text, _, _)] = driver._composed_statements([(insert, [*below, ("y", -1)])])
    assert "unnest(" in text and " VALUES " not in text


@pytest.mark.usefixtures("arrays_always")
def test_writes_with_arrays_go_as_one_statement_whatever_their_rows() -> None:
    insert = Sql("INSERT INTO t (a, b) VALUES (?, ?)", types=("text", "integer"))
    update = Sql("UPDATE u SET a = ? WHERE b = ?", types=("date", "text"))
    few = driver._composed_statements([(insert, [("x", 1)]), (update, [])])
    many = driver._composed_statements(
        [(insert, [("x", n) for n in range(100_000)]), (update, [(date(2024, 1, 2), "k")])]
    )
    assert len(few) == len(many) == 1
    [(few_text, few_parameters, few_owners)] = few
    [(text, parameters, owners)] = many
    assert text.startswith(few_text.split(" SELECT (SELECT count")[0])
    assert "w1 AS (UPDATE" in text
    assert few_parameters == ["\x1fx", "\x1f1"]
    assert len(parameters) == 4 and parameters[2:] == ["\x1f2024-01-02", "\x1fk"]
    assert few_owners == [0] and owners == [0, 1]


@pytest.mark.usefixtures("arrays_always")
def test_a_value_with_a_separator_in_it_sends_its_rows_as_values() -> None:
    insert = Sql("INSERT INTO t (a, b) VALUES (?, ?)", types=("text", "integer"))
    for odd in ("a\x1fb", "\x1e", None):
        statements = driver._composed_statements([(insert, [("plain", 1), (odd, 2)])])
        [(text, parameters, _)] = statements
        if odd is None:
            assert "unnest(" in text and parameters[0] == "\x1fplain\x1f\x1e"
        else:
            assert "VALUES ($1, $2), ($3, $4)" in text and parameters == ["plain", 1, odd, 2]


@given(
    st.lists(
        st.one_of(
            st.none(),
            st.text(),
            st.integers(-(2**31), 2**31 - 1),
            st.booleans(),
            st.dates(),
        ),
        max_size=20,
    )
)
def test_a_column_text_holds_each_value_or_refuses(values: list[Any]) -> None:
    found = driver._column_text(values)
    if any(isinstance(v, str) and ("\x1f" in v or "\x1e" in v) for v in values):
        assert found is None
        return
    assert found is not None
    parts = found.split("\x1f")
    assert parts[0] == "" and len(parts) == len(values) + 1
    for part, value in zip(parts[1:], values, strict=True):
        if value is None:
            assert part == "\x1e"
        elif isinstance(value, bool):
            assert part == ("t" if value else "f")
        elif isinstance(value, date):
            assert part == value.isoformat()
        else:
            assert part == str(value)


@pytest.fixture
def server(postgres_url: str) -> Iterator[psycopg.Connection[Any]]:
    migrate(postgres_url)
    url = make_url(postgres_url).set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False)) as connection:
        yield connection


SERVER_TYPES = {"character varying": "text", "text": "text", "integer": "integer", "date": "date"}
INSERTS = [
    closing_path._INSERT_LOAN_EVENTS,
    closing_path._INSERT_SNAPSHOTS,
    closing_path._INSERT_SETTLEMENT,
    closing_path._INSERT_SETTLEMENT_NOTES,
    closing_path._INSERT_OBLIGATIONS,
    closing_path._INSERT_QUOTE,
    closing_path._INSERT_QUOTE_NOTES,
    journal._INSERT_ENTRIES,
    journal._INSERT_LEGS,
    journal._MOVE_HEADS,
]


@pytest.mark.postgres
def test_each_insert_sends_its_values_as_the_types_of_the_server_columns(
    server: psycopg.Connection[Any],
) -> None:
    for sql in INSERTS:
        table = sql.qmark.split()[2]
        columns = sql.qmark[sql.qmark.index("(") + 1 : sql.qmark.index(")")].split(", ")
        found = dict(
            server.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_name = %s",
                (table,),
            ).fetchall()
        )
        server_types = tuple(
            "boolean" if found[c] == "boolean" else SERVER_TYPES[found[c]] for c in columns
        )
        assert insert_types(sql.qmark) == server_types, table


@pytest.mark.postgres
@pytest.mark.usefixtures("arrays_always")
def test_rows_sent_as_arrays_are_stored_as_sent(server: psycopg.Connection[Any]) -> None:
    server.execute("CREATE TABLE t (a text, b integer, c date, d boolean, e text)")
    insert = Sql(
        "INSERT INTO t (a, b, c, d, e) VALUES (?, ?, ?, ?, ?)",
        types=("text", "integer", "date", "boolean", "text"),
    )
    rows = [
        ("", 0, date(2024, 2, 29), True, None),  # an empty text is a value, not no rows
        ('O\'Brien "quoted" {braces}, commas\\', -5, None, False, "é ü ☃"),
        (None, None, date(1, 1, 1), None, "NULL"),
    ]
    [(text, parameters, _)] = driver._composed_statements([(insert, rows)])
    assert "unnest(" in text
    cursor = psycopg.RawCursor(server)
    cursor.execute(text, parameters)
    assert cursor.fetchone() == (3,)
    assert server.execute("SELECT a, b, c, d, e FROM t ORDER BY b NULLS LAST").fetchall() == [
        rows[1],
        rows[0],
        rows[2],
    ]
    single = driver._composed_statements([(insert, [("", 1, None, None, "")])])
    [(text, parameters, _)] = single
    server.execute("DELETE FROM t")
    cursor.execute(text, parameters)
    assert cursor.fetchone() == (1,)
    assert server.execute("SELECT a, e FROM t").fetchall() == [("", "")]


def test_writes_with_no_rows_send_nothing() -> None:
    insert = Sql("INSERT INTO t (a) VALUES (?)", types=("text",))
    assert driver._composed_statements([(insert, []), (insert, [])]) == []
