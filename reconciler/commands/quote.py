"""`billing quote` as the CLI runs it: the usage given as command-line text, parsed into
exact decimals and usage groups, then priced with the engine against the catalog
(offline, no API). Also `billing test`'s catalog load and run.

The catalog is loaded before the usage is parsed, so a catalog error is reported first
(as it always was). `billing test` runs the pricing tests and the invoice tests
(`commands.invoice_tests`) of one catalog load. A bad usage value is an
`InvalidUsageError` naming the option: a user error (exit 1), never a float.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from alguna_pricing.errors import InvalidUsageError
from alguna_pricing.usage import UsageGroup
from reconciler.commands.invoice_tests import InvoiceTestResult, run_invoice_tests
from reconciler.commands.pricing_tests import PricingTestRun, run_tests
from reconciler.commands.project import Project
from reconciler.commands.workflow import load_catalog
from reconciler.pricing.quoting import PriceQuote, quote_price
from reconciler.pricing.refs import ResolvedPrice, all_prices


@dataclass(frozen=True)
class UsageText:
    """The usage of `billing quote` as typed: `--quantity`, `--volume`, `--count`,
    `--metric KEY=VALUE`, `--group PROPS:USAGE`, `--period`, `--currency`."""

    quantity: str | None = None
    volume: str | None = None
    count: str | None = None
    metrics: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    period: str = "0"
    currency: str | None = None


@dataclass(frozen=True)
class Quoted:
    """Either every price reference the catalog declares (no reference asked), or the
    quote of the one asked."""

    references: list[ResolvedPrice] = field(default_factory=list)
    quote: PriceQuote | None = None


def quote_command(
    project: Project, env: str | None, price_ref: str | None, usage: UsageText
) -> Quoted:
    """Load the catalog for `env`; list its price references (no `price_ref`) or price
    `usage` under `price_ref`."""
    state = load_catalog(project, project.environment(env)).desired
    if price_ref is None:
        return Quoted(references=all_prices(state))
    return Quoted(
        quote=quote_price(
            state,
            price_ref,
            quantity=_decimal("--quantity", usage.quantity),
            volume=_decimal("--volume", usage.volume),
            count=_whole("--count", usage.count),
            metrics=_metrics(usage.metrics),
            period=_whole("--period", usage.period) or 0,
            currency=usage.currency,
            groups=_groups(usage.groups),
        )
    )


@dataclass(frozen=True)
class CatalogTestRun:
    """`billing test`'s outcome: the price tests and the invoice tests of one catalog."""

    prices: PricingTestRun
    invoices: tuple[InvoiceTestResult, ...]

    @property
    def ok(self) -> bool:
        return self.prices.ok and all(result.passed for result in self.invoices)


def run_pricing_tests(project: Project, name: str) -> CatalogTestRun:
    """`billing test`: the catalog's pricing and invoice tests run for environment `name`;
    `InvalidInputError` for a catalog with errors."""
    state = load_catalog(project, name).desired
    return CatalogTestRun(prices=run_tests(state), invoices=run_invoice_tests(state, project.root))


def _decimal(option: str, text: str | None, *, signed: bool = False) -> Decimal | None:
    """An exact decimal from the command line (`1_000_000`, `2.5`), never a float. A bad
    value is a user error (exit 1, like every other bad input), not a usage error."""
    if text is None:
        return None
    try:
        amount = Decimal(text.strip().replace("_", ""))
    except InvalidOperation:
        raise InvalidUsageError(f"{option} {text!r} is not a decimal number") from None
    if not amount.is_finite() or (amount < 0 and not signed):
        raise InvalidUsageError(f"{option} {text!r} must be a finite number >= 0")
    return amount


def _whole(option: str, text: str | None) -> int | None:
    if text is None:
        return None
    value = text.strip().replace("_", "")
    if not (value.isascii() and value.isdigit()):
        raise InvalidUsageError(f"{option} {text!r} must be a whole number >= 0")
    return int(value)


def _metrics(pairs: tuple[str, ...]) -> dict[str, Decimal] | None:
    """`--metric key=value` options as a mapping (None when none was given)."""
    if not pairs:
        return None
    out: dict[str, Decimal] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        amount = _decimal(f"--metric {key.strip()}", value, signed=True) if sep else None
        if amount is None or not key.strip():
            raise InvalidUsageError(f"--metric {pair!r}: write KEY=VALUE, e.g. api_calls=1200")
        out[key.strip()] = amount
    return out


_GROUP_HELP = "write PROPERTY=VALUE[,...]:FIELD=AMOUNT[,...], e.g. region=eu,plan=pro:quantity=250"
_GROUP_FIELDS = ("quantity", "volume", "count")


def _groups(values: tuple[str, ...]) -> list[UsageGroup] | None:
    """`--group` options (a matrix price's usage by event properties) as usage groups: the
    event properties before the last `:`, the usage fields (`quantity`, `volume`, `count`)
    after it. None when none was given."""
    if not values:
        return None
    out: list[UsageGroup] = []
    for text in values:
        props_text, sep, usage_text = text.rpartition(":")
        if not sep or not usage_text.strip():
            raise InvalidUsageError(f"--group {text!r}: {_GROUP_HELP}")
        properties: dict[str, str] = {}
        for pair in filter(None, (p.strip() for p in props_text.split(","))):
            key, eq, value = pair.partition("=")
            if not eq or not key.strip() or not value.strip():
                raise InvalidUsageError(f"--group {text!r}: property {pair!r}: {_GROUP_HELP}")
            properties[key.strip()] = value.strip()
        fields: dict[str, str] = {}
        for pair in (p.strip() for p in usage_text.split(",")):
            name, eq, amount = pair.partition("=")
            if not eq or name.strip() not in _GROUP_FIELDS:
                raise InvalidUsageError(
                    f"--group {text!r}: {pair!r} is not quantity=, volume= or count="
                )
            fields[name.strip()] = amount
        out.append(
            UsageGroup(
                properties,
                quantity=_decimal("--group quantity", fields.get("quantity")) or Decimal(0),
                volume=_decimal("--group volume", fields.get("volume")) or Decimal(0),
                transactions=_whole("--group count", fields.get("count")) or 0,
            )
        )
    return out
