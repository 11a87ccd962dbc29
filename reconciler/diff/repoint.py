"""Follow-up updates: what must be rewritten because something it copies or points at
changes in the same plan, although its own declaration did not change.

- A replaced product is a new live object with a new id (the old one is renamed out of
  the way, see `apply.steps`): bundles that price it still point at the old id. Plans
  need nothing here: the digest of a plan covers the fields a replace changes, so a
  plan that prices a replaced product gets a new revision (`diff.plans`).
- A bundle whose prices change: the API copies a bundle's prices into every plan item
  and subscription version item that uses the bundle without overrides (`items`), so
  those keep the old prices. Plans are rewritten; so are the versions of draft
  subscriptions (drafts are editable). Active subscriptions are not: their published
  versions keep what they were sold with (grandfathering; see `engine`).

- A metric with a new revision (metrics are write-once): the products that meter it are
  replaced (`_metric_cascade`), which re-points bundles as above; the plans that price
  them get a new revision through their digest.

Each such no-op becomes an `update` whose reason names the cause, so the one apply
leaves nothing for the next plan to find.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from reconciler.model import (
    Address,
    Bundle,
    DesiredState,
    Item,
    Kind,
    LiveState,
    Plan,
    Version,
)
from reconciler.plan import Action, Change, FieldChange


def _products(resource: Plan | Bundle) -> set[str]:
    if isinstance(resource, Bundle):
        return {item.product for item in resource.items}
    found: set[str] = set()
    for item in resource.items:
        if item.product is not None:
            found.add(item.product)
        found.update(child.product for child in item.items or ())
    return found


def _copied_bundles(items: Iterable[Item]) -> set[str]:
    """Bundles used without overrides: their prices are copied from the bundle."""
    return {item.bundle for item in items if item.bundle is not None and item.items is None}


def _cause(
    change: Change, desired: DesiredState, live: LiveState, replaced: set[str], repriced: set[str]
) -> str | None:
    if change.kind == "subscription":
        if change.version is None or change.after is None:
            return None
        current = live.subscriptions.get(change.key)
        if current is None or current.activate:
            return None
        version = Version.model_validate_json(json.dumps(change.after))  # JSON mode: dates
        reason = _bundle_reason(sorted(_copied_bundles(version.items) & repriced))
        customer = desired.subscriptions[change.key].customer
        return None if reason is None else f"customer {customer}: {reason}"
    table: dict[str, Plan] | dict[str, Bundle]
    table = desired.plans if change.kind == "plan" else desired.bundles
    resource = table.get(change.key)
    if resource is None:
        return None
    products = sorted(_products(resource) & replaced)
    if products:
        names = ", ".join(f"product.{key}" for key in products)
        return f"refers to {names}, which is replaced: its items are re-pointed to the new product"
    if isinstance(resource, Plan):
        return _bundle_reason(sorted(_copied_bundles(resource.items) & repriced))
    return None


def _bundle_reason(bundles: list[str]) -> str | None:
    if not bundles:
        return None
    names = ", ".join(f"bundle.{key}" for key in bundles)
    return f"uses {names} without overrides, whose prices change: its copy of them is updated"


FOLLOWING: frozenset[Kind] = frozenset({"product", "bundle", "subscription"})
"""The kinds whose no-ops `repointed` may turn into changes: products metering a revised
metric, bundles pricing a replaced product, draft subscription versions copying a
repriced bundle. The diff keeps a no-op of another kind as its address only: its change
would be dropped unread (issue 19: they were most of the diff's memory at its peak)."""

METERING = frozenset({"event_name", "aggregation", "filter_groups"})
"""A metric's fields that decide what it counts (its name and description do not)."""


def _metric_cascade(outcomes: list[Change], live: LiveState) -> list[Change]:
    """Products that meter a metric getting a new revision that counts differently
    (`METERING`) are replaced: their metrics are
    fixed at creation (the API refuses `metric_ids` on a product update), so only a new
    product can point at the new metric. The replace needs --allow-replace like any."""
    revised = {
        c.key
        for c in outcomes
        if c.kind == "metric"
        and c.action is Action.NEW_REVISION
        and any(f.path.split(".")[0].split("[")[0] in METERING for f in c.fields)
    }
    if not revised:
        return outcomes
    out: list[Change] = []
    for change in outcomes:
        product = live.products.get(change.key) if change.kind == "product" else None
        metered = sorted(revised & set(product.metrics)) if product is not None else []
        if metered and change.action in (Action.NOOP, Action.UPDATE):
            forced = tuple(
                FieldChange(
                    path=f"metrics[{key}]",
                    before=live.ids.get(Address("metric", key)),
                    after="(its new revision)",
                    forces_replace=True,
                )
                for key in metered
            )
            names = ", ".join(f"metric.{key}" for key in metered)
            change = change.model_copy(
                update={
                    "action": Action.REPLACE,
                    "fields": (*change.fields, *forced),
                    "reason": f"meters {names}, which gets a new revision: a product's"
                    " metrics cannot change in place, so a new product replaces it; needs"
                    " --allow-replace",
                }
            )
        out.append(change)
    return out


def repointed(outcomes: Iterable[Change], desired: DesiredState, live: LiveState) -> list[Change]:
    """`outcomes` with each no-op that must follow another change turned into an update
    that says why (module docstring)."""
    outcomes = _metric_cascade(list(outcomes), live)
    replaced = {c.key for c in outcomes if c.kind == "product" and c.action is Action.REPLACE}
    repriced = {
        c.key
        for c in outcomes
        if c.kind == "bundle"
        and c.action is Action.UPDATE
        and any(f.path.startswith("items") for f in c.fields)
    }
    if not replaced and not repriced:
        return outcomes
    out: list[Change] = []
    for change in outcomes:
        if change.action is Action.NOOP and change.kind in ("bundle", "subscription"):
            reason = _cause(change, desired, live, replaced, repriced)
            if reason is not None:
                change = change.model_copy(update={"action": Action.UPDATE, "reason": reason})
        out.append(change)
    return out
