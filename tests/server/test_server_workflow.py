"""The reference settlement carried through the API by both parties, on both stores."""

from __future__ import annotations

from fastapi.testclient import TestClient
from server_helpers import REFERENCE_LOAN, Served

from acquittance.server.app import create_app
from acquittance.service import verify


def _quote(served: Served, user: str = "berg-user") -> str:
    answer = served.post(user, f"/api/v1/loans/{REFERENCE_LOAN}/quotes", {"as_of": "2002-03-31"})
    assert answer.status_code == 201, answer.text
    document = answer.json()
    assert document["owed"]["principal"] == "17500000.00"
    assert document["owed"]["interest"] == "1140370.41"
    assert document["collateral"]["value"] == "18484981.73"
    assert document["cash"] == {**document["cash"], "amount": "155388.68", "payer": "valence"}
    return str(document["quote_id"])


def test_two_parties_propose_approve_and_close_the_reference_settlement(
    served_both: Served,
) -> None:
    served = served_both
    quote_id = _quote(served, "valence-user")
    proposed = served.post("valence-user", "/api/v1/settlements", {"quote_id": quote_id})
    assert proposed.status_code == 201, proposed.text
    settlement = proposed.json()
    assert (settlement["status"], settlement["approvals"]) == ("proposed", [])
    path = f"/api/v1/settlements/{settlement['id']}"

    early = served.post("berg-user", f"{path}/close")
    assert early.status_code == 409
    assert early.json()["code"] == "APPROVALS_MISSING"
    assert early.headers["content-type"].startswith("application/problem+json")

    first = served.post("berg-user", f"{path}/approvals")
    assert first.status_code == 200, first.text
    assert first.json()["approvals"] == ["berg"]
    assert first.json()["signatures"][0]["signatory"]["name"] == "Carl E. Berg"
    assert served.post("valence-user", f"{path}/close").json()["code"] == "APPROVALS_MISSING"
    second = served.post("valence-user", f"{path}/approvals", {"signatory": "Kevin W. Mischnick"})
    assert sorted(second.json()["approvals"]) == ["berg", "valence"]
    assert second.json()["status"] == "approved"

    closed = served.post("berg-user", f"{path}/close")
    assert closed.status_code == 200, closed.text
    document = closed.json()
    assert document["status"] == "closed"
    assert document["settlement_id"].startswith("stl-")
    assert document["settlement"]["loan_status"] == "discharged"

    again = served.post("valence-user", f"{path}/close")
    assert (again.status_code, again.json()["code"]) == (409, "ALREADY_CLOSED")

    for user, party in (("berg-user", "berg"), ("valence-user", "valence")):
        journal = served.get(user, f"/api/v1/parties/{party}/journal").json()
        settlements = [e for e in journal["entries"] if e["kind"] == "settlement"]
        assert len(settlements) == 1
        debits = sum(
            float(leg["amount"]) for leg in settlements[0]["legs"] if leg["amount"][0] != "-"
        )
        assert round(debits, 2) == 18640370.41
    loan = served.get("berg-user", f"/api/v1/loans/{REFERENCE_LOAN}").json()
    assert loan["status"] == "discharged"

    trail = served.get("berg-user", f"{path}/audit").json()
    assert [r["action"] for r in trail["records"]] == ["proposed", "approved", "approved", "closed"]
    assert [r["party"] for r in trail["records"]] == ["valence", "berg", "valence", "berg"]
    assert served.get("harbor-user", f"{path}/audit").status_code == 404
    assert verify(served.store).ok


