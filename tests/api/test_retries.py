"""Retries against the emulator's injected faults, checked in the emulator's request log.

Each retryable class recovers: a dropped connection (also after the write committed: the
replay returns the original object, and exactly one exists), 429 with `Retry-After`,
500/502/503/504 and 409 while the same key is in flight. No non-retryable status is
repeated. Every attempt of a write carries the same `Idempotency-Key` (the log records
it per request).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from pydantic import SecretStr

from reconciler.api import Connection, HttpCore, RetryPolicy
from reconciler.api.connection import Timeouts
from reconciler.api.errors import (
    ApiAuthError,
    ApiConflictError,
    ApiConnectionError,
    ApiError,
    ApiNotFoundError,
    ApiRateLimitedError,
    ApiRejectedError,
    ApiServerError,
)
from tests.api.emulated import FAST_RETRY, Emulated, emulated
from tests.api.stub import StubApi
from tests.virtual_clock import run_virtual

METRIC = {"name": "API calls", "event_name": "api_call", "aggregation": {"method": "count"}}
KEY = "plan-1:metric.api_calls:create"


def attempts(log: list[dict[str, Any]], method: str, route: str) -> list[dict[str, Any]]:
    return [r for r in log if r["method"] == method and r["route"] == route]


async def test_a_connection_dropped_after_commit_is_replayed_not_repeated(emu: Emulated) -> None:
    await emu.fault(kind="drop_after_commit", method="POST", path="/metrics", count=1)
    created = await emu.writer.create("/metrics", METRIC, key=KEY)

    log = attempts(await emu.requests(), "POST", "/metrics")
    assert [(r["dropped"], r["replayed"]) for r in log] == [(True, False), (False, True)]
    assert {r["idempotency_key"] for r in log} == {KEY}
    stored = await emu.objects("metric")
    assert [m["id"] for m in stored] == [created["id"]]  # the original, and only it
    assert created["name"] == "API calls"


async def test_a_connection_dropped_twice_on_a_read_is_retried(emu: Emulated) -> None:
    await emu.fault(kind="drop_after_commit", method="GET", path="/metrics", count=2)
    assert await emu.reader.list_all("/metrics") == []
    log = attempts(await emu.requests(), "GET", "/metrics")
    assert [r["dropped"] for r in log] == [True, True, False]


async def test_a_read_that_times_out_is_retried() -> None:
    policy = RetryPolicy(max_attempts=3, base_delay=0.001, max_delay=0.01)
    async with emulated(retry=policy, timeouts=Timeouts(read=0.2)) as emu:
        await emu.fault(kind="hang", method="GET", path="/metrics", count=1, hang_seconds=5)
        assert await emu.reader.list_all("/metrics") == []
        log = attempts(await emu.requests(), "GET", "/metrics")
        assert len(log) == 2


async def test_a_write_without_a_key_is_never_repeated(emu: Emulated) -> None:
    await emu.fault(kind="drop_after_commit", method="POST", path="/metrics", count=1)
    with pytest.raises(ApiConnectionError):
        await emu.core.request("POST", "/metrics", body=METRIC)
    assert len(attempts(await emu.requests(), "POST", "/metrics")) == 1
    assert len(await emu.objects("metric")) == 1  # it did commit: a retry would duplicate


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_server_errors_are_retried_with_the_same_key(emu: Emulated, status: int) -> None:
    await emu.fault(kind="error", status=status, method="POST", path="/metrics", count=2)
    created = await emu.writer.create("/metrics", METRIC, key=KEY)

    log = attempts(await emu.requests(), "POST", "/metrics")
    assert [r["status"] for r in log] == [status, status, 201]
    assert [r["idempotency_key"] for r in log] == [KEY, KEY, KEY]
    assert [m["id"] for m in await emu.objects("metric")] == [created["id"]]


@pytest.mark.parametrize("status", [500, 502, 503, 504, 429])
async def test_transient_errors_on_reads_are_retried(emu: Emulated, status: int) -> None:
    kind = "rate_limit" if status == 429 else "error"
    await emu.fault(kind=kind, status=status, retry_after=0, method="GET", path="/metrics", count=1)
    assert await emu.reader.list_all("/metrics") == []
    assert [r["status"] for r in await emu.requests()] == [status, 200]


async def test_a_429_waits_for_retry_after() -> None:
    async with emulated() as emu:
        await emu.fault(kind="rate_limit", method="POST", path="/metrics", count=1, retry_after=1)
        started = time.monotonic()
        await emu.writer.create("/metrics", METRIC, key=KEY)
        elapsed = time.monotonic() - started
        log = [(r["status"], r["idempotency_key"]) for r in await emu.requests()]
    # the backoff alone would wait at most FAST_RETRY.max_delay (20 ms): only Retry-After
    # makes it a second (how long exactly is below, on the virtual clock)
    assert FAST_RETRY.max_delay < 0.05
    assert elapsed >= 0.95
    assert log == [(429, KEY), (201, KEY)]


@pytest.mark.parametrize(
    ("retry_after", "cap", "waited"), [("1", 5.0, 1.0), ("60", 0.1, 0.1), ("0", 5.0, 0.0)]
)
def test_the_wait_after_a_429_is_retry_after_capped(
    retry_after: str, cap: float, waited: float
) -> None:
    """On the virtual clock (tests/virtual_clock.py): the second attempt leaves exactly
    `Retry-After` seconds after the first answer (capped at `max_retry_after`), not the
    backoff's, nor both added."""
    policy = RetryPolicy(base_delay=0.001, max_delay=0.01, max_retry_after=cap)

    async def read() -> StubApi:
        api = StubApi(statuses=[429], retry_after=retry_after)
        connection = Connection(
            base_url="http://stub.invalid", api_key=SecretStr("sk_test_x"), retry=policy
        )
        async with HttpCore(connection, transport=api) as core:
            await core.request("GET", "/metrics")
        return api

    first, second = run_virtual(read()).arrivals
    assert first.ended is not None
    assert second.at - first.ended == pytest.approx(waited, abs=1e-6)


