"""The tier rule shared by tiered prices and tiered matrix cells: upper bounds strictly
rising, only the last tier open. Findings are reported through a `Reporter`, at a path
inside the price."""

from __future__ import annotations

from typing import Protocol

from alguna_pricing.model.prices import PercentageTier, Tier
from reconciler.source.toml_lines import Path


class Reporter(Protocol):
    def __call__(
        self, sub: Path, code: str, message: str, reads: tuple[Path, ...] | None = None
    ) -> None: ...


def check_tiers(tiers: tuple[Tier | PercentageTier | None, ...], err: Reporter) -> None:
    previous: int | None = None
    for index, tier in enumerate(tiers):
        last = index == len(tiers) - 1
        if tier is None:
            continue
        if tier.up_to is None and not last:
            err(
                ("tiers", index),
                "price.tier_unbounded",
                "only the last tier may be open; give this tier an `up_to`",
                reads=(("tiers", index, "up_to"),),
            )
        elif tier.up_to is not None and last:
            err(
                ("tiers", index, "up_to"),
                "price.last_tier_bounded",
                "the last tier must be open: remove its `up_to`",
            )
        if tier.up_to is not None:
            if previous is not None and tier.up_to <= previous:
                err(
                    ("tiers", index, "up_to"),
                    "price.tier_order",
                    f"tier bounds must rise: up_to = {tier.up_to} is not above the"
                    f" previous tier's {previous}",
                )
            previous = tier.up_to
