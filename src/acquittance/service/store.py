"""The store a command opens once, and its creation or migration."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine

from acquittance.store import init_store, open_store, transaction


class Store:
    """A store opened once per command; every use case runs in its own transaction."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = open_store(self.url)
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def read(self) -> Any:
        return transaction(self.engine, write=False)

    def write(self) -> Any:
        return transaction(self.engine, write=True)


def initialize(url: str) -> None:
    """Create the store, or migrate it to the newest schema."""
    init_store(url).dispose()
