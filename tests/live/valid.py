"""Valid resources from the shared wire strategies (`tests/wire/strategies.py`).

Those strategies draw every field independently, so most drawn resources break a catalog
rule (a fixed price on a metered product, `minimum_spend` above `maximum_spend`, ...).
Filtering would reject nearly all of them; instead `repaired_*` change the few fields that
break a rule, keeping the rest of what was drawn, and the caller checks the result with
the catalog's own rules (`catalog_errors`), so "valid" means what `billing validate` says.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, TypeVar

from alguna_pricing.model.prices import ExpressionPrice, FixedPrice
from reconciler.catalog.declared import Declared
from reconciler.catalog.findings import Finding
from reconciler.catalog.rules import check_catalog
from reconciler.model import (
    KINDS,
    Bundle,
    Customer,
    DesiredState,
    Item,
    Metric,
    Plan,
    Price,
    Product,
    ProductItem,
    Subscription,
    Version,
)
from reconciler.source.diagnostics import Severity
from tests.wire.catalog import BUNDLES, CATALOG, CUSTOMERS, METRICS, PLANS, PRODUCTS

T = TypeVar("T")

FIXED_ONLY = frozenset({"fixed"})
METERED_ONLY = frozenset(
    {
        "prepaid_tiered",
        "prepaid_fixed_tiered",
        "tiered_percentage",
        "graduated_percentage",
        "volume_percentage",
        "expression",
        "matrix",
    }
)
FIXED_PRODUCTS = tuple(k for k, p in sorted(PRODUCTS.items()) if p.fee_type == "fixed")
METERED_PRODUCTS = tuple(k for k, p in sorted(PRODUCTS.items()) if p.fee_type == "metered")
TAKEN_ALIASES = frozenset(alias for key, c in CUSTOMERS.items() for alias in (key, *c.aliases))


def catalog_errors(desired: DesiredState) -> list[Finding]:
    """The catalog rules' errors for `desired` (what `billing validate` would report)."""
    declared = Declared(
        **{f"{kind}s": dict(getattr(desired, f"{kind}s")) for kind in KINDS},
        keys={kind: set(getattr(desired, f"{kind}s")) for kind in KINDS},
    )
    return [f for f in check_catalog(declared) if f.severity == Severity.ERROR]


def _update(model: T, **changes: Any) -> T:
    return model.model_copy(update=changes)  # type: ignore[attr-defined,no-any-return]


def _unique(name: str, taken: set[str]) -> str:
    return name if name not in taken else f"{name} (generated)"


def _terms(model: T) -> T:
    """Discount duration and spend range as the rules want them."""
    discount = getattr(model, "discount", None)
    changes: dict[str, Any] = {}
    if discount is not None:
        if discount.duration_type == "fixed" and discount.duration_value is None:
            changes["discount"] = _update(discount, duration_value=3)
        elif discount.duration_type != "fixed" and discount.duration_value is not None:
            changes["discount"] = _update(discount, duration_value=None)
    low, high = getattr(model, "minimum_spend", None), getattr(model, "maximum_spend", None)
    if low is not None and high is not None and low.amount > high.amount:
        changes["minimum_spend"], changes["maximum_spend"] = (
            _update(low, amount=high.amount),
            _update(high, amount=low.amount),
        )
    return _update(model, **changes) if changes else model


def product_for(
    price: Price, preferred: str, used: set[str], among: frozenset[str] | None = None
) -> str | None:
    """A catalog product (of `among`) that can carry `price` (its fee type), `preferred`
    if it can."""
    if price.type in FIXED_ONLY:
        choices = FIXED_PRODUCTS
    elif price.type in METERED_ONLY:
        choices = METERED_PRODUCTS
    else:
        choices = tuple(sorted(PRODUCTS))
    if among is not None:
        choices = tuple(key for key in choices if key in among)
    if preferred in choices and preferred not in used:
        return preferred
    return next((key for key in choices if key not in used), None)


def repaired_price(price: Price, product_key: str) -> Price:
    product = PRODUCTS[product_key]
    changes: dict[str, Any] = {}
    if (price.billing_interval_count is None) != (price.billing_interval_unit is None):
        changes["billing_interval_count"] = price.billing_interval_count or 1
        changes["billing_interval_unit"] = "month"
    if product.fee_type == "metered":
        if price.billing_direction == "advance":
            changes["billing_direction"] = "arrears"
        if price.metrics is not None:
            kept = tuple(m for m in price.metrics if m in product.metrics)
            changes["metrics"] = kept or None
    elif price.metrics is not None:
        changes["metrics"] = None
    if isinstance(price, ExpressionPrice):
        # Generated text is not an expression; keep the charges' shape with valid ones.
        changes["charges"] = tuple(
            _update(charge, quantity_expression=str(index + 1), unit_price_expression="0.5")
            for index, charge in enumerate(price.charges)
        )
    return _terms(_update(price, **changes) if changes else price)


