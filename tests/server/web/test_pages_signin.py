"""Signing in and out: cookie flags, CSRF on the sign-in form itself, redirects, sessions."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pages_helpers import PASSWORD, csrf_of, post_form, signed_in

from acquittance.server.pages.signin import safe_next


def _cookie_header(answer: object, name: str) -> str:
    headers = answer.headers.get_list("set-cookie")  # type: ignore[attr-defined]
    found = [h for h in headers if h.startswith(f"{name}=")]
    assert found, f"no {name} cookie in {headers}"
    return str(found[0])


def _sign_in(client: TestClient, name: str, password: str, **extra: str) -> object:
    token = csrf_of(client.get("/login").text)
    data = {"name": name, "password": password, "csrf_token": token, "next": "", **extra}
    return client.post("/login", data=data, follow_redirects=False)


def test_a_page_without_a_session_redirects_to_the_sign_in_page(app: FastAPI) -> None:
    client = TestClient(app)
    answer = client.get("/register?as_of=2002-03-31", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=/register%3Fas_of%3D2002-03-31"


def test_signing_in_sets_an_httponly_lax_session_cookie_and_goes_where_asked(
    app: FastAPI,
) -> None:
    client = TestClient(app)
    answer = _sign_in(client, "berg-user", PASSWORD, next="/books")
    assert answer.status_code == 303  # type: ignore[attr-defined]
    assert answer.headers["location"] == "/books"  # type: ignore[attr-defined]
    cookie = _cookie_header(answer, "acq_session").lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "path=/" in cookie
    assert "secure" not in cookie  # plain HTTP on loopback: a Secure cookie would never return
    assert client.get("/register").status_code == 200


def test_over_https_the_session_cookie_is_secure(app: FastAPI) -> None:
    client = TestClient(app, base_url="https://testserver")
    answer = _sign_in(client, "berg-user", PASSWORD)
    assert "; secure" in _cookie_header(answer, "acq_session").lower()


def test_a_wrong_password_and_an_unknown_name_get_the_same_refusal(app: FastAPI) -> None:
    wrong = _sign_in(TestClient(app), "berg-user", "not the password")
    unknown = _sign_in(TestClient(app), "nobody-here", "not the password")
    for answer in (wrong, unknown):
        assert answer.status_code == 401  # type: ignore[attr-defined]
        assert "BAD_CREDENTIALS" in answer.text  # type: ignore[attr-defined]
        assert "acq_session=" not in "".join(answer.headers.get_list("set-cookie"))  # type: ignore[attr-defined]


def test_the_sign_in_form_is_refused_without_its_csrf_token(app: FastAPI) -> None:
    client = TestClient(app)
    answer = client.post(
        "/login", data={"name": "berg-user", "password": PASSWORD}, follow_redirects=False
    )
    assert answer.status_code == 403
    assert "acq_session=" not in "".join(answer.headers.get_list("set-cookie"))
    # A token from another browser (without its cookie) is refused too: login CSRF.
    other = TestClient(app)
    token = csrf_of(other.get("/login").text)
    fresh = TestClient(app)
    answer = fresh.post(
        "/login",
        data={"name": "berg-user", "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert answer.status_code == 403


def test_signing_out_ends_the_session_and_needs_its_token(
    sign_in: Callable[[str], TestClient],
) -> None:
    client = sign_in("berg-user")
    refused = client.post("/logout", data={}, follow_redirects=False)
    assert refused.status_code == 403
    assert client.get("/register", follow_redirects=False).status_code == 200
    answer = post_form(client, "/register", "/logout")
    assert (answer.status_code, answer.headers["location"]) == (303, "/login")
    assert client.get("/register", follow_redirects=False).status_code == 303


def test_a_stolen_cookie_stops_working_once_its_session_is_closed(app: FastAPI) -> None:
    client = signed_in(app, "berg-user")
    cookie = client.cookies.get("acq_session")
    assert cookie
    post_form(client, "/register", "/logout")
    thief = TestClient(app, cookies={"acq_session": cookie})
    assert thief.get("/register", follow_redirects=False).status_code == 303


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/books?as_of=2002-03-31", "/books?as_of=2002-03-31"),
        ("", "/register"),
        ("//evil.example/x", "/register"),
        ("https://evil.example/", "/register"),
        ("/\\evil.example", "/register"),
        ("javascript:alert(1)", "/register"),
        ("/login?next=/login", "/register"),
        ("/" + "a" * 3000, "/register"),
    ],
)
def test_after_signing_in_only_a_path_on_this_server_is_followed(
    target: str, expected: str
) -> None:
    assert safe_next(target) == expected
