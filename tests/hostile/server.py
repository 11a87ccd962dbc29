"""A small hostile Alguna API for tests: a real HTTP server on 127.0.0.1 (Starlette under
uvicorn, in a thread) that answers the reconciler's requests through an in-process
emulator, except where the test's `behaviour` answers instead: trickling bytes, lists
that never end or come back empty, creates answered with another object or `{}`, a 401
that echoes the key.

The `billing` CLI reaches it over a socket like any remote environment (`base_url =
"http://127.0.0.1:<port>"`), so every layer of the client is the real one. Every request
is logged (method, path, query, body) so tests can check what was, and was not, sent.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from alguna_emulator import create_app, emulator_transport

METHODS = ["GET", "POST", "PATCH", "PUT", "DELETE"]


@dataclass(frozen=True)
class Logged:
    method: str
    path: str
    query: str
    body: str
    authorization: str
    at: float  # time.monotonic() on arrival (the test's clock: one machine, one clock)


Forward = Callable[[], Awaitable[httpx.Response]]
# A behaviour answers a request itself (a Response) or lets the emulator answer (None);
# it may call `forward` to get the emulator's answer and rewrite it.
Behaviour = Callable[[Request, bytes, Forward], Awaitable[Response | None]]


def as_response(answer: httpx.Response, content: bytes | None = None) -> Response:
    headers = {
        k: v
        for k, v in answer.headers.items()
        if k.lower() not in ("content-length", "transfer-encoding", "content-encoding")
    }
    body = answer.content if content is None else content
    return Response(body, status_code=answer.status_code, headers=headers)


class HostileServer:
    """Serves on an ephemeral loopback port from `start()` to `stop()`."""

    def __init__(self) -> None:
        self.emulator = create_app()
        self.behaviour: Behaviour | None = None
        self.log: list[Logged] = []
        self._lock = threading.Lock()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self.port: int = self._sock.getsockname()[1]
        self._client: httpx.AsyncClient | None = None
        app = Starlette(routes=[Route("/{path:path}", self._endpoint, methods=METHODS)])
        config = uvicorn.Config(
            app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> HostileServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the hostile server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(10)
        self._sock.close()

    def requests(self, method: str | None = None, path: str | None = None) -> list[Logged]:
        with self._lock:
            return [
                r
                for r in self.log
                if (method is None or r.method == method) and (path is None or r.path == path)
            ]

    def writes(self) -> list[Logged]:
        return [r for r in self.requests() if r.method != "GET"]

    async def _endpoint(self, request: Request) -> Response:
        body = await request.body()
        with self._lock:
            self.log.append(
                Logged(
                    method=request.method,
                    path=request.url.path,
                    query=request.url.query,
                    body=body.decode("utf-8", "replace"),
                    authorization=request.headers.get("authorization", ""),
                    at=time.monotonic(),
                )
            )

        async def forward() -> httpx.Response:
            if self._client is None:
                self._client = httpx.AsyncClient(
                    transport=emulator_transport(self.emulator),
                    base_url="http://emulator.invalid",
                )
            headers = {
                k: v
                for k, v in request.headers.items()
                if k.lower() not in ("host", "content-length")
            }
            return await self._client.request(
                request.method,
                request.url.path,
                params=request.url.query,
                content=body,
                headers=headers,
            )

        behaviour = self.behaviour
        if behaviour is not None:
            answer = await behaviour(request, body, forward)
            if answer is not None:
                return answer
        return as_response(await forward())


async def trickle(first: bytes, every: float) -> Any:
    """A body that starts well and then sends one byte every `every` seconds, forever."""
    yield first
    while True:
        await asyncio.sleep(every)
        yield b" "
