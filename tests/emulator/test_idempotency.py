"""Idempotency-Key conformance: replay, 422 on a changed request, 409 in flight, transients."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
from fastapi import FastAPI

from alguna_emulator import emulator_transport
from tests.emulator.clients import api_client
from tests.emulator.factory import customer, fixed_product

BODY = {"name": "Acme", "currency": "USD"}


async def _count(client: httpx.AsyncClient, path: str) -> int:
    return len((await client.get(path, params={"limit": 100})).json()["data"])


async def test_same_key_same_body_replays_the_first_response(client: httpx.AsyncClient) -> None:
    key = {"Idempotency-Key": "ik_1"}
    first = await client.post("/customers", json=BODY, headers=key)
    second = await client.post("/customers", json=dict(reversed(BODY.items())), headers=key)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert first.headers["Idempotent-Replayed"] == "false"
    assert second.headers["Idempotent-Replayed"] == "true"
    assert first.headers["Idempotency-Key"] == second.headers["Idempotency-Key"] == "ik_1"
    assert await _count(client, "/customers") == 1


async def test_same_key_different_body_or_path_is_422(client: httpx.AsyncClient) -> None:
    key = {"Idempotency-Key": "ik_2"}
    await client.post("/customers", json=BODY, headers=key)
    other_body = await client.post("/customers", json={**BODY, "name": "B"}, headers=key)
    other_path = await client.post("/metrics", json=BODY, headers=key)
    assert other_body.status_code == other_path.status_code == 422
    assert "different body" in other_body.json()["detail"]
    assert "different path" in other_path.json()["detail"]


async def test_in_flight_duplicate_is_409(
    client: httpx.AsyncClient, control: httpx.AsyncClient
) -> None:
    await control.post(
        "/faults",
        json={
            "kind": "latency",
            "method": "POST",
            "path": "/customers",
            "latency_ms": 1000,
            "count": 1,
        },
    )
    key = {"Idempotency-Key": "ik_3"}
    slow = asyncio.create_task(client.post("/customers", json=BODY, headers=key))
    await asyncio.sleep(0.3)
    duplicate = await client.post("/customers", json=BODY, headers=key)
    assert duplicate.status_code == 409
    assert "still in progress" in duplicate.json()["detail"]
    assert duplicate.headers["Retry-After"] == "1"
    assert (await slow).status_code == 201
    replay = await client.post("/customers", json=BODY, headers=key)
    assert replay.headers["Idempotent-Replayed"] == "true"


async def test_fifty_concurrent_requests_with_one_key_execute_once(
    client: httpx.AsyncClient, control: httpx.AsyncClient
) -> None:
    await control.post(
        "/faults",
        json={"kind": "latency", "method": "POST", "path": "/customers", "latency_ms": 50},
    )
    key = {"Idempotency-Key": "ik_50"}
    responses = await asyncio.gather(
        *(client.post("/customers", json=BODY, headers=key) for _ in range(50))
    )
    statuses = Counter(r.status_code for r in responses)
    assert set(statuses) <= {201, 409}
    executed = [
        r for r in responses if r.status_code == 201 and r.headers["Idempotent-Replayed"] == "false"
    ]
    assert len(executed) == 1
    assert await _count(client, "/customers") == 1
    counters = (await control.get("/counters")).json()
    posts = [c for c in counters if c["method"] == "POST" and c["route"] == "/customers"]
    assert sum(c["count"] for c in posts) == 50


async def test_key_expires_after_24_hours_on_the_emulator_clock(
    client: httpx.AsyncClient, control: httpx.AsyncClient
) -> None:
    key = {"Idempotency-Key": "ik_day"}
    await client.post("/customers", json=BODY, headers=key)
    await control.post("/clock/advance", json={"seconds": 86_399})
    within = await client.post("/customers", json=BODY, headers=key)
    await control.post("/clock/advance", json={"seconds": 1})
    after = await client.post("/customers", json=BODY, headers=key)
    assert within.headers["Idempotent-Replayed"] == "true"
    assert after.headers["Idempotent-Replayed"] == "false"
    assert await _count(client, "/customers") == 2


async def test_transient_errors_release_the_key(
    client: httpx.AsyncClient, control: httpx.AsyncClient
) -> None:
    for status in (500, 503, 429):
        kind = "rate_limit" if status == 429 else "error"
        await control.post(
            "/faults", json={"kind": kind, "status": status, "count": 1, "path": "/customers"}
        )
        key = {"Idempotency-Key": f"ik_t{status}"}
        failed = await client.post("/customers", json=BODY, headers=key)
        retried = await client.post("/customers", json=BODY, headers=key)
        assert failed.status_code == status
        assert failed.headers["Transient-Error"] == "true"
        assert retried.status_code == 201
        assert retried.headers["Idempotent-Replayed"] == "false"
    assert await _count(client, "/customers") == 3


async def test_non_transient_error_is_stored_and_replayed(
    client: httpx.AsyncClient, control: httpx.AsyncClient
) -> None:
    await control.post(
        "/faults", json={"kind": "error", "status": 500, "transient": False, "count": 1}
    )
    key = {"Idempotency-Key": "ik_perm"}
    failed = await client.post("/customers", json=BODY, headers=key)
    replay = await client.post("/customers", json=BODY, headers=key)
    assert failed.status_code == replay.status_code == 500
    assert "Transient-Error" not in failed.headers
    assert replay.headers["Idempotent-Replayed"] == "true"


async def test_client_errors_are_stored_and_replayed(client: httpx.AsyncClient) -> None:
    key = {"Idempotency-Key": "ik_bad"}
    first = await client.post("/customers", json={"name": "no currency"}, headers=key)
    second = await client.post("/customers", json={"name": "no currency"}, headers=key)
    assert first.status_code == second.status_code == 422
    assert second.headers["Idempotent-Replayed"] == "true"


async def test_patch_and_delete_honour_keys(client: httpx.AsyncClient) -> None:
    product = await fixed_product(client)
    key = {"Idempotency-Key": "ik_patch"}
    first = await client.patch(f"/products/{product['id']}", json={"name": "A"}, headers=key)
    second = await client.patch(f"/products/{product['id']}", json={"name": "A"}, headers=key)
    assert second.headers["Idempotent-Replayed"] == "true"
    assert first.json() == second.json()
    deleted = await client.delete(
        "/subscriptions/XXXXXXXX/versions/subv_x", headers={"Idempotency-Key": "ik_del"}
    )
    assert deleted.status_code == 404
    assert deleted.headers["Idempotent-Replayed"] == "false"


async def test_keys_are_scoped_to_one_api_key(app: FastAPI, client: httpx.AsyncClient) -> None:
    key = {"Idempotency-Key": "ik_shared"}
    mine = await client.post("/customers", json=BODY, headers=key)
    async with api_client(emulator_transport(app), "sk_live_x") as other:
        theirs = await other.post("/customers", json=BODY, headers=key)
    assert theirs.headers["Idempotent-Replayed"] == "false"
    assert theirs.json()["id"] != mine.json()["id"]


async def test_overlong_key_is_400_and_get_ignores_keys(client: httpx.AsyncClient) -> None:
    long_key = await client.post("/customers", json=BODY, headers={"Idempotency-Key": "k" * 256})
    assert long_key.status_code == 400
    read = await client.get("/customers", headers={"Idempotency-Key": "ik_get"})
    assert "Idempotent-Replayed" not in read.headers


async def test_events_ignore_idempotency_keys(client: httpx.AsyncClient) -> None:
    await customer(client)
    key = {"Idempotency-Key": "ik_events"}
    batch = {"events": [{"unique_id": "e1", "account": "acme", "event_name": "x"}]}
    first = await client.post("/events", json=batch, headers=key)
    second = await client.post("/events", json={"events": []}, headers=key)
    assert first.status_code == second.status_code == 200
    assert "Idempotent-Replayed" not in second.headers
