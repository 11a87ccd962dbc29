"""`InFlight`: an httpx transport wrapper that counts the requests in flight through the
transport it wraps, and the most at once. Concurrency as a count, which a loaded machine
cannot change (tests/api/test_pagination.py, benchmarks/rate_limit.py)."""

from __future__ import annotations

import httpx


class InFlight(httpx.AsyncBaseTransport):
    """Counts the requests in flight through `inner`, and the most at once."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.now = 0
        self.peak = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.now += 1
        self.peak = max(self.peak, self.now)
        try:
            response = await self.inner.handle_async_request(request)
            await response.aread()
            return response
        finally:
            self.now -= 1

    async def aclose(self) -> None:
        await self.inner.aclose()
