"""Invoice tests: `[invoice_tests.<key>]` tables that pin what a subscription's invoice
comes to for one billing cycle and its usage.

`billing test` computes the invoice with the engine the emulator's period close uses
(`billing invoice preview` shows the same invoice) and compares the total and, when given,
the lines. Like pricing tests, invoice tests are not resources: never sent to Alguna, no
address, outside the catalog digest.

Usage is given either as the cycle's aggregated value per metric (`usage`, metric key ->
value; `events` optionally says how many events a metric counted, for per-transaction
fees), which prices the whole cycle with the version in force at its start, or as a file of
usage events (`usage_file`, project-relative, the file `billing events send` takes), which
is aggregated as the emulator aggregates ingested events, split at any mid-cycle version
change.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field, model_validator

from alguna_pricing.model.values import Frozen, Key, Money, Text
from reconciler.model.pricing_tests import MetricValue

SignedAmount = Annotated[
    Decimal,
    Field(
        strict=False,
        gt=-(Decimal(10) ** 15),
        lt=Decimal(10) ** 15,
        decimal_places=12,
        allow_inf_nan=False,
        description="An exact amount, negative for what a term takes off (a discount).",
    ),
]


class ExpectedInvoiceLine(Frozen):
    """One expected invoice line, compared in order: its description (exact text) and its
    exact, unrounded amount (negative for a trial, a cap or a discount)."""

    description: Text
    amount: SignedAmount


class InvoiceTest(Frozen):
    """`[invoice_tests.<key>]`: a subscription, a billing cycle, its usage, the total."""

    subscription: Key = Field(description="The subscription whose invoice is computed.")
    description: Text | None = None
    period: Annotated[int, Field(strict=True, ge=0, le=1200)] = Field(
        default=0, description="The billing cycle: 0 for the contract's first month, 1 next..."
    )
    usage: dict[Key, MetricValue] | None = Field(
        default=None, description="Metric key -> the cycle's aggregated value."
    )
    events: dict[Key, Annotated[int, Field(strict=True, ge=0, le=10**12)]] | None = Field(
        default=None, description="Metric key -> how many events it counted (default 0)."
    )
    usage_file: Annotated[str, Field(min_length=1, max_length=400)] | None = Field(
        default=None, description="A usage events file (JSONL or CSV), project-relative."
    )
    expected_total: Money = Field(description="The invoice total, in the currency's minor unit.")
    lines: tuple[ExpectedInvoiceLine, ...] | None = None

    @model_validator(mode="after")
    def _one_usage(self) -> InvoiceTest:
        if self.usage_file is not None and (self.usage is not None or self.events is not None):
            raise ValueError(
                "give the usage as `usage` (and `events`) or as `usage_file`, not both"
            )
        return self
