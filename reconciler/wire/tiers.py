"""Tiers: catalog upper bounds (`up_to`) <-> wire ranges (`min_units`, `max_units`).

To the wire: the first tier starts at `min_units: 0`, each next tier starts where the
previous one ends (`min_units` = previous `max_units`, the boundary is shared), and
`max_units` is the tier's `up_to` (null for the open last tier). An open tier before the
last, or bounds that do not increase, cannot be written as ranges: `UnmappableModelError`.

Back from the wire: `up_to` = `max_units`. The ranges must chain exactly as above (first
`min_units` 0, no gaps, no overlaps, increasing, only the last may be open), else
`InvalidWireObjectError` naming the tier.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from alguna_pricing.model.prices import PercentageTier, Tier
from reconciler.wire.errors import InvalidWireObjectError, UnmappableModelError
from reconciler.wire.values import WireObject, decimal_from_wire, decimal_to_wire


def tiers_to_wire(tiers: Sequence[Tier | PercentageTier]) -> list[WireObject]:
    out: list[WireObject] = []
    lower = 0
    for index, tier in enumerate(tiers):
        last = index == len(tiers) - 1
        if tier.up_to is None and not last:
            raise UnmappableModelError(f"tier {index} is open (no up_to) but is not the last")
        if tier.up_to is not None and tier.up_to <= lower:
            raise UnmappableModelError(f"tier {index}: up_to {tier.up_to} is not above {lower}")
        body: WireObject = {"min_units": lower, "max_units": tier.up_to}
        if isinstance(tier, Tier):
            body["price_per_unit"] = decimal_to_wire(tier.price_per_unit)
        else:
            body["percentage"] = decimal_to_wire(tier.percentage)
        body["fixed_fee"] = decimal_to_wire(tier.fixed_fee)
        out.append(body)
        lower = tier.up_to or lower
    return out


def _bounds(tiers: Sequence[Any], where: str) -> list[int | None]:
    """Check the chain of ranges and return each tier's upper bound (`up_to`)."""
    if not isinstance(tiers, list) or not tiers:
        raise InvalidWireObjectError(where, "expected a non-empty list of tiers")
    expected_min = 0
    bounds: list[int | None] = []
    for index, tier in enumerate(tiers):
        here = f"{where}[{index}]"
        low, high = tier.get("min_units"), tier.get("max_units")
        if isinstance(low, bool) or not isinstance(low, int):
            raise InvalidWireObjectError(here, f"min_units must be an integer, got {low!r}")
        if low != expected_min:
            kind = "gap" if low > expected_min else "overlap"
            raise InvalidWireObjectError(
                here, f"{kind}: min_units is {low}, expected {expected_min}"
            )
        if high is None:
            if index != len(tiers) - 1:
                raise InvalidWireObjectError(here, "only the last tier may be open")
        elif isinstance(high, bool) or not isinstance(high, int) or high <= low:
            raise InvalidWireObjectError(here, f"max_units {high!r} is not above {low}")
        else:
            expected_min = high
        bounds.append(high)
    return bounds


def unit_tiers_from_wire(tiers: Any, where: str) -> tuple[Tier, ...]:
    return tuple(
        Tier(
            up_to=up_to,
            price_per_unit=decimal_from_wire(tier["price_per_unit"]),
            fixed_fee=decimal_from_wire(tier.get("fixed_fee", "0")),
        )
        for up_to, tier in zip(_bounds(tiers, where), tiers, strict=True)
    )


def percentage_tiers_from_wire(tiers: Any, where: str) -> tuple[PercentageTier, ...]:
    return tuple(
        PercentageTier(
            up_to=up_to,
            percentage=decimal_from_wire(tier["percentage"]),
            fixed_fee=decimal_from_wire(tier.get("fixed_fee", "0")),
        )
        for up_to, tier in zip(_bounds(tiers, where), tiers, strict=True)
    )
