"""`acquittance serve`: the HTTP API (and the web pages) over the store."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import typer

from acquittance.cli.app import app
from acquittance.cli.toplevel import DB_HELP

if TYPE_CHECKING:
    from fastapi import FastAPI

#: Connections the server's store keeps open: enough for 16 clients closing at once.
SERVER_CONNECTIONS_DEFAULT = 20
#: Requests the server takes at once (over all its processes); more answer 503 at once.
REQUESTS_AT_ONCE_MAX = 256
#: The most server processes `--workers` starts.
SERVER_WORKERS_MAX = 64


def default_workers(url: str) -> int:
    """One process per CPU on a server store (a request is mostly Python, so threads of one
    process wait on each other); one on SQLite, whose writers take turns on the file anyway."""
    return 1 if url.startswith("sqlite") else max(1, os.cpu_count() or 1)


@app.command()
def serve(
    host: str = typer.Option(
        "127.0.0.1", "--host", help="The address to listen on.", metavar="HOST"
    ),
    port: int = typer.Option(8000, "--port", help="The port to listen on."),
    connections: int = typer.Option(
        SERVER_CONNECTIONS_DEFAULT,
        "--connections",
        help="Database connections to keep open, shared among the worker processes.",
    ),
    workers: int | None = typer.Option(
        None,
        "--workers",
        help="Server processes (default: one per CPU on PostgreSQL, 1 on SQLite).",
        metavar="N",
    ),
    db: str | None = typer.Option(None, "--db", help=DB_HELP, metavar="PATH|URL"),
) -> None:
    """Serve the HTTP API under /api/v1 (and the web pages) over the store."""
    from acquittance.core.errors import InputError
    from acquittance.server.app import (
        create_app,
        environment_for_processes,
        keep_out_of_collections,
    )
    from acquittance.service import store_at

    if not 0 < port < 65_536:
        raise InputError("INVALID_PORT", f"--port {port} must be a number from 1 to 65535")
    if not 1 <= connections <= 200:
        raise InputError("INVALID_CONNECTIONS", f"--connections {connections} must be 1 to 200")
    if workers is not None and not 1 <= workers <= SERVER_WORKERS_MAX:
        raise InputError(
            "INVALID_WORKERS", f"--workers {workers} must be between 1 and {SERVER_WORKERS_MAX}"
        )
    store = store_at(db, connections=connections)
    # Opening checks the schema: an unmigrated or older store is refused here, before
    # anything listens, with the command that fixes it (`acquittance init`).
    store.engine  # noqa: B018
    processes = workers if workers is not None else default_workers(store.url)
    typer.echo(
        f"serving {store.describe()} on http://{host}:{port} ({processes} process"
        f"{'es' if processes > 1 else ''})",
        err=True,
    )
    if processes == 1:
        application = create_app(store)
        keep_out_of_collections()
        _serve_one(application, host, port)
        return
    store.close()
    _serve_many(
        environment_for_processes(store.url, -(-connections // processes)), processes, host, port
    )


def _serve_one(application: FastAPI, host: str, port: int) -> None:
    import uvicorn

    from acquittance.server.transport import NoDelayHttpProtocol

    uvicorn.run(
        application,
        host=host,
        port=port,
        log_level="warning",
        http=NoDelayHttpProtocol,
        limit_concurrency=REQUESTS_AT_ONCE_MAX,
        timeout_keep_alive=5,
    )


def _serve_many(environment: dict[str, str], processes: int, host: str, port: int) -> None:
    """Several processes, each opening the store itself: the URL and its share of the
    connections go to them in the environment, which they inherit."""
    import uvicorn

    from acquittance.server.transport import NoDelayHttpProtocol

    os.environ.update(environment)
    uvicorn.run(
        "acquittance.server.app:app_from_environment",
        factory=True,
        workers=processes,
        host=host,
        port=port,
        log_level="warning",
        http=NoDelayHttpProtocol,
        limit_concurrency=-(-REQUESTS_AT_ONCE_MAX // processes),
        timeout_keep_alive=5,
    )
