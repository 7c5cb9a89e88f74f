"""Closing many settlements from one file: each line its own closing, results in input order.

A batch file is CSV with the header `loan,as_of,key` (and optionally
`fingerprint`, the quote that was approved) or JSON Lines with those keys.
Each line is closed independently by `settle` under its own idempotency key,
so one refusal affects only its line, and running the same file again closes
nothing twice: every line that closed answers with its first settlement.
With several workers, lines are closed in parallel, each worker on its own
connection from the store's pool; results still come out in input order.
"""

from __future__ import annotations

import csv
import gc
import io
import json
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final

from acquittance.core.dates import parse_date
from acquittance.core.errors import AcquittanceError, InputError
from acquittance.core.text import check_idempotency_key
from acquittance.service.optimistic import settle_decided
from acquittance.service.quote import QuoteRequest
from acquittance.service.settle import Attempt, ClosedSettlement, settle_many
from acquittance.service.store import Store
from acquittance.service.together import settle_together

#: The most lines one batch file may hold; split larger batches into several files.
BATCH_LINES_MAX: Final = 1_000_000
#: The most bytes a batch file may have.
BATCH_FILE_BYTES_MAX: Final = 200 * 1024 * 1024
#: The most workers closing at once (each holds one database connection).
WORKERS_MAX: Final = 64
_COLUMNS: Final = ("loan", "as_of", "key")
_OPTIONAL: Final = ("fingerprint",)


@dataclass(frozen=True)
class BatchLine:
    """One line of a batch file: a loan to close on a date under a key, or why it cannot be."""

    number: int  # 1-based, counting data lines only
    loan_id: str
    as_of: date | None
    key: str
    fingerprint: str | None = None
    error: AcquittanceError | None = None


@dataclass(frozen=True)
class BatchResult:
    """What happened to one line."""

    loan_id: str
    key: str
    settlement_id: str | None = None
    error: AcquittanceError | None = None

    @property
    def closed(self) -> bool:
        return self.error is None


def read_batch(path: Path) -> list[BatchLine]:
    """The lines of a batch file (CSV or JSON Lines), each checked; a bad line is kept as such."""
    try:
        size = path.stat().st_size
    except OSError as error:
        raise InputError(
            "BATCH_NOT_READABLE", f"cannot read batch file {path}: {error.strerror}"
        ) from None
    if size > BATCH_FILE_BYTES_MAX:
        raise InputError(
            "BATCH_TOO_LARGE",
            f"batch file {path} has {size} bytes; at most {BATCH_FILE_BYTES_MAX} are read at "
            "once: split it into several files",
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(
            "BATCH_NOT_READABLE", f"cannot read batch file {path} as UTF-8 text: {error}"
        ) from None
    return parse_batch(text, source=str(path))


def parse_batch(text: str, *, source: str = "batch") -> list[BatchLine]:
    stripped = text.lstrip()
    records = _json_lines(text, source) if stripped.startswith("{") else _csv(text, source)
    lines = [_line(number, record) for number, record in enumerate(records, start=1)]
    if len(lines) > BATCH_LINES_MAX:
        raise InputError(
            "BATCH_TOO_LARGE",
            f"{source} has {len(lines)} lines; at most {BATCH_LINES_MAX} are closed in one batch",
        )
    return lines


def _csv(text: str, source: str) -> list[dict[str, Any] | AcquittanceError]:
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip() for name in reader.fieldnames or ()]
    missing = [name for name in _COLUMNS if name not in header]
    unknown = [name for name in header if name not in (*_COLUMNS, *_OPTIONAL)]
    if missing or unknown:
        raise InputError(
            "BATCH_HEADER",
            f"{source} must start with the header loan,as_of,key (and optionally fingerprint); "
            + (f"missing {', '.join(missing)}" if missing else f"unknown {', '.join(unknown)}"),
        )
    reader.fieldnames = header
    rows: list[dict[str, Any] | AcquittanceError] = []
    for row in reader:
        if None in row:
            rows.append(InputError("BATCH_LINE", f"line {reader.line_num} has extra cells"))
            continue
        rows.append({k: (v or "").strip() for k, v in row.items()})
    return rows


def _json_lines(text: str, source: str) -> list[dict[str, Any] | AcquittanceError]:
    rows: list[dict[str, Any] | AcquittanceError] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as error:
            rows.append(InputError("BATCH_LINE", f"line {number} is not JSON: {error.msg}"))
            continue
        if not isinstance(value, dict):
            rows.append(InputError("BATCH_LINE", f"line {number} is not a JSON object"))
            continue
        unknown = sorted(set(value) - {*_COLUMNS, *_OPTIONAL})
        if unknown:
            rows.append(
                InputError("BATCH_LINE", f"line {number} has unknown keys {', '.join(unknown)}")
            )
            continue
        rows.append(value)
    return rows


