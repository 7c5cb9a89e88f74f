"""Signing in and out of the pages.

The sign-in form is protected against login CSRF by a double-submitted
token: the form page sets a short-lived random cookie (`acq_login`) and
puts the server's HMAC of it in the form; a POST without both, matching, is
refused before any password is checked. A successful sign-in sets the
session cookie (HttpOnly, SameSite=Lax, Secure over HTTPS) and goes to the
page asked for, which must be a path on this server.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Final
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from acquittance.core.errors import AcquittanceError
from acquittance.server import identity
from acquittance.server.pages.rendering import SECURITY_HEADERS, render
from acquittance.server.pages.routing import PageRoute
from acquittance.server.pages.session import Posted, store_of
from acquittance.service import accounts

router = APIRouter(route_class=PageRoute)

LOGIN_COOKIE: Final = "acq_login"
LOGIN_COOKIE_SECONDS: Final = 3600
NEXT_LENGTH_MAX: Final = 2000


def safe_next(target: str | None) -> str:
    """A path on this server to go to after signing in; anything else goes to the register."""
    if not target or len(target) > NEXT_LENGTH_MAX:
        return "/register"
    parts = urlsplit(target)
    local = not parts.scheme and not parts.netloc and target.startswith("/")
    if not local or target.startswith("//") or "\\" in target or target.startswith("/login"):
        return "/register"
    return target


def _form(
    request: Request, *, next_path: str, name: str = "", error: AcquittanceError | None = None,
    status_code: int = 200,
) -> Response:  # fmt: skip
    login_token = secrets.token_urlsafe(32)
    context = {
        "user": None,
        "csrf_token": identity.csrf_token_for(login_token),
        "party_name": "",
        "notice": None,
        "error": error,
        "next": next_path,
        "name": name,
    }
    response = render(request, "login.html", context, status_code=status_code)
    response.set_cookie(
        LOGIN_COOKIE,
        login_token,
        max_age=LOGIN_COOKIE_SECONDS,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/login",
    )
    return response


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str | None = None) -> Response:
    return _form(request, next_path=safe_next(next))


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    name: Annotated[str, Form(max_length=accounts.USER_NAME_LENGTH_MAX)],
    password: Annotated[str, Form(max_length=accounts.PASSWORD_LENGTH_MAX)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=NEXT_LENGTH_MAX)] = "",
) -> Response:
    identity.check_csrf(request.cookies.get(LOGIN_COOKIE), csrf_token)
    try:
        token, _ = accounts.open_session(store_of(request), name, password)
    except AcquittanceError as error:
        return _form(request, next_path=safe_next(next), name=name, error=error, status_code=401)
    response = RedirectResponse(safe_next(next), status_code=303, headers=SECURITY_HEADERS)
    identity.set_session_cookie(response, request, token)
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(request: Request, who: Posted) -> Response:
    accounts.close_session(store_of(request), who.session_token)
    response = RedirectResponse("/login", status_code=303, headers=SECURITY_HEADERS)
    identity.clear_session_cookie(response)
    return response
