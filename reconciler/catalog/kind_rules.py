"""Rules local to one metric or product: what its own fields must agree on.

Resources may be partial (None where a value failed validation, see `Declared`): a rule
whose inputs failed says nothing, the field's own diagnostic does.
"""

from __future__ import annotations

from reconciler.catalog.findings import Finding, error
from reconciler.model import Metric, Product


def check_metric(key: str, metric: Metric) -> list[Finding]:
    if metric.aggregation is None or metric.aggregation.method is None:
        return []
    method = metric.aggregation.method
    if method != "count" and metric.aggregation.field is None:
        return [
            error(
                "metric",
                key,
                ("aggregation", "field"),
                "metric.aggregation_field",
                f"aggregation method `{method}` needs `field`: the event property to aggregate",
            )
        ]
    if method == "count" and metric.aggregation.field is not None:
        return [
            error(
                "metric",
                key,
                ("aggregation", "field"),
                "metric.aggregation_field",
                "`count` counts events and takes no `field`; use count_unique or sum to"
                " aggregate a property",
            )
        ]
    return []


def check_product(key: str, product: Product) -> list[Finding]:
    found: list[Finding] = []
    if product.fee_type is None:
        return found
    if product.fee_type == "metered":
        if not product.metrics:
            found.append(
                error(
                    "product",
                    key,
                    ("metrics",),
                    "product.metrics_missing",
                    "a metered product needs at least one metric in `metrics`",
                )
            )
        if product.payment_terms != "arrears":
            found.append(
                error(
                    "product",
                    key,
                    ("payment_terms",),
                    "product.payment_terms",
                    'metered usage is paid in arrears: set payment_terms = "arrears"',
                )
            )
        if product.billing_frequency not in (None, "recurring"):
            found.append(
                error(
                    "product",
                    key,
                    ("billing_frequency",),
                    "product.billing_frequency",
                    "a metered product is always recurring",
                )
            )
    else:
        if product.billing_frequency is None:
            found.append(
                error(
                    "product",
                    key,
                    ("billing_frequency",),
                    "product.billing_frequency",
                    'a fixed product needs billing_frequency: "recurring" or "one-off"',
                )
            )
        if product.metrics:
            found.append(
                error(
                    "product",
                    key,
                    ("metrics",),
                    "product.metrics_on_fixed",
                    "only metered products have metrics",
                )
            )
    return found
