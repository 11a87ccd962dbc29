"""Fixtures: an in-process emulator whose webhooks go to a recording receiver."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from alguna_emulator import create_app, emulator_transport
from tests.emulator.clients import api_client, control_client
from tests.webhooks.receivers import Recorder

START = datetime(2026, 4, 1, 10, 0, tzinfo=UTC)
HOOK_URL = "http://app.test/webhooks/alguna"


@dataclass
class Hooks:
    """An emulator (on-demand delivery, clock frozen at START), its API and control
    clients, a recording receiver, and one endpoint registered for the API's account."""

    app: FastAPI
    api: httpx.AsyncClient
    control: httpx.AsyncClient
    receiver: Recorder
    endpoint: dict[str, Any]

    @property
    def secret(self) -> str:
        return str(self.endpoint["secret"])

    async def deliver(self) -> list[dict[str, Any]]:
        response = await self.control.post("/webhooks/deliver")
        assert response.status_code == 200, response.text
        attempts: list[dict[str, Any]] = response.json()["attempts"]
        return attempts

    async def advance(self, seconds: float) -> None:
        response = await self.control.post("/clock/advance", json={"seconds": seconds})
        assert response.status_code == 200, response.text

    async def deliveries(self, **params: str) -> list[dict[str, Any]]:
        response = await self.control.get("/webhooks/deliveries", params=params)
        assert response.status_code == 200, response.text
        found: list[dict[str, Any]] = response.json()
        return found

    async def messages(self) -> list[dict[str, Any]]:
        response = await self.control.get("/webhooks/messages", headers=BEARER)
        found: list[dict[str, Any]] = response.json()
        return found


API_KEY = "sk_test_emulator"
# The control API takes the account from a bearer key (kept out of URLs and access logs).
BEARER = {"Authorization": f"Bearer {API_KEY}"}


@pytest.fixture
def app() -> FastAPI:
    return create_app(clock_start=START)


@pytest.fixture
async def hooks(app: FastAPI) -> AsyncIterator[Hooks]:
    receiver = Recorder()
    app.state.emulator.webhooks.transport = receiver.transport
    async with (
        api_client(emulator_transport(app)) as api,
        control_client(emulator_transport(app)) as control,
    ):
        made = await control.post("/webhooks/endpoints", json={"url": HOOK_URL, "api_key": API_KEY})
        assert made.status_code == 201, made.text
        yield Hooks(app, api, control, receiver, made.json())
