"""Our request bodies against the official SDK's request types, unknown fields as errors.

For every resource kind, the bodies `reconciler.wire` produces for create and for update
(and for versions, changes and cancel) validate against a strict copy of the SDK's
operation (`sdk_contract`): a field the SDK does not define, a value outside one of its
enums, or a missing required field fails. Every pricing model is checked in every place a
price travels (plan item, bundle price, subscription item, version item, change). The
negative cases prove the check can fail, and that the SDK's own lenient types would not.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

import pytest
from alguna.bundles.client import BundlesClient
from alguna.customers.client import CustomersClient
from alguna.metrics.client import MetricsClient
from alguna.plans.client import PlansClient
from alguna.products.client import ProductsClient
from alguna.subscription_changes.client import SubscriptionChangesClient
from alguna.subscription_versions.client import SubscriptionVersionsClient
from alguna.subscriptions.client import SubscriptionsClient
from alguna.types import PriceInput
from hypothesis import HealthCheck, given, settings

from alguna_pricing.model.prices import PRICE_TYPES, Discount, Spend
from reconciler.model import Bundle, Item, Plan, Price, ProductItem, Subscription, Version
from reconciler.model.resources import Cancellation, SubscriptionContract
from reconciler.wire import (
    bundle_to_wire,
    cancellation_to_wire,
    change_body,
    customer_to_wire,
    metric_to_wire,
    patch_body,
    plan_to_wire,
    product_to_wire,
    subscription_create_bodies,
    version_to_wire,
)
from tests.wire import sdk_contract as sdk
from tests.wire import strategies as gen
from tests.wire.catalog import RESOLVER, SAMPLE_PRICES

OPERATIONS = {
    "metrics.create": sdk.operation_model(MetricsClient.create),
    "products.create": sdk.operation_model(ProductsClient.create),
    "products.update": sdk.operation_model(ProductsClient.update),
    "plans.create": sdk.operation_model(PlansClient.create),
    "bundles.create": sdk.operation_model(BundlesClient.create),
    "bundles.update": sdk.operation_model(BundlesClient.update),
    "customers.create": sdk.operation_model(CustomersClient.create),
    "customers.update": sdk.operation_model(CustomersClient.update),
    "subscriptions.create": sdk.operation_model(SubscriptionsClient.create),
    "subscriptions.update": sdk.operation_model(SubscriptionsClient.update),
    "subscriptions.cancel": sdk.operation_model(SubscriptionsClient.cancel),
    "subscription_versions.create": sdk.operation_model(SubscriptionVersionsClient.create),
    "subscription_versions.replace": sdk.operation_model(SubscriptionVersionsClient.replace),
    "subscription_changes.create": sdk.operation_model(SubscriptionChangesClient.create),
}
"""Every SDK write operation on the kinds we manage whose body `wire` builds. Plans and
metrics have no update in the SDK (they are write-once: the next issue's decision)."""

EXAMPLES = settings(
    max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
)


def conforms(operation: str, body: Any) -> None:
    sdk.check(OPERATIONS[operation], body)


def with_every_term(price: Price) -> Price:
    """`price` with every optional common field set, so each reaches the wire."""
    return price.model_copy(
        update={
            "billing_interval_count": 3,
            "billing_interval_unit": "month",
            "billing_direction": "arrears",
            "charge_on_contract_start": True,
            "trial_days": 14,
            "minimum_spend": Spend(
                amount=D("10.00"), period="quarterly", billing_direction="advance"
            ),
            "maximum_spend": Spend(amount=D("900.50"), period="quarterly"),
            "discount": Discount(
                amount=D("12.5"), duration_type="fixed", duration_unit="months", duration_value=6
            ),
            "display_order": 2,
            "metrics": ("api_calls",),
        }
    )


def _product_for(price: Price) -> str:
    return "platform" if price.type == "fixed" else "api"


def test_every_pricing_model_is_sampled() -> None:
    assert set(SAMPLE_PRICES) == set(PRICE_TYPES)


@pytest.mark.parametrize("price_type", PRICE_TYPES)
@pytest.mark.parametrize("terms", ["bare", "every_term"])
def test_every_pricing_model_conforms_wherever_a_price_travels(price_type: str, terms: str) -> None:
    price = SAMPLE_PRICES[price_type]
    if terms == "every_term":
        price = with_every_term(price)
    product = _product_for(price)
    item = Item(product=product, price=price)

    plan = Plan(name="P", currency="USD", items=(item,))
    conforms("plans.create", plan_to_wire(plan, RESOLVER))

    bundle = Bundle(name="B", items=(ProductItem(product=product, price=price),))
    conforms("bundles.create", bundle_to_wire(bundle, RESOLVER))
    conforms("bundles.update", patch_body(bundle, "b", RESOLVER))

    start = dt.date(2026, 7, 1)
    later = Version(effective=dt.date(2026, 9, 1), items=(item,))
    subscription = Subscription(
        customer="acme",
        contract=SubscriptionContract(start_date=start),
        currency="USD",
        versions=(Version(effective=start, items=(item,)), later),
    )
    create, _ = subscription_create_bodies(subscription, "s", RESOLVER)
    conforms("subscriptions.create", create)
    version = version_to_wire(later, subscription, RESOLVER)
    conforms("subscription_versions.create", version)
    conforms("subscription_versions.replace", version)
    conforms(
        "subscription_changes.create",
        change_body(later, subscription, RESOLVER, "ver_1", create["items"]),
    )


@pytest.mark.parametrize("price_type", PRICE_TYPES)
def test_an_amount_off_discount_conforms_wherever_a_price_travels(price_type: str) -> None:
    """A `fixed` (amount-off) discount: `type` on item prices, `discount_type` on bundle
    prices, both within the SDK's `DiscountType` where it has one."""
    off = Discount(
        type="fixed",
        amount=D("25.00"),
        duration_type="fixed",
        duration_unit="months",
        duration_value=3,
    )
    price = SAMPLE_PRICES[price_type].model_copy(update={"discount": off})
    product = _product_for(price)
    plan_body = plan_to_wire(
        Plan(name="P", currency="USD", items=(Item(product=product, price=price),)), RESOLVER
    )
    conforms("plans.create", plan_body)
    assert plan_body["items"][0]["price"]["discount"] == {
        "type": "fixed",
        "amount": "25.00",
        "duration_type": "fixed",
        "duration_unit": "months",
        "duration_value": 3,
    }
    bundle_body = bundle_to_wire(
        Bundle(name="B", items=(ProductItem(product=product, price=price),)), RESOLVER
    )
    conforms("bundles.create", bundle_body)
    assert bundle_body["prices"][0]["discount"]["discount_type"] == "fixed"


@EXAMPLES
@given(gen.metrics)
def test_metric_create(metric: Any) -> None:
    conforms("metrics.create", metric_to_wire(metric))


@EXAMPLES
@given(gen.products)
def test_product_create_and_update(product: Any) -> None:
    conforms("products.create", product_to_wire(product, "k", RESOLVER))
    conforms("products.update", patch_body(product, "k", RESOLVER))


@EXAMPLES
@given(gen.plans)
def test_plan_create(plan: Any) -> None:
    conforms("plans.create", plan_to_wire(plan, RESOLVER))


@EXAMPLES
@given(gen.bundles)
def test_bundle_create_and_update(bundle: Any) -> None:
    conforms("bundles.create", bundle_to_wire(bundle, RESOLVER))
    conforms("bundles.update", patch_body(bundle, "k", RESOLVER))


@EXAMPLES
@given(gen.customers)
def test_customer_create_and_update(customer: Any) -> None:
    conforms("customers.create", customer_to_wire(customer, "k"))
    conforms("customers.update", patch_body(customer, "k", RESOLVER))


@EXAMPLES
@given(gen.subscriptions())
def test_subscription_create_update_versions_and_changes(subscription: Subscription) -> None:
    create, settings_after = subscription_create_bodies(subscription, "k", RESOLVER)
    conforms("subscriptions.create", create)
    conforms("subscriptions.update", settings_after)
    conforms("subscriptions.update", patch_body(subscription, "k", RESOLVER, {"x": "1"}))
    for version in subscription.versions:
        body = version_to_wire(version, subscription, RESOLVER)
        conforms("subscription_versions.create", body)
        if not isinstance(version.effective, str):  # replace takes a date, not a keyword
            conforms("subscription_versions.replace", body)
        conforms(
            "subscription_changes.create",
            change_body(version, subscription, RESOLVER, "ver_1", body["items"]),
        )


@pytest.mark.parametrize("effective", [dt.date(2026, 9, 1), "immediate", "end_of_term"])
def test_cancel(effective: Any) -> None:
    cancel = Cancellation(reason="pricing", effective=effective, description="too dear")
    conforms("subscriptions.cancel", cancellation_to_wire(cancel))


# --- the check can fail -------------------------------------------------------------------


def _plan_body() -> dict[str, Any]:
    price = with_every_term(SAMPLE_PRICES["graduated_tiered"])
    plan = Plan(name="P", currency="USD", items=(Item(product="api", price=price),))
    return plan_to_wire(plan, RESOLVER)


def _errors(operation: str, body: Any) -> list[tuple[str, str]]:
    with pytest.raises(sdk.ValidationError) as caught:
        conforms(operation, body)
    return [
        (".".join(str(p) for p in error["loc"]), error["type"]) for error in caught.value.errors()
    ]


def test_the_unchanged_body_conforms() -> None:
    conforms("plans.create", _plan_body())


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ((), "colour"),
        (("items", 0), "quantity"),
        (("items", 0, "price"), "billing_cycle"),
        (("items", 0, "price", "graduated_tiered_pricing_model"), "currency"),
        (("items", 0, "price", "graduated_tiered_pricing_model", "tiers", 1), "flat_fee"),
        (("items", 0, "price", "discount"), "discount_type"),
        (("items", 0, "price", "minimum_spend"), "interval"),
        (("items", 0, "price", "minimum_spend"), "direction"),
        (("items", 0, "price", "discount"), "currency"),
    ],
)
def test_a_field_the_sdk_does_not_define_fails(path: tuple[Any, ...], field: str) -> None:
    body = _plan_body()
    target: Any = body
    for step in path:
        target = target[step]
    target[field] = "x"
    where = ".".join(str(p) for p in (*path, field))
    assert (where, "extra_forbidden") in _errors("plans.create", body)


