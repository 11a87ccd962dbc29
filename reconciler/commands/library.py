"""The Python entry points behind `reconciler`'s public face: one call per command.

Each network command has an async form (`*_async`, for code already in an event loop)
and a synchronous one for scripts and notebooks (`asyncio.run` around the async form,
through `interrupt.run_sync`; not callable from inside a running loop). All of them:

- take a `Project` (`open_project`) and an environment name (default: `BILLING_ENV`,
  else the project's `default_environment`, as on the command line);
- reach an embedded environment through the in-process emulator (the `sandbox` extra)
  unless `transport` gives an httpx transport to use instead;
- load the catalog before any API call, raising `InvalidInputError` with every problem;
- return data (`Plan`, `ApplyResult`, `PriceQuote`), never print, never exit.

Guards are the library's too: `apply_changes` refuses (`PlanRefusedError`, nothing
written) what `billing apply` refuses, except that it never asks for confirmation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from alguna_pricing.errors import InvalidUsageError
from reconciler.commands.embedded import transport_for
from reconciler.commands.interrupt import run_sync
from reconciler.commands.project import Project
from reconciler.commands.promote import promote as _promote
from reconciler.commands.workflow import (
    apply_planned,
    apply_saved,
    load_catalog,
    open_target,
    plan_target,
)
from reconciler.plan import ApplyResult, Plan
from reconciler.planning.targeting import Selection
from reconciler.pricing.quoting import PriceQuote, quote_price


def open_project(path: str | Path | None = None) -> Project:
    """The project at `path` (a folder with `billing.toml`), or the nearest one above the
    working directory. Raises `ProjectNotFoundError`, or `InvalidInputError` for a
    `billing.toml` with problems (all of them, with lines)."""
    return Project.open(Path(path) if path is not None else None)


def _selection(targets: Sequence[str], excludes: Sequence[str]) -> Selection | None:
    selection = Selection(targets=tuple(targets), excludes=tuple(excludes))
    return selection if selection.active else None


def _transport(project: Project, name: str, transport: Any) -> Any:
    return transport if transport is not None else transport_for(project, name)


async def plan_changes_async(
    project: Project,
    env: str | None = None,
    *,
    targets: Sequence[str] = (),
    excludes: Sequence[str] = (),
    transport: Any = None,
) -> Plan:
    """What applying the catalog to `env` would change (`billing plan`); reads, never
    writes. `targets`/`excludes` (`<kind>.<key>`) make a partial plan."""
    name = project.environment(env)
    catalog = load_catalog(project, name)
    async with open_target(project, name, _transport(project, name, transport)) as target:
        planned = await plan_target(catalog, target, selection=_selection(targets, excludes))
    return planned.plan


def plan_changes(
    project: Project,
    env: str | None = None,
    *,
    targets: Sequence[str] = (),
    excludes: Sequence[str] = (),
    transport: Any = None,
) -> Plan:
    """`plan_changes_async`, synchronously."""
    return run_sync(
        plan_changes_async(project, env, targets=targets, excludes=excludes, transport=transport)
    )


async def apply_changes_async(
    project: Project,
    env: str | None = None,
    *,
    plan: Plan | None = None,
    allow_replace: bool = False,
    targets: Sequence[str] = (),
    excludes: Sequence[str] = (),
    transport: Any = None,
) -> ApplyResult:
    """Make `env` match the catalog (`billing apply --auto-approve`). With `plan` (from
    `plan_changes`, `promote` or a plan file), exactly that plan after re-reading the
    account: refused if stale or already applied. Without it, a fresh plan (optionally
    partial) is made and applied. Raises `PlanRefusedError` when a guard forbids it."""
    if plan is not None and (targets or excludes):
        raise ValueError("targets/excludes select a fresh plan; a given plan is applied as is")
    name = project.environment(env if env is not None or plan is None else plan.environment)
    catalog = load_catalog(project, name)
    async with open_target(project, name, _transport(project, name, transport)) as target:
        if plan is not None:
            result, _resumption = await apply_saved(
                catalog, target, plan, allow_replace=allow_replace
            )
            return result
        fresh = await plan_target(catalog, target, selection=_selection(targets, excludes))
        return await apply_planned(fresh, target, allow_replace=allow_replace)


def apply_changes(
    project: Project,
    env: str | None = None,
    *,
    plan: Plan | None = None,
    allow_replace: bool = False,
    targets: Sequence[str] = (),
    excludes: Sequence[str] = (),
    transport: Any = None,
) -> ApplyResult:
    """`apply_changes_async`, synchronously."""
    return run_sync(
        apply_changes_async(
            project,
            env,
            plan=plan,
            allow_replace=allow_replace,
            targets=targets,
            excludes=excludes,
            transport=transport,
        )
    )


async def detect_drift_async(
    project: Project, env: str | None = None, *, transport: Any = None
) -> Plan:
    """What changed in `env` outside the catalog (`billing drift`): the plan that would
    undo it; `plan.has_changes` is the drift. Policies are not checked: drift reports
    the account, it is not a plan to review."""
    name = project.environment(env)
    catalog = load_catalog(project, name)
    async with open_target(project, name, _transport(project, name, transport)) as target:
        planned = await plan_target(catalog, target, policies=False)
    return planned.plan


def detect_drift(project: Project, env: str | None = None, *, transport: Any = None) -> Plan:
    """`detect_drift_async`, synchronously."""
    return run_sync(detect_drift_async(project, env, transport=transport))


async def promote_async(
    project: Project,
    source: str,
    target: str,
    *,
    targets: Sequence[str] = (),
    excludes: Sequence[str] = (),
    transports: Mapping[str, Any] | None = None,
) -> Plan:
    """Prove `source` matches the catalog, then plan `target` from it (`billing
    promote`). Raises `PromotionRefusedError` (listing the drift) when it does not. The
    plan is stamped with the promotion; apply it with `apply_changes(..., plan=...)`."""
    given = dict(transports or {})
    opened = {name: _transport(project, name, given.get(name)) for name in (source, target)}
    promoted = await _promote(
        project, source, target, transports=opened, selection=_selection(targets, excludes)
    )
    return promoted.planned.plan


def promote(
    project: Project,
    source: str,
    target: str,
    *,
    targets: Sequence[str] = (),
    excludes: Sequence[str] = (),
    transports: Mapping[str, Any] | None = None,
) -> Plan:
    """`promote_async`, synchronously."""
    return run_sync(
        promote_async(
            project, source, target, targets=targets, excludes=excludes, transports=transports
        )
    )


def quote(
    project: Project,
    price_ref: str,
    env: str | None = None,
    *,
    quantity: Decimal | int | str | None = None,
    volume: Decimal | int | str | None = None,
    count: int | None = None,
    metrics: Mapping[str, Decimal | int | str] | None = None,
    period: int = 0,
    currency: str | None = None,
) -> PriceQuote:
    """The charge of a declared price for one period of a usage (`billing quote`),
    offline. `price_ref` as `billing quote` lists them (`plan.<plan>.<product>`, ...).
    Raises `PriceRefError`, `InvalidUsageError` or another `PricingError`."""
    return quote_price(
        load_catalog(project, env).desired,
        price_ref,
        quantity=_decimal("quantity", quantity),
        volume=_decimal("volume", volume),
        count=count,
        metrics={k: _number(f"metric {k}", v) for k, v in metrics.items()} if metrics else None,
        period=period,
        currency=currency,
    )


def _decimal(field: str, value: Decimal | int | str | None) -> Decimal | None:
    return None if value is None else _number(field, value)


def _number(field: str, value: Decimal | int | str) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise InvalidUsageError(f"{field}: {value!r} is not a number") from None
