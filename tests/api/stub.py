"""A stand-in for the Alguna API that answers on the event loop, for the client's pacing
and deadline tests on the virtual clock (tests/virtual_clock.py).

It is an httpx transport, so the client under test (`HttpCore`, `EventSender`) is the
real one down to the transport; only the server is replaced, by one that holds no state:
`POST /events` accepts every event of the batch, any other request gets `{}`; each
answer comes `latency` seconds (loop time) after the request, or never (`hang`). The
first requests may be answered with `statuses` instead, in order (a 429 with
`Retry-After: retry_after`). It
records, in loop time, when each request arrived and when it ended, and how many were
in flight at once.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field

import httpx


@dataclass
class Arrival:
    method: str
    path: str
    at: float  # loop time
    events: int  # events in the batch (POST /events), else 0
    ended: float | None = None  # loop time the answer went out or the client gave up


@dataclass
class StubApi(httpx.AsyncBaseTransport):
    latency: float = 0.0
    hang: bool = False
    statuses: list[int] = field(default_factory=list)
    retry_after: str = "1"
    arrivals: list[Arrival] = field(default_factory=list)
    in_flight: int = 0
    peak_in_flight: int = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        loop = asyncio.get_running_loop()
        content = await request.aread()
        events = json.loads(content)["events"] if request.url.path == "/events" else []
        arrival = Arrival(request.method, request.url.path, loop.time(), len(events))
        self.arrivals.append(arrival)
        self.in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            if self.hang:
                await asyncio.Event().wait()  # until the client's deadline cancels it
            await asyncio.sleep(self.latency)
        finally:
            self.in_flight -= 1
            arrival.ended = loop.time()
        if self.statuses:
            status = self.statuses.pop(0)
            headers = {"Retry-After": self.retry_after} if status == 429 else {}
            return httpx.Response(status, headers=headers, json={"detail": "scripted"})
        if events:
            body = {"ingested": [event["unique_id"] for event in events], "failed": []}
            return httpx.Response(200, json=body)
        return httpx.Response(200, json={})

    def most_in_any_window(self, seconds: float) -> int:
        """The most events (or requests, when no batch carries events) that arrived
        within any `seconds` of loop time (both ends included)."""
        weights = [(a.at, a.events or 1) for a in self.arrivals]
        best = 0
        for i, (start, _) in enumerate(weights):
            best = max(best, sum(w for at, w in weights[i:] if at <= start + seconds + 1e-9))
        return best
