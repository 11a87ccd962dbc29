"""The price's terms applied to the list-price subtotal, in this order:

1. trial: a period inside the trial is free; nothing else applies (a minimum spend must not
   bill a trial period);
2. minimum spend: raise the running total to the floor;
3. maximum spend: cap it;
4. discount: take its percentage off what is left.

Why the discount comes last: minimum and maximum spend are commitments on list-price usage,
and the discount is a concession on the bill. Applied before the floor, a discount would be
swallowed whenever usage is under the minimum (the floor would top the discount back up), so
the customer would not get the percentage they were promised; applied last, the bill is
always `(1 - d)` times the committed amount. A cap followed by a discount likewise yields
`cap x (1 - d)`. Spend limits are compared against the exact subtotal (not a rounded one).
"""

from __future__ import annotations

from decimal import Decimal

from reconciler.model.prices import PriceCommon
from reconciler.pricing.errors import PricingError
from reconciler.pricing.periods import check_spend_period, discount_active, in_trial
from reconciler.pricing.quote import Adjustment

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
    if minimum is not None and total < minimum.amount:
        adjustments.append(
            Adjustment("minimum_spend", f"minimum spend {minimum.amount}", minimum.amount - total)
        )
        total = minimum.amount
    if maximum is not None and total > maximum.amount:
        adjustments.append(
            Adjustment("maximum_spend", f"maximum spend {maximum.amount}", maximum.amount - total)
        )
        total = maximum.amount
    if discount is not None and discounted and discount.amount:
        off = total * discount.amount / _HUNDRED
        adjustments.append(Adjustment("discount", f"discount {discount.amount}%", _ZERO - off))
        total -= off
    return tuple(adjustments), total
