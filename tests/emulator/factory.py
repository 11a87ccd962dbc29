"""Request bodies and small create-helpers shared by the emulator tests."""

from __future__ import annotations

from typing import Any

import httpx


def fixed_price(amount: str = "500.00", units: int = 1) -> dict[str, Any]:
    return {
        "type": "fixed",
        "fee_type": "fixed",
        "billing_direction": "advance",
        "billing_frequency": "recurring",
        "billing_interval": "monthly",
        "fixed_pricing_model": {"price_per_unit": amount, "units": units},
    }


def unit_price(metric_id: str, rate: str = "0.02") -> dict[str, Any]:
    return {
        "type": "unit",
        "fee_type": "metered",
        "billing_direction": "arrears",
        "billing_interval": "monthly",
        "metric_ids": [metric_id],
        "unit_pricing_model": {"price_per_unit": rate},
    }


def tiered_price(metric_id: str, kind: str = "tiered") -> dict[str, Any]:
    return {
        "type": kind,
        "fee_type": "metered",
        "billing_direction": "arrears",
        "billing_interval": "monthly",
        "metric_ids": [metric_id],
        f"{kind}_pricing_model": {
            "tiers": [
                {"min_units": 0, "max_units": 100, "price_per_unit": "0.15", "fixed_fee": "0"},
                {"min_units": 100, "max_units": 500, "price_per_unit": "0.10"},
                {"min_units": 500, "max_units": None, "price_per_unit": "0.05"},
            ]
        },
    }


async def created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def applied(client: httpx.AsyncClient, response: httpx.Response) -> dict[str, Any]:
    """The version a ``POST /subscriptions/{id}/changes`` wrote (the response is the SDK's
    ``ChangeResponse``, which names the version; this reads it)."""
    result = await created(response)
    subscription = response.request.url.path.split("/")[2]
    version = await client.get(f"/subscriptions/{subscription}/versions/{result['version_id']}")
    assert version.status_code == 200, version.text
    body: dict[str, Any] = version.json()
    return body


async def metric(client: httpx.AsyncClient, name: str = "API calls") -> dict[str, Any]:
    body = {"name": name, "event_name": "api_call", "aggregation": {"method": "count"}}
    return await created(await client.post("/metrics", json=body))


async def fixed_product(client: httpx.AsyncClient, name: str = "Platform") -> dict[str, Any]:
    body = {
        "name": name,
        "fee_type": "fixed",
        "payment_terms": "advance",
        "billing_frequency": "recurring",
        "sku": name.lower(),
    }
    return await created(await client.post("/products", json=body))


async def metered_product(client: httpx.AsyncClient, metric_id: str) -> dict[str, Any]:
    body = {
        "name": "API",
        "fee_type": "metered",
        "payment_terms": "arrears",
        "metric_ids": [metric_id],
    }
    return await created(await client.post("/products", json=body))


async def customer(client: httpx.AsyncClient, alias: str = "acme") -> dict[str, Any]:
    body = {"name": "Acme", "currency": "USD", "aliases": [alias]}
    return await created(await client.post("/customers", json=body))


async def post_plan(
    client: httpx.AsyncClient,
    items: list[dict[str, Any]],
    name: str = "p",
    currency: str = "USD",
    **terms: Any,
) -> httpx.Response:
    """``POST /plans`` with these items and terms (the response: some tests expect a refusal)."""
    return await client.post(
        "/plans", json={"name": name, "currency": currency, **terms, "items": items}
    )


async def stored_plan(client: httpx.AsyncClient, plan_id: str) -> dict[str, Any]:
    """A plan as the emulator stores it, items and terms included (read through the control
    API: the API's plan reads carry only the SDK's ``PlanResponse`` fields)."""
    response = await client.get(f"/_emulator/objects/plan/{plan_id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def catalog(client: httpx.AsyncClient) -> dict[str, Any]:
    """A metric, a fixed and a metered product, a plan using both (as stored, with its
    items), and a customer."""
    mtr = await metric(client)
    base = await fixed_product(client)
    api = await metered_product(client, mtr["id"])
    items = [
        {"product_id": base["id"], "price": fixed_price()},
        {"product_id": api["id"], "price": unit_price(mtr["id"])},
    ]
    plan = await stored_plan(client, (await created(await post_plan(client, items, "Pro")))["id"])
    cust = await customer(client)
    return {"metric": mtr, "base": base, "api": api, "plan": plan, "customer": cust}


def fixed_term(months: int, start: str) -> dict[str, Any]:
    """A subscription's ``contract``: a fixed term of ``months`` from ``start``."""
    return {"period_type": "fixed", "duration_months": months, "start_date": start}


async def plan_subscription(
    client: httpx.AsyncClient, plan_id: str, **fields: Any
) -> dict[str, Any]:
    """A subscription of the ``acme`` customer to a plan (a draft unless ``fields`` say)."""
    body = {"customer_id": "acme", "plan_id": plan_id, **fields}
    return await created(await client.post("/subscriptions", json=body))


async def active_subscription(client: httpx.AsyncClient, cat: dict[str, Any]) -> dict[str, Any]:
    return await plan_subscription(client, cat["plan"]["id"], auto_activate=True)


async def versions(client: httpx.AsyncClient, sub_id: str) -> list[dict[str, Any]]:
    """A subscription's versions (the first page)."""
    response = await client.get(f"/subscriptions/{sub_id}/versions")
    data: list[dict[str, Any]] = response.json()["data"]
    return data


def without_nulls(value: Any) -> Any:
    """The value with null object fields left out (responses show unset optionals as null)."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value
