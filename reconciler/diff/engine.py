"""`diff(desired, live)`: the changes that make the live account match the catalog.

Pure: no I/O, no clock, no randomness; the same states give the same result.

Contract:
- Both states are normalized first (`normalize`), so formatting and defaults never show.
- Every declared resource (and subscription version) gets exactly one outcome: changes
  (`resources`, `subscriptions` say which), or `unchanged`, or a diagnostic.
- Live objects that match no declared key are `unmanaged`: listed, never changed. A live
  object that matches but could not be read (`LiveState.problems`) is never re-created:
  its declared resource gets an error diagnostic instead (a create would duplicate it).
  A second live object with the natural key of a managed one (two applies at once, or
  someone by hand) gets a `live.duplicate` warning naming the key and both ids: it is
  listed as unmanaged (`<key>_2`) and never changed, but it is drift, and `billing
  drift` counts it (`plan.LIVE_DRIFT_CODES`).
- What copies or points at something the plan changes follows in the same plan
  (`repoint`): plans and bundles that price a replaced product, and plans and draft
  versions that use a repriced bundle without overrides.
- Changes come in apply order (`reconciler.plan.apply_order`): metrics, products,
  bundles, plans, customers, subscriptions, their new versions, then activations and
  cancellations; by key within a group.
- Diagnostics: errors make the plan unappliable (the planner refuses them); warnings
  are shown. Codes: `diff.not_normalized`, `live.unreadable`, `live.problem`,
  `plan.grandfathered`, `customer.currency_locked`, `subscription.version_published`,
  `subscription.version_undeclared`, `subscription.cancel_not_live`,
  `subscription.cancel_differs`, `live.duplicate`, `subscription.status_drift`.
"""

from __future__ import annotations

from pydantic import Field

from alguna_pricing.model.values import Frozen
from reconciler.diff.normalize import LiveModels, normalized
from reconciler.diff.plans import plan_change, published_plan_items, subscriptions_by_plan_id
from reconciler.diff.repoint import FOLLOWING, repointed
from reconciler.diff.resources import needs_nothing, resource_change
from reconciler.diff.subscriptions import SubscriptionInput, subscription_diff
from reconciler.model import (
    Address,
    DesiredState,
    LiveProblem,
    LiveState,
    Plan,
    Resource,
    Subscription,
    UnmanagedObject,
    kind_rank,
)
from reconciler.model.collection import fewer_collections
from reconciler.plan import Action, Change, Summary, apply_order
from reconciler.source.diagnostics import Diagnostic, Severity
from reconciler.wire import CatalogModels
from reconciler.wire.revisions import CanonicalBundles, plan_digest


