"""Metrics, products, plans and bundles through the in-process API."""

from __future__ import annotations

import httpx
import pytest

from tests.emulator.factory import (
    catalog,
    created,
    fixed_price,
    fixed_product,
    metered_product,
    metric,
    post_plan,
    stored_plan,
    tiered_price,
    unit_price,
    without_nulls,
)


async def test_metric_create_get_list_filter_update(client: httpx.AsyncClient) -> None:
    mtr = await metric(client)
    other = await created(
        await client.post(
            "/metrics",
            json={
                "name": "GB",
                "event_name": "storage",
                "aggregation": {"method": "sum", "field": "gb"},
                "filter_groups": [
                    {
                        "operator": "and",
                        "filters": [{"field": "region", "operator": "equal", "value": "eu"}],
                    }
                ],
            },
        )
    )
    assert (await client.get(f"/metrics/{mtr['id']}")).json() == mtr
    listed = (await client.get("/metrics", params={"event_name": "storage"})).json()["data"]
    assert [m["id"] for m in listed] == [other["id"]]
    by_method = (await client.get("/metrics", params={"aggregation_method": "sum"})).json()
    assert [m["id"] for m in by_method["data"]] == [other["id"]]
    # No update: the SDK has none, so PATCH is refused like any method the route lacks.
    patched = await client.patch(f"/metrics/{mtr['id']}", json={"description": "calls"})
    assert patched.status_code == 405
    assert (await client.get(f"/metrics/{mtr['id']}")).json()["description"] is None
    assert (await client.get("/metrics/mtr_missing")).status_code == 404


async def test_metric_sum_needs_a_field(client: httpx.AsyncClient) -> None:
    body = {"name": "x", "event_name": "x", "aggregation": {"method": "sum"}}
    response = await client.post("/metrics", json=body)
    assert response.status_code == 422
    assert "aggregation.field" in response.json()["detail"]


async def test_product_rules_on_create(client: httpx.AsyncClient) -> None:
    mtr = await metric(client)
    cases: list[tuple[dict[str, object], str]] = [
        ({"fee_type": "metered", "payment_terms": "arrears"}, "metric_ids"),
        ({"fee_type": "metered", "payment_terms": "advance", "metric_ids": [mtr["id"]]}, "arrears"),
        ({"fee_type": "fixed", "payment_terms": "advance"}, "billing_frequency"),
        (
            {"fee_type": "metered", "payment_terms": "arrears", "metric_ids": ["mtr_nope"]},
            "mtr_nope",
        ),
    ]
    for body, needle in cases:
        response = await client.post("/products", json={"name": "p", **body})
        assert response.status_code == 422, body
        assert needle in response.json()["detail"]
    made = await metered_product(client, mtr["id"])
    assert made["billing_frequency"] == "recurring"
    assert (made["unit_label"], made["unit_label_plural"]) == ("unit", "units")


async def test_product_get_list_filters_and_patch(client: httpx.AsyncClient) -> None:
    mtr = await metric(client)
    fixed = await fixed_product(client)
    metered = await metered_product(client, mtr["id"])
    only_metered = (await client.get("/products", params={"fee_type": "metered"})).json()
    assert [p["id"] for p in only_metered["data"]] == [metered["id"]]
    by_metric = (await client.get("/products", params={"metric_ids": mtr["id"]})).json()
    assert [p["id"] for p in by_metric["data"]] == [metered["id"]]
    both = (await client.get("/products", params={"payment_terms": "advance,arrears"})).json()
    assert len(both["data"]) == 2
    patched = await client.patch(
        f"/products/{fixed['id']}", json={"name": "Platform fee", "sku": "platform-v2"}
    )
    assert patched.json()["name"] == "Platform fee"
    assert patched.json()["sku"] == "platform-v2"
    assert (await client.get(f"/products/{fixed['id']}")).json() == patched.json()


@pytest.mark.parametrize(
    "field,value",
    [
        ("fee_type", "metered"),
        ("payment_terms", "arrears"),
        ("billing_frequency", "one-off"),
        ("metric_ids", []),
    ],
)
async def test_immutable_product_fields_are_refused_on_patch(
    client: httpx.AsyncClient, field: str, value: object
) -> None:
    fixed = await fixed_product(client)
    response = await client.patch(f"/products/{fixed['id']}", json={field: value})
    assert response.status_code == 422
    assert f"{field} cannot be changed" in response.json()["detail"]


