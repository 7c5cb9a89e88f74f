"""`acquittance serve`: the HTTP API (and the web pages) over the store."""

from __future__ import annotations

import typer

from acquittance.cli.app import DB_HELP, app

#: Connections the server's store keeps open: enough for 16 clients closing at once.
SERVER_CONNECTIONS_DEFAULT = 20


@app.command()
def serve(
    host: str = typer.Option(
        "127.0.0.1", "--host", help="The address to listen on.", metavar="HOST"
    ),
    port: int = typer.Option(8000, "--port", help="The port to listen on."),
    connections: int = typer.Option(
        SERVER_CONNECTIONS_DEFAULT, "--connections", help="Database connections to keep open."
    ),
    db: str | None = typer.Option(None, "--db", help=DB_HELP, metavar="PATH|URL"),
) -> None:
    """Serve the HTTP API under /api/v1 (and the web pages) over the store."""
    import uvicorn

    from acquittance.core.errors import InputError
    from acquittance.server.app import create_app
    from acquittance.service import store_at

    if not 0 < port < 65_536:
        raise InputError("INVALID_PORT", f"--port {port} must be a number from 1 to 65535")
    if not 1 <= connections <= 200:
        raise InputError("INVALID_CONNECTIONS", f"--connections {connections} must be 1 to 200")
    store = store_at(db, connections=connections)
    # Opening checks the schema: an unmigrated or older store is refused here, before
    # anything listens, with the command that fixes it (`acquittance init`).
    store.engine  # noqa: B018
    typer.echo(f"serving {store.describe()} on http://{host}:{port}", err=True)
    uvicorn.run(
        create_app(store),
        host=host,
        port=port,
        log_level="warning",
        limit_concurrency=256,
        timeout_keep_alive=5,
    )
