"""Closings per second on SQLite and PostgreSQL, each against the raw limit of its store.

Every figure is a ratio to a baseline measured in the same run on the same
machine: raw transactions that insert as many rows as one closing writes
(counted as the total rows of every table before and after, divided by the
closings). The deal is one lender and N borrowers, each with one loan secured
by one note, settled as of 2024-06-30: the same shape the outside load checks
use.

- SQLite (WAL, synchronous=FULL): `settle_batch` as the command runs it (groups
  decided in one process per CPU, written in turn), against raw
  `BEGIN IMMEDIATE` transactions of the same rows; and the statements one
  closing issues, by kind, counted on the store's engine.
- PostgreSQL, C clients (16) closing distinct loans: `settle_batch` with C
  workers, as `settle --batch --workers C` runs it, against C raw connections
  committing the same rows; then as many more loans closed one call each
  (`service.settle` from C threads, each call its own transaction and timed:
  what a caller closing one loan at a time sees). And C clients racing one
  loan under distinct keys: one closes, the others must be refused with a code.

The PostgreSQL figures run in a database made for the run and dropped after it;
without a server they are reported as skipped.
"""

from __future__ import annotations

import gc
import math
import os
import secrets
import sqlite3
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import event

from acquittance import AcquittanceError, service
from acquittance.deals.parse import parse_deal
from acquittance.service.batch import parse_batch, settle_batch
from acquittance.store import driver

Row = tuple[str, str, str]

AS_OF = "2024-06-30"
#: Closings timed on SQLite, and on PostgreSQL (spread over the clients).
SQLITE_CLOSINGS = int(os.environ.get("BENCH_CLOSINGS", "1000"))
PG_CLOSINGS = int(os.environ.get("BENCH_PG_CLOSINGS", "1600"))
PG_CLIENTS = int(os.environ.get("BENCH_PG_CLIENTS", "16"))
#: Closings whose statements are counted (apart from the timed ones: a listener costs time).
STATEMENT_CLOSINGS = int(os.environ.get("BENCH_STATEMENT_CLOSINGS", "20"))
#: The PostgreSQL server, user@host:port, trust authentication.
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres@127.0.0.1:5432")
#: Databases to connect to for CREATE DATABASE, tried in order.
_PG_ADMIN_DATABASES = ("postgres", "template1")

#: One raw row: about the width of a journal leg (ids, account, amount, date, hash).
_RAW_ROW = (
    "settlement-0000000000",
    "party-00000",
    "account:assets:notes-receivable",
    "12345678.90",
    AS_OF,
    "a" * 64,
)
_RAW_TABLE = "raw_baseline"
_UNCODED = "uncoded"
_RAW_COLUMNS = "a, b, c, d, e, f"


# --- the deal -------------------------------------------------------------------------------


def loan_id(index: int) -> str:
    return f"loan-{index:05d}"


def deal_text(count: int) -> str:
    """One lender and `count` borrowers, each with one loan secured by one note (TOML)."""
    parts = [
        '[deal]\ntitle = "Settlement Agreement and Release"\ncurrency = "USD"\n'
        'governing_law = "New York"\n',
        '[[parties]]\nid = "lender"\nname = "Northgate Lending Trust LLC"\n'
        'short_name = "Northgate"\nentity_type = "limited liability company"\n'
        'jurisdiction = "Delaware"\n'
        'signatories = [{ name = "Ada Brennan", title = "Managing Director" }]\n',
    ]
    for i in range(count):
        borrower = f"b{i:05d}"
        principal = 100_000 + 137 * i
        face = principal - 20_000
        parts.append(
            f'[[parties]]\nid = "{borrower}"\nname = "Borrower {i:05d} Holdings, Inc."\n'
            f'short_name = "Borrower {i:05d}"\nentity_type = "corporation"\n'
            f'jurisdiction = "New York"\n'
            f'signatories = [{{ name = "Signer {i:05d}", title = "President" }}]\n\n'
            f'[[loans]]\nid = "{loan_id(i)}"\nagreement_name = "Credit Agreement"\n'
            f'agreement_date = 2023-01-15\nlender = "lender"\nborrower = "{borrower}"\n'
            f'annual_rate = "9%"\nday_count = "ACT/360"\n\n'
            f'[[loans.events]]\nkind = "opening"\ndate = 2024-01-01\n'
            f"principal = {principal}.00\ninterest = 0.00\n\n"
            f'[[notes]]\nid = "note-{i:05d}"\nmaker = "Maker {i:05d} LLC"\n'
            f'holder = "{borrower}"\nissue_date = 2022-06-01\n'
            f'original_principal = {face}.00\nannual_rate = "7%"\nday_count = "30/360-US"\n\n'
            f'[[notes.events]]\nkind = "opening"\ndate = 2024-01-01\n'
            f"principal = {face}.00\ninterest = 0.00\n\n"
            f'[[security_interests]]\nid = "pledge-{i:05d}"\nloan = "{loan_id(i)}"\n'
            f'secured_party = "lender"\ndebtor = "{borrower}"\nnotes = ["note-{i:05d}"]\n'
            f"granted_on = 2023-01-15\n"
        )
    return "\n".join(parts)