def test_the_sdks_own_types_would_have_let_it_through() -> None:
    """Why a strict copy: the SDK's models allow extra fields and any enum value."""
    price = _plan_body()["items"][0]["price"]
    lenient = PriceInput.model_validate({**price, "billing_cycle": "x", "type": "bogus"})
    assert lenient.type == "bogus"


def test_a_value_outside_an_sdk_enum_fails() -> None:
    body = _plan_body()
    body["items"][0]["price"]["billing_direction"] = "upfront"
    body["items"][0]["price"]["minimum_spend"]["billing_direction"] = "upfront"
    body["entitlements"] = [{"entitlement_key": "seats", "type": "quantity", "mode": "static"}]
    errors = _errors("plans.create", body)
    assert ("items.0.price.billing_direction", "literal_error") in errors
    assert ("items.0.price.minimum_spend.billing_direction", "literal_error") in errors
    assert ("entitlements.0.type", "literal_error") in errors


def test_a_bundle_discount_type_outside_the_sdk_enum_fails() -> None:
    price = with_every_term(SAMPLE_PRICES["unit"])
    body = bundle_to_wire(
        Bundle(name="B", items=(ProductItem(product="api", price=price),)), RESOLVER
    )
    body["prices"][0]["discount"]["discount_type"] = "amount"
    assert ("prices.0.discount.discount_type", "literal_error") in _errors("bundles.create", body)


