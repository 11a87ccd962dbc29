"""Plan revisions: the content digest a plan's revision marker carries, and the body that
creates a revision. The marker's text (format, parsing) is `reconciler.model.plan_marker`.

The digest (`plan_digest`, 12 hex digits of a SHA-256) covers everything of a plan a read
cannot show: its items and prices (a bundle used without overrides expanded to the
bundle's prices, since the API copies them), terms, entitlements, invoice settings, and,
for every product it prices, the product's fields a replace changes (fee type, payment
terms, billing frequency, metrics) with what each metric counts (event, aggregation,
filters; not its name or description). So a replaced product, a
repriced bundle or a changed metric changes the digest of every plan that prices it, and
those plans get a new revision. Keys, never remote ids, go into it: the same catalog has
the same digests in every account (promotion).

Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from reconciler.model import Bundle, Customer, Metric, Plan, Product, canonical_json, digest
from reconciler.model.plan_marker import with_marker
from reconciler.wire.errors import WireMappingError
from reconciler.wire.metrics import metric_to_wire
from reconciler.wire.refs import IdResolver, KeysAsIds, ModelLookup
from reconciler.wire.values import WireObject

READABLE = ("name", "description", "currency")
"""What a plan read shows, besides the marker: compared directly, not digested."""


@runtime_checkable
class MetricLookup(Protocol):
    """A model lookup that also knows metrics (the catalog's own lookups do)."""

    def metric(self, key: str) -> Metric: ...


def content(plan: Plan, models: ModelLookup, normalized: Plan | None = None) -> dict[str, Any]:
    """What the digest covers (module docstring), keys for ids, in canonical form.

    `models` may be a `CanonicalBundles` shared by many plans (bundles and metrics are then
    mapped once); `normalized`, when given, must be `canonical(plan, key, models)` (the
    diff has it): for a plan that uses no bundle, that is exactly the round trip below
    (bundles are the only lookups `CanonicalBundles` changes), so it is not done twice.
    The result is the same either way."""
    from reconciler.wire.plans import plan_from_wire, plan_to_wire

    lookup = models if isinstance(models, CanonicalBundles) else CanonicalBundles(models)
    same = KeysAsIds(lookup)
    if normalized is None or any(item.bundle is not None for item in plan.items):
        normalized = plan_from_wire(plan_to_wire(plan, same), same)
    body = plan_to_wire(normalized, same)
    for name in READABLE:
        body.pop(name, None)
    # Item order is no difference (the diff matches items by product or bundle).
    body["items"] = sorted(
        body.get("items") or [],
        key=lambda item: (str(item.get("product_id") or ""), str(item.get("bundle_id") or "")),
    )
    products: dict[str, WireObject] = {}
    metrics: dict[str, WireObject] = {}
    for key in sorted(_product_keys(body)):
        product = lookup.product(key)
        products[key] = {
            "fee_type": product.fee_type,
            "payment_terms": product.payment_terms,
            "billing_frequency": product.billing_frequency,
            "metrics": list(product.metrics),
        }
        for metric_key in product.metrics:
            metrics[metric_key] = lookup.metric_body(metric_key)
    for metric_key in sorted(_metric_keys(body)):
        metrics[metric_key] = lookup.metric_body(metric_key)
    return {"plan": body, "products": products, "metrics": dict(sorted(metrics.items()))}


def plan_digest(plan: Plan, models: ModelLookup, normalized: Plan | None = None) -> str:
    """The 12-hex-digit digest of `plan`'s unreadable content (module docstring);
    `normalized` as in `content`."""
    return digest(canonical_json(content(plan, models, normalized)), 12)


def plan_create_body(plan: Plan, key: str, ids: IdResolver, by: str | None = None) -> WireObject:
    """The body creating a revision of `plan` (declared under `key`): the plan with the
    marker naming `key`, the digest of its content and (`by`, from `applied_by`) the
    apply that creates it."""
    from reconciler.wire.plans import plan_to_wire

    body = plan_to_wire(plan, ids)
    body["description"] = with_marker(plan.description, key, plan_digest(plan, ids), by)
    return body


def plan_create_bodies(
    plan: Plan, key: str, ids: IdResolver, by: str, known: str | None = None
) -> tuple[WireObject, WireObject]:
    """`plan_create_body` without `by` (what a create's idempotency key hashes, so two
    applies creating the same revision share one key) and with it (what is sent), from
    one mapping and one digest: the same two bodies as two calls, at half the cost (a
    digest maps the plan to the wire and back). `known`: `plan`'s digest, when the
    caller has it (the diff computed it: `DiffResult.plan_digests`), else computed."""
    from reconciler.wire.plans import plan_to_wire

    sent = plan_to_wire(plan, ids)
    found = plan_digest(plan, ids) if known is None else known
    keyed = {**sent, "description": with_marker(plan.description, key, found)}
    sent["description"] = with_marker(plan.description, key, found, by)
    return keyed, sent


class CanonicalBundles:
    """`models`, with each bundle in canonical form: a plan item that uses a bundle without
    overrides is expanded to the bundle's prices, which must hash alike however written.

    Each bundle (and each metric's body) is mapped once per instance (the mapping is pure
    and `models` must not change while the instance is in use): the diff digests every plan
    through one instance, instead of normalizing a bundle again for every plan and every
    item that uses it."""

    def __init__(self, models: ModelLookup) -> None:
        self._models = models
        self._bundles: dict[str, Bundle] = {}
        self._metrics: dict[str, WireObject] = {}

    @property
    def models(self) -> ModelLookup:
        """The lookup it wraps (bundles as declared)."""
        return self._models

    def product(self, key: str) -> Product:
        return self._models.product(key)

    def plan(self, key: str) -> Plan:
        return self._models.plan(key)

    def customer(self, key: str) -> Customer:
        return self._models.customer(key)

    def bundle(self, key: str) -> Bundle:
        from reconciler.wire.canonical import canonical

        found = self._bundles.get(key)
        if found is None:
            found = self._bundles[key] = canonical(self._models.bundle(key), key, self._models)
        return found

    def metric_body(self, key: str) -> WireObject:
        """What metric `key` counts (`_metric`), mapped once per instance; read only."""
        found = self._metrics.get(key)
        if found is None:
            found = self._metrics[key] = _metric(self._models, key)
        return found


def _metric(models: ModelLookup, key: str) -> WireObject:
    if not isinstance(models, MetricLookup):
        return {}
    try:
        body = metric_to_wire(models.metric(key))
    except (WireMappingError, KeyError):
        return {}
    # What it counts: its name and description change nothing a plan charges.
    return {k: v for k, v in body.items() if k not in ("name", "description")}


def _product_keys(body: Mapping[str, Any]) -> set[str]:
    found: set[str] = set()
    for item in body.get("items") or ():
        if item.get("product_id"):
            found.add(str(item["product_id"]))
        for child in item.get("items") or ():
            found.add(str(child["product_id"]))
    return found


def _metric_keys(body: Mapping[str, Any]) -> set[str]:
    found: set[str] = set()
    for item in body.get("items") or ():
        for price in (item.get("price"), *(c.get("price") for c in item.get("items") or ())):
            if isinstance(price, Mapping):
                found.update(str(m) for m in price.get("metric_ids") or ())
    return found