def batch_text(indexes: Sequence[int], *, key_prefix: str = "k") -> str:
    """A `settle --batch` CSV closing each loan under its own key."""
    lines = ["loan,as_of,key", *(f"{loan_id(i)},{AS_OF},{key_prefix}-{i:05d}" for i in indexes)]
    return "\n".join(lines) + "\n"


def _request(index: int) -> service.QuoteRequest:
    return service.QuoteRequest(loan_id=loan_id(index), as_of=date.fromisoformat(AS_OF))


# --- results --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Statements:
    """Statements issued per closing, by kind (an executemany counts as one)."""

    closings: int
    by_kind: dict[str, int]  # SELECT, INSERT, UPDATE, other: totals over the closings
    other: dict[str, int]  # the first word of each "other" statement (BEGIN, DELETE, ...)

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())

    def per_closing(self, kind: str | None = None) -> float:
        count = self.total if kind is None else self.by_kind.get(kind, 0)
        return count / self.closings if self.closings else 0.0


class _AgainstRaw:
    """Closings per second, raw transactions per second in the same run, and their ratio."""

    closed: int
    seconds: float
    raw_transactions: int
    raw_seconds: float

    @property
    def rate(self) -> float:
        return self.closed / self.seconds if self.seconds > 0 else 0.0

    @property
    def raw_rate(self) -> float:
        return self.raw_transactions / self.raw_seconds if self.raw_seconds > 0 else 0.0

    @property
    def ratio(self) -> float:
        return self.rate / self.raw_rate if self.raw_rate > 0 else 0.0


@dataclass(frozen=True)
class SqliteClosings(_AgainstRaw):
    closings: int
    closed: int
    failures: dict[str, int]
    seconds: float
    rows_per_closing: int
    raw_transactions: int
    raw_seconds: float
    statements: Statements


@dataclass(frozen=True)
class Race:
    """Clients closing one loan at once under distinct keys."""

    clients: int
    settlement_ids: tuple[str, ...]  # of the calls that closed
    codes: dict[str, int]  # refusals by code; an uncoded exception as "uncoded" and its type

    @property
    def closed(self) -> int:
        return len(self.settlement_ids)

    @property
    def ok(self) -> bool:
        """Exactly one closing; every other caller refused with a coded error."""
        coded = not any(code.startswith(_UNCODED) for code in self.codes)
        return self.closed == 1 and sum(self.codes.values()) == self.clients - 1 and coded


@dataclass(frozen=True)
class PostgresCalls:
    """Closings one call each (`service.settle`), from every client at once: what callers
    that close one loan at a time (the HTTP server's) get."""

    closed: int
    seconds: float
    failures: dict[str, int]  # failures that reached the caller, by code
    latencies: tuple[float, ...]  # seconds, one per call

    @property
    def rate(self) -> float:
        return self.closed / self.seconds if self.seconds > 0 else 0.0

    @property
    def failed(self) -> int:
        return sum(self.failures.values())

    def latency(self, quantile: float) -> float:
        """The nearest-rank quantile of the per-closing latencies, in seconds."""
        return percentile(self.latencies, quantile)


@dataclass(frozen=True)
class PostgresClosings(_AgainstRaw):
    """`settle_batch` with one worker a client, as `settle --batch --workers N` runs it."""

    clients: int
    closings: int
    closed: int
    failures: dict[str, int]  # failures that reached the caller, by code
    seconds: float
    rows_per_closing: int
    raw_transactions: int
    raw_seconds: float
    race: Race
    calls: PostgresCalls

    @property
    def failed(self) -> int:
        return sum(self.failures.values())


@dataclass(frozen=True)
class Skipped:
    reason: str


