"""The FastAPI application: the API under /api/v1, the pages under / when installed."""

from __future__ import annotations

import gc
import importlib
import importlib.util
import os
from typing import Final

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.responses import Response

from acquittance import __version__
from acquittance.server import api, problems
from acquittance.server.identity import LoginRequired, configure_secret
from acquittance.server.limits import BodyLimit
from acquittance.service import accounts
from acquittance.service.store import Store, store_at

PAGES_MODULE: Final = "acquittance.server.pages"
#: The connections each server process keeps open, set by `serve --workers` for its processes.
SERVER_CONNECTIONS_VARIABLE: Final = "ACQUITTANCE_SERVER_CONNECTIONS"
#: The store every process opens when none is given (as `store_at` reads it).
STORE_VARIABLE: Final = "ACQUITTANCE_DB"


def environment_for_processes(url: str, connections_each: int) -> dict[str, str]:
    """What `app_from_environment` reads in each server process: the store, its connections."""
    return {STORE_VARIABLE: url, SERVER_CONNECTIONS_VARIABLE: str(connections_each)}


def app_from_environment() -> FastAPI:
    """The application of one of several server processes: the store $ACQUITTANCE_DB
    names, with the connections $ACQUITTANCE_SERVER_CONNECTIONS gives it."""
    given = os.environ.get(SERVER_CONNECTIONS_VARIABLE, "")
    if given.isdigit() and int(given) > 0:
        app = create_app(store_at(None, connections=int(given)))
    else:
        app = create_app(store_at(None))
    keep_out_of_collections()
    return app


def keep_out_of_collections() -> None:
    """Leave what a server process made at start-up (its modules, the app) out of the
    collector's sweeps: a full sweep of it would stall the request that set it off."""
    gc.freeze()


def create_app(store: Store | None = None) -> FastAPI:
    """The application over `store` (default: the store ACQUITTANCE_DB names).

    The store is opened here, which refuses one that is missing, unmigrated
    or older than this acquittance (`acquittance init` fixes those).
    """
    store = store if store is not None else store_at(None)
    store.engine  # noqa: B018 - opening checks the schema before anything is served
    configure_secret(accounts.server_secret(store))
    app = FastAPI(
        title="acquittance",
        version=__version__,
        summary="Secured loans collateralised by notes receivable, and their settlement.",
        description="See docs/api.md. Every route under /api/v1 needs `Authorization: Bearer`.",
    )
    app.state.store = store
    problems.install(app)
    app.add_middleware(BodyLimit)

    @app.exception_handler(LoginRequired)
    async def _to_login(request: Request, signal: LoginRequired) -> Response:
        return RedirectResponse(f"/login?next={_quoted(signal.next_path)}", status_code=303)

    @app.get("/healthz", tags=["health"], summary="Liveness: the server answers.")
    def healthz() -> JSONResponse:
        return JSONResponse({"status": "ok", "version": __version__})

    app.include_router(api.router, prefix="/api/v1")
    if importlib.util.find_spec(PAGES_MODULE) is not None:
        pages = importlib.import_module(PAGES_MODULE)
        app.include_router(pages.router)
    return app


def _quoted(path: str) -> str:
    from urllib.parse import quote

    return quote(path if path.startswith("/") and not path.startswith("//") else "/", safe="/")
