"""Credentials and per-party access: 401 without a live token; another party's data is 404,
answered exactly as an id that does not exist, and no listing or message names it."""

from __future__ import annotations

import re

import pytest
from server_helpers import HARBOR_LOAN, REFERENCE_LOAN, Served

from acquittance.service import accounts, saved_quotes


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x", path)


def test_healthz_and_the_schema_answer_without_credentials(served: Served) -> None:
    assert served.client.get("/healthz").json()["status"] == "ok"
    schema = served.client.get("/openapi.json").json()
    assert all(path.startswith("/api/v1/") for path in schema["paths"] if path != "/healthz")
    assert "/api/v1/loans" in schema["paths"]


def test_every_api_route_without_a_token_answers_401(served: Served) -> None:
    schema = served.client.get("/openapi.json").json()
    routes = [
        (method, _concrete(path))
        for path, operations in schema["paths"].items()
        if path.startswith("/api/v1")
        for method in operations
    ]
    assert len(routes) >= 20
    for method, path in routes:
        for headers in ({}, {"Authorization": "Bearer acq_not-a-token"}, {"Authorization": "x"}):
            answer = served.client.request(method, path, headers=headers, json={})
            assert answer.status_code == 401, (method, path, headers, answer.text)
            assert answer.headers["content-type"].startswith("application/problem+json")
            assert answer.json()["code"] == "UNAUTHENTICATED"
            assert answer.headers["www-authenticate"] == "Bearer"


def test_a_revoked_token_answers_401(served: Served) -> None:
    assert served.get("berg-user", "/api/v1/loans").status_code == 200
    (record,) = accounts.list_tokens(served.store, user_name="berg-user")
    accounts.revoke_token(served.store, record.id)
    assert served.get("berg-user", "/api/v1/loans").status_code == 401


@pytest.mark.parametrize(
    ("user", "own", "other"),
    [("berg-user", REFERENCE_LOAN, HARBOR_LOAN), ("harbor-user", HARBOR_LOAN, REFERENCE_LOAN)],
)
def test_each_party_lists_only_its_own_loans(
    served_both: Served, user: str, own: str, other: str
) -> None:
    loans = served_both.get(user, "/api/v1/loans").json()["loans"]
    assert [loan["id"] for loan in loans] == [own]
    assert served_both.get(user, f"/api/v1/loans/{own}").json()["id"] == own
    assert served_both.get(user, f"/api/v1/loans/{other}").status_code == 404


def _same_refusal(served: Served, user: str, hidden: str, missing: str) -> None:
    """A hidden record's 404 is the one a record that does not exist gets, id for id."""
    seen = served.get(user, hidden)
    absent = served.get(user, missing)
    assert seen.status_code == absent.status_code == 404, (hidden, seen.text)
    hidden_body, absent_body = seen.json(), absent.json()
    (hidden_id, missing_id), *_ = [
        (a, b) for a, b in zip(hidden.split("/"), missing.split("/"), strict=True) if a != b
    ]
    assert hidden_body["code"] == absent_body["code"]
    assert hidden_body["detail"].replace(hidden_id, "ID") == absent_body["detail"].replace(
        missing_id, "ID"
    )


def test_another_partys_records_are_refused_as_if_they_did_not_exist(served: Served) -> None:
    quote = served.post(
        "berg-user", f"/api/v1/loans/{REFERENCE_LOAN}/quotes", {"as_of": "2002-03-31"}
    )
    quote_id = quote.json()["quote_id"]
    proposal = served.post("berg-user", "/api/v1/settlements", {"quote_id": quote_id}).json()
    for hidden, missing in (
        (f"/api/v1/loans/{REFERENCE_LOAN}", "/api/v1/loans/no-such-loan"),
        ("/api/v1/notes/valence-note-1", "/api/v1/notes/no-such-note"),
        ("/api/v1/parties/berg/journal", "/api/v1/parties/no-such-party/journal"),
        ("/api/v1/parties/berg/trial-balance", "/api/v1/parties/nobody/trial-balance"),
        (f"/api/v1/quotes/{quote_id}", "/api/v1/quotes/q-000000000000"),
        (f"/api/v1/settlements/{proposal['id']}", "/api/v1/settlements/prp-0000000000000000"),
        (f"/api/v1/settlements/{proposal['id']}/audit", "/api/v1/settlements/prp-0/audit"),
    ):
        _same_refusal(served, "harbor-user", hidden, missing)


