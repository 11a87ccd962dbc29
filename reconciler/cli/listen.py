"""`billing listen`: receive an environment's webhooks from the emulator, verify, print or
forward them, like the Stripe CLI's `listen`.

How it works: a small HTTP server on 127.0.0.1 (a free port unless `--port`) in this
process; an endpoint for it registered with the emulator through the control API (signed
with a fresh secret, or the one in `--secret-env`); each delivery verified with
`reconciler.webhooks.verify` under both schemes, then printed, and forwarded to
`--forward-to` with its body and signature headers unchanged (the app's answer is the
emulator's answer, so a failing app sees the emulator's retries). The environment's
`[[environments.<env>.webhooks]]` from billing.toml are registered too (they stay
registered, as configuration). Ctrl-C unregisters the session's endpoint and exits 0.

Environments: a `base_url` on this machine running `billing sandbox serve` (the server
delivers), or an embedded environment: then this process opens the environment's data file
with the emulator in background-delivery mode and delivers what other `billing` commands
on that file emit (they only record events). Real Alguna accounts have no endpoint API, so
they are refused.

Never prints a secret. httpx is not used here (it belongs to `api`): the control API is
reached through `HttpCore`, forwarding through the standard library.
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
from typing import Any

import click

from reconciler.api import HttpCore, connection_for
from reconciler.api.errors import ApiNotFoundError
from reconciler.cli.common import Context, env_option, guarded
from reconciler.cli.targets import run_interruptible
from reconciler.commands.embedded import require_sandbox
from reconciler.commands.project import Project
from reconciler.errors import BillingError, EnvironmentSelectionError
from reconciler.report.listen_output import rejected_line, webhook_line
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


@dataclass(frozen=True)
class Options:
    forward_to: str | None
    fmt: str
    secret: str


class Printer:
    """Writes `reconciler.report.listen_output`'s lines, whole lines from any thread."""

    def __init__(self, fmt: str) -> None:
        self.fmt = fmt
        self._lock = threading.Lock()

    def event(self, hook: VerifiedWebhook, forwarded: int | None) -> None:
        line = webhook_line(hook, forwarded, self.fmt)
        with self._lock:
            click.echo(line)

    def problem(self, message: str) -> None:
        with self._lock:
            click.echo(rejected_line(message), err=True)


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


def _handler(options: Options, printer: Printer) -> type[BaseHTTPRequestHandler]:
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
                printer.problem(str(exc))
                self._answer(400)
                return
            forwarded = None
            if options.forward_to is not None:
                forwarded = _forward(options.forward_to, body, headers)
            printer.event(hook, forwarded)
            self._answer(forwarded or 200)

        def _answer(self, status: int) -> None:
            payload = json.dumps({"received": 200 <= status < 300}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the printer reports each delivery."""

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
    options: Options,
    event_types: list[str] | None,
    stop: asyncio.Event,
) -> str:
    env = project.settings.environments[name]
    transport: Any = None
    if env.embedded:
        require_sandbox(f"embedded environment {name!r}")
        from alguna_emulator import emulator_transport

        db = project.embedded_db(name)
        db.parent.mkdir(parents=True, exist_ok=True)
        transport = emulator_transport(db_path=str(db), webhook_delivery="background")
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
                    "secret": options.secret,
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
        target = f", forwarding to {options.forward_to}" if options.forward_to else ""
        click.echo(
            f"Ready: listening for {name!r} webhooks on {receiver_url}{target}"
            f" (endpoint {endpoint_id}). Ctrl-C to stop.",
            err=True,
        )
        try:
            await stop.wait()
        finally:
            # Already gone is fine (e.g. an in-memory emulator that restarted).
            with contextlib.suppress(ApiNotFoundError):
                await core.request("DELETE", f"{CONTROL}/endpoints/{endpoint_id}")
        return endpoint_id


@click.command()
@env_option
@click.option(
    "--forward-to",
    metavar="URL",
    default=None,
    help="Also POST each verified delivery, unchanged, to this URL (your app); its answer"
    " is the emulator's answer, so failures are retried.",
)
@click.option(
    "--events",
    "event_types",
    multiple=True,
    metavar="TYPE",
    help="Only these event types or patterns (repeatable), e.g. subscription.*",
)
@click.option(
    "--secret-env",
    metavar="VAR",
    default=None,
    help="Sign this session's deliveries with the whsec_ secret in $VAR (so a --forward-to"
    " app can verify them); default: a fresh secret, never shown.",
)
@click.option("--port", type=click.IntRange(0, 65535), default=0, help="Local port (0: free).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
@guarded
def listen(
    obj: Context,
    env: str | None,
    forward_to: str | None,
    event_types: tuple[str, ...],
    secret_env: str | None,
    port: int,
    fmt: str,
) -> None:
    """Print (or forward) the emulator's webhooks for an environment, verified."""
    project = obj.project()
    name = project.environment(env)
    _check_local(name, project.settings.environments[name])
    if forward_to is not None and not re.match(r"^https?://\S+$", forward_to):
        raise BillingError(f"--forward-to must be an http(s) URL, not {forward_to!r}")
    secret = generate_secret()
    if secret_env is not None:
        secret = os.environ.get(secret_env, "").strip()
        if not secret:
            raise BillingError(f"--secret-env: ${secret_env} is not set")
    options = Options(forward_to=forward_to, fmt=fmt, secret=secret)
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), _handler(options, Printer(fmt)))
    except OSError as exc:
        raise BillingError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}") from None
    server.daemon_threads = True
    receiver_url = f"http://127.0.0.1:{server.server_address[1]}/"
    serving = threading.Thread(target=server.serve_forever, name="billing-listen", daemon=True)
    serving.start()
    try:
        run_interruptible(
            lambda stop: _session(
                project, name, receiver_url, options, list(event_types) or None, stop
            ),
            on_first_interrupt=lambda: None,
        )
    finally:
        server.shutdown()
        server.server_close()
    click.echo("Stopped: the endpoint is unregistered.", err=True)
