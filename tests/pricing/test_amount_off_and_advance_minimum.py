"""What an amount-off discount and an advance minimum spend do to a quote, line by line.

The totals are in `test_hand_computed`; here the adjustments themselves: an amount off is
one `discount` adjustment capped at the running total; an advance minimum spend is the
minimum billed up front and the usage drawn from it, which sum to the arrears top-up.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alguna_pricing.model.prices import Discount, Price
from reconciler.pricing import PricingError, Usage, price_charge
from tests.pricing.builders import unit


def _adjustments(price: Price, quantity: int, period: int = 0) -> list[tuple[str, str, D]]:
    quote = price_charge(price, Usage(quantity=D(quantity), period_index=period), "USD")
    return [(a.kind, a.description, a.amount) for a in quote.adjustments]


def test_an_amount_off_is_one_discount_adjustment() -> None:
    price = unit("0.01", discount="12.50", amount_off=True)
    assert _adjustments(price, 5000) == [("discount", "discount 12.50 off", D("-12.50"))]


def test_an_amount_off_never_takes_more_than_the_bill() -> None:
    price = unit("0.01", discount="5", amount_off=True)
    assert _adjustments(price, 30) == [("discount", "discount 5 off", D("-0.30"))]


def test_an_expired_amount_off_makes_no_adjustment() -> None:
    price = unit("0.01", discount="10", discount_months=3, amount_off=True)
    assert _adjustments(price, 5000, period=3) == []


def test_an_advance_minimum_is_billed_up_front_and_drawn_down() -> None:
    price = unit("0.01", minimum="100", advance_minimum=True)
    assert _adjustments(price, 5000) == [
        ("minimum_spend", "minimum spend 100 billed in advance", D(100)),
        ("minimum_spend_drawdown", "usage drawn from the advance minimum spend", D(-50)),
    ]
    # usage above the minimum: all of the minimum is drawn, the rest is the usage itself
    assert _adjustments(price, 15000) == [
        ("minimum_spend", "minimum spend 100 billed in advance", D(100)),
        ("minimum_spend_drawdown", "usage drawn from the advance minimum spend", D(-100)),
    ]


def test_an_arrears_minimum_is_one_true_up() -> None:
    price = unit("0.01", minimum="100")
    assert _adjustments(price, 5000) == [("minimum_spend", "minimum spend 100", D(50))]
    assert _adjustments(price, 15000) == []


@settings(max_examples=80, deadline=None, derandomize=True)
@given(
    quantity=st.integers(min_value=0, max_value=10**7),
    minimum=st.integers(min_value=0, max_value=10**5),
    off=st.integers(min_value=0, max_value=10**5),
    rolling=st.booleans(),
)
def test_the_direction_changes_when_not_how_much(
    quantity: int, minimum: int, off: int, rolling: bool
) -> None:
    """Advance and arrears minimums come to the same total for every usage and discount;
    an amount off never makes a total negative and takes at most its amount."""
    common = {"minimum": str(minimum), "discount": str(off), "amount_off": True}
    if rolling:
        common["rolling"] = True
    advance = price_charge(
        unit("0.01", advance_minimum=True, **common), Usage(quantity=D(quantity)), "USD"
    )
    arrears = price_charge(unit("0.01", **common), Usage(quantity=D(quantity)), "USD")
    assert advance.unrounded_total == arrears.unrounded_total
    floor = max(advance.subtotal, D(minimum))
    assert advance.unrounded_total == max(floor - off, D(0))


def test_a_percentage_above_100_is_refused() -> None:
    with pytest.raises(ValueError, match="at most 100"):
        Discount(amount=D(101))
    assert Discount(type="fixed", amount=D(101)).amount == D(101)
    forced = unit("0.01").model_copy(
        update={"discount": Discount.model_construct(type="percentage", amount=D(150))}
    )
    with pytest.raises(PricingError, match="at most 100"):
        price_charge(forced, Usage(quantity=D(1)), "USD")
