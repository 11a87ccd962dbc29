"""`BillingError`: the root of every error a user is shown.

It lives here, in the pure pricing package, so that the engine's errors (`PricingError`,
`ExpressionError`) are `BillingError`s for the reconciler (which re-exports this class as
`reconciler.errors.BillingError` and maps it to exit code 1) while the emulator, which
imports nothing of the reconciler, can catch them too.
"""

from __future__ import annotations


class BillingError(Exception):
    """Base of every error the tool reports to a user."""
