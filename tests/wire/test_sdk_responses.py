"""SDK response shapes round-trip through our readers.

Each case builds an SDK response model (strictly validated: every required field present,
no field the SDK does not define, enums inside their values) from representative data,
dumps it to JSON as the API would send it, and parses it with our `wire` reader; what
comes back is the catalog resource in canonical form. Every pricing model is covered
through a bundle's prices (the SDK's `PriceResponse`) and a subscription version's items
(its `SubscriptionPriceResponse`).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from alguna.types import (
    BundleResponse,
    CustomerResponse,
    MetricResponse,
    PlanResponse,
    ProductResponse,
    SubscriptionPhaseDetailResponse,
    SubscriptionResponse,
)
from pydantic import BaseModel

from alguna_pricing.model.prices import PRICE_TYPES, Discount, Spend
from reconciler.model import Bundle, Customer, Item, Metric, Plan, ProductItem
from reconciler.model.resources import (
    Aggregation,
    BillingAddress,
    Contact,
    RenewalTerms,
    SubscriptionBilling,
)
from reconciler.wire import (
    bundle_from_wire,
    bundle_to_wire,
    canonical,
    customer_from_wire,
    customer_to_wire,
    item_to_wire,
    metric_from_wire,
    metric_to_wire,
    plan_from_wire,
    product_from_wire,
    product_to_wire,
    subscription_from_wire,
    subscription_to_wire,
    versions_from_wire,
)
from reconciler.wire.products import DEFAULT_REVENUE_ALLOCATION
from tests.wire import sdk_contract as sdk
from tests.wire.catalog import PRODUCTS, RESOLVER, SAMPLE_PRICES, SUBSCRIPTIONS
from tests.wire.test_sdk_bodies import with_every_term

NOW = "2026-07-01T12:00:00Z"
STAMPS = {"created_at": NOW, "updated_at": NOW}


def as_the_api_sends(model: type[BaseModel], data: dict[str, Any]) -> dict[str, Any]:
    """`data` checked against the strict copy of the SDK response `model`, built as that
    model, and dumped to JSON text and back (what our reader receives)."""
    sdk.check(sdk.model_of(model), data)
    built = model.model_validate(data)
    return json.loads(built.model_dump_json(exclude_none=True))  # type: ignore[no-any-return]


def _product_obj(key: str) -> dict[str, Any]:
    """A PriceProductResponse for the test catalog's product `key`."""
    product = PRODUCTS[key]
    body = product_to_wire(product, key, RESOLVER)
    return {
        "id": RESOLVER.product_id(key),
        "name": body["name"],
        "description": product.description or "",
        "fee_type": body["fee_type"],
        "payment_terms": body["payment_terms"],
        "billing_frequency": body.get("billing_frequency"),
        "metric_ids": body["metric_ids"],
    }


def _price_response(sent: dict[str, Any], product_key: str, currency: str) -> dict[str, Any]:
    """The `PriceResponse` form of a price we sent: ids, currency, the product, the fixed
    `total`, and the discount as the SDK's `Discount` (`discount_type`)."""
    price = {
        **sent,
        "id": f"pri_{product_key}",
        "currency": currency,
        "product_id": RESOLVER.product_id(product_key),
        "product": _product_obj(product_key),
        **STAMPS,
    }
    if "discount" in price and "type" in price["discount"]:
        discount = dict(price["discount"])
        discount["discount_type"] = discount.pop("type")
        price["discount"] = discount
    if "fixed_pricing_model" in price:
        price["fixed_pricing_model"] = _with_total(price["fixed_pricing_model"])
    if "matrix_pricing_model" in price:
        model = price["matrix_pricing_model"]
        price["matrix_pricing_model"] = {**model, "root": _response_node(model["root"], "c")}
    return price


def _with_total(model: dict[str, Any]) -> dict[str, Any]:
    return {"total": str(Decimal(model["price_per_unit"]) * model["units"]), **model}


def _response_node(node: dict[str, Any], key: str) -> dict[str, Any]:
    """A matrix node as the API returns it: every cell with its `cell_key` (required in a
    response) and a fixed cell with its `total`."""
    out = dict(node)
    if "leaf" in node:
        leaf = {**node["leaf"], "cell_key": key}
        if "fixed_pricing_model" in leaf:
            leaf["fixed_pricing_model"] = _with_total(leaf["fixed_pricing_model"])
        out["leaf"] = leaf
    if "fallback" in node:
        out["fallback"] = _response_node(node["fallback"], f"{key}f")
    if "splits" in node:
        out["splits"] = [
            {
                **split,
                "branches": [
                    {**b, "child": _response_node(b["child"], f"{key}{i}.{j}")}
                    for j, b in enumerate(split["branches"])
                ],
                **(
                    {"wildcard": _response_node(split["wildcard"], f"{key}{i}*")}
                    if "wildcard" in split
                    else {}
                ),
            }
            for i, split in enumerate(node["splits"])
        ]
    return out


