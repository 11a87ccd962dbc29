"""Credit rules of the emulator: what is refused, what a wallet restricted to products pays
for, and the order grants are drawn in (docs/api-compatibility.md, "Credits")."""

from __future__ import annotations

from typing import Any

import httpx

from tests.emulator.factory import unit_price


async def _made(client: httpx.AsyncClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(path, json=body)
    assert response.status_code in (200, 201), response.text
    made: dict[str, Any] = response.json()
    return made


async def _setup(client: httpx.AsyncClient) -> tuple[str, str, str]:
    """(customer, subscription, product) with `call` events priced at 0.50."""
    metric = await _made(
        client, "/metrics", {"name": "C", "event_name": "call", "aggregation": {"method": "count"}}
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
    customer = await _made(client, "/customers", {"name": "A", "currency": "USD"})
    sub = await _made(
        client,
        "/subscriptions",
        {
            "customer_id": customer["id"],
            "currency": "USD",
            "auto_activate": True,
            "items": [{"product_id": product["id"], "price": unit_price(metric["id"], "0.50")}],
        },
    )
    return customer["id"], sub["id"], product["id"]


def _call(n: int) -> dict[str, Any]:
    return {"event_name": "call", "unique_id": f"c{n}"}


async def test_refusals_name_the_problem(client: httpx.AsyncClient) -> None:
    customer, _, _ = await _setup(client)
    cases = [
        ("/credits/track", {"events": [_call(1)]}, "account is required"),
        ("/credits/track", {"reservation_id": "r", "events": []}, "not emulated"),
        ("/credits/check", {"account": customer, "reserve": {}}, "not emulated"),
        ("/credits/track", {"account": "nobody", "events": [_call(1)]}, "does not exist"),
        (
            "/credits/track",
            {"account": customer, "events": [{"event_name": "other", "unique_id": "o"}]},
            "feeds no credit-consuming metric",
        ),
    ]
    for path, body, fragment in cases:
        response = await client.post(path, json=body)
        assert response.status_code == 422 and fragment in response.json()["detail"], body
    wallet = await _made(
        client, "/wallets", {"customer_id": customer, "currency": "USD", "name": "W"}
    )
    await _made(client, "/wallet-grants", {"wallet_id": wallet["id"], "amount": "1"})
    short = await client.post(
        f"/wallets/{wallet['id']}/debit",
        json={"amount": "2", "reference_id": "x", "transaction_type": "manual_debit"},
    )
    assert short.status_code == 422 and "insufficient balance: 1 left" in short.json()["detail"]
    kept = await client.delete(f"/wallets/{wallet['id']}")
    assert kept.status_code == 409


async def test_a_restricted_wallet_pays_only_for_its_products_and_soonest_expiry_goes_first(
    client: httpx.AsyncClient,
) -> None:
    customer, sub, product = await _setup(client)
    other = await _made(
        client,
        "/wallets",
        {"customer_id": customer, "currency": "USD", "name": "O", "product_ids": ["prod_other"]},
    )
    await _made(client, "/wallet-grants", {"wallet_id": other["id"], "amount": "5"})
    refused = await _made(client, "/credits/track", {"account": customer, "events": [_call(1)]})
    assert refused["allowed"] is False  # 5.00 available, but not for this product

    await _made(client, f"/subscriptions/{sub}/credits/grant", {"amount": "1", "reason": "later"})
    soon = await _made(
        client,
        f"/subscriptions/{sub}/credits/grant",
        {"amount": "0.50", "reason": "soon", "expires_at": "2026-05-01"},
    )
    drawn = await _made(client, "/credits/track", {"account": customer, "events": [_call(2)]})
    assert drawn["allowed"] is True and drawn["charges"][0]["ledger_id"] == f"ldg_{customer}"
    balance = await client.get(f"/subscriptions/{sub}/credits/balance")
    assert balance.json()["balance"] == "6"  # 5 (restricted wallet) + 1; the 0.50 went first
    assert soon["expires_at"] == "2026-05-01T00:00:00Z"
    restricted = await client.patch(f"/wallets/{other['id']}", json={"product_ids": [product]})
    assert restricted.status_code == 200
    paid = await _made(client, "/credits/track", {"account": customer, "events": [_call(3)]})
    assert paid["allowed"] is True
