"""Products: ``/products`` create, list, get, update, delete.

Owns the product shape and its rules: metered products need at least one metric, are always
billed in arrears and recurring; fixed products need a billing frequency; ``fee_type``,
``payment_terms``, ``billing_frequency`` and ``metric_ids`` cannot change after creation.
Must not know about prices (products are price-less in v2).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from fastapi import Query, Response
from pydantic import Field, model_validator

from ..errors import ApiError
from ..fields import FeeType, Frequency, Name, Ref, Strict, Text, TextOrEmpty
from ..ids import new_id
from ..routing import ListParamsDep, Page, api_router, csv_enum, csv_values, page, stored_page
from ..runtime import Ctx, CtxDep
from ..store import Doc
from .lookup import get_or_404, require_refs
from .patching import save_changes, sent_changes
from .subscription_state import current_version, status_of

router = api_router("products")

RevenueAllocation = Literal["straight_line", "usage_based", "contract_level_straight_line"]
DEFAULT_REVENUE_ALLOCATION: dict[str, RevenueAllocation] = {
    "fixed": "straight_line",
    "metered": "usage_based",
}
"""What a product answers when none was set (the SDK's ``ProductResponse`` requires one; the
value per fee type is assumed: docs/api-compatibility.md, "Required response fields")."""
IMMUTABLE = ("fee_type", "payment_terms", "billing_frequency", "metric_ids")


class ProductCreate(Strict):
    fee_type: FeeType
    name: Name
    payment_terms: Literal["advance", "arrears"]
    billing_frequency: Frequency | None = None
    description: Text | None = None
    metric_ids: Annotated[list[Ref], Field(max_length=50)] = Field(default_factory=list)
    revenue_allocation_method: RevenueAllocation | None = None
    sku: Name | None = None
    tag_ids: Annotated[list[Ref], Field(max_length=50)] = Field(default_factory=list)
    unit_label: Name = "unit"
    unit_label_plural: Name = "units"

    @model_validator(mode="after")
    def _rules(self) -> ProductCreate:
        if self.fee_type == "metered":
            if not self.metric_ids:
                raise ValueError("metric_ids needs at least one metric for a metered product")
            if self.payment_terms != "arrears":
                raise ValueError("metered products are always billed in arrears")
            if self.billing_frequency not in (None, "recurring"):
                raise ValueError("metered products are always recurring")
            self.billing_frequency = "recurring"
        elif self.billing_frequency is None:
            raise ValueError("billing_frequency is required for a fixed product")
        return self


class ProductUpdate(Strict):
    name: Name | None = None
    description: Text | None = None
    revenue_allocation_method: RevenueAllocation | None = None
    sku: Name | None = None
    tag_ids: Annotated[list[Ref], Field(max_length=50)] | None = None
    unit_label: Name | None = None
    unit_label_plural: Name | None = None

    @model_validator(mode="before")
    @classmethod
    def _immutable(cls, data: Any) -> Any:
        if isinstance(data, dict):
            sent = [key for key in IMMUTABLE if key in data]
            if sent:
                raise ValueError(
                    f"{', '.join(sent)} cannot be changed after a product is created "
                    "(create a new product instead)"
                )
        return data


class Product(ProductCreate):
    description: TextOrEmpty = ""  # the SDK's ProductResponse requires it: "" when unset
    revenue_allocation_method: RevenueAllocation  # required too: the fee type's default
    id: str
    created_at: str
    updated_at: str

    @model_validator(mode="before")
    @classmethod
    def _default_allocation(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("revenue_allocation_method") is None:
            default = DEFAULT_REVENUE_ALLOCATION.get(data.get("fee_type", ""))
            return {**data, "revenue_allocation_method": default}
        return data


@router.post("/products", status_code=201, response_model=Product)
async def create_product(body: ProductCreate, ctx: CtxDep) -> dict[str, Any]:
    with ctx.store.transaction():
        require_refs(ctx, "metric", body.metric_ids, "metric_ids")
        now = ctx.now_ts()
        doc = {"id": new_id("product"), **body.model_dump(mode="json")}
        doc.update(created_at=now, updated_at=now)
        return ctx.store.insert(ctx.account, "product", doc)


@router.get("/products", response_model=Page[Product])
async def list_products(
    ctx: CtxDep,
    params: ListParamsDep,
    fee_type: Annotated[str | None, Query(max_length=1000)] = None,
    metric_ids: Annotated[str | None, Query(max_length=1000)] = None,
    payment_terms: Annotated[str | None, Query(max_length=1000)] = None,
) -> dict[str, Any]:
    if (fee_type, metric_ids, payment_terms) == (None,) * 3:
        return stored_page(ctx.store, ctx.account, "product", params)
    docs = ctx.store.list(ctx.account, "product")
    if wanted := csv_enum(fee_type, "fee_type", get_args(FeeType)):
        docs = [d for d in docs if d["fee_type"] in wanted]
    if wanted := csv_enum(payment_terms, "payment_terms", ("advance", "arrears")):
        docs = [d for d in docs if d["payment_terms"] in wanted]
    if wanted := csv_values(metric_ids):
        docs = [d for d in docs if set(wanted) & set(d["metric_ids"])]
    return page(docs, params)


@router.get("/products/{product_id}", response_model=Product)
async def get_product(product_id: str, ctx: CtxDep) -> dict[str, Any]:
    return get_or_404(ctx, "product", product_id)


@router.patch("/products/{product_id}", response_model=Product)
async def update_product(product_id: str, body: ProductUpdate, ctx: CtxDep) -> dict[str, Any]:
    with ctx.store.transaction():
        doc = get_or_404(ctx, "product", product_id)
        changes = sent_changes(body, ("name", "unit_label", "unit_label_plural"))
        return save_changes(ctx, "product", doc, changes)


@router.delete("/products/{product_id}", status_code=204, response_class=Response)
async def delete_product(product_id: str, ctx: CtxDep) -> Response:
    """Delete a product (the SDK: a soft delete; here it is gone from reads). Refused (409)
    while the current version of an active subscription uses it."""
    with ctx.store.transaction():
        doc = get_or_404(ctx, "product", product_id)
        users = _active_subscriptions_using(ctx, doc["id"])
        if users:
            raise ApiError(
                409,
                f"product {product_id} is used on active subscription(s) "
                f"{', '.join(users)}; it cannot be deleted",
            )
        ctx.store.delete(ctx.account, "product", doc["id"])
    return Response(status_code=204)


def _active_subscriptions_using(ctx: Ctx, product_id: str) -> list[str]:
    now = ctx.clock.now()
    found = []
    for sub in ctx.store.list(ctx.account, "subscription"):
        if status_of(sub, now) != "active":
            continue
        version = current_version(ctx.store.list(ctx.account, "version", parent=sub["id"]), now)
        if version is not None and product_id in _product_ids(version["items"]):
            found.append(str(sub["id"]))
    return found


def _product_ids(items: list[Doc]) -> set[str]:
    ids = {str(i["product_id"]) for i in items if i.get("product_id")}
    return ids | {str(c["product_id"]) for i in items for c in i.get("items", [])}
