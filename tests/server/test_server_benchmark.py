"""The HTTP load benchmark runs at a tiny size and gives every figure the table needs.

Nothing here checks a time: benchmarks report figures, tests never assert them.
"""

from __future__ import annotations

import pytest
from benchmarks import http_load


def test_without_a_server_the_http_rows_say_skipped() -> None:
    result = http_load.http_load(4, clients=2, server="postgres@127.0.0.1:1")
    assert result == http_load.Skipped("no PostgreSQL on 127.0.0.1:1")
    assert http_load.rows_for(result)[0][1] == "skipped"


@pytest.mark.postgres
def test_the_http_load_run_closes_everything_once() -> None:
    result = http_load.http_load(4, clients=2)
    if isinstance(result, http_load.Skipped):
        pytest.skip(result.reason)
    assert result.lost_or_duplicated == 0 and result.verified
    assert [t.clients for t in result.quotes] == [1, 2]
    assert all(t.failures == 0 and t.rate > 0 for t in (*result.quotes, *result.closings))
    assert result.batch_lines == 4 and result.batch_rate > 0
    rows = http_load.rows_for(result)
    assert len(rows) == 6 and all(len(row) == 3 and all(row) for row in rows)
