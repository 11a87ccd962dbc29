"""Re-pointing: plans and bundles that refer to a product being replaced.

A replaced product is a new live object with a new id (the old one is renamed out of the
way, see `apply.steps`). Plans and bundles that price it still point at the old id
although nothing in their declaration changed, so a plan that replaces a product also
updates them, in the same apply; otherwise apply would leave them on the renamed product
and only the next plan would notice. Subscriptions are not re-pointed: their published
versions keep the prices (and products) they were sold with.
"""

from __future__ import annotations

from collections.abc import Iterable

from reconciler.model import Bundle, DesiredState, Plan
from reconciler.plan import Action, Change


def _products(resource: Plan | Bundle) -> set[str]:
    if isinstance(resource, Bundle):
        return {item.product for item in resource.items}
    found: set[str] = set()
    for item in resource.items:
        if item.product is not None:
            found.add(item.product)
        found.update(child.product for child in item.items or ())
    return found


def repointed(outcomes: Iterable[Change], desired: DesiredState) -> list[Change]:
    """`outcomes` with each no-op plan or bundle that refers to a replaced product turned
    into an update that says why."""
    outcomes = list(outcomes)
    replaced = {c.key for c in outcomes if c.kind == "product" and c.action is Action.REPLACE}
    if not replaced:
        return outcomes
    out: list[Change] = []
    for change in outcomes:
        if change.action is Action.NOOP and change.kind in ("plan", "bundle"):
            table: dict[str, Plan] | dict[str, Bundle]
            table = desired.plans if change.kind == "plan" else desired.bundles
            resource = table.get(change.key)
            hit = sorted(_products(resource) & replaced) if resource is not None else []
            if hit:
                names = ", ".join(f"product.{key}" for key in hit)
                change = change.model_copy(
                    update={
                        "action": Action.UPDATE,
                        "reason": f"refers to {names}, which is replaced: its items are"
                        " re-pointed to the new product",
                    }
                )
        out.append(change)
    return out
