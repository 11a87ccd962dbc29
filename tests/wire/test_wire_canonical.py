"""`canonical`: the documented rules, idempotence, and what the diff relies on."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from alguna_pricing.model.prices import FixedPrice, Spend, UnitPrice
from reconciler.model import Bundle, Customer, Item, Plan, ProductItem, Subscription, Version
from reconciler.model.resources import InvoiceSettings, SubscriptionBilling, SubscriptionContract
from reconciler.wire import CatalogModels, canonical, declared_bundle_items, effective_items
from tests.wire.catalog import BUNDLES, CATALOG, PLANS, RESOLVER, SAMPLE_PRICES

MODELS = CatalogModels(CATALOG)  # canonical needs only models, no remote ids
START = dt.date(2026, 7, 1)


def unit(**update: object) -> UnitPrice:
    return UnitPrice(type="unit", billing_interval="monthly", price_per_unit=D("1.50")).model_copy(
        update=update
    )


def plan_of(*items: Item) -> Plan:
    return Plan(name="P", currency="USD", items=items)


@pytest.mark.parametrize("address", [str(a) for a in CATALOG.resources()])
def test_canonical_is_idempotent_on_the_catalog(address: str) -> None:
    resource = next(r for a, r in CATALOG.resources().items() if str(a) == address)
    key = address.split(".")[1]
    once = canonical(resource, key, MODELS)
    assert canonical(once, key, MODELS) == once
    assert type(once) is type(resource)


def test_price_defaults_fold_into_none() -> None:
    declared = plan_of(
        Item(product="api", price=unit(billing_direction="arrears", metrics=("api_calls",))),
        Item(product="payments", price=unit(metrics=("api_calls", "payment_volume"))),
        Item(product="platform", price=unit(billing_direction="arrears")),
    )
    api, payments, platform = canonical(declared, "p", MODELS).items
    assert api.price is not None and api.price.billing_direction is None
    assert api.price.metrics is None
    # a different order of the product's metrics is a different (explicit) value
    assert payments.price is not None and payments.price.metrics == ("api_calls", "payment_volume")
    assert platform.price is not None and platform.price.billing_direction == "arrears"


def test_decimals_are_normalized_so_formatting_is_no_change() -> None:
    a = plan_of(Item(product="api", price=unit(price_per_unit=D("10.00"))))
    b = plan_of(Item(product="api", price=unit(price_per_unit=D("1E+1"))))
    ca, cb = canonical(a, "p", MODELS), canonical(b, "p", MODELS)
    assert ca.model_dump_json() == cb.model_dump_json()
    assert '"10"' in ca.model_dump_json()
    spend = canonical(
        Plan(name="P", currency="USD", minimum_spend=Spend(amount=D("1E+3"))), "p", MODELS
    )
    assert spend.minimum_spend is not None and str(spend.minimum_spend.amount) == "1000"


def test_bundle_item_equal_to_declared_prices_drops_items() -> None:
    declared = BUNDLES["addons"].items
    restated = tuple(
        ProductItem(
            product=pi.product, price=pi.price.model_copy(update={"billing_direction": "arrears"})
        )
        for pi in declared
    )
    plan = plan_of(Item(bundle="addons", items=restated))
    assert canonical(plan, "p", MODELS).items == (Item(bundle="addons"),)
    reordered = plan_of(Item(bundle="addons", items=tuple(reversed(declared))))
    assert canonical(reordered, "p", MODELS).items[0].items is not None
    assert (
        declared_bundle_items("addons", MODELS)
        == canonical(BUNDLES["addons"], "addons", MODELS).items
    )


def test_customer_and_empty_objects() -> None:
    customer = Customer(name="A", currency="USD", aliases=("acme", "x", "acme"))
    assert canonical(customer, "acme", MODELS).aliases == ("x",)
    plan = Plan(name="P", currency="USD", invoice_settings=InvoiceSettings())
    assert canonical(plan, "p", MODELS).invoice_settings is None
    sub = Subscription(
        customer="acme",
        contract=SubscriptionContract(start_date=START),
        billing=SubscriptionBilling(),
        currency="USD",
        metadata={"managed_by": "someone", "team": "core"},
        moved_from=("old",),
    )
    got = canonical(sub, "s", MODELS)
    assert (got.billing, got.currency, got.metadata, got.moved_from) == (
        None,
        None,
        {"team": "core"},
        (),
    )
    assert canonical(sub.model_copy(update={"currency": "EUR"}), "s", MODELS).currency == "EUR"


def test_subscription_versions_are_complete_and_ordered() -> None:
    override = Item(product="api", price=SAMPLE_PRICES["unit"])
    extra = Item(
        product="onboarding",
        price=FixedPrice(type="fixed", billing_interval="monthly", price_per_unit=D(99)),
    )
    sub = Subscription(
        customer="acme",
        plan="starter",
        activate=True,
        contract=SubscriptionContract(start_date=START),
        versions=(
            Version(effective="immediate", description="first", items=(override,)),
            Version(effective="next_billing_period", items=(extra,)),
            Version(effective=dt.date(2027, 1, 1), items=()),
        ),
    )
    got = canonical(sub, "s", MODELS)
    assert got.activate is True
    assert [v.effective for v in got.versions] == [
        START,
        dt.date(2027, 1, 1),
        "next_billing_period",
    ]
    assert got.versions[0].description is None
    plan_items = canonical(PLANS["starter"], "starter", MODELS).items
    first, dated, keyword = got.versions
    assert [i.ref for i in first.items] == ["platform", "api", "addons"]
    assert first.items[1] == canonical(plan_of(override), "p", MODELS).items[0]
    assert dated.items == plan_items
    assert [i.ref for i in keyword.items] == ["platform", "api", "addons", "onboarding"]
    assert effective_items(sub, None, MODELS) == PLANS["starter"].items


def test_canonical_works_with_the_id_resolver_too() -> None:
    bundle = Bundle(name="B", items=(ProductItem(product="api", price=unit()),))
    assert canonical(bundle, "b", RESOLVER) == canonical(bundle, "b", MODELS)
