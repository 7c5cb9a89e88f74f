"""Closings decided outside the write lock and written under it, when what they read holds.

SQLite has one writer at a time, and a closing spends most of its time in
Python deciding what to write. So a SQLite batch decides a group of closings
in a read transaction (each process of the batch its own group, at the same
time), then takes the write lock and, closing by closing, reads again what the
closing read: where it is the same, the closing's writes are sent as they were
decided; where anything differs (another closing, another command), the
closing is decided again under the lock, as `settle_many` does. Either way
each closing is all or nothing in its savepoint and the group commits once.

What "the same" covers: a decided closing is kept only when all it read was
the closing read (`Repository.read_closing`: the loan, its parties, notes,
interests, chain heads, snapshots and any settlement under the key) and the
parties it names. A closing that reads anything else (an earlier settlement
to replay, notes outside the pledge, a store without snapshots) is decided
under the lock.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, NoReturn, cast

from acquittance.core.errors import AcquittanceError, StorageError
from acquittance.core.instruments import Party
from acquittance.core.text import check_idempotency_key
from acquittance.service.settle import (
    Attempt,
    ClosedSettlement,
    close_in_savepoint,
    close_with,
    loan_order,
    settle_many,
)
from acquittance.service.store import Store
from acquittance.store.closing_path import ClosingRead, ClosingsNoLongerApply, ClosingToWrite
from acquittance.store.repository import Repository

Answer = ClosedSettlement | AcquittanceError


class _NeedsTheLock(Exception):
    """The closing reads what a second read would not check: it is decided under the lock."""


@dataclass
class Decided:
    """One closing decided on a snapshot: what it read, what it would write, its answer."""

    attempt: Attempt
    read: ClosingRead | None = None
    writes: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)
    answer: Answer | None = None
    # The closing read taken, kept when the decision stopped too (`read` is then None):
    # the loan, notes and chains the closing touches, however it is decided.
    seen: ClosingRead | None = None


class _Deciding:
    """The repository a closing is decided with: reads from the snapshot, writes kept.

    Only what the closing path uses is here; any other use stops the decision
    (`_NeedsTheLock`), so nothing is read that the second read does not check.
    """

    def __init__(self, repo: Repository, decided: Decided, known: ClosingRead | None) -> None:
        self._repo = repo
        self._decided = decided
        self._known = known

    def read_closing(self, loan_id: str, key: str | None, *, lock: bool = True) -> ClosingRead:
        if self._decided.read is not None:
            self._stop()
        known = self._known
        if known is None:
            read = self._repo.read_closing(loan_id, key, lock=False)
        elif known.loan.instrument.id == loan_id:
            read = known  # read already, under its locks, with this key
        else:
            self._stop()
        self._decided.read = self._decided.seen = read
        return read

    def get_party(self, party_id: str) -> Party:
        read = self._decided.read
        if read is None or party_id not in (read.lender.id, read.borrower.id):
            self._stop()
        return self._repo.get_party(party_id)

    def lock_notes(self, note_ids: Sequence[str]) -> None:
        if note_ids:  # notes outside the loan's pledge: read by no closing read
            self._stop()

    def write_closing(self, *arguments: Any) -> None:
        self._decided.writes.append(("write_closing", arguments))

    def release_pledged_notes(self, *arguments: Any) -> None:
        self._decided.writes.append(("release_pledged_notes", arguments))

    def __getattr__(self, name: str) -> NoReturn:
        self._stop()

    def _stop(self) -> NoReturn:
        raise _NeedsTheLock


def decide(repo: Repository, attempts: Sequence[Attempt]) -> list[Decided]:
    """Each closing as decided on the snapshot `repo` reads (a read transaction)."""
    return [decide_one(repo, attempt) for attempt in attempts]


def decide_one(repo: Repository, attempt: Attempt, known: ClosingRead | None = None) -> Decided:
    """The closing as decided on what `repo` reads, or on `known`, its closing read.

    Its `read` is None when it must be decided under the lock instead: it
    reads more than a closing read.
    """
    decided = Decided(attempt)
    try:
        check_idempotency_key(attempt.key)
        decided.answer = close_with(
            _Deciding(repo, decided, known),  # type: ignore[arg-type]
            attempt,
        )
    except (_NeedsTheLock, StorageError):
        decided.read = None  # decided under the lock instead
    except AcquittanceError as error:
        decided.answer = error
    return decided


def write_decided(repo: Repository, decided: Sequence[Decided]) -> list[Answer]:
    """Under the write lock: each closing's writes where its read holds, else decided anew.

    `decided` in loan order. The closings that touch no row another of the group
    touches (`apart`) and whose reads hold are written first, all at once; then
    each other one, in order. Being apart, the answers are those of writing them
    one by one in loan order.
    """
    answers: dict[int, Answer] = {}
    held = [
        index
        for index in apart(decided)
        if _read_holds(repo, decided[index])  # and so its answer stands
    ]
    closed = [
        decided[index] for index in held if isinstance(decided[index].answer, ClosedSettlement)
    ]
    if closed:
        try:
            with repo.savepoint():
                repo.write_closings([closing_rows_of(one) for one in closed])
        except ClosingsNoLongerApply:
            held = []  # each is written on its own below, which says what changed
    for index in held:
        answer = decided[index].answer
        assert answer is not None
        answers[index] = answer
    return [
        answers[index] if index in answers else _write_one(repo, one)
        for index, one in enumerate(decided)
    ]


def apart(decided: Sequence[Decided]) -> list[int]:
    """The closings (by place) decided on a read that holds all they touch, and touching no
    row another closing of the group touches: the first line of their loan, their notes
    pledged to no other loan read, their writes their closing's rows alone."""
    first: dict[str, int] = {}
    for index, one in enumerate(decided):
        first.setdefault(one.attempt.request.loan_id, index)
    reads = {
        loan_id: seen
        for loan_id, index in first.items()
        if (seen := decided[index].seen) is not None
    }
    shared = sharing(reads)
    return [
        index
        for loan_id, index in first.items()
        if loan_id not in shared
        and decided[index].read is not None
        and decided[index].answer is not None
        and writes_closing_only(decided[index])
    ]


