"""An invoice's status changes and the events they emit.

Owns draft -> issued (``issue``): the issue and due dates (the subscription's
``payment_terms``, ``net_<days>`` or ``due_on_receipt``), ``invoice.issued`` with the SDK's
``InvoicePayload``. Payment collection (``collection.collect``) follows, called by the
period close in the same transaction.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from ..clock import format_ts, parse_ts
from ..runtime import Ctx
from ..store import Doc
from ..webhooks.events import emit

_NET = re.compile(r"^net_(\d{1,3})$")


def due_days(payment_terms: str | None) -> int:
    """Days from issue to due: ``net_<days>``, else 0 (``due_on_receipt`` or unset)."""
    match = _NET.match(payment_terms or "")
    return int(match.group(1)) if match else 0


def invoice_payload(invoice: Doc) -> dict[str, Any]:
    """An invoice as webhook payloads show it: the SDK's ``InvoicePayload`` (camelCase)."""
    return {
        "id": invoice["id"],
        "accountId": invoice["customer_id"],
        "currency": invoice["currency"],
        "description": invoice["description"],
        "status": invoice["status"],
        "total": invoice["total"],
        "billingPeriodStart": invoice["billing_period_start"],
        "billingPeriodEnd": invoice["billing_period_end"],
        "createdAt": invoice["created_at"],
        "updatedAt": invoice["updated_at"],
    }


def issue(ctx: Ctx, invoice: Doc, sub: Doc) -> Doc:
    """Issue a draft invoice at the emulator's now and emit ``invoice.issued``."""
    now = ctx.clock.now()
    invoice["status"] = "issued"
    invoice["issue_date"] = format_ts(now)
    due = parse_ts(invoice["issue_date"]) + timedelta(
        days=due_days((sub.get("billing") or {}).get("payment_terms"))
    )
    invoice["due_date"] = format_ts(due)
    invoice["updated_at"] = format_ts(now)
    ctx.store.replace(ctx.account, "invoice", invoice)
    emit(ctx, "invoice.issued", invoice_payload(invoice))
    return invoice
