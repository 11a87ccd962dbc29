"""Bundles: catalog `Bundle` <-> wire product bundle.

Body: `{name, description?, prices: [price + product_id]}` (a bundle price carries its
`product_id` inside the price object). Back from the wire the embedded `product` object,
ids, currency and timestamps of each price are ignored; `product_id` (or, failing that,
`product.id`) names the product.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.model import Bundle, ProductItem
from reconciler.wire.errors import reading
from reconciler.wire.prices import price_from_wire, price_to_wire
from reconciler.wire.refs import IdResolver, KeyResolver
from reconciler.wire.values import WireObject, omit_none


def bundle_to_wire(bundle: Bundle, ids: IdResolver) -> WireObject:
    return omit_none(
        {
            "name": bundle.name,
            "description": bundle.description,
            "prices": [
                {
                    **price_to_wire(item.price, item.product, ids),
                    "product_id": ids.product_id(item.product),
                }
                for item in bundle.items
            ],
        }
    )


def bundle_from_wire(obj: Mapping[str, Any], keys: KeyResolver, where: str = "bundle") -> Bundle:
    with reading(where):
        items = []
        for index, price in enumerate(obj["prices"]):
            product_id = price.get("product_id") or price["product"]["id"]
            product_key = keys.product_key(product_id)
            items.append(
                ProductItem(
                    product=product_key,
                    price=price_from_wire(price, product_key, keys, f"{where}.prices[{index}]"),
                )
            )
        return Bundle(name=obj["name"], description=obj.get("description"), items=tuple(items))
