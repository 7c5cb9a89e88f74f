"""Store fixtures: a migrated store on each backend, and the reference deal loaded in it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from store_factories import Deal, load_deal, reference_deal

from acquittance.store import migrate, open_store, transaction
from acquittance.store.repository import Repository


@pytest.fixture
def deal() -> Deal:
    return reference_deal()


@pytest.fixture
def engine(store_url: str) -> Iterator[Engine]:
    """A migrated, empty store on each backend."""
    migrate(store_url)
    opened = open_store(store_url)
    yield opened
    opened.dispose()


@pytest.fixture
def loaded(engine: Engine, deal: Deal) -> Engine:
    """The store with the reference deal loaded."""
    with transaction(engine) as session:
        load_deal(Repository(session), deal)
    return engine
