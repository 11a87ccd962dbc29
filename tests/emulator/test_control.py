"""The control API: faults of every kind, clock, reset, out-of-band edits, log and counters."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from tests.emulator.factory import catalog, customer, fixed_product

BODY = {"name": "Acme", "currency": "USD"}


async def _fault(control: httpx.AsyncClient, **spec: object) -> dict[str, object]:
    response = await control.post("/faults", json=spec)
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


async def test_latency_fault(client: httpx.AsyncClient, control: httpx.AsyncClient) -> None:
    await _fault(control, kind="latency", latency_ms=200, method="GET", path="/products")
    began = time.perf_counter()
    slow = await client.get("/products")
    slow_s = time.perf_counter() - began
    await client.get("/metrics")
    await client.post("/products", json={})
    assert slow.status_code == 200
    assert slow_s >= 0.2
    assert [f["fired"] for f in (await control.get("/faults")).json()] == [1]


async def test_error_fault_with_and_without_transient(
    client: httpx.AsyncClient, control: httpx.AsyncClient
) -> None:
    await _fault(control, kind="error", status=503, count=1)
    await _fault(control, kind="error", status=502, transient=False, count=1)
    transient = await client.get("/products")
    permanent = await client.get("/products")
    healthy = await client.get("/products")
    assert (transient.status_code, transient.headers["Transient-Error"]) == (503, "true")
    assert permanent.status_code == 502 and "Transient-Error" not in permanent.headers
    assert permanent.json() == {"status": 502, "detail": "Injected fault: status 502"}
    assert healthy.status_code == 200


async def test_rate_limit_storm_for_the_next_n_requests(
    client: httpx.AsyncClient, control: httpx.AsyncClient
) -> None:
    await _fault(control, kind="rate_limit", count=3, retry_after=2, path="/customers*")
    statuses = [(await client.get("/customers")).status_code for _ in range(4)]
    assert statuses == [429, 429, 429, 200]
    limited = await control.get("/requests")
    retry_after = [e for e in limited.json() if e["status"] == 429]
    assert len(retry_after) == 3


async def test_rate_limit_storm_carries_retry_after(
    client: httpx.AsyncClient, control: httpx.AsyncClient
) -> None:
    await _fault(control, kind="rate_limit", count=1, retry_after=7)
    response = await client.get("/customers")
    assert response.headers["Retry-After"] == "7"
    assert response.headers["Transient-Error"] == "true"


async def test_drop_after_commit_in_process(
    client: httpx.AsyncClient, control: httpx.AsyncClient
) -> None:
    await _fault(control, kind="drop_after_commit", method="POST", path="/customers", count=1)
    key = {"Idempotency-Key": "ik_drop"}
    with pytest.raises(httpx.RemoteProtocolError):
        await client.post("/customers", json=BODY, headers=key)
    listed = (await client.get("/customers")).json()["data"]
    assert len(listed) == 1  # the write committed although the client saw no response
    retry = await client.post("/customers", json=BODY, headers=key)
    assert retry.status_code == 201
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.json()["id"] == listed[0]["id"]
    counters = (await control.get("/counters")).json()
    assert any(c["route"] == "/customers" and c["dropped"] == 1 for c in counters)


async def test_hang_fault_times_out_the_client_and_releases_the_key(
    client: httpx.AsyncClient, control: httpx.AsyncClient
) -> None:
    await _fault(control, kind="hang", method="POST", path="/customers", count=1)
    key = {"Idempotency-Key": "ik_hang"}
    with pytest.raises(httpx.ReadTimeout):
        await client.post("/customers", json=BODY, headers=key, timeout=0.3)
    assert (await client.get("/customers")).json()["data"] == []
    retry = await client.post("/customers", json=BODY, headers=key)
    assert retry.status_code == 201
    assert retry.headers["Idempotent-Replayed"] == "false"


async def test_hang_ends_with_a_transient_504(
    client: httpx.AsyncClient, control: httpx.AsyncClient
) -> None:
    await _fault(control, kind="hang", hang_seconds=0.2, count=1)
    response = await client.get("/products")
    assert response.status_code == 504
    assert response.headers["Transient-Error"] == "true"


async def test_seeded_percentage_is_reproducible(
    client: httpx.AsyncClient, control: httpx.AsyncClient
) -> None:
    patterns = []
    for _ in range(2):
        await control.delete("/faults")
        await _fault(control, kind="error", status=500, percentage=30, seed=42)
        patterns.append([(await client.get("/products")).status_code for _ in range(40)])
    assert patterns[0] == patterns[1]
    assert 0 < patterns[0].count(500) < 40


async def test_fault_matching_by_method_regex_and_removal(
    client: httpx.AsyncClient, control: httpx.AsyncClient
) -> None:
    fault = await _fault(
        control, kind="error", status=500, method="POST", path_regex=r"^/customers$"
    )
    assert (await client.get("/customers")).status_code == 200
    assert (await client.post("/customers", json=BODY)).status_code == 500
    assert (await control.get("/faults")).json()[0]["fired"] == 1
    assert (await control.delete(f"/faults/{fault['id']}")).status_code == 204
    assert (await control.delete(f"/faults/{fault['id']}")).status_code == 404
    assert (await client.post("/customers", json=BODY)).status_code == 201


async def test_clock_get_set_advance(control: httpx.AsyncClient, client: httpx.AsyncClient) -> None:
    assert (await control.get("/clock")).json() == {"now": "2026-04-01T10:00:00Z", "frozen": True}
    moved = await control.put("/clock", json={"now": "2027-01-01"})
    assert moved.json()["now"] == "2027-01-01T00:00:00Z"
    advanced = await control.post("/clock/advance", json={"days": 1, "seconds": 30})
    assert advanced.json()["now"] == "2027-01-02T00:00:30Z"
    made = await customer(client)
    assert made["created_at"] == "2027-01-02T00:00:30Z"
    flowing = await control.put("/clock", json={"now": "2030-01-01T00:00:00Z", "frozen": False})
    assert flowing.json()["frozen"] is False
    assert (await control.put("/clock", json={"now": "tomorrow"})).status_code == 422


@pytest.mark.parametrize(
    "step",
    [
        {"days": 10**12},  # beyond timedelta: OverflowError (was a 500)
        {"days": 4_000_000},  # a valid timedelta, but past the year 9999
        {"days": -(10**6)},  # before the year 1
        {"seconds": 1e300},
    ],
)
async def test_clock_advance_too_far_is_refused_and_leaves_the_clock(
    control: httpx.AsyncClient, step: dict[str, float]
) -> None:
    before = (await control.get("/clock")).json()
    refused = await control.post("/clock/advance", json=step)
    assert refused.status_code == 422, refused.text
    assert "cannot move that far" in refused.text
    assert (await control.get("/clock")).json() == before


async def test_reset_all_or_one_account(
    client: httpx.AsyncClient, control: httpx.AsyncClient
) -> None:
    await customer(client)
    assert (await control.post("/reset", json={"api_key": "sk_someone_else"})).json() == {
        "reset": "account"
    }
    assert len((await client.get("/customers")).json()["data"]) == 1
    assert (await control.post("/reset", json={"api_key": "sk_test_emulator"})).status_code == 200
    assert (await client.get("/customers")).json()["data"] == []
    await customer(client)
    assert (await control.post("/reset")).json() == {"reset": "all"}
    assert (await client.get("/customers")).json()["data"] == []
    assert (await client.get("/customers/acme")).status_code == 404


async def test_out_of_band_edit_of_any_field(
    client: httpx.AsyncClient, control: httpx.AsyncClient
) -> None:
    product = await fixed_product(client)
    edited = await control.patch(
        f"/objects/product/{product['id']}",
        json={"name": "Renamed in dashboard", "description": None},
    )
    assert edited.status_code == 200
    seen = (await client.get(f"/products/{product['id']}")).json()
    assert seen["name"] == "Renamed in dashboard"
    assert seen["description"] == ""  # deleted out of band: answered as the SDK's empty value
    listed = (await client.get("/products")).json()["data"]
    assert listed[0]["description"] == ""
    assert (
        await control.patch(f"/objects/product/{product['id']}", json={"fee_type": "weekly"})
    ).status_code == 422
    assert (
        await control.patch(f"/objects/product/{product['id']}", json={"id": "prod_other"})
    ).status_code == 422
    assert (await control.patch("/objects/product/prod_missing", json={})).status_code == 404


async def test_out_of_band_edit_of_nested_prices_aliases_and_status(
    client: httpx.AsyncClient, control: httpx.AsyncClient
) -> None:
    cat = await catalog(client)
    plan = cat["plan"]
    items = plan["items"]
    items[0]["price"]["fixed_pricing_model"]["price_per_unit"] = "450.00"
    await control.patch(f"/objects/plan/{plan['id']}", json={"items": items})
    changed = (await control.get(f"/objects/plan/{plan['id']}")).json()
    assert changed["items"][0]["price"]["fixed_pricing_model"]["price_per_unit"] == "450.00"
    await control.patch(
        f"/objects/customer/{cat['customer']['id']}", json={"aliases": ["acme-new"]}
    )
    assert (await client.get("/customers/acme-new")).status_code == 200
    assert (await client.get("/customers/acme")).status_code == 404
    sub = (
        await client.post(
            "/subscriptions",
            json={"customer_id": "acme-new", "plan_id": plan["id"], "auto_activate": True},
        )
    ).json()
    await control.patch(f"/objects/subscription/{sub['id']}", json={"status": "paused"})
    assert (await client.get(f"/subscriptions/{sub['id']}")).json()["status"] == "paused"
    listed = await control.get("/objects/subscription", params={"api_key": "sk_test_emulator"})
    assert [s["id"] for s in listed.json()["data"]] == [sub["id"]]
    one = await control.get(f"/objects/subscription/{sub['id']}")
    assert one.json()["status"] == "paused"


async def test_request_log_and_counters_include_replays(
    client: httpx.AsyncClient, control: httpx.AsyncClient
) -> None:
    key = {"Idempotency-Key": "ik_log"}
    await client.post("/customers", json=BODY, headers=key)
    await client.post("/customers", json=BODY, headers=key)
    await client.get("/customers/XXXXXXXX")
    await client.get("/products", headers={"Authorization": ""})
    log = (await control.get("/requests")).json()
    assert [(e["method"], e["route"], e["status"], e["replayed"]) for e in log] == [
        ("POST", "/customers", 201, False),
        ("POST", "/customers", 201, True),
        ("GET", "/customers/{customer_ref}", 404, False),
        ("GET", "/products", 401, False),
    ]
    assert log[0]["idempotency_key"] == "ik_log"
    counters = {
        (c["method"], c["route"], c["status"]): c for c in (await control.get("/counters")).json()
    }
    assert counters[("POST", "/customers", 201)]["count"] == 2
    assert counters[("POST", "/customers", 201)]["replayed"] == 1
    assert (await control.delete("/requests")).status_code == 204
    assert (await control.get("/counters")).json() == []


async def test_settings_latency(client: httpx.AsyncClient, control: httpx.AsyncClient) -> None:
    settings = (await control.patch("/settings", json={"latency_ms": 50})).json()
    assert settings["latency_ms"] == 50
    began = time.perf_counter()
    await asyncio.gather(*(client.get("/products") for _ in range(5)))
    assert time.perf_counter() - began >= 0.05
    assert (await control.get("/settings")).json()["rate_limits"]["enabled"] is False
    bad = await control.patch("/settings", json={"rate_limits": {"standard": -1}})
    assert bad.status_code == 422
