"""Wire fidelity: auth, version header, errors, ids, money, dates, lists, account isolation."""

from __future__ import annotations

import re

import httpx
from fastapi import FastAPI

from alguna_emulator import emulator_transport
from tests.emulator.clients import api_client
from tests.emulator.factory import (
    catalog,
    customer,
    fixed_price,
    fixed_product,
    fixed_term,
    metric,
    post_plan,
    stored_plan,
)


async def test_missing_bearer_key_is_401(client: httpx.AsyncClient) -> None:
    response = await client.get("/products", headers={"Authorization": ""})
    assert response.status_code == 401
    assert response.json()["status"] == 401
    assert "Bearer" in response.json()["detail"]


async def test_non_bearer_scheme_is_401(client: httpx.AsyncClient) -> None:
    response = await client.get("/products", headers={"Authorization": "Basic abc"})
    assert response.status_code == 401


async def test_missing_or_other_version_is_400(client: httpx.AsyncClient) -> None:
    missing = await client.get("/products", headers={"Alguna-Version": ""})
    other = await client.get("/products", headers={"Alguna-Version": "2025-01-01"})
    assert (missing.status_code, other.status_code) == (400, 400)
    assert "2026-04-01" in other.json()["detail"]


async def test_unknown_path_and_method_use_error_format(client: httpx.AsyncClient) -> None:
    unknown = await client.get("/nothing-here")
    wrong_method = await client.delete("/products")
    assert unknown.json() == {"status": 404, "detail": "Not Found"}
    assert wrong_method.status_code == 405
    assert wrong_method.json()["status"] == 405


