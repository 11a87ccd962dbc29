"""Billing as code for Alguna: the public Python face.

    import reconciler

    project = reconciler.open_project("path/to/project")
    plan = reconciler.plan_changes(project, "sandbox")
    if plan.has_changes:
        result = reconciler.apply_changes(project, "sandbox", plan=plan)

Everything a Python user needs is named in `__all__` below (docs/python-api.md shows each
entry point); every other module is internal and may change. Network commands come in a
synchronous form for scripts and notebooks and an `*_async` form for event loops.

Names are resolved lazily (PEP 562), so `import reconciler.webhooks` or `billing
--version` does not load the whole package. The layers behind this face are in
docs/architecture.md and enforced by the import contracts in pyproject.toml.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from reconciler.version import __version__

if TYPE_CHECKING:
    from alguna_pricing.errors import PricingError
    from reconciler.api.errors import ApiError
    from reconciler.apply.resume import AlreadyAppliedError, PlanRefusedError, StalePlanError
    from reconciler.commands.library import (
        apply_changes,
        apply_changes_async,
        detect_drift,
        detect_drift_async,
        open_project,
        plan_changes,
        plan_changes_async,
        promote,
        promote_async,
        quote,
    )
    from reconciler.commands.project import Project
    from reconciler.commands.promote import PromotionRefusedError
    from reconciler.commands.workflow import Catalog, load_catalog
    from reconciler.errors import (
        BillingError,
        EnvironmentSelectionError,
        InvalidInputError,
        ProjectNotFoundError,
    )
    from reconciler.plan import Action, ApplyResult, ApplyStatus, Change, FieldChange, Plan
    from reconciler.planning.targeting import SelectionError
    from reconciler.pricing.quoting import PriceQuote
    from reconciler.source.diagnostics import Diagnostic, Severity

# public name -> module that defines it
_HOMES = {
    # entry points
    "open_project": "reconciler.commands.library",
    "load_catalog": "reconciler.commands.workflow",
    "plan_changes": "reconciler.commands.library",
    "plan_changes_async": "reconciler.commands.library",
    "apply_changes": "reconciler.commands.library",
    "apply_changes_async": "reconciler.commands.library",
    "detect_drift": "reconciler.commands.library",
    "detect_drift_async": "reconciler.commands.library",
    "promote": "reconciler.commands.library",
    "promote_async": "reconciler.commands.library",
    "quote": "reconciler.commands.library",
    # what they take and return
    "Project": "reconciler.commands.project",
    "Catalog": "reconciler.commands.workflow",
    "Plan": "reconciler.plan",
    "Change": "reconciler.plan",
    "FieldChange": "reconciler.plan",
    "Action": "reconciler.plan",
    "ApplyResult": "reconciler.plan",
    "ApplyStatus": "reconciler.plan",
    "PriceQuote": "reconciler.pricing.quoting",
    "Diagnostic": "reconciler.source.diagnostics",
    "Severity": "reconciler.source.diagnostics",
    # the error tree (all subclasses of BillingError)
    "BillingError": "reconciler.errors",
    "ProjectNotFoundError": "reconciler.errors",
    "InvalidInputError": "reconciler.errors",
    "EnvironmentSelectionError": "reconciler.errors",
    "SelectionError": "reconciler.planning.targeting",
    "ApiError": "reconciler.api.errors",
    "PlanRefusedError": "reconciler.apply.resume",
    "StalePlanError": "reconciler.apply.resume",
    "AlreadyAppliedError": "reconciler.apply.resume",
    "PromotionRefusedError": "reconciler.commands.promote",
    "PricingError": "alguna_pricing.errors",
}

__all__ = [
    "Action",
    "AlreadyAppliedError",
    "ApiError",
    "ApplyResult",
    "ApplyStatus",
    "BillingError",
    "Catalog",
    "Change",
    "Diagnostic",
    "EnvironmentSelectionError",
    "FieldChange",
    "InvalidInputError",
    "Plan",
    "PlanRefusedError",
    "PriceQuote",
    "PricingError",
    "Project",
    "ProjectNotFoundError",
    "PromotionRefusedError",
    "SelectionError",
    "Severity",
    "StalePlanError",
    "__version__",
    "apply_changes",
    "apply_changes_async",
    "detect_drift",
    "detect_drift_async",
    "load_catalog",
    "open_project",
    "plan_changes",
    "plan_changes_async",
    "promote",
    "promote_async",
    "quote",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'reconciler' has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
