"""Assembling an emulator: storage, clock, settings, the request pipeline and the routes.

Owns create_app and the order of the pipeline stages (see the pipeline package). Must not
implement API behaviour itself.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import FastAPI

from .clock import Clock
from .config import RateLimits, Settings, rate_limits_from
from .control import router as control_router
from .errors import install_error_handlers
from .invoicing import routes as invoices
from .pipeline.edge import Edge
from .pipeline.faults import Faults
from .pipeline.gate import Gate
from .pipeline.idempotency import Idempotency
from .pipeline.ratelimit import RateLimit
from .pipeline.requestlog import Recorder
from .resources import (
    billing_dates,
    bundles,
    changes,
    credits,
    customers,
    entitlements,
    events,
    merchants,
    metrics,
    payments,
    plans,
    products,
    subscriptions,
    versions,
    wallets,
)
from .runtime import Runtime
from .store import Store
from .usage import router as usage_router
from .webhooks.dispatcher import DeliveryMode
from .webhooks.routes import router as webhooks_router

_RESOURCES = (
    metrics,
    products,
    plans,
    bundles,
    customers,
    subscriptions,
    billing_dates,
    versions,
    changes,
    entitlements,
    events,
    merchants,
    wallets,
    credits,
    invoices,
    payments,
)


def create_app(
    *,
    db_path: str | None = None,
    rate_limits: bool | RateLimits = False,
    latency_ms: float = 0.0,
    clock_start: datetime | None = None,
    webhook_delivery: DeliveryMode = "on_demand",
) -> FastAPI:
    """A FastAPI app emulating the Alguna API v2 (``Alguna-Version: 2026-04-01``).

    db_path: a SQLite file (created with its folder on first use, kept across restarts), or
        None for an in-memory database that lives as long as the app.
    rate_limits: False (default) for none; True for the documented limits (100/s standard,
        10/s bulk, 1000 events/s); or a RateLimits to scale or tune them.
    latency_ms: artificial latency added to every API request (e.g. 50 for benchmarks).
    clock_start: freeze the emulator clock at this moment (None: real time); the control API
        can move it later.
    webhook_delivery: "on_demand" (default: webhooks are sent only when the control API
        asks, deterministic for tests) or "background" (a daemon thread sends them as they
        come due; call ``app.state.emulator.webhooks.stop()`` when done with the app).
    """
    runtime = Runtime(
        store=Store(db_path),
        clock=Clock(clock_start),
        settings=Settings(rate_limits=rate_limits_from(rate_limits), latency_ms=latency_ms),
    )
    app = FastAPI(
        title="Alguna API emulator",
        version="2026-04-01",
        description="A local, stateful stand-in for the Alguna API v2. See "
        "docs/api-compatibility.md for what is documented and what is assumed.",
    )
    app.state.emulator = runtime
    install_error_handlers(app)
    for module in _RESOURCES:
        app.include_router(module.router)
    app.include_router(control_router)
    app.include_router(webhooks_router)
    app.include_router(usage_router)
    app.include_router(payments.control_router)
    # add_middleware wraps: the last added is the outermost stage.
    app.add_middleware(Faults, book=runtime.faults, settings=runtime.settings)
    app.add_middleware(Idempotency, book=runtime.keys)
    app.add_middleware(RateLimit, limiter=runtime.limiter, settings=runtime.settings)
    app.add_middleware(Gate)
    app.add_middleware(Edge)
    api_routes = [route for module in _RESOURCES for route in module.router.routes]
    app.add_middleware(Recorder, log=runtime.log, clock=runtime.clock, routes=api_routes)
    runtime.webhooks.configure(delivery=webhook_delivery)
    return app