def sharing(reads: Mapping[str, ClosingRead]) -> set[str]:
    """The loans whose closings may touch another's rows: a note pledged to another loan."""
    uses = Counter(note_id for read in reads.values() for note_id in read.notes)
    return {
        loan_id
        for loan_id, read in reads.items()
        if read.other_interest_ids or any(uses[note_id] > 1 for note_id in read.notes)
    }


def writes_closing_only(decided: Decided) -> bool:
    """A closing's writes are its rows alone (a refusal writes nothing)."""
    if isinstance(decided.answer, ClosedSettlement):
        return [method for method, _ in decided.writes] == ["write_closing"]
    return True


def closing_rows_of(decided: Decided) -> ClosingToWrite:
    """The rows a closing decided to write (`writes_closing_only`)."""
    ((method, arguments),) = decided.writes
    assert method == "write_closing"
    return cast(ClosingToWrite, arguments)


def _read_holds(repo: Repository, decided: Decided) -> bool:
    assert decided.read is not None
    request = decided.attempt.request
    return repo.closing_rows(request.loan_id, decided.attempt.key) == decided.read.rows


def _write_one(repo: Repository, decided: Decided) -> Answer:
    if decided.read is None or decided.answer is None:
        return close_in_savepoint(repo, decided.attempt)
    request = decided.attempt.request
    try:
        with repo.savepoint():
            if repo.closing_rows(request.loan_id, decided.attempt.key) != decided.read.rows:
                raise _NeedsTheLock
            for method, arguments in decided.writes:
                getattr(repo, method)(*arguments)
            return decided.answer
    except _NeedsTheLock:
        return close_in_savepoint(repo, decided.attempt)
    except StorageError:
        raise  # the store refused: the whole group runs again, one by one
    except AcquittanceError as error:
        return error


def settle_decided(
    store: Store,
    attempts: Sequence[Attempt],
    *,
    writing: Callable[[], AbstractContextManager[Any]],
) -> list[Answer]:
    """`settle_many`, with the closings decided before the write lock is taken.

    `writing` is held around the write transaction: the batch's processes take
    turns through it, in the order of their groups, so that the answers are
    those of closing the groups one after another, and a process waiting to
    write does not poll the file.
    Closings run in loan order and answers come back in the order asked.
    """
    order = loan_order(attempts)
    in_order = [attempts[i] for i in order]
    with store.read() as session:
        decided = decide(Repository(session), in_order)
    with writing():
        try:
            with store.write() as session:
                written = write_decided(Repository(session), decided)
        except StorageError as error:
            if error.code not in ("STORE_BUSY", "STORE_CONFLICT"):
                raise
            return settle_many(store, attempts)
    answers = dict(zip(order, written, strict=True))
    return [answers[index] for index in range(len(attempts))]
