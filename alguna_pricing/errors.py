"""Errors of the pricing engine: every one is a `BillingError`, so the CLI reports it.

A price that reached the engine has passed the catalog's field types but not necessarily
its cross-field rules (the engine is also called on prices built in code), so shapes the
rules reject are re-checked here and raised, never guessed around.
"""

from __future__ import annotations

from alguna_pricing.expression import ExpressionError as ExpressionError
from alguna_pricing.failure import BillingError


class PricingError(BillingError):
    """A charge cannot be computed exactly for this price, usage and currency."""


class InvalidUsageError(PricingError):
    """The usage handed to the engine is malformed: a float, a negative or infinite amount."""


class InvalidTiersError(PricingError):
    """Tier bounds that do not rise, or a tier other than the last left open (or the last
    one bounded): the catalog rules report these; the engine refuses to price them."""


class UnknownCurrencyError(PricingError):
    """A currency code not in the minor-unit table: rounding would be a guess."""


class PeriodMismatchError(PricingError):
    """A minimum or maximum spend whose period differs from the price's billing period:
    one period's usage cannot tell what a floor over a different period comes to."""
