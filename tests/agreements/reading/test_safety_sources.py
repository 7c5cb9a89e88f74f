"""Untrusted files: ZIP bombs and over-deep HTML are refused with a code or read whole."""

from __future__ import annotations

import io
import struct
import time
import zipfile
from pathlib import Path

import pytest
from reader_support import FIXTURES

from acquittance.agreements.reading import read_file
from acquittance.agreements.reading.extract import html_text
from acquittance.agreements.reading.sources import (
    UNPACKED_SIZE_BYTES_MAX,
    ZIP_MEMBERS_COUNT_MAX,
    check_zip,
)
from acquittance.core.errors import InputError

MIB = 1024 * 1024


def _docx_shell(archive: zipfile.ZipFile) -> None:
    archive.writestr("[Content_Types].xml", "<Types/>")


def _bomb(unpacked_bytes: int) -> bytes:
    """A ZIP whose one member unpacks to `unpacked_bytes` zeros, written in pieces."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        _docx_shell(archive)
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            zeros = bytes(MIB)
            for _ in range(unpacked_bytes // MIB):
                member.write(zeros)
    return buffer.getvalue()


def _refused(path: Path) -> InputError:
    with pytest.raises(InputError) as raised:
        read_file(path)
    return raised.value


def test_a_zip_bomb_is_refused_from_its_directory_before_unpacking(tmp_path: Path) -> None:
    data = _bomb(UNPACKED_SIZE_BYTES_MAX + MIB)
    assert len(data) < 2 * MIB  # small on disk, past the limit once unpacked
    path = tmp_path / "bomb.docx"
    path.write_bytes(data)
    started = time.perf_counter()
    error = _refused(path)
    assert error.code == "ZIP_TOO_LARGE"
    assert str(UNPACKED_SIZE_BYTES_MAX) in error.message
    assert str(path) in error.message
    assert time.perf_counter() - started < 2.0


def _lying(data: bytes, member: str, claimed_bytes: int) -> bytes:
    """The archive with `member`'s unpacked size understated in its directory entry."""
    patched = bytearray(data)
    at = patched.find(b"PK\x01\x02")
    while at >= 0:
        (name_length,) = struct.unpack("<H", patched[at + 28 : at + 30])
        if patched[at + 46 : at + 46 + name_length] == member.encode():
            patched[at + 24 : at + 28] = struct.pack("<I", claimed_bytes)
        at = patched.find(b"PK\x01\x02", at + 4)
    return bytes(patched)


def test_a_directory_that_understates_sizes_is_refused_not_believed(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        _docx_shell(archive)
        archive.writestr("word/document.xml", bytes(4 * MIB))
    path = tmp_path / "liar.docx"
    path.write_bytes(_lying(buffer.getvalue(), "word/document.xml", 100))
    error = _refused(path)
    # Unpacking stops where the directory says the member ends, and its checksum fails there.
    assert error.code == "UNREADABLE_DOCX"
    assert str(path) in error.message


def test_the_unpacked_size_is_counted_while_unpacking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from acquittance.agreements.reading import sources

    # With the directory's word set aside, the count taken while unpacking stops on its own.
    monkeypatch.setattr(sources, "UNPACKED_SIZE_BYTES_MAX", 2 * MIB)
    monkeypatch.setattr(sources, "_check_declared", lambda members, *, path: None)
    with pytest.raises(InputError) as raised:
        check_zip(_bomb(3 * MIB), path=tmp_path / "x.docx", code="UNREADABLE_DOCX")
    assert raised.value.code == "ZIP_TOO_LARGE"
    assert "unpacked to more than" in raised.value.message


def test_too_many_members_are_refused(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for index in range(ZIP_MEMBERS_COUNT_MAX + 1):
            archive.writestr(f"word/media/{index}.xml", b"")
    path = tmp_path / "many.docx"
    path.write_bytes(buffer.getvalue())
    error = _refused(path)
    assert error.code == "ZIP_TOO_MANY_MEMBERS"
    assert str(ZIP_MEMBERS_COUNT_MAX) in error.message


def _paragraphs() -> str:
    text = (FIXTURES / "unbalanced.txt").read_text(encoding="utf-8")
    return "".join(f"<p>{block}</p>" for block in text.split("\n\n"))


def _html(tmp_path: Path, name: str, markup: str) -> Path:
    path = tmp_path / name
    path.write_text(markup, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "opening", "closing"),
    [
        ("unclosed-fonts", "<font size=2>" * 400, ""),
        ("nested-divs", "<div>" * 400, "</div>" * 400),
        ("spans-in-divs", "<div><span>" * 300, "</span></div>" * 300),
    ],
)
def test_deep_html_is_read_whole(tmp_path: Path, name: str, opening: str, closing: str) -> None:
    plain = html_text(f"<html><body>{_paragraphs()}</body></html>")
    path = _html(
        tmp_path, f"{name}.html", f"<html><body>{opening}{_paragraphs()}{closing}</body></html>"
    )
    reading = read_file(path)
    assert reading.text == plain
    assert reading.reconciliation.status == "unbalanced"


@pytest.mark.parametrize(
    ("name", "opening", "closing"),
    [
        ("divs-with-text-between", "<div>x " * 400, "</div> y" * 400),
        ("nested-tables", "<table><tr><td>" * 300, "</td></tr></table>" * 300),
        ("beyond-the-huge-limit", "<div>" * 3000, "</div>" * 3000),
    ],
)
def test_html_too_deep_to_read_whole_is_refused(
    tmp_path: Path, name: str, opening: str, closing: str
) -> None:
    path = _html(
        tmp_path, f"{name}.html", f"<html><body>{opening}{_paragraphs()}{closing}</body></html>"
    )
    error = _refused(path)
    assert error.code == "HTML_TOO_DEEP"
    assert str(path) in error.message


def test_a_batch_past_its_file_limit_is_refused_while_it_is_listed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from acquittance.agreements.reading import batch

    for index in range(5):
        (tmp_path / f"{index}.txt").write_text("text")
    monkeypatch.setattr(batch, "BATCH_FILES_MAX", 3)
    with pytest.raises(InputError) as raised:
        batch.discover([tmp_path])
    assert raised.value.code == "TOO_MANY_FILES"
