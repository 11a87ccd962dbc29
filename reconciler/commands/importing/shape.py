"""A live model in the shape a person would declare it (and the planner reads back equal).

The live reader returns every subscription version with its complete item set; the
catalog writes a version as its overrides of the plan's items (`wire.effective_items`
merges them back). So, for a subscription:
- with a single version that starts with the contract, has no description and holds
  exactly the plan's items, `versions` is left out (the catalog's default);
- otherwise each version lists only the items that differ from the plan's (a changed
  price, or an item the plan does not have). A version that lacks one of the plan's
  items cannot be written (catalog versions override or add, never remove), so such a
  subscription is not imported (`ShapeError`).
Products get an explicit `sku` (their identity), so a later rename of the catalog key
cannot turn them into a create. Everything else is written as read.
"""

from __future__ import annotations

from reconciler.errors import BillingError
from reconciler.model import Item, Plan, Product, Resource, Subscription, Version


class ShapeError(BillingError):
    """The live object cannot be written in the catalog language as it is."""


def catalog_form(key: str, model: Resource, plans: dict[str, Plan]) -> Resource:
    """`model` (read from the live account under `key`) as its catalog entry; `plans` are
    the plans the catalog will declare, by key (for subscription versions)."""
    if isinstance(model, Product):
        return model.model_copy(update={"sku": model.sku or key})
    if isinstance(model, Subscription):
        plan = plans.get(model.plan) if model.plan is not None else None
        return model.model_copy(update={"versions": _versions(model, plan)})
    return model


def _versions(subscription: Subscription, plan: Plan | None) -> tuple[Version, ...]:
    plan_items: tuple[Item, ...] = plan.items if plan is not None else ()
    versions = subscription.versions
    if (
        len(versions) == 1
        and versions[0].effective == subscription.contract.start_date
        and versions[0].description is None
        and versions[0].items == plan_items
    ):
        return ()
    if plan is None:
        return versions
    shaped: list[Version] = []
    for version in versions:
        refs = {item.ref for item in version.items}
        missing = [item.ref for item in plan_items if item.ref not in refs]
        if missing:
            raise ShapeError(
                f"its version {version.effective} does not have the plan's item(s)"
                f" {', '.join(missing)}; a catalog version can override or add items of"
                " the plan, not remove them"
            )
        overrides = tuple(item for item in version.items if item not in plan_items)
        shaped.append(version.model_copy(update={"items": overrides}))
    return tuple(shaped)
