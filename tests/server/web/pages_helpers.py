"""A store with the reference deal and the harbor example, users with passwords, and
clients signed in through the sign-in page as a browser would be."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from acquittance import service
from acquittance.deals.parse import parse_deal, read_deal_file
from acquittance.service import accounts

ROOT = Path(__file__).resolve().parents[3]
REFERENCE_DEAL = ROOT / "examples" / "valence-berg-2002.toml"
HARBOR_DEAL = ROOT / "examples" / "harbor-mortgage-surplus.toml"
REFERENCE_AGREEMENT = (
    ROOT / "tests" / "agreements" / "fixtures" / "valence-berg-2002-letter-agreement.txt"
)
REFERENCE_LOAN = "berg-valence-loan"
HARBOR_LOAN = "harbor-quill-loan"
PASSWORD = "correct horse battery"
#: User name -> party.
USERS = {
    "berg-user": "berg",
    "valence-user": "valence",
    "harbor-user": "harbor",
    "quill-user": "quill",
}
_CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')


def prepared_store(url: str, *deal_texts: str) -> service.Store:
    """A migrated store holding both examples (and any deal given as text), with USERS."""
    store = service.Store(url)
    service.initialize(store)
    for deal in (REFERENCE_DEAL, HARBOR_DEAL):
        service.load_deal(store, read_deal_file(deal))
    for text in deal_texts:
        service.load_deal(store, parse_deal(text, source="test deal"))
    for name, party in USERS.items():
        accounts.add_user(store, name, party_id=party, password=PASSWORD)
    return store


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = _CSRF.search(html)
    assert found is not None, "the page has no form with a CSRF token"
    return found.group(1)


def signed_in(app: FastAPI, name: str, *, base_url: str = "http://testserver") -> TestClient:
    """A client signed in as `name` through the sign-in form."""
    client = TestClient(app, base_url=base_url, raise_server_exceptions=False)
    form = client.get("/login")
    answer = client.post(
        "/login",
        data={"name": name, "password": PASSWORD, "csrf_token": csrf_of(form.text), "next": ""},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return client


def post_form(client: TestClient, page: str, action: str, **fields: Any) -> Any:
    """Post the form of `page` to `action` with its CSRF token and `fields`, without following."""
    token = csrf_of(client.get(page).text)
    return client.post(action, data={"csrf_token": token, **fields}, follow_redirects=False)
