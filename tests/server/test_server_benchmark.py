"""The HTTP load benchmark runs at a tiny size and gives every figure the table needs.

Nothing here checks a time: benchmarks report figures, tests never assert them.
"""

from __future__ import annotations

import pytest
from benchmarks import http_load

_NOWHERE = "postgres@127.0.0.1:1"


def test_without_a_server_the_http_rows_say_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    result = http_load.http_load(4, clients=2, most=3, server=_NOWHERE)
    assert result == http_load.Skipped("no PostgreSQL on 127.0.0.1:1")
    assert http_load.rows_for(result)[0][1] == "skipped"


def test_under_ci_a_missing_server_fails_the_benchmark(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(http_load.PostgresMissing, match="CI=true requires"):
        http_load.http_load(4, clients=2, most=3, server=_NOWHERE)


def test_a_process_cpu_time_counts_its_children() -> None:
    import os
    import subprocess
    import sys

    if not os.path.isdir("/proc"):
        pytest.skip("CPU times are read from /proc")
    busy = "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass\n"
    child = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {busy!r}])"
    with subprocess.Popen([sys.executable, "-c", child]) as parent:
        time_spent = 0.0
        while parent.poll() is None:
            time_spent = max(time_spent, http_load.cpu_seconds(parent.pid))
    assert time_spent >= 0.1
    assert http_load.cpu_seconds(os.getpid()) > 0


def test_the_levels_are_one_the_compared_count_and_the_most() -> None:
    assert http_load.client_levels(16, 64) == (1, 16, 64)
    assert http_load.client_levels(1, 1) == (1,)


@pytest.mark.postgres
def test_the_http_load_run_closes_everything_once() -> None:
    result = http_load.http_load(4, clients=2, most=3, warmup=2)
    if isinstance(result, http_load.Skipped):
        pytest.skip(result.reason)
    assert result.lost_or_duplicated == 0 and result.verified and result.batch_start_seconds > 0
    assert [t.clients for t in result.quotes] == [1, 2, 3]
    assert [t.clients for t in result.closings] == [1, 2, 3]
    assert all(t.failures == 0 and t.rate > 0 for t in (*result.quotes, *result.closings))
    assert result.batch_lines == 4 and result.batch_rate > 0 and result.batch_cpu > 0
    timed = (*result.quotes, *result.closings)
    # CPU is counted in ticks (10 ms): a level of a few requests may round down to none.
    assert sum(t.server_cpu for t in timed) > 0
    assert all(t.server_cpu >= 0 and t.client_cpu >= 0 and t.database_cpu >= 0 for t in timed)
    rows = http_load.rows_for(result)
    assert len(rows) == 8 and all(len(row) == 3 and all(row) for row in rows)
    assert "goal ≥ 70 %" in rows[4][2] and "goal" not in rows[5][2]
