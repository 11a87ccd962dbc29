"""Tiers as the catalog writes them: inclusive upper bounds (`up_to`), the last tier open.

Shared by the tiered price models and the tiered cells of a matrix price.
"""

from __future__ import annotations

from decimal import Decimal

from alguna_pricing.model.values import Frozen, Money, Percentage, PositiveCount


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
