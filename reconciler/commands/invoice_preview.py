"""`billing invoice preview`: the invoice the catalog produces for a subscription, a
billing cycle and a usage file, offline, with the engine the emulator's period close uses.

The usage file is the file `billing events send` sends (JSONL or CSV, docs/events.md):
its events for the customer (by key or alias) are deduplicated on `unique_id`, placed in
the cycle by `timestamp` (an event without one counts at the cycle's start; events outside
the cycle are ignored) and aggregated per catalog metric with the emulator's rules
(`alguna_pricing.aggregation`). A bad line is an `InvalidInputError` naming the file, the
line and the field; no API is opened.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from typing import Any

from alguna_pricing.aggregation import UnsupportedFilterError, aggregate, grouped, selected
from alguna_pricing.invoice import (
    Invoice,
    InvoiceItem,
    MetricUsage,
    Segment,
    Terms,
    compute_invoice,
    matrix_dimensions,
)
from reconciler.api.events import EventFileError, WireEvent, read_event_file
from reconciler.errors import BillingError, InvalidInputError
from reconciler.model import DesiredState, Item, Price, Subscription, Version
from reconciler.pricing.refs import (
    is_one_off,
    subscription_currency,
    subscription_versions,
    version_items,
)
from reconciler.source.diagnostics import Diagnostic

CODE = "invoice.usage"


class InvoicePreviewError(BillingError):
    """A preview that cannot be made: an unknown customer or subscription, an ambiguous one."""


@dataclass(frozen=True)
class InvoicePreview:
    """The preview: which subscription and cycle, and the engine's invoice."""

    subscription: str
    customer: str
    period: int
    start: dt.date
    end: dt.date
    invoice: Invoice


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, clamped to the month's end (as the emulator's cycles)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def choose_subscription(state: DesiredState, customer: str, key: str | None) -> str:
    """The subscription to preview: `key`, checked to be the customer's, else the customer's
    only activated subscription."""
    if customer not in state.customers:
        raise InvoicePreviewError(f"no customer `{customer}` is declared")
    if key is not None:
        sub = state.subscriptions.get(key)
        if sub is None or sub.customer != customer:
            raise InvoicePreviewError(f"customer `{customer}` has no subscription `{key}`")
        return key
    mine = sorted(k for k, s in state.subscriptions.items() if s.customer == customer)
    if len(mine) != 1:
        listed = ", ".join(mine) or "none"
        raise InvoicePreviewError(
            f"customer `{customer}` has {len(mine)} subscriptions ({listed}): pick one with"
            " --subscription"
        )
    return mine[0]


def _effective(sub: Subscription, version: Version | None) -> dt.date:
    if version is not None and isinstance(version.effective, dt.date):
        return version.effective
    return sub.contract.start_date  # a keyword effective: from the contract's start


def _in_force(sub: Subscription, moment: dt.date) -> Version | None:
    chosen: Version | None = None
    for _, version in subscription_versions(sub):
        if _effective(sub, version) <= moment:
            chosen = version
    return chosen


def _product_prices(state: DesiredState, items: Sequence[Item]) -> Iterator[tuple[str, Price]]:
    for item in items:
        if item.product is not None and item.price is not None:
            yield item.product, item.price
        elif item.bundle is not None:
            bundle = state.bundles.get(item.bundle)
            children = item.items if item.items is not None else (bundle.items if bundle else ())
            for child in children:
                yield child.product, child.price


def invoice_items(state: DesiredState, items: Sequence[Item]) -> tuple[InvoiceItem, ...]:
    """Items as the engine's, labelled with the product's name, usage by metric key."""
    out = []
    for key, price in _product_prices(state, items):
        product = state.products[key]
        metrics = price.metrics if price.metrics is not None else product.metrics
        out.append(InvoiceItem(product.name, price, tuple(metrics), is_one_off(state, key)))
    return tuple(out)


_FIELDS = ("unique_id", "customer", "event_name", "timestamp", "propert")


def problem_field(message: str) -> str | None:
    """The event field a problem of `read_event_file` is about (None: the whole line)."""
    if message.startswith("unknown field"):
        return message.split(" ", 3)[2].rstrip(";")
    for name in _FIELDS:
        if name in message:
            return "properties" if name == "propert" else name
    return None


