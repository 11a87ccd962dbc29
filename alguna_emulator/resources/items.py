"""Priced item sets: plan items, subscription items and version items.

Owns the item shapes (``{product_id, price}`` and the bundle item ``{bundle_id, name?,
items}``), turning validated items into their stored form (prices carry the owner's
currency), the one-price-per-product-per-owner rule, reference checks, and the
match-replaces/others-append merge used for "plan + overrides". Must not decide which object
owns the items.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Discriminator, Field, Tag

from ..errors import ApiError, union_branch
from ..fields import Name, Ref, Strict, Text
from ..pricing import Price, price_document
from ..runtime import Ctx
from ..store import Doc
from .lookup import require_refs

MAX_ITEMS = 200


class ProductItem(Strict):
    product_id: Ref
    price: Price


class BundleItem(Strict):
    bundle_id: Ref
    name: Name | None = None
    bundle_description: Text | None = None
    items: Annotated[list[ProductItem], Field(min_length=1, max_length=MAX_ITEMS)]


_PRODUCT = union_branch("product item")
_BUNDLE = union_branch("bundle item")


def _item_kind(value: Any) -> str | None:
    """Which item shape to validate against: a bundle item if ``bundle_id`` is sent.

    Picking the branch by key keeps a 422 about the item the client meant (e.g.
    ``items[0].price: ...``) instead of both branches' errors.
    """
    if isinstance(value, dict):
        return _BUNDLE if "bundle_id" in value else _PRODUCT
    if isinstance(value, BundleItem):
        return _BUNDLE
    if isinstance(value, ProductItem):
        return _PRODUCT
    return None


Item = Annotated[
    Annotated[ProductItem, Tag(_PRODUCT)] | Annotated[BundleItem, Tag(_BUNDLE)],
    Discriminator(
        _item_kind,
        custom_error_type="item_type",
        custom_error_message="an item must be an object with product_id and price, "
        "or bundle_id and items",
    ),
]
Items = Annotated[list[Item], Field(max_length=MAX_ITEMS)]


def item_key(item: Doc) -> tuple[str, str]:
    """What identifies an item within its set: its product or its bundle."""
    if "bundle_id" in item:
        return ("bundle", str(item["bundle_id"]))
    return ("product", str(item["product_id"]))


def _product_item(item: ProductItem, currency: str, where: str) -> Doc:
    if item.price.currency not in (None, currency):
        raise ApiError(422, f"{where}.price.currency {item.price.currency} differs from {currency}")
    return {"product_id": item.product_id, "price": price_document(item.price, currency)}


def item_documents(ctx: Ctx, items: list[Item], currency: str, where: str = "items") -> list[Doc]:
    """Check references and uniqueness; give the stored form of the items."""
    docs: list[Doc] = []
    for index, item in enumerate(items):
        here = f"{where}[{index}]"
        if isinstance(item, BundleItem):
            require_refs(ctx, "bundle", [item.bundle_id], f"{here}.bundle_id")
            children = [
                _product_item(child, currency, f"{here}.items[{n}]")
                for n, child in enumerate(item.items)
            ]
            _check_refs_and_unique(ctx, children, f"{here}.items")
            docs.append(
                {
                    "bundle_id": item.bundle_id,
                    "name": item.name,
                    "bundle_description": item.bundle_description,
                    "items": children,
                }
            )
        else:
            docs.append(_product_item(item, currency, here))
    _check_refs_and_unique(ctx, docs, where)
    return docs


def _check_refs_and_unique(ctx: Ctx, docs: list[Doc], where: str) -> None:
    seen: set[tuple[str, str]] = set()
    for index, doc in enumerate(docs):
        key = item_key(doc)
        if key in seen:
            raise ApiError(
                422, f"{where}[{index}]: {key[0]} {key[1]} appears twice (one price per {key[0]})"
            )
        seen.add(key)
        if key[0] == "product":
            require_refs(ctx, "product", [key[1]], f"{where}[{index}].product_id")
            metric_ids: list[str] = doc["price"]["metric_ids"]
            require_refs(ctx, "metric", metric_ids, f"{where}[{index}].price.metric_ids")


def merge_items(base: list[Doc], overrides: list[Doc]) -> list[Doc]:
    """Overrides replace the base item with the same product/bundle; others are appended."""
    by_key = {item_key(item): item for item in overrides}
    merged = [by_key.pop(item_key(item), item) for item in base]
    appended = [item for item in overrides if item_key(item) in by_key]
    return merged + appended


def in_currency(items: list[Doc], currency: str) -> list[Doc]:
    """The same items with every price in ``currency`` (a plan copied into a subscription)."""
    out: list[Doc] = []
    for item in items:
        if "bundle_id" in item:
            out.append({**item, "items": in_currency(item["items"], currency)})
        else:
            out.append({**item, "price": {**item["price"], "currency": currency}})
    return out
