"""The state of one emulator instance, and how a request handler reaches it.

Owns the Runtime (store, clock, settings, faults, limiter, request log, webhook dispatcher)
that create_app puts on ``app.state`` and the ``Ctx`` dependency a resource handler
receives: the store, the clock and the caller's account. Must not implement any stage of
request handling itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request

from .clock import Clock, format_ts
from .config import Settings
from .errors import ApiError
from .pipeline.faults import FaultBook
from .pipeline.idempotency import KeyBook
from .pipeline.ratelimit import RateLimiter
from .pipeline.requestlog import RequestLog
from .store import Store
from .webhooks.dispatcher import Dispatcher


@dataclass
class Runtime:
    """Everything an emulator app shares between requests."""

    store: Store
    clock: Clock
    settings: Settings
    faults: FaultBook = field(default_factory=FaultBook)
    limiter: RateLimiter = field(default_factory=RateLimiter)
    log: RequestLog = field(default_factory=RequestLog)
    webhooks: Dispatcher = field(init=False)

    def __post_init__(self) -> None:
        self.webhooks = Dispatcher(self.store, self.clock)

    @property
    def keys(self) -> KeyBook:
        """The idempotency keys, kept in the store and timed by the emulator clock."""
        return KeyBook(self.store, self.clock)


def runtime_of(request: Request) -> Runtime:
    """The Runtime of the app serving this request."""
    runtime = request.app.state.emulator
    assert isinstance(runtime, Runtime)
    return runtime


@dataclass(frozen=True)
class Ctx:
    """What a resource handler works with: one account's view of the store, and the clock."""

    runtime: Runtime
    account: str

    @property
    def store(self) -> Store:
        return self.runtime.store

    @property
    def clock(self) -> Clock:
        return self.runtime.clock

    def now_ts(self) -> str:
        """The emulator's now, in wire form."""
        return format_ts(self.clock.now())


def _ctx(request: Request) -> Ctx:
    account = request.scope.get("state", {}).get("account")
    if not isinstance(account, str):
        # The gate stage always sets it for API routes; reaching here means a wiring bug.
        raise ApiError(401, "Missing bearer API key")
    return Ctx(runtime_of(request), account)


CtxDep = Annotated[Ctx, Depends(_ctx)]
