"""A bound on every request body, enforced before the body is read whole.

JSON bodies of the API are small (a date, a quote id); 64 KiB is far past any
of them. Uploads of the pages (an agreement to check) get their own, larger
bound. A body past the limit answers 413 BODY_TOO_LARGE, whether its
Content-Length says so up front or a chunked body grows past it; the body is
read (bounded) before the route runs, so no parser ever holds more.
"""

from __future__ import annotations

from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from acquittance.server.problems import problem_response

#: The largest JSON body the API reads.
API_BODY_BYTES_MAX: Final = 64 * 1024
#: The largest body anything else reads (an uploaded agreement on the pages).
UPLOAD_BODY_BYTES_MAX: Final = 10 * 1024 * 1024


def limit_for(path: str) -> int:
    return API_BODY_BYTES_MAX if path.startswith("/api/") else UPLOAD_BODY_BYTES_MAX


class BodyLimit:
    """ASGI middleware: refuse a request body larger than `limit_for(path)` bytes."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = limit_for(scope.get("path", ""))
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(scope, receive, send, limit)
            return
        # Read the body first, bounded, then hand it on whole: a body that grows past
        # the limit is refused before the route (or its parser) sees any of it.
        chunks: list[bytes] = []
        seen = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > limit:
                await _refuse(scope, receive, send, limit)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    response = problem_response(
        413,
        "BODY_TOO_LARGE",
        f"the request body is larger than {limit:,} bytes, the most this route reads",
    )
    await response(scope, receive, send)
