"""Fixtures the whole suite shares: a store on each backend.

`sqlite_url` is a file in the test's own folder; `postgres_url` is a database
created for the test on the local server (random name, dropped afterwards), so
no two tests or runs share state. `store_url` runs a test on both. When the
server is unreachable, the PostgreSQL half is skipped, except under CI=true,
where it fails loudly: CI must not pass by skipping the server store.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

#: The local test server (trust authentication); override with ACQUITTANCE_TEST_PG_SERVER.
PG_SERVER = os.environ.get("ACQUITTANCE_TEST_PG_SERVER", "postgres@127.0.0.1:5432")
#: Databases to connect to for CREATE DATABASE, tried in order.
PG_ADMIN_DATABASES = ("test", "postgres")


def _admin_connection() -> psycopg.Connection[Any]:
    errors = []
    for database in PG_ADMIN_DATABASES:
        try:
            return psycopg.connect(
                f"postgresql://{PG_SERVER}/{database}", autocommit=True, connect_timeout=5
            )
        except psycopg.OperationalError as error:
            errors.append(f"{database}: {str(error).strip()}")
    reason = f"PostgreSQL at {PG_SERVER} is unreachable ({'; '.join(errors)})"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI=true requires the server store to be tested")
    pytest.skip(reason)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite store that does not exist yet, in a folder that does not exist yet."""
    return f"sqlite:///{tmp_path / 'store' / 'acquittance.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for this test only."""
    admin = _admin_connection()
    name = f"acq_test_{uuid.uuid4().hex[:16]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://{PG_SERVER}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest) -> str:
    """The same test on the embedded store and on the server store."""
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url