def test_the_party_responsible_completes_its_obligations(served: Served) -> None:
    quote_id = _quote(served)
    settlement = served.post("berg-user", "/api/v1/settlements", {"quote_id": quote_id}).json()
    path = f"/api/v1/settlements/{settlement['id']}"
    served.post("berg-user", f"{path}/approvals")
    served.post("valence-user", f"{path}/approvals")
    assert served.post("valence-user", f"{path}/close").status_code == 200

    valence = served.get("valence-user", "/api/v1/obligations").json()["obligations"]
    berg = served.get("berg-user", "/api/v1/obligations").json()["obligations"]
    assert {o["kind"] for o in valence} == {"wire"}
    assert {o["party"] for o in berg} == {"berg"}
    wire = valence[0]["id"]
    refused = served.post(
        "berg-user", f"/api/v1/obligations/{wire}/completion", {"on": "2002-03-31"}
    )
    assert refused.status_code == 404
    done = served.post(
        "valence-user", f"/api/v1/obligations/{wire}/completion", {"on": "2002-03-31"}
    )
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "done"
    trail = served.get("valence-user", f"{path}/audit").json()["records"]
    assert trail[-1]["action"] == "obligation_completed"
    assert verify(served.store).ok


def test_each_party_downloads_the_agreement_drafted_from_the_quote(served: Served) -> None:
    quote_id = _quote(served)
    settlement = served.post("berg-user", "/api/v1/settlements", {"quote_id": quote_id}).json()
    path = f"/api/v1/settlements/{settlement['id']}/agreement"
    for user in ("berg-user", "valence-user"):
        drafted = served.get(user, f"{path}?format=md")
        assert drafted.status_code == 200, drafted.text
        assert drafted.headers["content-type"].startswith("text/markdown")
        assert "attachment" in drafted.headers["content-disposition"]
        assert "155,388.68" in drafted.text and "Berg & Berg Enterprises" in drafted.text
    word = served.get("valence-user", f"{path}?format=docx")
    assert word.content[:2] == b"PK"
    assert served.get("harbor-user", f"{path}?format=md").status_code == 404
    assert served.get("berg-user", f"{path}?format=exe").status_code == 422


def test_a_quote_that_no_longer_holds_is_not_closed(served: Served) -> None:
    from datetime import date
    from decimal import Decimal

    from acquittance import service
    from acquittance.core.instruments import Payment

    loan = "harbor-quill-loan"
    quote = served.post("harbor-user", f"/api/v1/loans/{loan}/quotes", {"as_of": "2024-06-30"})
    settlement = served.post(
        "quill-user", "/api/v1/settlements", {"quote_id": quote.json()["quote_id"]}
    ).json()
    path = f"/api/v1/settlements/{settlement['id']}"
    served.post("harbor-user", f"{path}/approvals")
    served.post("quill-user", f"{path}/approvals")
    service.record_event(served.store, loan, Payment(date(2024, 5, 15), Decimal("1000.00")))
    stale = served.post("harbor-user", f"{path}/close")
    assert (stale.status_code, stale.json()["code"]) == (409, "QUOTE_STALE"), stale.text
    assert "new quote" in stale.json()["detail"]
    assert served.get("harbor-user", path).json()["status"] == "approved"
    assert served.get("harbor-user", f"/api/v1/loans/{loan}").json()["status"] == "open"


def test_a_settlement_names_who_proposed_and_approved_it_read_or_remembered(
    served: Served,
) -> None:
    quote_id = _quote(served, "valence-user")
    proposed = served.post("valence-user", "/api/v1/settlements", {"quote_id": quote_id}).json()
    path = f"/api/v1/settlements/{proposed['id']}"
    served.post("berg-user", f"{path}/approvals")
    served.post("valence-user", f"{path}/approvals")
    # Another server over the same store has seen neither user: it reads their names.
    with TestClient(create_app(served.store)) as fresh:
        read = fresh.get(path, headers=served.headers("berg-admin")).json()
    remembered = served.post("berg-user", f"{path}/close").json()
    for document in (read, remembered):
        assert document["proposed_by"] == "valence-user"
        signed = {s["party"]: s["user"] for s in document["signatures"]}
        assert signed == {"berg": "berg-user", "valence": "valence-user"}
