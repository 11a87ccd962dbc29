"""Items of plans, bundles and subscription versions: catalog `Item` <-> wire item.

Wire shapes: a product item `{product_id, price}`; a bundle item
`{bundle_id, items: [{product_id, price}]}`.

- A catalog bundle item without `items` stands for the bundle's declared prices: the
  mapping writes them out from the bundle model.
- Back from the wire, a bundle item whose children equal the bundle's declared prices
  (compared in canonical form, in order) becomes `Item(bundle=..., items=None)`;
  otherwise its children are kept as explicit `items`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from reconciler.model import Item, ProductItem
from reconciler.wire.errors import reading
from reconciler.wire.prices import price_from_wire, price_to_wire
from reconciler.wire.refs import IdResolver, KeyResolver, KeysAsIds, ModelLookup
from reconciler.wire.values import WireObject


def product_item_to_wire(item: ProductItem, ids: IdResolver) -> WireObject:
    return {
        "product_id": ids.product_id(item.product),
        "price": price_to_wire(item.price, item.product, ids),
    }


def item_to_wire(item: Item, ids: IdResolver) -> WireObject:
    if item.bundle is None:
        return product_item_to_wire(ProductItem(product=item.ref, price=item.price), ids)
    children = item.items if item.items is not None else ids.bundle(item.bundle).items
    return {
        "bundle_id": ids.bundle_id(item.bundle),
        "items": [product_item_to_wire(child, ids) for child in children],
    }


def items_to_wire(items: Sequence[Item], ids: IdResolver) -> list[WireObject]:
    return [item_to_wire(item, ids) for item in items]


def product_item_from_wire(
    obj: Mapping[str, Any], keys: KeyResolver, where: str = "item"
) -> ProductItem:
    with reading(where):
        product_key = keys.product_key(obj["product_id"])
        price = price_from_wire(obj["price"], product_key, keys, f"{where}.price")
        return ProductItem(product=product_key, price=price)


def item_from_wire(obj: Mapping[str, Any], keys: KeyResolver, where: str = "item") -> Item:
    with reading(where):
        if obj.get("bundle_id") is None:
            child = product_item_from_wire(obj, keys, where)
            return Item(product=child.product, price=child.price)
        bundle_key = keys.bundle_key(obj["bundle_id"])
        children = tuple(
            product_item_from_wire(child, keys, f"{where}.items[{index}]")
            for index, child in enumerate(obj["items"])
        )
        declared = declared_bundle_items(bundle_key, keys)
        return Item(bundle=bundle_key, items=None if children == declared else children)


def items_from_wire(objs: Any, keys: KeyResolver, where: str = "items") -> tuple[Item, ...]:
    with reading(where):
        return tuple(item_from_wire(obj, keys, f"{where}[{i}]") for i, obj in enumerate(objs))


def declared_bundle_items(bundle_key: str, models: ModelLookup) -> tuple[ProductItem, ...]:
    """The bundle's declared prices in canonical form (as they read back from the wire)."""
    same = KeysAsIds(models)
    return tuple(
        product_item_from_wire(product_item_to_wire(child, same), same)
        for child in models.bundle(bundle_key).items
    )
