"""Plan, apply and drift as library calls: load the catalog, open the environment's API,
read the live account, plan, apply. The CLI is a thin shell over these, and tests call
them directly (no subprocess needed).

Owns the sequence of a command; must not print (results are data; `report` renders
them) nor import the emulator: an embedded environment is reached through the httpx
transport the caller passes in (the CLI builds it lazily).

Every command reads the whole live account the catalog concerns (`live.fetch_live`), so
a plan never acts on a partial or empty read: a failed read raises instead, and so does
an empty list of a kind the environment's record (`live.seen`) saw objects of. The record
is updated after every successful plan and apply.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from reconciler.api import AlgunaReader, AlgunaWriter, HttpCore, RetryPolicy, connection_for
from reconciler.api.account import check_account
from reconciler.apply import Progress, Resumption, apply_plan, resume_plan
from reconciler.apply.resume import PlanRefusedError
from reconciler.commands.project import Project
from reconciler.diff import desired_side, diff
from reconciler.errors import EnvironmentSelectionError, InvalidInputError
from reconciler.live import Seen, fetch_live, load_seen, save_seen, seen_path
from reconciler.model import DesiredState, LiveState
from reconciler.plan import Action, ApplyResult, Plan
from reconciler.planning.planner import apply_refusals, make_plan
from reconciler.planning.policies import with_policies
from reconciler.planning.targeting import Selection, select_changes
from reconciler.settings import DEFAULT_PRICE_INCREASE_WARNING_PERCENT, Policy
from reconciler.source.diagnostics import Diagnostic

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Target:
    """One environment, opened: its settings and a client for its API."""

    name: str
    protected: bool
    core: HttpCore
    reader: AlgunaReader
    writer: AlgunaWriter
    review_threshold: Decimal = DEFAULT_PRICE_INCREASE_WARNING_PERCENT
    policies: tuple[Policy, ...] = ()
    seen: Seen | None = None
    seen_file: Path | None = None

    def remember(self, created: dict[str, int] | None = None, when: Clock = utc_now) -> None:
        """Record the last successful read (plus `created` objects per kind) in the
        environment's `seen` record."""
        if self.seen is None or self.seen_file is None:
            return
        counts = dict(self.seen.last_read)
        for kind, count in (created or {}).items():
            counts[kind] = counts.get(kind, 0) + count
        self.seen.observe(counts, f"{when():%Y-%m-%d %H:%M:%S} UTC")
        save_seen(self.seen_file, self.seen)


@asynccontextmanager
async def open_target(
    project: Project,
    name: str,
    transport: Any = None,
    retry: RetryPolicy | None = None,
) -> AsyncIterator[Target]:
    """The API of environment `name`. An embedded environment needs `transport` (an httpx
    transport to the emulator); a remote one takes its key from the process environment.
    An environment pinned to an account (`account`) is checked first, before any other
    request (`api.account`)."""
    settings = project.settings.environments[name]
    if settings.embedded and transport is None:
        raise EnvironmentSelectionError(
            f"environment {name!r} is embedded: it needs the local emulator transport"
        )
    connection = connection_for(name, settings, retry=retry)
    source = (
        f"embedded:{project.embedded_db(name).resolve()}"
        if settings.embedded
        else connection.base_url
    )
    record = seen_path(project.root, name)
    async with HttpCore(connection, transport) as core:
        if settings.account is not None:
            await check_account(core, name, settings.account)
        yield Target(
            name=name,
            protected=settings.protected,
            core=core,
            reader=AlgunaReader(core),
            writer=AlgunaWriter(core),
            review_threshold=project.settings.review_for(name).price_increase_warning_percent,
            policies=project.settings.policies_for(name),
            seen=load_seen(record, source),
            seen_file=record,
        )


@dataclass(frozen=True)
class Catalog:
    """The catalog loaded for one environment, with its warnings."""

    desired: DesiredState
    warnings: tuple[Diagnostic, ...] = ()


@dataclass(frozen=True)
class Planned:
    """A plan and the two states it was made from (apply needs all three), with the
    diff's digests of the declared plans (`DiffResult.plan_digests`: the apply reuses
    them; without them it computes its own)."""

    plan: Plan
    desired: DesiredState
    live: LiveState
    plan_digests: Mapping[str, str] = field(default_factory=dict)


