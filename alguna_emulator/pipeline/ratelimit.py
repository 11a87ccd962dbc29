"""Rate limiting: token buckets per API key and limit class; 429 with ``Retry-After``.

Owns the classes (documented: 100 requests/s standard, 10 requests/s bulk, 1000 events/s),
which requests are bulk (see BULK_ROUTES), and the buckets, measured in real (monotonic) time,
not on the emulator clock. The events class is charged per event by the events resource, not
per request here. Must not know what the routes do.
"""

from __future__ import annotations

import math
import re
import threading
import time

from starlette.types import ASGIApp, Receive, Scope, Send

from ..config import RateLimits, Settings
from ..errors import ApiError, error_response
from .stage import Stage

# Requests that create or rewrite a subscription's priced items. They are the expensive,
# fan-out operations of a billing system (schedules, proration), so they get the tight bulk
# limit; catalog writes (products, plans, ...) stay standard so that applying thousands of
# them is paced at 100/s.
BULK_ROUTES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("POST", re.compile(r"^/subscriptions/?$")),
    ("POST", re.compile(r"^/subscriptions/[^/]+/versions/?$")),
    ("POST", re.compile(r"^/subscriptions/[^/]+/versions/[^/]+/publish/?$")),
    ("POST", re.compile(r"^/subscriptions/[^/]+/changes/?$")),
)


def limit_class(method: str, path: str) -> str:
    """``events``, ``bulk`` or ``standard``."""
    if method == "POST" and path.rstrip("/") == "/events":
        return "events"
    if any(method == m and pattern.match(path) for m, pattern in BULK_ROUTES):
        return "bulk"
    return "standard"


class RateLimiter:
    """Token buckets holding one second's worth of tokens, per (account, class)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}

    def reset(self) -> None:
        """Refill every bucket (e.g. after the limits changed)."""
        with self._lock:
            self._buckets.clear()

    def charge(self, limits: RateLimits, account: str, limit_class: str, cost: int = 1) -> None:
        """Take ``cost`` tokens or raise a 429 ApiError carrying ``Retry-After`` seconds."""
        if not limits.enabled or cost <= 0:
            return
        rate = limits.rate(limit_class)
        capacity = max(rate, 1.0)
        cost_f = min(float(cost), capacity)
        now = time.monotonic()
        with self._lock:
            tokens, stamp = self._buckets.get((account, limit_class), (capacity, now))
            tokens = min(capacity, tokens + (now - stamp) * rate)
            if tokens >= cost_f:
                self._buckets[(account, limit_class)] = (tokens - cost_f, now)
                return
            self._buckets[(account, limit_class)] = (tokens, now)
        wait = max(1, math.ceil((cost_f - tokens) / rate))
        raise ApiError(
            429,
            f"Rate limit exceeded for {limit_class} requests ({rate:g}/s); retry after {wait}s",
            {"Retry-After": str(wait)},
        )


class RateLimit(Stage):
    """Charge every API request (but event ingestion) to its class's bucket."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter, settings: Settings) -> None:
        super().__init__(app)
        self.limiter = limiter
        self.settings = settings

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        cls = limit_class(str(scope["method"]), str(scope["path"]))
        if cls != "events":
            try:
                self.limiter.charge(self.settings.rate_limits, scope["state"]["account"], cls)
            except ApiError as exc:
                await error_response(exc.status, exc.detail, exc.headers)(scope, receive, send)
                return
        await self.app(scope, receive, send)
