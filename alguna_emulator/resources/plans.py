"""Plans: ``/plans`` create, list and get; nothing else (plans are write-once).

Owns the plan shape: a create takes contract and renewal terms plus priced items, which are
stored (subscriptions copy a plan's items and terms when created), but a read returns only
what the official SDK's ``PlanResponse`` defines: ``id, name, currency, description,
created_at, updated_at``. There is no update (the SDK has none; ``PATCH /plans/{id}`` is a
405 like any method a route lacks). Must not touch subscriptions.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query
from pydantic import BaseModel, Field

from ..fields import Currency, Name, PeriodType, Ref, Strict, Text
from ..ids import new_id
from ..pricing import Discount, Spend
from ..routing import (
    ListParamsDep,
    Page,
    SortParam,
    api_router,
    csv_values,
    page,
    sort_docs,
    store_order,
    stored_page,
)
from ..runtime import CtxDep
from .items import Items, item_documents
from .lookup import get_or_404
from .terms import Entitlements, InvoiceSettings, PriceEscalation

router = api_router("plans")

_SORTABLE = ("created_at", "updated_at", "name")
Months = Annotated[int, Field(ge=1, le=600)]


class PlanTerms(Strict):
    """Everything about a plan but its name and currency, all optional."""

    description: Text | None = None
    additional_terms: Text | None = None
    auto_activate: bool | None = None
    auto_renew: bool | None = None
    contract_duration: Months | None = None
    contract_period_type: PeriodType | None = None
    renewal_duration: Months | None = None
    renewal_period_type: PeriodType | None = None
    trial_period_days: Annotated[int, Field(ge=0, le=3650)] | None = None
    payment_terms: Name | None = None
    discount: Discount | None = None
    minimum_spend: Spend | None = None
    maximum_spend: Spend | None = None
    price_escalation: PriceEscalation | None = None
    entitlements: Entitlements = Field(default_factory=list)
    invoice_settings: InvoiceSettings | None = None
    tags: Annotated[list[Ref], Field(max_length=50)] = Field(default_factory=list)
    items: Items = Field(default_factory=list)


class PlanCreate(PlanTerms):
    name: Name
    currency: Currency


class Plan(BaseModel):
    """A plan as the API returns it (the SDK's ``PlanResponse``): no items, no terms."""

    id: str
    name: str
    currency: str
    description: str | None = None
    created_at: str
    updated_at: str


class StoredPlan(PlanCreate):
    """A plan as stored: everything it was created with (what subscriptions copy)."""

    id: str
    created_at: str
    updated_at: str


@router.post("/plans", status_code=201, response_model=Plan)
async def create_plan(body: PlanCreate, ctx: CtxDep) -> dict[str, Any]:
    with ctx.store.transaction():
        doc = body.model_dump(mode="json")
        doc["items"] = item_documents(ctx, body.items, body.currency)
        now = ctx.now_ts()
        doc.update(id=new_id("plan"), created_at=now, updated_at=now)
        return ctx.store.insert(ctx.account, "plan", doc)


@router.get("/plans", response_model=Page[Plan])
async def list_plans(
    ctx: CtxDep,
    params: ListParamsDep,
    sort: SortParam = None,
    tag_ids: Annotated[str | None, Query(max_length=1000)] = None,
) -> dict[str, Any]:
    stored, order = store_order(sort, _SORTABLE)
    if stored and tag_ids is None:
        return stored_page(ctx.store, ctx.account, "plan", params, order)
    docs = ctx.store.list(ctx.account, "plan")
    if wanted := csv_values(tag_ids):
        docs = [d for d in docs if set(wanted) & set(d.get("tags", []))]
    return page(sort_docs(docs, sort, _SORTABLE), params)


@router.get("/plans/{plan_id}", response_model=Plan)
async def get_plan(plan_id: str, ctx: CtxDep) -> dict[str, Any]:
    return get_or_404(ctx, "plan", plan_id)