def _line(number: int, record: dict[str, Any] | AcquittanceError) -> BatchLine:
    if isinstance(record, AcquittanceError):
        return BatchLine(number, "", None, "", error=record)
    loan_id, key = str(record.get("loan") or ""), str(record.get("key") or "")
    fingerprint = record.get("fingerprint") or None
    try:
        if not loan_id:
            raise InputError("BATCH_LINE", f"line {number} names no loan")
        if not key:
            raise InputError(
                "INVALID_KEY", f"line {number} has no key; every closing needs its own key"
            )
        check_idempotency_key(key)
        as_of = parse_date(str(record.get("as_of") or ""), field=f"as_of on line {number}")
    except AcquittanceError as error:
        return BatchLine(number, loan_id, None, key, error=error)
    return BatchLine(number, loan_id, as_of, key, str(fingerprint) if fingerprint else None)


#: Closings committed together on one connection (group commit, see `settle_many`):
#: the commit is most of a closing's cost at full durability, and a group pays it once.
#: On a server, groups are what the workers share out, so they stay small enough that
#: every worker has several.
GROUP_LINES: Final = 32
#: Connections one process closes from, as threads: measured on PostgreSQL, 16 threads of
#: one process close as fast as two processes of 8, without starting a second interpreter.
CONNECTIONS_PER_PROCESS: Final = 16
#: On SQLite, groups are decided in one process per CPU and written in turn: small enough
#: that one process decides while another writes (measured: 64 beats 32 and 128).
GROUP_LINES_SQLITE: Final = 64


def settle_batch(
    store: Store,
    lines: Iterable[BatchLine],
    *,
    workers: int = 1,
    on_result: Callable[[BatchResult], None] | None = None,
) -> Iterator[BatchResult]:
    """Close each line; yield the results in input order once each is durable.

    Lines are closed in groups (GROUP_LINES, on SQLite GROUP_LINES_SQLITE),
    each group one transaction and each line a savepoint in it (`settle_many`).
    With several workers on a server store, groups run from `workers`
    connections, as threads, CONNECTIONS_PER_PROCESS to a process and up to
    one process per CPU (a closing is mostly Python: past that many threads,
    one process would wait on itself); a server's group is read at once, under
    its locks, and written together (`together`). On SQLite, whose writers take turns on
    the file, a batch of several groups is decided in one process per CPU, each
    group on a snapshot, and the groups are written in input order, each after
    checking that what its closings read still holds (`optimistic`): the
    answers are those of closing the groups one after another.
    """
    if not 1 <= workers <= WORKERS_MAX:
        raise InputError(
            "INVALID_WORKERS", f"--workers {workers} must be between 1 and {WORKERS_MAX}"
        )
    store.open()  # the store is checked even when no line is valid (or there are none)
    processes = min(-(-workers // CONNECTIONS_PER_PROCESS), os.cpu_count() or 1)
    sqlite = store.url.startswith("sqlite")
    groups = _groups(list(lines), GROUP_LINES_SQLITE if sqlite else GROUP_LINES)
    deciders = min(os.cpu_count() or 1, len(groups))
    if sqlite and deciders > 1 and "fork" in multiprocessing.get_all_start_methods():
        results: Iterator[list[BatchResult]] = _decided_in_processes(
            store, groups, processes=deciders
        )
    elif workers == 1:
        results = (_close_group(store, group) for group in groups)
    elif processes > 1 and not sqlite:
        results = _in_processes(store.url, groups, workers=workers, processes=processes)
    else:
        results = _in_threads(store, groups, workers=workers)
    for group_results in results:
        for result in group_results:
            if on_result is not None:
                on_result(result)
            yield result


def _groups(lines: list[BatchLine], size: int) -> list[list[BatchLine]]:
    return [lines[i : i + size] for i in range(0, len(lines), size)]


def _in_threads(
    store: Store, groups: list[list[BatchLine]], *, workers: int
) -> Iterator[list[BatchResult]]:
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="settle") as pool:
        # map() keeps input order and runs ahead of the consumer by the pool's width.
        yield from pool.map(lambda group: _close_group(store, group), groups)


_worker_store: Store | None = None
_worker_threads: ThreadPoolExecutor | None = None


def _in_processes(
    url: str, groups: list[list[BatchLine]], *, workers: int, processes: int
) -> Iterator[list[BatchResult]]:
    threads = -(-workers // processes)  # ceiling: every process gets its share of connections
    # A process is handed as many groups at a time as it has connections.
    handed = [groups[i : i + threads] for i in range(0, len(groups), threads)]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=processes,
        mp_context=context,
        initializer=_start_worker,
        initargs=(url, threads),
    ) as pool:
        for results in pool.map(_close_groups, handed):
            yield from results


def _start_worker(url: str, threads: int) -> None:
    global _worker_store, _worker_threads
    _worker_store = Store(url, connections=threads)
    _worker_threads = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="settle")
    gc.freeze()  # a worker's start-up lives as long as it: out of the collector's sweeps


