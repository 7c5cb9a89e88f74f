"""Rendering the pages: one sandboxed Jinja2 environment, escaping everything it prints.

Names, descriptions and uploaded text are hostile until escaped: the
environment autoescapes every template (whatever its extension), runs in
Jinja2's immutable sandbox (a template cannot reach attributes that start
with an underscore, call methods that change values, or import anything),
and fails on an undefined name instead of printing nothing. Every answer
carries a Content-Security-Policy that allows scripts, styles and forms only
from this server, so markup that slipped through could still run nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any, Final

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import PackageLoader, StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from acquittance.core.money import format_amount

#: Headers on every page: nothing from elsewhere, no framing, no sniffing, no caching.
SECURITY_HEADERS: Final = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def money(value: Decimal | str | None) -> str:
    """An amount grouped by thousands with two places ("17,500,000.00"); blank for none."""
    if value is None or value == "":
        return ""
    return format_amount(Decimal(str(value)))


def iso(value: date | None) -> str:
    return value.isoformat() if value is not None else ""


def _environment() -> ImmutableSandboxedEnvironment:
    environment = ImmutableSandboxedEnvironment(
        loader=PackageLoader("acquittance.server", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["money"] = money
    environment.filters["iso"] = iso
    return environment


ENVIRONMENT: Final = _environment()


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any],
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """The page `template` rendered with `context` (and the request, for its URL)."""
    html = ENVIRONMENT.get_template(template).render({"request_path": request.url.path, **context})
    return HTMLResponse(
        html, status_code=status_code, headers={**SECURITY_HEADERS, **(headers or {})}
    )


def page_of(request: Request) -> dict[str, Any]:
    """The signed-in page context of this request, if a visitor was found for it."""
    who = getattr(request.state, "visitor", None)
    if who is None:
        return {"user": None, "csrf_token": "", "party_name": "", "notice": None, "error": None}
    context: dict[str, Any] = who.page()
    return context
