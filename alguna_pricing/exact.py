"""Exact decimal arithmetic: the context every charge is computed in.

Money in the catalog is Decimal and stays Decimal. Sums and products of the catalog's
amounts and the usage are exact if the context's precision holds every digit, so the
engine computes with a precision far above any realistic amount and traps `Inexact`: a
result that would have to be rounded is an error, never a silently wrong charge. The one
deliberate rounding (the total, to the currency's minor unit) is done by `rounding`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
    Rounded,
    localcontext,
)

from alguna_pricing.errors import PricingError

PRECISION = 200
"""Significant digits: a product of two 60-digit amounts still fits exactly."""

EXACT = Context(
    prec=PRECISION,
    rounding=ROUND_HALF_EVEN,
    Emax=10_000,
    Emin=-10_000,
    traps=[InvalidOperation, DivisionByZero, Overflow, Inexact, Rounded],
)


@contextmanager
def exact_arithmetic() -> Iterator[None]:
    """Run the block in the `EXACT` context; a result that cannot be represented exactly
    (or overflows) raises `PricingError` instead of being rounded."""
    with localcontext(EXACT):
        try:
            yield
        except (Inexact, Rounded, Overflow, InvalidOperation, DivisionByZero) as exc:
            raise PricingError(
                f"the charge cannot be computed exactly ({type(exc).__name__}):"
                f" amounts beyond {PRECISION} significant digits"
            ) from exc
