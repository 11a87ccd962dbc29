"""Input the emulator must refuse plainly: unbounded money, unsupported query parameters,
mismatched price models, duplicate event ids. None of it may end in a 5xx."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alguna_emulator import create_app, emulator_transport
from tests.emulator.clients import api_client
from tests.emulator.conftest import START
from tests.emulator.factory import (
    created,
    customer,
    fixed_price,
    fixed_product,
    post_plan,
    stored_plan,
)

# --- money bounds (docs/api-compatibility.md "3a. Size limits") ---------------------------


@pytest.mark.parametrize(
    "amount",
    ["1E+999999999", "1E+99999", "1000000000000000", "1E+15", "-1", "0.0000000000001", "NaN"],
)
async def test_unbounded_money_is_a_422_naming_the_field(
    client: httpx.AsyncClient, amount: str
) -> None:
    product = await fixed_product(client)
    response = await post_plan(
        client, [{"product_id": product["id"], "price": fixed_price(amount)}]
    )
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert "items[0].price.fixed_pricing_model.price_per_unit" in detail
    assert len(response.content) < 1000


async def test_money_at_the_bounds_keeps_an_exact_total(client: httpx.AsyncClient) -> None:
    product = await fixed_product(client)
    price = fixed_price("999999999999999.999999999999", units=10**12)
    plan = await created(await post_plan(client, [{"product_id": product["id"], "price": price}]))
    model = (await stored_plan(client, plan["id"]))["items"][0]["price"]["fixed_pricing_model"]
    assert model["price_per_unit"] == "999999999999999.999999999999"
    assert Decimal(model["total"]) == Decimal("9" * 27)  # exact: 27 nines, not rounded


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e400", "1" + "0" * 5000])
async def test_json_number_literals_out_of_range_are_refused(
    client: httpx.AsyncClient, literal: str
) -> None:
    product = await fixed_product(client)
    body = json.dumps(
        {"name": "p", "currency": "USD", "items": [{"product_id": product["id"], "price": 0}]}
    )
    price = json.dumps(fixed_price()).replace('"500.00"', literal)
    raw = body.replace(": 0}", f": {price}}}")
    response = await client.post(
        "/plans", content=raw, headers={"Content-Type": "application/json"}
    )
    assert response.status_code in (400, 422), response.text
    assert len(response.content) < 1000


def _within_bounds(value: Any) -> bool:
    try:
        parsed = Decimal(repr(value) if isinstance(value, float) else str(value))
    except InvalidOperation:
        return False
    if not parsed.is_finite() or parsed < 0 or parsed >= Decimal(10) ** 15:
        return False
    return parsed == parsed.quantize(Decimal("1E-12"))  # at most 12 decimal places


NUMERIC_TEXT = st.from_regex(
    r"\A[-+]?[0-9]{0,18}(\.[0-9]{0,16})?([eE][-+]?[0-9]{1,10})?\Z", fullmatch=True
)
MONEY = st.one_of(
    NUMERIC_TEXT,
    st.sampled_from(["1E+999999999", "0E-999999999", "1E-999999999", "Infinity", "-0", "sNaN"]),
    st.floats(allow_nan=False, allow_infinity=False),  # JSON has no NaN: tested separately
    st.integers(min_value=-(10**20), max_value=10**20),
)


class _Emulator:
    """One in-memory emulator with a product, shared by the examples of a property test."""

    def __init__(self) -> None:
        self.app: FastAPI = create_app(clock_start=START)
        self.product_id = asyncio.run(self._call(self._setup))

    async def _setup(self, client: httpx.AsyncClient) -> str:
        return str((await fixed_product(client))["id"])

    async def _call(self, action: Any) -> Any:
        async with api_client(emulator_transport(self.app)) as client:
            return await action(client)

    def post_price(self, amount: Any, units: int) -> httpx.Response:
        price = fixed_price(units=units)
        price["fixed_pricing_model"]["price_per_unit"] = amount
        items = [{"product_id": self.product_id, "price": price}]

        async def post(client: httpx.AsyncClient) -> httpx.Response:
            return await post_plan(client, items)

        response: httpx.Response = asyncio.run(self._call(post))
        return response

    def stored_model(self, plan_id: str) -> dict[str, Any]:
        """The fixed pricing model of a created plan's first item, as stored."""

        async def read(client: httpx.AsyncClient) -> dict[str, Any]:
            return await stored_plan(client, plan_id)

        plan: dict[str, Any] = asyncio.run(self._call(read))
        model: dict[str, Any] = plan["items"][0]["price"]["fixed_pricing_model"]
        return model