def percentile(values: Sequence[float], quantile: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(quantile * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


# --- counting -------------------------------------------------------------------------------


def _kind(statement: str) -> str:
    words = statement.lstrip().split(None, 1)
    return words[0].upper() if words else ""


@contextmanager
def count_statements(store: service.Store) -> Iterator[Counter[str]]:
    """Every statement the store sends while the block runs, by its first word.

    SQLAlchemy's statements through its engine events, and the prebuilt
    statements that bypass them through the driver's observers.
    """
    seen: Counter[str] = Counter()

    def before(*args: Any) -> None:
        seen[_kind(args[2])] += 1  # (conn, cursor, statement, parameters, context, many)

    def sent(statement: str, _rows: int) -> None:
        seen[_kind(statement)] += 1  # the driver's prebuilt statements, one per executemany

    engine = store.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        with driver.observing(sent):
            yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)


def statements_from(seen: Counter[str], closings: int) -> Statements:
    main = ("SELECT", "INSERT", "UPDATE")
    by_kind = {kind: seen.get(kind, 0) for kind in main}
    other = {word: n for word, n in sorted(seen.items()) if word not in main}
    by_kind["other"] = sum(other.values())
    return Statements(closings, by_kind, other)


@contextmanager
def start_up_left_out_of_collections() -> Iterator[None]:
    """What this process holds so far left out of the collector's sweeps while the block
    runs, as the batch command and the server leave their start-up: this process holds
    every benchmark before this one, which the product's processes never do."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def sqlite_rows(path: Path) -> int:
    """Total rows in every table of a SQLite file."""
    with sqlite3.connect(path) as connection:
        names = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return sum(
            connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names
        )


def postgres_rows(dsn: str) -> int:
    """Total rows in every table of the current schema of a PostgreSQL database."""
    with psycopg.connect(dsn) as connection:
        names = [
            name
            for (name,) in connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            )
        ]
        total = 0
        for name in names:
            found = connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()
            total += int(found[0]) if found else 0
        return total


def _rows_per_closing(before: int, after: int, closings: int) -> int:
    return max(1, round((after - before) / closings)) if closings else 0


# --- SQLite ---------------------------------------------------------------------------------


def raw_sqlite_seconds(folder: Path, transactions: int, rows: int) -> float:
    """`transactions` BEGIN IMMEDIATE ... COMMIT of `rows` inserted rows, WAL, synchronous=FULL."""
    connection = sqlite3.connect(folder / "raw.db", isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = FULL")
        connection.execute(
            f"CREATE TABLE {_RAW_TABLE} (id INTEGER PRIMARY KEY, a TEXT, b TEXT, c TEXT, d TEXT, "
            "e TEXT, f TEXT)"
        )
        insert = f"INSERT INTO {_RAW_TABLE} ({_RAW_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)"
        batch = [_RAW_ROW] * rows
        started = time.perf_counter()
        for _ in range(transactions):
            connection.execute("BEGIN IMMEDIATE")
            connection.executemany(insert, batch)
            connection.execute("COMMIT")
        return time.perf_counter() - started
    finally:
        connection.close()


def sqlite_closings(
    closings: int = SQLITE_CLOSINGS, *, counted: int = STATEMENT_CLOSINGS
) -> SqliteClosings:
    """`closings` through `settle_batch` as the command runs it, then `counted` more
    with statements counted."""
    with tempfile.TemporaryDirectory(prefix="acq-bench-") as name:
        folder = Path(name)
        path = folder / "store.db"
        store = service.Store(f"sqlite:///{path}")
        try:
            service.initialize(store)
            service.load_deal(
                store, parse_deal(deal_text(closings + counted), source="benchmark deal")
            )
            lines = parse_batch(batch_text(range(closings)), source="benchmark batch")
            before = sqlite_rows(path)
            with start_up_left_out_of_collections():
                started = time.perf_counter()
                results = list(settle_batch(store, lines, workers=1))
                seconds = time.perf_counter() - started
            after = sqlite_rows(path)
            failures = Counter(r.error.code for r in results if r.error is not None)
            with count_statements(store) as seen:
                for i in range(closings, closings + counted):
                    service.settle(store, _request(i), key=f"counted-{i:05d}")
        finally:
            store.close()
        rows = _rows_per_closing(before, after, closings)
        raw_seconds = raw_sqlite_seconds(folder, closings, rows)
    return SqliteClosings(
        closings=closings,
        closed=sum(1 for r in results if r.closed),
        failures=dict(failures),
        seconds=seconds,
        rows_per_closing=rows,
        raw_transactions=closings,
        raw_seconds=raw_seconds,
        statements=statements_from(seen, counted),
    )


# --- PostgreSQL -----------------------------------------------------------------------------


def _server_address(server: str) -> str:
    return server.rsplit("@", 1)[-1]


def pg_admin(server: str) -> psycopg.Connection[Any] | None:
    """A connection to the server's maintenance database, or None when there is no server."""
    for database in _PG_ADMIN_DATABASES:
        try:
            return psycopg.connect(
                f"postgresql://{server}/{database}", autocommit=True, connect_timeout=5
            )
        except psycopg.OperationalError:
            continue
    return None


@contextmanager
def bench_database(admin: psycopg.Connection[Any], prefix: str = "acq_bench") -> Iterator[str]:
    """A new database for this run (its name), dropped afterwards."""
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(4)}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class _Calls:
    """What a set of concurrent calls gave: settlement ids or codes, and each call's time."""

    settlement_ids: list[str] = field(default_factory=list)
    codes: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0


