"""Credit checks and draws (``/credits/check``, ``/credits/track``) and a subscription's
credit grants and balance (``/subscriptions/{id}/credits/grant|balance``), in the SDK's shapes.

Owns how usage is priced in credit (docs/api-compatibility.md, "Credits"): a metric is
credit-consuming for a customer when a ``unit`` price of the current published version of
one of the customer's active subscriptions counts it; its rate is that price's
``price_per_unit``. An event feeds the credit-consuming metrics whose ``event_name`` it
carries and whose filters it passes; a metric's quantity is the count of those events
(``count``) or the sum of their field (``sum``); other aggregations are not priced (422). A
track draws the priced amount from the customer's monetary ledger all or nothing
(credit_ledger) and, when drawn, stores its events as usage (deduplicated on ``unique_id``,
so a resent batch draws once); short credit answers 200 with ``allowed: false`` and records
nothing. Reservations (holds) are not emulated: ``reserve`` and ``reservation_id`` are a 422.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import Query
from pydantic import BaseModel, Field

from ..errors import ApiError
from ..fields import Money, Name, Ref, Strict, Timestamp
from ..routing import api_router
from ..runtime import Ctx, CtxDep
from ..store import Doc
from ..usage import matches
from .credit_ledger import (
    MONETARY,
    Need,
    add_grant,
    amount_text,
    as_of,
    available,
    balance_entry,
    draw,
    ledger_id,
)
from .events import Properties
from .lookup import get_or_404, resolve_customer
from .subscription_state import current_version, status_of

router = api_router("credits")

CreditType = Literal["monetary", "units"]
_PRICED = ("count", "sum")


class CreditEvent(Strict):
    """The SDK's ``TrackCreditEvent``."""

    event_name: Name
    unique_id: Annotated[str, Field(min_length=1, max_length=255)]
    properties: Properties = Field(default_factory=dict)
    timestamp: Timestamp | None = None


Events = Annotated[list[CreditEvent], Field(max_length=100)]


class CheckRequest(Strict):
    account: Ref
    event_name: Name | None = None
    events: Events | None = None
    properties: Properties | None = None
    reserve: dict[str, Any] | None = None
    ttl_seconds: Annotated[int, Field(ge=1, le=14_400)] | None = None


class TrackRequest(Strict):
    events: Events
    account: Ref | None = None
    close: bool | None = None
    on_envelope_exceeded: Literal["reject", "record"] | None = None
    reservation_id: Ref | None = None


class GrantRequest(Strict):
    amount: Money
    reason: Annotated[str, Field(min_length=1, max_length=1000)]
    credit_type: CreditType | None = None
    expires_at: Timestamp | None = None


class Scope(BaseModel):
    level: Literal["account"]
    subscription_id: str | None = None
    filters: dict[str, Any] | None = None


class CreditBalance(BaseModel):
    available: str
    credit_type: CreditType
    filtered: bool
    ledger_id: str | None = None
    metric_ids: list[str]
    scope: Scope | None = None


class CreditCharge(BaseModel):
    covered: str
    credits: str
    ledger_id: str
    metric_id: str
    overflow: str
    quantity: str
    uncovered_quantity: str


class CreditTotals(BaseModel):
    covered: str
    overflow: str
    uncovered_metric_quantity: str
    used: str


class CheckResponse(BaseModel):
    """The SDK's ``CheckCreditsResponse``."""

    allowed: bool
    at_zero_action: str
    balances: list[CreditBalance]
    charges: list[CreditCharge]
    expires_at: str | None = None
    reservation_id: str
    totals: CreditTotals


class TrackResponse(BaseModel):
    """The SDK's ``TrackCreditsResponse``."""

    allowed: bool
    at_zero_action: str | None = None
    balances: list[CreditBalance]
    charges: list[CreditCharge]
    events_accepted: int
    events_priced: int
    reservation_id: str
    reservation_open: bool
    reservation_remaining: str
    totals: CreditTotals


class GrantResponse(BaseModel):
    """The SDK's ``CreditGrantResponse``."""

    id: str
    amount: str
    customer_id: str
    subscription_id: str | None = None
    grant_type: str
    reason: str | None = None
    expires_at: str | None = None
    created_at: str


class SubscriptionBalance(BaseModel):
    """The SDK's ``SubscriptionCreditBalanceResponse``."""

    as_of: str
    balance: str
    credit_type: CreditType
    currency: str
    subscription_id: str


@dataclass(frozen=True)
class Rate:
    """A credit-consuming metric of a customer: its rate and the product it prices."""

    metric: Doc
    price_per_unit: Decimal
    product_id: str


