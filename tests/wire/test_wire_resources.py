"""Every kind: exact request bodies and the round trip through a simulated server."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from alguna_pricing.model.prices import Discount, Spend
from reconciler.model import (
    Customer,
    Item,
    Metric,
    Plan,
    Product,
    ProductItem,
    Subscription,
    Version,
)
from reconciler.model.resources import (
    Aggregation,
    BillingAddress,
    Contact,
    ContractTerms,
    Entitlement,
    Filter,
    FilterGroup,
    InvoiceSettings,
    RenewalTerms,
    SubscriptionBilling,
    SubscriptionContract,
)
from reconciler.wire import (
    IMMUTABLE_FIELDS,
    bundle_from_wire,
    bundle_to_wire,
    canonical,
    customer_from_wire,
    customer_to_wire,
    from_wire,
    metric_from_wire,
    metric_to_wire,
    plan_from_wire,
    plan_to_wire,
    product_from_wire,
    product_patch_body,
    product_to_wire,
    subscription_from_wire,
    subscription_patch_body,
    subscription_to_wire,
    to_wire,
    version_to_wire,
)
from tests.wire.catalog import BUNDLES, PLANS, RESOLVER, SAMPLE_PRICES
from tests.wire.server import FakeServer

START = dt.date(2026, 7, 1)


def served_subscription(sub: Subscription, key: str) -> Subscription:
    """Create `sub` on a fake server (plan first), read it back with its versions."""
    server = FakeServer()
    for plan_key, plan in PLANS.items():
        server.plan(plan_to_wire(plan, RESOLVER), RESOLVER.plan_id(plan_key))
    obj, first = server.subscription(subscription_to_wire(sub, key, RESOLVER), "sub00001")
    later = [
        server.version(version_to_wire(v, sub, RESOLVER), obj["currency"]) for v in sub.versions[1:]
    ]
    return subscription_from_wire(obj, [*reversed(later), first], key, RESOLVER)


METRIC = Metric(
    name="API calls",
    description="Calls to the public API",
    event_name="api_call",
    aggregation=Aggregation(method="sum", field="count"),
    filter_groups=(
        FilterGroup(
            operator="or",
            filters=(
                Filter(field="region", value="eu"),
                Filter(field="path", operator="contains", value="/v2/"),
            ),
        ),
    ),
)


def test_metric_body_and_round_trip() -> None:
    body = metric_to_wire(METRIC)
    assert body == {
        "name": "API calls",
        "description": "Calls to the public API",
        "event_name": "api_call",
        "aggregation": {"method": "sum", "field": "count"},
        "filter_groups": [
            {
                "operator": "or",
                "filters": [
                    {"field": "region", "operator": "equal", "value": "eu"},
                    {"field": "path", "operator": "contains", "value": "/v2/"},
                ],
            }
        ],
    }
    back = metric_from_wire(FakeServer().metric(body, "mtr_X"))
    assert back == METRIC == canonical(METRIC, "api_calls", RESOLVER)
    count = Metric(name="n", event_name="e", aggregation=Aggregation(method="count"))
    assert metric_to_wire(count) == {
        "name": "n",
        "event_name": "e",
        "aggregation": {"method": "count"},
        "filter_groups": [],
    }


def test_product_bodies() -> None:
    product = Product(
        name="API",
        description="The API",
        fee_type="metered",
        payment_terms="arrears",
        metrics=("api_calls", "storage_gb"),
        revenue_allocation_method="usage_based",
    )
    assert product_to_wire(product, "api", RESOLVER) == {
        "name": "API",
        "description": "The API",
        "fee_type": "metered",
        "payment_terms": "arrears",
        "metric_ids": ["mtr_API_CALLS", "mtr_STORAGE_GB"],
        "sku": "api",
        "revenue_allocation_method": "usage_based",
    }
    assert product_patch_body(product, "api") == {
        "name": "API",
        "description": "The API",
        "revenue_allocation_method": "usage_based",
        "sku": "api",
    }
    assert not set(product_patch_body(product, "api")) & {
        "fee_type",
        "payment_terms",
        "billing_frequency",
        "metric_ids",
    }
    assert IMMUTABLE_FIELDS["product"] == {
        "fee_type",
        "payment_terms",
        "billing_frequency",
        "metrics",
    }
    assert set(IMMUTABLE_FIELDS["product"]) <= set(Product.model_fields)
    assert set(IMMUTABLE_FIELDS["subscription"]) <= set(Subscription.model_fields)
    fixed = Product(name="Seat", fee_type="fixed", payment_terms="advance", sku="SEAT-1")
    assert product_to_wire(fixed, "seat", RESOLVER) == {
        "name": "Seat",
        "fee_type": "fixed",
        "payment_terms": "advance",
        "billing_frequency": "recurring",
        "metric_ids": [],
        "sku": "SEAT-1",
    }
    assert product_patch_body(fixed, "seat")["description"] is None


@pytest.mark.parametrize(
    ("product", "expected_changes"),
    [
        (
            Product(name="A", fee_type="metered", payment_terms="arrears", metrics=("api_calls",)),
            {},
        ),
        (
            Product(name="A", fee_type="fixed", payment_terms="advance", sku="a"),
            {"sku": None, "billing_frequency": "recurring"},
        ),
        (
            Product(
                name="A", fee_type="metered", payment_terms="arrears", billing_frequency="recurring"
            ),
            {"billing_frequency": None},
        ),
        (
            Product(
                name="A",
                fee_type="fixed",
                payment_terms="advance",
                billing_frequency="one-off",
                sku="A-1",
                moved_from=("old_a",),
            ),
            {"moved_from": ()},
        ),
    ],
)
def test_product_round_trip(product: Product, expected_changes: dict[str, object]) -> None:
    response = FakeServer().product(product_to_wire(product, "a", RESOLVER), "prod_A")
    back = product_from_wire(response, "a", RESOLVER)
    assert back == canonical(product, "a", RESOLVER)
    assert back == product.model_copy(update=expected_changes)


def test_bundle_body_and_round_trip() -> None:
    bundle = BUNDLES["addons"]
    body = bundle_to_wire(bundle, RESOLVER)
    assert body["name"] == "Add-ons"
    assert [p["product_id"] for p in body["prices"]] == ["prod_STORAGE", "prod_API"]
    assert body["prices"][0]["unit_pricing_model"] == {"price_per_unit": "0.002"}
    server = FakeServer()
    response = server.bundle(body, "bnd_ADDONS")
    assert response["prices"][0]["product"]["id"] == "prod_STORAGE"
    assert bundle_from_wire(response, RESOLVER) == canonical(bundle, "addons", RESOLVER) == bundle
    # product_id may be missing when the embedded product carries the id
    del response["prices"][0]["product_id"]
    assert bundle_from_wire(response, RESOLVER).items[0].product == "storage"


FULL_PLAN = Plan(
    name="Enterprise",
    currency="EUR",
    description="For big teams",
    additional_terms="Net 30, **annual**",
    contract=ContractTerms(period_type="fixed", duration_months=12),
    renewal=RenewalTerms(auto_renew=False, period_type="monthly_rolling"),
    trial_days=30,
    payment_terms="net_30",
    invoice_settings=InvoiceSettings(auto_issue_invoices=True, invoice_footer_text="Thanks"),
    entitlements=(Entitlement(key="sso"), Entitlement(key="seats", type="quantity", value="50")),
    discount=Discount(amount=D("10.0")),
    minimum_spend=Spend(amount=D("100")),
    maximum_spend=Spend(amount=D("1e4"), period="yearly"),
    items=(
        Item(product="platform", price=SAMPLE_PRICES["fixed"]),
        Item(bundle="addons"),
        Item(
            bundle="addons",
            items=(ProductItem(product="storage", price=SAMPLE_PRICES["tiered"]),),
        ),
    ),
)


def test_plan_body_is_flat_and_fills_bundle_prices() -> None:
    body = plan_to_wire(FULL_PLAN, RESOLVER)
    assert {k: v for k, v in body.items() if k != "items"} == {
        "name": "Enterprise",
        "currency": "EUR",
        "description": "For big teams",
        "additional_terms": "Net 30, **annual**",
        "contract_duration": 12,
        "contract_period_type": "fixed",
        "renewal_period_type": "monthly_rolling",
        "auto_renew": False,
        "trial_period_days": 30,
        "payment_terms": "net_30",
        "invoice_settings": {"auto_issue_invoices": True, "invoice_footer_text": "Thanks"},
        "entitlements": [
            {"entitlement_key": "sso", "type": "boolean", "mode": "static", "value": "true"},
            {"entitlement_key": "seats", "type": "number", "mode": "static", "value": "50"},
        ],
        "discount": {"type": "percentage", "amount": "10.0", "duration_type": "monthly_rolling"},
        "minimum_spend": {"amount": "100", "period": "monthly"},
        "maximum_spend": {"amount": "10000", "period": "yearly"},
    }
    platform, declared, overridden = body["items"]
    assert platform["product_id"] == "prod_PLATFORM"
    assert platform["price"]["fixed_pricing_model"] == {"price_per_unit": "500.00", "units": 3}
    assert declared["bundle_id"] == "bnd_ADDONS"
    assert [c["product_id"] for c in declared["items"]] == ["prod_STORAGE", "prod_API"]
    assert declared["items"][1]["price"]["type"] == "graduated_tiered"
    assert [c["price"]["type"] for c in overridden["items"]] == ["tiered"]


@pytest.mark.parametrize("plan", [FULL_PLAN, PLANS["starter"], Plan(name="Empty", currency="JPY")])
def test_plan_round_trip(plan: Plan) -> None:
    response = FakeServer().plan(plan_to_wire(plan, RESOLVER), "pln_X")
    back = plan_from_wire(response, RESOLVER)
    assert back == canonical(plan, "x", RESOLVER)
    assert back.discount == Discount(amount=D("10")) or plan.discount is None


def test_bundle_item_with_the_declared_prices_reads_back_without_items() -> None:
    explicit = Item(bundle="addons", items=BUNDLES["addons"].items)
    plan = Plan(name="P", currency="USD", items=(explicit,))
    response = FakeServer().plan(plan_to_wire(plan, RESOLVER), "pln_P")
    assert plan_from_wire(response, RESOLVER).items == (Item(bundle="addons"),)
    changed = response["items"][0]["items"][0]["price"]["unit_pricing_model"]
    changed["price_per_unit"] = "0.003"
    (item,) = plan_from_wire(response, RESOLVER).items
    assert item.items is not None and len(item.items) == 2
    assert item.items[0].price.model_dump()["price_per_unit"] == D("0.003")


CUSTOMER = Customer(
    name="Acme Corp",
    currency="USD",
    aliases=("acme-corp", "acme", "stripe:cus_123"),
    billing_address=BillingAddress(line1="1 Main St", city="Berlin", country="DE"),
    contacts=(
        Contact(
            email="ap@acme.test", first_name="Ann", is_primary=True, email_preferences=("billing",)
        ),
        Contact(email="cto@acme.test"),
    ),
)


def test_customer_body_puts_the_key_first_among_aliases() -> None:
    body = customer_to_wire(CUSTOMER, "acme")
    assert body == {
        "name": "Acme Corp",
        "currency": "USD",
        "aliases": ["acme", "acme-corp", "stripe:cus_123"],
        # The SDK requires all five: the ones the catalog leaves out go as "".
        "billing_address": {
            "line1": "1 Main St",
            "city": "Berlin",
            "state": "",
            "postal_code": "",
            "country": "DE",
        },
        "contacts": [
            {
                "email": "ap@acme.test",
                "first_name": "Ann",
                "is_primary": True,
                "email_preferences": ["billing"],
            },
            {"email": "cto@acme.test", "is_primary": False, "email_preferences": []},
        ],
    }
    assert customer_to_wire(Customer(name="G", currency="EUR"), "globex")["aliases"] == ["globex"]


def test_customer_round_trip_drops_the_key_alias() -> None:
    response = FakeServer().customer(customer_to_wire(CUSTOMER, "acme"), "wcqYrqfE")
    back = customer_from_wire(response, "acme")
    assert back == canonical(CUSTOMER, "acme", RESOLVER)
    assert back.aliases == ("acme-corp", "stripe:cus_123")
    assert back.contacts == CUSTOMER.contacts
    empty = Customer(name="G", currency="EUR", billing_address=BillingAddress())
    assert canonical(empty, "globex", RESOLVER).billing_address is None


SUBSCRIPTION = Subscription(
    customer="acme",
    plan="starter",
    name="Acme - Starter",
    description="Main contract",
    currency="EUR",
    contract=SubscriptionContract(period_type="fixed", duration_months=12, start_date=START),
    renewal=RenewalTerms(auto_renew=True, duration_months=12),
    billing=SubscriptionBilling(
        auto_issue_invoices=True, first_billing_date=dt.date(2026, 8, 1), payment_terms="net_30"
    ),
    trial_days=14,
    discount=Discount(
        amount=D("5"), duration_type="fixed", duration_unit="months", duration_value=3
    ),
    minimum_spend=Spend(amount=D("250.00")),
    metadata={"crm_id": "0061x", "billing_key": "ignored"},
    versions=(
        Version(
            effective=START,
            description="Launch",
            items=(Item(product="api", price=SAMPLE_PRICES["unit"]),),
        ),
        Version(
            effective=dt.date(2027, 1, 1),
            description="Ramp",
            items=(Item(product="payments", price=SAMPLE_PRICES["volume_percentage"]),),
        ),
    ),
)


def test_subscription_create_body() -> None:
    body = subscription_to_wire(SUBSCRIPTION, "acme_main", RESOLVER)
    items = body.pop("items")
    assert body == {
        "customer_id": "CACME",
        "plan_id": "pln_STARTER",
        "name": "Acme - Starter",
        "description": "Main contract",
        "currency": "EUR",
        "contract": {"period_type": "fixed", "duration_months": 12, "start_date": "2026-07-01"},
        "renewal": {"auto_renew": True, "period_type": "fixed", "duration_months": 12},
        "billing": {
            "auto_issue_invoices": True,
            "first_billing_date": "2026-08-01",
            "payment_terms": "net_30",
        },
        "trial_period_days": 14,
        "discount": {
            "type": "percentage",
            "amount": "5",
            "duration_type": "fixed",
            "duration_unit": "months",
            "duration_value": 3,
        },
        "minimum_spend": {"amount": "250.00", "period": "monthly"},
        "metadata": {"crm_id": "0061x", "billing_key": "acme_main", "managed_by": "alguna-billing"},
        "auto_activate": False,
    }
    # plan items with the version's override of `api` in place, then nothing appended
    assert [i.get("product_id") or i.get("bundle_id") for i in items] == [
        "prod_PLATFORM",
        "prod_API",
        "bnd_ADDONS",
    ]
    assert items[1]["price"]["type"] == "unit"
    ramp = version_to_wire(SUBSCRIPTION.versions[1], SUBSCRIPTION, RESOLVER)
    assert ramp["effective_at"] == "2027-01-01"
    assert ramp["description"] == "Ramp"
    assert [i.get("product_id") or i.get("bundle_id") for i in ramp["items"]] == [
        "prod_PLATFORM",
        "prod_API",
        "bnd_ADDONS",
        "prod_PAYMENTS",
    ]
    assert ramp["items"][1]["price"]["type"] == "tiered"  # the plan's price again
    keyword = Version(effective="next_billing_period", items=())
    assert version_to_wire(keyword, SUBSCRIPTION, RESOLVER)["effective_at"] == (
        "next_billing_period"
    )


def test_subscription_currency_defaults_to_the_customer() -> None:
    sub = Subscription(customer="globex", contract=SubscriptionContract(start_date=START))
    body = subscription_to_wire(sub, "g", RESOLVER)
    assert body["currency"] == "EUR"
    assert "plan_id" not in body and body["items"] == []
    assert canonical(sub, "g", RESOLVER).currency is None


def test_subscription_round_trip() -> None:
    back = served_subscription(SUBSCRIPTION, "acme_main")
    expected = canonical(SUBSCRIPTION, "acme_main", RESOLVER)
    assert back == expected
    assert back.metadata == {"crm_id": "0061x"}
    assert back.contract.start_date == START
    assert back.billing is not None and back.billing.first_billing_date == dt.date(2026, 8, 1)
    assert [v.effective for v in back.versions] == [START, dt.date(2027, 1, 1)]
    assert back.versions[0].description is None  # the create body carries no version text
    assert back.versions[1].description == "Ramp"
    assert [i.ref for i in back.versions[1].items] == ["platform", "api", "addons", "payments"]


def test_subscription_from_plan_only_round_trip() -> None:
    sub = Subscription(
        customer="acme", plan="starter", contract=SubscriptionContract(start_date=START)
    )
    back = served_subscription(sub, "acme_main")
    assert back == canonical(sub, "acme_main", RESOLVER)
    (version,) = back.versions
    assert version.effective == START
    assert version.items == canonical(PLANS["starter"], "starter", RESOLVER).items


def test_subscription_inverse_status_and_version_filtering() -> None:
    obj = {
        **subscription_to_wire(SUBSCRIPTION, "acme_main", RESOLVER),
        "status": "active",
        "metadata": {"billing_key": "acme_main", "managed_by": "alguna-billing", "gone": None},
    }
    versions = [
        {"id": "v3", "status": "draft", "effective_at": "2027-06-01T00:00:00Z", "items": []},
        {"id": "v0", "status": "discarded", "effective_at": "2026-01-01", "items": []},
        {"id": "v1", "status": "published", "effective_at": "2026-07-01T00:00:00Z", "items": []},
    ]
    sub = subscription_from_wire(obj, versions, "acme_main", RESOLVER)
    assert sub.activate is True
    assert sub.metadata == {}
    assert [v.effective for v in sub.versions] == [START, dt.date(2027, 6, 1)]


def test_subscription_patch_body() -> None:
    live = {"crm_id": "old", "legacy": "x", "billing_key": "acme_main", "managed_by": "a"}
    body = subscription_patch_body(SUBSCRIPTION, "acme_main", live)
    assert body["metadata"] == {
        "crm_id": "0061x",
        "legacy": None,
        "billing_key": "acme_main",
        "managed_by": "alguna-billing",
    }
    assert set(body) == {
        "name",
        "description",
        "billing",
        "renewal",
        "discount",
        "minimum_spend",
        "maximum_spend",
        "trial_period_days",
        "metadata",
    }
    assert body["maximum_spend"] is None  # null clears it
    assert body["billing"]["first_billing_date"] == "2026-08-01"


@pytest.mark.parametrize("key", ["api_calls", "platform", "starter", "addons", "acme"])
def test_generic_entry_points_agree_with_kind_functions(key: str) -> None:
    from tests.wire.catalog import CATALOG

    for address, resource in CATALOG.resources().items():
        if address.key != key:
            continue
        body = to_wire(resource, key, RESOLVER)
        back = from_wire(address.kind, body, key, RESOLVER)
        assert back == canonical(resource, key, RESOLVER)
