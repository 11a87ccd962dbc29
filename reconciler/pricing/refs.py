"""Price references resolved against the catalog: which declared price a `PriceRef` names,
in which currency it bills, and every reference a catalog offers.

The grammar is `reconciler.model.pricing_tests.PriceRef`. Resolution reads the catalog as
it will bill, not only as it is written:

- a bundle item of a plan or version prices its product with the item's override (`items`)
  when it has one, else with the bundle's declared price;
- a subscription version's items are the plan's items with the version's overrides, then
  its additions (the merge `wire.effective_items` sends to the API); a subscription without
  `versions` has one, effective on its contract's `start_date`, holding the plan's items.

Currency: a plan's `currency`; a subscription's own, else its plan's, else its customer's
(as the catalog rules derive it); a bundle has none, so the caller must give one.

Works on anything holding the catalog's tables (`DesiredState`, or the catalog rules'
`Declared`); pure, never raises anything but `PriceRefError`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from alguna_pricing.errors import PricingError
from reconciler.model import (
    Bundle,
    Customer,
    Item,
    Plan,
    Price,
    PriceRef,
    Product,
    Subscription,
    Version,
)


class PriceRefError(PricingError):
    """A price reference that is malformed or names no declared price."""


class CatalogTables(Protocol):
    """The catalog tables a reference is resolved in (read-only)."""

    @property
    def products(self) -> Mapping[str, Product]: ...
    @property
    def plans(self) -> Mapping[str, Plan]: ...
    @property
    def bundles(self) -> Mapping[str, Bundle]: ...
    @property
    def customers(self) -> Mapping[str, Customer]: ...
    @property
    def subscriptions(self) -> Mapping[str, Subscription]: ...


@dataclass(frozen=True)
class ResolvedPrice:
    """The price a reference names. `currency` is the owner's billing currency, None for a
    bundle's declared price (a bundle bills in the currency of whatever sells it)."""

    ref: PriceRef
    price: Price
    currency: str | None


def is_one_off(tables: CatalogTables, product: str) -> bool:
    """Is `product` billed once (`billing_frequency = "one-off"`), not every period?"""
    declared = tables.products.get(product)
    return declared is not None and declared.billing_frequency == "one-off"


def parse_ref(text: str) -> PriceRef:
    """`PriceRef.parse`, raising `PriceRefError` (a `BillingError`) instead of ValueError."""
    try:
        return PriceRef.parse(text)
    except ValueError as exc:
        raise PriceRefError(str(exc)) from exc


def effective_label(effective: dt.date | str) -> str:
    """A version's `effective` as written in a reference: `2026-01-01` or the keyword."""
    return effective.isoformat() if isinstance(effective, dt.date) else effective


def subscription_currency(tables: CatalogTables, subscription: Subscription) -> str | None:
    """The subscription's own currency, else its plan's, else its customer's."""
    plan = tables.plans.get(subscription.plan) if subscription.plan else None
    customer = tables.customers.get(subscription.customer)
    return (
        subscription.currency
        or (plan.currency if plan is not None else None)
        or (customer.currency if customer is not None else None)
    )


def version_items(
    tables: CatalogTables, subscription: Subscription, version: Version | None
) -> tuple[Item, ...]:
    """The complete item set of `version` (None: the only version of a subscription that
    declares none): the plan's items with the version's overrides, then its additions."""
    plan = tables.plans.get(subscription.plan) if subscription.plan else None
    plan_items = plan.items if plan is not None else ()
    overrides = version.items if version is not None else ()
    by_ref = {item.ref: item for item in overrides}
    merged = [by_ref.get(item.ref, item) for item in plan_items]
    plan_refs = {item.ref for item in plan_items}
    return (*merged, *(item for item in overrides if item.ref not in plan_refs))


def subscription_versions(subscription: Subscription) -> list[tuple[str, Version | None]]:
    """(label, version) of every version; one (start date, None) without `versions`."""
    if not subscription.versions:
        return [(subscription.contract.start_date.isoformat(), None)]
    return [(effective_label(v.effective), v) for v in subscription.versions]


