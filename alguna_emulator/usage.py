"""Usage aggregation: what a customer consumed of each metric in a period.

Alguna aggregates ingested events per billable metric to bill them, but its public docs
show no endpoint that returns usage, so the emulator exposes the aggregation as a control
API extension, ``GET /_emulator/usage`` (docs/api-compatibility.md, "Usage").

Owns the aggregation rules:
- the events counted are the account's events for the customer (id or alias) whose
  ``event_name`` is the metric's and whose ``timestamp`` is in ``[from, to)``; both default
  to the calendar month (UTC) of the emulator's now, or, when a ``subscription`` is named,
  to its billing cycle containing now (the customer is then the subscription's, and a
  different ``customer`` is a 400): usage so far in the period, to compare with a quantity
  entitlement;
- ``filter_groups`` must all match (assumed: groups are ANDed); within a group, filters
  combine with the group's ``and``/``or``; filter operators ``equal``, ``not_equal``,
  ``contains``, ``not_contains`` compare the property's text (``true``/``false`` for
  booleans); an absent property is not equal to and does not contain anything; another
  operator is a 422 naming the supported ones;
- ``count`` counts events; ``count_unique`` counts distinct values of ``field`` (events
  without it are skipped); ``sum``, ``average``, ``min``, ``max`` use the numeric values of
  ``field`` (numbers or numeric strings, exactly, as decimals; other values are skipped
  and counted in ``skipped``). No values: ``sum`` is ``"0"``, the others ``null``;
- values are decimal strings, as the API writes numbers (``average`` to 28 significant
  digits).
Must not change anything.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

import alguna_pricing.aggregation as shared

from .clock import format_ts, parse_ts
from .errors import ERROR_RESPONSES, ApiError
from .pipeline.gate import account_of, bearer_key
from .resources.lookup import resolve_customer
from .resources.subscription_state import add_months, cycle_bounds
from .runtime import Ctx, runtime_of
from .store import Doc

router = APIRouter(prefix="/_emulator", tags=["emulator usage"], responses=ERROR_RESPONSES)

OPERATORS = shared.OPERATORS


class Aggregation(BaseModel):
    method: str
    field: str | None = None


class MetricUsage(BaseModel):
    metric_id: str
    name: str
    event_name: str
    aggregation: Aggregation
    value: str | None
    events: int
    skipped: int


class UsageReport(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    customer_id: str
    from_: str = Field(alias="from")
    to: str
    data: list[MetricUsage]


def aggregate(metric: Doc, events: list[Doc]) -> tuple[str | None, int, int]:
    """(value, events counted, events skipped) of a metric over already-selected events,
    by the shared aggregation (`alguna_pricing.aggregation`); the value as a decimal string."""
    value, counted, skipped = shared.aggregate(metric["aggregation"], events)
    return (None if value is None else str(value)), counted, skipped


def matches(event: Doc, filter_groups: list[Doc]) -> bool:
    """Whether an event passes a metric's filters; 422 for an operator not supported."""
    try:
        return shared.matches(event, filter_groups)
    except shared.UnsupportedFilterError as exc:
        raise ApiError(422, str(exc)) from None


def _period(
    start: str | None, end: str | None, now: datetime, sub: Doc | None
) -> tuple[datetime, datetime]:
    if sub is None:
        month = datetime(now.year, now.month, 1, tzinfo=UTC)
        first, last = month, add_months(month, 1)
    else:
        first, last = cycle_bounds(sub, now)
    try:
        lower = parse_ts(start) if start else first
        upper = parse_ts(end) if end else last
    except ValueError as exc:
        raise ApiError(400, f"from/to: {exc}") from None
    if upper <= lower:
        raise ApiError(400, "to must be after from")
    return lower, upper


def _metrics(ctx: Ctx, metric: str | None) -> list[Doc]:
    metrics = ctx.store.list(ctx.account, "metric")
    if metric is None:
        return metrics
    chosen = [m for m in metrics if metric in (m["id"], m["name"])]
    if not chosen:
        raise ApiError(404, f"metric {metric} not found")
    return chosen[:1]


def _subscription(ctx: Ctx, subscription: str | None, customer: str | None) -> Doc | None:
    if subscription is None:
        return None
    sub = ctx.store.get(ctx.account, "subscription", subscription)
    if sub is None:
        raise ApiError(404, f"subscription {subscription} not found")
    named = None if customer is None else resolve_customer(ctx, customer)
    if customer is not None and (named is None or named["id"] != sub["customer_id"]):
        raise ApiError(400, f"subscription {subscription} is not customer {customer}'s")
    return sub


def usage_report(
    ctx: Ctx,
    customer: str | None,
    metric: str | None,
    start: str | None,
    end: str | None,
    subscription: str | None = None,
) -> dict[str, Any]:
    """The usage of one customer, per metric (one, by id or name, or all), in a period
    (by default the calendar month, or the named subscription's current billing cycle)."""
    sub = _subscription(ctx, subscription, customer)
    if sub is not None:
        customer = sub["customer_id"]
    if customer is None:
        raise ApiError(400, "name a customer (id or alias) or a subscription")
    found = resolve_customer(ctx, customer)
    if found is None:
        raise ApiError(404, f"customer {customer} not found")
    lower, upper = _period(start, end, ctx.clock.now(), sub)
    events = [
        event
        for event in ctx.store.list(ctx.account, "event", parent=found["id"])
        if lower <= parse_ts(event["timestamp"]) < upper
    ]
    data = []
    for chosen in _metrics(ctx, metric):
        selected = [
            event
            for event in events
            if event["event_name"] == chosen["event_name"]
            and matches(event, chosen.get("filter_groups") or [])
        ]
        value, counted, skipped = aggregate(chosen, selected)
        data.append(
            {
                "metric_id": chosen["id"],
                "name": chosen["name"],
                "event_name": chosen["event_name"],
                "aggregation": chosen["aggregation"],
                "value": value,
                "events": counted,
                "skipped": skipped,
            }
        )
    return {
        "customer_id": found["id"],
        "from": format_ts(lower),
        "to": format_ts(upper),
        "data": data,
    }


@router.get("/usage", response_model=UsageReport, response_model_by_alias=True)
async def usage(
    request: Request,
    customer: Annotated[
        str | None, Query(min_length=1, max_length=255, description="id or alias")
    ] = None,
    subscription: Annotated[
        str | None,
        Query(min_length=1, max_length=255, description="its current billing cycle"),
    ] = None,
    metric: Annotated[str | None, Query(max_length=255, description="id or name")] = None,
    start: Annotated[str | None, Query(alias="from", max_length=40)] = None,
    end: Annotated[str | None, Query(alias="to", max_length=40)] = None,
    api_key: Annotated[str | None, Query(description="if no bearer key is sent")] = None,
) -> dict[str, Any]:
    key = bearer_key(request.headers) or api_key
    if key is None:
        raise ApiError(400, "send a bearer API key or api_key: usage belongs to an account")
    ctx = Ctx(runtime_of(request), account_of(key))
    return usage_report(ctx, customer, metric, start, end, subscription)
