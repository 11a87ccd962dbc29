"""Properties of the engine over generated prices and usage (hypothesis, bounded)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from alguna_pricing.errors import ExpressionError
from alguna_pricing.model.currency import minor_units
from alguna_pricing.model.prices import (
    Discount,
    ExpressionCharge,
    ExpressionPrice,
    FixedPrice,
    GraduatedPercentagePrice,
    GraduatedTieredPrice,
    PercentageTier,
    PrepaidFixedTieredPrice,
    PrepaidTieredPrice,
    Price,
    Spend,
    Tier,
    TieredPercentagePrice,
    TieredPrice,
    UnitPrice,
    VolumePercentagePrice,
)
from reconciler.pricing import Quote, Usage, check_expression, evaluate, price_charge

BOUNDED = settings(max_examples=150, deadline=None)

money = st.decimals(min_value=0, max_value=1000, places=4)
fee = st.decimals(min_value=0, max_value=100, places=2)
percentage = st.decimals(min_value=0, max_value=100, places=3)
quantity = st.one_of(
    st.integers(min_value=0, max_value=10**7).map(D),
    st.decimals(min_value=0, max_value=10**6, places=3),
)
currency = st.sampled_from(["USD", "EUR", "JPY", "KWD", "CLP"])


@st.composite
def bounds(draw: st.DrawFn) -> list[int | None]:
    """1-5 tiers: strictly rising upper bounds, the last one open."""
    cuts = draw(st.lists(st.integers(1, 10**6), max_size=4, unique=True))
    return [*sorted(cuts), None]


@st.composite
def unit_tiers(draw: st.DrawFn) -> tuple[Tier, ...]:
    return tuple(
        Tier(up_to=b, price_per_unit=draw(money), fixed_fee=draw(fee)) for b in draw(bounds())
    )


@st.composite
def pct_tiers(draw: st.DrawFn) -> tuple[PercentageTier, ...]:
    return tuple(
        PercentageTier(up_to=b, percentage=draw(percentage), fixed_fee=draw(fee))
        for b in draw(bounds())
    )


def _quote_ok(quote: Quote) -> None:
    """The quote's contract: nothing negative, sums add up, one half-up rounding."""
    for line in quote.line_items:
        assert line.amount >= 0 and line.quantity >= 0
        if line.percentage is not None:
            assert line.amount == line.quantity * line.percentage / 100
        else:
            assert line.unit_amount is not None
            assert line.amount == line.quantity * line.unit_amount
    assert quote.subtotal == sum((line.amount for line in quote.line_items), D(0))
    assert quote.subtotal >= 0
    assert quote.unrounded_total == quote.subtotal + sum(
        (a.amount for a in quote.adjustments), D(0)
    )
    assert quote.unrounded_total >= 0 and quote.total >= 0
    quantum = D(1).scaleb(-minor_units(quote.currency))
    assert quote.total == quote.unrounded_total.quantize(quantum, rounding=ROUND_HALF_UP)


@st.composite
def common_terms(draw: st.DrawFn) -> dict[str, object]:
    """Random trial, spend limits (min <= max, same period as billing) and discount."""
    interval = draw(st.sampled_from(["monthly", "quarterly", "semi_annual", "yearly"]))
    terms: dict[str, object] = {"billing_interval": interval}
    terms["trial_days"] = draw(st.none() | st.integers(0, 400))
    low = draw(st.none() | money)
    high = draw(st.none() | money)
    if low is not None and high is not None and low > high:
        low, high = high, low
    if low is not None:
        terms["minimum_spend"] = Spend(amount=low, period=interval)
    if high is not None:
        terms["maximum_spend"] = Spend(amount=high, period=interval)
    if draw(st.booleans()):
        months = draw(st.none() | st.integers(1, 24))
        terms["discount"] = Discount(
            amount=draw(percentage),
            duration_type="monthly_rolling" if months is None else "fixed",
            duration_value=months,
        )
    return terms


@st.composite
def any_price(draw: st.DrawFn) -> Price:
    terms = draw(common_terms())
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return UnitPrice(type="unit", price_per_unit=draw(money), **terms)
    if kind == 1:
        return FixedPrice(
            type="fixed", price_per_unit=draw(money), units=draw(st.integers(1, 1000)), **terms
        )
    if kind == 2:
        return TieredPrice(type="tiered", tiers=draw(unit_tiers()), **terms)
    if kind == 3:
        return GraduatedTieredPrice(
            type="graduated_tiered",
            tiers=draw(unit_tiers()),
            units=draw(st.none() | st.integers(0, 10**6)),
            **terms,
        )
    if kind == 4:
        return PrepaidTieredPrice(
            type="prepaid_tiered",
            prepaid_units=draw(st.integers(1, 10**6)),
            tiers=draw(unit_tiers()),
            **terms,
        )
    if kind == 5:
        return PrepaidFixedTieredPrice(
            type="prepaid_fixed_tiered",
            prepaid_units=draw(st.integers(1, 10**6)),
            tiers=draw(unit_tiers()),
            **terms,
        )
    if kind == 6:
        return TieredPercentagePrice(type="tiered_percentage", tiers=draw(pct_tiers()), **terms)
    if kind == 7:
        return GraduatedPercentagePrice(
            type="graduated_percentage", tiers=draw(pct_tiers()), **terms
        )
    if kind == 8:
        return VolumePercentagePrice(
            type="volume_percentage",
            percentage=draw(percentage),
            price_per_unit=draw(money),
            fixed_fee=draw(fee),
            **terms,
        )
    return ExpressionPrice(
        type="expression",
        charges=(
            ExpressionCharge(
                description="overage",
                quantity_expression="usage.a - 1000",
                unit_price_expression=str(draw(money)),
            ),
            ExpressionCharge(
                description="blocks",
                quantity_expression="ceil(usage.b / 7)",
                unit_price_expression="max(0.5, usage.a / 100000)",
            ),
        ),
        **terms,
    )


