"""The pages' style sheet and script, served from the package with a short cache life."""

from __future__ import annotations

from importlib.resources import files
from typing import Final

from fastapi import APIRouter, HTTPException
from fastapi.responses import Response

router = APIRouter()

#: The only files served, and their media types: no path from a request reaches the disk.
STATIC_FILES: Final = {
    "style.css": "text/css; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
}
CACHE_SECONDS: Final = 3600


@router.get("/static/{name}")
def static_file(name: str) -> Response:
    media_type = STATIC_FILES.get(name)
    if media_type is None:
        raise HTTPException(status_code=404)
    content = files("acquittance.server").joinpath("static", name).read_bytes()
    headers = {
        "Cache-Control": f"public, max-age={CACHE_SECONDS}",
        "X-Content-Type-Options": "nosniff",
    }
    return Response(content, media_type=media_type, headers=headers)
