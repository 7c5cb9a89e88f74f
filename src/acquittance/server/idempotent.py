"""Running a state-changing request once per Idempotency-Key (see service.idempotency).

An answer is rendered to JSON once: the same text is kept under the key and
sent, and a replay sends the kept text as it is.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Final

from fastapi import Request
from pydantic import BaseModel
from starlette.responses import Response

from acquittance.core.errors import AcquittanceError
from acquittance.server.identity import store_of
from acquittance.server.problems import PROBLEM_MEDIA_TYPE, error_response
from acquittance.service import idempotency
from acquittance.service.accounts import User

KEY_HEADER: Final = "Idempotency-Key"
REPLAY_HEADER: Final = "Idempotent-Replayed"


def run_once(
    request: Request,
    user: User,
    key: str | None,
    body: BaseModel | None,
    work: Callable[[], tuple[int, dict[str, Any]]],
) -> Response:
    """`work`'s answer; with a key, the first answer under it, stored for the next time."""
    if key is None:
        status, document, _ = _run(work)
        return _answer(status, _json(document))
    store = store_of(request)
    request_text = body.model_dump_json() if body is not None else ""
    kept = idempotency.claim(
        store, user.id, key, method=request.method, path=request.url.path, body=request_text
    )
    if kept is not None:
        response = _answer(kept.status_code, kept.body)
        response.headers[REPLAY_HEADER] = "true"
        return response
    try:
        status, document, final = _run(work)
    except BaseException:
        idempotency.give_back(store, user.id, key)
        raise
    text = _json(document)
    if not final:
        # The store was busy or unreachable: nothing happened, so the key is free again.
        idempotency.give_back(store, user.id, key)
        return _answer(status, text)
    idempotency.finish(store, user.id, key, idempotency.Answer(status, text))
    return _answer(status, text)


def _run(
    work: Callable[[], tuple[int, dict[str, Any]]],
) -> tuple[int, dict[str, Any], bool]:
    """The work's answer, or the problem details of its refusal; and whether it is final.

    A refusal is final (kept under the key) unless the store itself failed (5xx).
    """
    try:
        status, document = work()
        return status, document, True
    except AcquittanceError as error:
        response = error_response(error)
        return response.status_code, json.loads(bytes(response.body)), response.status_code < 500


def _json(document: dict[str, Any]) -> str:
    """The document as JSON text, as FastAPI's JSONResponse renders it."""
    return json.dumps(document, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def _answer(status: int, text: str) -> Response:
    media_type = PROBLEM_MEDIA_TYPE if status >= 400 else "application/json"
    return Response(text.encode("utf-8"), status_code=status, media_type=media_type)
