"""Idempotency-Key: the same key again returns the first answer and changes nothing."""

from __future__ import annotations

from server_helpers import REFERENCE_LOAN, Served
from sqlalchemy import text

from acquittance.service import accounts, register, saved_quotes

QUOTES = f"/api/v1/loans/{REFERENCE_LOAN}/quotes"


def test_the_same_key_returns_the_first_quote_and_saves_one(served: Served) -> None:
    first = served.post("berg-user", QUOTES, {"as_of": "2002-03-31"}, key="quote-1")
    again = served.post("berg-user", QUOTES, {"as_of": "2002-03-31"}, key="quote-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert len(saved_quotes(served.store)) == 1
    other = served.post("berg-user", QUOTES, {"as_of": "2002-03-31"}, key="quote-2")
    assert other.json()["quote_id"] != first.json()["quote_id"]


def test_a_key_is_one_request_another_body_is_refused(served: Served) -> None:
    served.post("berg-user", QUOTES, {"as_of": "2002-03-31"}, key="k")
    reused = served.post("berg-user", QUOTES, {"as_of": "2002-04-30"}, key="k")
    assert (reused.status_code, reused.json()["code"]) == (409, "IDEMPOTENCY_KEY_REUSED")
    assert len(saved_quotes(served.store)) == 1


def test_keys_are_each_users_own(served: Served) -> None:
    mine = served.post("berg-user", QUOTES, {"as_of": "2002-03-31"}, key="shared")
    theirs = served.post("valence-user", QUOTES, {"as_of": "2002-03-31"}, key="shared")
    assert mine.json()["quote_id"] != theirs.json()["quote_id"]


def test_a_retried_closing_closes_once_and_answers_the_same(served: Served) -> None:
    quote_id = served.post("berg-user", QUOTES, {"as_of": "2002-03-31"}).json()["quote_id"]
    proposal = served.post("berg-user", "/api/v1/settlements", {"quote_id": quote_id}, key="p")
    replayed = served.post("berg-user", "/api/v1/settlements", {"quote_id": quote_id}, key="p")
    assert proposal.json() == replayed.json()
    assert len(served.get("berg-user", "/api/v1/settlements").json()["settlements"]) == 1
    path = f"/api/v1/settlements/{proposal.json()['id']}"
    early = served.post("berg-user", f"{path}/close", key="close-early")
    assert early.json()["code"] == "APPROVALS_MISSING"
    served.post("berg-user", f"{path}/approvals", key="a1")
    served.post("valence-user", f"{path}/approvals", key="a2")
    # A refusal is an answer too: the same key gives it back; a new key closes.
    assert served.post("berg-user", f"{path}/close", key="close-early").status_code == 409
    closed = served.post("berg-user", f"{path}/close", key="close")
    again = served.post("berg-user", f"{path}/close", key="close")
    assert closed.status_code == again.status_code == 200
    assert closed.json() == again.json()
    assert len(register(served.store)["settlements"]) == 1


def test_a_claim_whose_request_never_answered_is_taken_over(served: Served) -> None:
    from datetime import UTC, datetime, timedelta

    from acquittance.service import idempotency
    from acquittance.service.audit import now_text

    user = next(u for u in accounts.list_users(served.store) if u.name == "berg-user")
    body = '{"as_of":"2002-03-31","notes":null,"values":null,"partial":false,"good_through":null}'
    # A claim with no answer, as a server that stopped between its work and its answer left it.
    with served.store.write() as session:
        session.execute(
            text(
                "INSERT INTO idempotency_keys (scope, key, method, path, request_digest,"
                " created_at) VALUES (:scope, 'k', 'POST', :path, :digest, :at)"
            ),
            {
                "scope": user.id,
                "path": QUOTES,
                "digest": idempotency.request_digest("POST", QUOTES, body),
                "at": now_text(),
            },
        )
    busy = served.post("berg-user", QUOTES, {"as_of": "2002-03-31"}, key="k")
    assert busy.json()["code"] == "IDEMPOTENCY_KEY_IN_USE"
    long_ago = now_text(datetime.now(UTC) - timedelta(hours=1))
    with served.store.write() as session:
        session.execute(text("UPDATE idempotency_keys SET created_at = :t"), {"t": long_ago})
    taken = served.post("berg-user", QUOTES, {"as_of": "2002-03-31"}, key="k")
    assert taken.status_code == 201, taken.text
    assert len(saved_quotes(served.store)) == 1


def test_a_replay_sends_the_first_answer_byte_for_byte(served: Served) -> None:
    first = served.post("berg-user", QUOTES, {"as_of": "2002-03-31"}, key="bytes")
    again = served.post("berg-user", QUOTES, {"as_of": "2002-03-31"}, key="bytes")
    assert again.headers["idempotent-replayed"] == "true"
    assert first.content == again.content
    assert first.headers["content-type"] == again.headers["content-type"] == "application/json"
