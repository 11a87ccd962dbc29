"""Prices: the eleven Alguna pricing models as one discriminated union on `type`.

A price is written flat in the catalog: its `type`, the fields of its model and the common
fields. Tiers are written as upper bounds (`up_to`, the last tier open); lower bounds are
derived when mapping to the wire, so gaps and overlaps cannot be written. Shape and ranges
are checked here; cross-field rules (tier order, fee type against the product, metrics)
live in `reconciler.catalog.rules`, which reports each with a precise field path.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    Field,
    SerializerFunctionWrapHandler,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_serializer,
)
from pydantic_core import PydanticCustomError

from alguna_pricing.model.matrix import MatrixCell, MatrixDimension
from alguna_pricing.model.tiers import PercentageTier as PercentageTier  # re-exported
from alguna_pricing.model.tiers import Tier as Tier  # re-exported (its home was this module)
from alguna_pricing.model.values import (
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
    """A minimum or maximum spend: a floor or cap on the charge per period.

    `billing_direction` (the SDK's `SpendingThresholdInput`) matters on a minimum spend
    only: `advance` bills the minimum at the start of each period and usage draws it down
    (usage above it is billed in arrears); unset or `arrears` trues the period up to the
    minimum at its end. A period's total is the same either way; what is invoiced when
    differs (docs/pricing.md)."""

    amount: Money
    period: Interval = "monthly"
    billing_direction: BillingDirection | None = None

    @model_serializer(mode="wrap")
    def _without_unset_direction(self, handler: SerializerFunctionWrapHandler) -> Any:
        """An unset direction is left out of dumps, so a plan's JSON (a public contract)
        and its text show a spend exactly as before the field existed."""
        data = handler(self)
        if self.billing_direction is None and isinstance(data, dict):
            data.pop("billing_direction", None)
        return data


DiscountType = Literal["percentage", "fixed"]


class Discount(Frozen):
    """A discount: `percentage` takes `amount` percent off; `fixed` takes `amount` (in the
    owner's currency) off each billing period it applies to, never below zero. Only prices
    take `fixed`: the SDK allows a subscription-level discount to be a percentage only, and
    a plan's discount becomes its subscriptions' (`catalog.price_rules.check_terms`).
    `monthly_rolling` (the default) applies for as long as the price; `fixed` for
    `duration_value` months. The SDK's `DiscountInput` requires a `duration_type`, so the
    default is explicit rather than absent."""

    type: DiscountType = "percentage"
    amount: Money
    duration_type: Literal["fixed", "monthly_rolling"] = "monthly_rolling"
    duration_unit: Literal["months"] | None = None
    duration_value: PositiveCount | None = None

    @field_validator("amount")
    @classmethod
    def _percentage_at_most_100(cls, amount: Decimal, info: ValidationInfo) -> Decimal:
        """A percentage above 100 would make the bill negative. Validated after `type`
        (declared first), so `info.data` holds it unless `type` itself failed."""
        if info.data.get("type", "percentage") == "percentage" and amount > 100:
            raise PydanticCustomError(
                "less_than_equal",
                'a percentage discount is at most 100 (an amount off is type = "fixed")',
                {"le": 100},
            )
        return amount


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


class MatrixPrice(PriceCommon):
    """Usage routed by event properties to cells, each charged by its own model (see
    `alguna_pricing.model.matrix` and docs/pricing.md)."""

    type: Literal["matrix"]
    dimensions: tuple[MatrixDimension, ...] = Field(min_length=1, max_length=10)
    cells: tuple[MatrixCell, ...] = Field(min_length=1, max_length=500)
    fallback: MatrixCell | None = Field(
        default=None, description="Prices the events the first dimension routes to no cell."
    )
    line_item_template: Text | None = None


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
    | ExpressionPrice
    | MatrixPrice,
    Field(discriminator="type"),
]

PRICE_CLASSES: tuple[type[PriceCommon], ...] = get_args(get_args(Price)[0])
PRICE_TYPES: tuple[str, ...] = tuple(
    get_args(cls.model_fields["type"].annotation)[0] for cls in PRICE_CLASSES
)
TIERED_TYPES = frozenset(
    t for t, cls in zip(PRICE_TYPES, PRICE_CLASSES, strict=True) if "tiers" in cls.model_fields
)