def _close_groups(groups: list[list[BatchLine]]) -> list[list[BatchResult]]:
    assert _worker_store is not None and _worker_threads is not None
    store = _worker_store
    return list(_worker_threads.map(lambda group: _close_group(store, group), groups))


_turns: Any = None
_next_turn: Any = None
_batch_pid: int | None = None
#: How often a process waiting for its turn checks that the batch command still runs.
_TURN_POLL_SECONDS: Final = 1.0
_PR_SET_PDEATHSIG: Final = 1  # linux/prctl.h
_ORPHANED_EXIT: Final = 3


def _decided_in_processes(
    store: Store, groups: list[list[BatchLine]], *, processes: int
) -> Iterator[list[BatchResult]]:
    """SQLite: each process decides its groups' closings on a snapshot, then writes them in
    its turn (`optimistic.settle_decided`); the processes decide while another writes.

    Groups write in input order, one at a time, so every answer is the one
    closing them in turn would give. The processes are forked (start-up done)
    from a process with no connection to the file open: a SQLite connection
    must not cross a fork.
    """
    store.close()
    context = multiprocessing.get_context("fork")
    turns, next_turn = context.Condition(), context.Value("q", 0)
    with ProcessPoolExecutor(
        max_workers=processes,
        mp_context=context,
        initializer=_start_decider,
        initargs=(store.url, turns, next_turn),
    ) as pool:
        yield from pool.map(_decide_group, enumerate(groups))


def _start_decider(url: str, turns: Any, next_turn: Any) -> None:
    global _worker_store, _turns, _next_turn, _batch_pid
    _worker_store = Store(url, connections=1)
    _turns, _next_turn = turns, next_turn
    _batch_pid = os.getppid()
    _die_with_the_batch()


def _die_with_the_batch() -> None:
    """On Linux, the kernel ends this process when the batch command ends (PR_SET_PDEATHSIG),
    whatever it is doing: a group it has not committed is undone, as a kill would undo it."""
    if sys.platform == "linux":
        import ctypes
        import signal

        ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    _stop_if_orphaned()  # the command may have ended before the request was made


def _stop_if_orphaned() -> None:
    """A deciding process writes nothing once the batch command is gone (killed, say):
    no closing is committed after the command that reports it has stopped."""
    if os.getppid() != _batch_pid:
        os._exit(_ORPHANED_EXIT)


@contextmanager
def _turn(index: int) -> Iterator[None]:
    """Hold the write turn of group `index`: after every group before it has written."""
    with _turns:
        while not _turns.wait_for(lambda: _next_turn.value == index, _TURN_POLL_SECONDS):
            _stop_if_orphaned()
    _stop_if_orphaned()
    try:
        yield
    finally:
        with _turns:
            _next_turn.value = index + 1
            _turns.notify_all()


def _decide_group(numbered: tuple[int, list[BatchLine]]) -> list[BatchResult]:
    index, group = numbered
    assert _worker_store is not None
    taken = False

    def writing() -> AbstractContextManager[None]:
        nonlocal taken
        taken = True
        return _turn(index)

    try:
        return _close_group(
            _worker_store,
            group,
            closer=lambda store, attempts: settle_decided(store, attempts, writing=writing),
        )
    except BaseException:
        if not taken:  # failed before its turn: the groups after it must not wait on it
            with _turn(index):
                pass
        raise


def _close_group(
    store: Store,
    group: list[BatchLine],
    *,
    closer: Callable[[Store, list[Attempt]], list[ClosedSettlement | AcquittanceError]]
    | None = None,
) -> list[BatchResult]:
    if closer is None:
        closer = settle_many if store.url.startswith("sqlite") else settle_together
    valid = [line for line in group if line.error is None and line.as_of is not None]
    attempts = [
        Attempt(QuoteRequest(loan_id=line.loan_id, as_of=line.as_of), line.key, line.fingerprint)
        for line in valid
        if line.as_of is not None
    ]
    answers = dict(zip((line.number for line in valid), closer(store, attempts), strict=True))
    results = []
    for line in group:
        answer = answers.get(line.number, line.error)
        if isinstance(answer, ClosedSettlement):
            results.append(BatchResult(line.loan_id, line.key, settlement_id=answer.id))
        else:
            results.append(BatchResult(line.loan_id, line.key, error=answer))
    return results
