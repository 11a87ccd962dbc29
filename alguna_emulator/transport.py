"""An httpx transport to an in-process emulator (the embedded ``local`` environment, tests).

Owns what an in-process client sees where a socket client would see the network: a request
whose connection an injected fault dropped raises ``httpx.RemoteProtocolError`` ("Server
disconnected without sending a response."), exactly as over a real socket; and the client's
read timeout is enforced (ASGITransport alone ignores timeouts), raising ``httpx.ReadTimeout``
and cancelling the request inside the app. Must not change responses otherwise.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

import httpx
from fastapi import FastAPI

from .app import create_app
from .config import RateLimits
from .pipeline.scope import DROP_HEADER, DROP_VALUE
from .webhooks.dispatcher import DeliveryMode


class EmulatorTransport(httpx.AsyncBaseTransport):
    """httpx.ASGITransport plus network-like failures."""

    def __init__(self, app: FastAPI, *, owns_app: bool = False) -> None:
        self.app = app
        self._owns_app = owns_app
        self._inner = httpx.ASGITransport(app=app, raise_app_exceptions=False)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeouts = request.extensions.get("timeout", {})
        read_timeout = timeouts.get("read") if isinstance(timeouts, dict) else None
        try:
            response = await asyncio.wait_for(
                self._inner.handle_async_request(request), read_timeout
            )
        except TimeoutError:
            raise httpx.ReadTimeout("emulator did not answer in time", request=request) from None
        if response.headers.get(DROP_HEADER) == DROP_VALUE:
            await response.aclose()
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            )
        return response

    async def aclose(self) -> None:
        """Close; an app this transport created also closes its database connection."""
        await self._inner.aclose()
        if self._owns_app:
            self.app.state.emulator.webhooks.stop()
            self.app.state.emulator.store.close()


def emulator_transport(
    app: FastAPI | None = None,
    *,
    db_path: str | None = None,
    rate_limits: bool | RateLimits = False,
    latency_ms: float = 0.0,
    clock_start: datetime | None = None,
    webhook_delivery: DeliveryMode = "on_demand",
) -> EmulatorTransport:
    """An httpx async transport to an in-process emulator.

    Pass an existing ``app`` (from create_app) to share it, e.g. to reach its control API from
    a test; otherwise a new app is made with the same options as create_app, and closing the
    transport (or the client using it) closes that app's database. For the embedded ``local``
    environment use ``db_path=".billing/local.db"``. ``webhook_delivery="background"``
    sends webhooks from a thread as they come due (``billing listen`` on an embedded
    environment); closing the transport stops it.
    """
    if app is not None:
        return EmulatorTransport(app)
    created = create_app(
        db_path=db_path,
        rate_limits=rate_limits,
        latency_ms=latency_ms,
        clock_start=clock_start,
        webhook_delivery=webhook_delivery,
    )
    return EmulatorTransport(created, owns_app=True)
