"""Idempotency keys of the HTTP API: the same key again returns the first answer.

`run_once` claims the key, runs the work and keeps its answer under the key,
all in one write transaction: either the work happened and its answer is
kept, or neither. A second request with the key waits for the first's
transaction to end (the key's unique index) and then gets the kept answer,
unchanged, whatever happened since; one with the same key for another
request is refused (IDEMPOTENCY_KEY_REUSED). A refusal (4xx) is an answer
too and is kept, in a transaction of its own since the work's was rolled
back; a failure of the store itself (5xx) keeps nothing, so a retry runs the
work again. A key claimed with no answer is left by an older server that
stopped half way: a request with it is told to retry (IDEMPOTENCY_KEY_IN_USE)
until the claim is ten minutes old, when it is taken over. Closings are also
protected by the loan's lock and their own key, so even then none closes twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final, TypeVar

from acquittance.core.errors import AcquittanceError, StateError
from acquittance.core.text import check_idempotency_key
from acquittance.service.audit import now_text
from acquittance.service.store import Store, Work
from acquittance.store.repository import Repository
from acquittance.store.workflow import RememberedRequest, WorkflowRows

T = TypeVar("T")


@dataclass(frozen=True)
class Answer:
    """An answer kept under a key: its HTTP status and its body (JSON text)."""

    status_code: int
    body: str


@dataclass(frozen=True)
class KeyedRequest:
    """A state-changing request under an idempotency key, in the scope of its user."""

    scope: str
    key: str
    method: str
    path: str
    body: str

    @property
    def digest(self) -> str:
        return request_digest(self.method, self.path, self.body)


@dataclass(frozen=True)
class Once:
    """The answer to a keyed request, and whether it is the kept answer of an earlier one."""

    answer: Answer
    replayed: bool


#: A claim older than this whose request never answered is taken as abandoned.
CLAIM_ABANDONED_AFTER: Final = timedelta(minutes=10)
#: How many times a key found abandoned is taken over before giving up.
_TAKEOVERS_MAX: Final = 3


def _stale_before() -> str:
    return now_text(datetime.now(UTC) - CLAIM_ABANDONED_AFTER)


def request_digest(method: str, path: str, body: str) -> str:
    return hashlib.sha256(f"{method}\n{path}\n{body}".encode()).hexdigest()


def run_once(
    store: Store,
    request: KeyedRequest,
    work: Work[T],
    render: Callable[[T], Answer],
    refused: Callable[[AcquittanceError], Answer] | None = None,
) -> Once:
    """The answer to `request`: the kept one if its key has one, else `work`'s, kept.

    `work` runs in the transaction that claims the key (again, from the
    start, if it lost a race); `render` turns its result into the answer,
    and `refused` a refusal of it. Without `refused` a refusal is raised and
    nothing is kept: the key stays free.
    """
    check_idempotency_key(request.key)
    for _ in range(_TAKEOVERS_MAX):
        try:
            answer = store.write_retrying(
                lambda repo: _claimed_and_run(repo, request, work, render)
            )
        except AcquittanceError as error:
            if refused is None:
                raise
            answer = refused(error)
            if answer.status_code >= 500:
                return Once(answer, replayed=False)
            answer = _keep_refusal(store, request, answer)
        if answer is not None:
            return Once(answer, replayed=False)
        kept = _kept_answer(store, request)
        if kept is not None:
            return Once(kept, replayed=True)
    raise _in_use(request)


def _claimed_and_run(
    repo: Repository,
    request: KeyedRequest,
    work: Work[T],
    render: Callable[[T], Answer],
) -> Answer | None:
    """The work's answer, kept under the key; None if the key was already there."""
    rows = WorkflowRows(repo.session, repo.driver())
    if not _claim(rows, request):
        return None
    answer = render(work(repo))
    rows.finish_key(request.scope, request.key, answer.status_code, answer.body)
    return answer


def _claim(rows: WorkflowRows, request: KeyedRequest, answer: Answer | None = None) -> bool:
    return rows.claim_key(
        request.scope,
        request.key,
        method=request.method,
        path=request.path,
        digest=request.digest,
        at=now_text(),
        status_code=answer.status_code if answer is not None else None,
        body=answer.body if answer is not None else None,
    )


def _keep_refusal(store: Store, request: KeyedRequest, answer: Answer) -> Answer | None:
    """Keep a refusal under the key; None if another request with it answered first."""
    with store.write() as session:
        return answer if _claim(WorkflowRows(session), request, answer) else None


def _kept_answer(store: Store, request: KeyedRequest) -> Answer | None:
    """The answer kept under the key; None once an abandoned claim of it was given back."""
    with store.read() as session:
        found = WorkflowRows(session).remembered(request.scope, request.key)
    if found is None:
        return None  # given back in between: claim it again
    if found.status_code is None or found.response_body is None:
        if found.claimed_at >= _stale_before():
            raise _in_use(request)
        # Its request never finished (a server stopped between the work and the
        # answer): the key is free again. Closings cannot repeat: their key is the proposal's.
        give_back(store, request.scope, request.key)
        return None
    _check_same_request(found, request)
    return Answer(found.status_code, found.response_body)


def _check_same_request(found: RememberedRequest, request: KeyedRequest) -> None:
    if found.request_digest != request.digest:
        raise StateError(
            "IDEMPOTENCY_KEY_REUSED",
            f"Idempotency-Key {request.key!r} was used for {found.method} {found.path} with "
            "another body; use a new key for a new request",
        )


def _in_use(request: KeyedRequest) -> StateError:
    return StateError(
        "IDEMPOTENCY_KEY_IN_USE",
        f"a request with Idempotency-Key {request.key!r} is still running; retry in a moment",
    )


def give_back(store: Store, scope: str, key: str) -> None:
    """Release a key claimed with no answer, so that a request with it runs again."""
    with store.write() as session:
        WorkflowRows(session).release_key(scope, key)