def test_a_missing_required_field_fails() -> None:
    body = _plan_body()
    del body["items"][0]["price"]["discount"]["duration_type"]
    del body["items"][0]["price"]["fee_type"]
    errors = _errors("plans.create", body)
    assert ("items.0.price.discount.duration_type", "missing") in errors
    assert ("items.0.price.fee_type", "missing") in errors


def test_a_bundle_price_is_checked_as_a_price_create_request() -> None:
    """Bundle prices are the SDK's PriceCreateRequest: `product_id`, `discount_type` and
    the fixed model's `total` are required there, and the item-price spelling fails."""
    price = with_every_term(SAMPLE_PRICES["fixed"])
    body = bundle_to_wire(
        Bundle(name="B", items=(ProductItem(product="platform", price=price),)), RESOLVER
    )
    sent = body["prices"][0]
    assert sent["discount"]["discount_type"] == "percentage"
    assert sent["fixed_pricing_model"]["total"] == "1500.00"
    sent["discount"]["type"] = sent["discount"].pop("discount_type")
    del sent["fixed_pricing_model"]["total"]
    errors = _errors("bundles.create", body)
    assert ("prices.0.discount.type", "extra_forbidden") in errors
    assert ("prices.0.discount.discount_type", "missing") in errors
    assert ("prices.0.fixed_pricing_model.total", "missing") in errors