class DiffResult(Frozen):
    """Changes (no noops, apply order), the addresses that need nothing, the unmanaged
    live objects (kind order, then key) and diagnostics. `plan_digests`: the content
    digest (`wire.revisions.plan_digest`) of every declared plan the diff compared, by
    key: the apply writes it into a new revision's marker instead of computing it
    again (not part of the plan)."""

    changes: tuple[Change, ...] = ()
    unchanged: tuple[Address, ...] = ()
    unmanaged: tuple[UnmanagedObject, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    plan_digests: dict[str, str] = Field(default_factory=dict)

    @property
    def summary(self) -> Summary:
        return Summary.of(self.changes, len(self.unchanged))


DesiredSide = tuple[dict[Address, Resource], list[Diagnostic]]
"""Every declared resource in canonical form, by address, and the diagnostics of those that
could not be normalized: what the diff needs of the catalog alone."""


def desired_side(desired: DesiredState) -> DesiredSide:
    """The catalog's part of `diff(desired, ...)`: about half its CPU, and it depends on the
    catalog alone, so `plan_target` computes it while the live account is being read."""
    with fewer_collections():
        return normalized(desired, CatalogModels(desired), desired)


def diff(desired: DesiredState, live: LiveState, side: DesiredSide | None = None) -> DiffResult:
    """What `apply` must do so that `live` matches `desired` (rules above). `side` is
    `desired_side(desired)` when the caller computed it already (it is not checked)."""
    with fewer_collections():  # many objects, all kept to the end: see `fewer_collections`
        return _diff(desired, live, desired_side(desired) if side is None else side)


def _diff(desired: DesiredState, live: LiveState, side: DesiredSide) -> DiffResult:
    desired_models, live_models = CatalogModels(desired), LiveModels(live)
    want, declared_diagnostics = side
    unnormalized = {d.field for d in declared_diagnostics}  # `diff.not_normalized` only
    diagnostics = list(declared_diagnostics)  # extended below; `side` stays as it was
    have, live_diagnostics = normalized(live, live_models)
    # One lookup for every plan's digest: each bundle is normalized once, not per plan.
    digest_models = CanonicalBundles(desired_models)
    by_plan_id = subscriptions_by_plan_id(live)
    diagnostics += live_diagnostics
    by_key: dict[tuple[str, str], list[LiveProblem]] = {}
    for p in live.problems:
        if p.key is not None:
            by_key.setdefault((p.kind, p.key), []).append(p)
    unreadable: dict[tuple[str, str], LiveProblem] = {}
    plan_digests: dict[str, str] = {}
    outcomes: list[Change] = []
    settled: list[Address] = []  # no-ops nothing can turn into changes (`FOLLOWING`)
    for address, resource in want.items():
        current = have.get(address)
        remote_id = live.ids.get(address)
        problems = by_key.pop((address.kind, address.key), [])
        duplicates = [p for p in problems if current is not None and p.remote_id != remote_id]
        diagnostics += [_duplicate(desired, live, address, remote_id, p) for p in duplicates]
        others = [p for p in problems if p not in duplicates]
        problem = others[0] if others else None
        if problem is not None and current is not None:
            unreadable[(address.kind, address.key)] = problem
        if current is None and problem is not None:
            diagnostics.append(
                _located(
                    desired,
                    address,
                    "live.unreadable",
                    Severity.ERROR,
                    f"{address} matches live {problem.remote_id}, which could not be"
                    f" read ({problem.message}); not planning a create that would"
                    " duplicate it",
                )
            )
            continue
        moved_from = live.moved.get(address)
        if isinstance(resource, Subscription):
            assert current is None or isinstance(current, Subscription)
            declared = desired.subscriptions[address.key]
            result = subscription_diff(
                SubscriptionInput(
                    key=address.key,
                    desired=resource,
                    live=current,
                    remote_id=remote_id,
                    moved_from=moved_from,
                    source=desired.sources.get(address),
                    live_status=live.statuses.get(address.key),
                    sources=desired.sources,
                    declared=declared,
                )
            )
            outcomes += result.changes
            diagnostics += result.diagnostics
        elif isinstance(resource, Plan):
            assert current is None or isinstance(current, Plan)
            declared_plan = desired.plans[address.key]
            # The declared plan itself when it could not be normalized: `content` then
            # makes its own round trip (a plan already canonical is kept as it is too).
            normalized_plan = None if address in unnormalized else resource
            digest = plan_digest(declared_plan, digest_models, normalized_plan)
            plan_digests[address.key] = digest
            revisions = live.revisions.get(address.key)
            # A read that shows items (not Alguna's plan read) is used as it is.
            read = current.items if current is not None else ()
            known = read or published_plan_items(address.key, desired, live, by_plan_id)
            change = plan_change(
                address, resource, digest, current, revisions, moved_from, known, bool(read)
            )
            if change.action is Action.NOOP:
                settled.append(address)
            else:
                outcomes.append(change)
            if revisions is not None and revisions.current.digest is None:
                diagnostics.append(_unmarked(desired, address, revisions.current.remote_id))
        elif address.kind not in FOLLOWING and needs_nothing(resource, current, moved_from):
            settled.append(address)  # its no-op change would be dropped unread
        else:
            change = resource_change(address, resource, current, remote_id, moved_from)
            if change.action is Action.NOOP and address.kind not in FOLLOWING:
                settled.append(address)
            else:
                outcomes.append(change)
    unreadable.update({k: v[0] for k, v in by_key.items()})
    outcomes = repointed(outcomes, desired, live)
    diagnostics += _consequences(desired, live, outcomes)
    diagnostics += [
        Diagnostic(
            code="live.problem",
            severity=Severity.WARNING,
            field=f"{p.kind}.{p.key}",
            message=f"live {p.kind} {p.remote_id} could not be read: {p.message}",
        )
        for p in sorted(unreadable.values(), key=lambda p: (p.kind, p.remote_id))
    ]
    return _result(outcomes, settled, live, diagnostics, plan_digests)


def _result(
    outcomes: list[Change],
    settled: list[Address],
    live: LiveState,
    diagnostics: list[Diagnostic],
    plan_digests: dict[str, str],
) -> DiffResult:
    changes = sorted((c for c in outcomes if c.action is not Action.NOOP), key=apply_order)
    changed = {c.address for c in changes}
    noops = {c.address for c in outcomes if c.action is Action.NOOP}
    unchanged = sorted(noops.union(settled) - changed, key=lambda a: (kind_rank(a.kind), a))
    return DiffResult(
        changes=tuple(changes),
        unchanged=tuple(unchanged),
        unmanaged=tuple(sorted(live.unmanaged, key=lambda u: (kind_rank(u.kind), u.key))),
        diagnostics=tuple(diagnostics),
        plan_digests=plan_digests,
    )


def _consequences(
    desired: DesiredState, live: LiveState, outcomes: list[Change]
) -> list[Diagnostic]:
    """What a change means for the live subscriptions that depend on it."""
    # Managed drafts are left out of the grandfathering count: their draft versions follow
    # the catalog (see `subscriptions`); activated and unmanaged ones keep their prices.
    subscriptions = [
        *((f"subscription.{k}", s) for k, s in sorted(live.subscriptions.items())),
        *(
            (f"subscription.{k} (unmanaged)", s)
            for k, s in sorted(live.unmanaged_tables.subscriptions.items())
        ),
    ]
    out: list[Diagnostic] = []
    moving = {c.key for c in outcomes if c.action is Action.NEW_VERSION}
    for change in outcomes:
        address = Address(kind=change.kind, key=change.key)
        if change.kind == "plan" and change.action is Action.NEW_REVISION:
            if not any(f.path == "revision" for f in change.fields):
                continue  # the same prices under a new name or description
            users = [
                name
                for name, s in subscriptions
                if s.plan == change.key and (s.activate or name.endswith("(unmanaged)"))
            ]
            staying = [n for n in users if n.removeprefix("subscription.") not in moving]
            moved = [n for n in users if n.removeprefix("subscription.") in moving]
            if users:
                parts = []
                if staying:
                    parts.append(
                        f"{len(staying)} stay on the superseded revision and keep their"
                        f" prices ({_names(staying)})"
                    )
                if moved:
                    parts.append(f"{len(moved)} get a new version in this plan ({_names(moved)})")
                out.append(
                    _located(
                        desired,
                        address,
                        "plan.grandfathered",
                        Severity.WARNING,
                        f"{len(users)} live subscription(s) were created from {address}: "
                        + "; ".join(parts)
                        + ". A subscription moves to new prices only through a declared"
                        " version with its own effective date",
                    )
                )
            continue
        if change.action not in (Action.UPDATE, Action.REPLACE) or address.version:
            continue
        if change.kind == "customer" and any(f.path == "currency" for f in change.fields):
            users = [name for name, s in subscriptions if s.customer == change.key]
            if users:
                out.append(
                    _located(
                        desired,
                        address,
                        "customer.currency_locked",
                        Severity.ERROR,
                        f"{address} has live subscriptions ({_names(users)}), which are"
                        " billed in its current currency; its currency cannot change"
                        " while they exist. Declare a new customer for the new"
                        " currency instead",
                        "currency",
                    )
                )
    return out


def _unmarked(desired: DesiredState, address: Address, remote_id: str) -> Diagnostic:
    return _located(
        desired,
        address,
        "plan.unmarked",
        Severity.WARNING,
        f"live plan {remote_id} ({address}) has no revision marker (it was made outside"
        " `billing apply`): Alguna cannot show a plan's items or terms, so only its name,"
        " description and currency are compared, and a price change to it cannot be"
        " detected. The next change to those creates a marked revision",
    )


def _names(names: list[str], shown: int = 5) -> str:
    more = f", +{len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def _duplicate(
    desired: DesiredState,
    live: LiveState,
    address: Address,
    managed_id: str | None,
    problem: LiveProblem,
) -> Diagnostic:
    extra = next((u for u in live.unmanaged if u.remote_id == problem.remote_id), None)
    natural = f" {extra.natural_key!r}" if extra is not None else ""
    shown = f", listed as unmanaged {extra.kind}.{extra.key}" if extra is not None else ""
    return _located(
        desired,
        address,
        "live.duplicate",
        Severity.WARNING,
        f"{address}: two live {address.kind}s carry its natural key{natural}:"
        f" {managed_id} (managed) and {problem.remote_id}{shown}. Made by two applies at"
        " once or by hand; the second is never changed by apply. Check which one is in"
        " use (a duplicate subscription bills twice) and retire the other in the dashboard",
    )


def _located(
    desired: DesiredState,
    address: Address,
    code: str,
    severity: Severity,
    message: str,
    field: str | None = None,
) -> Diagnostic:
    source = desired.sources.get(address)
    return Diagnostic(
        code=code,
        message=message,
        severity=severity,
        field=f"{address}.{field}" if field else address,
        file=source.file if source else None,
        line=source.line if source else None,
    )
