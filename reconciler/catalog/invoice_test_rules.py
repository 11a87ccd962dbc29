"""The `[invoice_tests.<key>]` tables checked against the catalog (declared by
`test_rules.declare_tests` with the invoice table and model).

Codes (all errors): `invoice_test.subscription` (no such subscription declared),
`invoice_test.metric` (a `usage` or `events` key that is no declared metric),
`invoice_test.usage_file` (the file does not exist), `invoice_test.expected_precision`
(`expected_total` finer than the subscription's currency).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from alguna_pricing.model.currency import is_known_currency, minor_units
from reconciler.catalog.declared import Declared
from reconciler.catalog.test_rules import DeclaredTest
from reconciler.model import InvoiceTest
from reconciler.pricing.refs import subscription_currency
from reconciler.source.diagnostics import Diagnostic


def check_invoice_tests(
    declared: Declared, tests: Mapping[str, DeclaredTest], project: Path
) -> list[Diagnostic]:
    """Every invoice test's subscription, metric keys, usage file and expected precision."""
    found: list[Diagnostic] = []
    for key in sorted(tests):
        found.extend(_check(declared, tests[key], project))
    return found


def _check(declared: Declared, entry: DeclaredTest, project: Path) -> list[Diagnostic]:
    test = entry.test
    assert isinstance(test, InvoiceTest)
    sub = declared.subscriptions.get(test.subscription)
    if sub is None:
        known = ", ".join(sorted(declared.subscriptions)) or "none"
        return [
            entry.diagnostic(
                ("subscription",),
                "invoice_test.subscription",
                f"no subscription `{test.subscription}` is declared; declared: {known}",
            )
        ]
    found: list[Diagnostic] = []
    for field, values in (("usage", test.usage), ("events", test.events)):
        for metric in sorted(values or {}):
            if metric not in declared.metrics:
                found.append(
                    entry.diagnostic(
                        (field, metric), "invoice_test.metric", f"no metric `{metric}` is declared"
                    )
                )
    if test.usage_file is not None and not (project / test.usage_file).is_file():
        found.append(
            entry.diagnostic(
                ("usage_file",),
                "invoice_test.usage_file",
                f"{test.usage_file} is not a file (paths are relative to the project)",
            )
        )
    currency = subscription_currency(declared, sub)
    if currency is not None and is_known_currency(currency):
        exponent = test.expected_total.normalize().as_tuple().exponent
        decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        if decimals > minor_units(currency):
            found.append(
                entry.diagnostic(
                    ("expected_total",),
                    "invoice_test.expected_precision",
                    f"{test.expected_total} has more decimals than {currency}: invoice totals"
                    " are rounded to the minor unit",
                )
            )
    return found
