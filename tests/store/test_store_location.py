"""Where the store is: --db, ACQUITTANCE_DB, the per-user file; and refusing unwritable places."""

from __future__ import annotations

import sys
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


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home folder of its own, with no XDG folders set and no store chosen."""
    for name in ("XDG_DATA_HOME", "ACQUITTANCE_DB"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    return tmp_path


def test_default_is_the_xdg_data_file(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    path = default_store_path(platform="linux")
    assert path == home / "data" / "acquittance" / "acquittance.db"
    if sys.platform == "linux":
        assert resolve_url(None, environ={}) == f"sqlite:///{path}"


def test_default_without_xdg_is_under_local_share(home: Path) -> None:
    path = default_store_path(platform="linux")
    assert path == home / ".local" / "share" / "acquittance" / "acquittance.db"


def test_a_relative_xdg_data_home_is_ignored(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The XDG spec says a relative XDG_DATA_HOME is invalid and must be ignored.
    monkeypatch.setenv("XDG_DATA_HOME", "relative/data")
    path = default_store_path(platform="linux")
    assert path == home / ".local" / "share" / "acquittance" / "acquittance.db"


def test_default_on_macos_is_application_support(home: Path) -> None:
    path = default_store_path(platform="darwin")
    assert path == home / "Library" / "Application Support" / "acquittance" / "acquittance.db"


def test_default_on_windows_is_the_local_app_data(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # platformdirs asks Windows for its known folders; off Windows, answer for it.
    import platformdirs.windows

    folders = {
        "CSIDL_LOCAL_APPDATA": r"C:\Users\dana\AppData\Local",
        "CSIDL_APPDATA": r"C:\Users\dana\AppData\Roaming",
    }
    monkeypatch.setattr(platformdirs.windows, "get_win_folder", folders.__getitem__)
    path = default_store_path(platform="win32")
    assert str(path).replace("/", "\\") == r"C:\Users\dana\AppData\Local\acquittance\acquittance.db"


def test_finding_the_default_creates_no_folder(home: Path) -> None:
    path = default_store_path(platform="linux")
    assert not path.parent.exists()
    assert list(home.iterdir()) == []


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
