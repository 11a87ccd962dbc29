"""`reconcile_saved`: may a saved plan run now, and which of its changes are left?

Owns the refusal rules for saved plans; must not write (it only compares a saved plan
with a fresh plan of the same catalog, made from a fresh read of the live account).

A saved plan runs only if nothing it touches changed since it was made, apart from what
it did itself (a crashed or interrupted apply of the same plan). Rules, checked before
any write:
- its environment is the one selected, and the catalog has its `catalog_digest`;
- each of its changes is either *done* (the fresh plan no longer needs it: the live
  account already matches), or *pending* (the fresh plan has the same change: same
  address, same `after`, same action, or `create` for a `replace` whose old object was
  already renamed), or else the plan is *stale*;
- a pending change's resource still has the fingerprint the plan recorded, unless the
  plan already made another change to that resource (its own write moved it);
- the fresh plan needs nothing else at an address the saved plan touches (e.g. a
  version created out of band);
- a done `new_revision` whose current revision another apply created (its marker's `by`
  names another plan id) is stale: someone else made that revision since;
- a plan with changes of which none is pending was already applied: refused.
Fresh changes at addresses the plan does not touch (drift elsewhere) are not made: a
saved plan applies what was reviewed, and nothing else. They are reported as `outside`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from reconciler.apply.executor import Job
from reconciler.apply.keys import tombstone_suffix
from reconciler.errors import BillingError
from reconciler.model import Address
from reconciler.model.plan_marker import applied_by
from reconciler.plan import Action, Change, Plan


class PlanRefusedError(BillingError):
    """A saved plan must not be applied; `reasons` say why. Nothing was written."""

    def __init__(self, summary: str, reasons: list[str]) -> None:
        self.reasons = reasons
        listed = "".join(f"\n  - {r}" for r in reasons)
        super().__init__(f"{summary}{listed}")


class StalePlanError(PlanRefusedError):
    """The live account changed under the plan since it was made."""


class AlreadyAppliedError(PlanRefusedError):
    """Every change of the plan is already in the live account."""


@dataclass(frozen=True)
class Resumption:
    jobs: tuple[Job, ...]
    done: tuple[str, ...]
    outside: tuple[Change, ...]


def _compatible(saved: Change, fresh: Change) -> bool:
    if saved.after != fresh.after:
        return False
    return saved.action is fresh.action or (
        saved.action is Action.REPLACE and fresh.action is Action.CREATE
    )


def _renamed_by(saved: Plan, fresh: Plan, change: Change) -> bool:
    """Whether `saved`'s replace of `change` renamed the old object (its tombstone step):
    then it is unmanaged, under a natural key ending in the plan's suffix."""
    suffix = tombstone_suffix(saved.plan_id)
    return any(u.kind == change.kind and u.natural_key.endswith(suffix) for u in fresh.unmanaged)


def reconcile_saved(
    saved: Plan,
    fresh: Plan,
    environment: str,
    made_by: Mapping[Address, str | None] | None = None,
) -> Resumption:
    """May `saved` run now (`fresh` is the plan made just now), and what is left of it.
    `made_by` is, per plan address, who created its current revision (the marker's `by`):
    a new revision the saved plan has but another apply already created is stale."""
    if saved.environment != environment:
        raise PlanRefusedError(
            "the plan is for another environment",
            [f"it was made for {saved.environment!r}; the selected one is {environment!r}"],
        )
    if saved.catalog_digest != fresh.catalog_digest:
        raise PlanRefusedError(
            "the catalog changed since the plan was made",
            [
                f"the plan was made from catalog {saved.catalog_digest}; the catalog here is"
                f" {fresh.catalog_digest}. Plan again and review the new plan"
            ],
        )
    by_address: dict[Address, list[Change]] = {}
    for change in fresh.changes:
        by_address.setdefault(change.address, []).append(change)
    touched = {c.address.resource for c in saved.changes}
    jobs: list[Job] = []
    done: list[Change] = []
    stale: list[str] = []
    used: set[str] = set()
    for change in saved.changes:
        candidates = by_address.get(change.address, [])
        match = next((f for f in candidates if _compatible(change, f)), None)
        if match is not None:
            used.add(match.change_id)
            jobs.append(Job(change=match, key_base=change.change_id))
        elif any(f.action is change.action for f in candidates):
            stale.append(f"{change.address}: the live object no longer matches what the plan saw")
        else:
            done.append(change)
    ours = applied_by(saved.plan_id)
    for change in done:
        by = (made_by or {}).get(change.address)
        if change.action is Action.NEW_REVISION and by is not None and by != ours:
            stale.append(
                f"{change.address}: its new revision was created by another apply (by={by})"
                " since this plan was made"
            )
    done_resources = {c.address.resource for c in done}
    for job in jobs:
        resource = job.change.address.resource
        recorded = saved.fingerprints.get(resource)
        if job.key_base.endswith(f"#{Action.REPLACE.value}") and job.change.action is Action.CREATE:
            # This plan's first step already renamed the old object out of the way.
            if not _renamed_by(saved, fresh, job.change):
                stale.append(f"{resource} is gone from the live account since the plan")
            continue
        if resource in done_resources or recorded is None:
            continue
        if fresh.fingerprints.get(resource) != recorded:
            stale.append(f"{resource} changed outside this plan since it was made")
    outside: list[Change] = []
    for change in fresh.changes:
        if change.change_id in used:
            continue
        if change.address.resource in touched:
            stale.append(f"{change.address} now also needs a {change.action.value} the plan lacks")
        else:
            outside.append(change)
    if stale:
        raise StalePlanError(
            "the plan is stale: the live account changed since it was made; nothing was"
            " written. Plan again and review the new plan",
            sorted(set(stale)),
        )
    if saved.changes and not jobs:
        raise AlreadyAppliedError(
            f"plan {saved.plan_id} was already applied: the live account has all of its"
            " changes; nothing was written",
            [],
        )
    return Resumption(
        jobs=tuple(jobs), done=tuple(c.change_id for c in done), outside=tuple(outside)
    )
