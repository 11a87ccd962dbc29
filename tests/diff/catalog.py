"""A small catalog for the diff tests, and helpers to derive live states from it.

`live_of(desired)` is the account right after a faithful apply: the same models under the
same keys, with remote ids and fingerprints. Tests then edit one side (`edit`) to make
exactly the difference they are about.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

from alguna_pricing.model.prices import FixedPrice, GraduatedTieredPrice, Tier, UnitPrice
from reconciler.model import (
    KIND_OF_TABLE,
    Bundle,
    CatalogFile,
    Customer,
    DesiredState,
    Item,
    LiveState,
    Metric,
    Plan,
    Product,
    ProductItem,
    Resource,
    Source,
    Subscription,
)
from reconciler.model.resources import Aggregation, Contact, SubscriptionContract

START = dt.date(2026, 1, 1)

TIERS = (
    Tier(up_to=1000, price_per_unit=D("0.10")),
    Tier(up_to=10000, price_per_unit=D("0.05")),
    Tier(price_per_unit=D("0.01")),
)

METRICS = {
    "api_calls": Metric(
        name="API calls", event_name="api_call", aggregation=Aggregation(method="count")
    ),
    "storage_gb": Metric(
        name="Storage", event_name="storage", aggregation=Aggregation(method="max", field="gb")
    ),
}

PRODUCTS = {
    "platform": Product(
        name="Platform", fee_type="fixed", payment_terms="advance", billing_frequency="recurring"
    ),
    "api": Product(name="API", fee_type="metered", payment_terms="arrears", metrics=("api_calls",)),
    "storage": Product(
        name="Storage", fee_type="metered", payment_terms="arrears", metrics=("storage_gb",)
    ),
}


def unit(price: str) -> UnitPrice:
    return UnitPrice(type="unit", billing_interval="monthly", price_per_unit=D(price))


def fixed(price: str) -> FixedPrice:
    return FixedPrice(type="fixed", billing_interval="monthly", price_per_unit=D(price))


def graduated(*tiers: Tier) -> GraduatedTieredPrice:
    return GraduatedTieredPrice(
        type="graduated_tiered", billing_interval="monthly", tiers=tiers or TIERS
    )


BUNDLES = {
    "addons": Bundle(name="Add-ons", items=(ProductItem(product="storage", price=unit("0.50")),)),
}

PLANS = {
    "starter": Plan(
        name="Starter",
        currency="USD",
        items=(
            Item(product="platform", price=fixed("49.00")),
            Item(product="api", price=graduated()),
            Item(bundle="addons"),
        ),
    ),
}

CUSTOMERS = {
    "acme": Customer(
        name="Acme Corp",
        currency="USD",
        aliases=("acme-corp", "acme-inc"),
        contacts=(Contact(email="ap@acme.com", first_name="Ann"),),
    ),
}

SUBSCRIPTIONS = {
    "acme_main": Subscription(
        customer="acme", plan="starter", contract=SubscriptionContract(start_date=START)
    ),
}

DESIRED = DesiredState(
    environment="test",
    metrics=METRICS,
    products=PRODUCTS,
    bundles=BUNDLES,
    plans=PLANS,
    customers=CUSTOMERS,
    subscriptions=SUBSCRIPTIONS,
    sources={"subscription.acme_main": Source(file="catalog/subs.toml", line=3)},
    catalog_digest="sha256:test",
)


def tables(state: CatalogFile) -> dict[str, dict[str, Resource]]:
    return {table: dict(getattr(state, table)) for table in KIND_OF_TABLE}


def desired_with(**tables_: dict[str, Any]) -> DesiredState:
    """DESIRED with whole tables replaced."""
    return DESIRED.model_copy(update=tables_)


def edit(state: Any, kind: str, key: str, **fields: Any) -> Any:
    """`state` with `fields` of the resource `kind.key` changed (validated)."""
    table = f"{kind}s"
    current: Resource = getattr(state, table)[key]
    changed = type(current).model_validate({**_fields(current), **fields})
    return state.model_copy(update={table: {**getattr(state, table), key: changed}})


def _fields(model: Resource) -> dict[str, Any]:
    return {
        name: getattr(model, name)
        for name in model.model_fields_set | set(type(model).model_fields)
    }


from reconciler.model import PlanRevision, PlanRevisions  # noqa: E402
from reconciler.wire import CatalogModels  # noqa: E402
from reconciler.wire.revisions import plan_digest  # noqa: E402


def live_of(desired: CatalogFile, **extra: Any) -> LiveState:
    """The live account right after applying `desired`: same models, ids, fingerprints."""
    ids = {
        f"{kind}.{key}": f"{kind[:3]}_{key}"
        for table, kind in KIND_OF_TABLE.items()
        for key in getattr(desired, table)
    }
    models = CatalogModels(desired)
    revisions = {
        key: PlanRevisions(
            current=PlanRevision(remote_id=f"pla_{key}", digest=plan_digest(plan, models))
        )
        for key, plan in desired.plans.items()
    }
    extra.setdefault("revisions", revisions)
    return LiveState(
        environment="test",
        ids=ids,
        fingerprints={address: f"fp:{address}" for address in ids},
        **tables(desired),
        **extra,
    )
