"""Inline price objects: the eleven pricing models and the rules the API enforces on them.

Owns the price request shape, its validation (exactly one ``*_pricing_model`` object and it
matches ``type``; contiguous tiers; percentages at most 100; the server-computed fixed
``total``) and the stored/response form. Must not look anything up: whether referenced
metrics or products exist is checked by the resource that owns the price.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, localcontext
from typing import TYPE_CHECKING, Annotated, Any, Literal, Self, get_args

from pydantic import BeforeValidator, Field, WithJsonSchema, model_validator

from .fields import (
    Count,
    Currency,
    Direction,
    FeeType,
    FlagOrFalse,
    Frequency,
    Interval,
    Money,
    Name,
    Ref,
    Strict,
    Text,
)
from .matrix import MatrixModel

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
    "matrix",
]
MODEL_FIELDS: tuple[str, ...] = tuple(f"{name}_pricing_model" for name in get_args(PriceType))
_HUNDRED = Decimal(100)
# A price carries only its one model object: the ten unused ones are left out of responses.
_LEFT_OUT = Field(exclude_if=lambda value: value is None)


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


def _ignored(_: Any) -> None:
    return None


# price_per_unit × units: up to 10^27, so not bounded like Money; whatever is sent is ignored.
ComputedTotal = Annotated[
    str | None,
    BeforeValidator(_ignored),
    WithJsonSchema(
        {"description": "computed by the server; a sent value is ignored"}, mode="validation"
    ),
    WithJsonSchema({"type": "string", "description": "decimal string"}, mode="serialization"),
]


class FixedModel(Strict):
    """``total`` is computed by the server as price_per_unit × units; a sent value is ignored."""

    price_per_unit: Money
    units: Count = 1
    total: ComputedTotal = None

    @model_validator(mode="after")
    def _compute_total(self) -> FixedModel:
        with localcontext(prec=60):  # < 10^15 × ≤ 10^12 with 12 decimals: exact, no rounding
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
    """The SDK's `SpendingThresholdInput`: `billing_direction` says whether a minimum spend
    is billed in advance of each period (drawn down by usage) or trued up in arrears."""

    amount: Money
    period: Name
    billing_direction: Direction | None = None


class Discount(Strict):
    """The SDK's `DiscountInput` (`type`) or, inside bundle prices, its `Discount`
    (`discount_type`): the two names are one field here. `duration_type` is required."""

    type: Literal["percentage", "fixed"]
    amount: Money
    duration_type: Literal["fixed", "monthly_rolling"]
    duration_unit: Name | None = None
    duration_value: Count | None = None

    @model_validator(mode="before")
    @classmethod
    def _discount_type(cls, data: Any) -> Any:
        if isinstance(data, dict) and "discount_type" in data and "type" not in data:
            data = {**data, "type": data["discount_type"]}
            del data["discount_type"]
        return data

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
    charge_on_contract_start: FlagOrFalse = False  # the SDK's price responses require it
    trial_period_days: Annotated[int, Field(ge=0, le=3650)] | None = None
    minimum_spend: Spend | None = None
    maximum_spend: Spend | None = None
    discount: Discount | None = None
    currency: Currency | None = None
    unit_pricing_model: Annotated[UnitModel | None, _LEFT_OUT] = None
    fixed_pricing_model: Annotated[FixedModel | None, _LEFT_OUT] = None
    tiered_pricing_model: Annotated[TieredModel | None, _LEFT_OUT] = None
    graduated_tiered_pricing_model: Annotated[TieredModel | None, _LEFT_OUT] = None
    prepaid_tiered_pricing_model: Annotated[PrepaidTieredModel | None, _LEFT_OUT] = None
    prepaid_fixed_tiered_pricing_model: Annotated[PrepaidFixedTieredModel | None, _LEFT_OUT] = None
    tiered_percentage_pricing_model: Annotated[PercentTieredModel | None, _LEFT_OUT] = None
    graduated_percentage_pricing_model: Annotated[PercentTieredModel | None, _LEFT_OUT] = None
    volume_percentage_pricing_model: Annotated[VolumePercentageModel | None, _LEFT_OUT] = None
    expression_pricing_model: Annotated[ExpressionModel | None, _LEFT_OUT] = None
    matrix_pricing_model: Annotated[MatrixModel | None, _LEFT_OUT] = None

    @model_validator(mode="before")
    @classmethod
    def _one_model(cls, data: Any) -> Any:
        """The model object must match ``type``: checked first, so a mismatch is reported
        plainly rather than as errors inside the wrong model object."""
        if not isinstance(data, dict) or data.get("type") not in get_args(PriceType):
            return data  # field validation reports it
        kind = data["type"]
        expected = f"{kind}_pricing_model"
        present = [name for name in MODEL_FIELDS if data.get(name) is not None]
        if present == [expected]:
            return data
        if not present:
            raise ValueError(f'type "{kind}" needs {expected} (exactly one model object)')
        others = ", ".join(name for name in present if name != expected)
        if expected in present:
            raise ValueError(
                f'type "{kind}" needs only {expected}, not also {others} (exactly one model object)'
            )
        raise ValueError(f'type "{kind}" needs {expected}, not {others}')

    @model_validator(mode="after")
    def _rules(self) -> Price:
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