def _outcome_code(error: BaseException) -> str:
    if isinstance(error, AcquittanceError):
        return error.code
    return f"{_UNCODED} {type(error).__name__}"


def drive(store: service.Store, calls: Sequence[tuple[int, str]], clients: int) -> _Calls:
    """Each (loan index, key) closed by `service.settle`, from `clients` threads at once."""
    out = _Calls()
    lock = threading.Lock()
    pending = iter(calls)
    start = threading.Barrier(clients + 1)

    def work() -> None:
        start.wait()
        while True:
            with lock:
                call = next(pending, None)
            if call is None:
                return
            index, key = call
            began = time.perf_counter()
            try:
                closed = service.settle(store, _request(index), key=key)
            except Exception as error:
                took = time.perf_counter() - began
                with lock:
                    out.codes[_outcome_code(error)] += 1
                    out.latencies.append(took)
            else:
                took = time.perf_counter() - began
                with lock:
                    out.settlement_ids.append(closed.id)
                    out.latencies.append(took)

    threads = [threading.Thread(target=work, name=f"client-{n}") for n in range(clients)]
    with start_up_left_out_of_collections():
        for thread in threads:
            thread.start()
        start.wait()
        started = time.perf_counter()
        for thread in threads:
            thread.join()
        out.seconds = time.perf_counter() - started
    return out


