"""Closings under concurrency on PostgreSQL: one lock order, no shared rows, one answer a key."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest

from acquittance import service
from acquittance.core.errors import StateError
from acquittance.deals.parse import parse_deal
from acquittance.service.settle import _close
from acquittance.store.repository import Repository

pytestmark = pytest.mark.postgres

AS_OF = date(2024, 6, 30)
LOANS = 6


def _deal(loans: int) -> str:
    """One lender, `loans` borrowers, each with one loan secured by one note."""
    lines = [
        '[deal]\ntitle = "Settlement Agreement"\ncurrency = "USD"\ngoverning_law = "New York"\n',
        '[[parties]]\nid = "lender"\nname = "Northgate Lending Trust LLC"\n'
        'entity_type = "limited liability company"\njurisdiction = "Delaware"\n',
    ]
    for i in range(loans):
        lines.append(
            f'[[parties]]\nid = "b{i}"\nname = "Borrower {i} Holdings, Inc."\n'
            'entity_type = "corporation"\njurisdiction = "New York"\n\n'
            f'[[loans]]\nid = "loan-{i}"\nagreement_name = "Credit Agreement"\n'
            f'lender = "lender"\nborrower = "b{i}"\nannual_rate = "9%"\nday_count = "ACT/360"\n'
            '[[loans.events]]\nkind = "opening"\ndate = 2024-01-01\n'
            f"principal = {100000 + i}.00\ninterest = 0.00\n\n"
            f'[[notes]]\nid = "note-{i}"\nmaker = "Maker {i} LLC"\nholder = "b{i}"\n'
            'annual_rate = "7%"\nday_count = "30/360-US"\n'
            '[[notes.events]]\nkind = "opening"\ndate = 2024-01-01\n'
            f"principal = {80000 + i}.00\ninterest = 0.00\n\n"
            f'[[security_interests]]\nid = "pledge-{i}"\nloan = "loan-{i}"\n'
            f'secured_party = "lender"\ndebtor = "b{i}"\nnotes = ["note-{i}"]\n'
        )
    return "\n".join(lines)


@pytest.fixture
def store(postgres_url: str) -> Iterator[service.Store]:
    store = service.Store(postgres_url, connections=10)
    service.initialize(store)
    service.load_deal(store, parse_deal(_deal(LOANS), source="concurrency deal"))
    yield store
    store.close()


def _request(i: int) -> service.QuoteRequest:
    return service.QuoteRequest(loan_id=f"loan-{i}", as_of=AS_OF)


def test_the_same_key_in_flight_gets_the_first_answer(store: service.Store) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        closed = list(pool.map(lambda _: service.settle(store, _request(0), key="once"), range(8)))
    assert len({c.id for c in closed}) == 1
    assert len(service.register(store)["settlements"]) == 1
    assert service.verify(store).ok


def test_distinct_keys_racing_one_loan_close_it_once(store: service.Store) -> None:
    def attempt(i: int) -> str:
        try:
            return service.settle(store, _request(1), key=f"race-{i}").id
        except StateError as error:
            return error.code

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(attempt, range(8)))
    assert sum(a.startswith("stl-") for a in answers) == 1
    assert {a for a in answers if not a.startswith("stl-")} == {"LOAN_DISCHARGED"}


def test_a_closing_in_progress_never_holds_up_another_loan_of_the_same_lender(
    store: service.Store,
) -> None:
    finished = threading.Event()

    def other() -> None:
        service.settle(store, _request(3), key="other")
        finished.set()

    with store.write() as session:
        _close(Repository(session), _request(2), key="held", quoted_fingerprint=None)
        # Loan 2's closing holds its locks (loan, note, both chains) until this block ends.
        worker = threading.Thread(target=other)
        worker.start()
        assert finished.wait(timeout=30), "a closing of loan 3 waited on loan 2's"
    worker.join()
    assert {s.loan_id for s in service.register(store)["settlements"]} == {"loan-2", "loan-3"}
    assert service.verify(store).ok
