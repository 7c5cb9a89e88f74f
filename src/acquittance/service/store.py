"""The store a command opens once, and its creation or migration."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.engine import Engine

from acquittance.store import init_store, open_store, retrying, transaction
from acquittance.store.engine import POOL_SIZE
from acquittance.store.location import describe, resolve_url
from acquittance.store.repository import Repository

T = TypeVar("T")
#: A unit of work: what a use case does inside a write transaction it is given. The
#: faces compose them (under an idempotency key) without touching the store themselves.
Work = Callable[[Repository], T]


class Store:
    """A store opened once per command; every use case runs in its own transaction."""

    def __init__(self, url: str, *, connections: int = POOL_SIZE) -> None:
        self.url = url
        self.connections = connections
        self._engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = open_store(self.url, connections=self.connections)
        return self._engine

    def open(self) -> None:
        """Open the store now: a missing, foreign or outdated store is refused before any work."""
        _ = self.engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def read(self) -> Any:
        return transaction(self.engine, write=False)

    def write(self) -> Any:
        return transaction(self.engine, write=True)

    def write_retrying(self, work: Work[T]) -> T:
        """Run `work` in a write transaction, again when it lost a race (bounded, with jitter).

        Only for work that is safe to run twice: everything it did is rolled
        back before it runs again, and it re-reads what it decides on.
        """
        return retrying(self.engine, lambda session: work(Repository(session)))

    def describe(self) -> str:
        """Where the store is, for people (a path, or a URL without its password)."""
        return describe(self.url)


def store_at(db: str | None, *, connections: int = POOL_SIZE) -> Store:
    """The store `--db` names (a path or URL), else $ACQUITTANCE_DB, else the per-user file."""
    return Store(resolve_url(db), connections=connections)


def initialize(store: Store) -> None:
    """Create the store, or migrate it to the newest schema."""
    init_store(store.url).dispose()