@pytest.fixture(scope="module")
def emulator() -> _Emulator:
    return _Emulator()


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(amount=MONEY, units=st.integers(min_value=0, max_value=10**12))
def test_no_amount_makes_a_5xx(emulator: _Emulator, amount: Any, units: int) -> None:
    response = emulator.post_price(amount, units)
    assert response.status_code < 500, response.text
    assert len(response.content) < 5000
    if _within_bounds(amount):
        assert response.status_code == 201, response.text
        model = emulator.stored_model(response.json()["id"])
        sent = Decimal(repr(amount) if isinstance(amount, float) else str(amount))
        assert Decimal(model["price_per_unit"]) == sent
        assert Decimal(model["total"]) == sent * units  # exact, never rounded
    else:
        assert response.status_code == 422, response.text
        assert "price_per_unit" in response.json()["detail"]


# --- readable 422 details for items and prices ----------------------------------------------


async def test_price_model_that_does_not_match_type_is_said_plainly(
    client: httpx.AsyncClient,
) -> None:
    product = await fixed_product(client)
    price = fixed_price()
    price["unit_pricing_model"] = price.pop("fixed_pricing_model")
    response = await post_plan(client, [{"product_id": product["id"], "price": price}])
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert (
        'items[0].price: type "fixed" needs fixed_pricing_model, not unit_pricing_model' in detail
    )
    assert "bundle_id" not in detail and "Extra inputs" not in detail


async def test_item_errors_follow_the_branch_the_client_meant(client: httpx.AsyncClient) -> None:
    product = await fixed_product(client)
    bad_price = {**fixed_price(), "fixed_pricing_model": None, "unit_pricing_model": {}}
    bundle = {"bundle_id": "bnd_x", "items": [{"product_id": product["id"], "price": bad_price}]}
    detail = (await post_plan(client, [bundle])).json()["detail"]
    assert 'items[0].items[0].price: type "fixed" needs fixed_pricing_model' in detail
    assert "product_id: Field required" not in detail

    detail = (await post_plan(client, [{"product_id": product["id"]}])).json()["detail"]
    assert detail == "Validation failed: items[0].price: Field required"

    response = await post_plan(client, ["not an item"])
    assert response.status_code == 422
    assert "items[0]: an item must be an object" in response.json()["detail"]

    both = {**fixed_price(), "unit_pricing_model": {"price_per_unit": "1"}}
    detail = (await post_plan(client, [{"product_id": product["id"], "price": both}])).json()[
        "detail"
    ]
    assert 'type "fixed" needs only fixed_pricing_model, not also unit_pricing_model' in detail


# --- query parameters -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params", "says"),
    [
        ("/products", {"sort": "zzz"}, "sort is not supported on GET /products"),
        ("/products", {"sort": "created_at:asc"}, "sort is not supported"),
        ("/products", {"colour": "red"}, "unknown query parameter(s) colour"),
        ("/products", {"fee_type": "fixed,weekly"}, "invalid fee_type weekly"),
        ("/subscriptions", {"status": "bogus"}, "invalid status bogus"),
        ("/subscriptions", {"sort": "name:sideways"}, "invalid sort"),
        ("/metrics", {"sort": "colour:asc"}, "invalid sort"),
        ("/metrics", {"aggregation_method": "median"}, "invalid aggregation_method median"),
        ("/bundles", {"sort": "created_at:asc"}, "sort is not supported on GET /bundles"),
        ("/customers", {"page": "2"}, "unknown query parameter(s) page"),
    ],
)
async def test_unsupported_query_values_are_400(
    client: httpx.AsyncClient, path: str, params: dict[str, str], says: str
) -> None:
    response = await client.get(path, params=params)
    assert response.status_code == 400, response.text
    assert says in response.json()["detail"]


async def test_supported_query_values_still_work(client: httpx.AsyncClient) -> None:
    await fixed_product(client)
    for path, params in [
        ("/products", {"fee_type": "fixed,metered", "limit": "5"}),
        ("/subscriptions", {"status": "active,draft", "sort": "activated_at:desc"}),
        ("/bundles", {"limit": "5", "offset": "0"}),
        ("/metrics", {"aggregation_method": "count"}),
    ]:
        response = await client.get(path, params=params)
        assert response.status_code == 200, (path, response.text)


# --- events ---------------------------------------------------------------------------------


async def test_a_unique_id_twice_in_one_batch_is_ingested_once(
    client: httpx.AsyncClient, control: httpx.AsyncClient
) -> None:
    cust = await customer(client)
    event = {"unique_id": "e1", "account": "acme", "event_name": "api_call"}
    batch = {"events": [event, {**event, "properties": {"n": 2}}, {**event, "unique_id": "e2"}]}
    response = await client.post("/events", json=batch)
    assert response.status_code == 200
    assert response.json() == {"ingested": ["e1", "e2"], "failed": []}
    stored = (await control.get("/objects/event", params={"api_key": "sk_test_emulator"})).json()
    ids = [e["id"] for e in stored["data"]]
    assert sorted(ids) == ["e1", "e2"]
    first = next(e for e in stored["data"] if e["id"] == "e1")
    assert first["properties"] == {} and first["customer_id"] == cust["id"]

    again = await client.post("/events", json={"events": [event, event]})
    assert again.json() == {"ingested": ["e1"], "failed": []}
