"""Who is asking: the signed-in user of a page, its CSRF token, and the store it reads.

Identity is the server's (`acquittance.server.identity`): the session cookie
names a user, or the page answers with a redirect to the sign-in page. Every
form carries the session's CSRF token; every POST is refused (403) without
the right one, before it reaches a use case.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Form, Request

from acquittance import service
from acquittance.server import identity
from acquittance.service.accounts import User


@dataclass(frozen=True)
class Visitor:
    """A signed-in user, the session it came with, and what every page prints of it."""

    user: User
    session_token: str
    csrf_token: str
    party_name: str

    def page(self, **context: Any) -> dict[str, Any]:
        """The context every signed-in page renders with, and `context`."""
        return {
            "user": self.user,
            "csrf_token": self.csrf_token,
            "party_name": self.party_name,
            "notice": None,
            "error": None,
            **context,
        }


def store_of(request: Request) -> service.Store:
    return identity.store_of(request)


def visitor(request: Request) -> Visitor:
    """The signed-in user of this request; without one, `LoginRequired` (a redirect to /login)."""
    user = identity.require_page_user(request)
    token = identity.session_token(request) or ""
    party = service.party(store_of(request), user.party_id)
    who = Visitor(
        user=user,
        session_token=token,
        csrf_token=identity.csrf_token_for(token),
        party_name=party.short_name or party.name,
    )
    request.state.visitor = who  # for the refusal page of this request
    return who


def checked_visitor(
    who: Annotated[Visitor, Depends(visitor)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Visitor:
    """As `visitor`, for a POST: refused (403 CSRF_FAILED) unless the form carries the
    session's token."""
    identity.check_csrf(who.session_token, csrf_token)
    return who


SignedIn = Annotated[Visitor, Depends(visitor)]
Posted = Annotated[Visitor, Depends(checked_visitor)]
