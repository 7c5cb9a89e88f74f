"""Where the store is: --db, ACQUITTANCE_DB, the per-user file; and refusing unwritable places."""

from __future__ import annotations

from pathlib import Path

import pytest

from acquittance.core.errors import StorageError
from acquittance.store.location import (
    default_store_path,
    prepare_location,
    resolve_url,
    sqlite_path,
    store_exists,
)


def test_db_option_wins_over_the_environment(tmp_path: Path) -> None:
    environ = {"ACQUITTANCE_DB": str(tmp_path / "from-env.db")}
    url = resolve_url(str(tmp_path / "from-option.db"), environ=environ)
    assert url == f"sqlite:///{tmp_path / 'from-option.db'}"


def test_environment_variable_is_used_without_the_option(tmp_path: Path) -> None:
    url = resolve_url(None, environ={"ACQUITTANCE_DB": str(tmp_path / "env.db")})
    assert url == f"sqlite:///{tmp_path / 'env.db'}"


def test_relative_file_path_becomes_an_absolute_sqlite_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert resolve_url("books/a.db", environ={}) == f"sqlite:///{tmp_path / 'books' / 'a.db'}"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u@h:5432/d", "postgresql+psycopg://u@h:5432/d"),
        ("postgres://u:p@h/d", "postgresql+psycopg://u:p@h/d"),
        ("postgresql+psycopg://u@h/d", "postgresql+psycopg://u@h/d"),
        ("sqlite:////srv/books.db", "sqlite:////srv/books.db"),
    ],
)
def test_urls_are_kept_and_plain_postgresql_goes_through_psycopg(given: str, expected: str) -> None:
    assert resolve_url(given, environ={}) == expected


def test_default_is_the_xdg_data_file(tmp_path: Path) -> None:
    environ = {"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data")}
    path = default_store_path(environ=environ, platform="linux")
    assert path == tmp_path / "data" / "acquittance" / "acquittance.db"
    assert resolve_url(None, environ=environ) == f"sqlite:///{path}"


def test_default_without_xdg_is_under_local_share(tmp_path: Path) -> None:
    # A relative XDG_DATA_HOME is invalid by the spec and ignored.
    environ = {"HOME": str(tmp_path), "XDG_DATA_HOME": "relative/data"}
    path = default_store_path(environ=environ, platform="linux")
    assert path == tmp_path / ".local" / "share" / "acquittance" / "acquittance.db"


def test_default_on_macos_is_application_support(tmp_path: Path) -> None:
    path = default_store_path(environ={"HOME": str(tmp_path)}, platform="darwin")
    assert path == tmp_path / "Library" / "Application Support" / "acquittance" / "acquittance.db"


def test_resolving_creates_nothing(tmp_path: Path) -> None:
    url = resolve_url(str(tmp_path / "new" / "a.db"), environ={})
    assert not store_exists(url)
    assert not (tmp_path / "new").exists()


def test_a_folder_that_cannot_be_created_is_store_not_writable(tmp_path: Path) -> None:
    # A regular file where a folder should be: refused even for root, unlike chmod.
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    url = resolve_url(str(blocker / "store" / "a.db"), environ={})
    with pytest.raises(StorageError) as caught:
        prepare_location(url)
    assert caught.value.code == "STORE_NOT_WRITABLE"
    assert str(blocker / "store" / "a.db") in caught.value.message
    assert "--db" in caught.value.message


def test_server_and_memory_urls_have_no_file() -> None:
    assert sqlite_path("postgresql+psycopg://u@h/d") is None
    assert sqlite_path("sqlite://") is None
    assert sqlite_path("sqlite:///:memory:") is None