def test_subscription_settings_the_sdk_create_lacks_move_to_the_patch() -> None:
    subscription = Subscription(
        customer="acme",
        contract=SubscriptionContract(start_date=dt.date(2026, 7, 1)),
        plan="starter",
        description="main",
        trial_days=7,
        discount=Discount(amount=D(5)),
        minimum_spend=Spend(amount=D(100)),
    )
    create, later = subscription_create_bodies(subscription, "s", RESOLVER)
    assert set(later) == {"description", "trial_period_days", "discount", "minimum_spend"}
    assert not set(later) & set(create)
    conforms("subscriptions.create", create)
    conforms("subscriptions.update", later)
    errors = _errors("subscriptions.create", {**create, **later})
    assert ("description", "extra_forbidden") in errors
    assert ("discount", "extra_forbidden") in errors


def _matrix_body() -> dict[str, Any]:
    plan = Plan(
        name="P", currency="USD", items=(Item(product="api", price=SAMPLE_PRICES["matrix"]),)
    )
    return plan_to_wire(plan, RESOLVER)


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ((), "cells"),
        (("dimensions", 0), "required"),
        (("root",), "leaf_key"),
        (("root", "splits", 0), "default"),
        (("root", "splits", 0, "branches", 0), "match"),
        (("root", "splits", 0, "branches", 0, "child", "splits", 0, "branches", 0, "child", "leaf"),
         "match"),
        (("root", "fallback", "leaf"), "description"),
        (("root", "fallback", "leaf", "volume_percentage_pricing_model"), "currency"),
    ],
)  # fmt: skip
def test_a_matrix_field_the_sdk_does_not_define_fails(path: tuple[Any, ...], field: str) -> None:
    """Anywhere in the routing tree: a catalog-only key (`cells`, `match`) leaking onto
    the wire, or a misspelling, is refused."""
    body = _matrix_body()
    target: Any = body["items"][0]["price"]["matrix_pricing_model"]
    for step in path:
        target = target[step]
    target[field] = "x"
    where = ".".join(str(p) for p in ("items", 0, "price", "matrix_pricing_model", *path, field))
    assert (where, "extra_forbidden") in _errors("plans.create", body)


def test_a_matrix_cell_type_outside_the_seven_fails() -> None:
    body = _matrix_body()
    leaf = body["items"][0]["price"]["matrix_pricing_model"]["root"]["fallback"]["leaf"]
    leaf["type"] = "prepaid_tiered"
    leaf["prepaid_tiered_pricing_model"] = leaf.pop("volume_percentage_pricing_model")
    errors = _errors("plans.create", body)
    at = "items.0.price.matrix_pricing_model.root.fallback.leaf"
    assert (f"{at}.type", "literal_error") in errors
    assert (f"{at}.prepaid_tiered_pricing_model", "extra_forbidden") in errors


def test_a_bundle_matrix_fixed_cell_needs_its_total() -> None:
    body = bundle_to_wire(
        Bundle(name="B", items=(ProductItem(product="api", price=SAMPLE_PRICES["matrix"]),)),
        RESOLVER,
    )
    root = body["prices"][0]["matrix_pricing_model"]["root"]
    fixed = root["splits"][0]["branches"][0]["child"]["splits"][0]["wildcard"]["leaf"]
    assert fixed["fixed_pricing_model"] == {"price_per_unit": "25.00", "units": 2, "total": "50.00"}
    conforms("bundles.create", body)
    del fixed["fixed_pricing_model"]["total"]
    at = "prices.0.matrix_pricing_model.root.splits.0.branches.0.child.splits.0.wildcard.leaf"
    assert (f"{at}.fixed_pricing_model.total", "missing") in _errors("bundles.create", body)
