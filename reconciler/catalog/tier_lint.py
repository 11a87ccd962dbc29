"""Pricing lint of tiers (see `pricing_lint` for the codes and why they are warnings).

Tier-shape rules that need no charge computation: rates that rise with volume, free tiers in
volume pricing, redundant bounds, prepaid blocks that span tiers and tiers above a
`graduated_tiered` price's `units`. Each returns hits `(path inside the price, code,
message)` for well-formed tiers only (`well_formed`): malformed ones have errors already.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from alguna_pricing.errors import PricingError
from alguna_pricing.model.prices import (
    GraduatedTieredPrice,
    PercentageTier,
    PrepaidFixedTieredPrice,
    PrepaidTieredPrice,
    Tier,
    TieredPercentagePrice,
    TieredPrice,
)
from alguna_pricing.tiers import bands
from reconciler.model import Price
from reconciler.source.toml_lines import Path

# One lint result for a price: the field path inside it, the code and the message.
Hit = tuple[Path, str, str]

VOLUME = (TieredPrice, TieredPercentagePrice)
"""The volume models: the tier the whole quantity lands in prices all of it."""


def tier_hits(price: Price, tiers: Sequence[Tier | PercentageTier]) -> list[Hit]:
    """Every tier-shape warning of `price` (empty for malformed tiers)."""
    if not tiers or not well_formed(tiers):
        return []
    return (
        _rates(price, tiers)
        + _redundant(price, tiers)
        + _prepaid(price, tiers)
        + _units_reach(price, tiers)
    )


def well_formed(tiers: Sequence[Tier | PercentageTier]) -> bool:
    """Tiers the engine accepts; others already have errors (`price.tier_order`...)."""
    try:
        bands(tiers)
    except PricingError:
        return False
    return True


def rate(tier: Tier | PercentageTier) -> Decimal:
    return tier.price_per_unit if isinstance(tier, Tier) else tier.percentage


def rate_field(tier: Tier | PercentageTier) -> str:
    return "price_per_unit" if isinstance(tier, Tier) else "percentage"


def lower_bound(tiers: Sequence[Tier | PercentageTier], index: int) -> int:
    return 0 if index == 0 else int(tiers[index - 1].up_to or 0)


def _rates(price: Price, tiers: Sequence[Tier | PercentageTier]) -> list[Hit]:
    """Rates that rise with volume, and free volume tiers before paid ones."""
    hits: list[Hit] = []
    volume = isinstance(price, VOLUME)
    for index in range(1, len(tiers)):
        before, tier = tiers[index - 1], tiers[index]
        bound = lower_bound(tiers, index)
        if rate(before) > 0 and rate(tier) > rate(before):
            effect = (
                "crossing it makes every unit dearer"
                if volume
                else "units above it cost more than those below"
            )
            hits.append(
                (
                    ("tiers", index, rate_field(tier)),
                    "lint.rate_rises",
                    f"tier {index + 1}'s rate ({rate(tier)}) is above tier {index}'s"
                    f" ({rate(before)}) past up_to = {bound}: {effect}; rates usually fall"
                    " as volume grows",
                )
            )
        if volume and rate(before) == 0 and before.fixed_fee == 0 and rate(tier) > 0:
            hits.append(
                (
                    ("tiers", index - 1, rate_field(before)),
                    "lint.volume_free_tier",
                    f"in volume pricing a free tier is lost once usage passes up_to = {bound}:"
                    f" then every unit, the first {bound} included, is charged at tier"
                    f" {index + 1}'s rate; for a free allowance use a graduated model",
                )
            )
    return hits


def _redundant(price: Price, tiers: Sequence[Tier | PercentageTier]) -> list[Hit]:
    """Adjacent tiers that charge alike: in volume models the same rate and fee; in
    graduated ones the same rate and no fee on the later tier (a fee marks the bound)."""
    hits: list[Hit] = []
    volume = isinstance(price, VOLUME)
    for index in range(1, len(tiers)):
        before, tier = tiers[index - 1], tiers[index]
        same_fee = tier.fixed_fee == before.fixed_fee if volume else tier.fixed_fee == 0
        if rate(tier) == rate(before) and same_fee:
            hits.append(
                (
                    ("tiers", index - 1, "up_to"),
                    "lint.tier_redundant",
                    f"tiers {index} and {index + 1} charge the same, so up_to ="
                    f" {lower_bound(tiers, index)} changes nothing; merge them",
                )
            )
    return hits


def _prepaid(price: Price, tiers: Sequence[Tier | PercentageTier]) -> list[Hit]:
    if not isinstance(price, PrepaidTieredPrice | PrepaidFixedTieredPrice):
        return []
    first = tiers[0].up_to
    if first is None or price.prepaid_units <= first:
        return []
    return [
        (
            ("prepaid_units",),
            "lint.prepaid_spans_tiers",
            f"prepaid_units = {price.prepaid_units} is above the first tier's up_to = {first}:"
            " the prepaid block is priced through several tiers; usually the first tier is"
            " the block",
        )
    ]


def _units_reach(price: Price, tiers: Sequence[Tier | PercentageTier]) -> list[Hit]:
    """graduated_tiered with `units` prices that quantity whatever the usage: the tiers
    above it are never reached."""
    if not isinstance(price, GraduatedTieredPrice) or price.units is None:
        return []
    for index in range(len(tiers)):
        if lower_bound(tiers, index) >= price.units:
            return [
                (
                    ("tiers", index),
                    "lint.tier_unreachable",
                    f"units = {price.units} is priced whatever the usage, so tier"
                    f" {index + 1} (over {lower_bound(tiers, index)}) and any after it are never"
                    " reached",
                )
            ]
    return []
