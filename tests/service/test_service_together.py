"""Server batches: a group's closings read at once under their locks, decided on that read
and written together; the answers those of closing the group's lines one after another."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest
from service_helpers import HARBOR_REQUEST, REFERENCE_REQUEST, posted, two_deal_store
from sqlalchemy import text

from acquittance import service
from acquittance.core.errors import AcquittanceError
from acquittance.service.optimistic import decide_one
from acquittance.service.settle import Attempt, settle_many
from acquittance.service.together import settle_together
from acquittance.store import driver
from acquittance.store.closing_path import ClosingsNoLongerApply
from acquittance.store.repository import Repository

pytestmark = pytest.mark.postgres

REFERENCE, HARBOR = REFERENCE_REQUEST, HARBOR_REQUEST


@pytest.fixture
def server(postgres_url: str) -> Iterator[service.Store]:
    store = two_deal_store(postgres_url)
    yield store
    store.close()


@pytest.fixture
def embedded(sqlite_url: str) -> Iterator[service.Store]:
    store = two_deal_store(sqlite_url)
    yield store
    store.close()


def _outcomes(answers: Sequence[object]) -> list[str]:
    """Each answer as what a caller sees of it: closed (and on what loan), or its code."""
    return [
        f"closed {answer.quote.loan_id}"
        if isinstance(answer, service.ClosedSettlement)
        else str(getattr(answer, "code", answer))
        for answer in answers
    ]


def _locking_statements(run: object) -> list[str]:
    sent: list[str] = []
    with driver.observing(lambda statement, _rows: sent.append(statement)):
        assert callable(run)
        run()
    return [statement for statement in sent if "FOR UPDATE" in statement]


def test_a_group_is_locked_and_read_once_and_posts_what_closing_in_turn_posts(
    server: service.Store, embedded: service.Store
) -> None:
    attempts = [Attempt(HARBOR, "k-harbor"), Attempt(REFERENCE, "k-reference")]
    answers: list[object] = []
    locks = _locking_statements(lambda: answers.extend(settle_together(server, attempts)))
    # One lock of the loans, one of their notes, one of their chains: for the whole group.
    assert len(locks) == 3
    assert all("unnest(" in statement for statement in locks)
    in_turn = settle_many(embedded, attempts)
    assert [posted(a) for a in answers] == [posted(a) for a in in_turn]
    assert [getattr(a, "quote", None) for a in answers] == [a.quote for a in in_turn]  # type: ignore[union-attr]
    assert service.verify(server).ok


def test_lines_that_depend_on_each_other_answer_as_closing_them_in_turn(
    server: service.Store, embedded: service.Store
) -> None:
    attempts = [
        Attempt(HARBOR, "first"),
        Attempt(REFERENCE, "reference"),
        Attempt(HARBOR, "second"),  # the same loan again: discharged by the first
        Attempt(HARBOR, "first"),  # the first key again: the first closing, replayed
        Attempt(service.QuoteRequest("no-such-loan", HARBOR.as_of), "unknown"),
        Attempt(REFERENCE, ""),  # no key
    ]
    answers = settle_together(server, attempts)
    in_turn = settle_many(embedded, attempts)
    assert _outcomes(answers) == _outcomes(in_turn)
    assert _outcomes(answers) == [
        "closed harbor-quill-loan",
        "closed berg-valence-loan",
        "LOAN_DISCHARGED",
        "closed harbor-quill-loan",
        "UNKNOWN_LOAN",
        "INVALID_KEY",
    ]
    first, replayed = answers[0], answers[3]
    assert isinstance(first, service.ClosedSettlement)
    assert isinstance(replayed, service.ClosedSettlement)
    assert replayed.id == first.id
    assert len(service.register(server)["settlements"]) == 2
    assert service.verify(server).ok


def test_a_rerun_of_the_group_replays_every_closing_and_writes_nothing(
    server: service.Store,
) -> None:
    attempts = [Attempt(HARBOR, "k-1"), Attempt(REFERENCE, "k-2")]
    first = settle_together(server, attempts)
    again = settle_together(server, attempts)
    assert [a.id for a in again if isinstance(a, service.ClosedSettlement)] == [
        a.id for a in first if isinstance(a, service.ClosedSettlement)
    ]
    assert len(service.register(server)["settlements"]) == 2
    assert service.verify(server).ok


def test_closings_written_together_are_refused_when_a_note_left_its_assignor(
    server: service.Store,
) -> None:
    attempt = Attempt(HARBOR, "k-moved")
    with pytest.raises(ClosingsNoLongerApply), server.write() as session:
        repo = Repository(session)
        read = repo.read_closings([(HARBOR.loan_id, attempt.key)])[HARBOR.loan_id]
        decided = decide_one(repo, attempt, read)
        assert isinstance(decided.answer, service.ClosedSettlement)
        (method, arguments), *_ = decided.writes
        assert method == "write_closing"
        note_id = next(iter(read.notes))
        session.execute(
            text("UPDATE notes SET holder_id = :lender WHERE id = :note"),
            {"lender": read.lender.id, "note": note_id},
        )
        repo.write_closings([arguments])
    # Nothing of it stays: the transaction is undone, and the loan closes as before.
    assert service.register(server)["settlements"] == []
    (answer,) = settle_together(server, [attempt])
    assert not isinstance(answer, AcquittanceError)
    assert service.verify(server).ok