async def test_malformed_json_is_400_and_invalid_body_is_422(client: httpx.AsyncClient) -> None:
    malformed = await client.post(
        "/metrics", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    invalid = await client.post("/metrics", json={"name": "x"})
    assert malformed.status_code == 400
    assert invalid.status_code == 422
    assert invalid.json()["detail"].startswith("Validation failed")


async def test_unknown_body_fields_are_rejected(client: httpx.AsyncClient) -> None:
    body = {"name": "m", "event_name": "e", "aggregation": {"method": "count"}, "eventName": "e"}
    response = await client.post("/metrics", json=body)
    assert response.status_code == 422
    assert "eventName" in response.json()["detail"]


async def test_id_formats(client: httpx.AsyncClient) -> None:
    cat = await catalog(client)
    assert re.fullmatch(r"mtr_[0-9A-Za-z]{22}", cat["metric"]["id"])
    assert re.fullmatch(r"prod_[0-9A-Za-z]{22}", cat["base"]["id"])
    assert re.fullmatch(r"pln_[0-9A-Za-z]{22}", cat["plan"]["id"])
    assert re.fullmatch(r"[0-9A-Za-z]{8}", cat["customer"]["id"])
    bundle = await client.post("/bundles", json={"name": "b"})
    assert re.fullmatch(r"bnd_[0-9A-Za-z]{22}", bundle.json()["id"])


async def test_timestamps_are_server_set_in_utc(client: httpx.AsyncClient) -> None:
    mtr = await metric(client)
    assert mtr["created_at"] == mtr["updated_at"] == "2026-04-01T10:00:00Z"


async def test_money_strings_are_echoed_exactly_and_numbers_become_strings(
    client: httpx.AsyncClient,
) -> None:
    base = await fixed_product(client)
    price = fixed_price("10.50", units=3)
    price["discount"] = {"type": "percentage", "amount": 12.5, "duration_type": "monthly_rolling"}
    plan = await post_plan(client, [{"product_id": base["id"], "price": price}])
    echoed = (await stored_plan(client, plan.json()["id"]))["items"][0]["price"]
    expected = {"price_per_unit": "10.50", "units": 3, "total": "31.50"}
    assert echoed["fixed_pricing_model"] == expected
    assert echoed["discount"]["amount"] == "12.5"
    assert echoed["currency"] == "USD"


async def test_an_amount_off_and_a_spend_direction_are_kept(client: httpx.AsyncClient) -> None:
    """The SDK's discount `type` may be `fixed` (an amount off; a percentage cap does not
    apply to it) and a spend may carry `billing_direction`; both are stored and returned."""
    base = await fixed_product(client)
    price = fixed_price("10.50", units=3)
    price["discount"] = {"type": "fixed", "amount": "250", "duration_type": "monthly_rolling"}
    price["minimum_spend"] = {"amount": "40", "period": "monthly", "billing_direction": "advance"}
    plan = await post_plan(client, [{"product_id": base["id"], "price": price}])
    echoed = (await stored_plan(client, plan.json()["id"]))["items"][0]["price"]
    assert (echoed["discount"]["type"], echoed["discount"]["amount"]) == ("fixed", "250")
    assert echoed["minimum_spend"]["billing_direction"] == "advance"
    price["minimum_spend"]["billing_direction"] = "upfront"
    refused = await post_plan(client, [{"product_id": base["id"], "price": price}], name="p2")
    assert refused.status_code == 422
    assert "billing_direction" in refused.json()["detail"]


async def test_exponent_money_is_normalized(client: httpx.AsyncClient) -> None:
    base = await fixed_product(client)
    plan = await post_plan(client, [{"product_id": base["id"], "price": fixed_price("1E+2")}])
    stored = await stored_plan(client, plan.json()["id"])
    assert stored["items"][0]["price"]["fixed_pricing_model"]["price_per_unit"] == "100"


async def test_request_dates_are_echoed_as_timestamps(client: httpx.AsyncClient) -> None:
    cat = await catalog(client)
    body = {
        "customer_id": cat["customer"]["id"],
        "plan_id": cat["plan"]["id"],
        "contract": fixed_term(12, "2026-07-01"),
        "billing": {"first_billing_date": "2026-07-01"},
    }
    sub = (await client.post("/subscriptions", json=body)).json()
    assert sub["contract"]["start_date"] == "2026-07-01T00:00:00Z"
    assert sub["contract"]["end_date"] == "2027-07-01T00:00:00Z"
    assert sub["billing"]["first_billing_date"] == "2026-07-01T00:00:00Z"


async def test_list_envelope_limit_offset_and_stable_order(client: httpx.AsyncClient) -> None:
    names = [f"m{i}" for i in range(5)]
    for name in names:
        await metric(client, name)
    first = (await client.get("/metrics", params={"limit": 2})).json()
    last = (await client.get("/metrics", params={"limit": 2, "offset": 4})).json()
    assert first["pagination"] == {"per_page": 2, "total_pages": 3}
    assert [m["name"] for m in first["data"]] == ["m0", "m1"]
    assert [m["name"] for m in last["data"]] == ["m4"]
    default = (await client.get("/metrics")).json()
    assert default["pagination"]["per_page"] == 20


async def test_limit_bounds_are_400(client: httpx.AsyncClient) -> None:
    for params in ({"limit": 101}, {"limit": 0}, {"offset": -1}, {"limit": "x"}):
        response = await client.get("/products", params=params)
        assert response.status_code == 400, params
        assert response.json()["status"] == 400


async def test_sort_where_documented(client: httpx.AsyncClient) -> None:
    for name in ("b", "c", "a"):
        await metric(client, name)
    asc = (await client.get("/metrics", params={"sort": "name:asc"})).json()["data"]
    desc = (await client.get("/metrics", params={"sort": "name:desc"})).json()["data"]
    bad = await client.get("/metrics", params={"sort": "colour:asc"})
    assert [m["name"] for m in asc] == ["a", "b", "c"]
    assert [m["name"] for m in desc] == ["c", "b", "a"]
    assert bad.status_code == 400


async def test_each_api_key_is_an_isolated_account(app: FastAPI) -> None:
    async with (
        api_client(emulator_transport(app)) as sandbox,
        api_client(emulator_transport(app), "sk_live_other") as live,
    ):
        made = await customer(sandbox)
        assert (await sandbox.get(f"/customers/{made['id']}")).status_code == 200
        assert (await live.get(f"/customers/{made['id']}")).status_code == 404
        assert (await live.get("/customers/acme")).status_code == 404
        assert (await live.get("/customers")).json()["data"] == []
        await customer(live)  # the same alias is free in another account


async def test_openapi_document_is_served_without_auth(client: httpx.AsyncClient) -> None:
    response = await client.get("/openapi.json", headers={"Authorization": ""})
    assert response.status_code == 200
    assert "/subscriptions/{subscription_id}/changes" in response.json()["paths"]
