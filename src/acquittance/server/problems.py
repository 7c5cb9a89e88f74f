"""Errors as problem details (RFC 9457): `application/problem+json`, never a 500 for input.

Every answer that is not a success carries `type`, `title`, `status`,
`detail` and `code` (the command line's stable codes), and `message` and
`field` beside them. The service's refusals map by kind: input errors 422,
missing records 404, records that forbid the change 409, a store that is
busy 503. Requests FastAPI cannot parse or validate are 400 (not JSON) or 422
(wrong shape), naming the field.
"""

from __future__ import annotations

from collections.abc import Sequence
from http import HTTPStatus
from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from acquittance.core.errors import AcquittanceError, InputError, NotFoundError, StorageError

PROBLEM_MEDIA_TYPE: Final = "application/problem+json"
#: Codes whose answer is not the default for their kind of error.
_STATUS_BY_CODE: Final = {
    "UNAUTHENTICATED": 401,
    "FORBIDDEN": 403,
    "CSRF_FAILED": 403,
    "BODY_TOO_LARGE": 413,
    "MALFORMED_JSON": 400,
    "UNSUPPORTED_MEDIA_TYPE": 415,
    "STORE_BUSY": 503,
    "STORE_CONFLICT": 409,
    "STORE_UNREACHABLE": 503,
}
_STATUS_CODES: Final = {
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    401: "UNAUTHENTICATED",
    403: "FORBIDDEN",
    413: "BODY_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
}


class ApiError(AcquittanceError):
    """A refusal of the HTTP face itself (credentials, permissions, request shape)."""

    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(code, message)
        self.field = field


def status_for(error: AcquittanceError) -> int:
    if error.code in _STATUS_BY_CODE:
        return _STATUS_BY_CODE[error.code]
    if isinstance(error, NotFoundError):
        return 404
    if isinstance(error, InputError):
        return 422
    if isinstance(error, StorageError):
        return 503
    return 409


def problem_body(
    status: int, code: str, message: str, *, field: str | None = None
) -> dict[str, Any]:
    message = " ".join(message.split())
    return {
        "type": f"urn:acquittance:problem:{code}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": message,
        "code": code,
        "message": message,
        "field": field,
    }


def problem_response(
    status: int,
    code: str,
    message: str,
    *,
    field: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(
        problem_body(status, code, message, field=field),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def error_response(error: AcquittanceError) -> JSONResponse:
    status = status_for(error)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    field = getattr(error, "field", None)
    return problem_response(status, error.code, error.message, field=field, headers=headers)


def _field(location: Sequence[int | str]) -> str | None:
    parts = [str(part) for part in location if part not in ("body", "query", "path", "header")]
    return ".".join(parts) or None


def _validation_response(error: RequestValidationError) -> JSONResponse:
    problems = list(error.errors())
    first = problems[0] if problems else {"type": "invalid", "loc": (), "msg": "invalid request"}
    kind = str(first.get("type", ""))
    field = _field(first.get("loc", ()))
    if kind == "json_invalid":
        return problem_response(
            400, "MALFORMED_JSON", "the request body is not valid JSON; send one JSON object"
        )
    code = {
        "extra_forbidden": "UNKNOWN_FIELD",
        "missing": "MISSING_FIELD",
    }.get(kind, "INVALID_FIELD")
    where = f"{field}: " if field else ""
    message = f"{where}{first.get('msg', 'invalid value')}"
    if code == "UNKNOWN_FIELD":
        message = f"{field} is not a field of this request; remove it"
    elif code == "MISSING_FIELD":
        message = f"{field} is required"
    if len(problems) > 1:
        message += f" (and {len(problems) - 1} more problems)"
    return problem_response(422, code, message, field=field)


def install(app: FastAPI) -> None:
    """Answer every error as problem details."""

    @app.exception_handler(AcquittanceError)
    async def _acquittance(request: Request, error: AcquittanceError) -> JSONResponse:
        return error_response(error)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        return _validation_response(error)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        status = error.status_code
        code = _STATUS_CODES.get(status, HTTPStatus(status).phrase.upper().replace(" ", "_"))
        detail = error.detail if isinstance(error.detail, str) else HTTPStatus(status).phrase
        if status == 404 and detail == "Not Found":
            detail = f"nothing is at {request.url.path}; /openapi.json lists the routes"
        return problem_response(status, code, detail, headers=getattr(error, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        # A bug, not something the client caused: answer in the same shape, say nothing more.
        return problem_response(
            500, "INTERNAL_ERROR", "the server failed on this request; nothing was changed"
        )
