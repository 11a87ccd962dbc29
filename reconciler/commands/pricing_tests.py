"""Runs the catalog's pricing tests (`billing test`): data in, results out, no I/O.

For each `[tests.<key>]`: price the usage under the referenced price with the engine
(`quoting.quote_price`), then compare

- the total: exact `Decimal` equality with `Quote.total`, the engine's total after the
  price's terms, rounded once to the currency's minor unit (`"315"` equals `"315.00"`;
  `"10.008"` never equals a USD total);
- the line items, when the test lists them: position by position, the description
  (exact text), the amount (exact, unrounded) and, when given, the quantity; a line
  missing or left over is a difference too.

A test that cannot be priced (the engine refuses the price, the reference names nothing)
fails with the error's message instead of raising: one broken test must not hide the
report of the others. Tests run in key order, so reports are stable.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from alguna_pricing.quote import LineItem, Quote
from reconciler.errors import BillingError
from reconciler.model import DesiredState, ExpectedLine, PricingTest
from reconciler.pricing.quoting import PriceQuote, quote_price
from reconciler.pricing.refs import CatalogTables

LineField = Literal["description", "amount", "quantity"]


@dataclass(frozen=True)
class LineDifference:
    """How the line at `position` (1-based) differs: `missing` (expected, not produced),
    `unexpected` (produced, not expected) or `different` (the `fields` that differ)."""

    position: int
    problem: Literal["missing", "unexpected", "different"]
    expected: ExpectedLine | None
    actual: LineItem | None
    fields: tuple[LineField, ...] = ()


@dataclass(frozen=True)
class PricingTestResult:
    """One test's outcome. `priced` is None exactly when `error` says why it could not be
    priced. A test passes when it was priced, the total matches and no line differs."""

    name: str
    test: PricingTest
    priced: PriceQuote | None
    error: str | None = None
    line_differences: tuple[LineDifference, ...] = ()

    @property
    def quote(self) -> Quote | None:
        return self.priced.quote if self.priced is not None else None

    @property
    def total_matches(self) -> bool:
        return self.priced is not None and self.priced.quote.total == self.test.expected_total

    @property
    def difference(self) -> Decimal | None:
        """actual total - expected total (None when not priced)."""
        if self.priced is None:
            return None
        return self.priced.quote.total - self.test.expected_total

    @property
    def passed(self) -> bool:
        return self.error is None and self.total_matches and not self.line_differences


@dataclass(frozen=True)
class PricingTestRun:
    """Every test's result, in key order, for one environment's catalog."""

    environment: str
    results: tuple[PricingTestResult, ...]

    @property
    def passed(self) -> int:
        return sum(result.passed for result in self.results)

    @property
    def failed(self) -> int:
        return len(self.results) - self.passed

    @property
    def ok(self) -> bool:
        """True when no test failed (also when there are none)."""
        return self.failed == 0


def compare_lines(
    expected: tuple[ExpectedLine, ...], actual: tuple[LineItem, ...]
) -> tuple[LineDifference, ...]:
    """Position-by-position differences between expected and actual line items."""
    out: list[LineDifference] = []
    for index in range(max(len(expected), len(actual))):
        want = expected[index] if index < len(expected) else None
        got = actual[index] if index < len(actual) else None
        if got is None:
            out.append(LineDifference(index + 1, "missing", want, None))
            continue
        if want is None:
            out.append(LineDifference(index + 1, "unexpected", None, got))
            continue
        fields: list[LineField] = []
        if want.description != got.description:
            fields.append("description")
        if want.amount != got.amount:
            fields.append("amount")
        if want.quantity is not None and want.quantity != got.quantity:
            fields.append("quantity")
        if fields:
            out.append(LineDifference(index + 1, "different", want, got, tuple(fields)))
    return tuple(out)


def run_test(tables: CatalogTables, name: str, test: PricingTest) -> PricingTestResult:
    """Price and compare one test; never raises for a test that cannot be priced."""
    try:
        priced = quote_price(
            tables,
            test.price,
            quantity=test.quantity,
            volume=test.volume,
            count=test.count,
            metrics=test.metrics,
            period=test.period,
            currency=test.currency,
        )
    except BillingError as exc:
        return PricingTestResult(name=name, test=test, priced=None, error=str(exc))
    differences = (
        compare_lines(test.lines, priced.quote.line_items) if test.lines is not None else ()
    )
    return PricingTestResult(name=name, test=test, priced=priced, line_differences=differences)


def run_tests(state: DesiredState) -> PricingTestRun:
    """Every pricing test the catalog declares, in key order."""
    results = tuple(run_test(state, name, state.tests[name]) for name in sorted(state.tests))
    return PricingTestRun(environment=state.environment, results=results)
