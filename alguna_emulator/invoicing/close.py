"""The period close: an invoice for every billing cycle of every active subscription that
the emulator clock has passed the end of.

Owns when an invoice is made and what goes in it (docs/sandbox.md, "How the emulator invoices"):

- cycles are monthly from the subscription's ``first_billing_date`` (else its contract
  start); cycle ``n`` is closed once the clock reaches its end, if the subscription was
  ``active`` at the cycle's start; each cycle is invoiced once (by its start);
- the cycle is split where published versions take effect inside it; each segment is
  priced by the version in force (`alguna_pricing.compute_invoice` decides what each
  segment charges), with the customer's events whose ``timestamp`` falls inside the
  segment, aggregated per metric (deduplicated on ``unique_id`` at ingestion);
- the invoice is a draft; with ``billing.auto_issue_invoices`` (unless false) it is issued
  at once (`lifecycle.issue`: ``invoice.issued``, then payment collection);
- a cycle the engine cannot price (a stored price it cannot read, negative usage) gets no
  invoice, and is retried at the next close.

Runs when the control API moves the clock and before an invoice is read, so what a client
sees never lags the clock. Must not decide amounts: the shared engine does.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from itertools import pairwise

from alguna_pricing.aggregation import aggregate, grouped, selected
from alguna_pricing.errors import PricingError
from alguna_pricing.expression import referenced_metrics
from alguna_pricing.invoice import MetricUsage, Segment, compute_invoice, matrix_dimensions
from alguna_pricing.model.prices import ExpressionPrice

from ..clock import format_ts, parse_ts
from ..ids import new_id
from ..resources.subscription_state import add_months, current_version, status_of
from ..runtime import Ctx, Runtime
from ..store import Doc
from .collection import collect, mark_overdue
from .engine_input import invoice_items, subscription_terms
from .lifecycle import issue

MAX_CYCLES = 1200
"""Cycles looked at per subscription (100 years): a bound, not a limit anyone reaches."""


def close_due(runtime: Runtime, account: str | None = None) -> list[Doc]:
    """Close every cycle that has ended, for one account or all; the invoices made."""
    accounts = [account] if account is not None else runtime.store.accounts_with("subscription")
    made: list[Doc] = []
    for name in accounts:
        ctx = Ctx(runtime, name)
        with ctx.store.transaction():
            for sub in ctx.store.list(name, "subscription"):
                made.extend(close_subscription(ctx, sub, runtime.clock.now()))
            mark_overdue(ctx)
    return made


def close_subscription(ctx: Ctx, sub: Doc, now: datetime) -> list[Doc]:
    """The invoices of `sub`'s cycles that ended by `now` and are not invoiced yet."""
    if not sub.get("activated_at"):
        return []
    billing = sub.get("billing") or {}
    anchor = parse_ts(billing.get("first_billing_date") or sub["contract"]["start_date"])
    invoiced = {
        i["billing_period_start"] for i in ctx.store.list(ctx.account, "invoice", parent=sub["id"])
    }
    made: list[Doc] = []
    for month in range(MAX_CYCLES):
        start, end = add_months(anchor, month), add_months(anchor, month + 1)
        if end > now:
            break
        if format_ts(start) in invoiced or status_of(sub, start) != "active":
            continue
        try:
            invoice = _invoice(ctx, sub, month, start, end)
        except PricingError:
            continue  # not priceable (documented); retried at the next close
        if invoice is not None:
            made.append(invoice)
    return made


def _boundaries(versions: list[Doc], start: datetime, end: datetime) -> list[datetime]:
    inside = {
        parse_ts(v["effective_at"])
        for v in versions
        if v["status"] == "published" and start < parse_ts(v["effective_at"]) < end
    }
    return [start, *sorted(inside), end]


