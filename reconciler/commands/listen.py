"""`billing listen` as the CLI runs it: receive an environment's webhooks from the
emulator, verify them, hand them to the caller, and forward them, like the Stripe CLI's
`listen`.

How it works: a small HTTP server on 127.0.0.1 (a free port unless `port`) in this
process; an endpoint for it registered with the emulator through the control API (signed
with a fresh secret, or the one in `secret_env`); each delivery verified with
`reconciler.webhooks.verify` under both schemes, handed to the caller's `Listener`, and
forwarded to `forward_to` with its body and signature headers unchanged (the app's answer
is the emulator's answer, so a failing app sees the emulator's retries). The
environment's `[[environments.<env>.webhooks]]` from billing.toml are registered too
(they stay registered, as configuration). Ctrl-C unregisters the session's endpoint and
`listen` returns.

Environments: a `base_url` on this machine running `billing sandbox serve` (the server
delivers), or an embedded environment: then this process opens the environment's data
file with the emulator in background-delivery mode (`commands.embedded.transport_for`)
and delivers what other `billing` commands on that file emit (they only record events).
Real Alguna accounts have no endpoint API, so they are refused.

Never prints (the `Listener` does, from the server's threads) and never shows a secret.
httpx is not used here (it belongs to `api`): the control API is reached through
`HttpCore`, forwarding through the standard library.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import math
import os
import re
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

from reconciler.api import HttpCore, connection_for
from reconciler.api.errors import ApiNotFoundError
from reconciler.commands.embedded import transport_for
from reconciler.commands.interrupt import run_interruptible
from reconciler.commands.project import Project
from reconciler.errors import BillingError, EnvironmentSelectionError
from reconciler.settings import EnvironmentSettings
from reconciler.webhooks import VerifiedWebhook, WebhookVerificationError, generate_secret, verify

CONTROL = "/_emulator/webhooks"
FORWARD_TIMEOUT = 10.0
MAX_BODY = 5 * 1024 * 1024
_FORWARDED_HEADERS = (
    "content-type",
    "user-agent",
    "webhook-id",
    "webhook-timestamp",
    "webhook-signature",
    "x-webhook-signature",
)
_LOCAL_URL = re.compile(r"^http://(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?(/|$)")


class Listener(Protocol):
    """What the caller does with a session's events; called from the server's threads
    (`event`, `problem`) and from the session (`ready`)."""

    def ready(self, environment: str, receiver_url: str, endpoint_id: str) -> None:
        """The endpoint is registered: deliveries can arrive."""

    def event(self, hook: VerifiedWebhook, forwarded: int | None) -> None:
        """A verified delivery, with the forwarded app's status (None: not forwarded)."""

    def problem(self, message: str) -> None:
        """A delivery that was rejected, and why (never a secret)."""


@dataclass(frozen=True)
class ListenOptions:
    """`billing listen`'s options: `forward_to` (an http(s) URL), `event_types` (empty:
    all), `secret_env` (the variable holding the session's whsec_ secret; None: a fresh
    one), `port` (0: a free one)."""

    forward_to: str | None = None
    event_types: tuple[str, ...] = ()
    secret_env: str | None = None
    port: int = 0


@dataclass(frozen=True)
class _Session:
    forward_to: str | None
    secret: str


