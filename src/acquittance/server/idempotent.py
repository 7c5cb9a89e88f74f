"""Running a state-changing request once per Idempotency-Key (see service.idempotency).

An answer is rendered to JSON once: the same text is kept under the key and
sent, and a replay sends the kept text as it is. The work runs in the
transaction that claims the key and keeps the answer.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Final, TypeVar

from fastapi import Request
from pydantic import BaseModel
from starlette.responses import Response

from acquittance.core.errors import AcquittanceError
from acquittance.server.identity import store_of
from acquittance.server.problems import PROBLEM_MEDIA_TYPE, error_response
from acquittance.service import idempotency
from acquittance.service.accounts import User
from acquittance.service.store import Work

T = TypeVar("T")

KEY_HEADER: Final = "Idempotency-Key"
REPLAY_HEADER: Final = "Idempotent-Replayed"


def run_once(
    request: Request,
    user: User,
    key: str | None,
    body: BaseModel | None,
    work: Work[T],
    render: Callable[[T], tuple[int, dict[str, Any]]],
) -> Response:
    """`work`'s answer, rendered by `render`; with a key, the first answer under it, kept.

    `work` runs in one write transaction, with the claim of the key and the
    keeping of its answer when there is a key.
    """
    store = store_of(request)
    if key is None:
        status, document = render(store.write_retrying(work))
        return _answer(status, _json(document))
    keyed = idempotency.KeyedRequest(
        scope=user.id,
        key=key,
        method=request.method,
        path=request.url.path,
        body=body.model_dump_json() if body is not None else "",
    )
    once = idempotency.run_once(store, keyed, work, lambda result: _kept(*render(result)), _refusal)
    response = _answer(once.answer.status_code, once.answer.body)
    if once.replayed:
        response.headers[REPLAY_HEADER] = "true"
    return response


def _kept(status: int, document: dict[str, Any]) -> idempotency.Answer:
    return idempotency.Answer(status, _json(document))


def _refusal(error: AcquittanceError) -> idempotency.Answer:
    """The problem details of a refusal, as the error handlers answer it."""
    response = error_response(error)
    return idempotency.Answer(response.status_code, bytes(response.body).decode("utf-8"))


def _json(document: dict[str, Any]) -> str:
    """The document as JSON text, as FastAPI's JSONResponse renders it."""
    return json.dumps(document, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def _answer(status: int, text: str) -> Response:
    media_type = PROBLEM_MEDIA_TYPE if status >= 400 else "application/json"
    return Response(text.encode("utf-8"), status_code=status, media_type=media_type)
