"""The API client against the hostile server, below the CLI: the retry clock."""

from __future__ import annotations

import asyncio
import time

from pydantic import SecretStr
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from reconciler.api import Connection, HttpCore, RetryPolicy
from reconciler.settings import RateLimits
from tests.hostile.harness import KEY
from tests.hostile.server import Forward, HostileServer


async def test_time_queued_in_our_own_budget_does_not_count_against_retries(
    server: HostileServer,
) -> None:
    """Twelve reads at 4 requests a second, each answered 503 the first time: the last
    ones wait about 3 s for our own rate budget before they are first sent, three times
    the policy's 1 s total. Counted from the first send, each still gets its retry.
    Before: the clock started before the queue, and those reads failed unretried."""
    answered: set[str] = set()

    async def busy_once(request: Request, body: bytes, forward: Forward) -> Response | None:
        if request.url.query in answered:
            return None
        answered.add(request.url.query)
        return JSONResponse({"detail": "busy"}, status_code=503)

    server.behaviour = busy_once
    connection = Connection(
        base_url=server.base_url,
        api_key=SecretStr(KEY),
        rate_limits=RateLimits(standard=4),
        retry=RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.05, max_total=1.0),
    )
    started = time.monotonic()
    async with HttpCore(connection) as core:
        answers = await asyncio.gather(
            *(
                core.request("GET", "/metrics", params={"limit": 100, "offset": 100 * i})
                for i in range(12)
            )
        )
    assert all(answer["data"] == [] for answer in answers)
    assert time.monotonic() - started > 2 * connection.retry.max_total  # it did queue
    assert len(server.requests("GET", "/metrics")) == 24  # every read failed once
