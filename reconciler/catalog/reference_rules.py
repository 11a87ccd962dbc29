"""Rules across resources: references by key, items and their prices, currencies and
subscription versions.

A reference to an undeclared key is `ref.unknown`; a reference to a declared resource
that failed its own validation is not reported again (see `Declared`). Resources may be
partial (None where a value failed validation): every field read here is guarded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from alguna_pricing.model.currency import is_known_currency
from reconciler.catalog.declared import Declared
from reconciler.catalog.findings import Finding, error
from reconciler.catalog.price_rules import check_price, check_terms
from reconciler.model import Item, Kind, ProductItem, Subscription
from reconciler.model.plan_marker import MARKER_LENGTH
from reconciler.source.toml_lines import Path

DESCRIPTION_LIMIT = 2000
"""The most characters the API takes in a description (the catalog's `Text`)."""

RESERVED_METADATA = ("billing_key", "managed_by")


def _unknown(kind: Kind, key: str, path: Path, target: Kind, ref: str) -> Finding:
    return error(kind, key, path, "ref.unknown", f"no {target} `{ref}` is declared")


def check_product_refs(declared: Declared) -> list[Finding]:
    return [
        _unknown("product", key, ("metrics", index), "metric", metric)
        for key, product in declared.products.items()
        for index, metric in enumerate(product.metrics or ())
        if metric is not None and not declared.has("metric", metric)
    ]


def check_items(
    declared: Declared,
    kind: Kind,
    key: str,
    path: Path,
    items: Sequence[Item | ProductItem | None] | None,
    currency: str | None,
) -> list[Finding]:
    """Items of a plan, bundle or version: known products and bundles, each at most once,
    bundle overrides within the bundle, and every price's own rules. An item that failed
    validation is None (or partial: no product and no bundle) and is skipped."""
    found: list[Finding] = []
    seen: set[str] = set()
    for index, item in enumerate(items or ()):
        here = (*path, index)
        ref = None if item is None else item.product or getattr(item, "bundle", None)
        if item is None or ref is None:
            continue
        if item.product is not None and getattr(item, "bundle", None) is not None:
            continue  # names both (its own error): which one it prices is not known
        if ref in seen:
            found.append(
                error(
                    kind,
                    key,
                    here,
                    "item.duplicate",
                    f"`{ref}` appears twice; an owner has one price per product",
                    reads=((*here, "product"), (*here, "bundle")),
                )
            )
        seen.add(ref)
        if item.product is not None:
            if not declared.has("product", item.product):
                found.append(_unknown(kind, key, (*here, "product"), "product", item.product))
            elif item.price is not None:
                product = declared.products.get(item.product)
                if product is not None and product.fee_type is None:
                    product = None  # its fee type failed validation: nothing to check against
                found.extend(
                    check_price(kind, key, (*here, "price"), item.price, product, currency)
                )
            continue
        assert isinstance(item, Item) and item.bundle is not None
        if not declared.has("bundle", item.bundle):
            found.append(_unknown(kind, key, (*here, "bundle"), "bundle", item.bundle))
            continue
        bundle = declared.bundles.get(item.bundle)
        if bundle is None or item.items is None:
            continue
        members = {child.product for child in bundle.items or () if child and child.product}
        # A bundle item that failed validation could be any product: then say nothing.
        complete = declared.complete_items(bundle.items)
        for child_index, child in enumerate(item.items):
            if child is None or child.product is None:
                continue
            if complete and child.product not in members:
                found.append(
                    error(
                        kind,
                        key,
                        (*here, "items", child_index, "product"),
                        "item.not_in_bundle",
                        f"bundle `{item.bundle}` has no product `{child.product}`;"
                        f" it has: {', '.join(sorted(members))}",
                    )
                )
        found.extend(check_items(declared, kind, key, (*here, "items"), item.items, currency))
    return found


def check_plans_and_bundles(declared: Declared) -> list[Finding]:
    found: list[Finding] = []
    for key, plan in declared.plans.items():
        if plan.currency is not None:
            found.extend(_check_currency("plan", key, ("currency",), plan.currency))
        found.extend(
            check_terms("plan", key, (), plan.discount, plan.minimum_spend, plan.maximum_spend)
        )
        found.extend(check_items(declared, "plan", key, ("items",), plan.items, plan.currency))
        room = DESCRIPTION_LIMIT - MARKER_LENGTH
        if isinstance(plan.description, str) and len(plan.description) > room:
            found.append(
                error(
                    "plan",
                    key,
                    ("description",),
                    "plan.description_length",
                    f"a plan description holds at most {room} characters: the API takes"
                    f" {DESCRIPTION_LIMIT}, and its revision marker needs the rest",
                )
            )
    for key, bundle in declared.bundles.items():
        found.extend(check_items(declared, "bundle", key, ("items",), bundle.items, None))
    for key, customer in declared.customers.items():
        if customer.currency is not None:
            found.extend(_check_currency("customer", key, ("currency",), customer.currency))
    return found


def _check_currency(kind: Kind, key: str, path: Path, code: str) -> list[Finding]:
    if is_known_currency(code):
        return []
    return [error(kind, key, path, "currency.unknown", f"{code} is not a known ISO 4217 code")]


def check_subscriptions(declared: Declared) -> list[Finding]:
    found: list[Finding] = []
    for key, sub in declared.subscriptions.items():
        found.extend(_check_subscription(declared, key, sub))
    return found


def _check_subscription(declared: Declared, key: str, sub: Subscription) -> list[Finding]:
    found: list[Finding] = []

    def err(path: Path, code: str, message: str) -> None:
        found.append(error("subscription", key, path, code, message))

    def broken(*path: str | int) -> bool:
        return declared.broken("subscription", key, path)

    if sub.customer is not None and not declared.has("customer", sub.customer):
        found.append(_unknown("subscription", key, ("customer",), "customer", sub.customer))
    if sub.plan is not None and not declared.has("plan", sub.plan):
        found.append(_unknown("subscription", key, ("plan",), "plan", sub.plan))
    customer = declared.customers.get(sub.customer) if sub.customer is not None else None
    plan = declared.plans.get(sub.plan) if sub.plan is not None else None
    currency = (
        sub.currency
        or (plan.currency if plan else None)
        or (customer.currency if customer else None)
    )
    if sub.currency is not None:
        found.extend(_check_currency("subscription", key, ("currency",), sub.currency))
    # Without its own currency, a subscription bills in its plan's: then the customer is
    # what disagrees, and the line to point at is `customer`. A currency that failed
    # validation (or a plan or customer that did) leaves nothing to compare.
    customer_field = "currency" if sub.currency is not None else "customer"
    comparable = not (broken("currency") or broken("plan") or broken("customer"))
    for path, other, what in (
        ((customer_field,), customer.currency if customer else None, f"customer `{sub.customer}`"),
        (("plan",), plan.currency if plan else None, f"plan `{sub.plan}`"),
    ):
        if comparable and currency is not None and other is not None and other != currency:
            err(
                path,
                "currency.mismatch",
                f"the subscription bills in {currency} but {what} is in {other};"
                " a customer has a single currency",
            )
    for name in RESERVED_METADATA:
        if name in (sub.metadata or {}):
            err(
                ("metadata", name),
                "subscription.reserved_metadata",
                f"metadata `{name}` is written by the tool to identify the subscription",
            )
    versions = sub.versions or ()
    planless = sub.plan is None and not broken("plan")
    if planless and not any(version and version.items for version in versions):
        found.append(
            error(
                "subscription",
                key,
                ("versions",),
                "subscription.no_items",
                "a subscription without a plan needs a version with items",
                reads=(("plan",), *(("versions", i, "items") for i in range(len(versions)))),
            )
        )
    start = sub.contract.start_date if sub.contract is not None else None
    first_billing = sub.billing.first_billing_date if sub.billing else None
    if start is not None and first_billing is not None and first_billing < start:
        err(
            ("billing", "first_billing_date"),
            "subscription.billing_date",
            f"first_billing_date is before the contract starts ({start})",
        )
    previous: dt.date | None = None
    keyword_seen = False
    for index, version in enumerate(versions):
        here: Path = ("versions", index)
        if version is None:
            continue
        if version.effective is None:  # failed validation: its order is unknown
            pass
        elif isinstance(version.effective, dt.date):
            if keyword_seen:
                err(
                    (*here, "effective"),
                    "version.order",
                    "a dated version cannot follow one with a timing keyword",
                )
            elif previous is not None and version.effective <= previous:
                code = "version.duplicate" if version.effective == previous else "version.order"
                err(
                    (*here, "effective"),
                    code,
                    f"versions are listed in effective order: {version.effective} is not after"
                    f" {previous}",
                )
            if start is not None and version.effective < start:
                err(
                    (*here, "effective"),
                    "version.before_contract",
                    f"{version.effective} is before the contract starts ({start})",
                )
            previous = version.effective
        elif keyword_seen:
            err(
                (*here, "effective"),
                "version.order",
                "only the last version may use a timing keyword",
            )
        else:
            keyword_seen = True
        follows = getattr(version, "plan", None)
        if follows is not None and not declared.has("plan", follows):
            found.append(_unknown("subscription", key, (*here, "plan"), "plan", follows))
        elif follows is not None:
            other = declared.plans[follows].currency
            if currency is not None and other is not None and other != currency:
                err(
                    (*here, "plan"),
                    "currency.mismatch",
                    f"the subscription bills in {currency} but plan `{follows}` is in {other}",
                )
        if not version.items and planless and follows is None:
            err((*here, "items"), "version.no_items", "a version needs at least one item")
        found.extend(
            check_items(declared, "subscription", key, (*here, "items"), version.items, currency)
        )
    first = versions[0] if versions else None
    if start is not None and first is not None and first.effective not in (None, start):
        err(
            ("versions", 0, "effective"),
            "version.first_effective",
            f"the first version starts with the contract: set effective = {start}"
            " (the contract's start_date)",
        )
    found.extend(
        check_terms("subscription", key, (), sub.discount, sub.minimum_spend, sub.maximum_spend)
    )
    cancel_on = sub.cancel.effective if sub.cancel is not None else None
    if isinstance(cancel_on, dt.date) and start is not None and cancel_on < start:
        err(
            ("cancel", "effective"),
            "subscription.cancel_date",
            f"the cancellation date is before the contract starts ({start})",
        )
    return found
