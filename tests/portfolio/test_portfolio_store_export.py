"""The store's book read in chunks: the same loans and notes as the repository gives, in a
bounded number of statements, and written as the same book, file by file."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from portfolio_helpers import loaded_store
from sqlalchemy import event

from acquittance.portfolio.columns import book_of, instrument_at
from acquittance.portfolio.distributed import partition_book
from acquittance.portfolio.parquet import book_files, read_book
from acquittance.service.portfolio import export_book
from acquittance.store.book_export import instrument_chunks, instruments_count
from acquittance.store.repository import Repository


@pytest.mark.parametrize("size", [1, 2, 3, 1000])
def test_chunks_are_the_stores_instruments_in_two_statements_each(
    tmp_path: Path, size: int
) -> None:
    store = loaded_store(f"sqlite:///{tmp_path / 'store.db'}")
    with store.read() as session:
        repo = Repository(session)
        expected = [*repo.list_loans(), *repo.list_notes()]
        loans, notes = instruments_count(session)
        statements: list[str] = []

        def counted(*arguments: Any) -> None:
            statements.append(arguments[2])

        connection = session.connection()
        event.listen(connection, "before_cursor_execute", counted)
        try:
            chunks = list(instrument_chunks(session, size=size))
        finally:
            event.remove(connection, "before_cursor_execute", counted)
    assert [i for chunk in chunks for i in chunk] == expected
    assert all(len(chunk) <= size for chunk in chunks)
    assert len(statements) >= len(chunks)
    # Two per chunk, and one more where a table's last chunk was full.
    assert len(statements) <= 2 * (math.ceil(loans / size) + math.ceil(notes / size)) + 2


@pytest.mark.parametrize("partitions", [1, 2, 3, 9])
def test_the_streamed_export_is_the_book_of_the_stores_instruments(
    tmp_path: Path, partitions: int
) -> None:
    store = loaded_store(f"sqlite:///{tmp_path / 'store.db'}")
    with store.read() as session:
        repo = Repository(session)
        instruments = [*repo.list_loans(), *repo.list_notes()]
    target = tmp_path / ("book" if partitions > 1 else "book.parquet")
    written = export_book(store, target, partitions=partitions)
    expected = partition_book(book_of(instruments), tmp_path / "whole", partitions=partitions)
    assert written.files == (len(expected) if partitions > 1 else 1)
    assert [len(read_book(f)) for f in book_files(target)] == (
        [len(read_book(f)) for f in expected] if partitions > 1 else [len(instruments)]
    )
    book = read_book(target)
    back = [instrument_at(book, row) for row in range(len(book))]
    assert [(i.id, i.terms, i.events) for i in back] == [
        (i.id, i.terms, i.events) for i in instruments
    ]
