"""Subscriptions: create (three patterns), list, get, update, activate, cancel.

Owns the subscription's own fields and lifecycle. Creation copies plan items, applies
overrides (an item for the same product or bundle replaces the plan's, others append) and
writes the first version (a draft, published on activation). PATCH changes metadata-level
fields only (metadata merges; ``null`` deletes a key). Activation, PATCH and cancellation emit
their webhook events (webhooks.events). Must not edit versions after creation except
publishing drafts on activation: the versions and changes resources own that.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from fastapi import Query, Response
from pydantic import BaseModel, BeforeValidator, Field, model_validator

from ..clock import format_ts
from ..errors import ApiError
from ..fields import (
    Currency,
    FlagOrFalse,
    Name,
    PeriodType,
    Ref,
    Strict,
    Text,
    TextOrEmpty,
    Timestamp,
)
from ..ids import new_id
from ..pricing import Discount, Spend
from ..routing import (
    ListParamsDep,
    Page,
    SortParam,
    api_router,
    csv_enum,
    csv_values,
    page,
    sort_docs,
    store_order,
    stored_page,
)
from ..runtime import Ctx, CtxDep
from ..store import Doc
from ..webhooks.events import emit_cancellation, emit_subscription
from .items import Items, in_currency, item_documents, merge_items
from .lookup import get_or_404, resolve_customer
from .patching import save_changes, sent_changes
from .subscription_state import contract_end, resolve_effective, status_of, view
from .terms import PriceEscalation
from .versions import new_version, publish

router = api_router("subscriptions")

Status = Literal["draft", "scheduled", "active", "paused", "canceled", "completed"]
Reason = Literal[
    "no_longer_required", "moving_provider", "pricing", "support", "features", "upgraded", "other"
]
Months = Annotated[int, Field(ge=1, le=600)]
Metadata = Annotated[dict[Annotated[str, Field(max_length=255)], str], Field(max_length=50)]
_SORTABLE = ("created_at", "updated_at", "activated_at", "name")


CollectionMethod = Literal["manual", "autopay", "external"]


class Billing(Strict):
    auto_issue_invoices: bool | None = None
    auto_pay_invoices: bool | None = None
    first_billing_date: Timestamp | None = None
    payment_collection_method: CollectionMethod | None = None
    payment_terms: Name | None = None

    @model_validator(mode="after")
    def _collection(self) -> Billing:
        _check_collection(self.model_dump())
        return self


def _check_collection(billing: Doc) -> None:
    """The SDK's ``BillingInput``: "manual ... only allowed while auto_pay_invoices is
    false"."""
    if billing.get("payment_collection_method") == "manual" and billing.get("auto_pay_invoices"):
        raise ValueError(
            "billing.payment_collection_method 'manual' is only allowed while "
            "auto_pay_invoices is false"
        )


