"""Resource models: addresses, the ten pricing models and the six kinds.

Pure types (vocabulary layer): no I/O, no API knowledge. `reconciler.wire` maps these
to and from Alguna request and response bodies.
"""

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
from reconciler.model.live_state import (
    LiveProblem,
    LiveState,
    PlanRevision,
    PlanRevisions,
    UnmanagedObject,
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
