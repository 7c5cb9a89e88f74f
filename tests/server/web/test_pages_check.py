"""Check an agreement: an upload read as `acquittance read` reads it, bounded and checked."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pages_helpers import REFERENCE_AGREEMENT, ROOT, csrf_of, signed_in

from acquittance.agreements.reading import read_file, to_dict
from acquittance.service.uploads import UPLOAD_SIZE_MAX_BYTES, display_name

UNBALANCED = ROOT / "tests" / "agreements" / "fixtures" / "unbalanced.txt"


def _upload(client: TestClient, name: str, content: bytes, *, token: str | None = "page") -> object:
    data = (
        {}
        if token is None
        else {"csrf_token": csrf_of(client.get("/check").text) if token == "page" else token}
    )
    return client.post(
        "/check", data=data, files={"agreement": (name, content, "application/octet-stream")}
    )


@pytest.fixture(scope="module")
def client(shared_app: FastAPI) -> TestClient:
    """Checking an agreement stores nothing: one signed-in client serves the module."""
    return signed_in(shared_app, "valence-user")


def test_the_reference_agreement_reconciles_and_its_amounts_are_marked_with_roles(
    client: TestClient,
) -> None:
    answer = _upload(client, "letter.txt", REFERENCE_AGREEMENT.read_bytes())
    assert answer.status_code == 200  # type: ignore[attr-defined]
    page: str = answer.text  # type: ignore[attr-defined]
    assert "The figures reconcile" in page
    expected = to_dict(read_file(REFERENCE_AGREEMENT))
    marks = re.findall(r'<mark id="amount-\d+" class="role-(\w+)" data-role="\w+">([^<]*)<', page)
    assert [(role, text) for role, text in marks] == [
        (a["role"], a["text"]) for a in sorted(expected["amounts"], key=lambda a: a["start"])
    ]
    assert ("cash_to_creditor", "$155,388.68") in marks
    assert "[cash to creditor]" in page


def test_an_agreement_whose_figures_do_not_add_up_is_called_unbalanced(client: TestClient) -> None:
    answer = _upload(client, "unbalanced.txt", UNBALANCED.read_bytes())
    page: str = answer.text  # type: ignore[attr-defined]
    difference = to_dict(read_file(UNBALANCED))["reconciliation"]["difference"]
    assert "The figures do not reconcile" in page
    assert f"{float(difference):,.2f}" in page


def test_markup_in_an_uploaded_text_is_shown_as_text(client: TestClient) -> None:
    hostile = (
        REFERENCE_AGREEMENT.read_text(encoding="utf-8")
        + '\n<script>alert("x")</script><img src=x onerror=alert(1)>\n'
    )
    answer = _upload(client, "<b>hostile</b>.txt", hostile.encode("utf-8"))
    page: str = answer.text  # type: ignore[attr-defined]
    assert answer.status_code == 200  # type: ignore[attr-defined]
    assert '<script>alert("x")' not in page and "<img" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "<b>" not in page


def test_an_upload_over_the_limit_is_refused_before_it_is_read(client: TestClient) -> None:
    answer = _upload(client, "huge.txt", b"a" * (UPLOAD_SIZE_MAX_BYTES + 64 * 1024))
    assert answer.status_code == 413  # type: ignore[attr-defined]
    assert "UPLOAD_TOO_LARGE" in answer.text  # type: ignore[attr-defined]


def test_a_body_without_a_length_is_refused(client: TestClient) -> None:
    token = csrf_of(client.get("/check").text)

    def chunks() -> object:
        yield b'--x\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
        yield token.encode() + b"\r\n--x--\r\n"

    answer = client.post(
        "/check",
        content=chunks(),  # type: ignore[arg-type]
        headers={"content-type": "multipart/form-data; boundary=x"},
    )
    assert answer.status_code == 411
    assert "LENGTH_REQUIRED" in answer.text


@pytest.mark.parametrize(
    ("name", "content", "status", "code"),
    [
        ("agreement.exe", b"MZ\x90\x00", 422, "UNSUPPORTED_FORMAT"),
        ("agreement", b"plain words", 422, "UNSUPPORTED_FORMAT"),
        ("agreement.pdf", b"not a pdf at all", 422, "UNREADABLE_PDF"),
        ("agreement.docx", b"PK\x03\x04 broken", 422, "UNREADABLE_DOCX"),
        ("agreement.txt", b"   \n", 422, "EMPTY_FILE"),
        ("agreement.txt", b"\x00\x01\x02\x03" * 100, 422, "BINARY_FILE"),
    ],
)
def test_a_file_that_is_not_a_readable_agreement_is_refused_with_its_code(
    client: TestClient, name: str, content: bytes, status: int, code: str
) -> None:
    answer = _upload(client, name, content)
    assert answer.status_code == status, answer.text  # type: ignore[attr-defined]
    assert code in answer.text  # type: ignore[attr-defined]
    assert "/tmp" not in answer.text and "acq-upload" not in answer.text  # type: ignore[attr-defined]


def test_a_docx_that_unpacks_to_too_many_files_is_refused(client: TestClient) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for number in range(2100):
            archive.writestr(f"x/{number}.xml", b"")
    answer = _upload(client, "bomb.docx", buffer.getvalue())
    assert answer.status_code == 422  # type: ignore[attr-defined]
    assert "ZIP_TOO_MANY_MEMBERS" in answer.text  # type: ignore[attr-defined]


def test_the_upload_is_refused_without_its_csrf_token(client: TestClient) -> None:
    for token in (None, "f" * 64):
        answer = _upload(client, "letter.txt", REFERENCE_AGREEMENT.read_bytes(), token=token)
        assert answer.status_code == 403  # type: ignore[attr-defined]
        assert "CSRF_FAILED" in answer.text  # type: ignore[attr-defined]


def test_a_form_without_a_file_asks_for_one(client: TestClient) -> None:
    token = csrf_of(client.get("/check").text)
    answer = client.post("/check", data={"csrf_token": token}, files={"other": ("a", b"b")})
    assert answer.status_code == 400
    assert "NO_FILE" in answer.text


@pytest.mark.parametrize(
    ("given", "shown"),
    [("../../etc/passwd.txt", "passwd.txt"), ("C:\\x\\a b.pdf", "a b.pdf"), ("<b>.txt", "_b_.txt")],
)
def test_an_uploads_name_is_cut_to_a_safe_base_name(given: str, shown: str) -> None:
    assert display_name(given) == shown
