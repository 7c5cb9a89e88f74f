"""Running a state-changing request once per Idempotency-Key (see service.idempotency)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Final

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

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
) -> JSONResponse:
    """`work`'s answer; with a key, the first answer under it, stored for the next time."""
    if key is None:
        status, document, _ = _run(work)
        return _answer(status, document)
    store = store_of(request)
    text = body.model_dump_json() if body is not None else ""
    kept = idempotency.claim(
        store, user.id, key, method=request.method, path=request.url.path, body=text
    )
    if kept is not None:
        response = JSONResponse(
            json.loads(kept.body),
            status_code=kept.status_code,
            media_type=PROBLEM_MEDIA_TYPE if kept.status_code >= 400 else None,
        )
        response.headers[REPLAY_HEADER] = "true"
        return response
    try:
        status, document, final = _run(work)
    except BaseException:
        idempotency.give_back(store, user.id, key)
        raise
    if not final:
        # The store was busy or unreachable: nothing happened, so the key is free again.
        idempotency.give_back(store, user.id, key)
        return _answer(status, document)
    idempotency.finish(
        store, user.id, key, idempotency.Answer(status, json.dumps(document, sort_keys=True))
    )
    return _answer(status, document)


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


def _answer(status: int, document: dict[str, Any]) -> JSONResponse:
    return JSONResponse(
        document, status_code=status, media_type=PROBLEM_MEDIA_TYPE if status >= 400 else None
    )
