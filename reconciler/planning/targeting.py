"""Partial plans: `--target ADDR` and `--exclude ADDR`, a pure filter on a diff result.

`select_changes(result, desired, selection)` keeps the changes of the selected resources
and returns them with a `PartialPlan` record; the planner then builds the plan from the
filtered result as from any other (`make_plan`), so guards, price reviews and the plan id
cover exactly the changes that will be made. No I/O, no clock.

Why a filter on the diff and not a smaller read: the whole catalog is still loaded and the
whole live account still read, so a partial plan sees the same identities, references and
fingerprints as a full one; only what it proposes to do is smaller.

Rules:
- An address is `<kind>.<key>` and must be declared in the catalog (a typo is an error,
  not an empty plan). A subscription is selected with its versions, activation and
  cancellation: they are one resource for apply, so a version address is refused (a saved
  plan holding a version but not its subscription's other pending changes would be stale
  by construction).
- `--target`: only the targeted resources, plus their dependencies: every resource a
  selected one refers to (metrics, products, bundles, plans, customers) that the same
  plan creates or replaces, transitively, since the selected change cannot be made
  without it; and, for a replaced product, the plans and bundles that are only re-pointed
  to the replacement (that update exists only because of the replace). Dependencies are
  recorded in `PartialPlan.pulled_in`, so the reviewer sees why they are there.
- `--exclude`: every changed resource except the excluded ones (with `--target`: the
  targets and their dependencies except the excluded ones). A dependency that is excluded
  is refused explicitly (`SelectionError`): the change that needs it would fail at apply.
  Excluding an address that is also targeted is refused too.
- Diagnostics that name a declared resource outside the selection are dropped (a problem
  with a resource this plan does not touch must not block it); all others are kept.
- `unchanged` and `unmanaged` are kept as they are: the account was read in full.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast

from reconciler.diff import DiffResult
from reconciler.errors import BillingError
from reconciler.model import (
    KINDS,
    Address,
    Bundle,
    DesiredState,
    Item,
    Kind,
    Plan,
    Product,
    Resource,
)
from reconciler.model import Subscription as SubscriptionModel
from reconciler.plan import Action, Change, PartialPlan, apply_order
from reconciler.source.diagnostics import Diagnostic

_NEEDED = frozenset({Action.CREATE, Action.REPLACE, Action.NEW_REVISION})
_RESOURCE_PREFIX = re.compile(r"^(?P<kind>[a-z]+)\.(?P<key>[a-z][a-z0-9_]*)")


class SelectionError(BillingError):
    """`--target`/`--exclude` cannot be honoured; `reasons` say why (nothing planned)."""

    def __init__(self, reasons: list[str]) -> None:
        self.reasons = reasons
        listed = "".join(f"\n  - {r}" for r in reasons)
        super().__init__(f"cannot make a partial plan:{listed}")


@dataclass(frozen=True)
class Selection:
    """The addresses given with `--target` and `--exclude` (as typed, `<kind>.<key>`)."""

    targets: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        return bool(self.targets or self.excludes)


def references(resource: Resource) -> set[Address]:
    """The addresses `resource` refers to: product metrics; item products, bundles and
    price metrics; a subscription's customer and plan."""
    found: set[Address] = set()
    if isinstance(resource, Product):
        found.update(Address("metric", m) for m in resource.metrics)
    elif isinstance(resource, Bundle):
        for product_item in resource.items:
            found.add(Address("product", product_item.product))
            found.update(Address("metric", m) for m in product_item.price.metrics or ())
    elif isinstance(resource, Plan):
        found.update(_item_refs(resource.items))
    elif isinstance(resource, SubscriptionModel):
        found.add(Address("customer", resource.customer))
        if resource.plan is not None:
            found.add(Address("plan", resource.plan))
        for version in resource.versions:
            found.update(_item_refs(version.items))
    return found


def _item_refs(items: Iterable[Item]) -> set[Address]:
    found: set[Address] = set()
    for item in items:
        if item.product is not None:
            found.add(Address("product", item.product))
        if item.bundle is not None:
            found.add(Address("bundle", item.bundle))
        if item.price is not None:
            found.update(Address("metric", m) for m in item.price.metrics or ())
        for child in item.items or ():
            found.add(Address("product", child.product))
            found.update(Address("metric", m) for m in child.price.metrics or ())
    return found


def _check_addresses(selection: Selection, desired: DesiredState) -> list[str]:
    problems: list[str] = []
    for flag, addresses in (("--target", selection.targets), ("--exclude", selection.excludes)):
        for text in addresses:
            try:
                address = Address.parse(text)
            except ValueError as exc:
                problems.append(f"{flag} {text}: {exc}")
                continue
            if address.version is not None:
                problems.append(
                    f"{flag} {text}: a subscription version is selected with its subscription;"
                    f" use {flag} subscription.{address.key}"
                )
            elif address.key not in desired.table(address.kind):
                problems.append(
                    f"{flag} {text}: no {address.kind} {address.key!r} is declared in the catalog"
                )
    for both in sorted(set(selection.targets) & set(selection.excludes)):
        problems.append(f"{both} is both targeted and excluded")
    return problems


