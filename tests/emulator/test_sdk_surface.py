"""The surface issue 15 added from the official SDK: customer lookup, entitlement reads,
product and draft-subscription delete, version create/replace as the SDK defines them, and
merchants. Each rule here is a row of docs/api-compatibility.md."""

from __future__ import annotations

import httpx

from tests.emulator.factory import (
    active_subscription,
    applied,
    catalog,
    created,
    fixed_price,
    fixed_product,
    plan_subscription,
    post_plan,
    stored_plan,
)

SEATS = {"entitlement_key": "seats", "type": "number", "mode": "static", "value": "5"}


async def test_customer_lookup_by_alias_or_id_and_404(client: httpx.AsyncClient) -> None:
    cat = await catalog(client)
    by_alias = await client.get("/customers/lookup", params={"alias": "acme"})
    by_id = await client.get("/customers/lookup", params={"alias": cat["customer"]["id"]})
    assert by_alias.json() == by_id.json() == {"customer_id": cat["customer"]["id"]}
    missing = await client.get("/customers/lookup", params={"alias": "nobody"})
    assert missing.status_code == 404
    assert (await client.get("/customers/lookup")).status_code in (400, 422)


async def test_entitlements_come_from_the_current_version_of_active_subscriptions(
    client: httpx.AsyncClient,
) -> None:
    cat = await catalog(client)
    items = cat["plan"]["items"]
    plan = await created(await post_plan(client, items, "Ent", entitlements=[SEATS]))
    draft = await plan_subscription(client, plan["id"])
    assert (await client.get(f"/subscriptions/{draft['id']}/entitlements")).json() == {"data": []}
    sub = await plan_subscription(client, plan["id"], auto_activate=True)
    [entry] = (await client.get(f"/subscriptions/{sub['id']}/entitlements")).json()["data"]
    assert entry["key"] == "seats" and entry["value"] == "5" and entry["type"] == "number"
    assert entry["subscription_id"] == sub["id"]
    assert entry["version_id"] == sub["current_version_id"]
    one = await client.get(f"/subscriptions/{sub['id']}/entitlements/seats")
    assert one.json() == entry
    assert (await client.get(f"/subscriptions/{sub['id']}/entitlements/sso")).status_code == 404
    for ref in ("acme", cat["customer"]["id"]):  # the draft subscription contributes nothing
        listed = (await client.get(f"/customers/{ref}/entitlements")).json()["data"]
        assert listed == [entry]
    # A new published version without entitlements takes them away.
    version = await applied(
        client,
        await client.post(
            f"/subscriptions/{sub['id']}/changes",
            json={"remove": [{"product_id": cat["api"]["id"]}]},
        ),
    )
    cleared = await client.post(
        f"/subscriptions/{sub['id']}/versions",
        json={"items": version["items"], "entitlements": []},
    )
    assert cleared.json()["status"] == "published"
    assert (await client.get(f"/subscriptions/{sub['id']}/entitlements")).json() == {"data": []}


async def test_product_delete_is_refused_while_an_active_subscription_uses_it(
    client: httpx.AsyncClient,
) -> None:
    cat = await catalog(client)
    await active_subscription(client, cat)
    refused = await client.delete(f"/products/{cat['base']['id']}")
    assert refused.status_code == 409 and "active subscription" in refused.json()["detail"]
    spare = await fixed_product(client, "Spare")
    assert (await client.delete(f"/products/{spare['id']}")).status_code == 204
    assert (await client.get(f"/products/{spare['id']}")).status_code == 404
    assert spare["id"] not in [p["id"] for p in (await client.get("/products")).json()["data"]]
    assert (await client.delete(f"/products/{spare['id']}")).status_code == 404


async def test_only_draft_subscriptions_can_be_deleted(client: httpx.AsyncClient) -> None:
    cat = await catalog(client)
    draft = await plan_subscription(client, cat["plan"]["id"])
    active = await active_subscription(client, cat)
    refused = await client.delete(f"/subscriptions/{active['id']}")
    assert refused.status_code == 409 and "cancel" in refused.json()["detail"]
    assert (await client.delete(f"/subscriptions/{draft['id']}")).status_code == 204
    assert (await client.get(f"/subscriptions/{draft['id']}")).status_code == 404
    assert (await client.get(f"/subscriptions/{draft['id']}/versions")).status_code == 404


async def test_version_create_publishes_unless_draft_and_replace_is_put(
    client: httpx.AsyncClient,
) -> None:
    cat = await catalog(client)
    sub = await active_subscription(client, cat)
    base = f"/subscriptions/{sub['id']}/versions"
    items = [{"product_id": cat["base"]["id"], "price": fixed_price("700.00")}]
    published = await created(await client.post(base, json={"items": items}))
    assert published["status"] == "published"
    draft = await created(await client.post(base, json={"items": items, "draft": True}))
    assert draft["status"] == "draft"
    assert (await client.patch(f"{base}/{draft['id']}", json={"items": items})).status_code == 405
    refused = await client.put(f"{base}/{draft['id']}", json={"description": "no items"})
    assert refused.status_code == 422
    kept = await client.put(f"{base}/{draft['id']}", json={"items": items, "entitlements": [SEATS]})
    # Answered in the SDK's EntitlementResponse shape: `key`, tagged with its version.
    assert kept.json()["entitlements"] == [
        {
            "key": "seats",
            "type": "number",
            "mode": "static",
            "value": "5",
            "allocation": None,
            "timing": None,
            "subscription_id": sub["id"],
            "version_id": draft["id"],
        }
    ]
    assert kept.json()["effective_at"] == draft["effective_at"]
    on_draft_sub = await plan_subscription(client, cat["plan"]["id"])
    stays = await client.post(
        f"/subscriptions/{on_draft_sub['id']}/versions", json={"items": items}
    )
    assert stays.json()["status"] == "draft"  # published when the subscription activates