def test_no_refusal_or_listing_names_another_partys_ids(served: Served) -> None:
    served.post("berg-user", f"/api/v1/loans/{REFERENCE_LOAN}/quotes", {"as_of": "2002-03-31"})
    texts = [
        served.get("harbor-user", path).text
        for path in (
            "/api/v1/loans",
            "/api/v1/notes",
            "/api/v1/quotes",
            "/api/v1/settlements",
            "/api/v1/closings",
            "/api/v1/obligations",
            "/api/v1/positions?as_of=2024-06-30",
            "/api/v1/loans/nope",
            "/api/v1/notes/nope",
            "/api/v1/quotes/nope",
            "/api/v1/instruments/nope/position?as_of=2024-06-30",
            "/api/v1/parties/nope/journal",
        )
    ]
    for text in texts:
        assert "berg" not in text and "valence" not in text, text


def test_a_quote_naming_another_partys_note_is_refused_as_an_unknown_note(served: Served) -> None:
    path = f"/api/v1/loans/{HARBOR_LOAN}/quotes"
    hidden = served.post("harbor-user", path, {"as_of": "2024-06-30", "notes": ["valence-note-1"]})
    missing = served.post("harbor-user", path, {"as_of": "2024-06-30", "notes": ["no-such-note"]})
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["detail"].replace("valence-note-1", "ID") == missing.json()[
        "detail"
    ].replace("no-such-note", "ID")


def test_a_quote_of_another_partys_loan_saves_nothing(served: Served) -> None:
    refused = served.post(
        "harbor-user", f"/api/v1/loans/{REFERENCE_LOAN}/quotes", {"as_of": "2002-03-31"}
    )
    assert refused.status_code == 404
    assert saved_quotes(served.store) == []


def test_a_party_cannot_propose_approve_or_close_what_it_is_not_on(served: Served) -> None:
    quote_id = served.post(
        "berg-user", f"/api/v1/loans/{REFERENCE_LOAN}/quotes", {"as_of": "2002-03-31"}
    ).json()["quote_id"]
    assert (
        served.post("harbor-user", "/api/v1/settlements", {"quote_id": quote_id}).status_code == 404
    )
    proposal = served.post("berg-user", "/api/v1/settlements", {"quote_id": quote_id}).json()
    path = f"/api/v1/settlements/{proposal['id']}"
    assert served.post("harbor-user", f"{path}/approvals").status_code == 404
    assert served.post("harbor-user", f"{path}/close").status_code == 404
    assert served.get("berg-user", path).json()["approvals"] == []


def test_positions_list_the_partys_instruments_on_a_date(served: Served) -> None:
    document = served.get("berg-user", "/api/v1/positions?as_of=2002-03-31").json()
    loan = next(p for p in document["positions"] if p["instrument"] == REFERENCE_LOAN)
    assert (loan["principal"], loan["interest"]) == ("17500000.00", "1140370.41")
    assert {p["kind"] for p in document["positions"]} == {"loan", "note"}
    position = served.get(
        "berg-user", f"/api/v1/instruments/{REFERENCE_LOAN}/position?as_of=2002-03-31"
    ).json()
    assert position["total"] == "18640370.41"


def test_verify_is_for_admins(served: Served) -> None:
    assert served.get("berg-admin", "/api/v1/verify").json()["ok"] is True
    refused = served.get("berg-user", "/api/v1/verify")
    assert (refused.status_code, refused.json()["code"]) == (403, "FORBIDDEN")


def test_me_names_the_caller_and_its_party(served: Served) -> None:
    assert served.get("valence-user", "/api/v1/me").json() == {
        **served.get("valence-user", "/api/v1/me").json(),
        "name": "valence-user",
        "party": "valence",
        "admin": False,
    }