def test_metric() -> None:
    metric = Metric(name="API", event_name="api_call", aggregation=Aggregation(method="count"))
    body = metric_to_wire(metric)
    obj = as_the_api_sends(
        MetricResponse,
        {**body, "aggregation": {"method": "count", "field": ""}, "id": "mtr_1", **STAMPS},
    )
    assert metric_from_wire(obj) == metric


@pytest.mark.parametrize("key", sorted(PRODUCTS))
def test_product(key: str) -> None:
    """The response always has a description ("" when unset) and a revenue allocation
    method (the fee type's default when unset): both read back as unset."""
    product = PRODUCTS[key]
    body = product_to_wire(product, key, RESOLVER)
    default = DEFAULT_REVENUE_ALLOCATION[product.fee_type]
    obj = as_the_api_sends(
        ProductResponse,
        {
            "revenue_allocation_method": default,
            "description": "",
            **body,
            "id": "prod_1",
            **STAMPS,
        },
    )
    assert product_from_wire(obj, key, RESOLVER) == canonical(product, key, RESOLVER)


def test_a_product_declaring_the_default_allocation_shows_no_change() -> None:
    declared = PRODUCTS["api"].model_copy(update={"revenue_allocation_method": "usage_based"})
    other = PRODUCTS["api"].model_copy(update={"revenue_allocation_method": "straight_line"})
    assert canonical(declared, "api", RESOLVER) == canonical(PRODUCTS["api"], "api", RESOLVER)
    assert canonical(other, "api", RESOLVER).revenue_allocation_method == "straight_line"


def _subscription_response(body: dict[str, Any], **sections: Any) -> dict[str, Any]:
    """A SubscriptionResponse for a create body we sent, with the values the API answers
    for what the body left unset (`sections` override `billing`, `renewal`, `name`)."""
    contract = body["contract"]
    return {
        "id": "sub_1",
        "customer_id": body["customer_id"],
        "plan_id": body.get("plan_id"),
        "currency": body["currency"],
        "status": "draft",
        "metadata": body["metadata"],
        "name": "",
        "billing": {
            "auto_issue_invoices": False,
            "auto_pay_invoices": False,
            "payment_collection_method": "manual",
        },
        "contract": {**contract, "start_date": contract["start_date"] + "T00:00:00Z"},
        "renewal": {"auto_renew": False},
        "pending_changes": [],
        **sections,
        **STAMPS,
    }


def _first_version(body: dict[str, Any]) -> dict[str, Any]:
    return {"status": "published", "effective_at": body["contract"]["start_date"], "items": []}


def test_subscription_unset_values_read_back_as_unset() -> None:
    """`name: ""`, false billing flags, the derived collection method and a renewal of
    only `auto_renew: false` are what the API answers for a subscription that sets none
    of them: the reader sees no billing, no renewal, no name."""
    subscription = SUBSCRIPTIONS["acme_main"]
    body = subscription_to_wire(subscription, "acme_main", RESOLVER)
    obj = as_the_api_sends(SubscriptionResponse, _subscription_response(body))
    back = subscription_from_wire(obj, [_first_version(body)], "acme_main", RESOLVER)
    assert (back.name, back.billing, back.renewal) == (None, None, None)


def test_subscription_set_values_read_back() -> None:
    subscription = SUBSCRIPTIONS["acme_main"].model_copy(
        update={
            "name": "Acme main",
            "billing": SubscriptionBilling(auto_pay_invoices=True, payment_terms="net_30"),
            "renewal": RenewalTerms(auto_renew=False, duration_months=12),
        }
    )
    body = subscription_to_wire(subscription, "acme_main", RESOLVER)
    answered = _subscription_response(
        body,
        name="Acme main",
        billing={
            "auto_issue_invoices": False,
            "auto_pay_invoices": True,
            "payment_collection_method": "autopay",
            "payment_terms": "net_30",
        },
        renewal=body["renewal"],
    )
    obj = as_the_api_sends(SubscriptionResponse, answered)
    back = subscription_from_wire(obj, [_first_version(body)], "acme_main", RESOLVER)
    assert back.name == "Acme main"
    assert back.billing == SubscriptionBilling(auto_pay_invoices=True, payment_terms="net_30")
    assert back.renewal == RenewalTerms(auto_renew=False, duration_months=12)


def test_plan_reads_only_the_sdk_fields() -> None:
    """A plan read carries `id, name, currency, description` and timestamps: no items."""
    obj = as_the_api_sends(
        PlanResponse,
        {"id": "pln_1", "name": "Starter", "currency": "USD", "description": "x", **STAMPS},
    )
    plan = plan_from_wire(obj, RESOLVER)
    assert plan == Plan(name="Starter", currency="USD", description="x")


