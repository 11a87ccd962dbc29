"""Subscription versions and the Changes API."""

from __future__ import annotations

from typing import Any

import httpx

from tests.emulator.factory import (
    active_subscription,
    applied,
    catalog,
    created,
    fixed_price,
    fixed_term,
    plan_subscription,
    post_plan,
    unit_price,
    versions,
)


async def _setup(client: httpx.AsyncClient) -> tuple[dict[str, Any], dict[str, Any]]:
    cat = await catalog(client)
    return cat, await active_subscription(client, cat)


async def _bundle_subscription(
    client: httpx.AsyncClient, cat: dict[str, Any], bundle_id: str, **fields: Any
) -> dict[str, Any]:
    """A raw-pricing subscription whose one item is a bundle holding the base product."""
    body = {
        "customer_id": "acme",
        "currency": "USD",
        **fields,
        "items": [
            {
                "bundle_id": bundle_id,
                "items": [{"product_id": cat["base"]["id"], "price": fixed_price()}],
            }
        ],
    }
    return await created(await client.post("/subscriptions", json=body))


async def test_version_list_get_current_and_item_refs(client: httpx.AsyncClient) -> None:
    cat, sub = await _setup(client)
    base = f"/subscriptions/{sub['id']}/versions"
    [listed] = (await client.get(base)).json()["data"]
    current = (await client.get(f"{base}/current")).json()
    assert listed == current == (await client.get(f"{base}/{current['id']}")).json()
    assert current["status"] == "published" and current["entitlements"] == []
    item = (await client.get(f"{base}/{current['id']}/items/{cat['base']['id']}")).json()
    assert item["product_id"] == cat["base"]["id"]
    via_current = await client.get(f"{base}/current/items/{cat['api']['id']}")
    assert via_current.json()["price"]["type"] == "unit"
    assert (await client.get(f"{base}/{current['id']}/items/prod_nope")).status_code == 404
    assert (await client.get(f"{base}/subv_nope")).status_code == 404


async def test_bundle_item_lookup_returns_children(client: httpx.AsyncClient) -> None:
    cat = await catalog(client)
    bundle = await created(await client.post("/bundles", json={"name": "Add-ons"}))
    sub = await _bundle_subscription(client, cat, bundle["id"])
    [version] = await versions(client, sub["id"])
    item = (
        await client.get(
            f"/subscriptions/{sub['id']}/versions/{version['id']}/items/{bundle['id']}"
        )
    ).json()
    assert item["bundle_id"] == bundle["id"]
    assert [c["product_id"] for c in item["items"]] == [cat["base"]["id"]]


async def test_draft_lifecycle_create_update_publish(client: httpx.AsyncClient) -> None:
    cat, sub = await _setup(client)
    base = f"/subscriptions/{sub['id']}/versions"
    draft = await created(
        await client.post(
            base,
            json={
                "items": [{"product_id": cat["base"]["id"], "price": fixed_price("700.00")}],
                "effective_at": "2026-05-01",
                "description": "May price",
                "draft": True,
            },
        )
    )
    assert draft["status"] == "draft"
    assert draft["effective_at"] == "2026-05-01T00:00:00Z"
    items = draft["items"]
    assert (await client.patch(f"{base}/{draft['id']}", json={"items": items})).status_code == 405
    updated = (
        await client.put(
            f"{base}/{draft['id']}",
            json={"items": items, "description": "May price v2", "effective_at": "2026-06-01"},
        )
    ).json()
    assert updated["description"] == "May price v2"
    assert updated["effective_at"] == "2026-06-01T00:00:00Z"
    published = (await client.post(f"{base}/{draft['id']}/publish")).json()
    assert published["status"] == "published"
    again = await client.post(f"{base}/{draft['id']}/publish")
    assert again.status_code == 200
    sub_now = (await client.get(f"/subscriptions/{sub['id']}")).json()
    assert sub_now["current_version_id"] == sub["current_version_id"]
    assert sub_now["pending_changes"][0]["version_id"] == draft["id"]


async def test_published_versions_cannot_be_edited_or_deleted(client: httpx.AsyncClient) -> None:
    _, sub = await _setup(client)
    base = f"/subscriptions/{sub['id']}/versions/{sub['current_version_id']}"
    current = (await client.get(base)).json()
    edit = await client.put(base, json={"items": current["items"], "description": "x"})
    delete = await client.delete(base)
    assert edit.status_code == delete.status_code == 409
    assert "published" in edit.json()["detail"]


