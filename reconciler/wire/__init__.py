"""Wire mapping: catalog models <-> Alguna API v2 bodies (pure; no I/O).

One module per concept: `values` (decimal strings, dates), `refs` (key <-> id
resolution protocols and a dict-backed resolver), `terms` (spend, discount), `tiers`,
`prices`, `items`, one module per kind (`metrics`, `products`, `plans`, `bundles`,
`customers`, `subscriptions`), and `canonical` (generic entry points and the canonical
form). Errors are `WireMappingError`s (`errors`).
"""

from reconciler.wire.bundles import bundle_from_wire, bundle_to_wire
from reconciler.wire.canonical import canonical, from_wire, to_wire
from reconciler.wire.changes import change_body
from reconciler.wire.customers import customer_from_wire, customer_to_wire
from reconciler.wire.errors import (
    InvalidWireObjectError,
    UnmappableModelError,
    UnresolvedReferenceError,
    WireMappingError,
)
from reconciler.wire.immutable import IMMUTABLE_FIELDS, NO_UPDATE_ENDPOINT
from reconciler.wire.items import (
    declared_bundle_items,
    item_from_wire,
    item_to_wire,
    items_from_wire,
    items_to_wire,
)
from reconciler.wire.metrics import metric_from_wire, metric_to_wire
from reconciler.wire.patches import patch_body
from reconciler.wire.plans import plan_from_wire, plan_to_wire
from reconciler.wire.prices import price_from_wire, price_to_wire
from reconciler.wire.products import product_from_wire, product_patch_body, product_to_wire
from reconciler.wire.refs import (
    CatalogModels,
    IdResolver,
    KeyResolver,
    KeysAsIds,
    MapResolver,
    ModelLookup,
)
from reconciler.wire.subscriptions import (
    cancellation_to_wire,
    effective_items,
    subscription_create_bodies,
    subscription_from_wire,
    subscription_patch_body,
    subscription_to_wire,
    version_to_wire,
    versions_from_wire,
)
from reconciler.wire.values import WireObject

__all__ = [
    "IMMUTABLE_FIELDS",
    "NO_UPDATE_ENDPOINT",
    "CatalogModels",
    "IdResolver",
    "InvalidWireObjectError",
    "KeyResolver",
    "KeysAsIds",
    "MapResolver",
    "ModelLookup",
    "UnmappableModelError",
    "UnresolvedReferenceError",
    "WireMappingError",
    "WireObject",
    "bundle_from_wire",
    "bundle_to_wire",
    "cancellation_to_wire",
    "canonical",
    "change_body",
    "customer_from_wire",
    "customer_to_wire",
    "declared_bundle_items",
    "effective_items",
    "from_wire",
    "item_from_wire",
    "item_to_wire",
    "items_from_wire",
    "items_to_wire",
    "metric_from_wire",
    "metric_to_wire",
    "patch_body",
    "plan_from_wire",
    "plan_to_wire",
    "price_from_wire",
    "price_to_wire",
    "product_from_wire",
    "product_patch_body",
    "product_to_wire",
    "subscription_create_bodies",
    "subscription_from_wire",
    "subscription_patch_body",
    "subscription_to_wire",
    "to_wire",
    "version_to_wire",
    "versions_from_wire",
]
