"""Closings raced over real HTTP connections against the real PostgreSQL.

uvicorn serves the app in a thread; each client is its own httpx connection
in its own thread, released together by a barrier. Two closings of one loan
end with exactly one closed and the other refused with a clear code; ten
clients settling ten loans at once close all ten, each once, with every
entry in both books and `verify` passing.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn

from acquittance import service
from acquittance.deals.parse import parse_deal
from acquittance.server.app import create_app
from acquittance.service import accounts

pytestmark = pytest.mark.postgres

LOANS = 10
AS_OF = "2024-06-30"


def _deal(loans: int) -> str:
    """One lender, `loans` borrowers, each with one loan secured by one note."""
    lines = [
        '[deal]\ntitle = "Settlement Agreement"\ncurrency = "USD"\ngoverning_law = "New York"\n',
        '[[parties]]\nid = "lender"\nname = "Northgate Lending Trust LLC"\n'
        'entity_type = "limited liability company"\njurisdiction = "Delaware"\n'
        '[[parties.signatories]]\nname = "Ada North"\ntitle = "Managing Member"\n',
    ]
    for i in range(loans):
        lines.append(
            f'[[parties]]\nid = "b{i}"\nname = "Borrower {i} Holdings, Inc."\n'
            'entity_type = "corporation"\njurisdiction = "New York"\n'
            f'[[parties.signatories]]\nname = "Signer {i}"\ntitle = "President"\n\n'
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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Live:
    store: service.Store
    base: str
    tokens: dict[str, str]

    def client(self, user: str) -> httpx.Client:
        return httpx.Client(
            base_url=self.base,
            headers={"Authorization": f"Bearer {self.tokens[user]}"},
            timeout=60,
        )


@pytest.fixture
def live(postgres_url: str) -> Iterator[Live]:
    store = service.Store(postgres_url, connections=24)
    service.initialize(store)
    service.load_deal(store, parse_deal(_deal(LOANS), source="race deal"))
    tokens = {}
    for party in ["lender", *(f"b{i}" for i in range(LOANS))]:
        accounts.add_user(store, f"u-{party}", party_id=party)
        tokens[party], _ = accounts.create_token(store, f"u-{party}")
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(store), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield Live(store, f"http://127.0.0.1:{port}", tokens)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        store.close()


def _approved_proposal(live: Live, loan: int, key: str) -> str:
    """A proposal of loan-`loan`, approved by its lender and its borrower."""
    lender, borrower = live.client("lender"), live.client(f"b{loan}")
    with lender, borrower:
        quote = lender.post(f"/api/v1/loans/loan-{loan}/quotes", json={"as_of": AS_OF})
        assert quote.status_code == 201, quote.text
        proposal = borrower.post(
            "/api/v1/settlements",
            json={"quote_id": quote.json()["quote_id"]},
            headers={"Idempotency-Key": f"{key}-propose"},
        )
        assert proposal.status_code == 201, proposal.text
        proposal_id: str = proposal.json()["id"]
        for client in (lender, borrower):
            approval = client.post(f"/api/v1/settlements/{proposal_id}/approvals")
            assert approval.status_code == 200, approval.text
    return proposal_id


def _race(calls: list[Callable[[], httpx.Response]]) -> list[httpx.Response]:
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], httpx.Response]) -> httpx.Response:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def _closer(live: Live, party: str, proposal_id: str, key: str) -> Callable[[], httpx.Response]:
    def close() -> httpx.Response:
        with live.client(party) as client:
            return client.post(
                f"/api/v1/settlements/{proposal_id}/close", headers={"Idempotency-Key": key}
            )

    return close


def _settlements_of(store: service.Store, loan_id: str) -> list[Any]:
    return [s for s in service.register(store)["settlements"] if s.loan_id == loan_id]


def test_two_closings_of_one_loan_close_it_once_and_refuse_the_other(live: Live) -> None:
    first = _approved_proposal(live, 0, "first")
    second = _approved_proposal(live, 0, "second")
    answers = _race(
        [_closer(live, "lender", first, "close-a"), _closer(live, "b0", second, "close-b")]
    )
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200, 409], [a.text for a in answers]
    refused = next(a for a in answers if a.status_code == 409).json()
    assert refused["code"] in ("LOAN_DISCHARGED", "QUOTE_STALE"), refused
    assert refused["detail"]
    assert len(_settlements_of(live.store, "loan-0")) == 1
    assert service.verify(live.store).ok


def test_both_parties_closing_one_settlement_at_once_close_it_once(live: Live) -> None:
    proposal = _approved_proposal(live, 1, "same")
    answers = _race(
        [_closer(live, "lender", proposal, "mine"), _closer(live, "b1", proposal, "theirs")]
    )
    assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
    assert next(a for a in answers if a.status_code == 409).json()["code"] == "ALREADY_CLOSED"
    assert len(_settlements_of(live.store, "loan-1")) == 1


def test_ten_clients_settling_ten_loans_lose_and_duplicate_nothing(live: Live) -> None:
    proposals = [_approved_proposal(live, i, f"loan-{i}") for i in range(LOANS)]
    calls = [_closer(live, f"b{i}", proposals[i], f"close-{i}") for i in range(LOANS)]
    # Every client sends its closing twice (a retry with the same key) in the same race.
    answers = _race(calls + calls)
    closed = set()
    for first, retry in zip(answers[:LOANS], answers[LOANS:], strict=True):
        # The retry waited for the first (the key is claimed in the closing's transaction)
        # and got its answer, byte for byte.
        assert first.status_code == retry.status_code == 200, (first.text, retry.text)
        assert first.content == retry.content
        assert {
            first.headers.get("Idempotent-Replayed"),
            retry.headers.get("Idempotent-Replayed"),
        } == {None, "true"}
        closed.add(first.json()["settlement_id"])
    assert len(closed) == LOANS
    for i in range(LOANS):
        (settlement,) = _settlements_of(live.store, f"loan-{i}")
        assert settlement.id in closed
    _, lender_entries = service.journal(live.store, "lender")
    settled = [e for e in lender_entries if e.kind == "settlement"]
    assert len(settled) == LOANS
    assert len({e.reference for e in settled}) == LOANS
    for i in range(LOANS):
        _, entries = service.journal(live.store, f"b{i}")
        assert [e.kind for e in entries].count("settlement") == 1
    assert service.verify(live.store).ok
