"""Tier bands: the catalog's `up_to` bounds turned into intervals, and the two ways of
reading them (the tier a quantity lands in; the part of a quantity inside each tier).

Bounds are inclusive upper bounds: tier i covers quantities q with
`lower_i < q <= upper_i`, where `lower_i` is the previous tier's `up_to` (0 for the first)
and the last tier is open. So units 1..100 are in a tier `up_to = 100` and the 101st unit
is in the next one; a quantity exactly at a bound belongs to the lower tier. The reading is
continuous, so fractional quantities (100.5) need no special case. Zero lands in no tier.
The same bands serve unit tiers (bounds in units) and percentage tiers (bounds in the
currency's major units of volume).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from alguna_pricing.errors import InvalidTiersError
from alguna_pricing.model.prices import PercentageTier, Tier
from alguna_pricing.quote import LineItem, TierSpan

_ZERO = Decimal(0)
_ONE = Decimal(1)


@dataclass(frozen=True)
class Band:
    """One tier as an interval `(lower, upper]` with its rate (a unit price or a
    percentage) and its fixed fee."""

    span: TierSpan
    rate: Decimal
    fixed_fee: Decimal

    def portion(self, quantity: Decimal) -> Decimal:
        """How much of `quantity` (counted from 0) falls inside this band; >= 0."""
        top = quantity if self.span.upper is None else min(quantity, Decimal(self.span.upper))
        return max(_ZERO, top - self.span.lower)

    def contains(self, quantity: Decimal) -> bool:
        """Whether `quantity` lands in this band: `lower < quantity <= upper`."""
        upper = self.span.upper
        return self.span.lower < quantity and (upper is None or quantity <= upper)


def bands(tiers: Sequence[Tier | PercentageTier]) -> tuple[Band, ...]:
    """The tiers as bands. Raises `InvalidTiersError` unless there is at least one tier,
    bounds strictly rise and exactly the last tier is open (what the catalog rules demand)."""
    if not tiers:
        raise InvalidTiersError("a tiered price needs at least one tier")
    result: list[Band] = []
    lower = 0
    for index, tier in enumerate(tiers):
        last = index == len(tiers) - 1
        if last and tier.up_to is not None:
            raise InvalidTiersError(f"tiers[{index}]: the last tier must be open (no up_to)")
        if not last and tier.up_to is None:
            raise InvalidTiersError(f"tiers[{index}]: only the last tier may be open")
        if tier.up_to is not None and tier.up_to <= lower:
            raise InvalidTiersError(
                f"tiers[{index}]: up_to = {tier.up_to} must be above the previous bound {lower}"
            )
        rate = tier.price_per_unit if isinstance(tier, Tier) else tier.percentage
        result.append(Band(TierSpan(index, lower, tier.up_to), rate, tier.fixed_fee))
        if tier.up_to is not None:
            lower = tier.up_to
    return tuple(result)


def landed(all_bands: Sequence[Band], quantity: Decimal) -> Band | None:
    """The band `quantity` lands in (volume reading), or None for zero."""
    return next((band for band in all_bands if band.contains(quantity)), None)


def reached(all_bands: Sequence[Band], quantity: Decimal) -> tuple[tuple[Band, Decimal], ...]:
    """Each band with part of `quantity` in it, with that part (graduated reading). A band
    is reached when a strictly positive part falls in it; zero reaches none."""
    parts = ((band, band.portion(quantity)) for band in all_bands)
    return tuple((band, part) for band, part in parts if part > 0)


def describe(span: TierSpan) -> str:
    """A human label: `tier 2 (over 100, up to 500)`, `tier 3 (over 500)`."""
    upper = "" if span.upper is None else f", up to {span.upper}"
    return f"tier {span.index + 1} (over {span.lower}{upper})"


def fee_line(band: Band, label: str = "") -> LineItem:
    """A tier's fixed fee as a line of quantity 1."""
    return LineItem(
        kind="tier_fee",
        description=f"{label}{describe(band.span)} fixed fee",
        quantity=_ONE,
        unit_amount=band.fixed_fee,
        amount=band.fixed_fee,
        tier=band.span,
    )
