"""Matrix prices, hand-computed: routing by event properties, each cell model, `*`, the
fallback, unmatched usage, usage added up per cell, and the price's terms on the sum.

The price (dimensions `region`, then `plan`):

| cell | region | plan  | model                | rates                                     |
|------|--------|-------|----------------------|-------------------------------------------|
| A    | eu     | pro   | unit                 | 0.10 per unit                             |
| B    | eu     | *     | fixed                | 25.00 x 2 units                           |
| C    | us     | pro   | tiered               | <=100: 1.00; <=1000: 0.50 + 10; then 0.25 |
| D    | us     | basic | graduated_tiered     | same tiers                                |
| E    | *      | pro   | tiered_percentage    | <=10000: 2 % + 1; then 1 %                |
| F    | *      | basic | graduated_percentage | same tiers                                |
| fallback |    |       | volume_percentage    | 1.5 % + 0.05 per transaction + 2.00       |
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from alguna_pricing.matrix_models import route
from alguna_pricing.model.prices import Discount, MatrixPrice, PercentageTier, Tier
from reconciler.model.matrix import (
    FixedCell,
    GraduatedPercentageCell,
    GraduatedTieredCell,
    MatrixDimension,
    TieredCell,
    TieredPercentageCell,
    UnitCell,
    VolumePercentageCell,
)
from reconciler.pricing import Usage, UsageGroup, price_charge

TIERS = (
    Tier(up_to=100, price_per_unit=D("1.00")),
    Tier(up_to=1000, price_per_unit=D("0.50"), fixed_fee=D("10")),
    Tier(price_per_unit=D("0.25")),
)
PCT = (
    PercentageTier(up_to=10000, percentage=D("2"), fixed_fee=D("1")),
    PercentageTier(percentage=D("1")),
)
PRICE = MatrixPrice(
    type="matrix",
    billing_interval="monthly",
    dimensions=(MatrixDimension(key="region", label="Region"),
                MatrixDimension(key="plan", label="Plan")),
    cells=(
        UnitCell(type="unit", label="A", match={"region": "eu", "plan": "pro"},
                 price_per_unit=D("0.10")),
        FixedCell(type="fixed", label="B", match={"region": "eu", "plan": "*"},
                  price_per_unit=D("25.00"), units=2),
        TieredCell(type="tiered", label="C", match={"region": "us", "plan": "pro"}, tiers=TIERS),
        GraduatedTieredCell(type="graduated_tiered", label="D",
                            match={"region": "us", "plan": "basic"}, tiers=TIERS),
        TieredPercentageCell(type="tiered_percentage", label="E",
                             match={"region": "*", "plan": "pro"}, tiers=PCT),
        GraduatedPercentageCell(type="graduated_percentage", label="F",
                                match={"region": "*", "plan": "basic"}, tiers=PCT),
    ),
    fallback=VolumePercentageCell(type="volume_percentage", label="G", percentage=D("1.5"),
                                  price_per_unit=D("0.05"), fixed_fee=D("2.00")),
)  # fmt: skip


def group(
    quantity: str = "0", volume: str = "0", transactions: int = 0, **props: str
) -> UsageGroup:
    return UsageGroup(props, quantity=D(quantity), volume=D(volume), transactions=transactions)


CASES = [
    # name, groups, total, the cells charged (line description prefixes)
    ("unit cell: 250 x 0.10", [group("250", region="eu", plan="pro")], "25.00", {"A"}),
    ("fixed cell by * plan: 25.00 x 2, whatever the usage",
     [group("7", region="eu", plan="enterprise")], "50.00", {"B"}),
    ("tiered cell: 500 lands in tier 2, 500 x 0.50 + 10",
     [group("500", region="us", plan="pro")], "260.00", {"C"}),
    ("graduated cell: 100 x 1.00 + 400 x 0.50 + 10",
     [group("500", region="us", plan="basic")], "310.00", {"D"}),
    ("tiered percentage by * region: 1 % of 20000",
     [group(volume="20000", region="apac", plan="pro")], "200.00", {"E"}),
    ("graduated percentage: 2 % of 10000 + 1 + 1 % of 10000",
     [group(volume="20000", region="apac", plan="basic")], "301.00", {"F"}),
    ("fallback (no region): 1.5 % of 1000 + 10 x 0.05 + 2.00",
     [group(volume="1000", transactions=10, plan="pro")], "17.50", {"G"}),
    ("exact before *: eu/pro is A, not E", [group("10", volume="10", region="eu", plan="pro")],
     "1.00", {"A"}),
    ("* at the second dimension: eu/basic is B", [group("1", region="eu", plan="basic")],
     "50.00", {"B"}),
    ("no going back: us/enterprise reaches no cell, not even the fallback",
     [group("999", region="us", plan="enterprise")], "0.00", set()),
    ("groups of one cell add up before tiering: 60 + 60 = 120 in tier 2",
     [group("60", region="us", plan="pro"), group("60", region="us", plan="pro")], "70.00",
     {"C"}),
    ("several cells: A 25.00 + C 260.00 + G 2.00 (base fee, empty volume)",
     [group("250", region="eu", plan="pro"), group("500", region="us", plan="pro"), group()],
     "287.00", {"A", "C", "G"}),
    ("no groups: nothing charged, not even fixed cells or the base fee", [], "0.00", set()),
]  # fmt: skip


@pytest.mark.parametrize(("groups", "total", "cells"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])  # fmt: skip
def test_hand_computed(groups: list[UsageGroup], total: str, cells: set[str]) -> None:
    quote = price_charge(PRICE, Usage(groups=tuple(groups)), "USD")
    assert quote.total == D(total)
    charged = {line.description.split(":")[0] for line in quote.line_items}
    assert charged - {"unmatched (region=us, plan=enterprise)"} == cells


def test_unmatched_usage_is_a_zero_line_that_names_it() -> None:
    quote = price_charge(PRICE, Usage(groups=(group("999", region="us", plan="x"),)), "USD")
    (line,) = quote.line_items
    assert line.kind == "unmatched" and line.amount == 0 and line.quantity == 999
    assert line.description == "unmatched (region=us, plan=x): no cell, not charged"


def test_without_a_fallback_the_first_dimension_misses_are_unmatched() -> None:
    bare = PRICE.model_copy(update={"fallback": None})
    assert route(bare, {"plan": "pro"}) is None
    assert route(PRICE, {"plan": "pro"}) is PRICE.fallback
    assert route(PRICE, {"region": "latam", "plan": "pro"}) is PRICE.cells[4]  # * region


def test_the_price_terms_apply_to_the_sum_of_the_cells() -> None:
    discounted = PRICE.model_copy(update={"discount": Discount(amount=D("10"))})
    usage = Usage(
        groups=(group("250", region="eu", plan="pro"), group("500", region="us", plan="pro"))
    )
    quote = price_charge(discounted, usage, "USD")
    assert quote.subtotal == D("285.00")
    assert [a.amount for a in quote.adjustments] == [D("-28.5")]
    assert quote.total == D("256.50")


def test_a_trial_waives_the_whole_matrix() -> None:
    trial = PRICE.model_copy(update={"trial_days": 30})
    usage = Usage(groups=(group("250", region="eu", plan="pro"),), period_index=0)
    assert price_charge(trial, usage, "USD").total == 0
    later = Usage(groups=usage.groups, period_index=1)
    assert price_charge(trial, later, "USD").total == D("25.00")
