"""The `[tests.<key>]` tables: declared (shape-checked, merged across files) and checked
against the catalog.

Pricing tests are not resources (no kind, no address, never sent to Alguna), so they do
not go through `Declared` and the resource rules; the loader calls `declare_tests` on the
parsed files and `check_tests` after the resource rules, and passes the tests on to the
`DesiredState` (outside the digest). Diagnostics carry file, template line and field path
like every other, with these codes (all errors):

- `key.format`, `key.duplicate`, `catalog.table` and the `field.*` codes: as for resources;
- `test.price_ref`: `price` is not a reference in the grammar (`model.pricing_tests`);
- `test.price_unknown`: the reference names no declared price (the message lists the
  owner's prices);
- `test.usage`: a usage field the price's model does not read, or an expression metric
  missing or not read;
- `test.currency`: a bundle's declared price without `currency`, or a `currency` other
  than the owner's; `currency.unknown` for a code the tool does not know;
- `test.expected_precision`: `expected_total` has more decimals than the currency's minor
  unit, so no total (always rounded to it) can equal it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from alguna_pricing.model.currency import is_known_currency, minor_units
from alguna_pricing.usage_fields import usage_problems
from reconciler.catalog.declared import Declared
from reconciler.catalog.entries import validated_entry
from reconciler.model import InvoiceTest, Kind, PriceRef, PricingTest
from reconciler.pricing.quoting import CurrencyChoiceError, choose_currency
from reconciler.pricing.refs import PriceRefError, ResolvedPrice, parse_ref, resolve
from reconciler.source.diagnostics import Diagnostic
from reconciler.source.toml_lines import Path

TESTS_TABLE = "tests"
INVOICE_TESTS_TABLE = "invoice_tests"


class CatalogSource(Protocol):
    """A parsed catalog file, as the loader's `ParsedFile` is: its data and how to locate
    a field path in it."""

    @property
    def path(self) -> str: ...
    @property
    def data(self) -> dict[str, Any]: ...
    def line_of(self, path: Path) -> int | None: ...
    def diagnostic(self, path: Path, code: str, message: str) -> Diagnostic: ...


@dataclass(frozen=True)
class DeclaredTest:
    """A shape-valid test and the file that declares it."""

    key: str
    test: PricingTest | InvoiceTest
    file: CatalogSource
    table: str = TESTS_TABLE

    def diagnostic(self, sub: Path, code: str, message: str) -> Diagnostic:
        return self.file.diagnostic((self.table, self.key, *sub), code, message)


def declare_tests(
    files: Iterable[CatalogSource],
    table: str = TESTS_TABLE,
    model: type[PricingTest] | type[InvoiceTest] = PricingTest,
) -> tuple[dict[str, DeclaredTest], list[Diagnostic]]:
    """Every shape-valid test of every file, by key, and the problems of the others; for
    `[tests.<key>]` (pricing tests) or, with `table`/`model`, `[invoice_tests.<key>]`."""
    tests: dict[str, DeclaredTest] = {}
    seen: dict[str, tuple[CatalogSource, int | None]] = {}
    diagnostics: list[Diagnostic] = []
    for file in files:
        entries = file.data.get(table)
        if entries is None:
            continue
        if not isinstance(entries, dict):
            diagnostics.append(
                file.diagnostic(
                    (table,),
                    "catalog.table",
                    f"`{table}` must be a table of tests: [{table}.<key>]",
                )
            )
            continue
        for key, body in entries.items():
            diagnostics.extend(_declare(tests, seen, file, key, body, table, model))
    return tests, diagnostics


def _declare(
    tests: dict[str, DeclaredTest],
    seen: dict[str, tuple[CatalogSource, int | None]],
    file: CatalogSource,
    key: str,
    body: object,
    table: str,
    model: type[PricingTest] | type[InvoiceTest],
) -> list[Diagnostic]:
    path: Path = (table, key)
    if key in seen:
        first, first_line = seen[key]
        where = f"{first.path}:{first_line}" if first_line else first.path
        return [
            file.diagnostic(
                path,
                "key.duplicate",
                f"{table}.{key} is already declared at {where}; test keys are unique across"
                " all files",
            )
        ]
    seen[key] = (file, file.line_of(path))
    test, diagnostics = validated_entry(file, path, body, model)
    if test is not None:
        tests[key] = DeclaredTest(key, test, file, table)
    return diagnostics


def check_tests(declared: Declared, tests: Mapping[str, DeclaredTest]) -> list[Diagnostic]:
    """Every test's reference, usage fields, currency and expected precision."""
    found: list[Diagnostic] = []
    for key in sorted(tests):
        found.extend(_check_test(declared, tests[key]))
    return found


def _check_test(declared: Declared, entry: DeclaredTest) -> list[Diagnostic]:
    test = entry.test
    assert isinstance(test, PricingTest)
    try:
        ref = parse_ref(test.price)
    except PriceRefError as exc:
        return [entry.diagnostic(("price",), "test.price_ref", str(exc))]
    if _refers_to_invalid(declared, ref):
        return []  # the resource has its own diagnostics; resolving it would only add noise
    try:
        resolved = resolve(declared, ref)
    except PriceRefError as exc:
        return [entry.diagnostic(("price",), "test.price_unknown", str(exc))]
    found: list[Diagnostic] = []
    given = {
        "quantity": test.quantity,
        "volume": test.volume,
        "count": test.count,
        "metrics": test.metrics,
    }
    for sub, message in usage_problems(resolved.price, given, test.metrics):
        found.append(entry.diagnostic(sub, "test.usage", message))
    found.extend(_check_currency(entry, resolved))
    return found


def _refers_to_invalid(declared: Declared, ref: PriceRef) -> bool:
    """Whether the reference goes through a declared resource that failed validation
    (held partially, or not at all)."""
    owners: list[tuple[Kind, str]] = [(ref.owner, ref.key)]
    if ref.bundle is not None:
        owners.append(("bundle", ref.bundle))
    if ref.owner == "subscription":
        subscription = declared.subscriptions.get(ref.key)
        if subscription is not None:
            if subscription.customer is not None:
                owners.append(("customer", subscription.customer))
            if subscription.plan is not None:
                owners.append(("plan", subscription.plan))
    return any(
        declared.has(kind, key) and (key not in declared.table(kind) or declared.partial(kind, key))
        for kind, key in owners
    )


def _check_currency(entry: DeclaredTest, resolved: ResolvedPrice) -> list[Diagnostic]:
    test = entry.test
    assert isinstance(test, PricingTest)
    if test.currency is not None and not is_known_currency(test.currency):
        return [
            entry.diagnostic(
                ("currency",), "currency.unknown", f"{test.currency} is not a known ISO 4217 code"
            )
        ]
    try:
        currency = choose_currency(resolved, test.currency)
    except CurrencyChoiceError as exc:
        field = "currency" if test.currency is not None else "price"
        return [entry.diagnostic((field,), "test.currency", str(exc))]
    if not is_known_currency(currency):
        return []  # the owner's unknown currency is reported on the owner
    digits = minor_units(currency)
    exponent = test.expected_total.normalize().as_tuple().exponent
    decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    if decimals > digits:
        return [
            entry.diagnostic(
                ("expected_total",),
                "test.expected_precision",
                f"{test.expected_total} has more decimals than {currency} ({digits}): totals"
                " are rounded to the minor unit, so none can equal it",
            )
        ]
    return []
