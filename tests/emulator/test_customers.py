"""Customers: aliases, lookup by alias, replace-list updates, filters; usage events."""

from __future__ import annotations

import httpx

from tests.emulator.factory import catalog, created, customer


async def test_customer_get_by_id_or_alias(client: httpx.AsyncClient) -> None:
    made = await customer(client, "acme")
    by_id = await client.get(f"/customers/{made['id']}")
    by_alias = await client.get("/customers/acme")
    assert by_id.json() == by_alias.json() == made
    assert (await client.get("/customers/unknown")).status_code == 404


async def test_contacts_get_ids_and_patch_replaces_lists(client: httpx.AsyncClient) -> None:
    made = await created(
        await client.post(
            "/customers",
            json={
                "name": "Acme",
                "currency": "USD",
                "aliases": ["a1", "a2"],
                "contacts": [{"email": "ann@acme.test", "first_name": "Ann", "is_primary": True}],
                "billing_address": {
                    "line1": "1 Main St",
                    "city": "Springfield",
                    "state": "IL",
                    "postal_code": "62701",
                    "country": "US",
                },
            },
        )
    )
    contact = made["contacts"][0]
    assert len(contact["id"]) == 8
    patched = (
        await client.patch(
            "/customers/a1",
            json={
                "aliases": ["a3"],
                "contacts": [contact, {"email": "bob@acme.test"}],
            },
        )
    ).json()
    assert patched["aliases"] == ["a3"]
    assert [c["email"] for c in patched["contacts"]] == ["ann@acme.test", "bob@acme.test"]
    assert patched["contacts"][0]["id"] == contact["id"]
    assert (await client.get("/customers/a1")).status_code == 404
    assert (await client.get("/customers/a3")).json()["id"] == made["id"]


async def test_alias_clash_is_409(client: httpx.AsyncClient) -> None:
    await customer(client, "acme")
    clash = await client.post(
        "/customers", json={"name": "B", "currency": "USD", "aliases": ["acme"]}
    )
    assert clash.status_code == 409
    assert "acme" in clash.json()["detail"]


async def test_customer_list_filters(client: httpx.AsyncClient) -> None:
    cat = await catalog(client)
    other = await customer(client, "globex")
    by_alias = (await client.get("/customers", params={"alias": "globex"})).json()["data"]
    assert [c["id"] for c in by_alias] == [other["id"]]
    await client.post(
        "/subscriptions",
        json={"customer_id": "acme", "plan_id": cat["plan"]["id"], "auto_activate": True},
    )
    active = (await client.get("/customers", params={"has_active_subscriptions": "true"})).json()
    assert [c["id"] for c in active["data"]] == [cat["customer"]["id"]]


async def test_events_ingest_dedupe_and_failures(client: httpx.AsyncClient) -> None:
    made = await customer(client, "acme")
    events = [
        {
            "unique_id": "e1",
            "account": made["id"],
            "event_name": "api_call",
            "timestamp": "2026-04-01T09:00:00Z",
            "properties": {"region": "eu", "n": 3},
        },
        {"unique_id": "e2", "account": "acme", "event_name": "api_call"},
        {"unique_id": "e3", "account": "nobody", "event_name": "api_call"},
    ]
    first = await client.post("/events", json={"events": events})
    again = await client.post("/events", json={"events": events[:1]})
    assert first.status_code == 200
    # The SDK's IngestEventsResponse: `ingested` and `failed`, nothing about duplicates.
    assert first.json() == {"ingested": ["e1", "e2"], "failed": ["e3"]}
    assert again.json() == {"ingested": ["e1"], "failed": []}


async def test_events_batch_limit_is_400(client: httpx.AsyncClient) -> None:
    events = [{"unique_id": f"e{i}", "account": "x", "event_name": "n"} for i in range(101)]
    response = await client.post("/events", json={"events": events})
    assert response.status_code == 400
    assert "100" in response.json()["detail"]
