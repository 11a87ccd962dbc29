"""`billing events send`: usage events to an environment, from flags or from a file.

One event (or `--count N` alike) from `--customer`, `--event` and `--property k=v`, or
every line of a JSONL or CSV file (`--file`), through `reconciler.api.events`: batches of
at most 100, `unique_id` from the file or derived from the line's content (a re-run
deduplicates), paced at the environment's `rate_limits.events` (1000/s by default), a
progress bar on a terminal. Prints a summary of ingested and failed events (the failed ones
with their line); exit 0 when every event was ingested, 1 otherwise. See docs/events.md.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
from rich.progress import Progress

from reconciler.api import HttpCore, connection_for
from reconciler.api.account import check_account
from reconciler.api.errors import ApiError
from reconciler.api.events import (
    MAX_BATCH,
    BatchResult,
    EventSender,
    FileFormat,
    Totals,
    WireEvent,
    batched,
    count_event_lines,
    read_event_file,
    usage_event,
)
from reconciler.cli.common import Context, env_option, guarded
from reconciler.cli.targets import transport_for
from reconciler.commands.project import Project
from reconciler.errors import BillingError
from reconciler.report.events_output import send_json, send_progress, send_text


@click.group()
def events() -> None:
    """Send usage events (POST /events)."""


@dataclass
class Report:
    """What happened to each line; `reconciler.report.events_output` renders it."""

    source: str
    environment: str
    ingested: int = 0  # accepted by the API, new or already ingested
    failed: int = 0
    invalid: int = 0
    unique_ids: set[str] = field(default_factory=set)
    failures: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    def fail(self, line: int | None, unique_id: str | None, reason: str) -> None:
        self.failures.append({"line": line, "unique_id": unique_id, "reason": reason})


def _property(text: str) -> tuple[str, Any]:
    """`k=v`; v is a JSON number, boolean or string when it parses as one, else text."""
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise BillingError(f"--property {text!r} must look like key=value")
    try:
        value = json.loads(raw)
    except ValueError:
        value = raw
    if not isinstance(value, str | int | float | bool) or value is None:
        value = raw
    return key.strip(), value


def _flag_events(
    customer: str,
    event_name: str,
    properties: tuple[str, ...],
    count: int,
    unique_id: str | None,
    timestamp: str | None,
) -> Iterator[WireEvent]:
    """`count` alike events, checked before the first is sent (they differ only in id)."""
    props = dict(_property(p) for p in properties)

    def make(index: int) -> WireEvent:
        if unique_id is None:
            uid = f"evt_{uuid.uuid4().hex}"
        else:
            uid = unique_id if count == 1 else f"{unique_id}-{index}"
        return usage_event(
            account=customer,
            event_name=event_name,
            properties=props,
            unique_id=uid,
            timestamp=timestamp,
        )

    try:
        make(count)  # the longest id: if it passes, every event does
    except ValueError as exc:
        raise BillingError(f"cannot send this event: {exc}") from None
    return (make(index) for index in range(1, count + 1))


class Tracker:
    """Maps the events of batches in flight back to their lines, and counts results."""

    def __init__(self, report: Report, advance: Callable[[int], None]) -> None:
        self.report = report
        self.advance = advance
        self._lines: dict[str, list[int]] = {}
        self._totals = Totals()

    def events_of(self, path: Path, fmt: FileFormat | None) -> Iterator[WireEvent]:
        for source in read_event_file(path, fmt):
            if source.event is None:
                self.report.invalid += 1
                self.report.fail(source.line, None, source.problem or "invalid")
                self.advance(1)
                continue
            self._lines.setdefault(source.event["unique_id"], []).append(source.line)
            yield source.event

    def on_result(self, result: BatchResult) -> None:
        """Counts through `Totals` (the one counting rule), then records each line."""
        self._totals.add(result)
        totals, report = self._totals, self.report
        report.ingested, report.failed = totals.ingested, totals.failed
        for event in result.events:
            uid = event["unique_id"]
            lines = self._lines.get(uid)
            line = lines.pop(0) if lines else None
            if lines == []:
                self._lines.pop(uid, None)
            if uid in result.ingested:
                report.unique_ids.add(uid)
            else:
                reason = result.error or "the API reported it failed (unknown customer?)"
                report.fail(line, uid, reason)
        self.advance(len(result.events))


async def _send(
    project: Project,
    name: str,
    batches: Iterator[list[WireEvent]],
    rate: float | None,
    on_result: Callable[[BatchResult], None],
) -> None:
    env = project.settings.environments[name]
    async with HttpCore(connection_for(name, env), transport_for(project, name)) as core:
        if env.account is not None:
            await check_account(core, name, env.account)
        sender = EventSender(core, rate=rate)
        await sender.send_all(batches, on_result)


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
    project = obj.project()
    name = project.environment(env)
    limit = project.settings.environments[name].rate_limits.events
    if rate is not None and rate > limit:
        raise BillingError(f"--rate {rate:g} is above {name!r}'s events limit ({limit:g}/s)")
    flags = customer is not None or event_name is not None or properties
    if file_path is not None and (flags or unique_id or timestamp):
        raise BillingError("give either --file or --customer/--event/--property, not both")
    report = Report(source=file_path.name if file_path else f"{count} event(s)", environment=name)
    progress: Progress | None = None
    if file_path is not None:
        total = count_event_lines(file_path, file_format)  # EventFileError: a user error
        if sys.stderr.isatty():
            progress = send_progress()
            task = progress.add_task("events", total=total)
        tracker = Tracker(
            report,
            (lambda n: progress.advance(task, n)) if progress is not None else (lambda n: None),
        )
        stream: Iterator[WireEvent] = tracker.events_of(file_path, file_format)
    else:
        if customer is None or event_name is None:
            raise BillingError("give --file, or --customer and --event (see --help)")
        tracker = Tracker(report, lambda n: None)
        stream = _flag_events(customer, event_name, properties, count, unique_id, timestamp)
    started = time.monotonic()
    try:
        if progress is not None:
            progress.start()
        asyncio.run(_send(project, name, batched(stream, batch_size), rate, tracker.on_result))
    except ApiError:
        report.seconds = time.monotonic() - started
        click.echo(send_text(report), err=True)
        raise
    finally:
        if progress is not None:
            progress.stop()
    report.seconds = time.monotonic() - started
    click.echo(send_json(report) if fmt == "json" else send_text(report))
    sys.exit(0 if report.failed == 0 and report.invalid == 0 else 1)
