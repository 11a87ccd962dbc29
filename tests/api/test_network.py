"""The client's own network layer (`reconciler.api.network`) against real sockets: TLS
with certificate checks, keep-alive reuse, a server that closes an idle connection,
read and connect failures, and proxies left to httpx. Each server here is a few lines of
asyncio on the test's own loop, speaking HTTP/1.1 with a fixed JSON answer."""

from __future__ import annotations

import asyncio
import socket
import ssl
import subprocess
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from pydantic import SecretStr

from reconciler.api import Connection, HttpCore, RetryPolicy
from reconciler.api.connection import Timeouts
from reconciler.api.errors import ApiConnectionError
from reconciler.api.network import ApiTransport

BODY = b'{"id":"met_1"}'
ANSWER = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n%s" % (
    len(BODY),
    BODY,
)


@dataclass
class Server:
    """Answers each request with `ANSWER`; `close_after_answer` closes the connection
    after each (without saying so in a header); `silent` never answers. Records the
    request lines it got and the connections it accepted."""

    close_after_answer: bool = False
    silent: bool = False
    after_answer: bytes = b""  # sent 10 ms after each answer, unasked
    request_lines: list[bytes] = field(default_factory=list)
    connections: int = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                self.request_lines.append(head.split(b"\r\n", 1)[0])
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                await reader.readexactly(length)
                if self.silent:
                    await asyncio.Event().wait()
                writer.write(ANSWER)
                await writer.drain()
                if self.after_answer:
                    await asyncio.sleep(0.01)
                    writer.write(self.after_answer)
                    await writer.drain()
                if self.close_after_answer:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


Serve = Callable[[Server, ssl.SSLContext | None], Awaitable[int]]


@pytest.fixture
async def serve() -> Iterator[Serve]:
    """Starts a `Server` on a free local port (TLS with a context); returns the port."""
    servers: list[asyncio.Server] = []

    async def start(server: Server, tls: ssl.SSLContext | None = None) -> int:
        listening = await asyncio.start_server(server.handle, "127.0.0.1", 0, ssl=tls)
        servers.append(listening)
        port: int = listening.sockets[0].getsockname()[1]
        return port

    yield start
    for listening in servers:
        listening.close()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for localhost and 127.0.0.1, and its key (openssl)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-nodes", "-days", "2", "-subj", "/CN=localhost"),
            *("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"),
            *("-keyout", str(key), "-out", str(cert)),
            *("-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def _connection(base_url: str, **settings: object) -> Connection:
    return Connection(base_url=base_url, api_key=SecretStr("sk_test_x"), **settings)  # type: ignore[arg-type]


def _backend_connections(core: HttpCore) -> int:
    transport = core._client._transport
    assert isinstance(transport, ApiTransport), "the client does not use its own transport"
    return transport.backend.connections


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


async def test_requests_reuse_one_connection(serve: Serve) -> None:
    server = Server()
    port = await serve(server, None)
    async with HttpCore(_connection(f"http://127.0.0.1:{port}")) as core:
        for _ in range(3):
            assert await core.request("GET", "/metrics") == {"id": "met_1"}
        assert await core.request("POST", "/metrics", body={"a": 1}, idempotency_key="k") == {
            "id": "met_1"
        }
        assert _backend_connections(core) == 1
    assert server.connections == 1
    assert server.request_lines == [b"GET /metrics HTTP/1.1"] * 3 + [b"POST /metrics HTTP/1.1"]


async def test_a_connection_the_server_closed_is_not_reused(serve: Serve) -> None:
    """The server closes after each answer without a `Connection: close` header: the pool
    sees the end of stream on the idle connection and opens a new one, so no request is
    sent into a closed connection (each arrives once)."""
    server = Server(close_after_answer=True)
    port = await serve(server, None)
    async with HttpCore(_connection(f"http://127.0.0.1:{port}")) as core:
        for _ in range(3):
            assert await core.request("GET", "/metrics") == {"id": "met_1"}
            await asyncio.sleep(0.05)  # the close reaches the client
        assert _backend_connections(core) == 3
        assert core.requests_sent == 3  # none failed and was sent again
    assert len(server.request_lines) == 3


@pytest.mark.parametrize("close", [True, False], ids=["then-closed", "kept-open"])
async def test_an_idle_connection_with_bytes_waiting_is_not_reused(
    serve: Serve, close: bool
) -> None:
    """Some servers answer an idle keep-alive connection with a 408 before closing it
    (and a broken one may send bytes and keep it open): what arrived unasked must not be
    read as the next request's answer. The pool sees it and opens a new connection."""
    timeout = b"HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\n\r\n"
    server = Server(after_answer=timeout, close_after_answer=close)
    port = await serve(server, None)
    async with HttpCore(_connection(f"http://127.0.0.1:{port}")) as core:
        for _ in range(3):
            assert await core.request("GET", "/metrics") == {"id": "met_1"}
            await asyncio.sleep(0.05)  # the unasked bytes reach the client
        assert _backend_connections(core) == 3
        assert core.requests_sent == 3
    assert len(server.request_lines) == 3


async def test_tls_with_a_trusted_certificate(
    serve: Serve, certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over https the certificate is checked against the roots httpx would use
    (`SSL_CERT_FILE` here), and the host name against the certificate."""
    cert, key = certificate
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, key)
    server = Server()
    port = await serve(server, tls)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    async with HttpCore(_connection(f"https://localhost:{port}")) as core:
        assert await core.request("GET", "/metrics") == {"id": "met_1"}
        assert await core.request("GET", "/metrics") == {"id": "met_1"}
        assert _backend_connections(core) == 1
    assert server.request_lines == [b"GET /metrics HTTP/1.1"] * 2


async def test_tls_with_an_untrusted_certificate_is_refused(
    serve: Serve, certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    cert, key = certificate
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, key)
    server = Server()
    port = await serve(server, tls)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    connection = _connection(f"https://localhost:{port}", retry=RetryPolicy(max_attempts=1))
    async with HttpCore(connection) as core:
        with pytest.raises(ApiConnectionError, match="ConnectError"):
            await core.request("GET", "/metrics")
    assert server.request_lines == []


async def test_a_silent_server_is_a_read_timeout(serve: Serve) -> None:
    port = await serve(Server(silent=True), None)
    connection = _connection(
        f"http://127.0.0.1:{port}",
        retry=RetryPolicy(max_attempts=1),
        timeouts=Timeouts(read=0.2, request=60),
    )
    async with HttpCore(connection) as core:
        with pytest.raises(ApiConnectionError, match="ReadTimeout"):
            await core.request("GET", "/metrics")


async def test_nothing_listening_is_a_connect_error() -> None:
    # A port that was free a moment ago, closed again: nothing listens there.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    connection = _connection(f"http://127.0.0.1:{free}", retry=RetryPolicy(max_attempts=1))
    async with HttpCore(connection) as core:
        with pytest.raises(ApiConnectionError, match="could not connect"):
            await core.request("GET", "/metrics")


async def test_a_proxy_in_the_environment_is_used(
    serve: Serve, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With `HTTP_PROXY` set the request goes to the proxy, in absolute form: the client
    leaves proxies to httpx rather than connect directly."""
    proxy = Server()
    port = await serve(proxy, None)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
    async with HttpCore(_connection("http://api.alguna.invalid")) as core:
        assert await core.request("GET", "/metrics") == {"id": "met_1"}
        assert not isinstance(core._client._transport, ApiTransport)
    assert proxy.request_lines == [b"GET http://api.alguna.invalid/metrics HTTP/1.1"]
