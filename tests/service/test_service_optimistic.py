"""SQLite batches: closings decided on a snapshot, written under the lock where what they
read still holds, decided again where it does not; the answers those of closing in turn."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from service_helpers import HARBOR_REQUEST, REFERENCE_REQUEST, posted, two_deal_store

from acquittance import service
from acquittance.service import batch, optimistic
from acquittance.service.optimistic import decide, settle_decided, write_decided
from acquittance.service.settle import Attempt, settle_many
from acquittance.store import driver
from acquittance.store.repository import Repository

REFERENCE, HARBOR = REFERENCE_REQUEST, HARBOR_REQUEST


def _store(path: Path) -> service.Store:
    return two_deal_store(f"sqlite:///{path}")


def _settlements(path: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(path) as connection:
        return sorted(connection.execute("SELECT loan_id, idempotency_key FROM settlements"))


def test_closings_decided_on_a_snapshot_are_written_as_decided(tmp_path: Path) -> None:
    store, turn = _store(tmp_path / "decided.db"), _store(tmp_path / "in-turn.db")
    attempts = [Attempt(REFERENCE, "k-1"), Attempt(HARBOR, "k-2")]
    try:
        with store.read() as session:
            decided = decide(Repository(session), attempts)
        # Every closing was decided on the snapshot: it read only what the check reads again.
        assert all(one.read is not None for one in decided)
        with store.write() as session:
            answers = write_decided(Repository(session), decided)
        assert [answer is one.answer for answer, one in zip(answers, decided, strict=True)] == [
            True,
            True,
        ]
        in_turn = settle_many(turn, attempts)
        assert [posted(a) for a in answers] == [posted(a) for a in in_turn]
        assert service.verify(store).ok
    finally:
        store.close()
        turn.close()


def test_a_closing_whose_read_changed_is_decided_again_under_the_lock(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    store = _store(path)
    try:
        with store.read() as session:
            decided = decide(Repository(session), [Attempt(REFERENCE, "k-1")])
        assert isinstance(decided[0].answer, service.ClosedSettlement)
        # Meanwhile another command closes the loan.
        service.settle(store, REFERENCE, key="elsewhere")
        with store.write() as session:
            (answer,) = write_decided(Repository(session), decided)
        assert getattr(answer, "code", None) == "LOAN_DISCHARGED"
        assert _settlements(path) == [("berg-valence-loan", "elsewhere")]
        assert service.verify(store).ok
    finally:
        store.close()


def test_a_refusal_decided_on_a_snapshot_stands_only_while_its_read_holds(
    tmp_path: Path,
) -> None:
    store = _store(tmp_path / "store.db")
    try:
        service.settle(store, REFERENCE, key="k-1")
        with store.read() as session:
            # Closed under k-1 already: the replay reads the settlement, so it waits for the lock.
            replay, refused = decide(
                Repository(session), [Attempt(REFERENCE, "k-1"), Attempt(REFERENCE, "k-2")]
            )
        assert replay.read is None
        assert getattr(refused.answer, "code", None) == "LOAN_DISCHARGED"
        with store.write() as session:
            again, still = write_decided(Repository(session), [replay, refused])
        assert isinstance(again, service.ClosedSettlement)
        assert again.settlement.idempotency_key == "k-1"
        assert getattr(still, "code", None) == "LOAN_DISCHARGED"
    finally:
        store.close()


def test_closings_apart_are_written_at_once_and_a_loan_again_after_them(
    tmp_path: Path,
) -> None:
    path = tmp_path / "store.db"
    store = _store(path)
    attempts = [Attempt(REFERENCE, "k-1"), Attempt(REFERENCE, "k-2"), Attempt(HARBOR, "k-3")]
    try:
        with store.read() as session:
            decided = decide(Repository(session), sorted(attempts, key=lambda a: a.request.loan_id))
        # On the snapshot both lines of the reference loan close it: only its first and the
        # harbor loan are apart; the second is checked after them, and refused.
        assert [isinstance(one.answer, service.ClosedSettlement) for one in decided] == [
            True,
            True,
            True,
        ]
        assert optimistic.apart(decided) == [0, 2]
        legs: list[int] = []
        with (
            driver.observing(
                lambda statement, rows: legs.append(rows) if "journal_legs" in statement else None
            ),
            store.write() as session,
        ):
            answers = write_decided(Repository(session), decided)
        assert len(legs) == 1  # both closings' legs in one statement
        assert [getattr(a, "code", "closed") for a in answers] == [
            "closed",
            "LOAN_DISCHARGED",
            "closed",
        ]
        assert _settlements(path) == [
            ("berg-valence-loan", "k-1"),
            ("harbor-quill-loan", "k-3"),
        ]
        assert service.verify(store).ok
    finally:
        store.close()


def test_settle_decided_answers_in_the_order_asked(tmp_path: Path) -> None:
    store = _store(tmp_path / "store.db")
    try:
        held = []
        answers = settle_decided(
            store,
            [Attempt(HARBOR, "k-1"), Attempt(REFERENCE, "k-2"), Attempt(REFERENCE, "k-3")],
            writing=lambda: _Recorded(held),
        )
        assert held == ["taken", "given back"]
        closed, reference, refused = answers
        assert isinstance(closed, service.ClosedSettlement)
        assert closed.settlement.loan_id == HARBOR.loan_id
        assert isinstance(reference, service.ClosedSettlement)
        assert getattr(refused, "code", None) == "LOAN_DISCHARGED"
    finally:
        store.close()


class _Recorded:
    def __init__(self, held: list[str]) -> None:
        self._held = held

    def __enter__(self) -> None:
        self._held.append("taken")

    def __exit__(self, *_: object) -> None:
        self._held.append("given back")


@pytest.mark.skipif(
    "fork" not in __import__("multiprocessing").get_all_start_methods(), reason="needs fork"
)
def test_a_batch_of_many_groups_in_processes_answers_as_closing_them_in_turn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "store.db"
    store = _store(path)
    # One line a group, in two processes: the same loan in two groups closes in the first.
    monkeypatch.setattr(batch, "GROUP_LINES_SQLITE", 1)
    monkeypatch.setattr(batch.os, "cpu_count", lambda: 2)
    lines = [
        batch.BatchLine(1, REFERENCE.loan_id, REFERENCE.as_of, "k-1"),
        batch.BatchLine(2, HARBOR.loan_id, HARBOR.as_of, "k-2"),
        batch.BatchLine(3, REFERENCE.loan_id, REFERENCE.as_of, "k-3"),
        batch.BatchLine(4, REFERENCE.loan_id, REFERENCE.as_of, "k-1"),
    ]
    try:
        first = list(batch.settle_batch(store, lines))
        assert [(r.loan_id, r.error.code if r.error else None) for r in first] == [
            (REFERENCE.loan_id, None),
            (HARBOR.loan_id, None),
            (REFERENCE.loan_id, "LOAN_DISCHARGED"),
            (REFERENCE.loan_id, None),
        ]
        assert first[3].settlement_id == first[0].settlement_id  # the same key, replayed
        rows = _settlements(path)
        again = list(batch.settle_batch(store, lines))
        assert [(r.settlement_id, r.error and r.error.code) for r in again] == [
            (r.settlement_id, r.error and r.error.code) for r in first
        ]
        assert _settlements(path) == rows
        assert service.verify(store).ok
    finally:
        store.close()


@pytest.mark.skipif(
    "fork" not in __import__("multiprocessing").get_all_start_methods(), reason="needs fork"
)
def test_a_group_that_fails_before_its_turn_does_not_hold_up_the_groups_after_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _store(tmp_path / "store.db")
    monkeypatch.setattr(batch, "GROUP_LINES_SQLITE", 1)
    monkeypatch.setattr(batch.os, "cpu_count", lambda: 2)

    deciding = optimistic.decide

    def failing(repo: Repository, attempts: list[Attempt]) -> object:
        if attempts and attempts[0].key == "k-1":  # the first group only
            raise RuntimeError("the store went away while deciding")
        return deciding(repo, attempts)

    monkeypatch.setattr(optimistic, "decide", failing)
    lines = [
        batch.BatchLine(1, REFERENCE.loan_id, REFERENCE.as_of, "k-1"),
        batch.BatchLine(2, HARBOR.loan_id, HARBOR.as_of, "k-2"),
        batch.BatchLine(3, REFERENCE.loan_id, REFERENCE.as_of, "k-3"),
    ]
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            list(batch.settle_batch(store, lines))
        except BaseException as error:
            outcome.append(error)

    runner = threading.Thread(target=run, daemon=True)
    runner.start()
    runner.join(timeout=120)
    try:
        assert not runner.is_alive(), "the batch waited on a group that had failed"
        assert [str(error) for error in outcome] == ["the store went away while deciding"]
        # Whatever the later groups wrote before the batch stopped is whole.
        assert service.verify(store).ok
    finally:
        store.close()


def _orphaned() -> None:
    batch._batch_pid = -1  # the command that started it is gone
    batch._stop_if_orphaned()


@pytest.mark.skipif(
    "fork" not in __import__("multiprocessing").get_all_start_methods(), reason="needs fork"
)
def test_a_deciding_process_ends_once_the_batch_command_is_gone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(batch, "_batch_pid", batch.os.getppid())
    batch._stop_if_orphaned()  # its parent is the command: it goes on
    child = __import__("multiprocessing").get_context("fork").Process(target=_orphaned)
    child.start()
    child.join(timeout=60)
    assert child.exitcode == batch._ORPHANED_EXIT
