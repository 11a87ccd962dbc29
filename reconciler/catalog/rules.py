"""Runs every catalog rule over the merged catalog; the one entry point for the loader."""

from __future__ import annotations

from reconciler.catalog.declared import Declared
from reconciler.catalog.findings import Finding
from reconciler.catalog.identity_rules import check_identity
from reconciler.catalog.kind_rules import check_metric, check_product
from reconciler.catalog.pricing_lint import lint_prices
from reconciler.catalog.reference_rules import (
    check_plans_and_bundles,
    check_product_refs,
    check_subscriptions,
)


def check_catalog(declared: Declared) -> list[Finding]:
    found: list[Finding] = []
    for key, metric in declared.metrics.items():
        found.extend(check_metric(key, metric))
    for key, product in declared.products.items():
        found.extend(check_product(key, product))
    found.extend(check_product_refs(declared))
    found.extend(check_plans_and_bundles(declared))
    found.extend(check_subscriptions(declared))
    found.extend(check_identity(declared))
    found.extend(lint_prices(declared))
    return found
