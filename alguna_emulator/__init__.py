"""A faithful local Alguna API v2: the emulator, embedded in-process or served over HTTP.

This package imports nothing from the rest of ``reconciler``. Its public surface:

- ``create_app(*, db_path=None, rate_limits=False, latency_ms=0.0, clock_start=None,
  webhook_delivery="on_demand")`` -> FastAPI: the emulated API plus the control API under
  ``/_emulator/``.
- ``emulator_transport(app=None, *, db_path=None, rate_limits=False, latency_ms=0.0,
  clock_start=None, webhook_delivery="on_demand")`` -> EmulatorTransport (an
  httpx.AsyncBaseTransport): in-process access (the ``local`` environment uses
  ``db_path=".billing/local.db"``). Injected dropped connections raise
  ``httpx.RemoteProtocolError``; client read timeouts raise ``httpx.ReadTimeout``.
- ``serve(host="127.0.0.1", port=8787, db_path=None, *, rate_limits=False,
  latency_ms=0.0)``: blocking uvicorn server (webhooks delivered in the background).
- ``reset_database(db_path)``: empty a database file.
- ``RateLimits``: rate-limit configuration (``enabled``, ``standard``, ``bulk``, ``events``,
  ``scale``).

The control API (reset, clock, faults, out-of-band edits, request log, settings, webhook
endpoints and deliveries, usage aggregation) lives under ``/_emulator/``. Behaviour, and
which parts are documented by Alguna or assumed:
docs/api-compatibility.md.
"""

from .app import create_app
from .config import RateLimits
from .server import reset_database, serve
from .transport import EmulatorTransport, emulator_transport

__all__ = [
    "EmulatorTransport",
    "RateLimits",
    "create_app",
    "emulator_transport",
    "reset_database",
    "serve",
]
