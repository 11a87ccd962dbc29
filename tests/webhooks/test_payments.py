"""The quick start's test cards, end to end in the emulator: at the period close an
auto-paying subscription's invoice is charged to the customer's card; 4242 4242 4242 4242
pays it (``payment.created``, ``payment.updated`` completed, ``invoice.paid``), 4000 0000
0000 0002 is declined (``payment.updated`` failed) and the invoice becomes overdue after its
due date (``invoice.overdue``). Every delivery is verified with ``reconciler.webhooks.verify``
and parsed by the official SDK's payload models."""

from __future__ import annotations

import json
from typing import Any

from alguna.webhooks import (
    WebhookInvoiceIssuedPayload,
    WebhookInvoiceOverduePayload,
    WebhookInvoicePaidPayload,
    WebhookPaymentCreatedPayload,
    WebhookPaymentUpdatedPayload,
)

from reconciler.webhooks import verify
from tests.emulator.factory import fixed_price
from tests.webhooks.conftest import BEARER, Hooks

DAY = 86_400
MODELS: dict[str, Any] = {
    "invoice.issued": WebhookInvoiceIssuedPayload,
    "invoice.paid": WebhookInvoicePaidPayload,
    "invoice.overdue": WebhookInvoiceOverduePayload,
    "payment.created": WebhookPaymentCreatedPayload,
    "payment.updated": WebhookPaymentUpdatedPayload,
}


async def _made(hooks: Hooks, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await hooks.api.post(path, json=body)
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


async def _customer_with_card(hooks: Hooks, plan_id: str, name: str, card: str) -> str:
    customer = await _made(hooks, "/customers", {"name": name, "currency": "USD"})
    added = await hooks.control.post(
        f"/customers/{customer['id']}/payment-methods", json={"card_number": card}, headers=BEARER
    )
    assert added.status_code == 201, added.text
    await _made(
        hooks,
        "/subscriptions",
        {
            "customer_id": customer["id"],
            "plan_id": plan_id,
            "auto_activate": True,
            "billing": {"auto_pay_invoices": True, "payment_terms": "net_7"},
        },
    )
    return str(customer["id"])


def _parsed(hooks: Hooks) -> list[tuple[str, Any]]:
    """(type, SDK payload model) of every invoice or payment delivery, signature verified."""
    found = []
    for request in hooks.receiver.received:
        hook = verify(request.content, request.headers, hooks.secret)
        if hook.type in MODELS:
            found.append((hook.type, MODELS[hook.type].model_validate(json.loads(request.content))))
    return found


async def _invoice(hooks: Hooks, customer: str) -> dict[str, Any]:
    listed = await hooks.api.get("/invoices", params={"customer_id": customer})
    (invoice,) = listed.json()["data"]
    full: dict[str, Any] = (await hooks.api.get(f"/invoices/{invoice['id']}")).json()
    return full


async def test_the_success_card_pays_and_the_failing_card_leaves_an_overdue_invoice(
    hooks: Hooks,
) -> None:
    product = await _made(
        hooks,
        "/products",
        {
            "name": "Plan fee",
            "fee_type": "fixed",
            "payment_terms": "advance",
            "billing_frequency": "recurring",
        },
    )
    plan = await _made(
        hooks,
        "/plans",
        {
            "name": "Monthly",
            "currency": "USD",
            "items": [{"product_id": product["id"], "price": fixed_price("100.00")}],
        },
    )
    good = await _customer_with_card(hooks, plan["id"], "Good", "4242 4242 4242 4242")
    bad = await _customer_with_card(hooks, plan["id"], "Bad", "4000-0000-0000-0002")

    await hooks.advance(31 * DAY)  # past the first cycle: invoiced, issued, charged
    paid = await _invoice(hooks, good)
    assert (paid["status"], paid["amount_paid"], paid["amount_remaining"]) == (
        "paid",
        paid["total"],
        "0.00",
    )
    assert paid["paid_date"] is not None and paid["total"] == "100.00"
    unpaid = await _invoice(hooks, bad)
    assert (unpaid["status"], unpaid["amount_paid"]) == ("issued", "0.00")
    payments = (await hooks.api.get("/payments")).json()["data"]
    assert {(p["customer_id"], p["status"]) for p in payments} == {
        (good, "completed"),
        (bad, "failed"),
    }
    await hooks.advance(6 * DAY)  # not yet due (net_7)
    assert (await _invoice(hooks, bad))["status"] == "issued"
    await hooks.advance(2 * DAY)  # past the due date
    assert (await _invoice(hooks, bad))["status"] == "overdue"
    assert (await _invoice(hooks, good))["status"] == "paid"

    await hooks.deliver()
    events = _parsed(hooks)
    by_customer = {
        customer: [
            (kind, model.data.status) for kind, model in events if model.data.account_id == customer
        ]
        for customer in (good, bad)
    }
    assert by_customer[good] == [
        ("invoice.issued", "issued"),
        ("payment.created", "processing"),
        ("payment.updated", "completed"),
        ("invoice.paid", "paid"),
    ]
    assert by_customer[bad] == [
        ("invoice.issued", "issued"),
        ("payment.created", "processing"),
        ("payment.updated", "failed"),
        ("invoice.overdue", "overdue"),
    ]
    failed = next(
        m for kind, m in events if kind == "payment.updated" and m.data.status == "failed"
    )
    assert failed.data.invoice_id == unpaid["id"]
    assert [a.invoice_id for a in failed.data.allocations] == [unpaid["id"]]


async def test_cards_other_than_the_test_cards_are_refused(hooks: Hooks) -> None:
    customer = await _made(hooks, "/customers", {"name": "C", "currency": "USD"})
    refused = await hooks.control.post(
        f"/customers/{customer['id']}/payment-methods",
        json={"card_number": "4111 1111 1111 1111"},
        headers=BEARER,
    )
    assert refused.status_code == 422 and "4242 4242 4242 4242" in refused.json()["detail"]
    methods = await hooks.api.get(f"/customers/{customer['id']}/payment-methods")
    assert methods.json() == {"data": []}
