"""Rendering an invoice preview (`billing invoice preview`): text, line by line, and JSON.

Amounts are shown as the engine computed them: each line exact, the total rounded once to
the currency's minor unit (docs/pricing.md, "Invoices")."""

from __future__ import annotations

import json
from typing import Any

from reconciler.commands.invoice_preview import InvoicePreview
from reconciler.model.currency import shown_amount


def invoice_json(preview: InvoicePreview) -> str:
    invoice = preview.invoice
    data: dict[str, Any] = {
        "subscription": preview.subscription,
        "customer": preview.customer,
        "period": preview.period,
        "billing_period_start": preview.start.isoformat(),
        "billing_period_end": preview.end.isoformat(),
        "currency": invoice.currency,
        "lines": [
            {
                "description": line.description,
                "kind": line.kind,
                "quantity": str(line.quantity),
                "unit_price": str(line.unit_price),
                "amount": str(line.amount),
            }
            for line in invoice.lines
        ],
        "subtotal": str(invoice.subtotal),
        "tax": str(invoice.tax),
        "total": str(invoice.total),
    }
    return json.dumps(data, indent=2) + "\n"


def invoice_text(preview: InvoicePreview) -> str:
    invoice = preview.invoice
    code = invoice.currency
    out = [
        f"Invoice preview: subscription {preview.subscription} (customer {preview.customer}),"
        f" period {preview.period}: {preview.start} to {preview.end}, {code}",
        "",
    ]
    width = max((len(line.description) for line in invoice.lines), default=10)
    for line in invoice.lines:
        qty = f"{line.quantity} x {line.unit_price}"
        out.append(
            f"  {line.description:<{width}}  {qty:>28}  {shown_amount(line.amount, code):>14}"
        )
    if not invoice.lines:
        out.append("  (no charges this period)")
    out += [
        "",
        f"  {'subtotal':<{width}}  {'':>28}  {shown_amount(invoice.subtotal, code):>14}",
        f"  {'tax':<{width}}  {'':>28}  {shown_amount(invoice.tax, code):>14}",
        f"  {'total':<{width}}  {'':>28}  {invoice.total:>14} {code}",
    ]
    return "\n".join(out) + "\n"
