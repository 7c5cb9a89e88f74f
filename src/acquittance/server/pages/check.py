"""Check an agreement: upload a file, see its amounts in the text with their roles, and
whether the figures reconcile.

The body is bounded before it is parsed: a request that declares more than
the limit (or declares nothing) is refused with 413 (or 411) without reading
it, and the multipart parser takes one file and a few fields. The CSRF token
is checked from the parsed form, before the file is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from acquittance.agreements.reading import Reading, to_dict
from acquittance.core.errors import InputError
from acquittance.server import identity
from acquittance.server.pages.rendering import render
from acquittance.server.pages.routing import PageRoute, status_of
from acquittance.server.pages.session import SignedIn
from acquittance.service.uploads import (
    UPLOAD_SIZE_MAX_BYTES,
    display_name,
    read_upload,
    upload_too_large,
)

router = APIRouter(route_class=PageRoute)

#: What the multipart envelope (boundaries, headers, the CSRF field) may add to the file.
FORM_OVERHEAD_BYTES_MAX: Final = 16 * 1024
ROLE_NAMES: Final = {
    "debt_principal": "debt principal",
    "debt_interest": "debt interest",
    "debt_total": "debt total",
    "collateral_principal": "collateral principal",
    "collateral_interest": "collateral interest",
    "collateral_value": "collateral value",
    "cash_to_creditor": "cash to creditor",
    "cash_to_debtor": "cash to debtor",
    "remaining_debt": "remaining debt",
    "fee": "fee",
    "per_diem": "per diem",
    "price": "price",
    "other": "other",
    "unknown": "unknown role",
}


@dataclass(frozen=True)
class Segment:
    """A stretch of the agreement's text, and the amount it is, if it is one."""

    text: str
    role: str | None = None
    value: str | None = None
    number: int | None = None  # the amount's place in the list of amounts, from 1


def segments(reading: Reading) -> list[Segment]:
    """The text cut at every amount the reader found; overlapping finds keep the first."""
    found: list[Segment] = []
    at = 0
    ordered = sorted(enumerate(reading.amounts, start=1), key=lambda pair: pair[1].start)
    for number, amount in ordered:
        if amount.start < at:
            continue
        if amount.start > at:
            found.append(Segment(reading.text[at : amount.start]))
        found.append(
            Segment(
                reading.text[amount.start : amount.end],
                role=amount.role,
                value=str(amount.value),
                number=number,
            )
        )
        at = amount.end
    if at < len(reading.text):
        found.append(Segment(reading.text[at:]))
    return found


def _page(who: Any, **context: Any) -> dict[str, Any]:
    base: dict[str, Any] = who.page(
        limit_bytes=UPLOAD_SIZE_MAX_BYTES,
        limit_mib=UPLOAD_SIZE_MAX_BYTES // (1024 * 1024),
        roles=ROLE_NAMES,
        reading=None,
        filename=None,
    )
    return base | context


@router.get("/check", response_class=HTMLResponse)
def check_page(request: Request, who: SignedIn) -> Response:
    return render(request, "check.html", _page(who))


def _declared_length(request: Request) -> int | None:
    try:
        return int(request.headers.get("content-length", ""))
    except ValueError:
        return None


@router.post("/check", response_class=HTMLResponse)
async def check_upload(request: Request, who: SignedIn) -> Response:
    declared = _declared_length(request)
    if declared is None:
        error = InputError("LENGTH_REQUIRED", "the upload must say its length (Content-Length)")
        return render(request, "check.html", _page(who, error=error), status_code=411)
    if declared > UPLOAD_SIZE_MAX_BYTES + FORM_OVERHEAD_BYTES_MAX:
        error = upload_too_large(declared)
        return render(request, "check.html", _page(who, error=error), status_code=413)
    form = await request.form(max_files=1, max_fields=4, max_part_size=64 * 1024)
    submitted = form.get("csrf_token")
    identity.check_csrf(who.session_token, submitted if isinstance(submitted, str) else None)
    upload = form.get("agreement")
    if not isinstance(upload, UploadFile) or not upload.filename:
        error = InputError("NO_FILE", "choose the agreement's file, then press Check")
        return render(request, "check.html", _page(who, error=error), status_code=400)
    data = await upload.read(UPLOAD_SIZE_MAX_BYTES + 1)
    try:
        reading = read_upload(data, upload.filename)
    except InputError as refused:
        status = 413 if refused.code == "UPLOAD_TOO_LARGE" else status_of(refused)
        page = _page(who, error=refused, filename=display_name(upload.filename))
        return render(request, "check.html", page, status_code=status)
    context = _page(
        who,
        reading=to_dict(reading),
        segments=segments(reading),
        filename=display_name(upload.filename),
    )
    return render(request, "check.html", context)
