"""Where a billing period sits in the contract, for trials and fixed-duration discounts.

Periods are counted from the contract start (`Usage.period_index`, 0-based) and measured in
months: monthly 1, quarterly 3, semi_annual 6, yearly 12, or `billing_interval_count` months
for a custom interval. Trials are written in days; for them a month is 30 days, so period
`i` covers days `[30*m*i, 30*m*(i+1))` (calendar months would make a trial's reach depend on
the start date, which a catalog does not know).

Whole-period granularity, in the customer's favour: a period that *starts* inside the trial
(or the discount window) is entirely free (or entirely discounted). Alguna documents no
proration rule, and proration would need usage per day, which a period's usage lacks.
"""

from __future__ import annotations

from alguna_pricing.errors import PeriodMismatchError, PricingError
from alguna_pricing.model.prices import Discount, PriceCommon, Spend

DAYS_PER_MONTH = 30
MONTHS: dict[str, int] = {"monthly": 1, "quarterly": 3, "semi_annual": 6, "yearly": 12}


def period_months(price: PriceCommon) -> int:
    """Months in one billing period of `price`. A custom interval needs both
    `billing_interval_count` and `billing_interval_unit = "month"` (else `PricingError`)."""
    count, unit = price.billing_interval_count, price.billing_interval_unit
    if count is None and unit is None:
        return MONTHS[price.billing_interval]
    if count is None or unit is None:
        raise PricingError(
            "a custom interval needs both billing_interval_count and billing_interval_unit"
        )
    return count


def in_trial(price: PriceCommon, period_index: int) -> bool:
    """True when period `period_index` starts before `trial_days` have passed."""
    days = price.trial_days or 0
    return period_index * period_months(price) * DAYS_PER_MONTH < days


def discount_active(discount: Discount, price: PriceCommon, period_index: int) -> bool:
    """Whether `discount` applies in the period. Without `duration_type`, or with
    `monthly_rolling` (Alguna does not document an end for it), it always applies; with
    `fixed`, while the period starts within the first `duration_value` months."""
    if discount.duration_type != "fixed":
        return True
    if discount.duration_value is None:
        raise PricingError('a discount with duration_type = "fixed" needs duration_value')
    return period_index * period_months(price) < discount.duration_value


def check_spend_period(spend: Spend, price: PriceCommon, what: str) -> None:
    """A spend limit must cover exactly one billing period: a monthly floor on a quarterly
    bill (or a yearly cap on a monthly one) needs usage the period's quote does not have."""
    if MONTHS[spend.period] != period_months(price):
        raise PeriodMismatchError(
            f"{what}.period is {spend.period} ({MONTHS[spend.period]} month(s)) but the price"
            f" is billed every {period_months(price)} month(s): a spend limit is applied per"
            " billing period, so its period must match"
        )


def one_off_period(price: PriceCommon) -> int:
    """The one period a one-off price is charged in: the first (the contract's start) with
    `charge_on_contract_start`, else the first invoice after any trial."""
    if price.charge_on_contract_start:
        return 0
    index = 0
    while in_trial(price, index):
        index += 1
    return index
