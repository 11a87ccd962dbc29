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
)
from pydantic import BaseModel

from reconciler.model import Bundle, Customer, Item, Metric, Plan, ProductItem
from reconciler.model.prices import PRICE_TYPES
from reconciler.model.resources import Aggregation, BillingAddress, Contact
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
    versions_from_wire,
)
from tests.wire import sdk_contract as sdk
from tests.wire.catalog import PRODUCTS, RESOLVER, SAMPLE_PRICES
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
        model = dict(price["fixed_pricing_model"])
        model.setdefault("total", str(Decimal(model["price_per_unit"]) * model["units"]))
        price["fixed_pricing_model"] = model
    return price


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
    product = PRODUCTS[key]
    body = product_to_wire(product, key, RESOLVER)
    obj = as_the_api_sends(
        ProductResponse,
        {
            "revenue_allocation_method": "straight_line",
            "description": "",
            **body,
            "id": "prod_1",
            **STAMPS,
        },
    )
    back = product_from_wire(obj, key, RESOLVER)
    # The response always names a revenue allocation method (the API's default when the
    # catalog leaves it unset); the reader passes it through.
    unset = {"revenue_allocation_method": None}
    assert back.model_copy(update=unset) == canonical(product, key, RESOLVER).model_copy(
        update=unset
    )


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
