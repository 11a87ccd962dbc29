"""Product bundles: ``/bundles`` create, list, get (assumed), update.

Owns the bundle shape: a name and a set of prices, each for one product. Supplying ``prices``
on update replaces the whole set; a price for a product that was already in the set keeps
its id and ``created_at`` (and ``updated_at`` when unchanged), which is an assumption.
Responses embed the (current) product in every price. Must not know plans or subscriptions,
which carry their own copies of bundle items.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field

from ..errors import ApiError
from ..fields import FeeType, Frequency, Name, Ref, Strict, Text, TextOrEmpty
from ..ids import new_id
from ..pricing import Price, price_document
from ..routing import ListParamsDep, Page, api_router, stored_page
from ..runtime import Ctx, CtxDep
from ..store import Doc
from .lookup import get_or_404, require_refs
from .patching import save_changes, sent_changes

router = api_router("bundles")

DEFAULT_CURRENCY = "USD"


class BundlePriceIn(Price):
    product_id: Ref


class EmbeddedProduct(BaseModel):
    id: str
    name: str
    description: TextOrEmpty = ""  # the SDK's PriceProductResponse requires it
    fee_type: FeeType
    payment_terms: str
    billing_frequency: Frequency | None = None
    metric_ids: list[str]


class BundlePrice(BundlePriceIn):
    id: str
    product: EmbeddedProduct
    created_at: str
    updated_at: str


Prices = Annotated[list[BundlePriceIn], Field(max_length=200)]


class BundleCreate(Strict):
    name: Name
    description: Text | None = None
    prices: Prices = Field(default_factory=list)


class BundleUpdate(Strict):
    name: Name | None = None
    description: Text | None = None
    prices: Prices | None = None


class Bundle(BaseModel):
    id: str
    name: str
    description: str | None = None
    prices: list[BundlePrice]
    created_at: str
    updated_at: str


def _price_docs(ctx: Ctx, prices: list[BundlePriceIn], previous: list[Doc]) -> list[Doc]:
    earlier = {p["product_id"]: p for p in previous}
    seen: set[str] = set()
    docs: list[Doc] = []
    now = ctx.now_ts()
    for index, price in enumerate(prices):
        where = f"prices[{index}]"
        if price.product_id in seen:
            raise ApiError(422, f"{where}: product {price.product_id} appears twice")
        seen.add(price.product_id)
        require_refs(ctx, "product", [price.product_id], f"{where}.product_id")
        require_refs(ctx, "metric", price.metric_ids, f"{where}.metric_ids")
        body = price_document(price, price.currency or DEFAULT_CURRENCY)
        old = earlier.get(price.product_id)
        if old is None:
            docs.append({**body, "id": new_id("price"), "created_at": now, "updated_at": now})
            continue
        unchanged = {k: v for k, v in old.items() if k not in ("id", "created_at", "updated_at")}
        stamp = old["updated_at"] if unchanged == body else now
        docs.append({**body, "id": old["id"], "created_at": old["created_at"], "updated_at": stamp})
    return docs


def _response(ctx: Ctx, doc: Doc) -> Doc:
    prices = []
    for price in doc["prices"]:
        product = ctx.store.get(ctx.account, "product", price["product_id"]) or {}
        embedded = {key: product.get(key) for key in EmbeddedProduct.model_fields}
        prices.append({**price, "product": embedded})
    return {**doc, "prices": prices}


@router.post("/bundles", status_code=201, response_model=Bundle)
async def create_bundle(body: BundleCreate, ctx: CtxDep) -> dict[str, Any]:
    with ctx.store.transaction():
        now = ctx.now_ts()
        doc = {
            "id": new_id("bundle"),
            "name": body.name,
            "description": body.description,
            "prices": _price_docs(ctx, body.prices, []),
            "created_at": now,
            "updated_at": now,
        }
        return _response(ctx, ctx.store.insert(ctx.account, "bundle", doc))


@router.get("/bundles", response_model=Page[Bundle])
async def list_bundles(ctx: CtxDep, params: ListParamsDep) -> dict[str, Any]:
    # No `sort`: the official SDK's bundles.list takes only limit and offset (a sort is a 400).
    listing = stored_page(ctx.store, ctx.account, "bundle", params)
    listing["data"] = [_response(ctx, doc) for doc in listing["data"]]
    return listing


@router.get("/bundles/{bundle_id}", response_model=Bundle)
async def get_bundle(bundle_id: str, ctx: CtxDep) -> dict[str, Any]:
    return _response(ctx, get_or_404(ctx, "bundle", bundle_id))


@router.patch("/bundles/{bundle_id}", response_model=Bundle)
async def update_bundle(bundle_id: str, body: BundleUpdate, ctx: CtxDep) -> dict[str, Any]:
    with ctx.store.transaction():
        doc = get_or_404(ctx, "bundle", bundle_id)
        changes = sent_changes(body, ("name",))
        if body.prices is not None:
            changes["prices"] = _price_docs(ctx, body.prices, doc["prices"])
        elif "prices" in changes:
            raise ApiError(422, "prices cannot be null (send [] to empty the bundle)")
        return _response(ctx, save_changes(ctx, "bundle", doc, changes))
