"""The pricing engine, shared by the reconciler and the emulator: pure and exact.

    quote = price_charge(price, Usage(quantity=Decimal("250")), "USD")
    quote.total  # Decimal("25.00")

One price for one billing period (`price_charge`) and a whole invoice (`invoice`).
Pure functions over the price models of `alguna_pricing.model` (decimal arithmetic and
pydantic models only: no I/O, no HTTP, no templates, no settings), so the emulator's period
close and the reconciler's `billing quote` / `billing invoice preview` agree to the cent by
construction. Imports neither `reconciler` nor `alguna_emulator` (import-linter enforces
it). Semantics of every model, the tier bound rule, the order of terms and the rounding rule
are in docs/pricing.md.
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
from alguna_pricing.invoice import (
    Invoice,
    InvoiceItem,
    InvoiceLine,
    MetricUsage,
    Segment,
    Terms,
    compute_invoice,
)
from alguna_pricing.quote import Adjustment, LineItem, Quote, TierSpan
from alguna_pricing.usage import Usage, UsageGroup

__all__ = [
    "Adjustment",
    "ExpressionError",
    "InvalidTiersError",
    "InvalidUsageError",
    "Invoice",
    "InvoiceItem",
    "InvoiceLine",
    "LineItem",
    "MetricUsage",
    "PeriodMismatchError",
    "PricingError",
    "Quote",
    "Segment",
    "Terms",
    "TierSpan",
    "UnknownCurrencyError",
    "Usage",
    "UsageGroup",
    "check_expression",
    "compute_invoice",
    "evaluate",
    "line_items",
    "price_charge",
    "referenced_metrics",
]
