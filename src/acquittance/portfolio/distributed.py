"""The same kernel over a partitioned book on Dask: one task per book file.

A partitioned book is a folder of Parquet book files (`partition_book`
writes one). Each task streams its file through the engine on a worker and
writes its positions beside the others (`part-NNNNN.parquet` in a folder the
driver and the workers share) or, without an output folder, sends back only
its totals. The driver adds the totals up in partition order and, for one
output file, appends the parts in order. The figures are those of the
single-process run, row for row: the tasks run the same engine on the same
rows.

`client_for(scheduler=..., local_workers=...)` connects to an existing
scheduler (`tcp://host:8786`) or starts a `LocalCluster` of that many
single-threaded worker processes on this machine.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from acquittance.core.errors import InputError
from acquittance.portfolio.columns import Book, window
from acquittance.portfolio.parquet import (
    NO_POSITIONS,
    PositionsTotals,
    PositionsWriter,
    book_files,
    write_book,
)
from acquittance.portfolio.stream import stream_positions

LOCAL_WORKERS_MAX = 64
#: How long to try to reach a scheduler before giving up.
CONNECT_TIMEOUT = "20s"


def partition_book(book: Book, folder: Path, *, partitions: int) -> list[Path]:
    """Write `book` as `partitions` files of consecutive instruments in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    size = len(book)
    per = max(1, math.ceil(size / max(partitions, 1)))
    paths = []
    for number, low in enumerate(range(0, max(size, 1), per)):
        path = folder / f"book-{number:05d}.parquet"
        write_book(window(book, low, min(low + per, size)), path)
        paths.append(path)
    return paths


def _partition_task(book_file: str, as_of: date, part_file: str | None) -> PositionsTotals:
    """One partition on a worker (a module-level function: Dask pickles it by name)."""
    return stream_positions(
        Path(book_file), as_of, output=Path(part_file) if part_file is not None else None
    )


@contextmanager
def client_for(*, scheduler: str | None = None, local_workers: int | None = None) -> Iterator[Any]:
    """A Dask client: to the scheduler at `scheduler`, else to a new local cluster."""
    from dask.distributed import Client, LocalCluster  # untyped: calls are checked by tests

    if scheduler is not None:
        with Client(scheduler, timeout=CONNECT_TIMEOUT) as client:  # type: ignore[no-untyped-call]
            yield client
        return
    workers = 1 if local_workers is None else local_workers
    if not 1 <= workers <= LOCAL_WORKERS_MAX:
        raise InputError(
            "INVALID_WORKERS",
            f"--local-workers {workers} must be from 1 to {LOCAL_WORKERS_MAX}",
        )
    with (
        LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            scheduler_kwargs={"dashboard": False},
            silence_logs=40,
        ) as cluster,
        Client(cluster) as client,  # type: ignore[no-untyped-call]
    ):
        yield client


def dask_positions(
    client: Any,
    book_path: Path,
    as_of: date,
    *,
    output: Path | None = None,
    parts_folder: Path | None = None,
    on_partition: Callable[[int], None] | None = None,
) -> PositionsTotals:
    """Positions of a partitioned book (a folder of book files, or one file) on `client`.

    With `output`, the parts are written to `parts_folder` (which the workers
    must reach; next to `output` by default) and then joined into `output`,
    in partition order.
    """
    files = book_files(book_path)
    parts: list[Path | None] = [None] * len(files)
    if output is not None:
        folder = parts_folder or output.with_name(output.name + ".parts")
        folder.mkdir(parents=True, exist_ok=True)
        parts = [folder / f"part-{number:05d}.parquet" for number in range(len(files))]
    futures = client.map(
        _partition_task,
        [str(file) for file in files],
        [as_of] * len(files),
        [str(part) if part is not None else None for part in parts],
        pure=False,
    )
    totals = NO_POSITIONS
    for future, file in zip(futures, files, strict=True):
        totals = totals + future.result()
        if on_partition is not None:
            on_partition(pq.ParquetFile(file).metadata.num_rows)
    if output is not None:
        _join(parts, output)
    return totals


def _join(parts: list[Path | None], output: Path) -> None:
    writer = PositionsWriter(output)
    try:
        for part in parts:
            assert part is not None
            writer.write(pq.read_table(part))
            part.unlink()
        parts_folder = parts[0].parent if parts and parts[0] is not None else None
        if parts_folder is not None and not any(parts_folder.iterdir()):
            parts_folder.rmdir()
    finally:
        writer.close()
