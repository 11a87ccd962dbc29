"""`billing events send` as the CLI runs it: usage events from flags or a file, through
`reconciler.api.events`, to one environment (the in-process emulator for an embedded one).

`prepare_send` checks everything that can be checked before the first request (the rate
against the environment's limit, flags against a file, the events built from flags, the
lines of a file counted for a progress bar); `EventSend.run` sends: batches of at most
100, `unique_id` from the file or derived from the line's content (a re-run
deduplicates), paced at the environment's `rate_limits.events`. The result is a `Report`
(what happened to each line), which `reconciler.report.events_output` renders. Never
prints. See docs/events.md.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
from reconciler.commands.embedded import transport_for
from reconciler.commands.project import Project
from reconciler.errors import BillingError

__all__ = [
    "MAX_BATCH",
    "EventSend",
    "FileFormat",
    "Report",
    "SendOptions",
    "Sent",
    "prepare_send",
]


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


@dataclass(frozen=True)
class SendOptions:
    """`billing events send`'s options: a file (`file_path`, `file_format`), or one event
    (`count` alike) from `customer`, `event_name`, `properties` (`k=v`), `unique_id` and
    `timestamp`; `batch_size` and `rate` (events per second, None: the limit)."""

    file_path: Path | None = None
    file_format: FileFormat | None = None
    customer: str | None = None
    event_name: str | None = None
    properties: tuple[str, ...] = ()
    count: int = 1
    unique_id: str | None = None
    timestamp: str | None = None
    batch_size: int = MAX_BATCH
    rate: float | None = None


@dataclass(frozen=True)
class Sent:
    """The report of a send, and the API error that stopped it (None: it ran to the end)."""

    report: Report
    error: ApiError | None = None


@dataclass
class EventSend:
    """A send checked and ready: `total` is the number of lines of the file (None when
    sending from flags), for a progress bar."""

    project: Project
    name: str
    options: SendOptions
    report: Report
    total: int | None
    _stream: Callable[[Tracker], Iterator[WireEvent]]

    def run(self, advance: Callable[[int], None] = lambda n: None) -> Sent:
        """Send every event; `advance(n)` as lines are done. Raises `EventFileError` (a
        user error naming file and line) for a file that turns out unreadable; an
        `ApiError` stops the send and is returned with the report so far."""
        tracker = Tracker(self.report, advance)
        batches = batched(self._stream(tracker), self.options.batch_size)
        started = time.monotonic()
        try:
            asyncio.run(self._send(batches, tracker.on_result))  # EventFileError: a user error
        except ApiError as exc:
            self.report.seconds = time.monotonic() - started
            return Sent(report=self.report, error=exc)
        self.report.seconds = time.monotonic() - started
        return Sent(report=self.report)

    async def _send(
        self, batches: Iterator[list[WireEvent]], on_result: Callable[[BatchResult], None]
    ) -> None:
        project, name = self.project, self.name
        env = project.settings.environments[name]
        async with HttpCore(connection_for(name, env), transport_for(project, name)) as core:
            if env.account is not None:
                await check_account(core, name, env.account)
            sender = EventSender(core, rate=self.options.rate)
            await sender.send_all(batches, on_result)


def prepare_send(project: Project, env: str | None, options: SendOptions) -> EventSend:
    """Check a send before anything is sent (`BillingError` naming the problem)."""
    name = project.environment(env)
    limit = project.settings.environments[name].rate_limits.events
    rate = options.rate
    if rate is not None and rate > limit:
        raise BillingError(f"--rate {rate:g} is above {name!r}'s events limit ({limit:g}/s)")
    file_path = options.file_path
    flags = options.customer is not None or options.event_name is not None or options.properties
    if file_path is not None and (flags or options.unique_id or options.timestamp):
        raise BillingError("give either --file or --customer/--event/--property, not both")
    report = Report(
        source=file_path.name if file_path else f"{options.count} event(s)", environment=name
    )
    if file_path is not None:
        total = count_event_lines(file_path, options.file_format)  # EventFileError: a user error
        path, fmt = file_path, options.file_format
        return EventSend(
            project, name, options, report, total, lambda tracker: tracker.events_of(path, fmt)
        )
    if options.customer is None or options.event_name is None:
        raise BillingError("give --file, or --customer and --event (see --help)")
    events = _flag_events(
        options.customer,
        options.event_name,
        options.properties,
        options.count,
        options.unique_id,
        options.timestamp,
    )
    return EventSend(project, name, options, report, None, lambda tracker: events)
