"""The client against the emulator's enforced rate limit (a scaled-down version of
`benchmarks/rate_limit.py`, which runs the full 1,000 requests at 100/s and reports the
share of the limit used), and the client's pacing on a virtual clock."""

from __future__ import annotations

import asyncio
import importlib.util
import math
import sys
from pathlib import Path
from types import ModuleType

import pytest
from pydantic import SecretStr

from reconciler.api import AlgunaReader, Connection, HttpCore
from reconciler.api.budget import Budget, RequestClass, request_class
from reconciler.settings import RateLimits as ClientRateLimits
from tests.api.stub import StubApi
from tests.virtual_clock import run_virtual

BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "rate_limit.py"


def benchmark() -> ModuleType:
    spec = importlib.util.spec_from_file_location("rate_limit_benchmark", BENCHMARK)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


async def test_300_requests_at_200_per_second_stay_under_the_limit() -> None:
    """Against the emulator's bucket, in real time: a slower machine only sends more
    slowly, so the share of 429s holds however loaded it is. That the client uses the
    limit is its own arithmetic, checked on the virtual clock below."""
    result = await benchmark().run(requests=300, rate=200.0, latency_ms=0.0)
    assert result.requests == 300
    assert result.share_429 < 0.03, result.report()


async def test_with_latency_concurrency_keeps_the_rate_up() -> None:
    """At 40 ms per request, 200/s needs 200 x 0.04 = 8 requests in flight (Little's law).
    Every request takes at least the emulator's 40 ms, so the latency the client sees,
    and the bound on requests in flight it derives from it, can only be higher on a
    loaded machine: a count, not a rate, and it holds at any speed."""
    result = await benchmark().run(requests=300, rate=200.0, latency_ms=40.0)
    assert result.share_429 < 0.03, result.report()
    needed = math.ceil(200.0 * 0.040)
    assert result.in_flight_cap >= needed, result.report()  # allows enough in flight
    assert result.peak_in_flight >= needed, result.report()  # ... and had them in flight


async def _read_through(api: StubApi, rate: float, reads: int) -> Budget:
    """`reads` GETs at once through the real client, paced at `rate` a second, into
    `api`; the client's budget as they leave it."""
    connection = Connection(
        base_url="http://stub.invalid",
        api_key=SecretStr("sk_test_x"),
        rate_limits=ClientRateLimits(standard=rate),
    )
    async with HttpCore(connection, transport=api) as core:
        await asyncio.gather(*(AlgunaReader(core).get("/metrics/m") for _ in range(reads)))
        return core.budget


def test_reads_are_paced_at_the_rate_and_use_it() -> None:
    """300 reads at 200/s on the virtual clock (tests/virtual_clock.py): the bucket's
    20 tokens (a tenth of a second's worth) at once, then one every 5 ms, so the last read
    leaves at exactly (300 - 20) / 200 = 1.4 s: never more than the bucket allows in any
    window, and none later than it allows."""

    api = StubApi()
    run_virtual(_read_through(api, rate=200, reads=300))
    assert len(api.arrivals) == 300
    for window in (0.0, 0.005, 0.1, 0.5, 1.0):
        assert api.most_in_any_window(window) <= 20 + 200 * window + 1e-9, window
    assert api.arrivals[-1].at == pytest.approx(1.4, abs=1e-6)


@pytest.mark.parametrize(
    ("method", "path", "klass"),
    [
        ("GET", "/subscriptions", RequestClass.STANDARD),
        ("POST", "/subscriptions", RequestClass.BULK),
        ("POST", "/subscriptions/abc/versions", RequestClass.BULK),
        ("POST", "/subscriptions/abc/versions/v1/publish", RequestClass.BULK),
        ("POST", "/subscriptions/abc/changes", RequestClass.BULK),
        ("POST", "/subscriptions/abc/activate", RequestClass.STANDARD),
        ("PATCH", "/subscriptions/abc", RequestClass.STANDARD),
        ("POST", "/events", RequestClass.EVENTS),
        ("POST", "/products", RequestClass.STANDARD),
    ],
)
def test_requests_count_against_the_class_the_emulator_charges(
    method: str, path: str, klass: RequestClass
) -> None:
    from alguna_emulator.pipeline.ratelimit import limit_class

    assert request_class(method, path) == klass
    assert limit_class(method, path) == klass.value


def test_requests_in_flight_follow_littles_law() -> None:
    """At 100/s and 300 ms per answer (virtual clock), keeping the rate needs 100 x 0.3 =
    30 requests in flight. The budget learns the latency from the answers (on the loop's
    clock, as it paces), allows twice what it needs (`Budget.HEADROOM`), and the reads go
    at the rate: at least 30 in flight, never more than that and the bucket's burst of 10
    (saved up while the first 10 waited for their answers), and the last one leaves
    within the first answers' 0.3 s of the (600 - 10) / 100 s the bucket alone allows.
    With the latency measured on another clock than the loop's, the budget saw none here
    and kept 4 in flight."""

    api = StubApi(latency=0.3)
    budget = run_virtual(_read_through(api, rate=100, reads=600))
    assert budget.latency == pytest.approx(0.3, abs=1e-6)
    assert budget.max_in_flight == 60
    assert 30 <= api.peak_in_flight <= 30 + 10
    assert 5.9 <= api.arrivals[-1].at <= 5.9 + 0.3
