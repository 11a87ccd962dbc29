"""`billing events send`: usage events to an environment, from flags or from a file
(`reconciler.commands.events` checks and sends; this parses, shows a progress bar on a
terminal, renders and exits).

One event (or `--count N` alike) from `--customer`, `--event` and `--property k=v`, or
every line of a JSONL or CSV file (`--file`), through `reconciler.api.events`: batches of
at most 100, `unique_id` from the file or derived from the line's content (a re-run
deduplicates), paced at the environment's `rate_limits.events` (1000/s by default), a
progress bar on a terminal. Prints a summary of ingested and failed events (the failed ones
with their line); exit 0 when every event was ingested, 1 otherwise. See docs/events.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from reconciler.cli.common import Context, env_option, guarded
from reconciler.commands.events import MAX_BATCH, FileFormat, SendOptions, prepare_send
from reconciler.report.events_output import send_json, send_progress, send_text


@click.group()
def events() -> None:
    """Send usage events (POST /events)."""


@events.command("send")
@env_option
@click.option(
    "--file",
    "file_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A JSONL or CSV file of events (see docs/events.md).",
)
@click.option("--file-format", type=click.Choice(["jsonl", "csv"]), default=None)
@click.option("--customer", default=None, help="Customer id or alias (one event from flags).")
@click.option("--event", "event_name", default=None, help="Event name (the metric's).")
@click.option("--property", "properties", multiple=True, metavar="K=V", help="Repeatable.")
@click.option("--count", type=click.IntRange(1, 1_000_000), default=1, show_default=True)
@click.option("--unique-id", default=None, help="Default: random (from flags).")
@click.option("--timestamp", default=None, help="RFC 3339 (default: when received).")
@click.option("--batch-size", type=click.IntRange(1, MAX_BATCH), default=MAX_BATCH)
@click.option(
    "--rate",
    type=click.FloatRange(min=1),
    default=None,
    help="Events per second (default and maximum: the environment's rate_limits.events).",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
@guarded
def send(
    obj: Context,
    env: str | None,
    file_path: Path | None,
    file_format: FileFormat | None,
    customer: str | None,
    event_name: str | None,
    properties: tuple[str, ...],
    count: int,
    unique_id: str | None,
    timestamp: str | None,
    batch_size: int,
    rate: float | None,
    fmt: str,
) -> None:
    """Send usage events from flags or a file; summary of ingested and failed."""
    options = SendOptions(
        file_path=file_path,
        file_format=file_format,
        customer=customer,
        event_name=event_name,
        properties=properties,
        count=count,
        unique_id=unique_id,
        timestamp=timestamp,
        batch_size=batch_size,
        rate=rate,
    )
    send = prepare_send(obj.project(), env, options)
    progress = send_progress() if send.total is not None and sys.stderr.isatty() else None
    if progress is None:
        sent = send.run()
    else:
        task = progress.add_task("events", total=send.total)
        progress.start()
        try:
            sent = send.run(lambda n: progress.advance(task, n))
        finally:
            progress.stop()
    if sent.error is not None:
        click.echo(send_text(sent.report), err=True)
        raise sent.error
    click.echo(send_json(sent.report) if fmt == "json" else send_text(sent.report))
    sys.exit(0 if sent.report.failed == 0 and sent.report.invalid == 0 else 1)
