"""Event ingestion through the real client: 1000 events/s with 10% duplicate unique_ids
stores exactly the unique events, the emulator answers 429 above the rate, and the sender
retries what is safe to retry (a scaled-down `benchmarks/events_ingest.py`; the full run is
behind ``-m slow``). The pacing's rate is checked on a virtual clock: a lower bound on a
rate in real time is a bound on the machine's speed (the benchmark reports that)."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from pydantic import SecretStr

from reconciler.api import Connection, HttpCore
from reconciler.api.errors import ApiAuthError
from reconciler.api.events import EventSender, Totals, batched, usage_event
from reconciler.settings import RateLimits as ClientRateLimits
from tests.api.emulated import Emulated, emulated
from tests.api.stub import StubApi
from tests.virtual_clock import run_virtual

BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "events_ingest.py"


def benchmark() -> ModuleType:
    spec = importlib.util.spec_from_file_location("events_ingest_benchmark", BENCHMARK)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


async def test_2000_events_at_1000_per_second_with_10_percent_duplicates() -> None:
    """Against the emulator, in real time: what is stored, and the client's pacing as the
    server's bucket sees it. Every bound here holds however slow the machine is (a slower
    run only sends more slowly); that the client *uses* the limit is a question of its own
    arithmetic, asked on the virtual clock below."""
    result = await benchmark().run(events=2000, duplicates=0.1, rate=1000.0)
    assert result.unique == 1800
    assert result.stored == 1800, result.report()  # exactly the unique events
    assert (result.ingested, result.failed) == (2000, 0), result.report()
    assert result.usage_matches, result.report()
    assert result.rate_limited == 0, result.report()  # paced under the limit
    assert result.steady_rate <= 1000 * 1.1, result.report()  # ... and not above it
    assert result.burst_429 > 0 and result.burst_retry_after, result.report()
    # Unpaced, the emulator grants its full bucket and then no more than it refills
    # during the burst (a token bucket's ceiling, by the run's own clock).
    assert 1000 <= result.burst_accepted <= result.burst_ceiling, result.report()


@pytest.mark.parametrize("latency", [0.0, 0.2])
def test_events_are_paced_at_the_rate_and_use_it(latency: float) -> None:
    """2000 events at 1000/s on the virtual clock (tests/virtual_clock.py), answered after
    `latency`: half a second's worth leaves at once, then 100 events every 0.1 s, so the
    last batch leaves at exactly (2000 - 500) / 1000 = 1.5 s. Never more than the
    bucket allows in any window, and not one batch later than it allows (which a lower
    rate, a smaller burst, or too few batches in flight for the latency would make)."""

    async def send() -> tuple[Totals, StubApi]:
        api = StubApi(latency=latency)
        connection = Connection(
            base_url="http://stub.invalid",
            api_key=SecretStr("sk_test_x"),
            rate_limits=ClientRateLimits(events=1000),
        )
        async with HttpCore(connection, transport=api) as core:
            totals = await EventSender(core).send_all(batched(_events(2000)))
        return totals, api

    totals, api = run_virtual(send())
    assert (totals.ingested, totals.failed) == (2000, 0)
    assert [a.events for a in api.arrivals] == [100] * 20
    for window in (0.0, 0.05, 0.1, 0.5, 1.0):
        assert api.most_in_any_window(window) <= 500 + 1000 * window, window
    assert api.arrivals[-1].at == pytest.approx(1.5, abs=1e-6)


@pytest.mark.slow
async def test_10000_events_at_1000_per_second() -> None:
    result = await benchmark().run(events=10_000, duplicates=0.1, rate=1000.0, latency_ms=20)
    assert result.ok, result.report()


@pytest.fixture
async def emu() -> AsyncIterator[Emulated]:
    async with emulated() as env:
        await env.core.request(
            "POST",
            "/customers",
            body={"name": "A", "currency": "USD", "aliases": ["acme"]},
            idempotency_key="customer-acme",
        )
        yield env


def _events(count: int, prefix: str = "e", account: str = "acme") -> list[dict[str, Any]]:
    return [
        usage_event(account=account, event_name="api_call", unique_id=f"{prefix}{i}")
        for i in range(count)
    ]


async def test_a_429_is_retried_and_nothing_is_counted_twice(emu: Emulated) -> None:
    await emu.fault(kind="rate_limit", method="POST", path="/events", count=2, retry_after=0)
    await emu.fault(kind="drop_after_commit", method="POST", path="/events", count=1)
    sender = EventSender(emu.core)
    totals = await sender.send_all(batched(_events(150)))
    assert (totals.ingested, totals.failed) == (150, 0)
    stored = (await emu.control.get("/objects/event", params={"api_key": "sk_test_x"})).json()
    assert len(stored["data"]) == 150
    assert await emu.count("POST", "/events", 429) == 2


async def test_unknown_customers_fail_per_event_and_refusals_per_batch(emu: Emulated) -> None:
    sender = EventSender(emu.core)
    mixed = await sender.send([*_events(2), *_events(1, "x", account="nobody")])
    assert mixed.ingested == {"e0", "e1"} and mixed.failed == {"x0"} and mixed.error is None
    bad = [{**_events(1, "b")[0], "properties": {"nested": {"a": 1}}}]
    refused = await sender.send(bad)
    assert refused.failed == {"b0"} and refused.error is not None
    assert "properties" in refused.error


async def test_batches_are_at_most_100_and_need_unique_ids(emu: Emulated) -> None:
    sender = EventSender(emu.core)
    with pytest.raises(ValueError, match="1 to 100"):
        await sender.send(_events(101))
    with pytest.raises(ValueError, match="unique_id"):
        await sender.send([{"account": "acme", "event_name": "api_call"}])


async def test_a_fatal_error_stops_sending(emu: Emulated) -> None:
    await emu.fault(kind="error", method="POST", path="/events", status=401, transient=False)
    with pytest.raises(ApiAuthError):
        await EventSender(emu.core).send_all(batched(_events(500)))


async def test_a_resent_unique_id_is_accepted_again_and_stored_once(
    emu: Emulated,
) -> None:
    """The API answers `{ingested, failed}` (the SDK's IngestEventsResponse): a re-sent
    `unique_id` is accepted again and stored once, and nothing says it was a duplicate."""
    sender = EventSender(emu.core)
    first = await sender.send_all(batched(_events(120)))
    assert (first.ingested, first.failed) == (120, 0)
    again = await sender.send_all(batched(_events(150)))
    assert (again.ingested, again.failed) == (150, 0)
    stored = (await emu.control.get("/objects/event", params={"api_key": "sk_test_x"})).json()
    assert len(stored["data"]) == 150
