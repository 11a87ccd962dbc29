"""The structure of a quote: which lines, in which tier, which adjustments, exactness."""

from __future__ import annotations

from decimal import Decimal as D

from reconciler.pricing import Adjustment, LineItem, TierSpan, Usage, price_charge
from tests.pricing.builders import (
    DOC_TIERS,
    graduated,
    graduated_pct,
    prepaid,
    prepaid_fixed,
    tiered,
    unit,
    volume_pct,
)


def test_volume_line_names_the_landed_tier() -> None:
    quote = price_charge(tiered(*DOC_TIERS), Usage(quantity=D(100)), "USD")
    (line,) = quote.line_items
    assert line.tier == TierSpan(index=0, lower=0, upper=100)
    assert (line.quantity, line.unit_amount, line.amount) == (D(100), D("0.15"), D("15.00"))


def test_zero_usage_on_tiers_gives_no_lines() -> None:
    for price in (tiered(*DOC_TIERS), graduated(*DOC_TIERS), graduated_pct((10, "1"), (None, "2"))):
        quote = price_charge(price, Usage(), "USD")
        assert quote.line_items == ()
        assert quote.total == D("0.00")


def test_graduated_lines_per_tier_with_fees_of_reached_tiers() -> None:
    price = graduated((10, "1.00", "5"), (20, "0.50", "6"), (None, "0.25", "7"))
    quote = price_charge(price, Usage(quantity=D(15)), "USD")
    assert [
        (li.kind, li.quantity, li.amount, li.tier and li.tier.index) for li in quote.line_items
    ] == [
        ("units", D(10), D("10.00"), 0),
        ("tier_fee", D(1), D(5), 0),
        ("units", D(5), D("2.50"), 1),
        ("tier_fee", D(1), D(6), 1),
    ]
    assert quote.subtotal == D("23.50")


def test_prepaid_splits_block_and_overage_and_tags_the_overage_interval() -> None:
    price = prepaid_fixed(150, *DOC_TIERS, overage="monthly", interval="yearly")
    quote = price_charge(price, Usage(quantity=D(600)), "USD")
    summary = [(li.kind, li.quantity, li.unit_amount, li.interval) for li in quote.line_items]
    assert summary == [
        ("prepaid", D(100), D("0.15"), None),
        ("prepaid", D(50), D("0.10"), None),
        ("overage", D(350), D("0.10"), "monthly"),
        ("overage", D(100), D("0.05"), "monthly"),
    ]
    assert quote.total == D("60.00")


def test_prepaid_tiered_overage_has_no_interval() -> None:
    quote = price_charge(prepaid(100, *DOC_TIERS), Usage(quantity=D(101)), "USD")
    assert [li.interval for li in quote.line_items] == [None, None]


def test_percentage_line_contract() -> None:
    quote = price_charge(
        volume_pct("2.9", "0.30", "1"), Usage(volume=D(100), transactions=2), "EUR"
    )
    pct, tx, base = quote.line_items
    assert (pct.kind, pct.quantity, pct.percentage, pct.amount) == (
        "percentage",
        D(100),
        D("2.9"),
        D("2.900"),
    )
    assert (tx.kind, tx.amount, base.kind, base.amount) == (
        "transactions",
        D("0.60"),
        "base_fee",
        D(1),
    )
    assert quote.total == D("4.50")


def test_adjustments_in_order_minimum_then_discount() -> None:
    quote = price_charge(unit("0.01", minimum="100", discount="10"), Usage(quantity=D(5000)), "USD")
    assert quote.adjustments == (
        Adjustment("minimum_spend", "minimum spend 100", D("50.00")),
        Adjustment("discount", "discount 10%", D("-10.000")),
    )
    assert quote.unrounded_total == D("90.000")


def test_trial_is_one_adjustment_cancelling_the_subtotal() -> None:
    quote = price_charge(unit("0.01", trial_days=7, minimum="100"), Usage(quantity=D(5000)), "USD")
    assert quote.subtotal == D("50.00")
    assert quote.adjustments == (Adjustment("trial", "trial (7 days)", D("-50.00")),)
    assert quote.total == D("0.00")


def test_line_items_stay_exact_only_total_is_rounded() -> None:
    quote = price_charge(unit("0.0001"), Usage(quantity=D(3)), "USD")
    assert quote.line_items[0].amount == D("0.0003")
    assert quote.subtotal == D("0.0003")
    assert quote.total == D("0.00")


def test_lines_are_plain_data() -> None:
    line = LineItem(kind="units", description="x", quantity=D(1), amount=D(1), unit_amount=D(1))
    assert line.tier is None and line.percentage is None and line.interval is None
