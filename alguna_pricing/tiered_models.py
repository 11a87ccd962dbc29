"""The four unit-tier models: volume (`tiered`), `graduated_tiered` and the two prepaid ones.

- volume: every unit at the rate of the tier the whole quantity lands in, plus that tier's
  fixed fee;
- graduated: the units inside each tier at that tier's rate, plus the fixed fee of every
  tier reached (with at least some units in it);
- prepaid: the block of `prepaid_units` is charged in full every period (upfront) through
  the tiers it covers, graduated; usage above the block is overage, priced through the tiers
  it falls in, graduated, at its position counted from 0. A period's charge is therefore
  the graduated charge of `max(quantity, prepaid_units)`, split into prepaid and overage.
  `prepaid_fixed_tiered` prices the same; its overage lines carry the
  `overages_charge_interval` on which they are invoiced.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from alguna_pricing.model.prices import (
    GraduatedTieredPrice,
    PrepaidFixedTieredPrice,
    PrepaidTieredPrice,
    TieredPrice,
)
from alguna_pricing.quote import LineItem, LineKind
from alguna_pricing.tiers import Band, bands, describe, fee_line, landed
from alguna_pricing.usage import Usage


def tiered_lines(price: TieredPrice, usage: Usage) -> tuple[LineItem, ...]:
    """Volume pricing: no line at zero usage (no tier is reached, so no fee either)."""
    band = landed(bands(price.tiers), usage.quantity)
    if band is None:
        return ()
    units = LineItem(
        kind="units",
        description=f"{describe(band.span)}: all units",
        quantity=usage.quantity,
        unit_amount=band.rate,
        amount=usage.quantity * band.rate,
        tier=band.span,
    )
    return (units, fee_line(band)) if band.fixed_fee else (units,)


def segment_lines(
    all_bands: Sequence[Band],
    start: Decimal,
    end: Decimal,
    kind: LineKind,
    label: str = "",
    interval: str | None = None,
) -> tuple[LineItem, ...]:
    """The units at positions `(start, end]` priced through the tiers (graduated), with the
    fixed fee of each tier this segment is the first to reach (a tier with units at or
    below `start` was reached, and its fee charged, by an earlier segment)."""
    lines: list[LineItem] = []
    for band in all_bands:
        units = band.portion(end) - band.portion(start)
        if units <= 0:
            continue
        lines.append(
            LineItem(
                kind=kind,
                description=f"{label}{describe(band.span)}",
                quantity=units,
                unit_amount=band.rate,
                amount=units * band.rate,
                tier=band.span,
                interval=interval,
            )
        )
        if band.fixed_fee and band.portion(start) == 0:
            lines.append(fee_line(band, label))
    return tuple(lines)


def graduated_quantity(price: GraduatedTieredPrice, usage: Usage) -> Decimal:
    """The quantity priced: the declared `units` when set (tiered pricing of a fixed
    product, where nothing is metered), otherwise the usage."""
    return usage.quantity if price.units is None else Decimal(price.units)


def graduated_lines(price: GraduatedTieredPrice, usage: Usage) -> tuple[LineItem, ...]:
    """Graduated pricing of `graduated_quantity`; no line at zero."""
    return segment_lines(bands(price.tiers), Decimal(0), graduated_quantity(price, usage), "units")


def prepaid_lines(
    price: PrepaidTieredPrice | PrepaidFixedTieredPrice, usage: Usage
) -> tuple[LineItem, ...]:
    """The prepaid block (always charged), then the overage above it (if any)."""
    all_bands = bands(price.tiers)
    block = Decimal(price.prepaid_units)
    interval = (
        price.overages_charge_interval if isinstance(price, PrepaidFixedTieredPrice) else None
    )
    prepaid = segment_lines(all_bands, Decimal(0), block, "prepaid", "prepaid: ")
    overage = segment_lines(
        all_bands, block, max(usage.quantity, block), "overage", "overage: ", interval
    )
    return prepaid + overage