def select_changes(
    result: DiffResult, desired: DesiredState, selection: Selection
) -> tuple[DiffResult, PartialPlan]:
    """`result` restricted to `selection` (rules above), and the record of it. Raises
    `SelectionError` with every problem when the selection cannot be honoured."""
    problems = _check_addresses(selection, desired)
    if problems:
        raise SelectionError(problems)
    by_resource: dict[Address, list[Change]] = {}
    for change in result.changes:
        by_resource.setdefault(change.address.resource, []).append(change)
    excluded = {Address.parse(text) for text in selection.excludes}
    if selection.targets:
        start = list(dict.fromkeys(map(Address.parse, selection.targets)))
    else:
        start = [r for r in by_resource if r not in excluded]
    selected, pulled_in, conflicts = _closure(start, excluded, by_resource, desired)
    if conflicts:
        raise SelectionError(conflicts)
    kept = tuple(c for c in result.changes if c.address.resource in selected)
    record = PartialPlan(
        targets=tuple(dict.fromkeys(selection.targets)),
        excludes=tuple(dict.fromkeys(selection.excludes)),
        pulled_in=tuple(sorted(pulled_in, key=lambda a: _order(a, by_resource))),
        left_out=len(result.changes) - len(kept),
    )
    filtered = DiffResult(
        changes=kept,
        unchanged=result.unchanged,
        unmanaged=result.unmanaged,
        diagnostics=tuple(
            d for d in result.diagnostics if _belongs_to_selection(d, selected, desired)
        ),
        plan_digests=result.plan_digests,
    )
    return filtered, record


def _closure(
    start: list[Address],
    excluded: set[Address],
    by_resource: dict[Address, list[Change]],
    desired: DesiredState,
) -> tuple[set[Address], set[Address], list[str]]:
    """Selected resources, those pulled in as dependencies, and conflicts with excludes."""
    resources = desired.resources()
    selected = set(start)
    pulled_in: set[Address] = set()
    conflicts: list[str] = []
    work = list(start)
    while work:
        current = work.pop()
        model = resources.get(current)
        if model is None:
            continue
        needed = [
            (dep, change.action)
            for dep in sorted(references(model))
            for change in by_resource.get(dep, ())
            if change.action in _NEEDED
        ]
        for dep, action in needed:
            if dep in excluded:
                conflicts.append(
                    f"{current} needs {dep} ({action.value}), which --exclude leaves out:"
                    f" exclude {current} too, or stop excluding {dep}"
                )
            elif dep not in selected:
                selected.add(dep)
                pulled_in.add(dep)
                work.append(dep)
        for dependent in _repointed_by(current, by_resource, resources):
            if dependent not in selected and dependent not in excluded:
                selected.add(dependent)
                pulled_in.add(dependent)
                work.append(dependent)
    return selected, pulled_in, sorted(set(conflicts))


def _repointed_by(
    product: Address, by_resource: dict[Address, list[Change]], resources: dict[Address, Resource]
) -> list[Address]:
    """Plans and bundles whose only change follows `product`'s replacement (a bundle's
    update with no field of its own, a plan's new revision with only its digest)."""
    if not any(c.action is Action.REPLACE for c in by_resource.get(product, ())):
        return []
    found: list[Address] = []
    for address, changes in by_resource.items():
        if address.kind not in ("plan", "bundle"):
            continue
        only_repoint = all(_follows_only(c) for c in changes)
        model = resources.get(address)
        if only_repoint and model is not None and product in references(model):
            found.append(address)
    return found


def _follows_only(change: Change) -> bool:
    """A change with nothing of its own: a bundle's re-pointing update, or a plan's new
    revision whose only difference is its digest (which covers the replaced product)."""
    if change.action is Action.NEW_REVISION:
        return all(f.path == "revision" for f in change.fields)
    return change.action is Action.UPDATE and not change.fields


def _order(address: Address, by_resource: dict[Address, list[Change]]) -> tuple[object, ...]:
    changes = by_resource.get(address)
    return apply_order(changes[0]) if changes else (99, address)


def _belongs_to_selection(d: Diagnostic, selected: set[Address], desired: DesiredState) -> bool:
    """False only for a diagnostic naming a declared resource outside the selection."""
    match = _RESOURCE_PREFIX.match(d.field or "")
    if match is None or match["kind"] not in KINDS:
        return True
    kind = cast(Kind, match["kind"])
    declared = match["key"] in desired.table(kind)
    return not declared or Address(kind, match["key"]) in selected
