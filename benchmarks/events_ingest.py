"""Event-ingestion benchmark: 1000 events/s with duplicate unique_ids, and 429 above the rate.

Phase 1 sends N usage events (a share of them re-using an earlier event's `unique_id`)
through the real client (`reconciler.api.events.EventSender` over `HttpCore`: batches of
100, paced at `--rate` events per second) to the in-process emulator enforcing the same
events limit, then counts what the emulator stored and how many requests it answered 429.
Phase 2 ignores the pacing: it fires `--burst` times the limit in concurrent batches at a
fresh account and counts the 429s.

    python benchmarks/events_ingest.py                     # 10,000 events at 1000/s, 10% dups
    python benchmarks/events_ingest.py --events 2000 --duplicates 0.1 --rate 1000

Target: exactly the unique events stored, none failed, no 429 while paced, at least 80%
of the limit used; and 429s (with Retry-After) above the limit.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from alguna_emulator import RateLimits, create_app, emulator_transport
from reconciler.api import Connection, HttpCore
from reconciler.api.events import BURST_SECONDS, EventSender, batched, usage_event
from reconciler.settings import RateLimits as ClientRateLimits

START = datetime(2026, 4, 1, 10, 0, tzinfo=UTC)
API_KEY = "sk_test_events_benchmark"
BURST_KEY = "sk_test_events_burst"
CUSTOMERS = 10
HEADERS = {"Alguna-Version": "2026-04-01"}


@dataclass(frozen=True)
class Result:
    events: int
    unique: int
    seconds: float
    limit: float
    stored: int
    ingested: int
    failed: int
    rate_limited: int  # 429 answers while paced
    usage_matches: bool  # the emulator's count per customer equals the unique events
    burst_events: int
    burst_accepted: int
    burst_429: int
    burst_retry_after: bool
    burst_seconds: float  # from the first burst request sent to the last answer

    @property
    def burst_ceiling(self) -> float:
        """The most events a token bucket of one second's worth (the emulator's) can
        grant in `burst_seconds`: the full bucket plus its refill."""
        return self.limit * (1 + self.burst_seconds)

    @property
    def rate(self) -> float:
        return self.events / self.seconds

    @property
    def steady_rate(self) -> float:
        """The rate once the client's own initial burst (half a second's worth) is spent."""
        return max(0.0, self.events - self.limit * BURST_SECONDS) / self.seconds

    @property
    def ok(self) -> bool:
        return (
            self.stored == self.unique
            and self.failed == 0
            and self.rate_limited == 0
            and self.usage_matches
            and self.rate >= 0.8 * self.limit
            and self.burst_429 > 0
            and self.burst_retry_after
        )

    def report(self) -> str:
        duplicates = self.events - self.unique
        return (
            f"events sent       {self.events} ({self.unique} unique ids,"
            f" {duplicates} duplicates = {duplicates / self.events:.1%})\n"
            f"seconds           {self.seconds:.2f}\n"
            f"rate              {self.rate:.0f} events/s of {self.limit:g}/s limit"
            f" (ratio {self.rate / self.limit:.2f}; the emulator's bucket starts full)\n"
            f"steady rate       {self.steady_rate:.0f} events/s after the client's first"
            f" {self.limit * BURST_SECONDS:g}-event burst\n"
            f"ingested/failed   {self.ingested} / {self.failed}\n"
            f"stored            {self.stored}"
            f" (exactly the unique events: {'yes' if self.stored == self.unique else 'NO'})\n"
            f"usage per metric  {'matches' if self.usage_matches else 'DOES NOT match'}"
            " the unique events per customer\n"
            f"429 while paced   {self.rate_limited}\n"
            f"burst above limit {self.burst_events} events at once:"
            f" {self.burst_accepted} accepted, {self.burst_429} requests answered 429"
            f"{' with Retry-After' if self.burst_retry_after else ''}"
            f" in {self.burst_seconds:.2f} s"
        )


def make_events(total: int, duplicates: float, seed: int = 7) -> tuple[list[dict[str, Any]], int]:
    """`total` events, a `duplicates` share of them repeating an earlier event's
    `unique_id` (and content), shuffled so that repeats land in the same and in other
    batches. Returns the events and the number of unique ids."""
    rng = random.Random(seed)
    unique = total - round(total * duplicates)
    originals = [
        usage_event(
            account=f"customer-{i % CUSTOMERS}",
            event_name="api_call",
            unique_id=f"req-{i:07d}",
            properties={"ms": rng.randint(1, 500), "region": rng.choice(["us", "eu"])},
        )
        for i in range(unique)
    ]
    events = list(originals)
    for _ in range(total - unique):
        position = rng.randrange(len(events))
        events.insert(position + 1, dict(rng.choice(originals[: max(1, position)])))
    return events, unique


async def _stored_and_usage(
    control: httpx.AsyncClient, events: list[dict[str, Any]], metric_id: str
) -> tuple[int, bool]:
    stored = (await control.get("/objects/event", params={"api_key": API_KEY})).json()["data"]
    expected: dict[str, set[str]] = {}
    for event in events:
        expected.setdefault(event["account"], set()).add(event["unique_id"])
    matches = True
    for alias, ids in expected.items():
        usage = await control.get(
            "/usage",
            params={"customer": alias, "metric": metric_id},
            headers={"Authorization": f"Bearer {API_KEY}"},
        )
        matches &= usage.json()["data"][0]["value"] == str(len(ids))
    return len(stored), matches


async def _burst(app: Any, rate: float, factor: float) -> tuple[int, int, int, bool, float]:
    """Fire factor x rate events in concurrent batches of 100, unpaced; the seconds
    from the first send to the last answer come last."""
    headers = {**HEADERS, "Authorization": f"Bearer {BURST_KEY}"}
    async with httpx.AsyncClient(
        transport=emulator_transport(app), base_url="http://emulator.invalid", headers=headers
    ) as raw:
        await raw.post("/customers", json={"name": "Burst", "currency": "USD", "aliases": ["b"]})
        batches = [
            [
                {"unique_id": f"burst-{n}-{i}", "account": "b", "event_name": "api_call"}
                for i in range(100)
            ]
            for n in range(max(1, round(rate * factor / 100)))
        ]
        started = time.monotonic()
        answers = await asyncio.gather(
            *(raw.post("/events", json={"events": batch}) for batch in batches)
        )
        seconds = time.monotonic() - started
    limited = [a for a in answers if a.status_code == 429]
    accepted = sum(len(a.json()["ingested"]) for a in answers if a.status_code == 200)
    retry_after = bool(limited) and all(a.headers.get("Retry-After") for a in limited)
    return len(batches) * 100, accepted, len(limited), retry_after, seconds


async def run(
    events: int = 10_000,
    duplicates: float = 0.1,
    rate: float = 1000.0,
    latency_ms: float = 0.0,
    burst: float = 3.0,
) -> Result:
    app = create_app(
        rate_limits=RateLimits(enabled=False, events=rate),
        latency_ms=latency_ms,
        clock_start=START,
    )
    batch, unique = make_events(events, duplicates)
    connection = Connection(
        base_url="http://emulator.invalid",
        api_key=SecretStr(API_KEY),
        rate_limits=ClientRateLimits(events=rate),
    )
    async with httpx.AsyncClient(
        transport=emulator_transport(app), base_url="http://emulator.invalid/_emulator"
    ) as control:
        async with httpx.AsyncClient(
            transport=emulator_transport(app),
            base_url="http://emulator.invalid",
            headers={**HEADERS, "Authorization": f"Bearer {API_KEY}"},
        ) as api:
            for i in range(CUSTOMERS):
                body = {"name": f"C{i}", "currency": "USD", "aliases": [f"customer-{i}"]}
                await api.post("/customers", json=body)
            metric = await api.post(
                "/metrics",
                json={
                    "name": "Calls",
                    "event_name": "api_call",
                    "aggregation": {"method": "count"},
                },
            )
        # Limits on from here, buckets full, log empty.
        await control.patch("/settings", json={"rate_limits": {"enabled": True}})
        await control.delete("/requests")
        async with HttpCore(connection, transport=emulator_transport(app)) as core:
            sender = EventSender(core, rate=rate)
            started = time.monotonic()
            totals = await sender.send_all(batched(batch))
            seconds = time.monotonic() - started
        counters = (await control.get("/counters")).json()
        rate_limited = sum(row["count"] for row in counters if row["status"] == 429)
        stored, usage_matches = await _stored_and_usage(control, batch, metric.json()["id"])
    burst_events, accepted, burst_429, retry_after, burst_seconds = await _burst(app, rate, burst)
    return Result(
        events=events,
        unique=unique,
        seconds=seconds,
        limit=rate,
        stored=stored,
        ingested=totals.ingested,
        failed=totals.failed,
        rate_limited=rate_limited,
        usage_matches=usage_matches,
        burst_events=burst_events,
        burst_accepted=accepted,
        burst_429=burst_429,
        burst_retry_after=retry_after,
        burst_seconds=burst_seconds,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--duplicates", type=float, default=0.1, help="share re-using an id")
    parser.add_argument("--rate", type=float, default=1000.0, help="events/s, both sides")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="added to every request")
    parser.add_argument("--burst", type=float, default=3.0, help="phase 2: x the limit at once")
    args = parser.parse_args(argv)
    result = asyncio.run(run(args.events, args.duplicates, args.rate, args.latency_ms, args.burst))
    print(result.report())
    print(
        "target (unique stored, 0 failed, 0 x 429 paced, >=80% of the limit, 429 above it):",
        "met" if result.ok else "NOT met",
    )
    return 0 if result.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