@st.composite
def any_usage(draw: st.DrawFn) -> Usage:
    return Usage(
        quantity=draw(quantity),
        volume=draw(quantity),
        transactions=draw(st.integers(0, 10**6)),
        metrics={"a": draw(quantity), "b": draw(quantity)},
        period_index=draw(st.integers(0, 40)),
    )


@BOUNDED
@given(any_price(), any_usage(), currency)
def test_no_charge_is_ever_negative_and_quotes_add_up(
    price: Price, usage: Usage, code: str
) -> None:
    _quote_ok(price_charge(price, usage, code))


@BOUNDED
@given(unit_tiers(), quantity, quantity)
def test_graduated_never_decreases_as_quantity_grows(
    tiers: tuple[Tier, ...], first: D, second: D
) -> None:
    price = GraduatedTieredPrice(type="graduated_tiered", billing_interval="monthly", tiers=tiers)
    low, high = sorted((first, second))
    low_quote = price_charge(price, Usage(quantity=low), "USD")
    high_quote = price_charge(price, Usage(quantity=high), "USD")
    assert low_quote.subtotal <= high_quote.subtotal
    assert low_quote.total <= high_quote.total


@BOUNDED
@given(pct_tiers(), quantity, quantity)
def test_graduated_percentage_never_decreases_as_volume_grows(
    tiers: tuple[PercentageTier, ...], first: D, second: D
) -> None:
    price = GraduatedPercentagePrice(
        type="graduated_percentage", billing_interval="monthly", tiers=tiers
    )
    low, high = sorted((first, second))
    assert (
        price_charge(price, Usage(volume=low), "USD").subtotal
        <= price_charge(price, Usage(volume=high), "USD").subtotal
    )


@BOUNDED
@given(money, fee, quantity)
def test_volume_and_graduated_agree_on_single_tier_prices(rate: D, tier_fee: D, units: D) -> None:
    tiers = (Tier(price_per_unit=rate, fixed_fee=tier_fee),)
    volume = TieredPrice(type="tiered", billing_interval="monthly", tiers=tiers)
    graduated = GraduatedTieredPrice(
        type="graduated_tiered", billing_interval="monthly", tiers=tiers
    )
    usage = Usage(quantity=units)
    volume_quote = price_charge(volume, usage, "USD")
    graduated_quote = price_charge(graduated, usage, "USD")
    assert volume_quote.subtotal == graduated_quote.subtotal
    assert volume_quote.total == graduated_quote.total


@BOUNDED
@given(percentage, fee, quantity)
def test_percentage_models_agree_on_single_tier_prices(pct: D, tier_fee: D, volume: D) -> None:
    tiers = (PercentageTier(percentage=pct, fixed_fee=tier_fee),)
    usage = Usage(volume=volume)
    tiered = TieredPercentagePrice(
        type="tiered_percentage", billing_interval="monthly", tiers=tiers
    )
    graduated = GraduatedPercentagePrice(
        type="graduated_percentage", billing_interval="monthly", tiers=tiers
    )
    assert price_charge(tiered, usage, "USD").total == price_charge(graduated, usage, "USD").total


@BOUNDED
@given(unit_tiers(), st.integers(1, 10**6), quantity)
def test_prepaid_is_graduated_of_at_least_the_block(
    tiers: tuple[Tier, ...], block: int, units: D
) -> None:
    prepaid = PrepaidTieredPrice(
        type="prepaid_tiered", billing_interval="monthly", prepaid_units=block, tiers=tiers
    )
    graduated = GraduatedTieredPrice(
        type="graduated_tiered", billing_interval="monthly", tiers=tiers
    )
    billed = max(units, D(block))
    assert (
        price_charge(prepaid, Usage(quantity=units), "USD").subtotal
        == price_charge(graduated, Usage(quantity=billed), "USD").subtotal
    )


@BOUNDED
@given(unit_tiers(), quantity)
def test_volume_charges_every_unit_at_one_rate(tiers: tuple[Tier, ...], units: D) -> None:
    quote = price_charge(
        TieredPrice(type="tiered", billing_interval="monthly", tiers=tiers),
        Usage(quantity=units),
        "USD",
    )
    unit_lines = [line for line in quote.line_items if line.kind == "units"]
    assert len(unit_lines) == (1 if units > 0 else 0)
    assert sum((line.quantity for line in unit_lines), D(0)) == units


@BOUNDED
@given(money, quantity)
def test_expression_of_one_metric_equals_unit_price(rate: D, units: D) -> None:
    unit = UnitPrice(type="unit", billing_interval="monthly", price_per_unit=rate)
    expr = ExpressionPrice(
        type="expression",
        billing_interval="monthly",
        charges=(
            ExpressionCharge(
                description="x", quantity_expression="usage.x", unit_price_expression=str(rate)
            ),
        ),
    )
    assert (
        price_charge(unit, Usage(quantity=units), "USD").total
        == price_charge(expr, Usage(metrics={"x": units}), "USD").total
    )


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="usage.abcxyz_0123456789+-*/()%, minceilfloor[]'\"", max_size=40))
def test_check_expression_never_crashes_and_agrees_with_evaluate(text: str) -> None:
    problems = check_expression(text)
    assert isinstance(problems, list)
    if problems:
        try:
            evaluate(text, {})
        except ExpressionError:
            return
        raise AssertionError(f"evaluate accepted {text!r} despite {problems}")
