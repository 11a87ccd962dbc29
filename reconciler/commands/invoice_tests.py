"""Runs the catalog's invoice tests (part of `billing test`): data in, results out.

For each `[invoice_tests.<key>]`: compute the subscription's invoice for the cycle and
usage with the engine (`invoice_preview.subscription_invoice`, which `billing invoice
preview` shows), then compare the total (exact, after the one rounding) and, when the test
lists them, the lines position by position (description and exact amount). A test that
cannot be computed (a bad usage file, a price the engine refuses) fails with the reason;
the others still run. Only the usage file is read (project-relative).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from alguna_pricing.invoice import InvoiceLine, MetricUsage
from reconciler.commands.invoice_preview import InvoicePreview, read_usage, subscription_invoice
from reconciler.errors import BillingError, InvalidInputError
from reconciler.model import DesiredState, ExpectedInvoiceLine, InvoiceTest


@dataclass(frozen=True)
class InvoiceLineDifference:
    """The line at `position` (1-based): expected and actual (either may be missing)."""

    position: int
    expected: ExpectedInvoiceLine | None
    actual: InvoiceLine | None


@dataclass(frozen=True)
class InvoiceTestResult:
    name: str
    test: InvoiceTest
    preview: InvoicePreview | None
    error: str | None = None
    line_differences: tuple[InvoiceLineDifference, ...] = ()

    @property
    def actual_total(self) -> Decimal | None:
        return self.preview.invoice.total if self.preview is not None else None

    @property
    def passed(self) -> bool:
        return (
            self.error is None
            and self.actual_total == self.test.expected_total
            and not self.line_differences
        )


def compare_invoice_lines(
    expected: tuple[ExpectedInvoiceLine, ...], actual: tuple[InvoiceLine, ...]
) -> tuple[InvoiceLineDifference, ...]:
    out = []
    for index in range(max(len(expected), len(actual))):
        want = expected[index] if index < len(expected) else None
        got = actual[index] if index < len(actual) else None
        if (
            want is None
            or got is None
            or (want.description, want.amount) != (got.description, got.amount)
        ):
            out.append(InvoiceLineDifference(index + 1, want, got))
    return tuple(out)


def run_invoice_test(
    state: DesiredState, project: Path, name: str, test: InvoiceTest
) -> InvoiceTestResult:
    """Compute and compare one invoice test; never raises for one that cannot be computed."""
    try:
        if test.usage_file is not None:
            sub = state.subscriptions[test.subscription]
            names = {sub.customer, *state.customers[sub.customer].aliases}
            events = read_usage(project / test.usage_file, names)
            preview = subscription_invoice(state, test.subscription, test.period, events=events)
        else:
            counts = test.events or {}
            usage = {
                key: MetricUsage(
                    value=test.usage.get(key, Decimal(0)) if test.usage else Decimal(0),
                    events=counts.get(key, 0),
                )
                for key in {*(test.usage or {}), *counts}
            }
            preview = subscription_invoice(state, test.subscription, test.period, usage=usage)
    except InvalidInputError as exc:
        detail = "; ".join(str(d) for d in exc.diagnostics)
        return InvoiceTestResult(name, test, None, f"{exc}: {detail}")
    except BillingError as exc:
        return InvoiceTestResult(name, test, None, str(exc))
    differences = (
        compare_invoice_lines(test.lines, preview.invoice.lines) if test.lines is not None else ()
    )
    return InvoiceTestResult(name, test, preview, None, differences)


def run_invoice_tests(state: DesiredState, project: Path) -> tuple[InvoiceTestResult, ...]:
    """Every invoice test the catalog declares, in key order."""
    return tuple(
        run_invoice_test(state, project, name, state.invoice_tests[name])
        for name in sorted(state.invoice_tests)
    )
