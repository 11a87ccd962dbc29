"""Resource models: addresses, the ten pricing models and the six kinds.

Pure types (vocabulary layer): no I/O, no API knowledge. `reconciler.wire` maps these
to and from Alguna request and response bodies.
"""

from typing import TYPE_CHECKING, Any

from alguna_pricing.model.prices import PRICE_CLASSES, PRICE_TYPES, TIERED_TYPES, Price
from reconciler.model.address import Address
from reconciler.model.catalog_file import (
    RESOURCE_CLASS,
    TABLES,
    CatalogFile,
    DesiredState,
    Source,
)
from reconciler.model.digest import canonical_json, digest
from reconciler.model.invoice_tests import ExpectedInvoiceLine, InvoiceTest
from reconciler.model.kinds import (
    KIND_FACTS,
    KIND_OF_TABLE,
    KINDS,
    PATH_OF_KIND,
    TABLE_OF_KIND,
    Kind,
    KindFacts,
    kind_rank,
    with_dependencies,
)
from reconciler.model.pricing_tests import ExpectedLine, PriceRef, PricingTest
from reconciler.model.resources import (
    Bundle,
    Customer,
    Item,
    Metric,
    Plan,
    Product,
    ProductItem,
    Resource,
    Subscription,
    Version,
)

if TYPE_CHECKING:
    from reconciler.model.live_state import (
        LiveProblem,
        LiveState,
        PlanRevision,
        PlanRevisions,
        UnmanagedObject,
    )

# The live state's models are imported on first use: `billing validate` (and everything
# else that never reads an account) does not pay for building their pydantic classes,
# about 2% of validate's start-up (docs/performance.md).
_LIVE_STATE_NAMES = frozenset(
    {"LiveProblem", "LiveState", "PlanRevision", "PlanRevisions", "UnmanagedObject"}
)


def __getattr__(name: str) -> Any:
    if name in _LIVE_STATE_NAMES:
        from reconciler.model import live_state

        return getattr(live_state, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "KINDS",
    "KIND_FACTS",
    "KIND_OF_TABLE",
    "PATH_OF_KIND",
    "PRICE_CLASSES",
    "PRICE_TYPES",
    "RESOURCE_CLASS",
    "TABLES",
    "TABLE_OF_KIND",
    "TIERED_TYPES",
    "Address",
    "Bundle",
    "CatalogFile",
    "Customer",
    "DesiredState",
    "ExpectedInvoiceLine",
    "ExpectedLine",
    "InvoiceTest",
    "Item",
    "Kind",
    "KindFacts",
    "LiveProblem",
    "LiveState",
    "Metric",
    "Plan",
    "PlanRevision",
    "PlanRevisions",
    "Price",
    "PriceRef",
    "PricingTest",
    "Product",
    "ProductItem",
    "Resource",
    "Source",
    "Subscription",
    "UnmanagedObject",
    "Version",
    "canonical_json",
    "digest",
    "kind_rank",
    "with_dependencies",
]
