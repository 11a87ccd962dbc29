"""The outline of a create: a few lines, one per priced item, money never cut."""

from __future__ import annotations

import re
from decimal import Decimal as D

import pytest
from pydantic import BaseModel

from alguna_pricing.model.prices import (
    Discount,
    ExpressionCharge,
    ExpressionPrice,
    GraduatedPercentagePrice,
    PercentageTier,
    PrepaidFixedTieredPrice,
    Spend,
    Tier,
    UnitPrice,
    VolumePercentagePrice,
)
from reconciler.diff import diff
from reconciler.diff.fields import dump
from reconciler.model import PRICE_TYPES, LiveState
from reconciler.plan import Plan
from reconciler.planning.planner import make_plan
from reconciler.report.outline import MAX_ATTRIBUTE_LINES, outline, price_line
from reconciler.report.plan_output import plan_text
from tests.builders import example_state
from tests.diff.catalog import fixed, graduated, unit
from tests.report.plans import AT
from tests.test_example_catalog import NOT_IN_EXAMPLE


@pytest.fixture(scope="module")
def example_plan() -> Plan:
    """The example catalog (every pricing model) planned against an empty account."""
    state = example_state("local")
    empty = LiveState(environment="local")
    return make_plan(state, empty, diff(state, empty), created_at=AT)


@pytest.mark.parametrize(
    ("price", "line"),
    [
        (unit("0.02"), "unit 0.02, monthly"),
        (fixed("49.00"), "fixed 49.00, monthly"),
        (graduated(), "graduated_tiered 0.10 up to 1000 / 0.05 up to 10000 / 0.01 above, monthly"),
        (
            VolumePercentagePrice(
                type="volume_percentage",
                billing_interval="monthly",
                percentage=D("2.9"),
                price_per_unit=D("0.30"),
            ),
            "volume_percentage 2.9% + 0.30, monthly",
        ),
        (
            GraduatedPercentagePrice(
                type="graduated_percentage",
                billing_interval="quarterly",
                tiers=(
                    PercentageTier(up_to=1000, percentage=D("1"), fixed_fee=D("5")),
                    PercentageTier(percentage=D("0.5")),
                ),
            ),
            "graduated_percentage 1% + 5 fee up to 1000 / 0.5% above, quarterly",
        ),
        (
            PrepaidFixedTieredPrice(
                type="prepaid_fixed_tiered",
                billing_interval="yearly",
                prepaid_units=1000,
                tiers=(Tier(up_to=5000, price_per_unit=D("0.2")), Tier(price_per_unit=D("0.1"))),
                minimum_spend=Spend(amount=D("100")),
            ),
            "prepaid_fixed_tiered 0.2 up to 5000 / 0.1 above (prepaid 1000), yearly,"
            " min 100/monthly",
        ),
        (
            UnitPrice(
                type="unit",
                billing_interval="monthly",
                price_per_unit=D("0.01"),
                minimum_spend=Spend(amount=D("100"), billing_direction="advance"),
                discount=Discount(type="fixed", amount=D("25")),
            ),
            "unit 0.01, monthly, min 100/monthly billed in advance, discount 25 off",
        ),
        (
            ExpressionPrice(
                type="expression",
                billing_interval="monthly",
                charges=(
                    ExpressionCharge(
                        description="GPU hours",
                        quantity_expression="x",
                        unit_price_expression="2",
                    ),
                ),
            ),
            "expression 1 charge(s): GPU hours, monthly",
        ),
    ],
)
def test_a_price_reads_as_its_type_and_money(price: BaseModel, line: str) -> None:
    assert price_line(dump(price)) == line


def test_every_pricing_model_of_the_example_gets_an_item_line(example_plan: Plan) -> None:
    text = plan_text(example_plan)
    for price_type in set(PRICE_TYPES) - NOT_IN_EXAMPLE:
        pattern = rf"^ {{8,}}\w+ +{price_type} .*\d"
        assert re.search(pattern, text, re.MULTILINE), price_type
    assert '"tiers"' not in text and '"price"' not in text  # no raw JSON of prices


def test_outlines_are_short_and_never_cut_money(example_plan: Plan) -> None:
    for change in example_plan.changes:
        if change.before is not None or change.after is None:
            continue
        lines = outline(change.after)
        head = [line for line in lines if not line.startswith((" ", "items:", "version "))]
        money = [line for line in head if line.startswith(("discount:", "minimum_spend:"))]
        assert len(head) - len(money) <= MAX_ATTRIBUTE_LINES, change.address
        if "discount" in change.after:
            assert any("discount: " in line for line in money), change.address
