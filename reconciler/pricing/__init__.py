"""The pricing engine: the exact charge of one catalog price for one billing period.

    quote = price_charge(price, Usage(quantity=Decimal("250")), "USD")
    quote.total  # Decimal("25.00")

Pure functions over `reconciler.model` prices (no I/O). Semantics of every model, the tier
bound rule, the order of terms and the rounding rule are in docs/pricing.md.
"""

from reconciler.pricing.charge import line_items, price_charge
from reconciler.pricing.errors import (
    ExpressionError,
    InvalidTiersError,
    InvalidUsageError,
    PeriodMismatchError,
    PricingError,
    UnknownCurrencyError,
)
from reconciler.pricing.expression import check_expression, evaluate, referenced_metrics
from reconciler.pricing.quote import Adjustment, LineItem, Quote, TierSpan
from reconciler.pricing.usage import Usage

__all__ = [
    "Adjustment",
    "ExpressionError",
    "InvalidTiersError",
    "InvalidUsageError",
    "LineItem",
    "PeriodMismatchError",
    "PricingError",
    "Quote",
    "TierSpan",
    "UnknownCurrencyError",
    "Usage",
    "check_expression",
    "evaluate",
    "line_items",
    "price_charge",
    "referenced_metrics",
]
