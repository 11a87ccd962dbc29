"""The events the emulator emits, and their payloads.

Owns which lifecycle change is which event type and what its ``data`` holds. Payloads
follow Alguna's webhook docs: an envelope ``{"type", "timestamp", "data"}`` whose ``data``
is camelCase with 8-character ids (docs/api-compatibility.md, "Webhooks", lists the
assumed fields). Emitted:

- ``subscription.activated``: a subscription was activated (``/activate``, or created with
  ``auto_activate``); an activation that was already done emits nothing;
- ``subscription.updated``: ``PATCH /subscriptions/{id}``;
- ``subscription.cancelation_scheduled``: canceled with a future ``effective``; then
  ``subscription.canceled`` is emitted when the emulator clock reaches that moment;
- ``subscription.canceled``: the cancellation took effect (at once, or as scheduled);
- ``subscription.version.updated``: a version was created, edited or published through
  the versions or Changes API (the first version, published by activation, is part of
  ``subscription.activated``).

- ``invoice.issued``: the period close issued an invoice (``invoicing.lifecycle``, with the
  SDK's ``InvoicePayload``).

Credit events (``account.credits.granted``, ``account.credits.balance_depleted``) are emitted
by resources.credit_ledger; ``payment.created``, ``payment.updated``, ``invoice.paid`` and
``invoice.overdue`` by invoicing.collection. The emulator models no refunds or checkout, so
it never emits ``refund.*`` or ``checkout.*`` on its own; the control API's
``POST /_emulator/webhooks/trigger`` sends any type with a payload you give, to exercise
those handlers. Must not deliver: emitting only writes to the outbox, in the caller's
transaction.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from ..clock import format_ts
from ..resources.subscription_state import view
from ..runtime import Ctx
from ..store import Doc
from . import outbox

SUBSCRIPTION_EVENTS = (
    "subscription.activated",
    "subscription.updated",
    "subscription.cancelation_scheduled",
    "subscription.canceled",
    "subscription.version.updated",
)


def envelope(event_type: str, moment: datetime, data: dict[str, Any]) -> bytes:
    """The exact body every attempt of this event sends (compact JSON, UTF-8)."""
    payload = {"type": event_type, "timestamp": format_ts(moment), "data": data}
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def emit(ctx: Ctx, event_type: str, data: dict[str, Any], *, at: datetime | None = None) -> str:
    """Record an event of the caller's account, due now or at ``at``; returns its id."""
    moment = at or ctx.clock.now()
    message_id = outbox.record_message(
        ctx.store, ctx.account, event_type, envelope(event_type, moment, data), format_ts(moment)
    )
    ctx.runtime.webhooks.wake()
    return message_id


def subscription_data(sub: Doc) -> dict[str, Any]:
    """A subscription as webhook payloads show it (camelCase; a view from ``view``)."""
    contract = sub.get("contract") or {}
    return {
        "id": sub["id"],
        "accountId": sub["customer_id"],
        "name": sub.get("name") or "",  # the SDK's SubscriptionPayload requires a string
        "status": sub.get("status"),
        "currency": sub.get("currency"),
        "planId": sub.get("plan_id"),
        "contractStartDate": contract.get("start_date"),
        "contractEndDate": contract.get("end_date"),
        "activatedAt": sub.get("activated_at"),
        "canceledAt": sub.get("canceled_at"),
        "metadata": sub.get("metadata") or {},
        "createdAt": sub.get("created_at"),
        "updatedAt": sub.get("updated_at"),
    }


def version_data(version: Doc, sub: Doc) -> dict[str, Any]:
    """A subscription version as ``subscription.version.updated`` shows it (assumed)."""
    return {
        "id": version["id"],
        "subscriptionId": version["subscription_id"],
        "accountId": sub["customer_id"],
        "status": version["status"],
        "effectiveAt": version.get("effective_at"),
        "description": version.get("description"),
        "createdAt": version.get("created_at"),
        "updatedAt": version.get("updated_at"),
    }


def emit_subscription(ctx: Ctx, event_type: str, sub: Doc) -> str:
    """Emit a subscription event with the subscription as it is now."""
    return emit(
        ctx, event_type, subscription_data(view(ctx.store, ctx.account, sub, ctx.clock.now()))
    )


def emit_cancellation(ctx: Ctx, sub: Doc, effective: datetime) -> None:
    """``subscription.canceled`` now, or ``cancelation_scheduled`` now and ``canceled``
    when the clock reaches ``effective``."""
    now = ctx.clock.now()
    if effective <= now:
        emit_subscription(ctx, "subscription.canceled", sub)
        return
    emit_subscription(ctx, "subscription.cancelation_scheduled", sub)
    data = subscription_data(view(ctx.store, ctx.account, sub, effective))
    emit(ctx, "subscription.canceled", data, at=effective)


def emit_version(ctx: Ctx, version: Doc) -> str:
    """``subscription.version.updated`` for a version just created, edited or published."""
    sub = ctx.store.get(ctx.account, "subscription", version["subscription_id"]) or {
        "customer_id": None
    }
    return emit(ctx, "subscription.version.updated", version_data(version, sub))
