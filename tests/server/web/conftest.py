"""Fixtures of the page tests: an app over a store with both examples, signed-in clients,
and headless chromium with a live server for the browser tests.

The page tests live in `web/`, with helpers of their own (pages_helpers.py,
browser_helpers.py), imported by name as the server tests import server_helpers.py.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_helpers import CHROMIUM_ARGS, chromium_path, live_server, missing_browser
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pages_helpers import prepared_store, signed_in

from acquittance import service
from acquittance.server.app import create_app


@pytest.fixture(scope="session")
def pages_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The prepared store, made once: each test gets its own copy of the file."""
    path = tmp_path_factory.mktemp("template") / "acquittance.db"
    prepared_store(f"sqlite:///{path}").close()  # closing checkpoints the WAL into the file
    assert not path.with_name(path.name + "-wal").exists()
    return path


@pytest.fixture
def pages_store(pages_template: Path, tmp_path: Path) -> Iterator[service.Store]:
    path = tmp_path / "acquittance.db"
    shutil.copyfile(pages_template, path)
    store = service.Store(f"sqlite:///{path}")
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


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless chromium (the system's), once per test session."""
    executable = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:  # pragma: no cover - the dev extra installs it
        missing_browser(f"Playwright for Python is not installed ({error})")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def live_url(app: FastAPI) -> Iterator[str]:
    with live_server(app) as url:
        yield url
