"""Background delivery: API requests never wait for a webhook, and a second emulator on the
same data file (an embedded `billing listen`) delivers what another process recorded."""

from __future__ import annotations

import time
from pathlib import Path

from fastapi import FastAPI

from alguna_emulator import create_app, emulator_transport
from reconciler.webhooks import verify
from tests.emulator.clients import api_client, control_client
from tests.emulator.factory import active_subscription, catalog
from tests.webhooks.conftest import API_KEY, START
from tests.webhooks.receivers import socket_receiver


async def _register(app: FastAPI, url: str) -> str:
    async with control_client(emulator_transport(app)) as control:
        made = await control.post("/webhooks/endpoints", json={"url": url, "api_key": API_KEY})
        assert made.status_code == 201
        return str(made.json()["secret"])


async def test_a_slow_endpoint_does_not_slow_the_api() -> None:
    """The endpoint holds the delivery until the test releases it: the API calls that
    caused it return while it is still unanswered. An API that waited for the webhook
    could return only once it was answered (after the release, below) or its sender
    gave up (the delivery timeout, 15 s): an order of events and a bound no load can
    cross the wrong way."""
    app = create_app(clock_start=START, webhook_delivery="background")
    timeout = app.state.emulator.webhooks.settings.timeout_seconds
    try:
        with socket_receiver(hold=True) as slow:
            secret = await _register(app, slow.url)
            async with api_client(emulator_transport(app)) as api:
                cat = await catalog(api)
                started = time.monotonic()
                await active_subscription(api, cat)
                await api.get("/subscriptions")
                elapsed = time.monotonic() - started
                answered_before_return = slow.answered.is_set()
                assert slow.arrived.wait(5), "the background sender did not deliver"
            assert not answered_before_return, "the API waited for the webhook's answer"
            assert elapsed < timeout, f"the API waited for the webhook ({elapsed:.2f} s)"
            slow.release.set()
            assert slow.answered.wait(5)
            [received] = slow.wait(1)
            hook = verify(received.body, received.headers, secret, scheme="both")
            assert hook.type == "subscription.activated"
    finally:
        app.state.emulator.webhooks.stop()


async def test_another_emulator_on_the_same_file_delivers_recorded_events(
    tmp_path: Path,
) -> None:
    db = str(tmp_path / "local.db")
    writer = create_app(db_path=db, clock_start=START)  # a short-lived `billing apply`
    listener = create_app(db_path=db, clock_start=START, webhook_delivery="background")
    try:
        with socket_receiver() as receiver:
            secret = await _register(listener, receiver.url)
            async with api_client(emulator_transport(writer)) as api:
                await active_subscription(api, await catalog(api))
            [received] = receiver.wait(1, timeout=5)
            assert verify(received.body, received.headers, secret).type == (
                "subscription.activated"
            )
    finally:
        listener.state.emulator.webhooks.stop()
        for app in (writer, listener):
            app.state.emulator.store.close()
