"""Migrations and engine settings: init creates or migrates; nothing else changes the schema."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.orm import Session

from acquittance.core.errors import StorageError
from acquittance.store import (
    Repository,
    check_current,
    init_store,
    migrate,
    open_engine,
    open_store,
    retrying,
    schema,
    transaction,
)
from acquittance.store.location import sqlite_path
from acquittance.store.models import Base

NOOP_REVISION = '''"""A later revision that changes nothing, to put a store one revision behind."""

revision = "noop"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
'''


def _dump(url: str) -> list[str]:
    path = sqlite_path(url)
    assert path is not None
    with sqlite3.connect(path) as connection:
        return list(connection.iterdump())


def test_migrate_creates_a_fresh_store_that_matches_the_models(store_url: str) -> None:
    migrate(store_url)
    engine = open_store(store_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_migrate_creates_the_sqlite_folder_and_file(sqlite_url: str) -> None:
    path = sqlite_path(sqlite_url)
    assert path is not None and not path.parent.exists()
    migrate(sqlite_url)
    assert path.is_file()


def test_migrating_a_current_store_changes_nothing(sqlite_url: str) -> None:
    migrate(sqlite_url)
    before = _dump(sqlite_url)
    migrate(sqlite_url)
    assert _dump(sqlite_url) == before


def test_opening_a_missing_sqlite_store_refuses_and_creates_nothing(sqlite_url: str) -> None:
    with pytest.raises(StorageError) as caught:
        open_store(sqlite_url)
    assert caught.value.code == "STORE_NOT_INITIALIZED"
    assert "acquittance init" in caught.value.message
    path = sqlite_path(sqlite_url)
    assert path is not None and not path.exists() and not path.parent.exists()


@pytest.mark.postgres
def test_opening_an_empty_postgres_database_is_not_initialized(postgres_url: str) -> None:
    with pytest.raises(StorageError) as caught:
        open_store(postgres_url)
    assert caught.value.code == "STORE_NOT_INITIALIZED"


def test_a_store_behind_the_code_needs_migration_and_init_migrates_it(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    migrate(sqlite_url)
    newer = tmp_path / "migrations"
    shutil.copytree(schema.MIGRATIONS_FOLDER, newer)
    (newer / "versions" / "noop.py").write_text(NOOP_REVISION.format(head=schema.head_revision()))
    monkeypatch.setattr(schema, "MIGRATIONS_FOLDER", newer)
    with pytest.raises(StorageError) as caught:
        open_store(sqlite_url)
    assert caught.value.code == "STORE_NEEDS_MIGRATION"
    assert "acquittance init" in caught.value.message
    migrate(sqlite_url)
    open_store(sqlite_url).dispose()


def test_a_store_from_a_newer_release_is_refused(store_url: str) -> None:
    migrate(store_url)
    engine = open_engine(store_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
        with pytest.raises(StorageError) as caught:
            check_current(engine)
        assert caught.value.code == "STORE_TOO_NEW"
    finally:
        engine.dispose()


def test_sqlite_connections_are_durable_and_enforce_foreign_keys(sqlite_url: str) -> None:
    migrate(sqlite_url)
    engine = open_store(sqlite_url)
    try:
        with engine.connect() as connection:
            pragma = {
                name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("foreign_keys", "journal_mode", "synchronous", "busy_timeout")
            }
        assert pragma["foreign_keys"] == 1
        assert pragma["journal_mode"] == "wal"
        assert pragma["synchronous"] == 2  # FULL
        assert (pragma["busy_timeout"] or 0) > 0
    finally:
        engine.dispose()


def test_sqlite_write_transactions_take_the_write_lock_at_begin(sqlite_url: str) -> None:
    """BEGIN IMMEDIATE: a second writer is refused before it reads, not half way through."""
    migrate(sqlite_url)
    first = open_store(sqlite_url)
    second = open_engine(sqlite_url, busy_timeout_ms=50)
    try:
        with transaction(first):
            with pytest.raises(StorageError) as caught, transaction(second):
                pass
            assert caught.value.code == "STORE_BUSY"
            # Readers still see the last committed state (WAL).
            with transaction(second, write=False) as session:
                assert session.execute(text("SELECT count(*) FROM parties")).scalar() == 0
    finally:
        first.dispose()
        second.dispose()


@pytest.mark.postgres
def test_postgres_writes_are_read_committed_and_reads_are_read_only_snapshots(
    postgres_url: str,
) -> None:
    migrate(postgres_url)
    engine = open_store(postgres_url)
    try:
        with transaction(engine) as session:
            # Writers lock the rows they decide on, in one order (see store.engine).
            assert _setting(session, "transaction_isolation") == "read committed"
        with transaction(engine, write=False) as session:
            assert _setting(session, "transaction_isolation") == "repeatable read"
            assert _setting(session, "transaction_read_only") == "on"
    finally:
        engine.dispose()


def _setting(session: Session, name: str) -> str:
    return str(session.execute(text(f"SHOW {name}")).scalar())


@pytest.mark.postgres
def test_a_postgres_database_that_does_not_exist_is_unreachable(postgres_url: str) -> None:
    missing = postgres_url.rsplit("/", 1)[0] + "/acq_no_such_database"
    with pytest.raises(StorageError) as caught:
        open_store(missing)
    assert caught.value.code == "STORE_UNREACHABLE"
    assert "acq_no_such_database" in caught.value.message


def test_init_store_is_repeatable_and_retrying_runs_a_unit_of_work(store_url: str) -> None:
    init_store(store_url).dispose()
    engine = init_store(store_url)
    try:
        assert retrying(engine, lambda session: Repository(session).list_parties()) == []
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_a_connection_the_server_dropped_is_replaced_and_the_work_runs_again(
    postgres_url: str,
) -> None:
    """No ping before each transaction: a pooled connection the server closed fails its
    first statement, and `retrying` runs the work again on a new one."""
    import psycopg

    init_store(postgres_url).dispose()
    engine = open_store(postgres_url, connections=1)
    try:
        with transaction(engine) as session:
            first = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        # The server ends the pooled connection behind the pool's back (a restart, a
        # firewall): the next checkout gets it back, dead.
        direct = postgres_url.replace("postgresql+psycopg://", "postgresql://", 1)
        with psycopg.connect(direct, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (first,))
        attempts: list[int] = []

        def work(session: Session) -> int:
            attempts.append(1)
            return int(session.execute(text("SELECT pg_backend_pid()")).scalar_one())

        assert retrying(engine, work) != first
        assert len(attempts) == 2, "the first attempt met the dropped connection"
    finally:
        engine.dispose()
