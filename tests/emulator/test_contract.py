"""Contract tests: the same requests against the emulator and, with a key, the real sandbox.

Set ``ALGUNA_SANDBOX_API_KEY`` to also run every test against https://api.sandbox.alguna.io
(this writes real, uniquely named objects to that sandbox account). A failure there names an
emulator behaviour that differs from Alguna: fix the emulator or its entry in
docs/api-compatibility.md. Without the key the sandbox half is skipped; the emulator half
always runs.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from alguna_emulator import create_app, emulator_transport
from tests.emulator.clients import api_client
from tests.emulator.factory import fixed_price, post_plan

SANDBOX_URL = "https://api.sandbox.alguna.io"
SANDBOX_KEY_ENV = "ALGUNA_SANDBOX_API_KEY"


@pytest.fixture(params=["emulator", "sandbox"])
async def api(request: pytest.FixtureRequest) -> AsyncIterator[httpx.AsyncClient]:
    """A client of one target; both targets get the same requests."""
    if request.param == "emulator":
        async with api_client(emulator_transport(create_app())) as client:
            yield client
        return
    key = os.environ.get(SANDBOX_KEY_ENV)
    if not key:
        pytest.skip(f"{SANDBOX_KEY_ENV} is not set: sandbox half of the contract not run")
    headers = {"Authorization": f"Bearer {key}", "Alguna-Version": "2026-04-01"}
    async with httpx.AsyncClient(base_url=SANDBOX_URL, headers=headers, timeout=30) as client:
        yield client


def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


async def _json(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


async def _customer(api: httpx.AsyncClient, name: str, alias: str) -> dict[str, Any]:
    body = {"name": name, "currency": "USD", "aliases": [alias]}
    return await _json(await api.post("/customers", json=body), 201)


async def _fixed_product(api: httpx.AsyncClient, prefix: str) -> dict[str, Any]:
    """A recurring fixed-fee product with a unique name (the sandbox keeps every object)."""
    body = {
        "name": _unique(prefix),
        "fee_type": "fixed",
        "payment_terms": "advance",
        "billing_frequency": "recurring",
    }
    return await _json(await api.post("/products", json=body), 201)


async def _seat_subscription(
    api: httpx.AsyncClient, customer_name: str, alias: str, product_prefix: str, **fields: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A new customer subscribed to a new fixed product at 10.00: the subscription, the product."""
    customer = await _customer(api, customer_name, alias)
    product = await _fixed_product(api, product_prefix)
    body = {
        "customer_id": customer["id"],
        "currency": "USD",
        **fields,
        "items": [{"product_id": product["id"], "price": fixed_price("10.00")}],
    }
    return await _json(await api.post("/subscriptions", json=body), 201), product


async def test_auth_and_version_header(api: httpx.AsyncClient) -> None:
    no_key = await api.get("/products", headers={"Authorization": ""})
    no_version = await api.get("/products", headers={"Alguna-Version": ""})
    assert no_key.status_code == 401
    assert no_version.status_code == 400
    assert set(no_version.json()) == {"status", "detail"}


async def test_list_envelope_and_limit(api: httpx.AsyncClient) -> None:
    page = await _json(await api.get("/products", params={"limit": 5, "offset": 0}), 200)
    assert set(page) == {"data", "pagination"}
    assert page["pagination"]["per_page"] == 5
    assert (await api.get("/products", params={"limit": 101})).status_code == 400


async def test_metric_and_product_round_trip(api: httpx.AsyncClient) -> None:
    name = _unique("contract-metric")
    metric = await _json(
        await api.post(
            "/metrics", json={"name": name, "event_name": name, "aggregation": {"method": "count"}}
        ),
        201,
    )
    assert metric["id"].startswith("mtr_")
    assert (await _json(await api.get(f"/metrics/{metric['id']}"), 200))["name"] == name
    product = await _json(
        await api.post(
            "/products",
            json={
                "name": _unique("contract-api"),
                "fee_type": "metered",
                "payment_terms": "arrears",
                "metric_ids": [metric["id"]],
                "sku": _unique("sku"),
            },
        ),
        201,
    )
    assert product["id"].startswith("prod_")
    assert product["metric_ids"] == [metric["id"]]
    refused = await api.patch(f"/products/{product['id']}", json={"fee_type": "fixed"})
    assert refused.status_code == 422
    renamed = await _json(
        await api.patch(f"/products/{product['id']}", json={"description": "contract"}), 200
    )
    assert renamed["description"] == "contract"


