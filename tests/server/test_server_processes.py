"""`serve --workers N`: several server processes over one store, each opening it itself."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from server_helpers import make_users, prepared_store

from acquittance.cli.serve import default_workers

_COMMAND = str(Path(sys.executable).parent / "acquittance")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _answering(base: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("the server did not answer /healthz within 60 s")


@pytest.fixture
def two_processes(sqlite_url: str) -> Iterator[tuple[str, dict[str, str]]]:
    store = prepared_store(sqlite_url)
    tokens = make_users(store)
    store.close()
    port = _free_port()
    serving = [_COMMAND, "serve", "--db", sqlite_url, "--port", str(port), "--workers", "2"]
    process = subprocess.Popen(serving, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        _answering(base, process)
        yield base, tokens
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_two_server_processes_answer_with_the_store_they_were_given(
    two_processes: tuple[str, dict[str, str]],
) -> None:
    base, tokens = two_processes
    for user in ("berg-user", "valence-user") * 3:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {tokens[user]}"}) as c:
            assert c.get("/api/v1/me").json()["name"] == user
    assert httpx.get(f"{base}/api/v1/me").status_code == 401


def test_one_process_on_sqlite_one_per_cpu_on_a_server_store() -> None:
    assert default_workers("sqlite:///x.db") == 1
    assert default_workers("postgresql+psycopg://postgres@127.0.0.1/x") >= 1


def test_serve_refuses_a_worker_count_out_of_range(tmp_path: Path) -> None:
    answer = subprocess.run(
        [_COMMAND, "serve", "--db", str(tmp_path / "x.db"), "--workers", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert answer.returncode == 2
    assert answer.stderr.startswith("error INVALID_WORKERS: ")


async def _no_app(scope: object, receive: object, send: object) -> None:
    """An ASGI app that answers nothing: only the connection is looked at."""


def test_every_connection_sends_without_waiting_for_acks_however_the_socket_was_bound() -> None:
    import asyncio

    from uvicorn import Config
    from uvicorn.server import ServerState

    from acquittance.server.transport import NoDelayHttpProtocol

    seen: list[int] = []

    class Recording(NoDelayHttpProtocol):
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            connection = transport.get_extra_info("socket")
            seen.append(connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

    async def connect_once() -> None:
        config = Config(app=_no_app, http=Recording)
        state = ServerState()
        # Bound as uvicorn binds for several processes: no protocol number given.
        listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listening.bind(("127.0.0.1", 0))
        server = await asyncio.get_running_loop().create_server(
            lambda: Recording(config=config, server_state=state, app_state={}), sock=listening
        )
        async with server:
            _, writer = await asyncio.open_connection(*listening.getsockname())
            for _ in range(100):
                if seen:
                    break
                await asyncio.sleep(0.01)
            writer.close()

    asyncio.run(connect_once())
    assert seen and seen[0] != 0