def _forward(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST the delivery on, unchanged; the app's status, or 502 when it cannot be reached."""
    wanted = {k: v for k, v in headers.items() if k.lower() in _FORWARDED_HEADERS}
    request = urllib.request.Request(url, data=body, headers=wanted, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=FORWARD_TIMEOUT) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except (urllib.error.URLError, TimeoutError, OSError):
        return 502


def _handler(options: _Session, listener: Listener) -> type[BaseHTTPRequestHandler]:
    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self._answer(413)
                return
            body = self.rfile.read(length)
            headers = {name: value for name, value in self.headers.items()}
            try:
                hook = verify(body, headers, options.secret, scheme="both")
            except WebhookVerificationError as exc:
                listener.problem(str(exc))
                self._answer(400)
                return
            forwarded = None
            if options.forward_to is not None:
                forwarded = _forward(options.forward_to, body, headers)
            listener.event(hook, forwarded)
            self._answer(forwarded or 200)

        def _answer(self, status: int) -> None:
            payload = json.dumps({"received": 200 <= status < 300}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the listener reports each delivery."""

    return Receiver


def _check_local(name: str, env: EnvironmentSettings) -> None:
    if env.embedded or _LOCAL_URL.match(env.base_url or ""):
        return
    raise EnvironmentSelectionError(
        f"environment {name!r} is not the emulator: billing listen works with an embedded"
        " environment or a base_url on this machine running billing sandbox serve (real"
        " Alguna endpoints are set up in the dashboard)"
    )


def _configured(env: EnvironmentSettings) -> list[dict[str, Any]]:
    """billing.toml's endpoints with their secrets read from the environment."""
    wanted = []
    for endpoint in env.webhooks:
        secret = os.environ.get(endpoint.secret_env, "").strip()
        if not secret:
            raise EnvironmentSelectionError(
                f"the webhook endpoint {endpoint.url} reads its secret from"
                f" ${endpoint.secret_env}, which is not set"
            )
        wanted.append(
            {
                "url": endpoint.url,
                "secret": secret,
                "event_types": endpoint.events,
                "description": endpoint.description,
            }
        )
    return wanted


async def _session(
    project: Project,
    name: str,
    receiver_url: str,
    session: _Session,
    event_types: list[str] | None,
    listener: Listener,
    stop: asyncio.Event,
) -> str:
    env = project.settings.environments[name]
    transport = transport_for(project, name, webhook_delivery="background")
    # Listening lasts until Ctrl-C: no command deadline, or unregistering would fail.
    connection = connection_for(name, env)
    unbounded = dataclasses.replace(connection.timeouts, command=math.inf)
    connection = dataclasses.replace(connection, timeouts=unbounded)
    async with HttpCore(connection, transport) as core:
        try:
            made = await core.request(
                "POST",
                f"{CONTROL}/endpoints",
                body={
                    "url": receiver_url,
                    "secret": session.secret,
                    "event_types": event_types,
                    "source": "billing listen",
                    "description": f"billing listen (pid {os.getpid()})",
                },
            )
        except ApiNotFoundError:
            raise EnvironmentSelectionError(
                f"environment {name!r} does not serve the emulator's control API:"
                " is billing sandbox serve running at its base_url?"
            ) from None
        endpoint_id = str(made["id"])
        await core.request(
            "PUT",
            f"{CONTROL}/endpoints",
            body={"source": "billing.toml", "endpoints": _configured(env)},
        )
        listener.ready(name, receiver_url, endpoint_id)
        try:
            await stop.wait()
        finally:
            # Already gone is fine (e.g. an in-memory emulator that restarted).
            with contextlib.suppress(ApiNotFoundError):
                await core.request("DELETE", f"{CONTROL}/endpoints/{endpoint_id}")
        return endpoint_id


def listen(project: Project, env: str | None, options: ListenOptions, listener: Listener) -> str:
    """Listen to environment `env` until Ctrl-C (module docstring); the id of the
    session's endpoint, unregistered by then. `BillingError` (nothing registered) for an
    environment that is not the emulator, a bad `forward_to`, an unset `secret_env` or a
    port that cannot be listened on."""
    name = project.environment(env)
    _check_local(name, project.settings.environments[name])
    forward_to = options.forward_to
    if forward_to is not None and not re.match(r"^https?://\S+$", forward_to):
        raise BillingError(f"--forward-to must be an http(s) URL, not {forward_to!r}")
    secret = generate_secret()
    if options.secret_env is not None:
        secret = os.environ.get(options.secret_env, "").strip()
        if not secret:
            raise BillingError(f"--secret-env: ${options.secret_env} is not set")
    session = _Session(forward_to=forward_to, secret=secret)
    port = options.port
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), _handler(session, listener))
    except OSError as exc:
        raise BillingError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}") from None
    server.daemon_threads = True
    receiver_url = f"http://127.0.0.1:{server.server_address[1]}/"
    serving = threading.Thread(target=server.serve_forever, name="billing-listen", daemon=True)
    serving.start()
    event_types = list(options.event_types) or None
    try:
        return run_interruptible(
            lambda stop: _session(
                project, name, receiver_url, session, event_types, listener, stop
            ),
            on_first_interrupt=lambda: None,
        )
    finally:
        server.shutdown()
        server.server_close()
