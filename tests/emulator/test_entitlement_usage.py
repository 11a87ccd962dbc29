"""A quantity entitlement compared with usage so far in the subscription's billing period
(``GET /_emulator/usage?subscription=``), and entitlements gone once canceled."""

from __future__ import annotations

from typing import Any

import httpx

from tests.emulator.clients import HEADERS
from tests.emulator.factory import unit_price


async def _made(client: httpx.AsyncClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(path, json=body)
    assert response.status_code in (200, 201), response.text
    made: dict[str, Any] = response.json()
    return made


async def test_usage_so_far_in_the_cycle_against_a_quantity_entitlement(
    client: httpx.AsyncClient, control: httpx.AsyncClient
) -> None:
    metric = await _made(
        client,
        "/metrics",
        {"name": "Calls", "event_name": "call", "aggregation": {"method": "count"}},
    )
    product = await _made(
        client,
        "/products",
        {
            "name": "P",
            "fee_type": "metered",
            "payment_terms": "arrears",
            "metric_ids": [metric["id"]],
        },
    )
    limit = {"entitlement_key": "calls_max", "type": "number", "mode": "static", "value": "3"}
    plan = await _made(
        client,
        "/plans",
        {
            "name": "Metered",
            "currency": "USD",
            "entitlements": [limit],
            "items": [{"product_id": product["id"], "price": unit_price(metric["id"])}],
        },
    )
    customer = await _made(client, "/customers", {"name": "A", "currency": "USD", "aliases": ["a"]})
    other = await _made(client, "/customers", {"name": "B", "currency": "USD"})
    sub = await _made(
        client,
        "/subscriptions",
        {
            "customer_id": customer["id"],
            "plan_id": plan["id"],
            "auto_activate": True,
            "contract": {"start_date": "2026-03-15"},
        },
    )
    # The clock stands at 2026-04-01: the cycle runs from 03-15 to 04-15.
    stamps = ["2026-03-10T00:00:00Z", "2026-03-20T00:00:00Z", "2026-04-01T09:00:00Z"]
    events = [
        {"unique_id": f"e{n}", "account": "a", "event_name": "call", "timestamp": stamp}
        for n, stamp in enumerate(stamps)
    ]
    await _made(client, "/events", {"events": events})

    entitlement = (await client.get(f"/subscriptions/{sub['id']}/entitlements/calls_max")).json()
    params = {"subscription": sub["id"], "metric": "Calls"}
    report = (await control.get("/usage", params=params, headers=HEADERS)).json()
    assert (report["from"], report["to"]) == ("2026-03-15T00:00:00Z", "2026-04-15T00:00:00Z")
    used = int(report["data"][0]["value"])
    assert (used, int(entitlement["value"])) == (2, 3)  # within the limit
    month = await control.get(
        "/usage", params={"customer": "a", "metric": "Calls"}, headers=HEADERS
    )
    assert month.json()["data"][0]["value"] == "1"  # the calendar month is another window

    mismatch = await control.get(
        "/usage", params={**params, "customer": other["id"]}, headers=HEADERS
    )
    assert mismatch.status_code == 400
    unknown = await control.get("/usage", params={"subscription": "nope"}, headers=HEADERS)
    assert unknown.status_code == 404

    await _made(client, f"/subscriptions/{sub['id']}/cancel", {"reason": "other"})
    after = await client.get(f"/customers/{customer['id']}/entitlements")
    assert after.json() == {"data": []}
    gone = await client.get(f"/subscriptions/{sub['id']}/entitlements/calls_max")
    assert gone.status_code == 404
