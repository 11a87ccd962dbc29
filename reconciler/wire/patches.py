"""`patch_body`: the PATCH body that makes a live object match a catalog resource.

Bodies are full, not minimal: every updatable field is in the body, and a field the
catalog leaves unset is null, which clears it (the documented PATCH semantics), so a
field removed from the catalog is removed live too. Apply sends only the part that
differs from the live object's own body (`apply.recheck`), so an edit of another field
made meanwhile survives. Fields the API cannot change in place
(`IMMUTABLE_FIELDS`: product fee type and friends, plan currency) are never sent: a change
to them is a `replace`, planned apart. Lists that may not be null (metric filter groups,
bundle prices, customer aliases and contacts, plan items) are sent as lists (replace-list
semantics).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.model import Bundle, Customer, Metric, Plan, Product, Resource, Subscription
from reconciler.wire.bundles import bundle_to_wire
from reconciler.wire.customers import customer_to_wire
from reconciler.wire.metrics import metric_to_wire
from reconciler.wire.plans import plan_to_wire
from reconciler.wire.products import product_patch_body
from reconciler.wire.refs import IdResolver
from reconciler.wire.subscriptions import subscription_patch_body, with_plan_terms
from reconciler.wire.values import WireObject

# Optional fields of each kind that the PATCH clears when sent as null.
_CLEARABLE: dict[type[Resource], tuple[str, ...]] = {
    Metric: ("description",),
    Plan: (
        "description",
        "additional_terms",
        "contract_duration",
        "contract_period_type",
        "renewal_duration",
        "renewal_period_type",
        "auto_renew",
        "trial_period_days",
        "payment_terms",
        "invoice_settings",
        "discount",
        "minimum_spend",
        "maximum_spend",
    ),
    Bundle: ("description",),
    Customer: ("billing_address",),
}


def patch_body(
    resource: Resource,
    key: str,
    ids: IdResolver,
    live_metadata: Mapping[str, Any] | None = None,
) -> WireObject:
    """The PATCH body for `resource` declared under `key`. `live_metadata` (subscriptions
    only) is the live object's metadata, whose undeclared keys are deleted."""
    match resource:
        case Product():
            return product_patch_body(resource, key)
        case Subscription():
            # Terms left unset are the plan's (as on create), not "clear this term".
            plan = ids.plan(resource.plan) if resource.plan is not None else None
            terms = with_plan_terms(resource, plan)
            return subscription_patch_body(terms, key, live_metadata or {})
        case Metric():
            body = metric_to_wire(resource)
        case Plan():
            body = plan_to_wire(resource, ids)
            del body["currency"]
        case Bundle():
            body = bundle_to_wire(resource, ids)
        case Customer():
            body = customer_to_wire(resource, key)
            body.setdefault("contacts", [])
        case _:
            raise TypeError(f"not a resource: {type(resource).__name__}")
    cleared = {name: None for name in _CLEARABLE[type(resource)] if name not in body}
    return {**cleared, **body}