def _usage(
    ctx: Ctx, sub: Doc, lower: datetime, upper: datetime, dimensions: dict[str, tuple[str, ...]]
) -> dict[str, MetricUsage]:
    """Per metric id, the usage of the customer's events in ``[lower, upper)``; a metric a
    matrix price reads is also grouped by the price's dimensions."""
    events = [
        e
        for e in ctx.store.list(ctx.account, "event", parent=sub["customer_id"])
        if lower <= parse_ts(e["timestamp"]) < upper
    ]
    usage: dict[str, MetricUsage] = {}
    for metric in ctx.store.list(ctx.account, "metric"):
        chosen = selected(metric, events)
        value, counted, _ = aggregate(metric["aggregation"], chosen)
        keys = dimensions.get(metric["id"])
        groups = grouped(metric["aggregation"], chosen, keys) if keys else ()
        if value is not None or counted:
            usage[metric["id"]] = MetricUsage(value or Decimal(0), counted, groups)
    return usage


def _with_expression_names(segment: Segment, names: dict[str, str]) -> Segment:
    """The segment's usage also under the names expressions read (`usage.<name>`)."""
    usage = dict(segment.usage)
    for item in segment.items:
        if not isinstance(item.price, ExpressionPrice):
            continue
        for charge in item.price.charges:
            for text in (charge.quantity_expression, charge.unit_price_expression):
                for name in referenced_metrics(text):
                    source = item.metrics[0] if len(item.metrics) == 1 else names.get(name)
                    if name not in usage and source is not None:
                        usage[name] = segment.usage.get(source, MetricUsage())
    return Segment(segment.items, usage, segment.label)


def _invoice(ctx: Ctx, sub: Doc, month: int, start: datetime, end: datetime) -> Doc | None:
    versions = ctx.store.list(ctx.account, "version", parent=sub["id"])
    products = {p["id"]: p for p in ctx.store.list(ctx.account, "product")}
    names = {m["name"]: m["id"] for m in ctx.store.list(ctx.account, "metric")}
    bounds = _boundaries(versions, start, end)
    segments: list[Segment] = []
    for lower, upper in pairwise(bounds):
        version = current_version(versions, lower)
        if version is None:
            continue
        items = invoice_items(version["items"], products)
        segment = Segment(
            items,
            _usage(ctx, sub, lower, upper, matrix_dimensions(items)),
            lower.date().isoformat(),
        )
        segments.append(_with_expression_names(segment, names))
    if not segments:
        return None
    computed = compute_invoice(segments, sub["currency"], month, subscription_terms(sub))
    now = ctx.now_ts()
    invoice: Doc = {
        "id": new_id("invoice"),
        "customer_id": sub["customer_id"],
        "subscription_id": sub["id"],
        "status": "draft",
        "currency": computed.currency,
        "description": f"{sub.get('name') or 'Subscription'}: {start.date()} to {end.date()}",
        "billing_period": f"{start.date()} - {end.date()}",
        "billing_period_start": format_ts(start),
        "billing_period_end": format_ts(end),
        "line_items": [
            {
                "id": new_id("line_item"),
                "description": line.description,
                "quantity": str(line.quantity),
                "unit_price": str(line.unit_price),
                "amount_excluding_tax": str(line.amount),
                "amount_including_tax": str(line.amount),
                "total_price": str(line.amount),
                "tax_amount": "0",
                "is_editable": False,
                "billing_period_start": format_ts(start),
                "billing_period_end": format_ts(end),
            }
            for line in computed.lines
        ],
        "subtotal": str(computed.subtotal),
        "tax": str(computed.tax),
        "total": str(computed.total),
        "amount_paid": str(0 * computed.total),
        "amount_remaining": str(computed.total),
        "invoicing_date": format_ts(end),
        "issue_date": None,
        "due_date": None,
        "paid_date": None,
        "created_at": now,
        "updated_at": now,
    }
    ctx.store.insert(ctx.account, "invoice", invoice, parent=sub["id"])
    if (sub.get("billing") or {}).get("auto_issue_invoices") is not False:
        invoice = issue(ctx, invoice, sub)
        collect(ctx, invoice, sub)
    return invoice
