"""Idempotency keys of the HTTP API: the same key again returns the first answer.

A request with a key first claims it (a row, unique per user and key) in its
own transaction, then runs, then stores its answer under the key. A second
request with the key finds the answer and gets it back unchanged, whatever
happened since; one that arrives while the first still runs is told to retry
(IDEMPOTENCY_KEY_IN_USE), until the claim is ten minutes old with no answer
(the server stopped half way), when it is taken over; one with the same key for another request is
refused (IDEMPOTENCY_KEY_REUSED). A request that fails unexpectedly gives its
key back, so that a retry runs it again. Closings are also protected by the
loan's lock and their own key, so even a retry after a crash between the
closing's commit and the answer's cannot close twice.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from acquittance.core.errors import StateError, StorageError
from acquittance.core.text import check_idempotency_key
from acquittance.service.audit import now_text
from acquittance.service.store import Store
from acquittance.store.workflow import WorkflowRows


@dataclass(frozen=True)
class Answer:
    """An answer kept under a key: its HTTP status and its body (JSON text)."""

    status_code: int
    body: str


#: A claim older than this whose request never answered is taken as abandoned.
CLAIM_ABANDONED_AFTER: Final = timedelta(minutes=10)


def _stale_before() -> str:
    return now_text(datetime.now(UTC) - CLAIM_ABANDONED_AFTER)


def request_digest(method: str, path: str, body: str) -> str:
    return hashlib.sha256(f"{method}\n{path}\n{body}".encode()).hexdigest()


def claim(
    store: Store, scope: str, key: str, *, method: str, path: str, body: str
) -> Answer | None:
    """Claim `key` for this request; the first answer if the key already has one."""
    check_idempotency_key(key)
    digest = request_digest(method, path, body)
    try:
        with store.write() as session:
            WorkflowRows(session).claim_key(
                scope, key, method=method, path=path, digest=digest, at=now_text()
            )
        return None
    except StorageError as error:
        if error.code != "STORE_CONFLICT":
            raise
    with store.read() as session:
        found = WorkflowRows(session).remembered(scope, key)
    if found is not None and found.status_code is None and found.claimed_at < _stale_before():
        # Its request never finished (the server stopped between the work and the answer):
        # the key is free again. Closings cannot repeat: their own key is the proposal's.
        give_back(store, scope, key)
        return claim(store, scope, key, method=method, path=path, body=body)
    if found is None or found.status_code is None or found.response_body is None:
        raise StateError(
            "IDEMPOTENCY_KEY_IN_USE",
            f"a request with Idempotency-Key {key!r} is still running; retry in a moment",
        )
    if found.request_digest != digest:
        raise StateError(
            "IDEMPOTENCY_KEY_REUSED",
            f"Idempotency-Key {key!r} was used for {found.method} {found.path} with another "
            "body; use a new key for a new request",
        )
    return Answer(found.status_code, found.response_body)


def finish(store: Store, scope: str, key: str, answer: Answer) -> None:
    with store.write() as session:
        WorkflowRows(session).finish_key(scope, key, answer.status_code, answer.body)


def give_back(store: Store, scope: str, key: str) -> None:
    """Release a key whose request failed unexpectedly, so that a retry runs it again."""
    with store.write() as session:
        WorkflowRows(session).release_key(scope, key)