def _product_items(
    items: tuple[ProductItem, ...], among: frozenset[str] | None = None
) -> tuple[ProductItem, ...]:
    used: set[str] = set()
    out: list[ProductItem] = []
    for item in items:
        product = product_for(item.price, item.product, used, among)
        if product is None:
            continue
        used.add(product)
        out.append(ProductItem(product=product, price=repaired_price(item.price, product)))
    return tuple(out)


def repaired_items(items: tuple[Item, ...]) -> tuple[Item, ...]:
    used: set[str] = {item.product for item in items if item.product and item.price is None}
    out: list[Item] = []
    for item in items:
        if item.bundle is not None:
            members = frozenset(child.product for child in BUNDLES[item.bundle].items)
            children = None
            if item.items is not None:
                children = _product_items(item.items, members) or None
            out.append(Item(bundle=item.bundle, items=children))
            continue
        assert item.price is not None and item.product is not None
        product = product_for(item.price, item.product, used)
        if product is None:
            continue
        used.add(product)
        out.append(Item(product=product, price=repaired_price(item.price, product)))
    return tuple(out)


def repaired_metric(metric: Metric) -> Metric:
    aggregation = metric.aggregation
    field = None if aggregation.method == "count" else aggregation.field or "value"
    names = {m.name for m in METRICS.values()}
    return _update(
        metric,
        name=_unique(metric.name, names),
        aggregation=_update(aggregation, field=field),
        moved_from=tuple(k for k in dict.fromkeys(metric.moved_from) if k not in (*METRICS, "gen")),
    )


def repaired_product(product: Product) -> Product:
    skus = {p.sku or key for key, p in PRODUCTS.items()}
    sku = None if product.sku is None else _unique(product.sku, skus)
    if product.fee_type == "metered":
        return _update(
            product,
            sku=sku,
            metrics=product.metrics or ("api_calls",),
            payment_terms="arrears",
            billing_frequency=product.billing_frequency and "recurring",
        )
    return _update(
        product, sku=sku, metrics=(), billing_frequency=product.billing_frequency or "recurring"
    )


def repaired_bundle(bundle: Bundle) -> Bundle:
    names = {b.name for b in BUNDLES.values()}
    return _update(bundle, name=_unique(bundle.name, names), items=_product_items(bundle.items))


def repaired_plan(plan: Plan) -> Plan:
    names = {p.name for p in PLANS.values()}
    return _terms(_update(plan, name=_unique(plan.name, names), items=repaired_items(plan.items)))


def repaired_customer(customer: Customer, key: str) -> Customer:
    aliases = dict.fromkeys(a for a in customer.aliases if a not in TAKEN_ALIASES | {key})
    return _update(customer, aliases=tuple(aliases))


PLAN_LESS_ITEM = Item(
    product="platform",
    price=FixedPrice(type="fixed", billing_interval="monthly", price_per_unit=Decimal("49")),
)


def repaired_subscription(sub: Subscription) -> Subscription:
    start = sub.contract.start_date
    customer = sub.customer
    if sub.plan is not None and PLANS[sub.plan].currency != CUSTOMERS[customer].currency:
        customer = next(
            k for k, c in sorted(CUSTOMERS.items()) if c.currency == PLANS[sub.plan].currency
        )
    currency = sub.currency if sub.currency == CUSTOMERS[customer].currency else None
    versions: list[Version] = []
    for index, version in enumerate(sub.versions):
        items = repaired_items(version.items)
        if sub.plan is None and not items:
            items = (PLAN_LESS_ITEM,)
        effective: dt.date | str = start if index == 0 else version.effective
        versions.append(Version(effective=effective, description=version.description, items=items))
    if sub.plan is None and not versions:
        versions = [Version(effective=start, items=(PLAN_LESS_ITEM,))]
    contract = sub.contract
    billing = sub.billing
    first_billing = billing.first_billing_date if billing is not None else None
    if billing is not None and first_billing is not None and first_billing < start:
        billing = _update(billing, first_billing_date=start)
    metadata = {k: v for k, v in sub.metadata.items() if k not in ("billing_key", "managed_by")}
    return _terms(
        _update(
            sub,
            customer=customer,
            currency=currency,
            versions=tuple(versions),
            contract=contract,
            billing=billing,
            metadata=metadata,
            moved_from=(),
        )
    )


def with_price_first(
    items: tuple[Any, ...], price: Price, product: str, cls: type
) -> tuple[Any, ...]:
    """`items` led by `product` at `price` (replacing an item for the same product)."""
    return (cls(product=product, price=price), *(i for i in items if i.product != product))


def desired_with(**generated: Any) -> DesiredState:
    """The test catalog plus generated resources (`metric=...`, `plan=...`) under key
    `gen`."""
    return CATALOG.model_copy(
        update={
            f"{kind}s": {**getattr(CATALOG, f"{kind}s"), "gen": resource}
            for kind, resource in generated.items()
        }
    )