async def test_draft_can_be_deleted(client: httpx.AsyncClient) -> None:
    cat, sub = await _setup(client)
    base = f"/subscriptions/{sub['id']}/versions"
    draft = await created(
        await client.post(
            base,
            json={
                "items": [{"product_id": cat["base"]["id"], "price": fixed_price()}],
                "draft": True,
            },
        )
    )
    deleted = await client.delete(f"{base}/{draft['id']}")
    assert deleted.status_code == 204
    assert (await client.get(f"{base}/{draft['id']}")).status_code == 404


async def test_publishing_on_a_draft_subscription_is_409(client: httpx.AsyncClient) -> None:
    cat = await catalog(client)
    sub = await plan_subscription(client, cat["plan"]["id"])
    [version] = await versions(client, sub["id"])
    response = await client.post(f"/subscriptions/{sub['id']}/versions/{version['id']}/publish")
    assert response.status_code == 409


async def test_changes_adjust_merges_into_the_existing_price(client: httpx.AsyncClient) -> None:
    cat, sub = await _setup(client)
    change = await applied(
        client,
        await client.post(
            f"/subscriptions/{sub['id']}/changes",
            json={
                "source_version_id": sub["current_version_id"],
                "description": "more seats",
                "update": [
                    {
                        "product_id": cat["base"]["id"],
                        "adjust": {"fixed_pricing_model": {"units": 3}, "trial_period_days": 7},
                    }
                ],
            },
        ),
    )
    price = change["items"][0]["price"]
    assert price["fixed_pricing_model"] == {
        "price_per_unit": "500.00",
        "units": 3,
        "total": "1500.00",
    }
    assert price["trial_period_days"] == 7
    assert change["status"] == "published"
    assert change["effective_at"] == "2026-04-01T10:00:00Z"
    after = (await client.get(f"/subscriptions/{sub['id']}")).json()
    assert after["current_version_id"] == change["id"]


async def test_changes_add_remove_and_stale_source_is_409(client: httpx.AsyncClient) -> None:
    cat, sub = await _setup(client)
    source = sub["current_version_id"]
    extra = await created(
        await client.post(
            "/products",
            json={
                "name": "Support",
                "fee_type": "fixed",
                "payment_terms": "advance",
                "billing_frequency": "recurring",
            },
        )
    )
    first = await applied(
        client,
        await client.post(
            f"/subscriptions/{sub['id']}/changes",
            json={
                "source_version_id": source,
                "remove": [{"product_id": cat["api"]["id"]}],
                "add": [{"product_id": extra["id"], "new_price": fixed_price("50")}],
            },
        ),
    )
    assert [i["product_id"] for i in first["items"]] == [cat["base"]["id"], extra["id"]]
    stale = await client.post(
        f"/subscriptions/{sub['id']}/changes",
        json={"source_version_id": source, "remove": [{"product_id": extra["id"]}]},
    )
    assert stale.status_code == 409
    assert "no longer the current version" in stale.json()["detail"]


async def test_changes_reject_unknown_targets_and_duplicates(client: httpx.AsyncClient) -> None:
    cat, sub = await _setup(client)
    url = f"/subscriptions/{sub['id']}/changes"
    missing = await client.post(url, json={"remove": [{"product_id": "prod_nope"}]})
    duplicate = await client.post(
        url, json={"add": [{"product_id": cat["base"]["id"], "new_price": fixed_price()}]}
    )
    bad_adjust = await client.post(
        url, json={"update": [{"product_id": cat["base"]["id"], "adjust": {"type": "tiered"}}]}
    )
    assert [missing.status_code, duplicate.status_code, bad_adjust.status_code] == [422] * 3


async def test_changes_preview_writes_nothing(client: httpx.AsyncClient) -> None:
    cat, sub = await _setup(client)
    preview = await client.post(
        f"/subscriptions/{sub['id']}/changes/preview",
        json={
            "update": [
                {
                    "product_id": cat["api"]["id"],
                    "adjust": {"unit_pricing_model": {"price_per_unit": "0.03"}},
                }
            ]
        },
    )
    assert preview.status_code == 200
    assert preview.json()["source_version_id"] == sub["current_version_id"]
    assert preview.json()["items"][1]["price"]["unit_pricing_model"]["price_per_unit"] == "0.03"
    assert len(await versions(client, sub["id"])) == 1


