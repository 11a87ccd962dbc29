"""The three percentage models, priced on a transaction volume (in the currency's major
units) rather than a unit count.

- `tiered_percentage`: the whole volume at the percentage of the tier it lands in ("first
  matching tier applies"), plus that tier's fixed fee;
- `graduated_percentage`: each tier's percentage of the part of the volume inside it, plus
  the fixed fee of every tier reached;
- `volume_percentage`: `percentage` of the volume, plus `price_per_unit` per transaction,
  plus `fixed_fee` once per period (charged even with no transactions: it is the model's
  base fee, not a tier's).

Tier bounds (`up_to`) are volume amounts, inclusive, read like unit tiers (see `tiers`).
"""

from __future__ import annotations

from decimal import Decimal

from alguna_pricing.model.prices import (
    GraduatedPercentagePrice,
    TieredPercentagePrice,
    VolumePercentagePrice,
)
from alguna_pricing.quote import LineItem
from alguna_pricing.tiers import Band, bands, describe, fee_line, landed, reached

_ONE = Decimal(1)
_HUNDRED = Decimal(100)


def percentage_line(
    description: str, volume: Decimal, percentage: Decimal, band: Band | None = None
) -> LineItem:
    """`percentage` % of `volume` (exact: dividing by 100 only moves the decimal point)."""
    return LineItem(
        kind="percentage",
        description=description,
        quantity=volume,
        percentage=percentage,
        amount=volume * percentage / _HUNDRED,
        tier=None if band is None else band.span,
    )


def tiered_percentage_lines(price: TieredPercentagePrice, volume: Decimal) -> tuple[LineItem, ...]:
    """The landed tier's percentage of the whole volume + its fee; nothing at zero volume."""
    band = landed(bands(price.tiers), volume)
    if band is None:
        return ()
    line = percentage_line(f"{describe(band.span)}: whole volume", volume, band.rate, band)
    return (line, fee_line(band)) if band.fixed_fee else (line,)


def graduated_percentage_lines(
    price: GraduatedPercentagePrice, volume: Decimal
) -> tuple[LineItem, ...]:
    """Each reached tier's percentage of its part of the volume, + its fee."""
    lines: list[LineItem] = []
    for band, part in reached(bands(price.tiers), volume):
        lines.append(percentage_line(describe(band.span), part, band.rate, band))
        if band.fixed_fee:
            lines.append(fee_line(band))
    return tuple(lines)


def volume_percentage_lines(
    price: VolumePercentagePrice, volume: Decimal, transactions: int
) -> tuple[LineItem, ...]:
    """Percentage line always; transaction and base-fee lines when their rate is non-zero."""
    lines = [percentage_line("volume", volume, price.percentage)]
    if price.price_per_unit:
        count = Decimal(transactions)
        lines.append(
            LineItem(
                kind="transactions",
                description="per transaction",
                quantity=count,
                unit_amount=price.price_per_unit,
                amount=count * price.price_per_unit,
            )
        )
    if price.fixed_fee:
        lines.append(
            LineItem(
                kind="base_fee",
                description="fixed fee",
                quantity=_ONE,
                unit_amount=price.fixed_fee,
                amount=price.fixed_fee,
            )
        )
    return tuple(lines)
