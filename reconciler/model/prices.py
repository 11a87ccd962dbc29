"""Prices: the ten Alguna pricing models as one discriminated union on `type`.

A price is written flat in the catalog: its `type`, the fields of its model and the common
fields. Tiers are written as upper bounds (`up_to`, the last tier open); lower bounds are
derived when mapping to the wire, so gaps and overlaps cannot be written. Shape and ranges
are checked here; cross-field rules (tier order, fee type against the product, metrics)
live in `reconciler.catalog.rules`, which reports each with a precise field path.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal, get_args

from pydantic import Field, StringConstraints

from reconciler.model.base import (
    BillingDirection,
    Count,
    Flag,
    Frozen,
    Interval,
    IntervalCount,
    Key,
    Money,
    Percentage,
    PositiveCount,
    Text,
    TrialDays,
)


class Spend(Frozen):
    """A minimum or maximum spend: a floor or cap on the charge per period."""

    amount: Money
    period: Interval = "monthly"


class Discount(Frozen):
    """A percentage discount. `monthly_rolling` (the default) applies for as long as the
    price; `fixed` for `duration_value` months. The SDK's `DiscountInput` requires a
    `duration_type`, so the default is explicit rather than absent."""

    type: Literal["percentage"] = "percentage"
    amount: Percentage
    duration_type: Literal["fixed", "monthly_rolling"] = "monthly_rolling"
    duration_unit: Literal["months"] | None = None
    duration_value: PositiveCount | None = None


class PriceCommon(Frozen):
    """Fields every pricing model accepts."""

    billing_interval: Interval = Field(
        description="How often the price is billed: monthly, quarterly, semi_annual, yearly."
    )
    billing_interval_count: IntervalCount | None = Field(
        default=None, description="Custom interval: bill every N `billing_interval_unit`s."
    )
    billing_interval_unit: Literal["month"] | None = None
    billing_direction: BillingDirection | None = Field(
        default=None, description="advance or arrears; defaults to the product's payment_terms."
    )
    charge_on_contract_start: Flag = False
    trial_days: TrialDays | None = None
    minimum_spend: Spend | None = None
    maximum_spend: Spend | None = None
    discount: Discount | None = None
    display_order: Count | None = None
    metrics: tuple[Key, ...] | None = Field(
        default=None, description="Metric keys driving usage; defaults to the product's metrics."
    )


class Tier(Frozen):
    """A unit tier. `up_to` is the tier's inclusive upper bound; omitted on the last tier."""

    up_to: PositiveCount | None = None
    price_per_unit: Money
    fixed_fee: Money = Decimal(0)


class PercentageTier(Frozen):
    """A percentage tier: `percentage` of the volume that falls in (or selects) the tier."""

    up_to: PositiveCount | None = None
    percentage: Percentage
    fixed_fee: Money = Decimal(0)


class UnitPrice(PriceCommon):
    type: Literal["unit"]
    price_per_unit: Money


class FixedPrice(PriceCommon):
    type: Literal["fixed"]
    price_per_unit: Money
    units: PositiveCount = 1


class TieredPrice(PriceCommon):
    """Volume pricing: the tier the total lands in prices every unit."""

    type: Literal["tiered"]
    tiers: tuple[Tier, ...] = Field(min_length=1, max_length=100)


class GraduatedTieredPrice(PriceCommon):
    """Each tier prices the units that fall inside it."""

    type: Literal["graduated_tiered"]
    tiers: tuple[Tier, ...] = Field(min_length=1, max_length=100)
    units: Count | None = None


class PrepaidTieredPrice(PriceCommon):
    type: Literal["prepaid_tiered"]
    prepaid_units: PositiveCount
    tiers: tuple[Tier, ...] = Field(min_length=1, max_length=100)


class PrepaidFixedTieredPrice(PriceCommon):
    type: Literal["prepaid_fixed_tiered"]
    prepaid_units: PositiveCount
    overages_charge_interval: Interval = "monthly"
    tiers: tuple[Tier, ...] = Field(min_length=1, max_length=100)


class TieredPercentagePrice(PriceCommon):
    type: Literal["tiered_percentage"]
    tiers: tuple[PercentageTier, ...] = Field(min_length=1, max_length=100)


class GraduatedPercentagePrice(PriceCommon):
    type: Literal["graduated_percentage"]
    tiers: tuple[PercentageTier, ...] = Field(min_length=1, max_length=100)


class VolumePercentagePrice(PriceCommon):
    """A percentage of transaction volume plus a per-transaction and a fixed amount."""

    type: Literal["volume_percentage"]
    percentage: Percentage
    price_per_unit: Money = Decimal(0)
    fixed_fee: Money = Decimal(0)


Expression = Annotated[str, StringConstraints(min_length=1, max_length=1000)]


class ExpressionCharge(Frozen):
    description: Text
    quantity_expression: Expression
    unit_price_expression: Expression
    billing_direction: BillingDirection = "arrears"


class ExpressionPrice(PriceCommon):
    type: Literal["expression"]
    charges: tuple[ExpressionCharge, ...] = Field(min_length=1, max_length=50)


Price = Annotated[
    UnitPrice
    | FixedPrice
    | TieredPrice
    | GraduatedTieredPrice
    | PrepaidTieredPrice
    | PrepaidFixedTieredPrice
    | TieredPercentagePrice
    | GraduatedPercentagePrice
    | VolumePercentagePrice
    | ExpressionPrice,
    Field(discriminator="type"),
]

PRICE_CLASSES: tuple[type[PriceCommon], ...] = get_args(get_args(Price)[0])
PRICE_TYPES: tuple[str, ...] = tuple(
    get_args(cls.model_fields["type"].annotation)[0] for cls in PRICE_CLASSES
)
TIERED_TYPES = frozenset(
    t for t, cls in zip(PRICE_TYPES, PRICE_CLASSES, strict=True) if "tiers" in cls.model_fields
)
