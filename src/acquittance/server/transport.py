"""The HTTP protocol the server runs: uvicorn's, with TCP_NODELAY on every connection.

With several processes uvicorn binds the listening socket itself, without the
TCP protocol number asyncio looks for before it turns Nagle's algorithm off;
an answer written in two parts then waits for the client's delayed ACK, 40 ms
per request on Linux. Each connection turns it off here, whatever bound it.

The parser is httptools' (C): a request costs the server a fraction of what
h11's (pure Python) costs it.
"""

from __future__ import annotations

import asyncio
import socket

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class NoDelayHttpProtocol(HttpToolsProtocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        connection = transport.get_extra_info("socket")
        if connection is not None and connection.family in (socket.AF_INET, socket.AF_INET6):
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
