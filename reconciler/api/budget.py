"""The request budget: a token bucket per rate-limit class, and how many requests may be
in flight at once.

Buckets (aiolimiter's leaky bucket, refilling at the API's per-second limits and holding
a tenth of a second's worth, see `_bucket`) keep the client under the documented limits:
standard 100/s, bulk 10/s, events 1000/s, configurable per environment. Concurrency is
not a fixed small pool: by Little's law, keeping a rate R busy at latency L needs about
R*L requests in flight, so the limit follows the observed latency (an exponentially
weighted mean), with headroom, up to `Budget.MAX_IN_FLIGHT`.
"""

from __future__ import annotations

import asyncio
import math
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from enum import StrEnum

from aiolimiter import AsyncLimiter

from reconciler.settings import RateLimits


class RequestClass(StrEnum):
    STANDARD = "standard"
    BULK = "bulk"
    EVENTS = "events"


# Writes that create or rewrite a subscription's priced items count against the bulk
# limit (the emulator's assumption, alguna_emulator/pipeline/ratelimit.py); the client
# mirrors it, or it would send them at the standard rate into 429s.
BULK_ROUTES: tuple[re.Pattern[str], ...] = (
    re.compile(r"^/subscriptions/?$"),
    re.compile(r"^/subscriptions/[^/]+/versions/?$"),
    re.compile(r"^/subscriptions/[^/]+/versions/[^/]+/publish/?$"),
    re.compile(r"^/subscriptions/[^/]+/changes/?$"),
)


def request_class(method: str, path: str) -> RequestClass:
    """Which limit a request counts against: event ingestion, the bulk subscription
    writes (`BULK_ROUTES`, POST only), or standard."""
    if method == "POST" and path.rstrip("/") == "/events":
        return RequestClass.EVENTS
    if method == "POST" and any(route.match(path) for route in BULK_ROUTES):
        return RequestClass.BULK
    return RequestClass.STANDARD


BURST_SECONDS = 0.1
MIN_BURST = 5.0


def _bucket(rate: float) -> AsyncLimiter:
    """Refills at `rate` per second and holds `BURST_SECONDS` worth, but at least
    `MIN_BURST` (never more than one second's worth, the server's bucket; at least one).

    The server counts a request when it arrives, we when we send it; latency that varies
    between requests bunches them up on the way, so the server can see a burst larger
    than ours (rate x the spread in latency). A tenth of the server's one-second bucket
    leaves that room; the steady rate is unchanged. It was half a second: every burst of
    50 opened as many connections, which then sat idle in httpcore's pool, whose every
    request event scans every connection (measured at 4,000 writes: 4.3 ms of client CPU
    per write with 0.5, 2.2 ms with 0.1; docs/performance.md). A bucket of one token (the
    bulk class at 10/s) loses every late wake-up for good: `MIN_BURST` lets the sends catch
    up (apply at 4,000: x1.06 the rate-limit floor with one token, x1.03 with five)."""
    capacity = max(1.0, min(rate, max(MIN_BURST, rate * BURST_SECONDS)))
    return AsyncLimiter(capacity, capacity / rate)


class Budget:
    """Paces requests per class and bounds the requests in flight."""

    MIN_IN_FLIGHT = 4
    # 64 in flight sustain 100/s up to 640 ms of latency. The bound was 512: at 10,000
    # writes the client's own event-loop lag inflated the observed latency, which raised
    # the places in flight, which added lag (hundreds of requests in httpcore's pool, each
    # pool event scanning all of them) until sends bunched up and the API answered 429
    # (docs/performance.md: 467 429s at 10,000 before, none measured at 4,000 after).
    MAX_IN_FLIGHT = 64
    HEADROOM = 2.0
    SMOOTHING = 0.2

    def __init__(self, limits: RateLimits) -> None:
        self._limits = {
            klass: _bucket(rate)
            for klass, rate in (
                (RequestClass.STANDARD, limits.standard),
                (RequestClass.BULK, limits.bulk),
                (RequestClass.EVENTS, limits.events),
            )
        }
        self._rate = limits.standard
        self._latency = 0.05
        self._in_flight = 0
        self._changed = asyncio.Condition()

    @property
    def max_in_flight(self) -> int:
        wanted = math.ceil(self._rate * self._latency * self.HEADROOM)
        return max(self.MIN_IN_FLIGHT, min(self.MAX_IN_FLIGHT, wanted))

    @property
    def latency(self) -> float:
        return self._latency

    @asynccontextmanager
    async def slot(self, klass: RequestClass) -> AsyncIterator[None]:
        """Hold a place in flight and a token of `klass` for the body of the block; the
        block's duration feeds the latency estimate."""
        async with self._changed:
            await self._changed.wait_for(lambda: self._in_flight < self.max_in_flight)
            self._in_flight += 1
        try:
            await self._limits[klass].acquire()
            # The loop's clock, as the buckets pace with (time.monotonic() on a real loop;
            # on tests' virtual clock the latency they observe is the one they set).
            clock = asyncio.get_running_loop()
            started = clock.time()
            yield
            elapsed = clock.time() - started
            self._latency += self.SMOOTHING * (elapsed - self._latency)
        finally:
            async with self._changed:
                self._in_flight -= 1
                # Wake as many waiters as there are free places, not all of them: with
                # thousands queued (one apply lane per resource), waking every waiter on
                # every release made CPU grow with the square of the queue
                # (docs/performance.md, finding 1).
                self._changed.notify(max(1, self.max_in_flight - self._in_flight))
