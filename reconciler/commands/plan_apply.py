"""`billing plan`, `billing apply` and `billing drift` as the CLI runs them: synchronous
calls that open the environment (the in-process emulator for an embedded one, through
`commands.embedded`), run the sequence of `commands.workflow`, and return data.

Never prints. Where a person must see or decide something in the middle of a sequence
(the fresh plan before it is applied, the confirmation), the caller passes callbacks
(`Review`): the CLI renders and prompts in them, a test answers in them. A callback stops
the apply by raising (or exiting); nothing is written before `confirm` returns.

Exit codes are the caller's; `plan_exit_code` is the rule `plan` and `promote` share.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from reconciler.apply import Progress, Resumption
from reconciler.apply.plan_files import check_permissions, default_plan_path, read_plan, write_plan
from reconciler.commands.embedded import transport_for
from reconciler.commands.interrupt import run_interruptible, run_sync
from reconciler.commands.project import Project
from reconciler.commands.workflow import (
    Catalog,
    Planned,
    apply_planned,
    apply_saved,
    load_catalog,
    open_target,
    plan_target,
)
from reconciler.errors import BillingError
from reconciler.plan import ApplyResult, Plan
from reconciler.planning.targeting import Selection
from reconciler.source.diagnostics import Severity

__all__ = [
    "FreshApply",
    "ProtectedEnvironmentError",
    "Review",
    "SavedApply",
    "Selection",
    "apply_fresh",
    "apply_plan_file",
    "drift_environment",
    "drift_exit_code",
    "has_errors",
    "plan_environment",
    "plan_exit_code",
    "save_plan",
]


class ProtectedEnvironmentError(BillingError):
    """A fresh apply to a protected environment: refused before reading the account."""


def has_errors(plan: Plan) -> bool:
    """Whether the plan carries an error diagnostic (it is then neither saved nor applied)."""
    return any(d.severity is Severity.ERROR for d in plan.diagnostics)


def plan_exit_code(result: Plan, detailed_exitcode: bool) -> int:
    """1 with errors; 2 with changes under --detailed-exitcode; else 0."""
    if has_errors(result):
        return 1
    return 2 if detailed_exitcode and result.has_changes else 0


def drift_exit_code(result: Plan) -> int:
    """1 with errors; 2 when the account drifted (changes or live drift); else 0."""
    if has_errors(result):
        return 1
    return 2 if result.has_changes or result.live_drift else 0


async def _plan(
    project: Project, name: str, catalog: Catalog, selection: Selection | None, policies: bool
) -> Planned:
    async with open_target(project, name, transport_for(project, name)) as target:
        return await plan_target(catalog, target, selection=selection, policies=policies)


def plan_environment(
    project: Project, name: str, catalog: Catalog, selection: Selection | None = None
) -> Plan:
    """`billing plan`: read environment `name` and plan `catalog` against it (partial
    with an active `selection`), policies checked. Reads, never writes."""
    return run_sync(_plan(project, name, catalog, selection, True)).plan


def drift_environment(project: Project, name: str, catalog: Catalog) -> Plan:
    """`billing drift`: the plan that would undo what changed outside the catalog
    (policies not checked: a report of the account, not a plan to review)."""
    return run_sync(_plan(project, name, catalog, None, False)).plan


def save_plan(project: Project, plan: Plan, text: str, out: Path | None) -> Path | None:
    """Write `text` (the plan file, `report.plan_output.plan_json(plan)`) to `out` or
    `plans/<env>/<plan id>.json`, mode 0600, when the plan has changes and no errors;
    the path written, else None."""
    if not plan.has_changes or has_errors(plan):
        return None
    return write_plan(
        out or default_plan_path(project.root / project.settings.plans_dir, plan), text
    )


@dataclass(frozen=True)
class Review:
    """What a person sees and decides during an apply.

    `show(plan)` then `confirm(plan)`, before anything is written: a fresh apply shows
    its plan once made and asks when it has changes and no errors; a saved plan is shown
    and asked about only for a protected environment. `confirm` raises (or exits) to
    cancel. `warn(message)`: a plan file that other users can read. `progress` follows
    the writes; its `interrupted()` is called on the first Ctrl-C (work in flight
    finishes, nothing new starts)."""

    progress: Progress
    confirm: Callable[[Plan], None]
    show: Callable[[Plan], None] = lambda plan: None
    warn: Callable[[str], None] = lambda message: None


@dataclass(frozen=True)
class FreshApply:
    """A fresh plan and what applying it did (`result` None: nothing to do)."""

    plan: Plan
    result: ApplyResult | None


def apply_fresh(
    project: Project,
    name: str,
    selection: Selection,
    review: Review,
    *,
    allow_replace: bool = False,
) -> FreshApply:
    """`billing apply` without a plan file: load the catalog, refuse a protected
    environment (`ProtectedEnvironmentError`, nothing read), plan, `review.show` the
    plan, `review.confirm` it, apply. Ctrl-C as `run_interruptible` says."""
    catalog = load_catalog(project, name)
    if project.settings.environments[name].protected:
        raise ProtectedEnvironmentError(
            f"environment {name!r} is protected: it applies only a saved, reviewed plan"
            f" (billing plan --env {name} --out FILE, then billing apply FILE); nothing was"
            " read or written"
        )
    planned: list[Planned] = []

    async def run(stop: asyncio.Event) -> ApplyResult | None:
        async with open_target(project, name, transport_for(project, name)) as target:
            fresh = await plan_target(catalog, target, selection=selection)
            planned.append(fresh)
            review.show(fresh.plan)
            if not fresh.plan.has_changes and not has_errors(fresh.plan):
                return None
            if not has_errors(fresh.plan) and not target.protected:
                review.confirm(fresh.plan)
            return await apply_planned(
                fresh, target, allow_replace=allow_replace, progress=review.progress, stop=stop
            )

    result = run_interruptible(run, review.progress.interrupted)
    return FreshApply(plan=planned[0].plan, result=result)


@dataclass(frozen=True)
class SavedApply:
    """A saved plan (as read from its file) and what applying it did; `resumption` says
    which of its changes an earlier run had made, and which differences it left alone."""

    plan: Plan
    result: ApplyResult
    resumption: Resumption


def apply_plan_file(
    project: Project,
    planfile: Path,
    env: str | None,
    review: Review,
    *,
    shown_as: str,
    allow_replace: bool = False,
) -> SavedApply:
    """`billing apply PLANFILE`: `review.warn` if the file is readable by others
    (`InvalidInputError` if others can write it), read the plan and load the catalog of
    its environment (`env` overrides it), show and confirm it for a protected
    environment, then re-read the account and apply exactly the saved plan (refused,
    nothing written, when stale, already applied, for another catalog, or guarded).
    Ctrl-C as `run_interruptible` says."""
    warning = check_permissions(planfile, shown_as)
    if warning is not None:
        review.warn(warning)
    saved = read_plan(planfile, shown_as)
    name = project.environment(env or saved.environment)
    catalog = load_catalog(project, name)
    if project.settings.environments[name].protected:
        review.show(saved)
        review.confirm(saved)

    async def run(stop: asyncio.Event) -> SavedApply:
        async with open_target(project, name, transport_for(project, name)) as target:
            result, resumption = await apply_saved(
                catalog,
                target,
                saved,
                allow_replace=allow_replace,
                progress=review.progress,
                stop=stop,
            )
        return SavedApply(plan=saved, result=result, resumption=resumption)

    return run_interruptible(run, review.progress.interrupted)
