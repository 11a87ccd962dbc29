"""Fault injection: rules per route pattern, and the stage that plays them.

Owns the fault kinds and when a rule fires:
- ``latency``: wait ``latency_ms``, then handle the request normally;
- ``error``: answer ``status`` without running the request; ``transient`` false means the
  response carries no ``Transient-Error`` and is stored for idempotent replay like any 4xx;
- ``rate_limit``: a 429 storm with ``Retry-After: retry_after`` (nothing runs);
- ``drop_after_commit``: run the request (it commits, and its idempotency key is stored),
  then drop the connection instead of answering;
- ``hang``: answer nothing for ``hang_seconds`` or until the client goes away (nothing runs),
  then a transient 504.
A rule matches a method (or ``*``) and a path glob (``fnmatch``) or a regex; it fires for
the next ``count`` matching requests, or for a seeded ``percentage`` of them, or always until
removed. The stage sits inside the idempotency stage, so an injected failure is what the
idempotency rules see. Must not decide how a drop reaches the client (see edge).
"""

from __future__ import annotations

import asyncio
import fnmatch
import itertools
import random
import re
import threading
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.types import ASGIApp, Receive, Scope, Send

from ..config import Settings
from ..errors import error_response
from .scope import flags
from .stage import Stage

FaultKind = Literal["latency", "error", "rate_limit", "drop_after_commit", "hang"]


class FaultSpec(BaseModel):
    """A fault rule as the control API receives it."""

    model_config = ConfigDict(extra="forbid")

    kind: FaultKind
    method: Annotated[str, Field(min_length=1, max_length=10)] = "*"
    path: Annotated[str, Field(min_length=1, max_length=500)] = "*"
    path_regex: Annotated[str, Field(max_length=500)] | None = None
    count: Annotated[int, Field(ge=1)] | None = None
    percentage: Annotated[float, Field(gt=0, le=100)] | None = None
    seed: int = 0
    latency_ms: Annotated[float, Field(ge=0, le=600_000)] = 0
    status: Annotated[int, Field(ge=400, le=599)] = 500
    transient: bool = True
    retry_after: Annotated[int, Field(ge=0, le=3600)] = 1
    hang_seconds: Annotated[float, Field(gt=0, le=86_400)] = 3600

    @model_validator(mode="after")
    def _regex(self) -> FaultSpec:
        if self.path_regex is not None:
            re.compile(self.path_regex)
        return self


class Fault(FaultSpec):
    """A registered rule: its id, how many more times it fires, how often it fired."""

    id: int
    remaining: int | None = None
    fired: int = 0


class FaultBook:
    """The active fault rules, in the order they were added (the first match wins)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._faults: list[Fault] = []
        self._rngs: dict[int, random.Random] = {}

    def add(self, spec: FaultSpec) -> Fault:
        with self._lock:
            fault = Fault(**spec.model_dump(), id=next(self._ids), remaining=spec.count)
            self._faults.append(fault)
            self._rngs[fault.id] = random.Random(spec.seed)
            return fault.model_copy()

    def list(self) -> list[Fault]:
        with self._lock:
            return [f.model_copy() for f in self._faults]

    def remove(self, fault_id: int) -> bool:
        with self._lock:
            before = len(self._faults)
            self._faults = [f for f in self._faults if f.id != fault_id]
            return len(self._faults) != before

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
            self._rngs.clear()

    def pick(self, method: str, path: str) -> Fault | None:
        """The rule that fires for this request, if any (firing consumes a count)."""
        with self._lock:
            for fault in self._faults:
                if not _matches(fault, method, path):
                    continue
                roll = self._rngs[fault.id].random() * 100
                if fault.percentage is not None and roll >= fault.percentage:
                    continue
                fault.fired += 1
                if fault.remaining is not None:
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                return fault.model_copy()
        return None


def _matches(fault: Fault, method: str, path: str) -> bool:
    if fault.method not in ("*", method.upper()):
        return False
    if fault.path_regex is not None:
        return re.search(fault.path_regex, path) is not None
    return fnmatch.fnmatchcase(path, fault.path)


async def _wait_for_disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


class Faults(Stage):
    """Play the fault that fires for a request, plus the configured baseline latency."""

    def __init__(self, app: ASGIApp, book: FaultBook, settings: Settings) -> None:
        super().__init__(app)
        self.book = book
        self.settings = settings

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.settings.latency_ms:
            await asyncio.sleep(self.settings.latency_ms / 1000)
        fault = self.book.pick(str(scope["method"]), str(scope["path"]))
        if fault is None:
            await self.app(scope, receive, send)
        elif fault.kind == "latency":
            await asyncio.sleep(fault.latency_ms / 1000)
            await self.app(scope, receive, send)
        elif fault.kind == "error":
            flags(scope).non_transient = not fault.transient
            detail = f"Injected fault: status {fault.status}"
            await error_response(fault.status, detail)(scope, receive, send)
        elif fault.kind == "rate_limit":
            headers = {"Retry-After": str(fault.retry_after)}
            await error_response(429, "Injected fault: rate limited", headers)(scope, receive, send)
        elif fault.kind == "drop_after_commit":
            await self.app(scope, receive, send)
            flags(scope).drop = True
        else:
            try:
                await asyncio.wait_for(_wait_for_disconnect(receive), fault.hang_seconds)
            except TimeoutError:
                await error_response(504, "Injected fault: hung request timed out")(
                    scope, receive, send
                )
