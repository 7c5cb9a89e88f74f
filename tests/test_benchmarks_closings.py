"""The closing benchmarks run at a tiny size and give every figure the table needs.

Nothing here checks a time: benchmarks report figures, tests never assert them.
"""

from __future__ import annotations

import os

import psycopg
import pytest
from benchmarks import closings


def test_sqlite_closings_give_the_ratio_and_the_statements_by_kind() -> None:
    result = closings.sqlite_closings(5, counted=2)

    assert (result.closings, result.closed, result.failures) == (5, 5, {})
    assert result.rows_per_closing > 0
    assert result.raw_transactions == 5
    assert result.rate > 0 and result.raw_rate > 0 and result.ratio > 0
    statements = result.statements
    assert statements.closings == 2
    assert set(statements.by_kind) == {"SELECT", "INSERT", "UPDATE", "other"}
    assert statements.total == sum(statements.by_kind.values()) > 0
    assert sum(statements.other.values()) == statements.by_kind["other"]
    rows = closings.sqlite_rows_for(result)
    assert len(rows) == 3 and all(len(row) == 3 and all(row) for row in rows)
    assert "of raw" in rows[0][2]


def test_without_a_server_the_postgresql_rows_say_skipped() -> None:
    result = closings.postgres_closings(4, clients=2, server="postgres@127.0.0.1:1")

    assert result == closings.Skipped("no PostgreSQL on 127.0.0.1:1")
    rows = closings.postgres_rows_for(result)
    assert rows and all(row[2] == "skipped: no PostgreSQL on 127.0.0.1:1" for row in rows)


@pytest.mark.postgres
def test_postgres_closings_race_and_latencies_and_the_database_is_dropped() -> None:
    server = os.environ.get("ACQUITTANCE_TEST_PG_SERVER", "postgres@127.0.0.1:5432")
    result = closings.postgres_closings(8, clients=4, server=server)
    if isinstance(result, closings.Skipped):
        if os.environ.get("CI") == "true":
            pytest.fail(f"{result.reason}; CI=true requires the server store to be tested")
        pytest.skip(result.reason)

    assert (result.closings, result.closed, result.failures) == (8, 8, {})
    calls = result.calls
    assert (calls.closed, calls.failures, len(calls.latencies)) == (8, {}, 8)
    assert 0 < calls.latency(0.5) <= calls.latency(0.99)
    assert result.rows_per_closing > 0 and result.raw_rate > 0 and result.ratio > 0
    race = result.race
    assert race.ok and race.closed == 1 and sum(race.codes.values()) == 3
    rows = closings.postgres_rows_for(result)
    assert len(rows) == 4 and "settle_batch" in rows[0][0] and "p99" in rows[2][2]
    assert "exactly one closing" in rows[3][2]
    with psycopg.connect(f"postgresql://{server}/postgres") as admin:
        left = admin.execute(
            "SELECT count(*) FROM pg_database WHERE datname LIKE %s",
            (f"acq_bench_{os.getpid()}_%",),
        ).fetchone()
    assert left == (0,)


def test_percentile_is_the_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert closings.percentile(values, 0.5) == 50.0
    assert closings.percentile(values, 0.99) == 99.0
    assert closings.percentile([3.0], 0.99) == 3.0
    assert closings.percentile([], 0.5) == 0.0
