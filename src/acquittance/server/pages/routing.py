"""The pages' route class: a refusal of the service becomes a page that says what was wrong.

A use case refuses with an `AcquittanceError` (a stable code and a message
saying how to fix it) and changes nothing; every page answers it the same
way, with the status the API gives it: 404 for a record that is not there
(or not the visitor's: the same answer), 422 for input that is malformed,
409 for a state that forbids it, 403 for a form without its CSRF token.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from acquittance.core.errors import AcquittanceError, NotFoundError
from acquittance.server.pages.rendering import page_of, render
from acquittance.server.problems import status_for


def status_of(error: AcquittanceError) -> int:
    """The API's status for the error (problem details), so a page and a route agree."""
    return status_for(error)


def refusal_page(request: Request, error: AcquittanceError) -> Response:
    heading = "Not found" if isinstance(error, NotFoundError) else "Refused"
    context = page_of(request) | {"heading": heading, "error": error}
    return render(request, "error.html", context, status_code=status_of(error))


class PageRoute(APIRoute):
    """A route whose service refusals render as pages instead of escaping as 500s."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except AcquittanceError as error:
                return refusal_page(request, error)

        return handle
