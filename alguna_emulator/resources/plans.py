"""Plans: ``/plans`` create, list, get, and (assumed) update.

Owns the plan shape: contract and renewal terms plus priced items, read back in full (the
documented response shows only id/name/description/currency/timestamps; returning items and
terms is an assumption recorded in docs/api-compatibility.md). A plan's currency is fixed at
creation. Must not touch subscriptions: they copy a plan's items when created.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query
from pydantic import Field, model_validator

from ..fields import Currency, Name, PeriodType, Ref, Strict, Text
from ..ids import new_id
from ..pricing import Discount, Spend
from ..routing import ListParamsDep, Page, SortParam, api_router, csv_values, page, sort_docs
from ..runtime import CtxDep
from .items import Items, item_documents
from .lookup import get_or_404
from .patching import save_changes, sent_changes
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


class PlanUpdate(PlanTerms):
    name: Name | None = None
    entitlements: Entitlements | None = None  # type: ignore[assignment]
    tags: Annotated[list[Ref], Field(max_length=50)] | None = None  # type: ignore[assignment]
    items: Items | None = None  # type: ignore[assignment]

    @model_validator(mode="before")
    @classmethod
    def _immutable(cls, data: Any) -> Any:
        if isinstance(data, dict) and "currency" in data:
            raise ValueError("currency cannot be changed after a plan is created")
        return data


class Plan(PlanCreate):
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
    docs = ctx.store.list(ctx.account, "plan")
    if wanted := csv_values(tag_ids):
        docs = [d for d in docs if set(wanted) & set(d.get("tags", []))]
    return page(sort_docs(docs, sort, _SORTABLE), params)


@router.get("/plans/{plan_id}", response_model=Plan)
async def get_plan(plan_id: str, ctx: CtxDep) -> dict[str, Any]:
    return get_or_404(ctx, "plan", plan_id)


@router.patch("/plans/{plan_id}", response_model=Plan)
async def update_plan(plan_id: str, body: PlanUpdate, ctx: CtxDep) -> dict[str, Any]:
    with ctx.store.transaction():
        doc = get_or_404(ctx, "plan", plan_id)
        changes = sent_changes(body, ("name", "items", "entitlements", "tags"))
        if body.items is not None:
            changes["items"] = item_documents(ctx, body.items, doc["currency"])
        return save_changes(ctx, "plan", doc, changes)
