"""Who is asking: API tokens for the API, session cookies for the pages, CSRF for forms.

`require_api_user` and `require_page_user` are FastAPI dependencies giving
the signed-in `User`. Without valid credentials the API answers 401 (problem
details); a page raises `LoginRequired`, which the app turns into a redirect
to /login. Forms carry `csrf_token_for(session)`, an HMAC of the session
token with the server's secret, checked by `check_csrf`.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated, Final

from fastapi import Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from acquittance.server.problems import ApiError
from acquittance.service import accounts
from acquittance.service.accounts import SESSION_LIFETIME, User
from acquittance.service.store import Store

SESSION_COOKIE: Final = "acq_session"
CSRF_FIELD: Final = "csrf_token"
_bearer = HTTPBearer(auto_error=False, description="An API token from `acquittance token create`.")


class LoginRequired(Exception):
    """A page asked for without a live session: the app redirects to /login."""

    def __init__(self, next_path: str = "/") -> None:
        super().__init__(next_path)
        self.next_path = next_path


class _Secret:
    """The server's secret, set once by `create_app` (from the environment or the store)."""

    value: bytes | None = None


def configure_secret(secret: bytes) -> None:
    _Secret.value = secret


def store_of(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def require_api_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    """The user of the request's Bearer token; 401 for none, an unknown or a revoked one."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise ApiError(
            "UNAUTHENTICATED",
            "this route needs an API token: send Authorization: Bearer TOKEN "
            "(`acquittance token create USER` makes one)",
        )
    user = accounts.user_for_token(store_of(request), credentials.credentials)
    if user is None:
        raise ApiError(
            "UNAUTHENTICATED",
            "the API token is not valid (unknown or revoked); ask an admin for a new one",
        )
    return user


def require_admin(user: Annotated[User, Depends(require_api_user)]) -> User:
    if not user.is_admin:
        raise ApiError("FORBIDDEN", "only an admin may do this; ask one of your party's admins")
    return user


def session_token(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE) or None


def require_page_user(request: Request) -> User:
    """The user of the request's session cookie; raises LoginRequired without a live one."""
    token = session_token(request)
    user = accounts.user_for_session(store_of(request), token) if token else None
    if user is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target)
    return user


def set_session_cookie(response: Response, request: Request, token: str) -> None:
    """The session cookie: HttpOnly, SameSite=Lax, Secure over HTTPS, as long as the session."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


def csrf_token_for(session: str) -> str:
    """The CSRF token a form of this session carries: HMAC-SHA256 of it with the secret."""
    secret = _Secret.value
    assert secret is not None, "create_app sets the server's secret before any request"
    return hmac.new(secret, session.encode("utf-8"), hashlib.sha256).hexdigest()


def check_csrf(session: str | None, submitted: str | None) -> None:
    """Refuse (403 CSRF_FAILED) a form whose token is not the one made for its session."""
    if not session or not submitted or len(submitted) > 128:
        raise ApiError("CSRF_FAILED", "the form is missing its security token; reload the page")
    if not hmac.compare_digest(csrf_token_for(session), submitted):
        raise ApiError("CSRF_FAILED", "the form's security token does not match; reload the page")
