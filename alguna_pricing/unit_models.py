"""The two flat models: `unit` (a rate times the usage) and `fixed` (a rate times a
declared number of units; usage is not consulted).

Both always produce their one line, even when it is zero, so a quote says what was priced.
"""

from __future__ import annotations

from decimal import Decimal

from alguna_pricing.model.prices import FixedPrice, UnitPrice
from alguna_pricing.quote import LineItem
from alguna_pricing.usage import Usage


def unit_lines(price: UnitPrice, usage: Usage) -> tuple[LineItem, ...]:
    """`price_per_unit x usage.quantity`."""
    return (
        LineItem(
            kind="units",
            description="units",
            quantity=usage.quantity,
            unit_amount=price.price_per_unit,
            amount=usage.quantity * price.price_per_unit,
        ),
    )


def fixed_lines(price: FixedPrice, usage: Usage) -> tuple[LineItem, ...]:
    """`price_per_unit x units`: a flat amount for a declared quantity, whatever the usage."""
    del usage  # a fixed price does not depend on usage
    return (
        LineItem(
            kind="units",
            description=f"fixed: {price.units} unit(s)",
            quantity=Decimal(price.units),
            unit_amount=price.price_per_unit,
            amount=price.units * price.price_per_unit,
        ),
    )
