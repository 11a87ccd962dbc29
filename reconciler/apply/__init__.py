"""Apply: make a plan's changes in the live account. The only holder of an `ApiWriter`.

`apply_plan` runs every change of a fresh plan; `resume_plan` runs what is left of a
saved plan after checking it is neither stale nor already applied (`resume`). Guards
(`planner.apply_refusals`) are the caller's to check first. `steps` maps a change to its
writes, `executor` orders and runs them, `keys` derives idempotency keys (by content for
creates and lifecycle steps, by plan for updates), `recheck` decides what an update may
send against a fresh read of its object, `plan_files` saves and reads plans.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from reconciler.api import ApiReader, ApiWriter
from reconciler.apply.executor import Job, execute
from reconciler.apply.progress import Progress, Silent
from reconciler.apply.resume import (
    AlreadyAppliedError,
    PlanRefusedError,
    Resumption,
    StalePlanError,
    reconcile_saved,
)
from reconciler.apply.steps import Run
from reconciler.model import Address, DesiredState, LiveState
from reconciler.plan import ApplyResult, Plan

__all__ = [
    "AlreadyAppliedError",
    "PlanRefusedError",
    "Progress",
    "Resumption",
    "Silent",
    "StalePlanError",
    "apply_plan",
    "reconcile_saved",
    "resume_plan",
]


async def apply_plan(
    plan: Plan,
    desired: DesiredState,
    live: LiveState,
    writer: ApiWriter,
    reader: ApiReader,
    *,
    progress: Progress | None = None,
    stop: asyncio.Event | None = None,
    plan_digests: Mapping[str, str] | None = None,
) -> ApplyResult:
    """Make every change of `plan`, which was made from `desired` and `live` just now.
    `plan_digests`: the diff's digests of `desired`'s plans (`DiffResult.plan_digests`),
    if at hand: a new revision's marker then needs no digest computed again."""
    jobs = [Job(change=c, key_base=c.change_id) for c in plan.changes]
    run = Run.start(plan.plan_id, desired, live, reader, writer, plan_digests)
    return await execute(run, plan, jobs, progress or Silent(), stop)


async def resume_plan(
    saved: Plan,
    fresh: Plan,
    desired: DesiredState,
    live: LiveState,
    writer: ApiWriter,
    reader: ApiReader,
    *,
    progress: Progress | None = None,
    stop: asyncio.Event | None = None,
    plan_digests: Mapping[str, str] | None = None,
) -> tuple[ApplyResult, Resumption]:
    """Make what is left of the saved plan. `fresh` is a plan made just now from
    `desired` and `live` (`plan_digests` as in `apply_plan`). Raises `PlanRefusedError`
    (stale, already applied, another environment or catalog) before any write."""
    made_by = {Address("plan", key): r.current.applied_by for key, r in live.revisions.items()}
    resumption = reconcile_saved(saved, fresh, desired.environment, made_by)
    run = Run.start(saved.plan_id, desired, live, reader, writer, plan_digests)
    result = await execute(run, saved, resumption.jobs, progress or Silent(), stop)
    return result, resumption
