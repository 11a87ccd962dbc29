"""`execute`: run planned changes against the API in dependency order, concurrently where
independent, stopping cleanly when asked.

Owns order, concurrency and the outcome of each change; must not decide what a change
writes (`steps`) or whether a plan may run (`planner.apply_refusals`, `resume`).

Order: the plan's dependency groups (`plan.apply_order`: metrics, products, bundles,
plans, customers, subscriptions, their versions, then activations and cancellations) run
one after another; inside a group every resource is its own lane, lanes run concurrently
and a lane's changes (a subscription's versions, by date) run in order. How many requests
are in flight at once is the API client's budget (rate limits and observed latency); at
most `LANES` lanes are under way at once (started in order, the next when one ends), as
many as the budget ever lets fly.

Failure: a change that fails is recorded with its error; the rest of its lane, and every
later group, are left pending (a later group may depend on it); the lanes under way in
its group finish their current change. Stop (`stop` set, the first Ctrl-C): nothing new
starts, what is under way finishes, the rest is pending. Either way running apply again picks up the
pending changes: every step's idempotency key is deterministic (`keys`), and natural keys
find what was created.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from reconciler.api.budget import Budget
from reconciler.apply.progress import Progress
from reconciler.apply.steps import Run, perform
from reconciler.errors import BillingError
from reconciler.model import Address
from reconciler.model.collection import fewer_collections
from reconciler.plan import ApplyResult, Change, Plan, apply_order

LANES = Budget.MAX_IN_FLIGHT
"""Lanes under way at once: as many as the budget ever lets fly, so the pipe stays full.
All the lanes of a group started at once (10,000 at 10,000 resources) checked `stop` and
`failed` before waiting in the budget's queue, so after a stop or a failure every queued
lane still sent its write: a stop after 3 of 400 changes applied all 400."""


@dataclass(frozen=True)
class Job:
    """A change to make, and the change id its idempotency keys derive from (the one in
    the reviewed plan; it differs from `change.change_id` only when a resumed replace has
    already renamed the old object and is left with its create)."""

    change: Change
    key_base: str


async def execute(
    run: Run,
    plan: Plan,
    jobs: Sequence[Job],
    progress: Progress,
    stop: asyncio.Event | None = None,
) -> ApplyResult:
    stop = stop or asyncio.Event()
    progress.begin(plan, [job.change for job in jobs])
    applied: list[str] = []
    failed: dict[str, str] = {}
    pending: list[str] = []

    async def lane(lane_jobs: list[Job]) -> None:
        for index, job in enumerate(lane_jobs):
            if stop.is_set() or failed:
                pending.extend(j.key_base for j in lane_jobs[index:])
                return
            progress.change_started(job.change)
            error = await _attempt(run, job)
            progress.change_finished(job.change, error)
            if error is None:
                applied.append(job.key_base)
            else:
                failed[job.key_base] = error
                pending.extend(j.key_base for j in lane_jobs[index + 1 :])
                return

    try:
        # The catalog, the live state and the plan live until the apply ends: unfrozen,
        # every full collection walks them again (at 10,000 writes, 9 full passes of
        # about 0.25 s each, an eighth of the apply's CPU; issue 19). The first
        # generation keeps its threshold: the apply's young objects (lanes waiting,
        # requests in flight) are not short-lived garbage (`fewer_collections`).
        with fewer_collections(first_generation=None):
            for group in _groups(jobs):
                if stop.is_set() or failed:
                    pending.extend(job.key_base for lane_jobs in group for job in lane_jobs)
                    continue
                await _each_lane(group, lane)
    finally:  # a bug escaping a change still ends the progress display cleanly
        result = ApplyResult(
            plan_id=plan.plan_id,
            applied=tuple(applied),
            pending=tuple(pending),
            failed=tuple(failed),
            errors=failed,
        )
        progress.end(result)
    return result


async def _attempt(run: Run, job: Job) -> str | None:
    """None on success, else a one-line error (API errors carry no secrets). Only user-
    facing errors (`BillingError`: the API's, the wire mapping's, a step's) fail a change;
    anything else is a bug and propagates."""
    try:
        await perform(run, job.change, job.key_base)
    except BillingError as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


async def _each_lane(group: list[list[Job]], lane: Callable[[list[Job]], Awaitable[None]]) -> None:
    """`lane` for every lane of `group`, at most `LANES` at once, started in order."""
    lanes = iter(group)

    async def worker() -> None:
        for lane_jobs in lanes:  # one iterator shared: each lane is taken once
            await lane(lane_jobs)

    await asyncio.gather(*(worker() for _ in range(min(LANES, len(group)))))


def _groups(jobs: Sequence[Job]) -> list[list[list[Job]]]:
    """Jobs by dependency group, then by lane (one resource), each in apply order."""
    ordered = sorted(jobs, key=lambda job: apply_order(job.change))
    groups: list[list[list[Job]]] = []
    for _, in_group in itertools.groupby(ordered, key=lambda job: apply_order(job.change)[0]):
        lanes: dict[Address, list[Job]] = {}
        for job in in_group:
            lanes.setdefault(job.change.address.resource, []).append(job)
        groups.append(list(lanes.values()))
    return groups
