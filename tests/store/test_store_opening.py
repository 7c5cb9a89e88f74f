"""Opening a store: a file that is not one, a damaged one, a URL that cannot name one,
and a schema check that needs no Alembic."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from acquittance.core.errors import StorageError
from acquittance.store import migrate, open_store, schema
from acquittance.store.location import resolve_url

NOOP_REVISION = '''"""A later revision that changes nothing."""

revision: str = "9999"
down_revision: str | None = "{head}"


def upgrade() -> None:
    pass
'''


def _code(call: object, *args: object) -> str:
    assert callable(call)
    with pytest.raises(StorageError) as caught:
        call(*args)
    return caught.value.code


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_revisions_read_from_the_scripts_are_alembics() -> None:
    assert schema.revisions() == schema._alembic_revisions()
    assert schema.head_revision() in schema.revisions()[1]


def test_a_new_revision_script_moves_the_head(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    newer = tmp_path / "migrations"
    shutil.copytree(schema.MIGRATIONS_FOLDER, newer)
    head = schema.head_revision()
    (newer / "versions" / "9999_noop.py").write_text(NOOP_REVISION.replace("{head}", head))
    monkeypatch.setattr(schema, "MIGRATIONS_FOLDER", newer)
    heads, known = schema.revisions()
    assert heads == ("9999",) and {"0001", head, "9999"} <= known
    assert (heads, known) == schema._alembic_revisions()


def test_a_script_not_understood_is_left_to_alembic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    newer = tmp_path / "migrations"
    shutil.copytree(schema.MIGRATIONS_FOLDER, newer)
    odd = NOOP_REVISION.replace("{head}", schema.head_revision()).replace(
        'revision: str = "9999"', 'revision = REVISION = "9999"'
    )
    (newer / "versions" / "9999_odd.py").write_text(odd)
    monkeypatch.setattr(schema, "MIGRATIONS_FOLDER", newer)
    calls: list[int] = []
    real = schema._alembic_revisions

    def counted() -> tuple[tuple[str, ...], set[str]]:
        calls.append(1)
        return real()

    monkeypatch.setattr(schema, "_alembic_revisions", counted)
    schema.revisions()
    assert calls == [1]


def test_opening_a_current_store_imports_no_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'books.db'}"
    migrate(url)
    probe = (
        "import sys\n"
        "from acquittance.store import open_store\n"
        f"open_store({url!r}).dispose()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('alembic', 'mako')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]", done.stderr


def test_a_text_file_is_not_a_store_and_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("not a database\n")
    url = resolve_url(str(path), environ={})
    before = _digest(path)
    assert _code(open_store, url) == "NOT_A_STORE"
    assert _code(migrate, url) == "NOT_A_STORE"
    assert _digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_an_empty_file_is_not_initialized_until_init(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    path.touch()
    url = resolve_url(str(path), environ={})
    assert _code(open_store, url) == "STORE_NOT_INITIALIZED"
    assert path.read_bytes() == b""
    migrate(url)
    open_store(url).dispose()


def test_a_store_cut_short_is_corrupt_and_left_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "books.db"
    url = resolve_url(str(path), environ={})
    migrate(url)
    path.write_bytes(path.read_bytes()[:1024])
    before = _digest(path)
    assert _code(open_store, url) == "STORE_CORRUPT"
    assert _code(migrate, url) == "STORE_CORRUPT"
    assert _digest(path) == before


@pytest.mark.parametrize(
    ("sqlite_code", "sqlstate", "damaged"),
    [
        (11, None, True),  # SQLITE_CORRUPT
        (11 | (1 << 8), None, True),  # an extended SQLITE_CORRUPT_* code
        (26, None, True),  # SQLITE_NOTADB
        (5, None, False),  # SQLITE_BUSY: a retry, not damage
        (None, "XX001", True),  # PostgreSQL data_corrupted
        (None, "XX002", True),  # PostgreSQL index_corrupted
        (None, "40001", False),  # a serialization failure
    ],
)
def test_damage_is_told_apart_from_other_database_errors(
    sqlite_code: int | None, sqlstate: str | None, damaged: bool
) -> None:
    original = SimpleNamespace(sqlite_errorcode=sqlite_code, sqlstate=sqlstate)
    error = SimpleNamespace(orig=original)
    found = schema.damaged_store("sqlite:////srv/books.db", error)  # type: ignore[arg-type]
    assert (found is not None) == damaged
    if found is not None:
        assert found.code == "STORE_CORRUPT"


@pytest.mark.parametrize(
    "given",
    [
        "postgresql://:bad",
        "postgresql://u@h:0/d",
        "postgresql://u@h:65536/d",
        "nosuchdialect://x",
        "mssql://u@h/d",
        "postgresql+asyncpg://u@h/d",
        "sqlite+aiosqlite:///books.db",
        "sqlite://books.db",
    ],
)
def test_a_url_that_cannot_name_a_store_is_refused_before_anything_exists(
    given: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(StorageError) as caught:
        resolve_url(given, environ={})
    assert caught.value.code == "INVALID_STORE_URL"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "given",
    [
        "sqlite:///books.db",
        "sqlite+pysqlite:///books.db",
        "sqlite://",
        "postgresql://u@h:5432/d",
        "postgresql+psycopg://u@h/d?sslmode=require",
        "postgresql:///d",
    ],
)
def test_the_urls_of_a_supported_store_pass(given: str) -> None:
    assert resolve_url(given, environ={})
