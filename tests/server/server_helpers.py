"""The server tests' helpers: a server over a store holding the reference deal and the
harbor example, with users.

Users: `berg-user` and `valence-user` (the reference deal's lender and borrower),
`harbor-user` (another deal's lender) and `berg-admin`, each with an API token.
The test modules import this by name (`from server_helpers import ...`), as the CLI's
import cli_helpers: a module named `conftest` is not unique once tests/server/web's
conftest is collected too.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from acquittance import service
from acquittance.deals.parse import read_deal_file
from acquittance.server.app import create_app
from acquittance.service import accounts

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
REFERENCE_DEAL = EXAMPLES / "valence-berg-2002.toml"
HARBOR_DEAL = EXAMPLES / "harbor-mortgage-surplus.toml"
REFERENCE_LOAN = "berg-valence-loan"
HARBOR_LOAN = "harbor-quill-loan"
USERS = {
    "berg-user": ("berg", False),
    "valence-user": ("valence", False),
    "harbor-user": ("harbor", False),
    "quill-user": ("quill", False),
    "berg-admin": ("berg", True),
}
PASSWORD = "correct horse battery"


@dataclass
class Served:
    store: service.Store
    client: TestClient
    tokens: dict[str, str]

    def headers(self, user: str, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[user]}", **extra}

    def get(self, user: str, path: str, **options: Any) -> Any:
        return self.client.get(path, headers=self.headers(user), **options)

    def post(self, user: str, path: str, body: Any = None, *, key: str | None = None) -> Any:
        headers = self.headers(user, **({"Idempotency-Key": key} if key else {}))
        return self.client.post(path, json=body, headers=headers)


def prepared_store(url: str, *, connections: int = 5) -> service.Store:
    store = service.Store(url, connections=connections)
    service.initialize(store)
    for deal in (REFERENCE_DEAL, HARBOR_DEAL):
        service.load_deal(store, read_deal_file(deal))
    return store


def make_users(store: service.Store, *, password: str | None = None) -> dict[str, str]:
    tokens = {}
    for name, (party, admin) in USERS.items():
        accounts.add_user(store, name, party_id=party, is_admin=admin, password=password)
        tokens[name], _ = accounts.create_token(store, name)
    return tokens


def serve(url: str) -> Iterator[Served]:
    store = prepared_store(url)
    tokens = make_users(store)
    with TestClient(create_app(store), raise_server_exceptions=False) as client:
        yield Served(store, client, tokens)
    store.close()
