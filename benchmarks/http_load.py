"""The HTTP API under load: quotes and closings per second, p50 and p99, against PostgreSQL.

`acquittance serve` runs as its own process on loopback, over a database made
for the run; this process is the clients, each a thread with its own
connection. Quotes (`POST /loans/{id}/quotes`, saved) and closings (`POST
/settlements/{id}/close` of proposals both parties approved beforehand,
untimed) run at 1, C (16) and 64 clients, each closing on loans of its own.
Before them, loans of their own go through the whole flow untimed (quote,
proposal, approvals, closing), so that each server process has connected
and warmed up as a server in service has.
Beside them, in the same run and on the same database, right after the
closings at C clients, `acquittance settle --batch --workers C` closes as
many other loans: the peer the HTTP closings are compared to (goal: at least
70 % of its rate at C clients). Afterwards
every loan asked to close must have exactly one settlement and both books one
settlement entry for it, and `verify` must pass: anything else is counted as
lost or duplicated. Without a PostgreSQL server the rows say skipped, and
why; under CI=true the run fails instead, so that CI cannot pass by skipping.
"""

from __future__ import annotations

import dataclasses
import os
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from acquittance import service
from acquittance.deals.parse import parse_deal
from acquittance.service import accounts
from benchmarks.closings import (
    AS_OF,
    PG_SERVER,
    Skipped,
    batch_text,
    bench_database,
    deal_text,
    loan_id,
    percentile,
    pg_admin,
)

Row = tuple[str, str, str]

#: Requests of each kind per client count; closings and batch lines each need their own loans.
HTTP_REQUESTS = int(os.environ.get("BENCH_HTTP_REQUESTS", "320"))
#: The client count compared to the batch command (and its --workers).
HTTP_CLIENTS = int(os.environ.get("BENCH_HTTP_CLIENTS", "16"))
#: The most clients at once, the issue's highest level.
HTTP_CLIENTS_MAX = int(os.environ.get("BENCH_HTTP_CLIENTS_MAX", "64"))
_STARTUP_SECONDS = 60.0
#: Untimed closings (each after its quote, proposal and approvals) before the timed runs.
WARMUP_REQUESTS = int(os.environ.get("BENCH_HTTP_WARMUP", "32"))


@dataclass(frozen=True)
class Timed:
    """Requests sent by `clients` at once: how long in all, each one's time, the statuses."""

    clients: int
    seconds: float
    latencies: tuple[float, ...]
    failures: int
    #: CPU seconds the server's processes spent meanwhile (0 where /proc is missing).
    server_cpu: float = 0.0
    #: CPU seconds the clients (this process) spent meanwhile: on a machine of few
    #: cores they take their share from the server.
    client_cpu: float = 0.0
    #: CPU seconds PostgreSQL spent meanwhile, when it runs on this machine.
    database_cpu: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def latency(self, quantile: float) -> float:
        return percentile(self.latencies, quantile)

    @property
    def server_cpu_each(self) -> float:
        return self.server_cpu / len(self.latencies) if self.latencies else 0.0

    @property
    def client_cpu_each(self) -> float:
        return self.client_cpu / len(self.latencies) if self.latencies else 0.0

    @property
    def database_cpu_each(self) -> float:
        return self.database_cpu / len(self.latencies) if self.latencies else 0.0