async def test_changes_effective_keywords_and_drafts(client: httpx.AsyncClient) -> None:
    cat = await catalog(client)
    sub = await plan_subscription(
        client, cat["plan"]["id"], auto_activate=True, contract=fixed_term(12, "2026-01-15")
    )
    url = f"/subscriptions/{sub['id']}/changes"
    adjust = {
        "update": [
            {"product_id": cat["base"]["id"], "adjust": {"fixed_pricing_model": {"units": 2}}}
        ]
    }
    expected = {
        "next_billing_period": "2026-04-15T00:00:00Z",
        "billing_cycle_start": "2026-03-15T00:00:00Z",
        "end_of_term": "2027-01-15T00:00:00Z",
        "2026-09-01": "2026-09-01T00:00:00Z",
    }
    for effective, at in expected.items():
        preview = await client.post(f"{url}/preview", json={**adjust, "effective": effective})
        assert preview.json()["effective_at"] == at, effective
    draft = await applied(
        client,
        await client.post(url, json={**adjust, "effective": "next_billing_period", "draft": True}),
    )
    assert draft["status"] == "draft"
    after = (await client.get(f"/subscriptions/{sub['id']}")).json()
    assert after["pending_changes"][-1]["version_id"] == draft["id"]
    bad = await client.post(url, json={**adjust, "effective": "someday"})
    assert bad.status_code == 422


async def test_future_version_becomes_current_when_the_clock_passes(
    client: httpx.AsyncClient, control: httpx.AsyncClient
) -> None:
    cat, sub = await _setup(client)
    future = await applied(
        client,
        await client.post(
            f"/subscriptions/{sub['id']}/changes",
            json={
                "effective": "2026-05-01",
                "add": [
                    {
                        "bundle_id": (
                            await created(await client.post("/bundles", json={"name": "b"}))
                        )["id"],
                        "items": [
                            {
                                "product_id": cat["api"]["id"],
                                "new_price": unit_price(cat["metric"]["id"], "0.01"),
                            }
                        ],
                    }
                ],
            },
        ),
    )
    before = (await client.get(f"/subscriptions/{sub['id']}")).json()
    assert before["current_version_id"] == sub["current_version_id"]
    assert before["pending_changes"][0]["version_id"] == future["id"]
    await control.put("/clock", json={"now": "2026-05-01T00:00:00Z"})
    after = (await client.get(f"/subscriptions/{sub['id']}")).json()
    assert after["current_version_id"] == future["id"]
    assert after["pending_changes"] == []


async def test_changes_on_a_draft_subscription_are_409(client: httpx.AsyncClient) -> None:
    cat = await catalog(client)
    sub = await plan_subscription(client, cat["plan"]["id"])
    response = await client.post(
        f"/subscriptions/{sub['id']}/changes", json={"remove": [{"product_id": cat["api"]["id"]}]}
    )
    assert response.status_code == 409


async def test_changes_plan_switch(client: httpx.AsyncClient) -> None:
    cat, sub = await _setup(client)
    small = await created(
        await post_plan(
            client, [{"product_id": cat["base"]["id"], "price": fixed_price("100.00")}], "Small"
        )
    )
    change = await applied(
        client,
        await client.post(f"/subscriptions/{sub['id']}/changes", json={"plan_id": small["id"]}),
    )
    assert [i["product_id"] for i in change["items"]] == [cat["base"]["id"]]
    assert (await client.get(f"/subscriptions/{sub['id']}")).json()["plan_id"] == small["id"]


async def test_changes_inside_a_bundle(client: httpx.AsyncClient) -> None:
    cat = await catalog(client)
    bundle = await created(await client.post("/bundles", json={"name": "Add-ons"}))
    sub = await _bundle_subscription(client, cat, bundle["id"], auto_activate=True)
    url = f"/subscriptions/{sub['id']}/changes"
    grown = await applied(
        client,
        await client.post(
            url,
            json={
                "update": [
                    {
                        "bundle_id": bundle["id"],
                        "add_items": [
                            {
                                "product_id": cat["api"]["id"],
                                "new_price": unit_price(cat["metric"]["id"]),
                            }
                        ],
                    },
                    {
                        "bundle_id": bundle["id"],
                        "product_id": cat["base"]["id"],
                        "adjust": {"fixed_pricing_model": {"units": 4}},
                    },
                ]
            },
        ),
    )
    children = grown["items"][0]["items"]
    assert [c["product_id"] for c in children] == [cat["base"]["id"], cat["api"]["id"]]
    assert children[0]["price"]["fixed_pricing_model"]["total"] == "2000.00"
    shrunk = await applied(
        client,
        await client.post(
            url,
            json={
                "update": [
                    {"bundle_id": bundle["id"], "remove_items": [{"product_id": cat["base"]["id"]}]}
                ]
            },
        ),
    )
    assert [c["product_id"] for c in shrunk["items"][0]["items"]] == [cat["api"]["id"]]
    emptied = await client.post(url, json={"remove": [{"bundle_id": bundle["id"]}]})
    assert emptied.status_code == 422
    unnamed = await client.post(
        url,
        json={
            "update": [{"bundle_id": bundle["id"], "remove_items": [{"bundle_id": bundle["id"]}]}]
        },
    )
    assert unnamed.status_code == 422
