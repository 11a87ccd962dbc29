"""The seed's credit system, end to end in the emulator: credits bought (a wallet grant),
``account.credits.granted``; usage tracked against them draws them down; the draw that
empties the balance sends ``account.credits.balance_depleted`` exactly once. Deliveries are
verified with ``reconciler.webhooks.verify`` and parsed by the official SDK's payload models.
"""

from __future__ import annotations

import json
from typing import Any

from alguna.webhooks import (
    WebhookAccountCreditsBalanceDepletedPayload,
    WebhookAccountCreditsGrantedPayload,
)

from reconciler.webhooks import verify
from tests.emulator.factory import unit_price
from tests.webhooks.conftest import BEARER, Hooks


async def _post(hooks: Hooks, path: str, body: dict[str, Any], status: int = 200) -> Any:
    response = await hooks.api.post(path, json=body)
    assert response.status_code == status, response.text
    return response.json()


async def _metered_subscription(hooks: Hooks) -> tuple[str, str]:
    """A customer on a plan that prices `call` events at 0.02 each; (customer, subscription)."""
    metric = await _post(
        hooks,
        "/metrics",
        {"name": "Calls", "event_name": "call", "aggregation": {"method": "count"}},
        201,
    )
    product = await _post(
        hooks,
        "/products",
        {
            "name": "API",
            "fee_type": "metered",
            "payment_terms": "arrears",
            "metric_ids": [metric["id"]],
        },
        201,
    )
    plan = await _post(
        hooks,
        "/plans",
        {
            "name": "Credits",
            "currency": "USD",
            "items": [{"product_id": product["id"], "price": unit_price(metric["id"], "0.02")}],
        },
        201,
    )
    customer = await _post(hooks, "/customers", {"name": "Acme", "currency": "USD"}, 201)
    sub = await _post(
        hooks,
        "/subscriptions",
        {"customer_id": customer["id"], "plan_id": plan["id"], "auto_activate": True},
        201,
    )
    assert sub["status"] == "active"
    return customer["id"], sub["id"]


async def _track(hooks: Hooks, customer: str, first: int, count: int) -> dict[str, Any]:
    events = [
        {"event_name": "call", "unique_id": f"call-{n}", "properties": {}}
        for n in range(first, first + count)
    ]
    tracked: dict[str, Any] = await _post(
        hooks, "/credits/track", {"account": customer, "events": events}
    )
    return tracked


def _verified(hooks: Hooks) -> list[dict[str, Any]]:
    """Every credit delivery's envelope, its signature checked as an application would."""
    envelopes = []
    for request in hooks.receiver.received:
        hook = verify(request.content, request.headers, hooks.secret)
        if hook.type.startswith("account.credits."):
            envelopes.append(json.loads(request.content))
    return envelopes


async def test_a_grant_usage_consuming_it_and_one_depletion_event(hooks: Hooks) -> None:
    customer, _ = await _metered_subscription(hooks)
    wallet = await _post(
        hooks, "/wallets", {"customer_id": customer, "currency": "USD", "name": "Prepaid"}, 201
    )
    grant = await _post(
        hooks,
        "/wallet-grants",
        {"wallet_id": wallet["id"], "amount": "1.00", "description": "bought 1.00"},
        201,
    )

    first = await _track(hooks, customer, 0, 30)  # 30 calls x 0.02 = 0.60
    assert first["allowed"] is True and first["totals"]["covered"] == "0.6"
    assert first["balances"][0]["available"] == "0.4"
    last = await _track(hooks, customer, 30, 20)  # 0.40: exactly what is left
    assert last["allowed"] is True and last["balances"][0]["available"] == "0"
    refused = await _track(hooks, customer, 50, 1)  # nothing left: refused, nothing recorded
    assert refused["allowed"] is False and refused["events_accepted"] == 0
    assert refused["totals"] == {
        "covered": "0",
        "overflow": "0.02",
        "uncovered_metric_quantity": "1",
        "used": "0.02",
    }
    resent = await _track(hooks, customer, 0, 30)  # a resent batch draws nothing again
    assert resent["allowed"] is True and resent["totals"]["used"] == "0"
    check = await _post(
        hooks,
        "/credits/check",
        {"account": customer, "events": [{"event_name": "call", "unique_id": "next"}]},
    )
    assert check["allowed"] is False

    balance = await hooks.api.get(f"/wallets/{wallet['id']}/balance")
    assert balance.json() == {"balance": "0"}
    usage = await hooks.control.get(
        "/usage", params={"customer": customer, "metric": "Calls"}, headers=BEARER
    )
    assert usage.json()["data"][0]["value"] == "50"  # tracked usage is metered too

    await hooks.deliver()
    envelopes = _verified(hooks)
    types = [e["type"] for e in envelopes]
    assert types == ["account.credits.granted", "account.credits.balance_depleted"]
    granted = WebhookAccountCreditsGrantedPayload.model_validate(envelopes[0])
    assert (granted.data.account_id, granted.data.grant_id) == (customer, grant["id"])
    assert (granted.data.amount, granted.data.type) == ("1", "monetary")
    depleted = WebhookAccountCreditsBalanceDepletedPayload.model_validate(envelopes[1])
    assert (depleted.data.account_id, depleted.data.amount) == (customer, "0")


async def test_a_new_grant_can_run_out_again_and_expiry_is_not_depletion(hooks: Hooks) -> None:
    customer, sub = await _metered_subscription(hooks)
    await _post(hooks, f"/subscriptions/{sub}/credits/grant", {"amount": "0.04", "reason": "trial"})
    await _track(hooks, customer, 0, 2)
    await _post(
        hooks,
        f"/subscriptions/{sub}/credits/grant",
        {"amount": "0.02", "reason": "bonus", "expires_at": "2026-04-02T00:00:00Z"},
    )
    balance = await hooks.api.get(f"/subscriptions/{sub}/credits/balance")
    assert balance.json()["balance"] == "0.02"
    await hooks.advance(86_400)  # the bonus expires unused: no depletion event for that
    balance = await hooks.api.get(f"/subscriptions/{sub}/credits/balance")
    assert balance.json()["balance"] == "0"
    await _post(
        hooks, f"/subscriptions/{sub}/credits/grant", {"amount": "0.02", "reason": "top-up"}
    )
    await _track(hooks, customer, 2, 1)

    await hooks.deliver()
    types = [e["type"] for e in _verified(hooks)]
    assert types == [
        "account.credits.granted",
        "account.credits.balance_depleted",
        "account.credits.granted",
        "account.credits.granted",
        "account.credits.balance_depleted",
    ]
