"""Pricing tests: `[tests.<key>]` tables that pin what a declared price charges.

A test names one declared price by a *price reference*, the usage of one billing period and
the total it expects (and, optionally, the line items). `billing test` prices the usage with
the engine and compares; `billing quote` takes the same references on the command line.

Tests are not resources: they are never sent to Alguna, have no address, and do not count
in the catalog digest (editing a test must not make a saved plan stale).

Price references (`PriceRef`), one grammar for tests and `billing quote`:

    plan.<plan>.<product>                                   a product item of a plan
    plan.<plan>.<bundle>.<product>                          a product of a bundle item of a plan
    bundle.<bundle>.<product>                               a bundle's declared price
    subscription.<sub>.versions[<effective>].<product>      an item of a subscription version
    subscription.<sub>.versions[<effective>].<bundle>.<product>

The segment count decides: after the owner (`plan.<key>` or `subscription.<key>.versions[..]`)
one key is a product, two are a bundle and one of its products. Keys contain no dots, so
the grammar is unambiguous. `<effective>` is written as in the catalog: a date
(`2026-01-01`) or a keyword (`end_of_term`).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from alguna_pricing.model.values import CurrencyCode, Frozen, Key, Money, Text

_KEY = r"[a-z][a-z0-9_]{0,63}"
_REF = re.compile(
    rf"^(?P<owner>plan|bundle|subscription)\.(?P<key>{_KEY})"
    rf"(?:\.versions\[(?P<version>[^\]\s]+)\])?"
    rf"(?:\.(?P<bundle>{_KEY}))?\.(?P<product>{_KEY})$"
)

REF_GRAMMAR = (
    "plan.<plan>.<product>, plan.<plan>.<bundle>.<product>, bundle.<bundle>.<product>,"
    " subscription.<subscription>.versions[<effective>].<product> or"
    " subscription.<subscription>.versions[<effective>].<bundle>.<product>"
)

Owner = Literal["plan", "bundle", "subscription"]


class PriceRef(Frozen):
    """A parsed price reference. `version` is set exactly for subscriptions; `bundle` names
    the bundle item of a plan or version that holds the product (never set for `bundle.`
    references, whose key already is the bundle)."""

    owner: Owner
    key: str
    version: str | None = None
    bundle: str | None = None
    product: str

    def __str__(self) -> str:
        parts = [self.owner, self.key]
        if self.version is not None:
            parts[-1] += f".versions[{self.version}]"
        if self.bundle is not None:
            parts.append(self.bundle)
        parts.append(self.product)
        return ".".join(parts)

    @classmethod
    def parse(cls, text: str) -> PriceRef:
        """Parse `text`; ValueError (a sentence with the grammar) when it is not a reference."""
        match = _REF.match(text.strip())
        if match is None:
            raise ValueError(f"{text!r} is not a price reference; write {REF_GRAMMAR}")
        owner = match["owner"]
        if owner == "subscription" and match["version"] is None:
            raise ValueError(
                f"{text!r}: a subscription price is named through its version:"
                " subscription.<subscription>.versions[<effective>].<product>"
            )
        if owner != "subscription" and match["version"] is not None:
            raise ValueError(f"{text!r}: only subscriptions have versions")
        if owner == "bundle" and match["bundle"] is not None:
            raise ValueError(f"{text!r}: a bundle's price is bundle.<bundle>.<product>")
        return cls.model_validate(match.groupdict())


# A usage amount: exact, non-negative, fractional allowed (GB, hours), like money.
UsageAmount = Annotated[
    Decimal,
    Field(
        strict=False,
        ge=0,
        lt=Decimal(10) ** 15,
        decimal_places=12,
        allow_inf_nan=False,
        description="An exact amount >= 0 (fractions allowed), below 10^15.",
    ),
]
MetricValue = Annotated[
    Decimal,
    Field(
        strict=False,
        gt=-(Decimal(10) ** 15),
        lt=Decimal(10) ** 15,
        decimal_places=12,
        allow_inf_nan=False,
        description="A metric's aggregated value for the period; may be negative (a net value).",
    ),
]
RefText = Annotated[
    str,
    StringConstraints(min_length=1, max_length=400),
    Field(description=f"Which declared price: {REF_GRAMMAR}."),
]


class ExpectedLine(Frozen):
    """One expected line item, compared in order with the engine's line items.

    `amount` is the line's exact amount at list price, before the price's terms and before
    rounding (line items are never rounded: only the total is). `quantity`, when given, is
    compared too."""

    description: Text = Field(
        description="The engine's description of the line, e.g. `tier 2 (over 3, up to 20)`."
    )
    amount: Money = Field(description="The exact, unrounded amount of the line.")
    quantity: UsageAmount | None = None


class PricingTest(Frozen):
    """`[tests.<key>]`: one usage of one declared price and the total it must come to.

    Usage fields: `quantity` (unit, tiered, graduated_tiered and the prepaid models),
    `volume` (the three percentage models) and `count` (transactions, volume_percentage),
    `metrics` (expression prices). A field the price's model does not read is an error, so a
    test cannot pass by pricing something else than it says. `period` is the billing
    period's 0-based index from the contract start (trials and fixed-duration discounts).
    """

    price: RefText
    description: Text | None = None
    quantity: UsageAmount | None = None
    volume: UsageAmount | None = None
    count: Annotated[int, Field(strict=True, ge=0, le=10**12)] | None = Field(
        default=None, description="Number of transactions (volume_percentage)."
    )
    metrics: dict[Key, MetricValue] | None = Field(
        default=None, description="Metric key -> value for the period (expression prices)."
    )
    period: Annotated[int, Field(strict=True, ge=0, le=1200)] = Field(
        default=0, description="0 for the contract's first billing period, 1 for the next..."
    )
    currency: CurrencyCode | None = Field(
        default=None,
        description="Needed for a bundle's declared price; otherwise the owner's currency.",
    )
    expected_total: Money = Field(
        description="The total after the price's terms, rounded to the currency's minor unit."
    )
    lines: tuple[ExpectedLine, ...] | None = Field(
        default=None, description="The expected line items, in the engine's order."
    )