async def test_plan_is_read_back_with_the_sdk_fields_only(client: httpx.AsyncClient) -> None:
    cat = await catalog(client)
    plan = (await client.get(f"/plans/{cat['plan']['id']}")).json()
    assert set(plan) == {"id", "name", "currency", "description", "created_at", "updated_at"}
    assert plan == {k: cat["plan"][k] for k in plan}
    listed = (await client.get("/plans")).json()["data"]
    assert listed == [plan]
    stored = cat["plan"]  # items are kept (subscriptions copy them), just not read back
    assert [i["product_id"] for i in stored["items"]] == [cat["base"]["id"], cat["api"]["id"]]
    assert stored["items"][0]["price"]["fixed_pricing_model"]["total"] == "500.00"
    assert "unit_pricing_model" not in stored["items"][0]["price"]


_TIERS = tiered_price("mtr_any")["tiered_pricing_model"]
_PERCENT_TIERS = [
    {"min_units": 0, "max_units": 10, "percentage": "2.5", "fixed_fee": "1"},
    {"min_units": 10, "max_units": None, "percentage": "1.5"},
]
# A valid model object for every pricing model besides unit and fixed (see the factory).
_MODELS: dict[str, dict[str, object]] = {
    "tiered": _TIERS,
    "graduated_tiered": {**_TIERS, "units": 10},
    "prepaid_tiered": {"prepaid_units": 50000, **_TIERS},
    "prepaid_fixed_tiered": {
        "prepaid_units": 5,
        "overages_charge_interval": "monthly",
        **_TIERS,
    },
    "tiered_percentage": {"tiers": _PERCENT_TIERS},
    "graduated_percentage": {"tiers": _PERCENT_TIERS},
    "volume_percentage": {"price_per_unit": "0.30", "percentage": "2.9", "fixed_fee": "0"},
    "expression": {
        "charges": [
            {
                "billing_direction": "arrears",
                "description": "usage",
                "quantity_expression": "usage.api_calls",
                "unit_price_expression": "0.01",
            }
        ]
    },
}


@pytest.mark.parametrize("kind", list(_MODELS))
async def test_every_pricing_model_is_accepted(client: httpx.AsyncClient, kind: str) -> None:
    mtr = await metric(client)
    api = await metered_product(client, mtr["id"])
    price = tiered_price(mtr["id"], "tiered")
    del price["tiered_pricing_model"]
    price.update(type=kind, **{f"{kind}_pricing_model": _MODELS[kind]})
    plan = await post_plan(client, [{"product_id": api["id"], "price": price}], kind, "EUR")
    assert plan.status_code == 201, plan.text
    echoed = (await stored_plan(client, plan.json()["id"]))["items"][0]["price"]
    assert without_nulls(echoed[f"{kind}_pricing_model"]) == without_nulls(_MODELS[kind])
    assert echoed["currency"] == "EUR"


async def test_fixed_fee_type_with_unit_model_is_allowed(client: httpx.AsyncClient) -> None:
    base = await fixed_product(client)
    price = {
        "type": "unit",
        "fee_type": "fixed",
        "billing_direction": "advance",
        "billing_frequency": "recurring",
        "billing_interval": "yearly",
        "unit_pricing_model": {"price_per_unit": "99"},
    }
    plan = await post_plan(client, [{"product_id": base["id"], "price": price}], "seats")
    assert plan.status_code == 201


async def test_price_model_must_be_exactly_one_and_match_type(client: httpx.AsyncClient) -> None:
    mtr = await metric(client)
    api = await metered_product(client, mtr["id"])
    wrong = unit_price(mtr["id"]) | {"type": "fixed"}
    two = unit_price(mtr["id"]) | {"fixed_pricing_model": {"price_per_unit": "1"}}
    none = {k: v for k, v in unit_price(mtr["id"]).items() if k != "unit_pricing_model"}
    for price, needle in (
        (wrong, "needs fixed_pricing_model"),
        (two, "exactly one"),
        (none, "exactly one"),
    ):
        response = await post_plan(client, [{"product_id": api["id"], "price": price}])
        assert response.status_code == 422
        assert needle in response.json()["detail"]


