"""A store that cannot be used: a text file, a damaged file, a folder, a malformed URL.

Each is one coded line on stderr (or the error document with --json), exit
status 2, and nothing changed: not the file given, and no file or folder
created anywhere for a URL that was refused.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from cli_helpers import REFERENCE_DEAL, REFERENCE_LOAN, ok, run

#: Commands that read the store, and `init`, which would create or migrate it.
COMMANDS: tuple[tuple[str, ...], ...] = (
    ("quote", REFERENCE_LOAN, "--as-of", "2002-03-31"),
    ("list",),
    ("verify",),
    ("load", str(REFERENCE_DEAL)),
    ("init",),
)


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under `folder` with the digest of its bytes."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        if path.is_file()
        else "folder"
        for path in sorted(folder.rglob("*"))
    }


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The working folder and the per-user data folder, both inside the test's folder."""
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home" / "data"))
    monkeypatch.delenv("ACQUITTANCE_DB", raising=False)
    return tmp_path


def refused_everywhere(
    capsys: pytest.CaptureFixture[str],
    db: str | Path,
    code: str,
    unchanged: Callable[[], object],
) -> list[str]:
    """Every command refuses `--db db` with `code`, plain and with --json; nothing changes."""
    before = unchanged()
    messages = []
    for command in COMMANDS:
        plain = run(capsys, *command, "--db", db)
        assert plain.code == 2, (command, plain.err)
        assert plain.out == ""
        match = re.fullmatch(r"error ([A-Z][A-Z0-9_]+): (.+)\n", plain.err)
        assert match, plain.err
        assert match[1] == code, (command, plain.err)
        as_json = run(capsys, *command, "--db", db, "--json")
        assert as_json.code == 2
        assert json.loads(as_json.out) == {"error": {"code": code, "message": match[2]}}
        assert unchanged() == before, command
        messages.append(match[2])
    return messages


def test_a_text_file_is_not_a_store(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    notes = home / "work" / "notes.txt"
    notes.write_text("minutes of the meeting\n")
    messages = refused_everywhere(capsys, notes, "NOT_A_STORE", lambda: snapshot(home))
    assert all(str(notes) in message for message in messages)
    assert notes.read_text() == "minutes of the meeting\n"


def test_a_folder_is_not_a_store(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = home / "work" / "books"
    folder.mkdir()
    messages = refused_everywhere(capsys, folder, "NOT_A_STORE", lambda: snapshot(home))
    assert "is a folder" in messages[0]


def _reference_store(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ok(capsys, "init", "--db", path)
    ok(capsys, "load", REFERENCE_DEAL, "--db", path)
    # Fold the write-ahead log into the file, so that the bytes changed below are
    # the only copy of the pages they hold.
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()


def _page_of(path: Path, table: str) -> tuple[int, int]:
    """The byte offset of `table`'s root page, and the page size."""
    connection = sqlite3.connect(path)
    try:
        (page_size,) = connection.execute("PRAGMA page_size").fetchone()
        (root,) = connection.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)
        ).fetchone()
    finally:
        connection.close()
    return (root - 1) * page_size, page_size


def _overwrite(path: Path, offset: int, data: bytes) -> None:
    with path.open("r+b") as file:
        file.seek(offset)
        file.write(data)


def _store_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_store_whose_schema_pages_are_damaged_is_store_corrupt(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = home / "work" / "books.db"
    _reference_store(path, capsys)
    # Page 1 holds the schema after the 100-byte file header.
    _overwrite(path, 100, b"\xff" * 400)
    messages = refused_everywhere(capsys, path, "STORE_CORRUPT", lambda: _store_file(path))
    assert "backup" in messages[0]


def test_a_store_cut_short_is_store_corrupt(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = home / "work" / "books.db"
    _reference_store(path, capsys)
    path.write_bytes(path.read_bytes()[:16])  # the SQLite header alone
    refused_everywhere(capsys, path, "STORE_CORRUPT", lambda: _store_file(path))


def test_damage_found_after_the_store_opened_is_store_corrupt(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The schema reads fine; the first query of a damaged table fails, and is coded."""
    path = home / "work" / "books.db"
    _reference_store(path, capsys)
    offset, _ = _page_of(path, "parties")
    _overwrite(path, offset, b"\xff" * 8)  # the page header: no valid page type
    before = _store_file(path)
    for command in (("list",), ("journal", "berg"), ("books", "valence")):
        result = run(capsys, *command, "--db", path, "--json")
        assert result.code == 2, (command, result.err)
        assert result.json()["error"]["code"] == "STORE_CORRUPT", result.out
        assert result.err.startswith("error STORE_CORRUPT: ")
    assert _store_file(path) == before


def test_an_empty_file_is_not_initialized_and_stays_empty(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = home / "work" / "empty.db"
    path.touch()
    for command in COMMANDS[:-1]:
        result = run(capsys, *command, "--db", path)
        assert result.code == 2
        assert result.err.startswith("error STORE_NOT_INITIALIZED: "), result.err
        assert path.read_bytes() == b""
    assert sorted(p.name for p in path.parent.iterdir()) == ["empty.db"]
    # `init` makes a store of it, as of a file that did not exist.
    assert ok(capsys, "init", "--db", path)["initialized"] is True
    assert ok(capsys, "list", "--db", path)["parties"] == []


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://:bad",
        "postgresql://user@[::1/books",
        "postgresql://user@localhost:70000/books",
        "nosuchdialect://x",
        "mysql://user@localhost/books",
        "postgresql+nosuchdriver://user@localhost/books",
        "postgresql+psycopg2://user@localhost/books",
        "sqlite://books.db",
    ],
)
def test_a_malformed_or_unsupported_url_is_refused_and_creates_nothing(
    url: str, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    messages = refused_everywhere(capsys, url, "INVALID_STORE_URL", lambda: snapshot(home))
    assert snapshot(home) == {"work": "folder"}
    assert "store URL" in messages[0]


def test_a_malformed_url_in_the_environment_is_refused_too(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACQUITTANCE_DB", "postgresql://:bad")
    result = run(capsys, "quote", REFERENCE_LOAN, "--as-of", "2002-03-31")
    assert result.code == 2
    assert result.err.startswith("error INVALID_STORE_URL: ")
    assert snapshot(home) == {"work": "folder"}


def test_an_unreachable_server_is_store_unreachable(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Port 1 on the loopback: nothing listens there, so the connection is refused at once.
    url = "postgresql://nobody@127.0.0.1:1/books"
    messages = refused_everywhere(capsys, url, "STORE_UNREACHABLE", lambda: snapshot(home))
    assert "127.0.0.1" in messages[0]


def test_a_password_never_appears_in_a_refusal(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run(capsys, "list", "--db", "postgresql://user:s3cret@127.0.0.1:1/books")
    assert result.code == 2
    assert "s3cret" not in result.err
    bad_port = run(capsys, "list", "--db", "postgresql://user:s3cret@localhost:bad/books")
    assert bad_port.err.startswith("error INVALID_STORE_URL: ")
    assert "s3cret" not in bad_port.err
