"""Debian's headless chromium driven by Playwright, and a live server on loopback.

The browser is the system's (`/usr/bin/chromium`, from `make browser`), never one
Playwright would download. Without it the browser tests skip saying why, except
under CI=true, where they fail: CI must not pass by skipping them.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

import pytest

CHROMIUM: Final = Path(os.environ.get("ACQUITTANCE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS: Final = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_SECONDS_MAX: Final = 20
PAGE_TIMEOUT_MS: Final = 20_000


def missing_browser(reason: str) -> None:
    """Fail under CI, else skip: the browser tests never pass by not running."""
    message = f"{reason}; `make browser` (or apt-get install chromium chromium-driver) installs it"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}; CI=true requires the browser tests to run")
    pytest.skip(message)


def chromium_path() -> str:
    if not CHROMIUM.exists() and shutil.which("chromium") is None:
        missing_browser(f"Debian's chromium is not installed at {CHROMIUM}")
    return str(CHROMIUM if CHROMIUM.exists() else shutil.which("chromium"))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def live_server(app: Any) -> Iterator[str]:
    """`app` served by uvicorn on a free loopback port, in a thread; yields its base URL."""
    import uvicorn

    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="pages-live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + SERVER_START_SECONDS_MAX
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"the server did not start on 127.0.0.1:{port}")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
