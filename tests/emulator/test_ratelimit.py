"""Rate limits: off by default, 429 with Retry-After when on, and a patient client gets through."""

from __future__ import annotations

import asyncio

import httpx

from alguna_emulator import RateLimits, create_app, emulator_transport
from alguna_emulator.pipeline.ratelimit import limit_class
from tests.emulator.clients import api_client, control_client
from tests.emulator.factory import customer


def _client(limits: RateLimits | bool) -> httpx.AsyncClient:
    return api_client(emulator_transport(create_app(rate_limits=limits)))


async def _burst(client: httpx.AsyncClient, n: int) -> list[httpx.Response]:
    return list(await asyncio.gather(*(client.get("/products") for _ in range(n))))


async def test_limits_are_off_by_default() -> None:
    async with _client(False) as client:
        responses = await _burst(client, 300)
    assert {r.status_code for r in responses} == {200}


def test_documented_limits_are_the_defaults() -> None:
    limits = RateLimits(enabled=True)
    assert [limits.rate(c) for c in ("standard", "bulk", "events")] == [100, 10, 1000]
    assert RateLimits(scale=0.5).rate("bulk") == 5


async def test_burst_above_the_standard_limit_gets_429_with_retry_after() -> None:
    # Scaled to 10/s so that even a slow machine sends the burst faster than the bucket refills.
    async with _client(RateLimits(enabled=True, scale=0.1)) as client:
        responses = await _burst(client, 40)
    limited = [r for r in responses if r.status_code == 429]
    assert len(limited) >= 1
    assert len(responses) - len(limited) >= 10
    assert all(r.headers["Retry-After"] == "1" for r in limited)
    assert all(r.headers["Transient-Error"] == "true" for r in limited)
    assert limited[0].json()["status"] == 429


async def test_a_client_honouring_retry_after_gets_through() -> None:
    async with _client(RateLimits(enabled=True, scale=0.05)) as client:  # 5 requests/s

        async def patient() -> int:
            while True:
                response = await client.get("/products")
                if response.status_code != 429:
                    return response.status_code
                await asyncio.sleep(float(response.headers["Retry-After"]))

        results = await asyncio.gather(*(patient() for _ in range(8)))
    assert results == [200] * 8


async def test_bulk_class_is_tighter_and_separate() -> None:
    limits = RateLimits(enabled=True, bulk=1, standard=1000)
    async with _client(limits) as client:
        await customer(client)
        bodies = [{"customer_id": "acme", "currency": "USD", "items": []} for _ in range(4)]
        bulk = await asyncio.gather(*(client.post("/subscriptions", json=b) for b in bodies))
        standard = await client.get("/customers")
    assert [r.status_code for r in bulk].count(429) >= 2
    assert standard.status_code == 200


async def test_events_are_charged_per_event() -> None:
    async with _client(RateLimits(enabled=True, events=100)) as client:
        await customer(client)
        batch = {
            "events": [
                {"unique_id": f"e{i}", "account": "acme", "event_name": "x"} for i in range(100)
            ]
        }
        first = await client.post("/events", json=batch)
        second = await client.post("/events", json=batch)
    assert first.status_code == 200
    assert second.status_code == 429
    assert int(second.headers["Retry-After"]) >= 1


async def test_limits_are_per_api_key() -> None:
    app = create_app(rate_limits=RateLimits(enabled=True, standard=5))
    async with (
        api_client(emulator_transport(app)) as one,
        api_client(emulator_transport(app), "sk_other") as two,
    ):
        assert 429 in {r.status_code for r in await _burst(one, 10)}
        assert {r.status_code for r in await _burst(two, 5)} == {200}


async def test_limits_can_be_changed_at_runtime() -> None:
    app = create_app()
    async with (
        api_client(emulator_transport(app)) as client,
        control_client(emulator_transport(app)) as control,
    ):
        changed = await control.patch(
            "/settings", json={"rate_limits": {"enabled": True, "standard": 3}}
        )
        assert changed.json()["rate_limits"]["standard"] == 3
        assert 429 in {r.status_code for r in await _burst(client, 6)}
        await control.patch("/settings", json={"rate_limits": {"enabled": False}})
        assert {r.status_code for r in await _burst(client, 6)} == {200}


def test_which_requests_are_bulk() -> None:
    assert limit_class("POST", "/subscriptions") == "bulk"
    assert limit_class("POST", "/subscriptions/abc/versions") == "bulk"
    assert limit_class("POST", "/subscriptions/abc/versions/v/publish") == "bulk"
    assert limit_class("POST", "/subscriptions/abc/changes") == "bulk"
    assert limit_class("POST", "/subscriptions/abc/changes/preview") == "standard"
    assert limit_class("POST", "/products") == "standard"
    assert limit_class("GET", "/subscriptions") == "standard"
    assert limit_class("POST", "/events") == "events"
