"""The web pages: server-rendered HTML over the same use cases as the CLI and the API.

`router` is mounted at / by `acquittance.server.app.create_app`. Every page
but the sign-in page needs a session (see `session.py`); every form carries
a CSRF token; every template is rendered in a sandbox with autoescaping
(`rendering.py`). Styles and the one small script are served from
`static/` by `static.py`.
"""

from __future__ import annotations

from fastapi import APIRouter

from acquittance.server.pages import books, check, register, settlements, signin, static

router = APIRouter(include_in_schema=False)
for _part in (signin, register, settlements, books, check, static):
    router.include_router(_part.router)

__all__ = ["router"]