def raw_postgres_seconds(dsn: str, transactions: int, rows: int, clients: int) -> float:
    """`transactions` commits of `rows` inserted rows, spread over `clients` connections."""
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(f"DROP TABLE IF EXISTS {_RAW_TABLE}")
        connection.execute(
            f"CREATE TABLE {_RAW_TABLE} (id bigserial PRIMARY KEY, a text, b text, c text, "
            "d text, e text, f text)"
        )
    insert = f"INSERT INTO {_RAW_TABLE} ({_RAW_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s)"
    batch = [_RAW_ROW] * rows
    shares = [transactions // clients + (n < transactions % clients) for n in range(clients)]
    start = threading.Barrier(clients + 1)
    errors: list[BaseException] = []

    def work(share: int) -> None:
        try:
            with psycopg.connect(dsn) as connection:
                start.wait()
                for _ in range(share):
                    with connection.transaction(), connection.cursor() as cursor:
                        cursor.executemany(insert, batch)
        except BaseException as error:  # reported below, after every thread ended
            errors.append(error)
            start.abort()

    threads = [threading.Thread(target=work, args=(share,)) for share in shares]
    for thread in threads:
        thread.start()
    with suppress(threading.BrokenBarrierError):
        start.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    if errors:
        raise errors[0]
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(f"DROP TABLE {_RAW_TABLE}")
    return seconds


def postgres_closings(
    closings: int = PG_CLOSINGS,
    *,
    clients: int = PG_CLIENTS,
    server: str = PG_SERVER,
) -> PostgresClosings | Skipped:
    """Clients racing loan 0, then `closings` distinct loans, then the raw baseline."""
    admin = pg_admin(server)
    if admin is None:
        return Skipped(f"no PostgreSQL on {_server_address(server)}")
    with admin, bench_database(admin) as name:
        dsn = f"postgresql://{server}/{name}"
        store = service.Store(f"postgresql+psycopg://{server}/{name}", connections=clients)
        try:
            service.initialize(store)
            deal = deal_text(2 * closings + 1)
            service.load_deal(store, parse_deal(deal, source="benchmark deal"))
            raced = drive(store, [(0, f"race-{n:05d}") for n in range(clients)], clients)
            race = Race(clients, tuple(raced.settlement_ids), dict(raced.codes))
            lines = parse_batch(batch_text(range(1, closings + 1)), source="benchmark batch")
            before = postgres_rows(dsn)
            with start_up_left_out_of_collections():
                started = time.perf_counter()
                results = list(settle_batch(store, lines, workers=clients))
                seconds = time.perf_counter() - started
            after = postgres_rows(dsn)
            called = drive(
                store, [(i, f"k-{i:05d}") for i in range(closings + 1, 2 * closings + 1)], clients
            )
        finally:
            store.close()
        rows = _rows_per_closing(before, after, closings)
        raw_seconds = raw_postgres_seconds(dsn, closings, rows, clients)
    return PostgresClosings(
        clients=clients,
        closings=closings,
        closed=sum(1 for r in results if r.closed),
        failures=dict(Counter(r.error.code for r in results if r.error is not None)),
        seconds=seconds,
        rows_per_closing=rows,
        raw_transactions=closings,
        raw_seconds=raw_seconds,
        race=race,
        calls=PostgresCalls(
            closed=len(called.settlement_ids),
            seconds=called.seconds,
            failures=dict(called.codes),
            latencies=tuple(called.latencies),
        ),
    )


# --- the table ------------------------------------------------------------------------------


def _codes(codes: dict[str, int]) -> str:
    return ", ".join(f"{code} ×{n}" for code, n in sorted(codes.items())) or "none"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def sqlite_rows_for(result: SqliteClosings) -> list[Row]:
    s = result.statements
    kinds = ", ".join(
        f"{s.per_closing(kind):g} {kind}" for kind in ("SELECT", "INSERT", "UPDATE", "other")
    )
    other = ", ".join(f"{word or '(empty)'} ×{n / s.closings:g}" for word, n in s.other.items())
    failed = "" if result.closed == result.closings else f"; {_codes(result.failures)}"
    return [
        (
            f"closings on SQLite, {result.closings:,} loans, settle_batch (decided per CPU),"
            " WAL synchronous=FULL",
            f"{result.rate:,.1f}/s",
            f"{result.ratio:.1%} of raw (goal 25 %); {result.closed:,} closed{failed};"
            f" {result.rows_per_closing} rows written per closing",
        ),
        (
            f"raw SQLite transactions, {result.rows_per_closing} rows each, same run",
            f"{result.raw_rate:,.1f}/s",
            "BEGIN IMMEDIATE, one executemany, COMMIT; WAL, synchronous=FULL",
        ),
        (
            f"statements per closing on SQLite ({s.closings} closings counted)",
            f"{s.per_closing():g}",
            f"goal 15 or fewer; {kinds}" + (f" ({other})" if other else "") + ";"
            " an executemany counts once; COMMIT goes through the driver, not counted",
        ),
    ]


def postgres_rows_for(result: PostgresClosings | Skipped) -> list[Row]:
    if isinstance(result, Skipped):
        note = f"skipped: {result.reason}"
        return [
            ("closings on PostgreSQL, distinct loans of one lender", "skipped", note),
            ("PostgreSQL, clients racing one loan", "skipped", note),
        ]
    c = result.clients
    race = result.race
    calls = result.calls
    verdict = "exactly one closing" if race.ok else "WRONG"
    return [
        (
            f"closings on PostgreSQL, settle_batch --workers {c}, {result.closings:,} distinct"
            " loans of one lender",
            f"{result.rate:,.1f}/s",
            f"{result.ratio:.1%} of raw (goal ≥ 50 %); {result.failed} failures reached"
            f" the caller (goal 0){'' if not result.failed else ': ' + _codes(result.failures)};"
            f" {result.rows_per_closing} rows written per closing; each group of lines locked,"
            " read, decided and written at once",
        ),
        (
            f"raw PostgreSQL transactions, {c} connections, {result.rows_per_closing} rows each,"
            " same run",
            f"{result.raw_rate:,.1f}/s",
            "one executemany per transaction, READ COMMITTED",
        ),
        (
            f"closings on PostgreSQL, {c} clients each closing one loan a call (service.settle),"
            f" {result.closings:,} more loans",
            f"{calls.rate:,.1f}/s",
            f"{calls.rate / result.raw_rate if result.raw_rate else 0:.1%} of raw; p50"
            f" {_ms(calls.latency(0.5))}, p99 {_ms(calls.latency(0.99))} per closing, each its own"
            f" transaction and commit; {calls.failed} failures reached the caller"
            f"{'' if not calls.failed else ': ' + _codes(calls.failures)}",
        ),
        (
            f"PostgreSQL, {race.clients} clients racing one loan, distinct keys",
            f"{race.closed} closed",
            f"{verdict}; refused: {_codes(race.codes)}",
        ),
    ]


def rows(
    sqlite: Callable[[], SqliteClosings] = sqlite_closings,
    postgres: Callable[[], PostgresClosings | Skipped] = postgres_closings,
) -> list[Row]:
    return sqlite_rows_for(sqlite()) + postgres_rows_for(postgres())
