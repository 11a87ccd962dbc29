"""Inline price objects: the ten pricing models and the rules the API enforces on them.

Owns the price request shape, its validation (exactly one ``*_pricing_model`` object and it
matches ``type``; contiguous tiers; percentages at most 100; the server-computed fixed
``total``) and the stored/response form. Must not look anything up: whether referenced
metrics or products exist is checked by the resource that owns the price.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal, Self, get_args

from pydantic import Field, model_validator

from .fields import (
    Count,
    Currency,
    Direction,
    FeeType,
    Frequency,
    Interval,
    Money,
    Name,
    Ref,
    Strict,
    Text,
)

PriceType = Literal[
    "unit",
    "fixed",
    "tiered",
    "graduated_tiered",
    "prepaid_tiered",
    "prepaid_fixed_tiered",
    "tiered_percentage",
    "graduated_percentage",
    "volume_percentage",
    "expression",
]
MODEL_FIELDS: tuple[str, ...] = tuple(f"{name}_pricing_model" for name in get_args(PriceType))
_HUNDRED = Decimal(100)


def _check_percentage(value: str, where: str) -> None:
    if Decimal(value) > _HUNDRED:
        raise ValueError(f"{where}: percentage {value} is above 100")


class UnitTier(Strict):
    """A tier priced per unit, with an optional flat fee."""

    min_units: Count
    max_units: Count | None = None
    price_per_unit: Money
    fixed_fee: Money | None = None


class PercentTier(Strict):
    """A tier priced as a percentage of the aggregated amount."""

    min_units: Count
    max_units: Count | None = None
    percentage: Money
    fixed_fee: Money | None = None


def check_tiers(tiers: Sequence[UnitTier | PercentTier]) -> None:
    """Tiers start at 0, each starts where the previous ended, only the last is open."""
    if tiers[0].min_units != 0:
        raise ValueError("tiers: the first tier must start at min_units 0")
    for index, tier in enumerate(tiers):
        last = index == len(tiers) - 1
        if last and tier.max_units is not None:
            raise ValueError("tiers: the last tier must be open-ended (max_units null)")
        if not last:
            if tier.max_units is None:
                raise ValueError(f"tiers[{index}]: only the last tier may have max_units null")
            if tier.max_units <= tier.min_units:
                raise ValueError(f"tiers[{index}]: max_units must be greater than min_units")
            following = tiers[index + 1].min_units
            if following != tier.max_units:
                kind = "gap" if following > tier.max_units else "overlap"
                raise ValueError(
                    f"tiers[{index + 1}]: min_units {following} leaves a {kind} after "
                    f"max_units {tier.max_units}; each tier must start where the previous ends"
                )


UnitTiers = Annotated[list[UnitTier], Field(min_length=1, max_length=100)]
PercentTiers = Annotated[list[PercentTier], Field(min_length=1, max_length=100)]


class UnitModel(Strict):
    price_per_unit: Money


class FixedModel(Strict):
    """``total`` is computed by the server as price_per_unit × units; a sent value is ignored."""

    price_per_unit: Money
    units: Count = 1
    total: Money | None = None

    @model_validator(mode="after")
    def _compute_total(self) -> FixedModel:
        self.total = format(Decimal(self.price_per_unit) * self.units, "f")
        return self


class _TieredModel(Strict):
    """The rule every tiered model shares: its ``tiers`` are contiguous (see check_tiers)."""

    if TYPE_CHECKING:
        tiers: Sequence[UnitTier | PercentTier]

    @model_validator(mode="after")
    def _tiers(self) -> Self:
        check_tiers(self.tiers)
        return self


class TieredModel(_TieredModel):
    tiers: UnitTiers
    units: Count | None = None


class PrepaidTieredModel(_TieredModel):
    prepaid_units: Count
    tiers: UnitTiers


class PrepaidFixedTieredModel(_TieredModel):
    prepaid_units: Count
    overages_charge_interval: Interval
    tiers: UnitTiers


class PercentTieredModel(_TieredModel):
    tiers: PercentTiers

    @model_validator(mode="after")  # runs after the inherited tier check
    def _percentages(self) -> PercentTieredModel:
        for index, tier in enumerate(self.tiers):
            _check_percentage(tier.percentage, f"tiers[{index}]")
        return self


class VolumePercentageModel(Strict):
    price_per_unit: Money | None = None
    percentage: Money
    fixed_fee: Money | None = None

    @model_validator(mode="after")
    def _range(self) -> VolumePercentageModel:
        _check_percentage(self.percentage, "volume_percentage_pricing_model")
        return self


class ExpressionCharge(Strict):
    billing_direction: Direction
    description: Text | None = None
    quantity_expression: Annotated[str, Field(min_length=1, max_length=1000)]
    unit_price_expression: Annotated[str, Field(min_length=1, max_length=1000)]


class ExpressionModel(Strict):
    charges: Annotated[list[ExpressionCharge], Field(min_length=1, max_length=50)]


class Spend(Strict):
    amount: Money
    period: Name


class Discount(Strict):
    type: Name
    amount: Money
    duration_type: Name | None = None
    duration_unit: Name | None = None
    duration_value: Count | None = None

    @model_validator(mode="after")
    def _range(self) -> Discount:
        if self.type == "percentage":
            _check_percentage(self.amount, "discount")
        return self


class Price(Strict):
    """A price as sent inside plan items, bundles, subscription items and version items."""

    type: PriceType
    fee_type: FeeType
    billing_direction: Direction
    billing_frequency: Frequency | None = None
    billing_interval: Interval
    billing_interval_count: Annotated[int, Field(ge=1, le=120)] | None = None
    billing_interval_unit: Literal["day", "week", "month", "year"] | None = None
    recurring_instalment_interval_count: Annotated[int, Field(ge=1, le=120)] | None = None
    recurring_instalment_interval_unit: Literal["day", "week", "month", "year"] | None = None
    metric_ids: Annotated[list[Ref], Field(max_length=50)] = Field(default_factory=list)
    display_order: Annotated[int, Field(ge=0)] | None = None
    charge_on_contract_start: bool | None = None
    trial_period_days: Annotated[int, Field(ge=0, le=3650)] | None = None
    minimum_spend: Spend | None = None
    maximum_spend: Spend | None = None
    discount: Discount | None = None
    currency: Currency | None = None
    unit_pricing_model: UnitModel | None = None
    fixed_pricing_model: FixedModel | None = None
    tiered_pricing_model: TieredModel | None = None
    graduated_tiered_pricing_model: TieredModel | None = None
    prepaid_tiered_pricing_model: PrepaidTieredModel | None = None
    prepaid_fixed_tiered_pricing_model: PrepaidFixedTieredModel | None = None
    tiered_percentage_pricing_model: PercentTieredModel | None = None
    graduated_percentage_pricing_model: PercentTieredModel | None = None
    volume_percentage_pricing_model: VolumePercentageModel | None = None
    expression_pricing_model: ExpressionModel | None = None

    @model_validator(mode="after")
    def _rules(self) -> Price:
        present = [name for name in MODEL_FIELDS if getattr(self, name) is not None]
        expected = f"{self.type}_pricing_model"
        if len(present) != 1:
            shown = ", ".join(present) or "none"
            raise ValueError(
                f"exactly one *_pricing_model object is required (got {shown}); "
                f"type {self.type!r} needs {expected}"
            )
        if present[0] != expected:
            raise ValueError(f"type {self.type!r} needs {expected}, not {present[0]}")
        if self.fee_type == "fixed" and self.billing_frequency is None:
            raise ValueError("billing_frequency is required when fee_type is 'fixed'")
        if self.fee_type == "metered" and not self.metric_ids:
            raise ValueError("metric_ids needs at least one metric when fee_type is 'metered'")
        return self


def price_document(price: Price, currency: str) -> dict[str, Any]:
    """The stored/response form: every common field, only the one model object, a currency."""
    doc = price.model_dump(mode="json")
    for name in MODEL_FIELDS:
        if doc.get(name) is None:
            doc.pop(name, None)
    doc["currency"] = currency
    return doc
