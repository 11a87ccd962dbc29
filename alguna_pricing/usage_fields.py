"""Which usage fields a price reads, and the usage a test or a quote describes.

A pricing test or a quote gives the usage as named fields: `quantity`, `volume`, `count`
(transactions), `metrics` and, for a matrix price, `groups` (usage by event
properties). Each model reads only some of them (see `usage`); a field the
model ignores is reported instead of silently priced as something else: a test that gives
`volume` to a `unit` price would otherwise pass on a charge of zero units.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from alguna_pricing.expression import ExpressionError, referenced_metrics
from alguna_pricing.model.prices import (
    ExpressionPrice,
    FixedPrice,
    GraduatedPercentagePrice,
    GraduatedTieredPrice,
    MatrixPrice,
    Price,
    TieredPercentagePrice,
    VolumePercentagePrice,
)
from alguna_pricing.usage import Usage, UsageGroup

USAGE_FIELDS = ("quantity", "volume", "count", "metrics", "groups")

# A problem with one usage field: the field path (`("metrics", "gpu_seconds")`) and why.
UsageProblem = tuple[tuple[str, ...], str]


def read_fields(price: Price) -> frozenset[str]:
    """The usage fields `price`'s model reads (empty: it does not depend on usage)."""
    if isinstance(price, FixedPrice):
        return frozenset()
    if isinstance(price, GraduatedTieredPrice) and price.units is not None:
        return frozenset()  # prices its declared `units`, whatever the usage
    if isinstance(price, TieredPercentagePrice | GraduatedPercentagePrice):
        return frozenset({"volume"})
    if isinstance(price, VolumePercentagePrice):
        return frozenset({"volume", "count"})
    if isinstance(price, ExpressionPrice):
        return frozenset({"metrics"})
    if isinstance(price, MatrixPrice):
        return frozenset({"groups"})
    return frozenset({"quantity"})


def expression_metrics(price: ExpressionPrice) -> frozenset[str]:
    """Metric keys the price's expressions read. Expressions that do not parse (reported by
    the catalog rules) read nothing here."""
    out: set[str] = set()
    for charge in price.charges:
        for text in (charge.quantity_expression, charge.unit_price_expression):
            try:
                out |= referenced_metrics(text)
            except ExpressionError:  # malformed: the price rules report it
                continue
    return frozenset(out)


def _reads(price: Price) -> str:
    fields = sorted(read_fields(price))
    if not fields:
        return "it does not depend on usage"
    return "it reads " + " and ".join(f"`{name}`" for name in fields)


def usage_problems(
    price: Price, given: Mapping[str, object], metrics: Mapping[str, object] | None
) -> list[UsageProblem]:
    """Problems with the usage fields `given` (those set, by name) for `price`: a field the
    model does not read; for an expression price, a metric it reads but is not given, or
    one given that no expression reads."""
    problems: list[UsageProblem] = []
    reads = read_fields(price)
    for name in USAGE_FIELDS:
        if name in given and given[name] is not None and name not in reads:
            problems.append(
                ((name,), f"a `{price.type}` price does not read `{name}`: {_reads(price)}")
            )
    if isinstance(price, ExpressionPrice):
        needed = expression_metrics(price)
        have = set(metrics or {})
        missing = sorted(needed - have)
        if missing:
            listed = ", ".join(f"usage.{m}" for m in missing)
            problems.append(
                (
                    ("metrics",),
                    f"the price's expressions read {listed}: give a value under `metrics` for each",
                )
            )
        for name in sorted(have - needed):
            problems.append((("metrics", name), f"no expression of the price reads usage.{name}"))
    return problems


def make_usage(
    *,
    quantity: Decimal | None = None,
    volume: Decimal | None = None,
    count: int | None = None,
    metrics: Mapping[str, Decimal] | None = None,
    period: int = 0,
    groups: Sequence[UsageGroup] | None = None,
) -> Usage:
    """The engine's `Usage` for named fields; a field not given is zero (or no metrics)."""
    return Usage(
        quantity=quantity if quantity is not None else Decimal(0),
        volume=volume if volume is not None else Decimal(0),
        transactions=count if count is not None else 0,
        metrics=dict(metrics or {}),
        period_index=period,
        groups=tuple(groups or ()),
    )
