"""Bundles: catalog `Bundle` <-> wire product bundle.

Body: `{name, description?, prices: [price + product_id]}` (a bundle price carries its
`product_id` inside the price object). A bundle price is the SDK's `PriceCreateRequest`,
not the `PriceInput` of items, and differs in two ways the SDK decides: its discount names
its type `discount_type`, and `fixed_pricing_model` carries the required `total`
(price_per_unit x units, the value the API computes and returns), as does each fixed
cell of a matrix price. Back from the wire the
embedded `product` object, ids, currency and timestamps of each price are ignored;
`product_id` (or, failing that, `product.id`) names the product.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import localcontext
from typing import Any

from alguna_pricing.model.prices import FixedPrice, MatrixPrice
from reconciler.model import Bundle, ProductItem
from reconciler.wire.errors import reading
from reconciler.wire.matrix import with_cell_totals
from reconciler.wire.prices import price_from_wire, price_to_wire
from reconciler.wire.refs import IdResolver, KeyResolver
from reconciler.wire.terms import bundle_discount_to_wire
from reconciler.wire.values import WireObject, decimal_to_wire, omit_none


def bundle_price_to_wire(item: ProductItem, ids: IdResolver) -> WireObject:
    """One bundle price in the shape of the SDK's `PriceCreateRequest`."""
    body = price_to_wire(item.price, item.product, ids)
    body["product_id"] = ids.product_id(item.product)
    if item.price.discount is not None:
        body["discount"] = bundle_discount_to_wire(item.price.discount)
    if isinstance(item.price, FixedPrice):
        with localcontext(prec=60):  # exact: money has at most 12 decimals, units < 10^9
            total = item.price.price_per_unit * item.price.units
        body["fixed_pricing_model"]["total"] = decimal_to_wire(total)
    if isinstance(item.price, MatrixPrice):
        with_cell_totals(body["matrix_pricing_model"])
    return body


def bundle_to_wire(bundle: Bundle, ids: IdResolver) -> WireObject:
    return omit_none(
        {
            "name": bundle.name,
            "description": bundle.description,
            "prices": [bundle_price_to_wire(item, ids) for item in bundle.items],
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
