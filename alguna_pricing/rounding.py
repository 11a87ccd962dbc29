"""Rounding a total to its currency's minor unit: the engine's only rounding.

Rule: the exact total is rounded once, half up (ROUND_HALF_UP: 0.125 -> 0.13, JPY 2.5 ->
3), to `minor_units(currency)` decimals. Half up is what an invoice reader expects and
can redo by hand; banker's rounding (half even) only pays off when many rounded values are
summed, and the engine never sums rounded values: line items and adjustments stay exact.
Totals are never negative, so "half up" and "half away from zero" coincide.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal

from alguna_pricing.errors import UnknownCurrencyError
from alguna_pricing.exact import EXACT, PRECISION
from alguna_pricing.model.currency import is_known_currency, minor_units

_ROUNDING = Context(prec=PRECISION, rounding=ROUND_HALF_UP, Emax=EXACT.Emax, Emin=EXACT.Emin)


def check_currency(currency: str) -> int:
    """The minor units of `currency`; `UnknownCurrencyError` for a code not in the table."""
    if not is_known_currency(currency):
        raise UnknownCurrencyError(
            f"unknown currency {currency!r}: its minor unit (rounding precision) is not known"
        )
    return minor_units(currency)


def round_total(amount: Decimal, currency: str) -> Decimal:
    """`amount` rounded half up to the currency's minor unit, with exactly that many
    decimals (`Decimal("25.00")`, not `Decimal("25")`)."""
    quantum = Decimal(1).scaleb(-check_currency(currency))
    return amount.quantize(quantum, context=_ROUNDING)
