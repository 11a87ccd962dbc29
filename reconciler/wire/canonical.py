"""Generic entry points by kind, and `canonical`: the fixed point of the mapping.

`to_wire(resource, key, ids)` is the create body of any kind; `from_wire(kind, obj, key,
keys, versions)` maps a response object back. `canonical(resource, key, models)` is what
`from_wire(to_wire(resource))` returns through a faithful server, computed with each key
as its own id (`KeysAsIds`), so it needs only the declared models. `canonical` is
idempotent; the diff normalizes both desired and live state with it, so that defaults
and formatting never show as changes.

The rules, all consequences of the mapping:
- Decimals: no exponent, no trailing fractional zeros (`10.00` -> `10`, `1E+3` -> `1000`).
- Every kind: `moved_from` becomes `()` (it is catalog-only, never on the wire).
- Prices: a `billing_direction` equal to the product's `payment_terms` becomes None;
  `metrics` equal to the product's metrics (same order) becomes None.
- Bundle items: explicit `items` equal to the bundle's declared prices (canonical, same
  order) become None.
- Products: `sku` equal to the key becomes None; a fixed product without
  `billing_frequency` gets `recurring`; a metered product's `recurring` becomes None.
- Plans: `invoice_settings` with no field set becomes None.
- Customers: the key is removed from `aliases`; a billing address with no field set
  becomes None.
- Subscriptions: terms left unset take the plan's (`with_plan_terms`), as the API copies
  them; `currency` equal to the customer's becomes None; `billing` with no
  field set becomes None; metadata loses `billing_key` and `managed_by`; `versions`
  always holds at least the first version, whose `effective` is the contract start date
  and whose description is None (the create body carries neither); every version holds
  its complete item set (plan items merged with the version's overrides); versions are
  ordered by effective date (dates first, keyword-dated versions after, as declared).
  `activate` and `cancel` are kept as declared: they are actions on the live object,
  compared with its status by the planner, not fields of a body.
- Metrics: unchanged (apart from `moved_from`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar, cast

from reconciler.model import Bundle, Customer, Kind, Metric, Plan, Product, Resource, Subscription
from reconciler.wire.bundles import bundle_from_wire, bundle_to_wire
from reconciler.wire.customers import customer_from_wire, customer_to_wire
from reconciler.wire.metrics import metric_from_wire, metric_to_wire
from reconciler.wire.plans import plan_from_wire, plan_to_wire
from reconciler.wire.products import product_from_wire, product_to_wire
from reconciler.wire.refs import IdResolver, KeyResolver, KeysAsIds, ModelLookup
from reconciler.wire.revisions import plan_create_body
from reconciler.wire.subscriptions import (
    subscription_from_wire,
    subscription_to_wire,
    version_to_wire,
    with_plan_terms,
)
from reconciler.wire.values import WireObject

R = TypeVar("R", bound=Resource)


def to_wire(resource: Resource, key: str, ids: IdResolver) -> WireObject:
    """The create body of `resource` (declared under `key`)."""
    match resource:
        case Metric():
            return metric_to_wire(resource)
        case Product():
            return product_to_wire(resource, key, ids)
        case Plan():
            return plan_create_body(resource, key, ids)
        case Bundle():
            return bundle_to_wire(resource, ids)
        case Customer():
            return customer_to_wire(resource, key)
        case Subscription():
            return subscription_to_wire(resource, key, ids)
    raise TypeError(f"not a resource: {type(resource).__name__}")


def from_wire(
    kind: Kind,
    obj: Mapping[str, Any],
    key: str,
    keys: KeyResolver,
    versions: Sequence[Mapping[str, Any]] = (),
) -> Resource:
    """The catalog model of the live object `obj` known under `key`; `versions` are a
    subscription's version objects (ignored for other kinds)."""
    if kind == "metric":
        return metric_from_wire(obj)
    if kind == "product":
        return product_from_wire(obj, key, keys)
    if kind == "plan":
        return plan_from_wire(obj, keys)
    if kind == "bundle":
        return bundle_from_wire(obj, keys)
    if kind == "customer":
        return customer_from_wire(obj, key)
    return subscription_from_wire(obj, versions, key, keys)


def canonical(resource: R, key: str, models: ModelLookup) -> R:
    """`resource` as it reads back after a round trip through the API (rules above)."""
    same = KeysAsIds(models)
    if isinstance(resource, Subscription):
        return cast(R, _canonical_subscription(resource, key, same))
    if isinstance(resource, Plan):  # no marker: it leaves the description when read
        return cast(R, plan_from_wire(plan_to_wire(resource, same), same))
    kind = cast(Kind, type(resource).__name__.lower())
    return cast(R, from_wire(kind, to_wire(resource, key, same), key, same))


def _canonical_subscription(subscription: Subscription, key: str, same: KeysAsIds) -> Subscription:
    plan = same.plan(subscription.plan) if subscription.plan is not None else None
    subscription = with_plan_terms(subscription, plan)
    body = to_wire(subscription, key, same)
    first = {
        "status": "published",
        "effective_at": body["contract"]["start_date"],
        "items": body["items"],
    }
    later = [
        {"status": "published", **version_to_wire(version, subscription, same)}
        for version in subscription.versions[1:]
    ]
    back = subscription_from_wire(body, [first, *later], key, same)
    return back.model_copy(
        update={"activate": subscription.activate, "cancel": subscription.cancel}
    )
