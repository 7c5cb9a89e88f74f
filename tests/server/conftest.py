"""Fixtures of the server tests: a served app (`served`) on SQLite, or on both stores.

The helpers behind them are in server_helpers.py, which the test modules import by name.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from server_helpers import Served, serve


@pytest.fixture
def served(sqlite_url: str) -> Iterator[Served]:
    yield from serve(sqlite_url)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def served_both(request: pytest.FixtureRequest) -> Iterator[Served]:
    yield from serve(request.getfixturevalue(f"{request.param}_url"))
