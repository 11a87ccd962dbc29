"""Rate-limit benchmark: does the client use the API's limit without tripping it?

Runs N reads through the real client (`HttpCore` with its token-bucket budget and Little's
law concurrency) against the in-process emulator enforcing `--rate` standard requests per
second (with `--latency-ms` added to every request), and reports how many requests were
sent, how long they took, the achieved rate as a share of the limit, and how many the
emulator answered 429 (from its own request counters). The client is configured with the
same limit, as an environment's `rate_limits` would be.

    python benchmarks/rate_limit.py                       # 1000 requests at 100/s
    python benchmarks/rate_limit.py --requests 300 --rate 200 --latency-ms 20

Target: under 1% answered 429 while using at least 80% of the limit.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from pydantic import SecretStr

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from alguna_emulator import RateLimits, create_app, emulator_transport
from reconciler.api import AlgunaReader, AlgunaWriter, Connection, HttpCore
from reconciler.settings import RateLimits as ClientRateLimits
from tests.api.in_flight import InFlight

METRIC = {"name": "API calls", "event_name": "api_call", "aggregation": {"method": "count"}}


@dataclass(frozen=True)
class Result:
    requests: int  # completed by the client (each may have taken several attempts)
    attempts: int  # answered by the emulator, 429s included
    seconds: float
    limit: float
    rate_limited: int  # answered 429
    peak_in_flight: int  # the most requests the client had sent and not yet had answered
    in_flight_cap: int  # the client's own bound on them at the end (from the latency seen)

    @property
    def rate(self) -> float:
        """Requests answered per second, 429s included: what the limit counts."""
        return self.attempts / self.seconds

    @property
    def ratio(self) -> float:
        return self.rate / self.limit

    @property
    def share_429(self) -> float:
        return self.rate_limited / self.attempts if self.attempts else 0.0

    def report(self) -> str:
        return (
            f"requests      {self.requests} ({self.attempts} sent incl. retries)\n"
            f"seconds       {self.seconds:.2f}\n"
            f"rate          {self.rate:.1f}/s of {self.limit:g}/s limit"
            f" (ratio {self.ratio:.2f})\n"
            f"429 answered  {self.rate_limited} ({self.share_429:.2%})\n"
            f"in flight     at most {self.peak_in_flight} at once"
            f" (the client's bound at the end: {self.in_flight_cap})"
        )


async def run(requests: int = 1000, rate: float = 100.0, latency_ms: float = 0.0) -> Result:
    app = create_app(rate_limits=RateLimits(enabled=False, standard=rate), latency_ms=latency_ms)
    connection = Connection(
        base_url="http://emulator.invalid",
        api_key=SecretStr("sk_test_benchmark"),
        rate_limits=ClientRateLimits(standard=rate),
    )
    async with (
        HttpCore(connection, transport=emulator_transport(app)) as core,
        httpx.AsyncClient(
            transport=emulator_transport(app), base_url="http://emulator.invalid/_emulator"
        ) as control,
    ):
        metric = await AlgunaWriter(core).create("/metrics", METRIC, key="benchmark-metric")
        # Limits on from here, buckets full, log empty; a fresh client budget too.
        await control.patch("/settings", json={"rate_limits": {"enabled": True}})
        await control.delete("/requests")
    counted = InFlight(emulator_transport(app))
    async with HttpCore(connection, transport=counted) as core:
        reader = AlgunaReader(core)
        path = f"/metrics/{metric['id']}"
        started = time.monotonic()
        await asyncio.gather(*(reader.get(path) for _ in range(requests)))
        seconds = time.monotonic() - started
        in_flight_cap = core.budget.max_in_flight
    async with httpx.AsyncClient(
        transport=emulator_transport(app), base_url="http://emulator.invalid/_emulator"
    ) as control:
        counters = (await control.get("/counters")).json()
    return Result(
        requests=requests,
        attempts=sum(row["count"] for row in counters),
        seconds=seconds,
        limit=rate,
        rate_limited=sum(row["count"] for row in counters if row["status"] == 429),
        peak_in_flight=counted.peak,
        in_flight_cap=in_flight_cap,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=100.0, help="the emulator's limit, /s")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="added to every request")
    args = parser.parse_args(argv)
    result = asyncio.run(run(args.requests, args.rate, args.latency_ms))
    print(result.report())
    ok = result.share_429 < 0.01 and result.ratio >= 0.8
    print("target (<1% 429, >=80% of the limit):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
