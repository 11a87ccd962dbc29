"""The client against the emulator's enforced rate limit (a scaled-down version of
`benchmarks/rate_limit.py`, which runs the full 1,000 requests at 100/s)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from reconciler.api.budget import RequestClass, request_class

BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "rate_limit.py"


def benchmark() -> ModuleType:
    spec = importlib.util.spec_from_file_location("rate_limit_benchmark", BENCHMARK)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


async def test_300_requests_at_200_per_second_stay_under_the_limit_and_use_it() -> None:
    result = await benchmark().run(requests=300, rate=200.0, latency_ms=0.0)
    assert result.requests == 300
    assert result.share_429 < 0.03, result.report()
    assert result.ratio >= 0.6, result.report()


async def test_with_latency_concurrency_keeps_the_rate_up() -> None:
    """At 40 ms per request, 200/s needs about 8 requests in flight (Little's law)."""
    result = await benchmark().run(requests=300, rate=200.0, latency_ms=40.0)
    assert result.share_429 < 0.03, result.report()
    assert result.ratio >= 0.6, result.report()


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
