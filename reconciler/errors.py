"""The exception tree. Errors cross module boundaries only as `BillingError` subclasses.

The CLI maps them to exit code 1 and a one-line message (a traceback only with
`--debug`). Messages must never contain secrets: API keys are not passed into any error.
"""

from __future__ import annotations

from alguna_pricing.failure import BillingError as BillingError  # the root; see its module
from reconciler.source.diagnostics import Diagnostic


class ProjectNotFoundError(BillingError):
    """No billing.toml in the given folder or any parent of the working directory."""


class InvalidInputError(BillingError):
    """User input (billing.toml, catalog files, a plan file) has problems.

    Carries every diagnostic found, so a user fixes them all in one pass.
    """

    def __init__(self, diagnostics: list[Diagnostic], summary: str = "invalid input") -> None:
        self.diagnostics = diagnostics
        super().__init__(f"{summary}: {len(diagnostics)} problem(s)")


class EnvironmentSelectionError(BillingError):
    """An environment was asked for that billing.toml does not declare, or its
    connection settings are unusable (for example an API key variable that is unset)."""
