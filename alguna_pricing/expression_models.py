"""The `expression` model: the sum over its charges of quantity x unit price, each side an
expression over the period's metrics (see `expression` for the grammar).

A charge's quantity below zero is billed as zero: `usage.api_calls - 1000` (usage above an
allowance) is the natural way to write an overage, and "nothing above the allowance" is
what a negative value means there. A negative unit price is an error: it would be a credit,
which a price cannot express, and it is most likely a mistake in the expression.
"""

from __future__ import annotations

from decimal import Decimal

from alguna_pricing.errors import ExpressionError
from alguna_pricing.expression import evaluate
from alguna_pricing.model.prices import ExpressionPrice
from alguna_pricing.quote import LineItem
from alguna_pricing.usage import Usage

_ZERO = Decimal(0)


def expression_lines(price: ExpressionPrice, usage: Usage) -> tuple[LineItem, ...]:
    """One line per charge, in catalog order, even when it comes to zero."""
    lines: list[LineItem] = []
    for charge in price.charges:
        quantity = max(_ZERO, evaluate(charge.quantity_expression, usage.metrics))
        unit_price = evaluate(charge.unit_price_expression, usage.metrics)
        if unit_price < 0:
            raise ExpressionError(
                charge.unit_price_expression,
                [f"unit price is negative ({unit_price}) for charge {charge.description!r}"],
            )
        lines.append(
            LineItem(
                kind="expression",
                description=charge.description,
                quantity=quantity,
                unit_amount=unit_price,
                amount=quantity * unit_price,
            )
        )
    return tuple(lines)