def load_catalog(project: Project, env: str | None = None) -> Catalog:
    """The catalog rendered and checked for `env` (default: BILLING_ENV's choice, as
    `Project.environment`), with its warnings. Raises `InvalidInputError` (every problem,
    with file, line and field) if it has errors. Public as `reconciler.load_catalog`, and
    what every command loads first: an invalid catalog must not cause any API call.
    `Project.load_desired` is the non-raising form (`billing validate`)."""
    result = project.load_desired(project.environment(env))
    if result.state is None:
        raise InvalidInputError(result.diagnostics, "the catalog has problems")
    return Catalog(desired=result.state, warnings=tuple(result.diagnostics))


async def plan_target(
    catalog: Catalog,
    target: Target,
    *,
    clock: Clock = utc_now,
    selection: Selection | None = None,
    policies: bool = True,
) -> Planned:
    """Read the live account and plan the catalog against it. With an active
    `selection` (`--target`/`--exclude`) the plan is partial: the diff is filtered
    (`targeting.select_changes`, which raises `SelectionError` when the selection cannot
    be honoured) before the plan is made, and the plan records the selection. The
    target's policies (billing.toml `[[policies]]`) are checked on the plan unless
    `policies` is False (drift: a report of the account, not a plan to review)."""
    desired = catalog.desired
    # The catalog's half of the diff needs nothing live: normalized in a thread while the
    # read waits on the rate limit, it leaves the plan's wall (docs/performance.md).
    normalizing = asyncio.create_task(asyncio.to_thread(desired_side, desired))
    try:
        live = await fetch_live(target.reader, desired, seen=target.seen)
    except BaseException:
        await asyncio.wait([normalizing])  # a thread cannot be stopped: never outlive it
        raise
    result = diff(desired, live, await normalizing)
    partial = None
    if selection is not None and selection.active:
        result, partial = select_changes(result, desired, selection)
    plan = make_plan(
        desired,
        live,
        result,
        created_at=clock(),
        diagnostics=catalog.warnings,
        review_threshold=target.review_threshold,
    )
    if partial is not None:
        plan = plan.model_copy(update={"partial": partial})
    if policies:
        plan = with_policies(plan, target.policies, protected=target.protected)
    target.remember(when=clock)
    return Planned(plan=plan, desired=desired, live=live, plan_digests=result.plan_digests)


async def apply_planned(
    planned: Planned,
    target: Target,
    *,
    allow_replace: bool = False,
    progress: Progress | None = None,
    stop: asyncio.Event | None = None,
) -> ApplyResult:
    """Apply a plan made just now (`plan_target`). Refuses (PlanRefusedError, nothing
    written) when a guard forbids it."""
    refusals = apply_refusals(
        planned.plan,
        allow_replace=allow_replace,
        from_saved_plan=False,
        protected=target.protected,
    )
    if refusals:
        raise PlanRefusedError("apply refused; nothing was written", refusals)
    result = await apply_plan(
        planned.plan,
        planned.desired,
        planned.live,
        target.writer,
        target.reader,
        progress=progress,
        stop=stop,
        plan_digests=planned.plan_digests,
    )
    target.remember(created_by(planned.plan, result))
    return result


def created_by(plan: Plan, result: ApplyResult) -> dict[str, int]:
    """Objects per kind that the applied changes of `plan` created."""
    applied = set(result.applied)
    created: dict[str, int] = {}
    for change in plan.changes:
        made = change.action in (Action.CREATE, Action.REPLACE) and change.version is None
        if made and change.change_id in applied:
            created[change.kind] = created.get(change.kind, 0) + 1
    return created


async def apply_saved(
    catalog: Catalog,
    target: Target,
    saved: Plan,
    *,
    allow_replace: bool = False,
    progress: Progress | None = None,
    stop: asyncio.Event | None = None,
    clock: Clock = utc_now,
) -> tuple[ApplyResult, Resumption]:
    """Apply a saved plan after re-reading the live account: refused (nothing written)
    if stale, already applied, for another environment or catalog, or guarded. The
    target's policies are checked on it again (today's rules, not those it was made
    under): a rule that denies it refuses it."""
    saved = with_policies(saved, target.policies, protected=target.protected)
    refusals = apply_refusals(
        saved, allow_replace=allow_replace, from_saved_plan=True, protected=target.protected
    )
    if refusals:
        raise PlanRefusedError("apply refused; nothing was written", refusals)
    fresh = await plan_target(catalog, target, clock=clock)
    result, resumption = await resume_plan(
        saved,
        fresh.plan,
        fresh.desired,
        fresh.live,
        target.writer,
        target.reader,
        progress=progress,
        stop=stop,
        plan_digests=fresh.plan_digests,
    )
    target.remember(created_by(saved, result))
    return result, resumption
