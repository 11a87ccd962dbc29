"""Subscriptions: the three creation patterns, bundles, list filters, PATCH, activate, cancel."""

from __future__ import annotations

import httpx

from tests.emulator.factory import (
    active_subscription,
    catalog,
    created,
    fixed_price,
    fixed_term,
    plan_subscription,
    post_plan,
    unit_price,
    versions,
)


async def test_raw_pricing_creates_a_draft(client: httpx.AsyncClient) -> None:
    cat = await catalog(client)
    sub = await created(
        await client.post(
            "/subscriptions",
            json={
                "customer_id": cat["customer"]["id"],
                "currency": "USD",
                "name": "Acme",
                "items": [{"product_id": cat["base"]["id"], "price": fixed_price()}],
            },
        )
    )
    assert sub["status"] == "draft"
    assert sub["current_version_id"] is None
    assert len(sub["id"]) == 8
    assert sub["description"] is None and sub["discount"] is None  # every field is present
    [version] = await versions(client, sub["id"])
    assert version["status"] == "draft"
    assert sub["pending_changes"] == [
        {
            "version_id": version["id"],
            "status": "draft",
            "description": None,
            "effective_at": "2026-04-01T00:00:00Z",
        }
    ]
    current = await client.get(f"/subscriptions/{sub['id']}/versions/current")
    assert current.status_code == 404


async def test_raw_pricing_needs_a_currency_and_items(client: httpx.AsyncClient) -> None:
    cat = await catalog(client)
    no_currency = await client.post(
        "/subscriptions",
        json={
            "customer_id": "acme",
            "items": [{"product_id": cat["base"]["id"], "price": fixed_price()}],
        },
    )
    no_items = await client.post("/subscriptions", json={"customer_id": "acme", "currency": "USD"})
    wrong_currency = await client.post(
        "/subscriptions",
        json={
            "customer_id": "acme",
            "currency": "EUR",
            "items": [{"product_id": cat["base"]["id"], "price": fixed_price()}],
        },
    )
    unknown_customer = await client.post(
        "/subscriptions", json={"customer_id": "ghost", "plan_id": cat["plan"]["id"]}
    )
    assert [r.status_code for r in (no_currency, no_items, wrong_currency, unknown_customer)] == [
        422,
        422,
        422,
        422,
    ]


async def test_from_plan_copies_items(client: httpx.AsyncClient) -> None:
    cat = await catalog(client)
    sub = await active_subscription(client, cat)
    assert sub["status"] == "active"
    assert sub["activated_at"] == "2026-04-01T10:00:00Z"
    assert sub["currency"] == "USD"
    current = (await client.get(f"/subscriptions/{sub['id']}/versions/current")).json()
    assert current["id"] == sub["current_version_id"]
    assert current["items"] == cat["plan"]["items"]


async def test_plan_plus_overrides_replace_matching_and_append_others(
    client: httpx.AsyncClient,
) -> None:
    cat = await catalog(client)
    extra = await created(
        await client.post(
            "/products",
            json={
                "name": "Support",
                "fee_type": "fixed",
                "payment_terms": "advance",
                "billing_frequency": "one-off",
            },
        )
    )
    bundle = await created(await client.post("/bundles", json={"name": "Add-ons"}))
    one_off = fixed_price("99") | {"billing_frequency": "one-off"}
    sub = await created(
        await client.post(
            "/subscriptions",
            json={
                "customer_id": "acme",
                "plan_id": cat["plan"]["id"],
                "items": [
                    {"product_id": cat["base"]["id"], "price": fixed_price("450.00")},
                    {"product_id": extra["id"], "price": one_off},
                    {
                        "bundle_id": bundle["id"],
                        "items": [{"product_id": extra["id"], "price": fixed_price("1")}],
                    },
                ],
            },
        )
    )
    [version] = await versions(client, sub["id"])
    keys = [item.get("product_id") or item.get("bundle_id") for item in version["items"]]
    assert keys == [cat["base"]["id"], cat["api"]["id"], extra["id"], bundle["id"]]
    assert version["items"][0]["price"]["fixed_pricing_model"]["total"] == "450.00"