async def test_plan_reads_carry_the_sdk_fields_and_cannot_be_patched(
    api: httpx.AsyncClient,
) -> None:
    product = await _fixed_product(api, "contract-base")
    price = fixed_price("500.00", units=2)
    item = {"product_id": product["id"], "price": price}
    plan = await _json(await post_plan(api, [item], _unique("contract-plan")), 201)
    assert plan["id"].startswith("pln_")
    assert plan["currency"] == "USD"
    fetched = await _json(await api.get(f"/plans/{plan['id']}"), 200)
    # The SDK's PlanResponse: no items, no terms come back (plans are write-once).
    assert "items" not in fetched and fetched["name"] == plan["name"]
    assert (await api.patch(f"/plans/{plan['id']}", json={"description": "x"})).status_code in (
        404,
        405,
    )
    mismatch = dict(price, type="unit")
    rejected = await post_plan(api, [{**item, "price": mismatch}], _unique("contract-bad"))
    assert rejected.status_code == 422


async def test_customer_alias_lookup_and_idempotent_create(api: httpx.AsyncClient) -> None:
    alias = _unique("contract-cust")
    key = {"Idempotency-Key": _unique("ik")}
    body = {"name": "Contract Co", "currency": "USD", "aliases": [alias]}
    first = await _json(await api.post("/customers", json=body, headers=key), 201)
    again = await api.post("/customers", json=body, headers=key)
    assert again.json()["id"] == first["id"]
    assert again.headers.get("Idempotent-Replayed") == "true"
    changed = await api.post("/customers", json={**body, "name": "Other"}, headers=key)
    assert changed.status_code == 422
    by_alias = await _json(await api.get(f"/customers/{alias}"), 200)
    assert by_alias["id"] == first["id"]


async def test_subscription_draft_activate_and_versions(api: httpx.AsyncClient) -> None:
    alias = _unique("contract-sub")
    sub, _ = await _seat_subscription(
        api, "Sub Co", alias, "contract-seat", metadata={"billing_key": alias}
    )
    assert sub["status"] == "draft"
    assert (await api.get(f"/subscriptions/{sub['id']}/versions/current")).status_code == 404
    active = await _json(await api.post(f"/subscriptions/{sub['id']}/activate"), 200)
    again = await _json(await api.post(f"/subscriptions/{sub['id']}/activate"), 200)
    assert active["status"] == again["status"] == "active"
    current = await _json(await api.get(f"/subscriptions/{sub['id']}/versions/current"), 200)
    assert current["id"] == active["current_version_id"]
    patched = await _json(
        await api.patch(
            f"/subscriptions/{sub['id']}", json={"metadata": {"billing_key": None, "tier": "gold"}}
        ),
        200,
    )
    assert patched["metadata"] == {"tier": "gold"}


async def test_events_ingest(api: httpx.AsyncClient) -> None:
    alias = _unique("contract-evt")
    await _customer(api, "Evt Co", alias)
    event_id = _unique("evt")
    batch = {
        "events": [
            {
                "unique_id": event_id,
                "account": alias,
                "event_name": "api_call",
                "properties": {"n": 1},
            }
        ]
    }
    result = await _json(await api.post("/events", json=batch), 200)
    assert result["ingested"] == [event_id]
    too_many = {
        "events": [dict(batch["events"][0], unique_id=f"{event_id}-{i}") for i in range(101)]
    }
    assert (await api.post("/events", json=too_many)).status_code == 400


async def test_changes_api_refuses_a_stale_source_version(api: httpx.AsyncClient) -> None:
    alias = _unique("contract-chg")
    sub, product = await _seat_subscription(
        api, "Chg Co", alias, "contract-chg", auto_activate=True
    )
    source = sub["current_version_id"]
    adjust = {
        "update": [{"product_id": product["id"], "adjust": {"fixed_pricing_model": {"units": 2}}}]
    }
    preview = await _json(
        await api.post(
            f"/subscriptions/{sub['id']}/changes/preview",
            json={**adjust, "source_version_id": source},
        ),
        200,
    )
    assert preview["items"][0]["price"]["fixed_pricing_model"]["units"] == 2
    applied = await api.post(
        f"/subscriptions/{sub['id']}/changes", json={**adjust, "source_version_id": source}
    )
    assert applied.status_code in (200, 201)
    stale = await api.post(
        f"/subscriptions/{sub['id']}/changes", json={**adjust, "source_version_id": source}
    )
    assert stale.status_code == 409
