"""The pricing feature: the engine (`alguna_pricing`, shared with the emulator) re-exported,
plus catalog price references (`refs`) and quoting a declared price (`quoting`).

    quote = price_charge(price, Usage(quantity=Decimal("250")), "USD")
    quote.total  # Decimal("25.00")

Pure functions over `reconciler.model` prices (no I/O). Semantics of every model, the tier
bound rule, the order of terms and the rounding rule are in docs/pricing.md.
"""

from alguna_pricing.charge import line_items, price_charge
from alguna_pricing.errors import (
    ExpressionError,
    InvalidTiersError,
    InvalidUsageError,
    PeriodMismatchError,
    PricingError,
    UnknownCurrencyError,
)
from alguna_pricing.expression import check_expression, evaluate, referenced_metrics
from alguna_pricing.quote import Adjustment, LineItem, Quote, TierSpan
from alguna_pricing.usage import Usage, UsageGroup

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
    "UsageGroup",
    "check_expression",
    "evaluate",
    "line_items",
    "price_charge",
    "referenced_metrics",
]