def _unit_prices(items: list[Doc]) -> list[tuple[str, Doc]]:
    """(product id, price) of every unit price in an item set, bundles included."""
    found = []
    for item in items:
        for child in item.get("items") or [item]:
            price = child.get("price") or {}
            if price.get("type") == "unit":
                found.append((child["product_id"], price))
    return found


def credit_rates(ctx: Ctx, customer_id: str) -> dict[str, Rate]:
    """The customer's credit-consuming metrics by id (the first price found wins)."""
    now = ctx.clock.now()
    metrics = {m["id"]: m for m in ctx.store.list(ctx.account, "metric")}
    rates: dict[str, Rate] = {}
    for sub in ctx.store.list(ctx.account, "subscription"):
        if sub["customer_id"] != customer_id or status_of(sub, now) != "active":
            continue
        version = current_version(ctx.store.list(ctx.account, "version", parent=sub["id"]), now)
        for product_id, price in _unit_prices((version or {}).get("items") or []):
            rate = Decimal(price["unit_pricing_model"]["price_per_unit"])
            for metric_id in price.get("metric_ids") or []:
                if metric_id in metrics and metric_id not in rates:
                    rates[metric_id] = Rate(metrics[metric_id], rate, product_id)
    return rates


def _fed(event: Doc, rates: dict[str, Rate]) -> list[str]:
    return [
        metric_id
        for metric_id, rate in rates.items()
        if rate.metric["event_name"] == event["event_name"]
        and matches(event, rate.metric.get("filter_groups") or [])
    ]


def _quantity(rate: Rate, events: list[Doc]) -> Decimal:
    aggregation = rate.metric["aggregation"]
    if aggregation["method"] not in _PRICED:
        raise ApiError(
            422,
            f"metric {rate.metric['name']!r} aggregates by {aggregation['method']}: the "
            f"emulator prices credit only for {' and '.join(_PRICED)} metrics",
        )
    if aggregation["method"] == "count":
        return Decimal(len(events))
    total = Decimal(0)
    for event in events:
        value = (event.get("properties") or {}).get(aggregation.get("field") or "")
        if isinstance(value, int | float | str) and not isinstance(value, bool):
            try:
                total += Decimal(str(value))
            except ArithmeticError:
                continue
    return total


@dataclass(frozen=True)
class Priced:
    metric_id: str
    quantity: Decimal
    credits: Decimal
    product_id: str


def price_events(events: list[Doc], rates: dict[str, Rate]) -> tuple[list[Priced], int]:
    """Each fed metric's quantity and credits, and how many events were priced; 422 for an
    event that feeds no credit-consuming metric."""
    fed: dict[str, list[Doc]] = {}
    for event in events:
        metric_ids = _fed(event, rates)
        if not metric_ids:
            raise ApiError(
                422,
                f"event {event['unique_id']} ({event['event_name']}) feeds no credit-consuming "
                "metric of this customer: send it to POST /events",
            )
        for metric_id in metric_ids:
            fed.setdefault(metric_id, []).append(event)
    priced = []
    for metric_id, selected in fed.items():
        rate = rates[metric_id]
        quantity = _quantity(rate, selected)
        priced.append(Priced(metric_id, quantity, quantity * rate.price_per_unit, rate.product_id))
    return priced, len(events)


def _charge(item: Priced, covered: bool, ledger: str) -> Doc:
    credits = amount_text(item.credits)
    return {
        "covered": credits if covered else "0",
        "credits": credits,
        "ledger_id": ledger if covered and item.credits else "",
        "metric_id": item.metric_id,
        "overflow": "0" if covered else credits,
        "quantity": amount_text(item.quantity),
        "uncovered_quantity": "0" if covered else amount_text(item.quantity),
    }


def _totals(charges: list[Doc]) -> Doc:
    def total(field: str) -> str:
        return amount_text(sum((Decimal(c[field]) for c in charges), Decimal(0)))

    return {
        "covered": total("covered"),
        "overflow": total("overflow"),
        "uncovered_metric_quantity": total("uncovered_quantity"),
        "used": total("credits"),
    }


def _customer(ctx: Ctx, account: str) -> Doc:
    customer = resolve_customer(ctx, account)
    if customer is None:
        raise ApiError(422, f"account: customer {account} does not exist")
    return customer


def _events(events: list[CreditEvent], ctx: Ctx) -> list[Doc]:
    return [{**e.model_dump(mode="json"), "timestamp": e.timestamp or ctx.now_ts()} for e in events]


