"""Property tests: random valid prices and resources survive the round trip."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.model import Bundle, Customer, Metric, Plan, Product, Resource, Subscription
from reconciler.wire import (
    canonical,
    from_wire,
    price_from_wire,
    price_to_wire,
    to_wire,
)
from reconciler.wire.prices import PRICE_ADAPTER
from reconciler.wire.values import canonical_decimal
from tests.wire import strategies as s
from tests.wire.catalog import PRODUCTS, RESOLVER
from tests.wire.server import FakeServer
from tests.wire.test_wire_resources import served_subscription

FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _normalized(value: Any) -> Any:
    """Every Decimal in a dumped model in canonical form."""
    if isinstance(value, Decimal):
        return canonical_decimal(value)
    if isinstance(value, dict):
        return {k: _normalized(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_normalized(v) for v in value]
    return value


def expected_price(price: Any, product_key: str) -> Any:
    """The canonical price per the documented rules, computed independently."""
    product = PRODUCTS[product_key]
    data = _normalized(price.model_dump())
    if data["billing_direction"] == product.payment_terms:
        data["billing_direction"] = None
    if data["metrics"] is not None and tuple(data["metrics"]) == product.metrics:
        data["metrics"] = None
    return PRICE_ADAPTER.validate_python(data)


@FAST
@given(price=s.prices, product_key=s.product_keys)
def test_every_price_round_trips_to_its_canonical_form(price: Any, product_key: str) -> None:
    body = price_to_wire(price, product_key, RESOLVER)
    back = price_from_wire(FakeServer().price(body, "USD"), product_key, RESOLVER)
    assert back == expected_price(price, product_key)
    assert back.model_dump_json() == expected_price(price, product_key).model_dump_json()
    # the canonical form is a fixed point, and maps to the same amounts
    again = price_to_wire(back, product_key, RESOLVER)
    assert price_from_wire(again, product_key, RESOLVER) == back
    assert again.keys() == body.keys()
    model = f"{price.type}_pricing_model"
    for field in ("price_per_unit", "percentage", "fixed_fee"):
        if field in body[model]:
            assert Decimal(again[model][field]) == Decimal(body[model][field])
    assert all(PLAIN_DECIMAL.fullmatch(text) for text in decimal_strings(body))


PLAIN_DECIMAL = re.compile(r"[0-9]+(\.[0-9]+)?")
DECIMAL_KEYS = {"amount", "price_per_unit", "percentage", "fixed_fee"}


def decimal_strings(body: Any) -> list[str]:
    """Every value under a money/rate key, anywhere in a wire body."""
    if isinstance(body, list):
        return [text for item in body for text in decimal_strings(item)]
    if not isinstance(body, dict):
        return []
    found = [v for k, v in body.items() if k in DECIMAL_KEYS and isinstance(v, str)]
    return found + [t for v in body.values() for t in decimal_strings(v)]


@FAST
@given(price_type=st.sampled_from(sorted(s.MODEL_FIELDS)), data=st.data())
def test_each_of_the_ten_types_round_trips(price_type: str, data: st.DataObject) -> None:
    price = data.draw(s.prices_of(price_type))
    product_key = data.draw(s.product_keys)
    body = price_to_wire(price, product_key, RESOLVER)
    assert body["type"] == price_type and f"{price_type}_pricing_model" in body
    back = price_from_wire(FakeServer().price(body, "EUR"), product_key, RESOLVER)
    assert back == expected_price(price, product_key)


def serve(resource: Resource, key: str) -> Resource:
    server = FakeServer()
    body = to_wire(resource, key, RESOLVER)
    match resource:
        case Metric():
            return from_wire("metric", server.metric(body, "mtr_X"), key, RESOLVER)
        case Product():
            return from_wire("product", server.product(body, "prod_X"), key, RESOLVER)
        case Plan():
            return from_wire("plan", server.plan(body, "pln_X"), key, RESOLVER)
        case Bundle():
            return from_wire("bundle", server.bundle(body, "bnd_X"), key, RESOLVER)
        case Customer():
            return from_wire("customer", server.customer(body, "cust0001"), key, RESOLVER)
        case Subscription():
            return served_subscription(resource, key)
    raise AssertionError(resource)


RESOURCES: dict[str, st.SearchStrategy[Any]] = {
    "metric": s.metrics,
    "product": s.products,
    "plan": s.plans,
    "bundle": s.bundles,
    "customer": s.customers,
    "subscription": s.subscriptions(),
}


@pytest.mark.parametrize("kind", sorted(RESOURCES))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), key=st.sampled_from(["acme", "main", "x_1"]))
def test_every_kind_round_trips_to_its_canonical_form(
    kind: str, data: st.DataObject, key: str
) -> None:
    resource = data.draw(RESOURCES[kind])
    back = serve(resource, key)
    expected = canonical(resource, key, RESOLVER)
    if isinstance(back, Subscription):
        back = back.model_copy(update={"activate": resource.activate})
    assert back == expected
    assert canonical(expected, key, RESOLVER) == expected
    assert expected.moved_from == ()
