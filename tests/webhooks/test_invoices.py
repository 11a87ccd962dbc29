"""The emulator's period close: invoices from ingested usage, `GET /invoices`, and
`invoice.issued`, checked against the official SDK's types and verified with
`reconciler.webhooks.verify`."""

from __future__ import annotations

import json
from typing import Any

from alguna.types.invoice_list_response import InvoiceListResponse
from alguna.types.invoice_response import InvoiceResponse
from alguna.webhooks.types.webhook_invoice_issued_payload import WebhookInvoiceIssuedPayload

from reconciler.webhooks import verify
from tests.emulator.factory import active_subscription, catalog
from tests.webhooks.conftest import Hooks

DAY = 86_400


def events(count: int, day: str, prefix: str) -> list[dict[str, Any]]:
    return [
        {
            "unique_id": f"{prefix}-{n}",
            "account": "acme",
            "event_name": "api_call",
            "timestamp": f"{day}T12:00:00Z",
        }
        for n in range(count)
    ]


async def send(hooks: Hooks, batch: list[dict[str, Any]]) -> None:
    response = await hooks.api.post("/events", json={"events": batch})
    assert response.status_code == 200, response.text


async def test_advancing_past_the_cycle_end_issues_the_invoice(hooks: Hooks) -> None:
    cat = await catalog(hooks.api)  # fixed 500.00 a month + 0.02 per api_call
    sub = await active_subscription(hooks.api, cat)  # contract from 2026-04-01
    await send(hooks, events(100, "2026-04-10", "a"))
    await send(hooks, events(100, "2026-04-10", "a"))  # the same unique_ids: deduplicated
    await send(hooks, events(50, "2026-04-20", "b"))
    await send(hooks, events(7, "2026-05-02", "c"))  # next cycle: not on April's invoice

    listed = await hooks.api.get("/invoices")
    assert listed.json()["data"] == []  # April has not ended (clock: 2026-04-01T10:00Z)

    await hooks.advance(30 * DAY)  # 2026-05-01T10:00Z: April's cycle closes
    listed = await hooks.api.get("/invoices", params={"subscription_id": sub["id"]})
    assert listed.status_code == 200, listed.text
    page = InvoiceListResponse.model_validate(listed.json())
    [item] = page.data
    # 500.00 + 150 x 0.02 = 503.00
    assert (item.status, item.total, item.currency) == ("issued", "503.00", "USD")
    assert item.customer_id == cat["customer"]["id"]
    assert item.billing_period_start is not None and item.billing_period_end is not None
    assert item.billing_period_start.isoformat() == "2026-04-01T00:00:00+00:00"
    assert item.billing_period_end.isoformat() == "2026-05-01T00:00:00+00:00"

    got = await hooks.api.get(f"/invoices/{item.id}")
    invoice = InvoiceResponse.model_validate(got.json())
    assert [(li.description, li.quantity, li.unit_price, li.amount_excluding_tax)
            for li in invoice.line_items] == [
        ("Platform: fixed: 1 unit(s)", "1", "500.00", "500.00"),
        ("API: units", "150", "0.02", "3.00"),
    ]  # fmt: skip
    assert (invoice.subtotal, invoice.tax, invoice.total) == ("503.00", "0", "503.00")
    assert (invoice.amount_paid, invoice.amount_remaining) == ("0.00", "503.00")
    assert invoice.issue_date is not None and invoice.due_date == invoice.issue_date

    await hooks.deliver()
    issued = [
        r for r in hooks.receiver.received if json.loads(r.content)["type"] == "invoice.issued"
    ]
    [request] = issued
    hook = verify(request.content, request.headers, hooks.secret, scheme="both")
    assert hook.type == "invoice.issued"
    payload = WebhookInvoiceIssuedPayload.model_validate(json.loads(request.content))
    assert (payload.data.id, payload.data.total, payload.data.status) == (
        item.id,
        "503.00",
        "issued",
    )
    assert payload.data.account_id == cat["customer"]["id"]

    await hooks.advance(DAY)  # nothing new ends: no second invoice, no second event
    assert len((await hooks.api.get("/invoices")).json()["data"]) == 1


async def test_the_list_filters(hooks: Hooks) -> None:
    cat = await catalog(hooks.api)
    sub = await active_subscription(hooks.api, cat)
    await hooks.advance(61 * DAY)  # 2026-06-01T10:00Z: April's and May's cycles close
    every = (await hooks.api.get("/invoices")).json()["data"]
    assert [i["billing_period"] for i in every] == [
        "2026-04-01 - 2026-05-01",
        "2026-05-01 - 2026-06-01",
    ]
    assert [i["total"] for i in every] == ["500.00", "500.00"]  # no usage: the fee alone

    async def ids(**params: Any) -> list[str]:
        response = await hooks.api.get("/invoices", params=params)
        assert response.status_code == 200, response.text
        return [i["id"] for i in response.json()["data"]]

    assert await ids(customer_id="acme") == [i["id"] for i in every]  # an alias works
    assert await ids(customer_id="nobody") == []
    assert await ids(subscription_id=sub["id"], status="issued,paid") == [i["id"] for i in every]
    assert await ids(status="draft") == []
    assert await ids(invoicing_date_gte="2026-05-15") == [every[1]["id"]]
    assert await ids(invoicing_date_lte="2026-05-15") == [every[0]["id"]]
    assert await ids(sort="invoicing_date:desc") == [every[1]["id"], every[0]["id"]]
    assert await ids(limit=1, offset=1) == [every[1]["id"]]
    assert (await hooks.api.get("/invoices", params={"status": "bogus"})).status_code == 400
    assert (await hooks.api.get("/invoices/inv_missing")).status_code == 404