@router.post("/credits/check", response_model=CheckResponse)
async def check_credits(body: CheckRequest, ctx: CtxDep) -> dict[str, Any]:
    if body.reserve is not None or body.ttl_seconds is not None:
        raise ApiError(422, "reserve: credit reservations (holds) are not emulated")
    customer = _customer(ctx, body.account)
    rates = credit_rates(ctx, customer["id"])
    sample = _events(body.events or [], ctx)
    if not sample and body.event_name is None:
        raise ApiError(422, "send events (a sample of the work) or event_name")
    if not sample:
        fed = [m for m, rate in rates.items() if rate.metric["event_name"] == body.event_name]
        if not fed:
            raise ApiError(422, f"event_name {body.event_name} feeds no credit-consuming metric")
        priced = [Priced(m, Decimal(0), Decimal(0), rates[m].product_id) for m in fed]
    else:
        priced, _ = price_events(sample, rates)
    charges = [_charge(item, False, "") for item in priced]
    used = sum((item.credits for item in priced), Decimal(0))
    return {
        "allowed": available(ctx, customer["id"]) >= used,
        "at_zero_action": "stop",
        "balances": [balance_entry(ctx, customer["id"], [p.metric_id for p in priced])],
        "charges": charges,
        "expires_at": None,
        "reservation_id": "",
        "totals": _totals(charges),
    }


@router.post("/credits/track", response_model=TrackResponse)
async def track_credits(body: TrackRequest, ctx: CtxDep) -> dict[str, Any]:
    if body.reservation_id is not None:
        raise ApiError(422, "reservation_id: credit reservations (holds) are not emulated")
    if body.account is None:
        raise ApiError(422, "account is required (direct draw)")
    if body.close is not None or body.on_envelope_exceeded is not None:
        raise ApiError(422, "close and on_envelope_exceeded apply only to a reservation")
    with ctx.store.transaction():
        customer = _customer(ctx, body.account)
        unique = {e["unique_id"]: e for e in _events(body.events, ctx)}
        fresh = [e for key, e in unique.items() if not ctx.store.exists(ctx.account, "event", key)]
        priced, count = price_events(fresh, credit_rates(ctx, customer["id"]))
        needs = [Need(item.credits, item.product_id) for item in priced if item.credits]
        allowed = draw(ctx, customer["id"], needs)
        if allowed:
            for event in fresh:
                stored = {
                    **event,
                    "id": event["unique_id"],
                    "account": body.account,
                    "customer_id": customer["id"],
                    "received_at": ctx.now_ts(),
                }
                ctx.store.insert(ctx.account, "event", stored, parent=customer["id"])
        charges = [_charge(item, allowed, ledger_id(customer["id"])) for item in priced]
        return {
            "allowed": allowed,
            "at_zero_action": None,
            "balances": [balance_entry(ctx, customer["id"], [p.metric_id for p in priced])],
            "charges": charges,
            "events_accepted": len(fresh) if allowed else 0,
            "events_priced": count if allowed else 0,
            "reservation_id": "",
            "reservation_open": False,
            "reservation_remaining": "0",
            "totals": _totals(charges),
        }


@router.post("/subscriptions/{subscription_id}/credits/grant", response_model=GrantResponse)
async def grant_credits(subscription_id: str, body: GrantRequest, ctx: CtxDep) -> Doc:
    with ctx.store.transaction():
        sub = get_or_404(ctx, "subscription", subscription_id)
        if status_of(sub, ctx.clock.now()) in ("canceled", "completed"):
            raise ApiError(409, f"subscription {subscription_id} has ended")
        if body.expires_at is not None and body.expires_at <= ctx.now_ts():
            raise ApiError(422, "expires_at must be in the future")
        return add_grant(
            ctx,
            customer_id=sub["customer_id"],
            amount=Decimal(body.amount),
            reason=body.reason,
            credit_type=body.credit_type or MONETARY,
            subscription_id=sub["id"],
            expires_at=body.expires_at,
        )


@router.get("/subscriptions/{subscription_id}/credits/balance", response_model=SubscriptionBalance)
async def credit_balance(
    subscription_id: str,
    ctx: CtxDep,
    as_of_param: Annotated[str | None, Query(alias="as_of", max_length=40)] = None,
) -> dict[str, Any]:
    sub = get_or_404(ctx, "subscription", subscription_id)
    try:
        moment = as_of(as_of_param, ctx)
    except ValueError as exc:
        raise ApiError(400, f"as_of: {exc}") from None
    return {
        "as_of": moment,
        "balance": amount_text(available(ctx, sub["customer_id"], at=moment)),
        "credit_type": MONETARY,
        "currency": sub["currency"],
        "subscription_id": sub["id"],
    }
