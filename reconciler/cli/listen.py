"""`billing listen`: receive an environment's webhooks from the emulator, verify, print or
forward them, like the Stripe CLI's `listen` (`reconciler.commands.listen` runs the
session: the local server, the endpoint, forwarding; this parses, prints each delivery
through `reconciler.report.listen_output`, and exits 0 after Ctrl-C). Never prints a
secret.
"""

from __future__ import annotations

import threading

import click

from reconciler.cli.common import Context, env_option, guarded
from reconciler.commands.listen import ListenOptions
from reconciler.commands.listen import listen as listen_session
from reconciler.report.listen_output import ready_line, rejected_line, stopped_line, webhook_line
from reconciler.webhooks import VerifiedWebhook


class Printer:
    """Writes `reconciler.report.listen_output`'s lines, whole lines from any thread."""

    def __init__(self, fmt: str, forward_to: str | None) -> None:
        self.fmt = fmt
        self.forward_to = forward_to
        self._lock = threading.Lock()

    def ready(self, environment: str, receiver_url: str, endpoint_id: str) -> None:
        line = ready_line(environment, receiver_url, self.forward_to, endpoint_id)
        with self._lock:
            click.echo(line, err=True)

    def event(self, hook: VerifiedWebhook, forwarded: int | None) -> None:
        line = webhook_line(hook, forwarded, self.fmt)
        with self._lock:
            click.echo(line)

    def problem(self, message: str) -> None:
        with self._lock:
            click.echo(rejected_line(message), err=True)


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
    options = ListenOptions(
        forward_to=forward_to, event_types=event_types, secret_env=secret_env, port=port
    )
    listen_session(obj.project(), env, options, Printer(fmt, forward_to))
    click.echo(stopped_line(), err=True)
