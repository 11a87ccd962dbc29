"""The request log and counters the control API reports.

Owns what is recorded per API request (emulator time, method, path, route template, status,
whether it was an idempotent replay, a dropped connection, its Idempotency-Key, duration) and
the counters by method, route template and status. The log keeps the latest 10,000 entries;
counters are never trimmed. Must not alter requests or responses.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel
from starlette.datastructures import Headers
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..clock import Clock, format_ts
from .scope import flags
from .stage import Stage

MAX_ENTRIES = 10_000


class LoggedRequest(BaseModel):
    seq: int
    at: str
    method: str
    path: str
    route: str
    status: int
    replayed: bool
    dropped: bool
    idempotency_key: str | None
    duration_ms: float


class Counter(BaseModel):
    method: str
    route: str
    status: int
    count: int
    replayed: int
    dropped: int


class RequestLog:
    """Thread-safe log and counters."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: deque[LoggedRequest] = deque(maxlen=MAX_ENTRIES)
        self._counts: dict[tuple[str, str, int], list[int]] = {}
        self._seq = 0

    def record(self, **fields: Any) -> None:
        with self._lock:
            self._seq += 1
            entry = LoggedRequest(seq=self._seq, **fields)
            self._entries.append(entry)
            tally = self._counts.setdefault((entry.method, entry.route, entry.status), [0, 0, 0])
            tally[0] += 1
            tally[1] += entry.replayed
            tally[2] += entry.dropped

    def entries(self, limit: int) -> list[LoggedRequest]:
        with self._lock:
            return list(self._entries)[-limit:] if limit else []

    def counters(self) -> list[Counter]:
        with self._lock:
            return [
                Counter(method=m, route=r, status=s, count=c[0], replayed=c[1], dropped=c[2])
                for (m, r, s), c in sorted(self._counts.items())
            ]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._counts.clear()


def route_template(routes: Sequence[BaseRoute], scope: Scope) -> str:
    """The route pattern a request addresses (``/products/{product_id}``), or ``<unmatched>``."""
    partial = None
    for route in routes:
        match, _ = route.matches(scope)
        path = getattr(route, "path", None)
        if match == Match.FULL and isinstance(path, str):
            return path
        if match == Match.PARTIAL and partial is None and isinstance(path, str):
            partial = path
    return partial or "<unmatched>"


class Recorder(Stage):
    """Record every API request once its response has been sent (or dropped)."""

    def __init__(
        self,
        app: ASGIApp,
        log: RequestLog,
        clock: Clock,
        routes: Sequence[BaseRoute],
    ) -> None:
        super().__init__(app)
        self.log = log
        self.clock = clock
        self.routes = routes

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        began = time.perf_counter()
        replayed = False

        async def watch(message: Message) -> None:
            nonlocal replayed
            if message["type"] == "http.response.start":
                replayed = (
                    Headers(raw=message.get("headers", [])).get("idempotent-replayed") == "true"
                )
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            request_flags = flags(scope)
            self.log.record(
                at=format_ts(self.clock.now()),
                method=str(scope["method"]),
                path=str(scope["path"]),
                route=route_template(self.routes, scope),
                status=request_flags.status or 0,
                replayed=replayed,
                dropped=request_flags.drop,
                idempotency_key=Headers(scope=scope).get("idempotency-key"),
                duration_ms=round((time.perf_counter() - began) * 1000, 3),
            )