async def test_get_list_and_filters(client: httpx.AsyncClient) -> None:
    cat = await catalog(client)
    active = await active_subscription(client, cat)
    draft = await plan_subscription(client, cat["plan"]["id"])
    assert (await client.get(f"/subscriptions/{active['id']}")).json() == active
    drafts = (await client.get("/subscriptions", params={"status": "draft"})).json()["data"]
    assert [s["id"] for s in drafts] == [draft["id"]]
    both = (await client.get("/subscriptions", params={"status": "draft,active"})).json()
    assert len(both["data"]) == 2
    mine = (await client.get("/subscriptions", params={"customer_id": "acme"})).json()
    assert len(mine["data"]) == 2
    none = (await client.get("/subscriptions", params={"customer_id": "nobody"})).json()
    assert none["data"] == []
    assert (await client.get("/subscriptions/XXXXXXXX")).status_code == 404


async def test_patch_merges_metadata_and_null_deletes(client: httpx.AsyncClient) -> None:
    cat = await catalog(client)
    sub = await plan_subscription(
        client,
        cat["plan"]["id"],
        metadata={"billing_key": "acme", "managed_by": "billing", "old": "x"},
    )
    patched = await client.patch(
        f"/subscriptions/{sub['id']}",
        json={
            "name": "Renamed",
            "metadata": {"old": None, "tier": "gold"},
            "billing": {"payment_terms": "net_30"},
        },
    )
    assert patched.status_code == 200
    body = patched.json()
    assert body["metadata"] == {"billing_key": "acme", "managed_by": "billing", "tier": "gold"}
    assert body["name"] == "Renamed"
    assert body["billing"]["payment_terms"] == "net_30"
    assert len(await versions(client, sub["id"])) == 1


async def test_patch_refuses_items_and_non_percentage_discount(client: httpx.AsyncClient) -> None:
    cat = await catalog(client)
    sub = await active_subscription(client, cat)
    items = await client.patch(f"/subscriptions/{sub['id']}", json={"items": []})
    discount = await client.patch(
        f"/subscriptions/{sub['id']}", json={"discount": {"type": "fixed", "amount": "10"}}
    )
    assert items.status_code == 422 and "Changes API" in items.json()["detail"]
    assert discount.status_code == 422


async def test_activate_is_idempotent_and_publishes_drafts(client: httpx.AsyncClient) -> None:
    cat = await catalog(client)
    sub = await plan_subscription(client, cat["plan"]["id"])
    first = await client.post(f"/subscriptions/{sub['id']}/activate")
    second = await client.post(f"/subscriptions/{sub['id']}/activate")
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert first.json()["status"] == "active"
    [version] = await versions(client, sub["id"])
    assert version["status"] == "published"
    assert first.json()["current_version_id"] == version["id"]


async def test_future_start_is_scheduled(client: httpx.AsyncClient) -> None:
    cat = await catalog(client)
    sub = await plan_subscription(
        client, cat["plan"]["id"], auto_activate=True, contract={"start_date": "2026-05-01"}
    )
    assert sub["status"] == "scheduled"
    assert sub["current_version_id"] is None
    assert sub["pending_changes"][0]["status"] == "published"


async def test_cancel_immediately_and_at_end_of_term(client: httpx.AsyncClient) -> None:
    cat = await catalog(client)
    now_sub = await active_subscription(client, cat)
    canceled = await client.post(
        f"/subscriptions/{now_sub['id']}/cancel",
        json={"reason": "pricing", "effective": "immediate"},
    )
    assert canceled.json()["status"] == "canceled"
    assert canceled.json()["cancellation"]["reason"] == "pricing"
    again = await client.post(f"/subscriptions/{now_sub['id']}/cancel", json={"reason": "pricing"})
    assert again.status_code == 409
    reactivate = await client.post(f"/subscriptions/{now_sub['id']}/activate")
    assert reactivate.status_code == 409

    term_sub = await plan_subscription(
        client, cat["plan"]["id"], auto_activate=True, contract=fixed_term(12, "2026-01-01")
    )
    later = (
        await client.post(
            f"/subscriptions/{term_sub['id']}/cancel",
            json={
                "reason": "moving_provider",
                "effective": "end_of_term",
                "reason_description": "moving",
            },
        )
    ).json()
    assert later["status"] == "active"
    assert later["canceled_at"] == "2027-01-01T00:00:00Z"


