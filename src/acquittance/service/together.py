"""A group's closings decided from one locked read and written in one statement (servers).

On PostgreSQL most of a closing's cost in the database is per statement
(planning, starting the executor, a savepoint), not per row. So a group of a
batch reads every loan it closes at once, locked in the global order (all its
loans by id, then all their notes by id, then all their chains), decides each
closing on its part of that read, and writes the rows of all of them in one
statement. That read is taken under the locks, in the transaction that writes,
so what is decided on it holds when it is written.

A closing goes this way only when nothing else in the group touches what it
reads: its loan comes once in the group, and its notes are pledged to no other
loan. Any other (the same loan again, a shared note, a replay under an earlier
key, anything a closing read does not hold) is closed after them, on its own
in its savepoint as `settle_many` closes it, in loan order. Either way the
answers are those of closing the group's lines one after another in loan
order, and the group commits once.
"""

from __future__ import annotations

from collections.abc import Sequence

from acquittance.core.errors import AcquittanceError, StorageError
from acquittance.service.optimistic import (
    Decided,
    closing_rows_of,
    decide_one,
    sharing,
    writes_closing_only,
)
from acquittance.service.settle import (
    Attempt,
    ClosedSettlement,
    close_in_savepoint,
    loan_order,
    settle_many,
)
from acquittance.service.store import Store
from acquittance.store.closing_path import ClosingsNoLongerApply
from acquittance.store.repository import Repository

Answer = ClosedSettlement | AcquittanceError


def settle_together(store: Store, attempts: Sequence[Attempt]) -> list[Answer]:
    """`settle_many` on a server store, its closings read at once and written at once.

    Answers come back in the order asked. If the group loses a race (a
    deadlock, a key taken meanwhile) it is undone whole and runs again as
    `settle_many` runs it.
    """
    order = loan_order(attempts)
    try:
        with store.write() as session:
            answers = _close_together(Repository(session), attempts, order)
    except StorageError as error:
        if error.code not in ("STORE_BUSY", "STORE_CONFLICT"):
            raise
        return settle_many(store, attempts)
    return [answers[index] for index in range(len(attempts))]


def _close_together(
    repo: Repository, attempts: Sequence[Attempt], order: Sequence[int]
) -> dict[int, Answer]:
    first: dict[str, int] = {}  # each loan's first line, in loan order
    for index in order:
        first.setdefault(attempts[index].request.loan_id, index)
    reads = repo.read_closings([(loan_id, attempts[i].key) for loan_id, i in first.items()])
    alone = sharing(reads)
    decided: dict[int, Decided] = {}
    for loan_id, index in first.items():
        read = reads.get(loan_id)
        if read is None or loan_id in alone:
            continue
        one = decide_one(repo, attempts[index], read)
        if one.read is not None and one.answer is not None and writes_closing_only(one):
            decided[index] = one
    closed = [
        closing_rows_of(one) for one in decided.values() if isinstance(one.answer, ClosedSettlement)
    ]
    if closed:
        try:
            with repo.savepoint():
                repo.write_closings(closed)
        except ClosingsNoLongerApply:
            decided = {}  # each is closed on its own below, which says what changed
    answers: dict[int, Answer] = {}
    for index, one in decided.items():
        assert one.answer is not None
        answers[index] = one.answer
    for index in order:
        if index not in answers:
            answers[index] = close_in_savepoint(repo, attempts[index])
    return answers
