"""`CatalogFile`: the shape of one catalog file, and `DesiredState`: all of them, merged.

A file holds any of the top-level tables `[metrics.<key>]`, `[products.<key>]`,
`[plans.<key>]`, `[bundles.<key>]`, `[customers.<key>]`, `[subscriptions.<key>]`.
`CatalogFile` is also what `billing schema` publishes for editors.
"""

from __future__ import annotations

from pydantic import Field

from alguna_pricing.model.values import Frozen, Key
from reconciler.model.address import Address
from reconciler.model.invoice_tests import InvoiceTest
from reconciler.model.kinds import KIND_OF_TABLE, KINDS, TABLE_OF_KIND, Kind
from reconciler.model.pricing_tests import PricingTest
from reconciler.model.resources import (
    Bundle,
    Customer,
    Metric,
    Plan,
    Product,
    Resource,
    Subscription,
)

RESOURCE_CLASS: dict[Kind, type[Resource]] = {
    "metric": Metric,
    "product": Product,
    "plan": Plan,
    "bundle": Bundle,
    "customer": Customer,
    "subscription": Subscription,
}


class CatalogFile(Frozen):
    """One catalog file after rendering: resources by kind, then by key."""

    metrics: dict[Key, Metric] = Field(default_factory=dict)
    products: dict[Key, Product] = Field(default_factory=dict)
    plans: dict[Key, Plan] = Field(default_factory=dict)
    bundles: dict[Key, Bundle] = Field(default_factory=dict)
    customers: dict[Key, Customer] = Field(default_factory=dict)
    subscriptions: dict[Key, Subscription] = Field(default_factory=dict)
    # Pricing tests (`billing test`): not resources, so not in `resources()`, the
    # natural-key rules or the catalog digest. See `pricing_tests`.
    tests: dict[Key, PricingTest] = Field(default_factory=dict)
    # Invoice tests (`billing test`): likewise outside the resources and the digest.
    invoice_tests: dict[Key, InvoiceTest] = Field(default_factory=dict)

    def table(self, kind: Kind) -> dict[str, Resource]:
        """The resources of one kind, by key."""
        table: dict[str, Resource] = getattr(self, TABLE_OF_KIND[kind])
        return table


TABLES: tuple[str, ...] = tuple(name for name in CatalogFile.model_fields if name in KIND_OF_TABLE)
"""The kind tables in the order `CatalogFile` declares them (plans before bundles, unlike
dependency order): the order `diff` compares resources in, hence the order of its
diagnostics."""


class Source(Frozen):
    """Where a resource was declared: project-relative file and 1-based template line."""

    file: str
    line: int | None = None


class DesiredState(CatalogFile):
    """The whole catalog for one environment, valid and cross-checked.

    `sources` maps each address to where it was declared, for diagnostics
    raised after loading (plan guards, apply errors). `catalog_digest` is a stable hash
    of the normalized resources: two catalogs with the same digest declare the same thing.
    """

    environment: str
    sources: dict[Address, Source] = Field(default_factory=dict)
    catalog_digest: str = ""

    def resources(self) -> dict[Address, Resource]:
        """Every declared resource by address, kinds in dependency order."""
        out: dict[Address, Resource] = {}
        for kind in KINDS:
            for key, resource in sorted(self.table(kind).items()):
                out[Address(kind=kind, key=key)] = resource
        return out