async def test_plans_keep_their_items_for_subscriptions_but_never_show_them(
    client: httpx.AsyncClient,
) -> None:
    cat = await catalog(client)
    sub = await active_subscription(client, cat)
    current = (await client.get(f"/subscriptions/{sub['id']}/versions/current")).json()
    assert current["items"] == (await stored_plan(client, cat["plan"]["id"]))["items"]
    created_plan = await created(
        await post_plan(client, cat["plan"]["items"], "Read", trial_period_days=7)
    )
    assert "items" not in created_plan and "trial_period_days" not in created_plan


async def test_merchants_belong_to_the_account_of_the_key(client: httpx.AsyncClient) -> None:
    made = await created(
        await client.post("/merchants", json={"display_name": "Acme", "external_id": "acme"})
    )
    assert made["id"].startswith("mer_") and made["archived_at"] is None
    assert (await client.get(f"/merchants/{made['id']}")).json() == made
    listed = (await client.get("/merchants", params={"external_id": "acme"})).json()["data"]
    assert listed == [made]
    again = await client.post("/merchants", json={"display_name": "B", "external_id": "acme"})
    assert again.status_code == 409
    other = {"Authorization": "Bearer other.account", "Alguna-Version": "2026-04-01"}
    seen = await client.get(f"/merchants/{made['id']}", headers=other)
    assert seen.status_code == 404


async def test_required_response_fields_are_answered_when_never_set(
    client: httpx.AsyncClient,
) -> None:
    """The SDK's response types require them: "" and false, the collection method derived
    from auto_pay_invoices, the fee type's revenue allocation, a rolling contract."""
    cat = await catalog(client)
    assert cat["metric"]["aggregation"] == {"method": "count", "field": ""}
    assert (cat["base"]["description"], cat["base"]["revenue_allocation_method"]) == (
        "",
        "straight_line",
    )
    assert cat["api"]["revenue_allocation_method"] == "usage_based"
    sub = await plan_subscription(client, cat["plan"]["id"])
    assert sub["name"] == ""
    assert sub["billing"] == {
        "auto_issue_invoices": False,
        "auto_pay_invoices": False,
        "first_billing_date": None,
        "payment_collection_method": "manual",
        "payment_terms": None,
    }
    assert sub["renewal"]["auto_renew"] is False
    assert sub["contract"]["period_type"] == "monthly_rolling"
    assert sub["contract"]["end_date"] is None


async def test_nulls_stored_out_of_band_answer_as_the_required_values(
    client: httpx.AsyncClient, control: httpx.AsyncClient
) -> None:
    cat = await catalog(client)
    sub = await plan_subscription(client, cat["plan"]["id"], name="Main")
    edit = {
        "name": None,
        "contract": {"period_type": None},
        "billing": {"auto_issue_invoices": None},
        "renewal": {"auto_renew": None},
    }
    assert (await control.patch(f"/objects/subscription/{sub['id']}", json=edit)).is_success
    seen = (await client.get(f"/subscriptions/{sub['id']}")).json()
    assert (seen["name"], seen["contract"]["period_type"]) == ("", "monthly_rolling")
    assert (seen["billing"]["auto_issue_invoices"], seen["renewal"]["auto_renew"]) == (False, False)


async def test_the_collection_method_follows_auto_pay_unless_set(
    client: httpx.AsyncClient,
) -> None:
    cat = await catalog(client)
    sub = await plan_subscription(client, cat["plan"]["id"], billing={"auto_pay_invoices": True})
    assert sub["billing"]["payment_collection_method"] == "autopay"
    path = f"/subscriptions/{sub['id']}"
    manual = await client.patch(path, json={"billing": {"payment_collection_method": "manual"}})
    assert manual.status_code == 422  # "manual ... only allowed while auto_pay_invoices is false"
    assert "payment_collection_method" in manual.json()["detail"]
    external = await client.patch(path, json={"billing": {"payment_collection_method": "external"}})
    assert external.json()["billing"]["payment_collection_method"] == "external"
    cleared = await client.patch(path, json={"billing": {"auto_pay_invoices": None}})
    assert cleared.json()["billing"]["auto_pay_invoices"] is False  # null: back to the default
    refused = await client.post(
        "/subscriptions",
        json={
            "customer_id": "acme",
            "plan_id": cat["plan"]["id"],
            "billing": {"auto_pay_invoices": True, "payment_collection_method": "manual"},
        },
    )
    assert refused.status_code == 422