@pytest.mark.parametrize(
    "tiers,needle",
    [
        ([{"min_units": 1, "max_units": None, "price_per_unit": "1"}], "start at min_units 0"),
        (
            [
                {"min_units": 0, "max_units": 10, "price_per_unit": "1"},
                {"min_units": 20, "max_units": None, "price_per_unit": "1"},
            ],
            "gap",
        ),
        (
            [
                {"min_units": 0, "max_units": 10, "price_per_unit": "1"},
                {"min_units": 5, "max_units": None, "price_per_unit": "1"},
            ],
            "overlap",
        ),
        ([{"min_units": 0, "max_units": 10, "price_per_unit": "1"}], "open-ended"),
        (
            [
                {"min_units": 0, "max_units": None, "price_per_unit": "1"},
                {"min_units": 0, "max_units": None, "price_per_unit": "1"},
            ],
            "only the last",
        ),
    ],
)
async def test_tier_gaps_and_overlaps_are_422(
    client: httpx.AsyncClient, tiers: list[dict[str, object]], needle: str
) -> None:
    mtr = await metric(client)
    api = await metered_product(client, mtr["id"])
    price = tiered_price(mtr["id"])
    price["tiered_pricing_model"] = {"tiers": tiers}
    response = await post_plan(client, [{"product_id": api["id"], "price": price}])
    assert response.status_code == 422
    assert needle in response.json()["detail"]


async def test_plan_references_must_exist(client: httpx.AsyncClient) -> None:
    response = await post_plan(client, [{"product_id": "prod_missing", "price": fixed_price()}])
    assert response.status_code == 422
    assert "prod_missing" in response.json()["detail"]


async def test_plan_list_sort_and_no_update(client: httpx.AsyncClient) -> None:
    cat = await catalog(client)
    plan_id = cat["plan"]["id"]
    patched = await client.patch(f"/plans/{plan_id}", json={"description": "new"})
    assert patched.status_code == 405  # plans are write-once: the SDK has no update
    assert (await client.get(f"/plans/{plan_id}")).json()["description"] is None
    listing = (await client.get("/plans", params={"sort": "created_at:desc"})).json()
    assert listing["data"][0]["id"] == plan_id


async def test_plan_with_bundle_item(client: httpx.AsyncClient) -> None:
    cat = await catalog(client)
    bundle = await created(await client.post("/bundles", json={"name": "Add-ons"}))
    item = {
        "bundle_id": bundle["id"],
        "name": "Add-ons",
        "items": [{"product_id": cat["base"]["id"], "price": fixed_price("5")}],
    }
    plan = await post_plan(client, [item], "b")
    assert plan.status_code == 201
    stored = await stored_plan(client, plan.json()["id"])
    assert stored["items"][0]["bundle_id"] == bundle["id"]
    missing = await post_plan(client, [{**item, "bundle_id": "bnd_missing"}], "b")
    assert missing.status_code == 422


async def test_duplicate_product_in_one_plan_is_422(client: httpx.AsyncClient) -> None:
    base = await fixed_product(client)
    item = {"product_id": base["id"], "price": fixed_price()}
    response = await post_plan(client, [item, item])
    assert response.status_code == 422
    assert "appears twice" in response.json()["detail"]


async def test_bundle_create_get_list_and_replace_prices(client: httpx.AsyncClient) -> None:
    mtr = await metric(client)
    base = await fixed_product(client)
    api = await metered_product(client, mtr["id"])
    bundle = await created(
        await client.post(
            "/bundles",
            json={
                "name": "Starter",
                "description": "d",
                "prices": [
                    {**fixed_price(), "product_id": base["id"]},
                    {**unit_price(mtr["id"]), "product_id": api["id"]},
                ],
            },
        )
    )
    first, second = bundle["prices"]
    assert first["product"]["name"] == "Platform"
    assert first["id"].startswith("price_") and first["currency"] == "USD"
    assert (await client.get(f"/bundles/{bundle['id']}")).json() == bundle
    assert (await client.get("/bundles")).json()["data"] == [bundle]
    patched = (
        await client.patch(
            f"/bundles/{bundle['id']}",
            json={"prices": [{**fixed_price("600.00"), "product_id": base["id"]}]},
        )
    ).json()
    assert len(patched["prices"]) == 1
    assert patched["prices"][0]["id"] == first["id"]
    assert patched["prices"][0]["fixed_pricing_model"]["total"] == "600.00"
    assert second["id"] not in {p["id"] for p in patched["prices"]}
    renamed = (await client.patch(f"/bundles/{bundle['id']}", json={"name": "S"})).json()
    assert renamed["prices"] == patched["prices"]
    assert (await client.get("/bundles/bnd_missing")).status_code == 404
