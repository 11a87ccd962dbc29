"""Products: catalog `Product` <-> wire product, and the PATCH body.

Create body: `{name, description?, fee_type, payment_terms, billing_frequency?,
metric_ids, sku, revenue_allocation_method?}`.
- `sku` is the product's, else its catalog key (the product's live identity).
- `billing_frequency`: a fixed product always sends one (`recurring` when it declares
  none); a metered product sends its own if declared (the API treats metered products as
  recurring regardless).

PATCH body (`product_patch_body`): only `name, description, revenue_allocation_method,
sku`; a None value is sent as null to clear it. The API refuses the other fields on PATCH:
`IMMUTABLE_FIELDS["product"]` lists them (catalog names), and a change to any of them is a
replace, not an update.

Back from the wire: a `sku` equal to the key becomes None; a metered product's
`recurring` frequency becomes None; `metric_ids` map back to metric keys. The SDK's
`ProductResponse` always carries `description` and `revenue_allocation_method`: `""` and
the fee type's default allocation (`DEFAULT_REVENUE_ALLOCATION`) read back as unset, so a
catalog that leaves them unset (or declares the default) shows no change.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.model import Product
from reconciler.wire.errors import reading
from reconciler.wire.refs import IdResolver, KeyResolver
from reconciler.wire.values import WireObject, omit_none

PRODUCT_PATCH_FIELDS = ("name", "description", "revenue_allocation_method", "sku")
"""The wire fields `PATCH /products/{id}` accepts (as far as the catalog declares them)."""

PRODUCT_IMMUTABLE_WIRE_FIELDS = ("fee_type", "payment_terms", "billing_frequency", "metric_ids")
"""The wire fields the API refuses on `PATCH /products/{id}`."""

DEFAULT_REVENUE_ALLOCATION = {"fixed": "straight_line", "metered": "usage_based"}
"""The allocation a product answers when none is set, by fee type (assumed; the SDK makes
the field required without naming a default: docs/api-compatibility.md)."""


def product_to_wire(product: Product, key: str, ids: IdResolver) -> WireObject:
    frequency = product.billing_frequency
    if product.fee_type == "fixed" and frequency is None:
        frequency = "recurring"
    return omit_none(
        {
            "name": product.name,
            "description": product.description,
            "fee_type": product.fee_type,
            "payment_terms": product.payment_terms,
            "billing_frequency": frequency,
            "metric_ids": [ids.metric_id(metric) for metric in product.metrics],
            "sku": product.sku or key,
            "revenue_allocation_method": product.revenue_allocation_method,
        }
    )


def product_patch_body(product: Product, key: str) -> WireObject:
    """Every updatable field, None as null (PATCH clears a field sent as null)."""
    return {
        "name": product.name,
        "description": product.description,
        "revenue_allocation_method": product.revenue_allocation_method,
        "sku": product.sku or key,
    }


def product_from_wire(
    obj: Mapping[str, Any], key: str, keys: KeyResolver, where: str = "product"
) -> Product:
    with reading(where):
        fee_type = obj["fee_type"]
        frequency = obj.get("billing_frequency")
        if fee_type == "metered" and frequency == "recurring":
            frequency = None
        sku = obj.get("sku")
        allocation = obj.get("revenue_allocation_method")
        if allocation == DEFAULT_REVENUE_ALLOCATION.get(fee_type):
            allocation = None
        return Product(
            name=obj["name"],
            # The SDK's ProductResponse always has a description: "" when none is set.
            description=obj.get("description") or None,
            fee_type=fee_type,
            payment_terms=obj["payment_terms"],
            billing_frequency=frequency,
            metrics=tuple(keys.metric_key(i) for i in obj.get("metric_ids") or ()),
            sku=None if sku == key else sku,
            revenue_allocation_method=allocation,
        )
