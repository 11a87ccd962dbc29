"""Shared building blocks of the resource models: the frozen base class and value types.

Every catalog model is frozen and rejects unknown fields, so a typo in a catalog file is a
diagnostic, never silently ignored. Money, rates and percentages are `Decimal` (the catalog
is parsed with `parse_float=Decimal`): binary floats never enter the model.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from pydantic import StrictInt as StrictInt

KEY_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"


class Frozen(BaseModel):
    """Base of every model that crosses module boundaries: immutable, no unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


Key = Annotated[
    str,
    StringConstraints(pattern=KEY_PATTERN),
    Field(description="A stable, lowercase identifier: a letter, then letters, digits or _."),
]
# Money may be written as a TOML number or a string ("0.02"); both become exact decimals.
# A TOML float never reaches here: the catalog parses with Decimal.
# Bounds keep amounts invoiceable and finite to print: below 10^15, at most 12 decimals.
MONEY_LIMIT = Decimal(10) ** 15
Money = Annotated[
    Decimal,
    Field(
        strict=False,
        ge=0,
        lt=MONEY_LIMIT,
        decimal_places=12,
        allow_inf_nan=False,
        description="A non-negative exact amount below 10^15, at most 12 decimals.",
    ),
]
Percentage = Annotated[
    Decimal,
    Field(
        strict=False,
        ge=0,
        le=100,
        decimal_places=12,
        allow_inf_nan=False,
        description="From 0 to 100, at most 12 decimals.",
    ),
]
# Unit counts stop at 10^12, the largest quantity the API accepts.
MAX_UNITS = 10**12
Count = Annotated[
    int, Field(strict=True, ge=0, le=MAX_UNITS, description="A whole number of units, >= 0.")
]
PositiveCount = Annotated[
    int, Field(strict=True, ge=1, le=MAX_UNITS, description="A whole number, >= 1.")
]
TrialDays = Annotated[int, Field(strict=True, ge=0, le=3650, description="0 to 3650 days.")]
IntervalCount = Annotated[int, Field(strict=True, ge=1, le=120, description="1 to 120.")]
Name = Annotated[str, StringConstraints(min_length=1, max_length=255)]
Flag = Annotated[bool, Field(strict=True, description="true or false.")]
Day = Annotated[dt.date, Field(strict=True, description="A TOML date: 2026-01-01.")]
Text = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
CurrencyCode = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z]{3}$"),
    Field(description="ISO 4217 currency code, upper case (USD, EUR, JPY...)."),
]

Interval = Literal["monthly", "quarterly", "semi_annual", "yearly"]
PeriodType = Literal["fixed", "monthly_rolling"]
BillingDirection = Literal["advance", "arrears"]
PaymentTerms = Annotated[
    str,
    StringConstraints(pattern=r"^(due_on_receipt|net_[0-9]{1,3})$"),
    Field(description="Invoice payment terms: due_on_receipt or net_<days>, e.g. net_30."),
]