@dataclass(frozen=True)
class HttpLoad:
    quotes: tuple[Timed, ...]
    closings: tuple[Timed, ...]
    batch_workers: int
    batch_lines: int
    batch_seconds: float
    #: A batch of one line, the command's start (imports, worker processes) in the main.
    batch_start_seconds: float
    #: CPU seconds of the batch command and its worker processes, its start included.
    batch_cpu: float
    batch_start_cpu: float
    lost_or_duplicated: int
    verified: bool

    @property
    def batch_rate(self) -> float:
        return self.batch_lines / self.batch_seconds if self.batch_seconds else 0.0

    @property
    def batch_cpu_each(self) -> float:
        return self.batch_cpu / self.batch_lines if self.batch_lines else 0.0

    @property
    def batch_cpu_each_started(self) -> float:
        """CPU per line less the one-line batch's, the command's start."""
        spent = self.batch_cpu - self.batch_start_cpu
        return spent / self.batch_lines if self.batch_lines and spent > 0 else 0.0

    @property
    def batch_rate_started(self) -> float:
        """The batch's rate once started: its time less a one-line batch's."""
        running = self.batch_seconds - self.batch_start_seconds
        return self.batch_lines / running if running > 0 else 0.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: str) -> tuple[int, float] | None:
    """A process's parent and its CPU seconds so far, from /proc (None once it is gone)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()  # after the command's name, which may hold spaces
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICKS


def database_cpu_seconds() -> float:
    """CPU seconds of this machine's PostgreSQL so far: its live processes, and those that
    ended (a connection's backend) as their parent counts them; 0 without one here."""
    total = 0.0
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            text = Path(f"/proc/{name}/stat").read_text()
        except OSError:
            continue
        command, _, rest = text.partition(" (")[2].rpartition(")")
        if command != "postgres":
            continue
        fields = rest.split()
        total += sum(int(fields[i]) for i in (11, 12, 13, 14)) / _TICKS
    return total


def cpu_seconds(pid: int) -> float:
    """CPU seconds of a process and its live descendants (0 where /proc is missing)."""
    stats = {int(n): stat for n in os.listdir("/proc") if n.isdigit() and (stat := _stat(n))}
    family, total, grew = {pid}, 0.0, True
    while grew:
        more = {child for child, (parent, _) in stats.items() if parent in family} - family
        family |= more
        grew = bool(more)
    for member in family:
        total += stats[member][1] if member in stats else 0.0
    return total


def _command() -> str:
    return str(Path(sys.executable).parent / "acquittance")


@dataclass(frozen=True)
class _Served:
    base: str
    pid: int


@contextmanager
def _server(url: str, clients: int) -> Iterator[_Served]:
    """`acquittance serve` in its own process; its base URL once /healthz answers."""
    port = _free_port()
    process = subprocess.Popen(
        [_command(), "serve", "--db", url, "--port", str(port), "--connections", str(clients + 8)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + _STARTUP_SECONDS
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            raise RuntimeError(
                f"the server did not start: {process.stderr.read() if process.stderr else ''}"
            )
        yield _Served(base, process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)


def _in_threads(
    clients: int,
    work: Sequence[Callable[[httpx.Client], int]],
    client_for: Callable[[], httpx.Client],
) -> Timed:
    """Each call of `work` from one of `clients` threads (each its own connection), timed."""
    lock = threading.Lock()
    pending = iter(work)
    latencies: list[float] = []
    failures = 0
    start = threading.Barrier(clients + 1)

    def run() -> None:
        nonlocal failures
        with client_for() as client:
            start.wait()
            while True:
                with lock:
                    call = next(pending, None)
                if call is None:
                    return
                began = time.perf_counter()
                status = call(client)
                took = time.perf_counter() - began
                with lock:
                    latencies.append(took)
                    failures += status >= 300

    threads = [threading.Thread(target=run) for _ in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return Timed(clients, time.perf_counter() - began, tuple(latencies), failures)


def _tokens(store: service.Store, parties: Sequence[str]) -> dict[str, str]:
    tokens = {}
    for party in parties:
        accounts.add_user(store, f"u-{party}", party_id=party)
        tokens[party], _ = accounts.create_token(store, f"u-{party}")
    return tokens


def _borrower(index: int) -> str:
    return f"b{index:05d}"


def _prepare(base: str, tokens: dict[str, str], index: int) -> str:
    """A proposal of loan `index`, approved by its lender and its borrower (untimed)."""
    lender = _client(base, tokens["lender"])()
    borrower = _client(base, tokens[_borrower(index)])()
    with lender, borrower:
        quote = lender.post(f"/api/v1/loans/{loan_id(index)}/quotes", json={"as_of": AS_OF})
        proposal = borrower.post(
            "/api/v1/settlements", json={"quote_id": quote.json()["quote_id"]}
        ).json()["id"]
        lender.post(f"/api/v1/settlements/{proposal}/approvals")
        borrower.post(f"/api/v1/settlements/{proposal}/approvals")
    return str(proposal)


def _prepared(base: str, tokens: dict[str, str], indexes: Sequence[int], clients: int) -> list[str]:
    found: dict[int, str] = {}
    lock = threading.Lock()
    pending = iter(indexes)

    def run() -> None:
        while True:
            with lock:
                index = next(pending, None)
            if index is None:
                return
            proposal = _prepare(base, tokens, index)
            with lock:
                found[index] = proposal

    threads = [threading.Thread(target=run) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [found[index] for index in indexes]


def _client(base: str, token: str) -> Callable[[], httpx.Client]:
    return lambda: httpx.Client(
        base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=300
    )


def _quote_call(index: int) -> Callable[[httpx.Client], int]:
    def call(client: httpx.Client) -> int:
        answer = client.post(f"/api/v1/loans/{loan_id(index)}/quotes", json={"as_of": AS_OF})
        return answer.status_code

    return call


def _close_call(proposal: str, key: str) -> Callable[[httpx.Client], int]:
    def call(client: httpx.Client) -> int:
        answer = client.post(
            f"/api/v1/settlements/{proposal}/close", headers={"Idempotency-Key": key}
        )
        return answer.status_code

    return call


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _batch(url: str, indexes: Sequence[int], workers: int) -> tuple[float, float]:
    """The batch command's wall time and CPU time (its worker processes' included)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "batch.csv"
        path.write_text(batch_text(indexes, key_prefix="batch"), encoding="utf-8")
        cpu, began = _children_cpu(), time.perf_counter()
        subprocess.run(
            [_command(), "settle", "--batch", str(path), "--workers", str(workers), "--db", url],
            check=True,
            capture_output=True,
        )
        return time.perf_counter() - began, _children_cpu() - cpu


def _warm_up(
    served: _Served,
    tokens: dict[str, str],
    indexes: Sequence[int],
    clients: int,
    lender: Callable[[], httpx.Client],
) -> None:
    """Quotes and closings of loans of their own, untimed: every server process has then
    connected, loaded what it loads lazily and planned its statements, as in service."""
    proposals = _prepared(served.base, tokens, indexes, clients)
    calls = [_close_call(p, f"warm-{i}") for i, p in zip(indexes, proposals, strict=True)]
    _in_threads(clients, calls, lender)


def _measured(
    served: _Served,
    clients: int,
    work: Sequence[Callable[[httpx.Client], int]],
    client_for: Callable[[], httpx.Client],
) -> Timed:
    before, client_before = cpu_seconds(served.pid), time.process_time()
    database_before = database_cpu_seconds()
    timed = _in_threads(clients, work, client_for)
    return dataclasses.replace(
        timed,
        server_cpu=cpu_seconds(served.pid) - before,
        client_cpu=time.process_time() - client_before,
        # The server is shared: a backend of another client that ends in the window, before
        # the postmaster has reaped it, leaves the total lower than it was (never below 0 here).
        database_cpu=max(0.0, database_cpu_seconds() - database_before),
    )


def _lost_or_duplicated(store: service.Store, indexes: Sequence[int]) -> int:
    """Loans asked to close without exactly one settlement, and settlement entries amiss."""
    per_loan: dict[str, int] = {}
    for settlement in service.register(store)["settlements"]:
        per_loan[settlement.loan_id] = per_loan.get(settlement.loan_id, 0) + 1
    wrong = sum(abs(per_loan.get(loan_id(i), 0) - 1) for i in indexes)
    _, lender_entries = service.journal(store, "lender")
    settled = [entry.reference for entry in lender_entries if entry.kind == "settlement"]
    wrong += abs(len(settled) - len(indexes)) + (len(settled) - len(set(settled)))
    return wrong


class PostgresMissing(RuntimeError):
    """Under CI=true the HTTP load must run: a missing server fails the benchmark."""


def _no_server(server: str) -> Skipped:
    reason = f"no PostgreSQL on {server.rsplit('@', 1)[-1]}"
    if os.environ.get("CI") == "true":
        raise PostgresMissing(f"{reason}; CI=true requires the HTTP load benchmark to run")
    return Skipped(reason)


def client_levels(clients: int, most: int) -> tuple[int, ...]:
    """1, the compared count and the most clients, each once, in order."""
    return tuple(sorted({1, clients, most}))


def _sizes(requests: int, levels: Sequence[int]) -> list[int]:
    # One client is slow: fewer requests for it, yet enough for its p99 not to be its
    # slowest; more clients each get a few at least.
    return [max(1, requests // 3) if count == 1 else max(requests, 2 * count) for count in levels]


def http_load(
    requests: int = HTTP_REQUESTS,
    *,
    clients: int = HTTP_CLIENTS,
    most: int = HTTP_CLIENTS_MAX,
    server: str = PG_SERVER,
    warmup: int = WARMUP_REQUESTS,
) -> HttpLoad | Skipped:
    admin = pg_admin(server)
    if admin is None:
        return _no_server(server)
    counts = client_levels(clients, most)
    sizes = _sizes(requests, counts)
    closing_sets, start = [], 0
    for size in sizes:
        closing_sets.append(list(range(start, start + size)))
        start += size
    batch_indexes = list(range(start, start + requests))
    started_index = start + requests  # a batch of one line: what starting the command costs
    warmup_indexes = list(range(started_index + 1, started_index + 1 + warmup))
    total = started_index + 1 + warmup
    with admin, bench_database(admin, "acq_http_bench") as name:
        url = f"postgresql+psycopg://{server}/{name}"
        store = service.Store(url, connections=4)
        try:
            service.initialize(store)
            service.load_deal(store, parse_deal(deal_text(total), source="http benchmark deal"))
            borrowers = [_borrower(i) for i in [*range(start), *warmup_indexes]]
            tokens = _tokens(store, ["lender", *borrowers])
            with _server(url, clients) as served:
                lender = _client(served.base, tokens["lender"])
                _warm_up(served, tokens, warmup_indexes, clients, lender)
                quotes = tuple(
                    _measured(served, count, [_quote_call(i % total) for i in range(size)], lender)
                    for count, size in zip(counts, sizes, strict=True)
                )
                closings = []
                batch_seconds = batch_cpu = start_seconds = start_cpu = 0.0
                for count, indexes in zip(counts, closing_sets, strict=True):
                    proposals = _prepared(served.base, tokens, indexes, clients)
                    calls = [
                        _close_call(p, f"close-{i}")
                        for i, p in zip(indexes, proposals, strict=True)
                    ]
                    closings.append(_measured(served, count, calls, lender))
                    if count == clients:
                        # Right after the closings it is compared to (the server idle), so
                        # that both see the same load on a shared machine.
                        batch_seconds, batch_cpu = _batch(url, batch_indexes, clients)
                        start_seconds, start_cpu = _batch(url, [started_index], clients)
            closed = [i for indexes in closing_sets for i in indexes] + [
                *batch_indexes,
                started_index,
                *warmup_indexes,
            ]
            lost = _lost_or_duplicated(store, closed)
            verified = service.verify(store).ok
        finally:
            store.close()
    return HttpLoad(
        quotes,
        tuple(closings),
        clients,
        len(batch_indexes),
        batch_seconds,
        start_seconds,
        batch_cpu,
        start_cpu,
        lost,
        verified,
    )


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def _latencies(timed: Timed) -> str:
    return f"p50 {_ms(timed.latency(0.5))}, p99 {_ms(timed.latency(0.99))}"


def _failed(timed: Timed) -> str:
    return f"{timed.failures} of {len(timed.latencies):,} failed"


def _server_cpu(timed: Timed, what: str) -> str:
    if not timed.server_cpu:
        return ""
    database = f", PostgreSQL's {_ms(timed.database_cpu_each)}" if timed.database_cpu else ""
    return (
        f"CPU per {what}: the server's {_ms(timed.server_cpu_each)}{database},"
        f" the clients' {_ms(timed.client_cpu_each)} ({os.cpu_count()} CPUs in all)"
    )


def rows_for(result: HttpLoad | Skipped) -> list[Row]:
    if isinstance(result, Skipped):
        return [("HTTP API on PostgreSQL", "skipped", f"skipped: {result.reason}")]
    found: list[Row] = []
    for timed in result.quotes:
        found.append(
            (
                f"HTTP quotes (POST .../quotes, saved), {timed.clients} client(s), PostgreSQL",
                f"{timed.rate:,.1f}/s",
                f"{_latencies(timed)} (goal p99 < 20 ms); {_failed(timed)};"
                f" {_server_cpu(timed, 'quote')}",
            )
        )
    workers = result.batch_workers
    for timed in result.closings:
        ratio = timed.rate / result.batch_rate if result.batch_rate else 0.0
        started = timed.rate / result.batch_rate_started if result.batch_rate_started else 0.0
        goal = " (goal ≥ 70 %)" if timed.clients == workers else ""
        found.append(
            (
                f"HTTP closings (POST .../close, both approved), {timed.clients} client(s)",
                f"{timed.rate:,.1f}/s",
                f"{ratio:.0%} of settle --batch{goal}, {started:.0%} of it once started;"
                f" {_latencies(timed)}; {_failed(timed)}; {_server_cpu(timed, 'closing')}",
            )
        )
    found.append(
        (
            f"peer: settle --batch --workers {workers}, same database and run",
            f"{result.batch_rate:,.1f}/s",
            f"{result.batch_lines:,} lines, the command's start included; a one-line batch takes"
            f" {result.batch_start_seconds:.2f} s, so {result.batch_rate_started:,.1f}/s once"
            f" started; its processes' CPU {_ms(result.batch_cpu_each)} per line, start included,"
            f" {_ms(result.batch_cpu_each_started)} once started",
        )
    )
    found.append(
        (
            "lost or duplicated postings after the HTTP and batch closings",
            f"{result.lost_or_duplicated}",
            f"goal 0; verify {'passes' if result.verified else 'FAILS'}",
        )
    )
    return found


def rows(load: Callable[[], HttpLoad | Skipped] = http_load) -> list[Row]:
    return rows_for(load())
