"""Past one machine: the same kernel over a partitioned book on a Dask cluster of several
workers gives the single-process run's rows, in order, and its totals."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from test_portfolio_book import synthetic_book
from test_portfolio_parquet import odd_instruments

from acquittance.portfolio.columns import book_of
from acquittance.portfolio.distributed import client_for, dask_positions, partition_book
from acquittance.portfolio.parquet import write_book
from acquittance.portfolio.stream import stream_positions

AS_OF = date(2024, 6, 30)


@pytest.fixture(scope="module")
def cluster_client() -> Iterator[Any]:
    with client_for(local_workers=3) as client:
        yield client


def test_a_partitioned_book_on_three_workers_is_the_single_process_run(
    tmp_path: Path, cluster_client: Any
) -> None:
    book = book_of([*odd_instruments(), *synthetic_book(400)])
    write_book(book, tmp_path / "book.parquet")
    partition_book(book, tmp_path / "parts", partitions=7)
    single = stream_positions(tmp_path / "book.parquet", AS_OF, output=tmp_path / "one.parquet")
    spread = dask_positions(
        cluster_client, tmp_path / "parts", AS_OF, output=tmp_path / "many.parquet"
    )
    assert spread == single
    assert pq.read_table(tmp_path / "many.parquet").equals(pq.read_table(tmp_path / "one.parquet"))
    assert not (tmp_path / "many.parquet.parts").exists()
    workers = cluster_client.scheduler_info()["workers"]
    assert len(workers) == 3


def test_totals_only_when_no_output_is_asked_for(tmp_path: Path, cluster_client: Any) -> None:
    book = book_of(synthetic_book(90))
    partition_book(book, tmp_path / "parts", partitions=3)
    write_book(book, tmp_path / "book.parquet")
    assert dask_positions(cluster_client, tmp_path / "parts", AS_OF) == stream_positions(
        tmp_path / "book.parquet", AS_OF
    )