async def test_cancel_validates_reason_and_date(client: httpx.AsyncClient) -> None:
    cat = await catalog(client)
    sub = await active_subscription(client, cat)
    bad_reason = await client.post(f"/subscriptions/{sub['id']}/cancel", json={"reason": "bored"})
    past = await client.post(
        f"/subscriptions/{sub['id']}/cancel", json={"reason": "other", "effective": "2026-01-01"}
    )
    nonsense = await client.post(
        f"/subscriptions/{sub['id']}/cancel", json={"reason": "other", "effective": "whenever"}
    )
    dated = await client.post(
        f"/subscriptions/{sub['id']}/cancel", json={"reason": "other", "effective": "2026-06-30"}
    )
    assert [bad_reason.status_code, past.status_code, nonsense.status_code] == [422, 422, 422]
    assert dated.json()["canceled_at"] == "2026-06-30T00:00:00Z"


async def test_metered_items_need_known_metrics(client: httpx.AsyncClient) -> None:
    cat = await catalog(client)
    response = await client.post(
        "/subscriptions",
        json={
            "customer_id": "acme",
            "currency": "USD",
            "items": [{"product_id": cat["api"]["id"], "price": unit_price("mtr_ghost")}],
        },
    )
    assert response.status_code == 422
    assert "mtr_ghost" in response.json()["detail"]


async def test_billing_dates(client: httpx.AsyncClient) -> None:
    cat = await catalog(client)
    sub = await plan_subscription(
        client,
        cat["plan"]["id"],
        auto_activate=True,
        renewal={"auto_renew": True},
        contract=fixed_term(6, "2026-01-15"),
    )
    dates = (await client.get(f"/subscriptions/{sub['id']}/billing-dates")).json()
    assert dates["current_cycle"] == {"start_date": "2026-03-15", "end_date": "2026-04-15"}
    assert dates["next_billing_date"] == "2026-04-15"
    assert dates["valid_on_cycle_dates"] == ["2026-04-15", "2026-05-15", "2026-06-15", "2026-07-15"]
    assert dates["contract_end_date"] == dates["next_renewal_date"] == "2026-07-15"
    assert dates["valid_mid_cycle_range"] == {"start_date": "2026-04-01", "end_date": "2026-04-15"}
    assert (await client.get("/subscriptions/XXXXXXXX/billing-dates")).status_code == 404


async def test_plan_terms_are_defaults_the_body_overrides(client: httpx.AsyncClient) -> None:
    cat = await catalog(client)
    plan = await created(
        await post_plan(
            client,
            [{"product_id": cat["base"]["id"], "price": fixed_price()}],
            "Annual",
            contract_duration=12,
            contract_period_type="fixed",
            auto_renew=True,
            trial_period_days=14,
            payment_terms="net_30",
            entitlements=[{"entitlement_key": "sso", "type": "boolean", "value": "true"}],
        )
    )
    sub = await plan_subscription(client, plan["id"], contract={"start_date": "2026-04-01"})
    assert sub["trial_period_days"] == 14  # the plan's: the SDK's create takes no trial
    patched = await client.patch(f"/subscriptions/{sub['id']}", json={"trial_period_days": 30})
    assert patched.status_code == 200, patched.text
    sub = patched.json()
    assert sub["contract"]["duration_months"] == 12
    assert sub["contract"]["end_date"] == "2027-04-01T00:00:00Z"
    assert sub["renewal"]["auto_renew"] is True
    assert sub["billing"]["payment_terms"] == "net_30"
    assert sub["trial_period_days"] == 30
    [version] = await versions(client, sub["id"])
    assert version["entitlements"][0]["key"] == "sso"
