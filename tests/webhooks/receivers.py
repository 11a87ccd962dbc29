"""Webhook receivers for the tests: in process (an httpx MockTransport) or on a real socket."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx


@dataclass
class Recorder:
    """Answers each delivery with the next scripted status (then ``default``), records it."""

    statuses: list[int] = field(default_factory=list)
    default: int = 200
    received: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.received.append(request)
        status = self.statuses.pop(0) if self.statuses else self.default
        return httpx.Response(status, json={"ok": status < 300})

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    def types(self) -> list[str]:
        return [json.loads(request.content)["type"] for request in self.received]


@dataclass
class Received:
    body: bytes
    headers: dict[str, str]


# How long a held receiver holds a delivery at most: longer than the emulator's delivery
# timeout (15 s), so a sender that waits for the answer gives up before it comes.
HOLD_LIMIT = 30.0


class SocketReceiver:
    """A real HTTP server on 127.0.0.1 that records deliveries, optionally slowly:
    `delay` seconds before each answer, or, when `hold`, until `release` is set (at most
    `HOLD_LIMIT`). `answered` is set once an answer went out."""

    def __init__(self, delay: float = 0.0, status: int = 200, hold: bool = False) -> None:
        self.delay = delay
        self.status = status
        self.hold = hold
        self.received: list[Received] = []
        self.arrived = threading.Event()
        self.release = threading.Event()
        self.answered = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.received.append(Received(body, dict(self.headers.items())))
                receiver.arrived.set()
                if receiver.hold:
                    receiver.release.wait(HOLD_LIMIT)
                else:
                    time.sleep(receiver.delay)
                try:
                    self.send_response(receiver.status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    receiver.answered.set()
                except OSError:
                    pass  # the sender gave up (a timeout test)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def wait(self, count: int, timeout: float = 10.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.received


@contextmanager
def socket_receiver(
    delay: float = 0.0, status: int = 200, hold: bool = False
) -> Iterator[SocketReceiver]:
    receiver = SocketReceiver(delay, status, hold)
    receiver._thread.start()
    try:
        yield receiver
    finally:
        receiver.release.set()
        receiver.server.shutdown()
        receiver.server.server_close()
