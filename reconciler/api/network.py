"""`ApiTransport`: httpx's transport for the API, with httpcore's connection pool on
plain asyncio streams (`AsyncioBackend`) instead of anyio's.

Owns the sockets under the client: connecting (with TLS when the URL is https), reading
and writing with httpcore's per-operation timeouts, and telling the pool whether an idle
connection is still fit (not closed by the server, nothing sent unasked). It does not
own requests, retries or pacing (`http`, `budget`), nor proxies: `HttpCore` uses this
transport only when no proxy is set in the environment and leaves proxied connections to
httpx's own.

Why: httpcore's default network layer is anyio's. For every read and write anyio enters a
cancel scope, and for every pool scan it builds a dict of socket attributes for each idle
connection; asyncio's streams do neither. The client's CPU per keyed POST to a local
server is x0.74 of that on httpx's own transport (`benchmarks/http_client.py`: 0.53
against 0.72 ms; issue 19, docs/performance.md). httpcore documents the network backend
as a public extension point (`httpcore.AsyncNetworkBackend`); the requests on the wire
are the same bytes.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

# httpcore's socket options: (level, option, value), or (level, option, None, length).
SocketOption = (
    tuple[int, int, int] | tuple[int, int, bytes | bytearray] | tuple[int, int, None, int]
)


READ_LIMIT = 2**16
"""asyncio's default: past twice this many unread bytes the transport stops reading."""

HAPPY_EYEBALLS_DELAY = 0.25
"""Seconds before the next address of a host is tried alongside one not yet connected
(RFC 8305's recommended value, anyio's)."""


class _Reader(asyncio.StreamReader):
    """asyncio's stream reader, which also knows whether anything arrived that was not
    read yet, or the end of the stream (`arrived`): asyncio reads a socket as bytes come,
    so the socket itself never looks readable, and `at_eof()` is false while bytes wait.
    An idle connection with either is not fit for another request (a server may send a
    408 and close an idle connection: that answer must not be taken for the next
    request's)."""

    def __init__(self) -> None:
        super().__init__(limit=READ_LIMIT)
        self._unread = 0
        self._ended = False

    @property
    def arrived(self) -> bool:
        return self._unread > 0 or self._ended

    # typeshed types `data` as any iterable of ints; asyncio's protocol feeds bytes.
    def feed_data(self, data: bytes) -> None:  # type: ignore[override]
        self._unread += len(data)
        super().feed_data(data)

    def feed_eof(self) -> None:
        self._ended = True
        super().feed_eof()

    async def read(self, n: int = -1) -> bytes:
        data = await super().read(n)
        self._unread -= len(data)
        return data


class AsyncioStream(httpcore.AsyncNetworkStream):
    """One connection as httpcore sees it. Errors are httpcore's, as its pool expects:
    a timeout is a `ReadTimeout`/`WriteTimeout`/`ConnectTimeout`, any `OSError` (a reset,
    a TLS error) a `ReadError`/`WriteError`/`ConnectError`; httpx maps them to its own."""

    def __init__(self, reader: _Reader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        """Up to `max_bytes`; b"" once the server has closed the connection."""
        try:
            async with asyncio.timeout(timeout):
                return await self._reader.read(max_bytes)
        except TimeoutError as exc:
            raise httpcore.ReadTimeout(str(exc)) from exc
        except OSError as exc:
            raise httpcore.ReadError(str(exc)) from exc

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        try:
            async with asyncio.timeout(timeout):
                self._writer.write(buffer)
                await self._writer.drain()
        except TimeoutError as exc:
            raise httpcore.WriteTimeout(str(exc)) from exc
        except OSError as exc:
            raise httpcore.WriteError(str(exc)) from exc

    async def aclose(self) -> None:
        # Not `wait_closed()`: a peer that never acknowledges the close (or a TLS
        # shutdown) must not hold up the pool; asyncio finishes closing on its own.
        self._writer.close()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """The same stream, now over TLS (the handshake checks the certificate and the
        host name as `ssl_context` says)."""
        try:
            async with asyncio.timeout(timeout):
                await self._writer.start_tls(ssl_context, server_hostname=server_hostname)
        except TimeoutError as exc:
            self._writer.close()
            raise httpcore.ConnectTimeout(str(exc)) from exc
        except OSError as exc:
            self._writer.close()
            raise httpcore.ConnectError(str(exc)) from exc
        return self

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            # Asked of idle connections only (httpcore: "the only valid state is that
            # the socket is about to return b''").
            return self._reader.arrived or self._writer.is_closing()
        if info == "ssl_object":
            return self._writer.get_extra_info("ssl_object")
        if info == "client_addr":
            return self._writer.get_extra_info("sockname")
        if info == "server_addr":
            return self._writer.get_extra_info("peername")
        if info == "socket":
            return self._writer.get_extra_info("socket")
        return None


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    """Opens `AsyncioStream`s. `connections` counts the connections it opened."""

    def __init__(self) -> None:
        self.connections = 0

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        # What `asyncio.open_connection` does, with our reader.
        loop = asyncio.get_running_loop()
        reader = _Reader()
        protocol = asyncio.StreamReaderProtocol(reader)
        try:
            async with asyncio.timeout(timeout):
                transport, _ = await loop.create_connection(
                    lambda: protocol,
                    host,
                    port,
                    local_addr=None if local_address is None else (local_address, 0),
                    # Happy eyeballs (RFC 8305), as anyio connects: a host whose IPv6
                    # address does not answer is tried over IPv4 after 250 ms, not after
                    # the whole connect timeout.
                    happy_eyeballs_delay=HAPPY_EYEBALLS_DELAY,
                )
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(str(exc)) from exc
        except OSError as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        writer = asyncio.StreamWriter(transport, protocol, reader, loop)
        # asyncio sets TCP_NODELAY on its TCP sockets already, as anyio does.
        sock = writer.get_extra_info("socket")
        for option in socket_options or ():
            sock.setsockopt(*option)
        self.connections += 1
        return AsyncioStream(reader, writer)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class ApiTransport(httpx.AsyncHTTPTransport):
    """httpx's HTTP transport (its request and response conversion and error mapping)
    over a pool of `AsyncioBackend` connections, with `limits`. TLS is set up as httpx's
    own transport sets it up (certifi's roots, or `SSL_CERT_FILE`/`SSL_CERT_DIR` when
    set), and only for an https `base_url`: every request goes to that one origin."""

    def __init__(self, base_url: str, limits: httpx.Limits) -> None:
        # Not `super().__init__()`: it would build a pool, and a TLS context, of its own.
        # httpx's transport sends through `self._pool` (every test of this module's
        # connections fails if that changes: tests/api/test_network.py).
        tls = httpx.create_ssl_context() if httpx.URL(base_url).scheme == "https" else None
        self.backend = AsyncioBackend()
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=tls,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=self.backend,
        )
