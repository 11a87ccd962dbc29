"""`price_charge`: one price, one period's usage, one currency -> a `Quote`.

Dispatches on the price's model, applies the price's terms and rounds the total once. All
arithmetic runs in the exact context (`exact`), so every line item and adjustment is the
exact Decimal result, and a computation that would need rounding is an error instead.
"""

from __future__ import annotations

from decimal import Decimal

from alguna_pricing.adjustments import apply_terms
from alguna_pricing.errors import PricingError
from alguna_pricing.exact import exact_arithmetic
from alguna_pricing.expression_models import expression_lines
from alguna_pricing.matrix_models import matrix_lines
from alguna_pricing.model.prices import (
    ExpressionPrice,
    FixedPrice,
    GraduatedPercentagePrice,
    GraduatedTieredPrice,
    MatrixPrice,
    PrepaidFixedTieredPrice,
    PrepaidTieredPrice,
    Price,
    TieredPercentagePrice,
    TieredPrice,
    UnitPrice,
    VolumePercentagePrice,
)
from alguna_pricing.percentage_models import (
    graduated_percentage_lines,
    tiered_percentage_lines,
    volume_percentage_lines,
)
from alguna_pricing.periods import one_off_period
from alguna_pricing.quote import LineItem, Quote
from alguna_pricing.rounding import check_currency, round_total
from alguna_pricing.tiered_models import (
    graduated_lines,
    prepaid_lines,
    tiered_lines,
)
from alguna_pricing.unit_models import fixed_lines, unit_lines
from alguna_pricing.usage import Usage


def line_items(price: Price, usage: Usage) -> tuple[LineItem, ...]:
    """The list-price lines of `price` for `usage` (exact, each >= 0), before any term."""
    if isinstance(price, UnitPrice):
        return unit_lines(price, usage)
    if isinstance(price, FixedPrice):
        return fixed_lines(price, usage)
    if isinstance(price, TieredPrice):
        return tiered_lines(price, usage)
    if isinstance(price, GraduatedTieredPrice):
        return graduated_lines(price, usage)
    if isinstance(price, PrepaidTieredPrice | PrepaidFixedTieredPrice):
        return prepaid_lines(price, usage)
    if isinstance(price, TieredPercentagePrice):
        return tiered_percentage_lines(price, usage.volume)
    if isinstance(price, GraduatedPercentagePrice):
        return graduated_percentage_lines(price, usage.volume)
    if isinstance(price, VolumePercentagePrice):
        return volume_percentage_lines(price, usage.volume, usage.transactions)
    if isinstance(price, ExpressionPrice):
        return expression_lines(price, usage)
    if isinstance(price, MatrixPrice):
        return matrix_lines(price, usage, line_items)
    raise PricingError(f"no pricing model for {type(price).__name__}")


def price_charge(price: Price, usage: Usage, currency: str, *, one_off: bool = False) -> Quote:
    """The charge of `price` for one billing period of `usage`, in `currency`.

    `one_off`: the price's product is billed once (`billing_frequency = "one-off"`): it is
    charged in one period only (`periods.one_off_period`: the contract's first with
    `charge_on_contract_start`, a charge no trial defers; else the first after the trial);
    in every other period the quote has no line and a total of 0.

    Contract: pure and deterministic; line items and adjustments are exact; `total` is the
    exact total rounded once, half up, to the currency's minor unit; no line item, subtotal
    or total is negative. Raises a `PricingError` subclass (a `BillingError`) for an unknown
    currency, malformed tiers, an invalid expression, a spend limit whose period is not the
    billing period, minimum above maximum, or amounts beyond exact precision.
    """
    check_currency(currency)
    if one_off:
        if usage.period_index != one_off_period(price):
            zero = Decimal(0)
            return Quote(currency, (), zero, (), zero, round_total(zero, currency))
        price = price.model_copy(update={"trial_days": None})  # charged now, trial or not
    with exact_arithmetic():
        lines = line_items(price, usage)
        subtotal = sum((line.amount for line in lines), Decimal(0))
        adjustments, unrounded = apply_terms(price, subtotal, usage.period_index)
    return Quote(
        currency=currency,
        line_items=lines,
        subtotal=subtotal,
        adjustments=adjustments,
        unrounded_total=unrounded,
        total=round_total(unrounded, currency),
    )