def _item_prices(
    tables: CatalogTables, items: Sequence[Item]
) -> Iterator[tuple[str | None, str, Price]]:
    """(bundle key or None, product key, price) of every product an item set prices."""
    for item in items:
        if item.product is not None and item.price is not None:
            yield None, item.product, item.price
        elif item.bundle is not None:
            bundle = tables.bundles.get(item.bundle)
            children = item.items if item.items is not None else (bundle.items if bundle else ())
            for child in children:
                yield item.bundle, child.product, child.price


def owner_prices(
    tables: CatalogTables, owner: str, key: str, version: str | None = None
) -> list[ResolvedPrice]:
    """Every price one owner holds (a plan, a bundle or a subscription version), in
    catalog order; empty when the owner is not declared."""
    out: list[ResolvedPrice] = []
    if owner == "plan" and key in tables.plans:
        plan = tables.plans[key]
        for bundle, product, price in _item_prices(tables, plan.items):
            ref = PriceRef(owner="plan", key=key, bundle=bundle, product=product)
            out.append(ResolvedPrice(ref, price, plan.currency))
    elif owner == "bundle" and key in tables.bundles:
        for child in tables.bundles[key].items:
            ref = PriceRef(owner="bundle", key=key, product=child.product)
            out.append(ResolvedPrice(ref, child.price, None))
    elif owner == "subscription" and key in tables.subscriptions:
        subscription = tables.subscriptions[key]
        currency = subscription_currency(tables, subscription)
        for label, declared in subscription_versions(subscription):
            if version is not None and label != version:
                continue
            items = version_items(tables, subscription, declared)
            for bundle, product, price in _item_prices(tables, items):
                ref = PriceRef(
                    owner="subscription", key=key, version=label, bundle=bundle, product=product
                )
                out.append(ResolvedPrice(ref, price, currency))
    return out


def all_prices(tables: CatalogTables) -> list[ResolvedPrice]:
    """Every reference the catalog offers: plans, bundles, then subscription versions."""
    out: list[ResolvedPrice] = []
    for owner, table in (
        ("plan", tables.plans),
        ("bundle", tables.bundles),
        ("subscription", tables.subscriptions),
    ):
        for key in sorted(table):
            out.extend(owner_prices(tables, owner, key))
    return out


def resolve(tables: CatalogTables, ref: PriceRef) -> ResolvedPrice:
    """The price `ref` names; `PriceRefError` naming what the owner does hold if none."""
    candidates = owner_prices(tables, ref.owner, ref.key)
    for candidate in candidates:
        if candidate.ref == ref:
            return candidate
    raise PriceRefError(_not_found(tables, ref, candidates))


def resolve_text(tables: CatalogTables, text: str) -> ResolvedPrice:
    """`resolve(parse_ref(text))`."""
    return resolve(tables, parse_ref(text))


def _not_found(tables: CatalogTables, ref: PriceRef, candidates: list[ResolvedPrice]) -> str:
    table: Mapping[str, object] = {
        "plan": tables.plans,
        "bundle": tables.bundles,
        "subscription": tables.subscriptions,
    }[ref.owner]
    if ref.key not in table:
        return f"no {ref.owner} `{ref.key}` is declared (in `{ref}`)"
    if ref.owner == "subscription":
        labels = [label for label, _ in subscription_versions(tables.subscriptions[ref.key])]
        if ref.version not in labels:
            return (
                f"subscription `{ref.key}` has no version effective {ref.version}"
                f" (in `{ref}`); its versions: {', '.join(labels)}"
            )
        candidates = [c for c in candidates if c.ref.version == ref.version]
    where = f"{ref.owner} `{ref.key}`" + (
        f" version {ref.version}" if ref.version is not None else ""
    )
    known = ", ".join(str(c.ref) for c in candidates) or "none"
    return f"{where} has no price `{ref}`; its prices: {known}"
