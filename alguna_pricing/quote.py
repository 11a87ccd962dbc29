"""The engine's output: line items (exact), adjustments (exact) and a rounded total.

Line items are what the usage costs at list price; adjustments are what the price's terms
do to that subtotal (trial, minimum and maximum spend, discount), in the order applied.
Only `Quote.total` is rounded, once, so that no rounding error accumulates across lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

LineKind = Literal[
    "units",  # quantity x unit_amount (unit, fixed, volume and graduated tiers)
    "prepaid",  # the upfront block of a prepaid model, through the tiers it covers
    "overage",  # units above the prepaid block, through the tiers they fall in
    "tier_fee",  # a tier's fixed fee (quantity 1)
    "percentage",  # quantity (a volume) x percentage / 100
    "transactions",  # per-transaction fee of volume_percentage
    "base_fee",  # volume_percentage's fixed fee (quantity 1)
    "expression",  # one charge of an expression price
    "unmatched",  # a matrix usage group no cell prices (amount 0, unit_amount 0)
]
AdjustmentKind = Literal[
    "trial", "minimum_spend", "minimum_spend_drawdown", "maximum_spend", "discount"
]


@dataclass(frozen=True)
class TierSpan:
    """Which tier a line belongs to: `index` is 0-based, `lower` is the exclusive lower
    bound (0 for the first tier) and `upper` the inclusive upper bound (None when open)."""

    index: int
    lower: int
    upper: int | None


@dataclass(frozen=True)
class LineItem:
    """One charge at list price, exact (never rounded, never negative).

    Contract: for a `percentage` line, `amount == quantity * percentage / 100`; for every
    other line, `amount == quantity * unit_amount`. `interval` is set only when the line is
    invoiced on a cadence other than the price's billing interval (prepaid_fixed_tiered
    overage, billed every `overages_charge_interval`).
    """

    kind: LineKind
    description: str
    quantity: Decimal
    amount: Decimal
    unit_amount: Decimal | None = None
    percentage: Decimal | None = None
    tier: TierSpan | None = None
    interval: str | None = None


@dataclass(frozen=True)
class Adjustment:
    """A change to the running total made by the price's terms, exact and signed: a trial
    or a discount or a maximum is negative, a minimum spend top-up positive. An advance
    minimum spend is two adjustments: the minimum billed up front (positive) and the usage
    it covers (`minimum_spend_drawdown`, negative)."""

    kind: AdjustmentKind
    description: str
    amount: Decimal


@dataclass(frozen=True)
class Quote:
    """The charge of one price for one billing period.

    Contract: `subtotal == sum(line.amount)`; `unrounded_total == subtotal +
    sum(adjustment.amount)` and is >= 0; `total` is `unrounded_total` rounded once to the
    currency's minor unit, half up, and is >= 0.
    """

    currency: str
    line_items: tuple[LineItem, ...]
    subtotal: Decimal
    adjustments: tuple[Adjustment, ...]
    unrounded_total: Decimal
    total: Decimal