@pytest.mark.parametrize("price_type", PRICE_TYPES)
@pytest.mark.parametrize("terms", ["bare", "every_term"])
def test_bundle_with_every_pricing_model(price_type: str, terms: str) -> None:
    price = SAMPLE_PRICES[price_type]
    if terms == "every_term":
        price = with_every_term(price)
    product = "platform" if price_type == "fixed" else "api"
    bundle = Bundle(name="Add-ons", items=(ProductItem(product=product, price=price),))
    body = bundle_to_wire(bundle, RESOLVER)
    obj = as_the_api_sends(
        BundleResponse,
        {
            "id": "bnd_1",
            "name": body["name"],
            "prices": [_price_response(p, product, "USD") for p in body["prices"]],
        },
    )
    assert bundle_from_wire(obj, RESOLVER) == canonical(bundle, "addons", RESOLVER)


@pytest.mark.parametrize("price_type", PRICE_TYPES)
def test_version_items_with_every_pricing_model(price_type: str) -> None:
    price = with_every_term(SAMPLE_PRICES[price_type])
    product = "platform" if price_type == "fixed" else "api"
    item = Item(product=product, price=price)
    sent = item_to_wire(item, RESOLVER)
    response_price = _price_response(sent["price"], product, "USD")
    for key in ("id", "product_id", "product", "created_at", "updated_at"):
        del response_price[key]
    discount = response_price["discount"]  # a SubscriptionPriceResponse says `type`
    discount["type"] = discount.pop("discount_type")
    obj = as_the_api_sends(
        SubscriptionPhaseDetailResponse,
        {
            "id": "ver_1",
            "subscription_id": "sub_1",
            "status": "published",
            "start_date": "2026-07-01T00:00:00Z",
            "entitlements": [],
            "items": [{"product_id": sent["product_id"], "price": response_price}],
            **STAMPS,
        },
    )
    (version,) = versions_from_wire([obj], RESOLVER)
    assert version.effective == dt.date(2026, 7, 1)
    expected = canonical(Plan(name="p", currency="USD", items=(item,)), "p", RESOLVER)
    assert version.items == expected.items


def test_customer() -> None:
    customer = Customer(
        name="Acme",
        currency="EUR",
        aliases=("acme-corp",),
        billing_address=BillingAddress(line1="Main 1", city="Berlin", country="DE"),
        contacts=(Contact(email="a@acme.de", is_primary=True),),
    )
    body = customer_to_wire(customer, "acme")
    contacts = [{**c, "id": f"con_{i}"} for i, c in enumerate(body["contacts"])]
    obj = as_the_api_sends(
        CustomerResponse, {**body, "contacts": contacts, "id": "cus_1", **STAMPS}
    )
    assert customer_from_wire(obj, "acme") == canonical(customer, "acme", RESOLVER)


def test_an_amount_off_and_an_advance_minimum_read_back() -> None:
    """A `fixed` discount comes back as `discount_type` in a `PriceResponse` and as `type`
    in a `SubscriptionPriceResponse`; an advance minimum keeps its `billing_direction`."""
    price = SAMPLE_PRICES["unit"].model_copy(
        update={
            "discount": Discount(type="fixed", amount=Decimal("7.50")),
            "minimum_spend": Spend(amount=Decimal(40), billing_direction="advance"),
        }
    )
    bundle = Bundle(name="Add-ons", items=(ProductItem(product="api", price=price),))
    body = bundle_to_wire(bundle, RESOLVER)
    sent = _price_response(body["prices"][0], "api", "USD")
    assert sent["discount"]["discount_type"] == "fixed"
    obj = as_the_api_sends(BundleResponse, {"id": "bnd_1", "name": "Add-ons", "prices": [sent]})
    back = bundle_from_wire(obj, RESOLVER)
    assert back == canonical(bundle, "addons", RESOLVER)
    read = back.items[0].price
    assert read is not None and read.discount is not None and read.minimum_spend is not None
    assert (read.discount.type, read.discount.amount) == ("fixed", Decimal("7.5"))
    assert read.minimum_spend.billing_direction == "advance"

    item = Item(product="api", price=price)
    response_price = _price_response(item_to_wire(item, RESOLVER)["price"], "api", "USD")
    for key in ("id", "product_id", "product", "created_at", "updated_at"):
        del response_price[key]
    response_price["discount"]["type"] = response_price["discount"].pop("discount_type")
    obj = as_the_api_sends(
        SubscriptionPhaseDetailResponse,
        {
            "id": "ver_1",
            "subscription_id": "sub_1",
            "status": "published",
            "start_date": "2026-07-01T00:00:00Z",
            "entitlements": [],
            "items": [{"product_id": RESOLVER.product_id("api"), "price": response_price}],
            **STAMPS,
        },
    )
    (version,) = versions_from_wire([obj], RESOLVER)
    expected = canonical(Plan(name="p", currency="USD", items=(item,)), "p", RESOLVER)
    assert version.items == expected.items
