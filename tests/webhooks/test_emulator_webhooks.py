"""The emulator's webhooks: which events, signed how, delivered to whom, and retried when.

Delivery is on demand here (``POST /_emulator/webhooks/deliver``, or moving the clock), so
every test is deterministic; test_background.py covers the background sender.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from reconciler.webhooks import verify
from tests.emulator.factory import active_subscription, catalog, plan_subscription
from tests.webhooks.conftest import API_KEY, HOOK_URL, Hooks


def _payload(request: httpx.Request) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(request.content)
    return payload


async def test_activation_is_delivered_signed_with_both_schemes(hooks: Hooks) -> None:
    cat = await catalog(hooks.api)
    sub = await active_subscription(hooks.api, cat)
    assert hooks.receiver.received == []  # on demand: nothing sent before asked
    [attempt] = await hooks.deliver()
    assert attempt["outcome"] == "succeeded" and attempt["attempt"] == 1
    [request] = hooks.receiver.received
    assert str(request.url) == HOOK_URL
    hook = verify(request.content, request.headers, hooks.secret, scheme="both")
    assert hook.type == "subscription.activated"
    assert hook.id == request.headers["webhook-id"] == attempt["message_id"]
    assert hook.id.startswith("msg_")
    assert hook.timestamp == "2026-04-01T10:00:00Z"  # the event's time: the emulator clock
    assert hook.data == {
        "id": sub["id"],
        "accountId": cat["customer"]["id"],
        "name": "",  # unnamed: the SDK's SubscriptionPayload requires a string
        "status": "active",
        "currency": "USD",
        "planId": cat["plan"]["id"],
        "contractStartDate": "2026-04-01T00:00:00Z",
        "contractEndDate": None,
        "activatedAt": "2026-04-01T10:00:00Z",
        "canceledAt": None,
        "metadata": {},
        "createdAt": "2026-04-01T10:00:00Z",
        "updatedAt": "2026-04-01T10:00:00Z",
    }
    assert request.headers["content-type"] == "application/json"


async def test_a_second_activation_and_a_replay_emit_nothing(hooks: Hooks) -> None:
    cat = await catalog(hooks.api)
    sub = await plan_subscription(hooks.api, cat["plan"]["id"])
    key = {"Idempotency-Key": "activate-once"}
    for _ in range(2):
        response = await hooks.api.post(f"/subscriptions/{sub['id']}/activate", headers=key)
        assert response.status_code == 200
    await hooks.api.post(f"/subscriptions/{sub['id']}/activate")  # already active
    assert [m["type"] for m in await hooks.messages()] == ["subscription.activated"]


async def test_a_refused_request_emits_nothing(hooks: Hooks) -> None:
    cat = await catalog(hooks.api)
    sub = await active_subscription(hooks.api, cat)
    refused = await hooks.api.post(
        f"/subscriptions/{sub['id']}/cancel", json={"reason": "not-a-reason"}
    )
    assert refused.status_code == 422
    assert [m["type"] for m in await hooks.messages()] == ["subscription.activated"]


async def test_lifecycle_events(hooks: Hooks) -> None:
    cat = await catalog(hooks.api)
    sub = await active_subscription(hooks.api, cat)
    patched = await hooks.api.patch(
        f"/subscriptions/{sub['id']}", json={"metadata": {"team": "growth"}}
    )
    assert patched.status_code == 200
    change = await hooks.api.post(
        f"/subscriptions/{sub['id']}/changes",
        json={"update": [{"product_id": cat["base"]["id"], "adjust": {"trial_period_days": 7}}]},
    )
    assert change.status_code == 201, change.text
    canceled = await hooks.api.post(f"/subscriptions/{sub['id']}/cancel", json={"reason": "other"})
    assert canceled.status_code == 200
    await hooks.deliver()
    assert hooks.receiver.types() == [
        "subscription.activated",
        "subscription.updated",
        "subscription.version.updated",
        "subscription.canceled",
    ]
    updated, version, ended = (_payload(r)["data"] for r in hooks.receiver.received[1:])
    assert updated["metadata"] == {"team": "growth"}
    assert version["id"] == change.json()["version_id"] and version["subscriptionId"] == sub["id"]
    assert version["status"] == "published"
    assert ended["status"] == "canceled" and ended["canceledAt"] == "2026-04-01T10:00:00Z"


async def test_versions_created_edited_and_published_are_version_updates(hooks: Hooks) -> None:
    cat = await catalog(hooks.api)
    sub = await active_subscription(hooks.api, cat)
    items = [{"product_id": cat["base"]["id"], "price": cat["plan"]["items"][0]["price"]}]
    draft = await hooks.api.post(
        f"/subscriptions/{sub['id']}/versions", json={"items": items, "draft": True}
    )
    assert draft.status_code == 201, draft.text
    vid = draft.json()["id"]
    path = f"/subscriptions/{sub['id']}/versions/{vid}"
    replaced = await hooks.api.put(path, json={"items": items, "description": "v2"})
    assert replaced.status_code == 200
    assert (await hooks.api.post(f"{path}/publish")).status_code == 200
    types = [m["type"] for m in await hooks.messages()]
    assert types == ["subscription.activated"] + ["subscription.version.updated"] * 3
    statuses = [m["payload"]["data"]["status"] for m in (await hooks.messages())[1:]]
    assert statuses == ["draft", "draft", "published"]


async def test_a_future_cancellation_is_scheduled_then_delivered_when_due(hooks: Hooks) -> None:
    cat = await catalog(hooks.api)
    sub = await active_subscription(hooks.api, cat)
    response = await hooks.api.post(
        f"/subscriptions/{sub['id']}/cancel", json={"reason": "pricing", "effective": "2026-04-10"}
    )
    assert response.status_code == 200
    await hooks.deliver()
    assert hooks.receiver.types() == [
        "subscription.activated",
        "subscription.cancelation_scheduled",
    ]
    await hooks.advance(8 * 86_400)  # 2026-04-09T10:00Z: not yet
    assert len(hooks.receiver.received) == 2
    await hooks.advance(86_400)  # past 2026-04-10T00:00Z: moving the clock delivers it
    assert hooks.receiver.types()[-1] == "subscription.canceled"
    canceled = _payload(hooks.receiver.received[-1])
    assert canceled["timestamp"] == "2026-04-10T00:00:00Z"
    assert canceled["data"]["status"] == "canceled"


async def test_the_retry_schedule_runs_on_the_emulator_clock(hooks: Hooks) -> None:
    """Immediately, then 5 min, 30 min, 2 h and 24 h after each failure; then given up."""
    hooks.receiver.default = 503
    cat = await catalog(hooks.api)
    await active_subscription(hooks.api, cat)
    [first] = await hooks.deliver()
    assert (first["attempt"], first["status"], first["outcome"]) == (1, 503, "retrying")
    assert first["next_attempt_at"] == "2026-04-01T10:05:00Z"
    gaps = [300, 1800, 7200, 86_400]
    for number, gap in enumerate(gaps, start=2):
        await hooks.advance(gap - 1)
        assert len(hooks.receiver.received) == number - 1, "sent before it was due"
        await hooks.advance(1)
        assert len(hooks.receiver.received) == number, f"attempt {number} not sent when due"
    await hooks.advance(7 * 86_400)
    assert len(hooks.receiver.received) == 5
    [delivery] = await hooks.deliveries()
    assert delivery["state"] == "failed" and delivery["next_attempt_at"] is None
    assert [a["at"] for a in delivery["attempts"]] == [
        "2026-04-01T10:00:00Z",
        "2026-04-01T10:05:00Z",
        "2026-04-01T10:35:00Z",
        "2026-04-01T12:35:00Z",
        "2026-04-02T12:35:00Z",
    ]
    assert {a["status"] for a in delivery["attempts"]} == {503}
    ids = {r.headers["webhook-id"] for r in hooks.receiver.received}
    assert ids == {delivery["message_id"]}  # one message id across retries
    for request in hooks.receiver.received:  # every attempt is freshly signed and verifies
        verify(request.content, request.headers, hooks.secret, scheme="both")


async def test_a_success_ends_the_retries(hooks: Hooks) -> None:
    hooks.receiver.statuses = [500, 404]
    cat = await catalog(hooks.api)
    await active_subscription(hooks.api, cat)
    await hooks.deliver()
    await hooks.advance(300)
    await hooks.advance(1800)
    await hooks.advance(86_400 * 3)
    [delivery] = await hooks.deliveries()
    assert [a["status"] for a in delivery["attempts"]] == [500, 404, 200]
    assert delivery["state"] == "succeeded"


async def test_an_unreachable_endpoint_is_retried(hooks: Hooks) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    hooks.app.state.emulator.webhooks.transport = httpx.MockTransport(refuse)
    cat = await catalog(hooks.api)
    await active_subscription(hooks.api, cat)
    [attempt] = await hooks.deliver()
    assert attempt["status"] is None and attempt["error"] == "no response (ConnectError)"
    assert attempt["outcome"] == "retrying"


async def test_endpoints_receive_their_accounts_and_types_only(hooks: Hooks) -> None:
    other = {"Authorization": "Bearer sk_test_other", "Alguna-Version": "2026-04-01"}
    canceled_only = await hooks.control.post(
        "/webhooks/endpoints",
        json={"url": "http://app.test/canceled", "event_types": ["subscription.cancel*"]},
        headers={"Authorization": f"Bearer {API_KEY}"},
    )
    everything = await hooks.control.post(
        "/webhooks/endpoints", json={"url": "http://app.test/all"}
    )
    assert canceled_only.status_code == everything.status_code == 201
    assert everything.json()["all_accounts"] is True
    cat = await catalog(hooks.api)
    sub = await active_subscription(hooks.api, cat)
    await hooks.api.post(f"/subscriptions/{sub['id']}/cancel", json={"reason": "other"})
    async with httpx.AsyncClient(
        transport=hooks.api._transport, base_url="http://emulator", headers=other
    ) as second:
        await active_subscription(second, await catalog(second))
    await hooks.deliver()
    by_url: dict[str, list[str]] = {}
    for request in hooks.receiver.received:
        by_url.setdefault(str(request.url), []).append(_payload(request)["type"])
    assert by_url[HOOK_URL] == ["subscription.activated", "subscription.canceled"]
    assert by_url["http://app.test/canceled"] == ["subscription.canceled"]
    assert sorted(by_url["http://app.test/all"]) == [
        "subscription.activated",
        "subscription.activated",
        "subscription.canceled",
    ]


async def test_secrets_are_shown_once_and_never_listed(hooks: Hooks) -> None:
    listed = (await hooks.control.get("/webhooks/endpoints")).json()
    assert hooks.secret.startswith("whsec_")
    assert hooks.secret not in json.dumps(listed)
    assert listed[0]["secrets"] == 1
    given = await hooks.control.post(
        "/webhooks/endpoints", json={"url": "http://x.test/", "secret": hooks.secret}
    )
    assert given.json()["secret"] is None  # a secret the caller chose is not echoed


async def test_a_bad_secret_is_refused_without_being_echoed(hooks: Hooks) -> None:
    bad = "whsec_this is not base64 at all"
    response = await hooks.control.post(
        "/webhooks/endpoints", json={"url": "http://x.test/", "secret": bad}
    )
    assert response.status_code == 422
    assert "this is not base64" not in response.text


async def test_rotation_signs_with_both_secrets_for_24_hours(hooks: Hooks) -> None:
    old = hooks.secret
    rotated = await hooks.control.post(f"/webhooks/endpoints/{hooks.endpoint['id']}/rotate")
    assert rotated.status_code == 200
    new = rotated.json()["secret"]
    assert rotated.json()["endpoint"]["secrets"] == 2
    cat = await catalog(hooks.api)
    await active_subscription(hooks.api, cat)
    await hooks.deliver()
    request = hooks.receiver.received[-1]
    assert len(request.headers["webhook-signature"].split()) == 2
    verify(request.content, request.headers, old)
    verify(request.content, request.headers, [new], scheme="both")
    await hooks.advance(86_400 + 1)
    await hooks.api.post("/customers", json={"name": "B", "currency": "USD"})  # no event
    sub = (await hooks.api.get("/subscriptions")).json()["data"][0]
    await hooks.api.post(f"/subscriptions/{sub['id']}/cancel", json={"reason": "other"})
    await hooks.deliver()
    request = hooks.receiver.received[-1]
    assert len(request.headers["webhook-signature"].split()) == 1
    verify(request.content, request.headers, new, scheme="both")


async def test_removing_an_endpoint_cancels_its_pending_deliveries(hooks: Hooks) -> None:
    hooks.receiver.default = 500
    await active_subscription(hooks.api, await catalog(hooks.api))
    await hooks.deliver()
    removed = await hooks.control.delete(f"/webhooks/endpoints/{hooks.endpoint['id']}")
    assert removed.status_code == 204
    await hooks.advance(86_400)
    assert len(hooks.receiver.received) == 1
    [delivery] = await hooks.deliveries()
    assert delivery["state"] == "canceled"
    missing = await hooks.control.delete(f"/webhooks/endpoints/{hooks.endpoint['id']}")
    assert missing.status_code == 404


async def test_reset_forgets_events_but_keeps_endpoints(hooks: Hooks) -> None:
    await active_subscription(hooks.api, await catalog(hooks.api))
    assert (await hooks.control.post("/reset")).status_code == 200
    assert await hooks.messages() == []
    assert await hooks.deliver() == []
    assert len((await hooks.control.get("/webhooks/endpoints")).json()) == 1


async def test_trigger_sends_event_types_the_emulator_does_not_model(hooks: Hooks) -> None:
    data = {"id": "inv_1", "accountId": "wcqYrqfE", "status": "paid", "total": "49.00"}
    made = await hooks.control.post(
        "/webhooks/trigger", json={"type": "invoice.paid", "data": data, "api_key": API_KEY}
    )
    assert made.status_code == 201, made.text
    await hooks.deliver()
    hook = verify(
        hooks.receiver.received[0].content, hooks.receiver.received[0].headers, hooks.secret
    )
    assert (hook.type, hook.data, hook.id) == ("invoice.paid", data, made.json()["id"])
    anonymous = await hooks.control.post("/webhooks/trigger", json={"type": "invoice.paid"})
    assert anonymous.status_code == 400


async def test_sync_makes_a_sources_endpoints_exactly_the_given_ones(hooks: Hooks) -> None:
    auth = {"Authorization": f"Bearer {API_KEY}"}
    secret = "whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldY"
    first = {"url": "http://a.test/", "secret": secret, "event_types": ["subscription.*"]}
    second = {"url": "http://b.test/", "secret": secret}
    body = {"source": "billing.toml", "endpoints": [first, second]}
    made = await hooks.control.put("/webhooks/endpoints", json=body, headers=auth)
    assert made.status_code == 200, made.text
    again = await hooks.control.put(
        "/webhooks/endpoints", json={**body, "endpoints": [first]}, headers=auth
    )
    assert [e["id"] for e in again.json()] == [made.json()[0]["id"]]  # kept, not re-made
    listed = (await hooks.control.get("/webhooks/endpoints", headers=auth)).json()
    assert sorted(e["url"] for e in listed) == ["http://a.test/", HOOK_URL]


async def test_the_delivery_timeout_counts_as_a_failure(hooks: Hooks) -> None:
    from tests.webhooks.receivers import socket_receiver

    hooks.app.state.emulator.webhooks.transport = None
    settings = await hooks.control.patch("/webhooks/settings", json={"timeout_seconds": 0.2})
    assert settings.json() == {"delivery": "on_demand", "timeout_seconds": 0.2}
    with socket_receiver(delay=1.0) as slow:
        await hooks.control.put(
            "/webhooks/endpoints",
            json={"source": "t", "endpoints": [{"url": slow.url, "secret": hooks.secret}]},
            headers={"Authorization": f"Bearer {API_KEY}"},
        )
        await hooks.control.delete(f"/webhooks/endpoints/{hooks.endpoint['id']}")
        await active_subscription(hooks.api, await catalog(hooks.api))
        [attempt] = await hooks.deliver()
    assert attempt["error"] == "timed out after 0.2 s"
    assert attempt["outcome"] == "retrying"