async def test_a_409_while_the_same_key_is_in_flight_is_retried_until_it_replays() -> None:
    # The emulator's 409 says `Retry-After: 1`; capped at 50 ms here, 7 retries outlast
    # the first attempt's 150 ms.
    policy = RetryPolicy(max_attempts=8, base_delay=0.001, max_delay=0.01, max_retry_after=0.05)
    async with emulated(retry=policy) as emu:
        await emu.fault(kind="latency", method="POST", path="/metrics", count=1, latency_ms=150)
        first = asyncio.create_task(emu.writer.create("/metrics", METRIC, key=KEY))
        await asyncio.sleep(0.03)  # the first attempt holds the key
        second = await emu.writer.create("/metrics", METRIC, key=KEY)
        assert (await first) == second

        log = attempts(await emu.requests(), "POST", "/metrics")
        statuses = [r["status"] for r in log]
        assert 409 in statuses and statuses.count(201) == 2
        assert any(r["replayed"] for r in log)
        assert {r["idempotency_key"] for r in log} == {KEY}
        assert len(await emu.objects("metric")) == 1


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, ApiRejectedError),
        (401, ApiAuthError),
        (403, ApiAuthError),
        (404, ApiNotFoundError),
        (409, ApiConflictError),
        (422, ApiRejectedError),
        (501, ApiServerError),
    ],
)
@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_non_retryable_statuses_are_sent_once(
    emu: Emulated, status: int, error: type[ApiError], method: str
) -> None:
    await emu.fault(kind="error", status=status, method=method, path="/metrics", count=3)
    with pytest.raises(error) as caught:
        if method == "GET":
            await emu.reader.list_all("/metrics")
        else:
            await emu.writer.create("/metrics", METRIC, key=KEY)
    assert caught.value.status == status
    assert len(await emu.requests()) == 1


async def test_real_non_retryable_answers_are_sent_once(emu: Emulated) -> None:
    with pytest.raises(ApiNotFoundError):
        await emu.reader.get("/metrics/mtr_missing")
    with pytest.raises(ApiRejectedError):  # 422: a metric without a name
        await emu.writer.create("/metrics", {"event_name": "x"}, key="k-422")
    with pytest.raises(ApiRejectedError):  # 400: an unknown sort field
        await emu.reader.list_all("/metrics", {"sort": "colour:asc"})
    with pytest.raises(ApiRejectedError):  # 422: the same key with another body
        await emu.writer.create("/metrics", {**METRIC, "name": "other"}, key="k-422")
    assert [r["status"] for r in await emu.requests()] == [404, 422, 400, 422]


async def test_a_missing_key_is_a_401_sent_once() -> None:
    async with emulated(api_key=" ") as emu:
        with pytest.raises(ApiAuthError) as caught:
            await emu.reader.list_all("/metrics")
        assert caught.value.status == 401
        assert len(await emu.requests()) == 1


async def test_retries_stop_after_max_attempts(emu: Emulated) -> None:
    await emu.fault(kind="error", status=503, method="POST", path="/metrics")
    with pytest.raises(ApiServerError):
        await emu.writer.create("/metrics", METRIC, key=KEY)
    log = attempts(await emu.requests(), "POST", "/metrics")
    assert len(log) == FAST_RETRY.max_attempts
    assert {r["idempotency_key"] for r in log} == {KEY}
    assert await emu.objects("metric") == []


async def test_a_rate_limit_storm_ends_in_an_error_not_a_hang() -> None:
    policy = RetryPolicy(max_attempts=3, base_delay=0.001, max_delay=0.01, max_retry_after=0.01)
    async with emulated(retry=policy) as emu:
        await emu.fault(kind="rate_limit", method="GET", path="/metrics", retry_after=1)
        with pytest.raises(ApiRateLimitedError) as caught:
            await emu.reader.list_all("/metrics")
        assert caught.value.retry_after == 1
        assert len(await emu.requests()) == 3
