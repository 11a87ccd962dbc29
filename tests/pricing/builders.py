"""Short constructors for real catalog price models, so test tables stay readable.

Tier specs are `(up_to, price_per_unit)` or `(up_to, price_per_unit, fixed_fee)` with
amounts as strings; `up_to=None` is the open last tier.
"""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

from alguna_pricing.model.prices import (
    Discount,
    ExpressionCharge,
    ExpressionPrice,
    FixedPrice,
    GraduatedPercentagePrice,
    GraduatedTieredPrice,
    PercentageTier,
    PrepaidFixedTieredPrice,
    PrepaidTieredPrice,
    Spend,
    Tier,
    TieredPercentagePrice,
    TieredPrice,
    UnitPrice,
    VolumePercentagePrice,
)

TierSpec = tuple[int | None, str] | tuple[int | None, str, str]

# Alguna's worked example: tiers 0–100 @0.15, 101–500 @0.10, 501+ @0.05.
# Source: https://alguna.com/docs/pricing/pricing-models (alguna-api.md §3.4).
DOC_TIERS: tuple[TierSpec, ...] = ((100, "0.15"), (500, "0.10"), (None, "0.05"))


def unit_tiers(*spec: TierSpec) -> tuple[Tier, ...]:
    return tuple(
        Tier(up_to=s[0], price_per_unit=D(s[1]), fixed_fee=D(s[2] if len(s) > 2 else "0"))
        for s in spec
    )


def pct_tiers(*spec: TierSpec) -> tuple[PercentageTier, ...]:
    return tuple(
        PercentageTier(up_to=s[0], percentage=D(s[1]), fixed_fee=D(s[2] if len(s) > 2 else "0"))
        for s in spec
    )


def terms(
    *,
    interval: str = "monthly",
    trial_days: int | None = None,
    minimum: str | None = None,
    maximum: str | None = None,
    discount: str | None = None,
    discount_months: int | None = None,
    rolling: bool = False,
    spend_period: str | None = None,
    amount_off: bool = False,
    advance_minimum: bool = False,
) -> dict[str, Any]:
    """Common fields as keyword arguments for any price model. `amount_off` makes the
    discount a `fixed` amount off, `advance_minimum` bills the minimum spend in advance."""
    period = spend_period or interval
    direction = "advance" if advance_minimum else None
    fields: dict[str, Any] = {"billing_interval": interval, "trial_days": trial_days}
    if minimum is not None:
        fields["minimum_spend"] = Spend(
            amount=D(minimum), period=period, billing_direction=direction
        )
    if maximum is not None:
        fields["maximum_spend"] = Spend(amount=D(maximum), period=period)
    if discount is not None:
        kind = "fixed" if amount_off else "percentage"
        if discount_months is not None:
            fields["discount"] = Discount(
                type=kind,
                amount=D(discount),
                duration_type="fixed",
                duration_unit="months",
                duration_value=discount_months,
            )
        elif rolling:
            fields["discount"] = Discount(
                type=kind, amount=D(discount), duration_type="monthly_rolling"
            )
        else:
            fields["discount"] = Discount(type=kind, amount=D(discount))
    return fields


def unit(rate: str, **kw: Any) -> UnitPrice:
    return UnitPrice(type="unit", price_per_unit=D(rate), **terms(**kw))


def fixed(rate: str, units: int = 1, **kw: Any) -> FixedPrice:
    return FixedPrice(type="fixed", price_per_unit=D(rate), units=units, **terms(**kw))


def tiered(*spec: TierSpec, **kw: Any) -> TieredPrice:
    return TieredPrice(type="tiered", tiers=unit_tiers(*spec), **terms(**kw))


def graduated(*spec: TierSpec, units: int | None = None, **kw: Any) -> GraduatedTieredPrice:
    return GraduatedTieredPrice(
        type="graduated_tiered", tiers=unit_tiers(*spec), units=units, **terms(**kw)
    )


def prepaid(prepaid_units: int, *spec: TierSpec, **kw: Any) -> PrepaidTieredPrice:
    return PrepaidTieredPrice(
        type="prepaid_tiered", prepaid_units=prepaid_units, tiers=unit_tiers(*spec), **terms(**kw)
    )


def prepaid_fixed(
    prepaid_units: int, *spec: TierSpec, overage: str = "monthly", **kw: Any
) -> PrepaidFixedTieredPrice:
    return PrepaidFixedTieredPrice(
        type="prepaid_fixed_tiered",
        prepaid_units=prepaid_units,
        overages_charge_interval=overage,
        tiers=unit_tiers(*spec),
        **terms(**kw),
    )


def tiered_pct(*spec: TierSpec, **kw: Any) -> TieredPercentagePrice:
    return TieredPercentagePrice(type="tiered_percentage", tiers=pct_tiers(*spec), **terms(**kw))


def graduated_pct(*spec: TierSpec, **kw: Any) -> GraduatedPercentagePrice:
    return GraduatedPercentagePrice(
        type="graduated_percentage", tiers=pct_tiers(*spec), **terms(**kw)
    )


def volume_pct(
    percentage: str, per_tx: str = "0", fee: str = "0", **kw: Any
) -> VolumePercentagePrice:
    return VolumePercentagePrice(
        type="volume_percentage",
        percentage=D(percentage),
        price_per_unit=D(per_tx),
        fixed_fee=D(fee),
        **terms(**kw),
    )


def expression(*charges: tuple[str, str], **kw: Any) -> ExpressionPrice:
    """Charges as `(quantity_expression, unit_price_expression)` pairs."""
    return ExpressionPrice(
        type="expression",
        charges=tuple(
            ExpressionCharge(
                description=f"charge {i + 1}", quantity_expression=q, unit_price_expression=p
            )
            for i, (q, p) in enumerate(charges)
        ),
        **terms(**kw),
    )