class BillingOut(BaseModel):
    """The SDK's ``BillingResponse``: the flags are always there (false when never set), and
    the collection method, when never set, follows ``auto_pay_invoices`` (``autopay`` when
    true, else ``manual``: the SDK's stated default)."""

    auto_issue_invoices: FlagOrFalse = False
    auto_pay_invoices: FlagOrFalse = False
    first_billing_date: str | None = None
    payment_collection_method: CollectionMethod
    payment_terms: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _default_collection(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("payment_collection_method") is None:
            method = "autopay" if data.get("auto_pay_invoices") else "manual"
            return {**data, "payment_collection_method": method}
        return data


class ContractIn(Strict):
    period_type: PeriodType | None = None
    duration_months: Months | None = None
    start_date: Timestamp | None = None


class Contract(BaseModel):
    # The SDK's ContractResponse requires it; a contract stored without one (an older
    # database, an out-of-band edit) is rolling, which is what its null meant.
    period_type: Annotated[
        PeriodType, BeforeValidator(lambda v: "monthly_rolling" if v is None else v)
    ] = "monthly_rolling"
    duration_months: int | None = None
    start_date: str
    end_date: str | None = None


class Renewal(Strict):
    auto_renew: bool | None = None
    duration_months: Months | None = None
    period_type: PeriodType | None = None


class RenewalOut(BaseModel):
    """The SDK's ``RenewalResponse``: ``auto_renew`` is always there, false when never set
    (the emulator's subscriptions then end with their contract)."""

    auto_renew: FlagOrFalse = False
    duration_months: int | None = None
    period_type: PeriodType | None = None


class SubscriptionCreate(Strict):
    """The SDK's `subscriptions.create` body: description, trial, discount, spend limits,
    price escalation and tags are not create fields (they are set with PATCH)."""

    customer_id: Ref
    name: Name | None = None
    currency: Currency | None = None
    plan_id: Ref | None = None
    items: Items = Field(default_factory=list)
    auto_activate: bool | None = None
    billing: Billing | None = None
    contract: ContractIn | None = None
    renewal: Renewal | None = None
    metadata: Metadata = Field(default_factory=dict)


_NOT_PATCHABLE = {
    "items": "change items with a new version or the Changes API",
    "plan_id": "switch plans with the Changes API",
    "contract": "contract terms are fixed at creation",
    "customer_id": "a subscription cannot move to another customer",
    "currency": "currency is fixed at creation",
    "status": "use /activate or /cancel",
    "auto_activate": "use /activate",
}


class SubscriptionUpdate(Strict):
    name: Name | None = None
    description: Text | None = None
    trial_period_days: Annotated[int, Field(ge=0, le=3650)] | None = None
    billing: Billing | None = None
    renewal: Renewal | None = None
    discount: Discount | None = None
    minimum_spend: Spend | None = None
    maximum_spend: Spend | None = None
    price_escalation: PriceEscalation | None = None
    tag_ids: Annotated[list[Ref], Field(max_length=50)] | None = None
    metadata: dict[Annotated[str, Field(max_length=255)], str | None] | None = None

    @model_validator(mode="before")
    @classmethod
    def _immutable(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key, why in _NOT_PATCHABLE.items():
                if key in data:
                    raise ValueError(f"{key} cannot be changed with PATCH: {why}")
        return data

    @model_validator(mode="after")
    def _percentage_only(self) -> SubscriptionUpdate:
        if self.discount is not None and self.discount.type != "percentage":
            raise ValueError("a subscription-level discount must be of type 'percentage'")
        return self


class Cancel(Strict):
    reason: Reason
    effective: Annotated[str, Field(min_length=1, max_length=40)] = "immediate"
    reason_description: Text | None = None


class PendingChange(BaseModel):
    version_id: str
    status: Literal["draft", "published"]
    description: str | None = None
    effective_at: str


class Cancellation(BaseModel):
    reason: Reason
    reason_description: str | None = None
    effective_at: str


class Subscription(BaseModel):
    id: str
    customer_id: str
    name: TextOrEmpty = ""  # the SDK's SubscriptionResponse requires it: "" when unnamed
    description: str | None = None
    currency: str
    status: Status
    plan_id: str | None = None
    metadata: dict[str, str]
    billing: BillingOut
    contract: Contract
    renewal: RenewalOut
    current_version_id: str | None = None
    pending_changes: list[PendingChange]
    discount: Discount | None = None
    minimum_spend: Spend | None = None
    maximum_spend: Spend | None = None
    price_escalation: PriceEscalation | None = None
    trial_period_days: int | None = None
    tag_ids: list[str]
    activated_at: str | None = None
    canceled_at: str | None = None
    cancellation: Cancellation | None = None
    created_at: str
    updated_at: str


def _with_defaults(section: Doc, defaults: dict[str, Any]) -> Doc:
    """The section with its unset (null) fields taken from ``defaults``."""
    return {**section, **{k: v for k, v in defaults.items() if section.get(k) is None}}


def _plan_terms(plan: Doc) -> dict[str, Any]:
    """Subscription-level fields a plan provides defaults for."""
    keys = ("trial_period_days", "discount", "minimum_spend", "maximum_spend", "price_escalation")
    return {key: plan.get(key) for key in keys}


def _sections(body: SubscriptionCreate, plan: Doc, now_ts: str) -> dict[str, Any]:
    """Contract, renewal and billing: what was sent, else the plan's terms, else defaults."""
    contract = _with_defaults(
        (body.contract or ContractIn()).model_dump(mode="json"),
        {
            "start_date": now_ts[:10] + "T00:00:00Z",
            # The SDK's ContractResponse requires a period type; without one from the body
            # or the plan, a contract is rolling (no end: what a null meant before).
            "period_type": plan.get("contract_period_type") or "monthly_rolling",
            "duration_months": plan.get("contract_duration"),
        },
    )
    contract["end_date"] = contract_end(contract)
    renewal = _with_defaults(
        (body.renewal or Renewal()).model_dump(mode="json"),
        {
            "auto_renew": plan.get("auto_renew"),
            "duration_months": plan.get("renewal_duration"),
            "period_type": plan.get("renewal_period_type"),
        },
    )
    billing = _with_defaults(
        (body.billing or Billing()).model_dump(mode="json"),
        {"payment_terms": plan.get("payment_terms")},
    )
    return {"contract": contract, "renewal": renewal, "billing": billing}


def activate_now(ctx: Ctx, sub: Doc) -> Doc:
    """Mark activated and publish every draft version (activation is what makes them live)."""
    sub["activated_at"] = ctx.now_ts()
    sub["updated_at"] = sub["activated_at"]
    for version in ctx.store.list(ctx.account, "version", parent=sub["id"]):
        if version["status"] == "draft":
            publish(ctx, version)
    sub = ctx.store.replace(ctx.account, "subscription", sub)
    emit_subscription(ctx, "subscription.activated", sub)
    return sub


@router.post("/subscriptions", status_code=201, response_model=Subscription)
async def create_subscription(body: SubscriptionCreate, ctx: CtxDep) -> dict[str, Any]:
    with ctx.store.transaction():
        customer = resolve_customer(ctx, body.customer_id)
        if customer is None:
            raise ApiError(422, f"customer_id: customer {body.customer_id} does not exist")
        plan = None
        if body.plan_id is not None:
            plan = ctx.store.get(ctx.account, "plan", body.plan_id)
            if plan is None:
                raise ApiError(422, f"plan_id: plan {body.plan_id} does not exist")
        elif body.currency is None:
            raise ApiError(422, "currency is required when plan_id is not given")
        currency = body.currency or customer["currency"]
        if currency != customer["currency"]:
            raise ApiError(
                422, f"currency {currency} differs from the customer's {customer['currency']}"
            )
        base = in_currency(plan["items"], currency) if plan else []
        items = merge_items(base, item_documents(ctx, body.items, currency))
        if not items:
            raise ApiError(422, "a subscription needs at least one item (from plan_id or items)")
        now = ctx.now_ts()
        doc = _with_defaults(
            body.model_dump(mode="json", exclude={"items", "auto_activate"}),
            _plan_terms(plan or {}),
        )
        doc.update(_sections(body, plan or {}, now))
        doc.update(
            id=new_id("subscription"),
            customer_id=customer["id"],
            currency=currency,
            plan_id=body.plan_id,
            metadata=body.metadata,
            description=None,
            tag_ids=[],
            activated_at=None,
            canceled_at=None,
            cancellation=None,
            created_at=now,
            updated_at=now,
        )
        sub = ctx.store.insert(ctx.account, "subscription", doc)
        new_version(
            ctx,
            sub["id"],
            items=items,
            effective_at=sub["contract"]["start_date"],
            description=None,
            entitlements=(plan or {}).get("entitlements", []),
        )
        auto = (
            body.auto_activate
            if body.auto_activate is not None
            else (plan or {}).get("auto_activate")
        )
        if auto:
            sub = activate_now(ctx, sub)
        return view(ctx.store, ctx.account, sub, ctx.clock.now())


@router.get("/subscriptions", response_model=Page[Subscription])
async def list_subscriptions(
    ctx: CtxDep,
    params: ListParamsDep,
    sort: SortParam = None,
    customer_id: Annotated[str | None, Query(max_length=1000)] = None,
    status: Annotated[str | None, Query(max_length=1000)] = None,
    tag_ids: Annotated[str | None, Query(max_length=1000)] = None,
) -> dict[str, Any]:
    now = ctx.clock.now()
    stored, order = store_order(sort, _SORTABLE)
    if stored and (customer_id, status, tag_ids) == (None,) * 3:
        listing = stored_page(ctx.store, ctx.account, "subscription", params, order)
        listing["data"] = [view(ctx.store, ctx.account, d, now) for d in listing["data"]]
        return listing
    docs = ctx.store.list(ctx.account, "subscription")
    if wanted := csv_values(customer_id):
        ids = {c["id"] for ref in wanted if (c := resolve_customer(ctx, ref)) is not None}
        docs = [d for d in docs if d["customer_id"] in ids]
    if wanted := csv_enum(status, "status", get_args(Status)):
        docs = [d for d in docs if status_of(d, now) in wanted]
    if wanted := csv_values(tag_ids):
        docs = [d for d in docs if set(wanted) & set(d.get("tag_ids", []))]
    listing = page(sort_docs(docs, sort, _SORTABLE), params)
    listing["data"] = [view(ctx.store, ctx.account, d, now) for d in listing["data"]]
    return listing


@router.get("/subscriptions/{subscription_id}", response_model=Subscription)
async def get_subscription(subscription_id: str, ctx: CtxDep) -> dict[str, Any]:
    sub = get_or_404(ctx, "subscription", subscription_id)
    return view(ctx.store, ctx.account, sub, ctx.clock.now())


@router.patch("/subscriptions/{subscription_id}", response_model=Subscription)
async def update_subscription(
    subscription_id: str, body: SubscriptionUpdate, ctx: CtxDep
) -> dict[str, Any]:
    with ctx.store.transaction():
        sub = get_or_404(ctx, "subscription", subscription_id)
        changes = sent_changes(body, ("tag_ids",))
        if "metadata" in changes:
            merged = {**sub["metadata"], **(changes.pop("metadata") or {})}
            sub["metadata"] = {k: v for k, v in merged.items() if v is not None}
        for section in ("billing", "renewal"):
            if section in changes:
                patch = body.model_dump(mode="json", exclude_unset=True)[section] or {}
                sub[section] = {**sub[section], **patch}
                changes.pop(section)
        try:
            _check_collection(sub["billing"])
        except ValueError as error:
            raise ApiError(422, str(error)) from None
        save_changes(ctx, "subscription", sub, changes)
        emit_subscription(ctx, "subscription.updated", sub)
        return view(ctx.store, ctx.account, sub, ctx.clock.now())


@router.delete("/subscriptions/{subscription_id}", status_code=204, response_class=Response)
async def delete_subscription(subscription_id: str, ctx: CtxDep) -> Response:
    """Delete a draft subscription and its versions; an activated one is 409 (cancel it)."""
    with ctx.store.transaction():
        sub = get_or_404(ctx, "subscription", subscription_id)
        if status_of(sub, ctx.clock.now()) != "draft":
            raise ApiError(
                409,
                f"subscription {subscription_id} is not a draft; only drafts can be "
                "deleted (cancel it instead)",
            )
        for version in ctx.store.list(ctx.account, "version", parent=sub["id"]):
            ctx.store.delete(ctx.account, "version", version["id"])
        ctx.store.delete(ctx.account, "subscription", sub["id"])
    return Response(status_code=204)


@router.post("/subscriptions/{subscription_id}/activate", response_model=Subscription)
async def activate_subscription(subscription_id: str, ctx: CtxDep) -> dict[str, Any]:
    with ctx.store.transaction():
        sub = get_or_404(ctx, "subscription", subscription_id)
        if sub.get("cancellation"):
            raise ApiError(409, f"subscription {subscription_id} is canceled and cannot activate")
        if not sub.get("activated_at"):
            sub = activate_now(ctx, sub)
        return view(ctx.store, ctx.account, sub, ctx.clock.now())


@router.post("/subscriptions/{subscription_id}/cancel", response_model=Subscription)
async def cancel_subscription(subscription_id: str, body: Cancel, ctx: CtxDep) -> dict[str, Any]:
    with ctx.store.transaction():
        sub = get_or_404(ctx, "subscription", subscription_id)
        if sub.get("cancellation"):
            raise ApiError(409, f"subscription {subscription_id} is already canceled")
        now = ctx.clock.now()
        effective = resolve_effective(sub, body.effective, now)
        if sub.get("activated_at") is None:
            effective = now  # a draft never started, so there is no term to wait for
        if effective.date() < now.date():
            raise ApiError(422, f"effective date {format_ts(effective)} is in the past")
        effective = max(effective, now)
        sub["cancellation"] = {
            "reason": body.reason,
            "reason_description": body.reason_description,
            "effective_at": format_ts(effective),
        }
        sub["canceled_at"] = format_ts(effective)
        sub["updated_at"] = format_ts(now)
        ctx.store.replace(ctx.account, "subscription", sub)
        emit_cancellation(ctx, sub, effective)
        return view(ctx.store, ctx.account, sub, now)
