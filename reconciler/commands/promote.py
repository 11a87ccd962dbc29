"""`promote`: plan an environment from the catalog, after proving another one matches it.

The point of a promotion is to ship to production exactly what was tested in sandbox.
The catalog is the thing tested, so the proof is a plan of the source environment: if
planning the catalog (rendered with the source's variables) against the source account
finds anything to change, or any error, the source does not hold what the catalog says
and the promotion is refused, listing the drift (`PromotionRefusedError`, nothing is
planned for the target). Otherwise the target is planned from the same catalog files,
rendered with the target's variables, and the plan records the promotion (`Promotion`:
the source environment, its catalog digest, when it was read, how much matched).

Objects are matched across environments by their natural keys (the catalog keys and
names), never by remote ids, which differ per account: this module never looks at one.

Both catalogs are loaded (and must be valid) before any API call. A `Selection`
(`--target`/`--exclude`) applies to both plans: the proof covers what is promoted.
The result is an ordinary plan for the target, saved and applied like any other
(`billing apply FILE`), with the target's own guards (protected, replacements).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reconciler.commands.embedded import transport_for
from reconciler.commands.project import Project
from reconciler.commands.workflow import (
    Clock,
    Planned,
    load_catalog,
    open_target,
    plan_target,
    utc_now,
)
from reconciler.errors import BillingError
from reconciler.plan import Plan, Promotion
from reconciler.planning.targeting import Selection
from reconciler.source.diagnostics import Severity


class PromotionRefusedError(BillingError):
    """The source environment does not match the catalog; `source` is its plan (the drift
    to show), `reasons` one line per difference or error. Nothing was planned."""

    def __init__(self, source: Plan, reasons: list[str]) -> None:
        self.source = source
        self.reasons = reasons
        listed = "".join(f"\n  - {r}" for r in reasons)
        super().__init__(
            f"promotion refused: {source.environment!r} does not match the catalog"
            f" ({len(reasons)} difference(s)); apply or fix it there first, then promote{listed}"
        )


@dataclass(frozen=True)
class Promoted:
    """The target's plan (with `plan.promotion` set) and the source's empty plan (the
    proof it was made after)."""

    planned: Planned
    source: Plan


async def promote(
    project: Project,
    source: str,
    target: str,
    *,
    transports: Mapping[str, Any] | None = None,
    selection: Selection | None = None,
    clock: Clock = utc_now,
) -> Promoted:
    """Prove `source` matches the catalog, then plan `target` from it (module docstring).
    `transports` gives an httpx transport per environment name (embedded ones need it)."""
    if source == target:
        raise BillingError(f"--from and --to are both {source!r}: promote between two environments")
    transports = transports or {}
    source_catalog = load_catalog(project, source)
    target_catalog = load_catalog(project, target)
    async with open_target(project, source, transports.get(source)) as opened:
        proof = await plan_target(source_catalog, opened, clock=clock, selection=selection)
    refusals = _drift(proof.plan)
    if refusals:
        raise PromotionRefusedError(proof.plan, refusals)
    async with open_target(project, target, transports.get(target)) as opened:
        planned = await plan_target(target_catalog, opened, clock=clock, selection=selection)
    promotion = Promotion(
        from_environment=source,
        source_catalog_digest=proof.plan.catalog_digest,
        source_checked_at=proof.plan.created_at,
        source_unchanged=proof.plan.summary.unchanged,
    )
    stamped = planned.plan.model_copy(update={"promotion": promotion})
    return Promoted(
        planned=Planned(
            plan=stamped,
            desired=planned.desired,
            live=planned.live,
            plan_digests=planned.plan_digests,
        ),
        source=proof.plan,
    )


def promote_environments(
    project: Project, source: str, target: str, selection: Selection | None = None
) -> Promoted:
    """`billing promote`: `promote` run synchronously, embedded environments reached
    through the in-process emulator (`commands.embedded`)."""

    async def run() -> Promoted:
        transports = {name: transport_for(project, name) for name in (source, target)}
        return await promote(project, source, target, transports=transports, selection=selection)

    return asyncio.run(run())


def _drift(plan: Plan) -> list[str]:
    """One line per change the source still needs, and per error of its plan."""
    lines = [f"{c.address}: {c.action.value} needed ({c.reason})" for c in plan.changes]
    lines += [
        f"{d.location}: {d.code}: {d.message}"
        for d in plan.diagnostics
        if d.severity is Severity.ERROR
    ]
    return lines
