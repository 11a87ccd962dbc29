"""The client under test wired to a fresh in-process emulator, plus its control API.

Everything goes through the real `HttpCore` into the real emulator app (httpx's ASGI
transport); the control API (`/_emulator/...`) is reached with a plain httpx client on
the same app. No part of our own code is replaced.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi import FastAPI
from pydantic import SecretStr

from alguna_emulator import RateLimits, create_app, emulator_transport
from reconciler.api import AlgunaReader, AlgunaWriter, Connection, HttpCore, RetryPolicy
from reconciler.api.connection import Timeouts
from reconciler.settings import RateLimits as ClientRateLimits

API_KEY = "sk_test_x"
START = datetime(2026, 4, 1, 10, 0, tzinfo=UTC)
# Fast retries: the suite measures behaviour, not patience.
FAST_RETRY = RetryPolicy(
    max_attempts=6, base_delay=0.002, max_delay=0.02, max_total=20.0, max_retry_after=5.0
)


@dataclass
class Emulated:
    app: FastAPI
    core: HttpCore
    reader: AlgunaReader
    writer: AlgunaWriter
    control: httpx.AsyncClient

    async def fault(self, **spec: Any) -> dict[str, Any]:
        response = await self.control.post("/faults", json=spec)
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    async def clear_faults(self) -> None:
        assert (await self.control.delete("/faults")).status_code == 204

    async def requests(self) -> list[dict[str, Any]]:
        """The emulator's request log (API requests only), oldest first."""
        response = await self.control.get("/requests", params={"limit": 10_000})
        assert response.status_code == 200, response.text
        entries: list[dict[str, Any]] = response.json()
        return entries

    async def counters(self) -> list[dict[str, Any]]:
        response = await self.control.get("/counters")
        assert response.status_code == 200, response.text
        rows: list[dict[str, Any]] = response.json()
        return rows

    async def count(self, method: str, route: str, status: int | None = None) -> int:
        """Requests the emulator counted for a route template (any status unless given)."""
        return sum(
            row["count"]
            for row in await self.counters()
            if row["method"] == method
            and row["route"] == route
            and (status is None or row["status"] == status)
        )

    async def total(self) -> int:
        return sum(row["count"] for row in await self.counters())

    async def clear_log(self) -> None:
        assert (await self.control.delete("/requests")).status_code == 204

    async def objects(self, kind: str) -> list[dict[str, Any]]:
        """Stored objects of a kind in our account, read out of band."""
        response = await self.control.get(f"/objects/{kind}", params={"api_key": API_KEY})
        assert response.status_code == 200, response.text
        data: list[dict[str, Any]] = response.json()["data"]
        return data


@asynccontextmanager
async def emulated(
    *,
    retry: RetryPolicy = FAST_RETRY,
    api_key: str = API_KEY,
    client_limits: ClientRateLimits | None = None,
    rate_limits: bool | RateLimits = False,
    latency_ms: float = 0.0,
    clock_start: datetime | None = START,
    timeouts: Timeouts | None = None,
    db_path: str | None = None,
) -> AsyncIterator[Emulated]:
    """A fresh emulator (in memory unless `db_path`) and a client of it (its own
    account: `api_key`)."""
    app = create_app(
        db_path=db_path, rate_limits=rate_limits, latency_ms=latency_ms, clock_start=clock_start
    )
    connection = Connection(
        base_url="http://emulator.invalid",
        api_key=SecretStr(api_key),
        retry=retry,
        timeouts=timeouts or Timeouts(),
        **({"rate_limits": client_limits} if client_limits is not None else {}),
    )
    core = HttpCore(connection, transport=emulator_transport(app))
    control = httpx.AsyncClient(
        transport=emulator_transport(app), base_url="http://emulator.invalid/_emulator"
    )
    try:
        yield Emulated(app, core, AlgunaReader(core), AlgunaWriter(core), control)
    finally:
        await control.aclose()
        await core.aclose()