def read_usage(path: Path, customer_names: set[str]) -> list[tuple[dt.datetime | None, WireEvent]]:
    """The customer's events of a usage file, deduplicated; every bad line reported at once."""
    problems: list[Diagnostic] = []
    events: dict[str, tuple[dt.datetime | None, WireEvent]] = {}
    try:
        for line in read_event_file(path):
            if line.event is None:
                message = str(line.problem)
                problems.append(
                    Diagnostic(
                        code=CODE,
                        message=message,
                        file=str(path),
                        line=line.line,
                        field=problem_field(message),
                    )
                )
                continue
            moment = None
            if "timestamp" in line.event:
                try:
                    moment = dt.datetime.fromisoformat(str(line.event["timestamp"]))
                    if moment.tzinfo is None:
                        raise ValueError("no timezone")
                except ValueError:
                    problems.append(
                        Diagnostic(
                            code=CODE,
                            message="timestamp must be RFC 3339 with a timezone",
                            file=str(path),
                            line=line.line,
                            field="timestamp",
                        )
                    )
                    continue
            if line.event["account"] in customer_names:
                events.setdefault(line.event["unique_id"], (moment, line.event))
    except (EventFileError, OSError, UnicodeDecodeError) as exc:
        problems.append(Diagnostic(code=CODE, message=str(exc), file=str(path)))
    if problems:
        raise InvalidInputError(problems, f"usage file {path}")
    return list(events.values())


def _usage(
    state: DesiredState,
    events: Sequence[tuple[dt.datetime | None, WireEvent]],
    lower: dt.datetime,
    upper: dt.datetime,
    first: bool,
    dimensions: Mapping[str, tuple[str, ...]],
) -> dict[str, MetricUsage]:
    inside = [
        e
        for moment, e in events
        if (moment is None and first) or (moment is not None and lower <= moment < upper)
    ]
    usage: dict[str, MetricUsage] = {}
    for key, metric in state.metrics.items():
        definition: Mapping[str, Any] = metric.model_dump(mode="json")
        try:
            chosen = selected(definition, inside)
            value, counted, _ = aggregate(definition["aggregation"], chosen)
        except UnsupportedFilterError as exc:
            raise InvoicePreviewError(f"metric `{key}`: {exc}") from None
        keys = dimensions.get(key)
        groups = grouped(definition["aggregation"], chosen, keys) if keys else ()
        usage[key] = MetricUsage(value if value is not None else Decimal(0), counted, groups)
    return usage


def _terms(state: DesiredState, sub: Subscription) -> Terms:
    plan = state.plans.get(sub.plan) if sub.plan else None
    return Terms(
        trial_days=sub.trial_days
        if sub.trial_days is not None
        else (plan.trial_days if plan else None),
        discount=sub.discount or (plan.discount if plan else None),
        minimum_spend=sub.minimum_spend or (plan.minimum_spend if plan else None),
        maximum_spend=sub.maximum_spend or (plan.maximum_spend if plan else None),
    )


def _moment(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def preview_invoice(
    state: DesiredState,
    customer: str,
    subscription: str | None = None,
    period: int = 0,
    usage_file: Path | None = None,
) -> InvoicePreview:
    """The invoice of billing cycle `period` (0: the first) of the customer's subscription,
    with the usage events of `usage_file` (none: no usage)."""
    key = choose_subscription(state, customer, subscription)
    names = {customer, *state.customers[customer].aliases}
    events = read_usage(usage_file, names) if usage_file is not None else []
    return subscription_invoice(state, key, period, events=events)


def subscription_invoice(
    state: DesiredState,
    key: str,
    period: int,
    *,
    events: Sequence[tuple[dt.datetime | None, WireEvent]] = (),
    usage: Mapping[str, MetricUsage] | None = None,
) -> InvoicePreview:
    """The invoice of cycle `period` of subscription `key`: usage aggregated from `events`
    (split at mid-cycle version changes), or given per metric (`usage`, for the whole cycle,
    priced by the version in force at its start)."""
    sub = state.subscriptions[key]
    anchor = (sub.billing.first_billing_date if sub.billing else None) or sub.contract.start_date
    start, end = add_months(anchor, period), add_months(anchor, period + 1)
    if usage is not None:
        bounds = [start, end]
    else:
        changes = {_effective(sub, v) for _, v in subscription_versions(sub)}
        bounds = [start, *sorted(c for c in changes if start < c < end), end]
    segments = []
    for index, (lower, upper) in enumerate(pairwise(bounds)):
        items = invoice_items(state, version_items(state, sub, _in_force(sub, lower)))
        if usage is not None:  # every metric not given is zero
            used = {key: usage.get(key, MetricUsage()) for key in {*state.metrics, *usage}}
        else:
            dimensions = matrix_dimensions(items)
            used = _usage(state, events, _moment(lower), _moment(upper), index == 0, dimensions)
        segments.append(Segment(items, used, lower.isoformat()))
    currency = subscription_currency(state, sub) or "USD"
    invoice = compute_invoice(segments, currency, period, _terms(state, sub))
    return InvoicePreview(key, sub.customer, period, start, end, invoice)
