"""The price's terms applied to the list-price subtotal, in this order:

1. trial: a period inside the trial is free; nothing else applies (a minimum spend must not
   bill a trial period);
2. minimum spend: raise the running total to the floor. In arrears (the default) one
   top-up of `minimum - subtotal` when usage is below it; in advance (`billing_direction =
   "advance"`) the whole minimum, billed at the period's start, then the usage it covers
   drawn from it (`minimum_spend_drawdown`, `-min(subtotal, minimum)`). Both come to
   `max(subtotal, minimum)`: the direction decides when the minimum is invoiced, not the
   period's total;
3. maximum spend: cap it;
4. discount: take its percentage off what is left, or (`type = "fixed"`) its amount,
   never more than what is left (a bill is never negative).

Why the discount comes last: minimum and maximum spend are commitments on list-price usage,
and the discount is a concession on the bill. Applied before the floor, a discount would be
swallowed whenever usage is under the minimum (the floor would top the discount back up), so
the customer would not get the percentage they were promised; applied last, the bill is
always `(1 - d)` times the committed amount. A cap followed by a discount likewise yields
`cap x (1 - d)`. Spend limits are compared against the exact subtotal (not a rounded one).
"""

from __future__ import annotations

from decimal import Decimal

from alguna_pricing.errors import PricingError
from alguna_pricing.model.prices import Discount, PriceCommon, Spend
from alguna_pricing.periods import check_spend_period, discount_active, in_trial
from alguna_pricing.quote import Adjustment

_ZERO = Decimal(0)
_HUNDRED = Decimal(100)


def apply_terms(
    price: PriceCommon, subtotal: Decimal, period_index: int
) -> tuple[tuple[Adjustment, ...], Decimal]:
    """The adjustments to `subtotal` (>= 0) and the resulting exact total (>= 0).

    Raises `PricingError` when the minimum spend is above the maximum, and
    `PeriodMismatchError` when a spend limit's period is not the billing period (checked
    in every period, trial or not, so a bad price fails the same way whatever the period).
    """
    minimum, maximum = price.minimum_spend, price.maximum_spend
    if minimum is not None:
        check_spend_period(minimum, price, "minimum_spend")
    if maximum is not None:
        check_spend_period(maximum, price, "maximum_spend")
    if minimum is not None and maximum is not None and minimum.amount > maximum.amount:
        raise PricingError(
            f"minimum_spend {minimum.amount} is above maximum_spend {maximum.amount}"
        )
    discount = price.discount
    discounted = discount is not None and discount_active(discount, price, period_index)
    if in_trial(price, period_index):
        trial = Adjustment("trial", f"trial ({price.trial_days} days)", _ZERO - subtotal)
        return (trial,), _ZERO
    adjustments: list[Adjustment] = []
    total = subtotal
    if minimum is not None:
        adjustments.extend(_minimum(minimum, total))
        total = max(total, minimum.amount)
    if maximum is not None and total > maximum.amount:
        adjustments.append(
            Adjustment("maximum_spend", f"maximum spend {maximum.amount}", maximum.amount - total)
        )
        total = maximum.amount
    if discount is not None and discounted and discount.amount:
        off = _discount_off(discount, total)
        adjustments.append(Adjustment("discount", _discount_text(discount), _ZERO - off))
        total -= off
    return tuple(adjustments), total


def _minimum(minimum: Spend, total: Decimal) -> tuple[Adjustment, ...]:
    """The minimum spend's adjustments on a running `total`; they sum to
    `max(total, minimum) - total` in both directions."""
    floor = minimum.amount
    if minimum.billing_direction == "advance":
        return (
            Adjustment("minimum_spend", f"minimum spend {floor} billed in advance", floor),
            Adjustment(
                "minimum_spend_drawdown",
                "usage drawn from the advance minimum spend",
                _ZERO - min(total, floor),
            ),
        )
    if total < floor:
        return (Adjustment("minimum_spend", f"minimum spend {floor}", floor - total),)
    return ()


def _discount_off(discount: Discount, total: Decimal) -> Decimal:
    """What `discount` takes off `total` (>= 0): a percentage of it, or a fixed amount
    capped at it. Raises `PricingError` for a percentage above 100."""
    if discount.type == "fixed":
        return min(discount.amount, total)
    if discount.amount > _HUNDRED:
        raise PricingError(f"a percentage discount is at most 100, not {discount.amount}")
    return total * discount.amount / _HUNDRED


def _discount_text(discount: Discount) -> str:
    if discount.type == "fixed":
        return f"discount {discount.amount} off"
    return f"discount {discount.amount}%"
