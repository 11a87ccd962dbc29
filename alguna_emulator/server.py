"""Serving the emulator over HTTP (``billing sandbox serve``) and resetting its database.

Owns the uvicorn setup (one access-log line per request, with the control API's
`api_key` query value redacted; clean exit on Ctrl-C) and the
socket side of an injected dropped connection: the drop marker from the app becomes an
aborted TCP connection, so an HTTP client sees the server disconnect without a response.
Must not contain API behaviour.
"""

from __future__ import annotations

import contextlib
import logging
import re
from typing import Any

import uvicorn
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .app import create_app
from .config import RateLimits
from .pipeline.scope import DROP_HEADER, DROP_VALUE
from .store import Store


class SocketDrops:
    """Outermost ASGI wrapper: abort the connection when the app asks for a drop."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        dropped = False

        async def guarded(message: Message) -> None:
            nonlocal dropped
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers", []))
                dropped = headers.get(DROP_HEADER.encode()) == DROP_VALUE.encode()
                if dropped:
                    _abort(send)
                    return
            if not dropped:
                await send(message)

        await self.app(scope, receive, guarded)


def _abort(send: Send) -> None:
    # uvicorn's send is a bound method of the request cycle, which owns the asyncio transport;
    # aborting it closes the socket with nothing written, as a crashed server would.
    cycle: Any = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is not None:
        transport.abort()
    if cycle is not None and hasattr(cycle, "disconnected"):
        cycle.disconnected = True


_API_KEY_PARAM = re.compile(r"((?:^|[?&])api_key=)[^&\s]*", re.IGNORECASE)


class RedactApiKeys(logging.Filter):
    """Hides the value of an `api_key` query parameter in uvicorn's access-log lines (the
    control API takes the account's key that way: `/_emulator/objects/...?api_key=`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                _API_KEY_PARAM.sub(r"\1[redacted]", arg) if isinstance(arg, str) else arg
                for arg in record.args
            )
        return True


def serve(
    host: str = "127.0.0.1",
    port: int = 8787,
    db_path: str | None = None,
    *,
    rate_limits: bool | RateLimits = False,
    latency_ms: float = 0.0,
) -> None:
    """Run the emulator over HTTP until Ctrl-C (blocking).

    db_path: a SQLite file (created on first use) or None for an in-memory database.
    rate_limits, latency_ms: as for create_app (True: the documented 100/10/1000 per second).
    Logs one line per request; Ctrl-C (SIGINT) stops it gracefully and returns normally.
    Webhooks are delivered in the background as they come due (webhooks.dispatcher).
    """
    emulator_app = create_app(
        db_path=db_path,
        rate_limits=rate_limits,
        latency_ms=latency_ms,
        webhook_delivery="background",
    )
    app = SocketDrops(emulator_app)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="info",
        access_log=True,
        timeout_graceful_shutdown=2,
        lifespan="off",
    )
    access = logging.getLogger("uvicorn.access")  # configured by uvicorn.Config above
    if not any(isinstance(f, RedactApiKeys) for f in access.filters):
        access.addFilter(RedactApiKeys())
    # uvicorn shuts down gracefully, then re-raises the captured Ctrl-C; the shutdown is done
    # by then, so Ctrl-C ends serve() normally instead of as a traceback.
    try:
        with contextlib.suppress(KeyboardInterrupt):
            uvicorn.Server(config).run()
    finally:
        # Stop the delivery thread before the interpreter does: a daemon thread still
        # polling at exit dies with a traceback in the log (seen under load).
        emulator_app.state.emulator.webhooks.stop()


def reset_database(db_path: str) -> None:
    """Empty an emulator database file (every account), creating it if it does not exist."""
    store = Store(db_path)
    try:
        store.reset()
    finally:
        store.close()
