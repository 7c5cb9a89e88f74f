"""Fixtures of the page tests: an app over a store with both examples, and signed-in clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pages_helpers import prepared_store, signed_in

from acquittance import service
from acquittance.server.app import create_app


@pytest.fixture
def pages_store(sqlite_url: str) -> Iterator[service.Store]:
    store = prepared_store(sqlite_url)
    yield store
    store.close()


@pytest.fixture
def app(pages_store: service.Store) -> FastAPI:
    return create_app(pages_store)


@pytest.fixture
def sign_in(app: FastAPI) -> Callable[[str], TestClient]:
    return lambda name: signed_in(app, name)


@pytest.fixture(scope="module")
def shared_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    """One app for a module whose tests change nothing in the store (each signs in anew)."""
    folder = tmp_path_factory.mktemp("shared")
    store = prepared_store(f"sqlite:///{folder / 'acquittance.db'}")
    yield create_app(store)
    store.close()
