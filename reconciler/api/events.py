"""Usage events: reading them from files, identifying them, and sending them to `POST /events`.

Contracts (docs/events.md):
- A request carries at most `MAX_BATCH` (100) events, the API's limit.
- Events are paced by *events*, not requests: the environment's `rate_limits.events`
  (1000/s by default, the documented ingestion limit) through a token bucket holding half a
  second's worth, like the client's other budgets (`budget`).
- `POST /events` carries no `Idempotency-Key` (the API dedupes events on `unique_id`
  instead), so `HttpCore` never repeats it on its own. Repeating a batch *is* safe here,
  because every event has a `unique_id`: a 429, a 5xx or a lost connection is retried with
  the connection's retry policy, honouring `Retry-After`. A 400/422 refuses the whole batch
  and is reported as that batch's failure; any other error propagates.
- An event read from a file without a `unique_id` gets one derived from its content and
  from how many identical events came before it in the file (`derived_unique_id`), so
  sending the same file again, or the file with lines appended or inserted, deduplicates
  instead of double counting, while two identical lines stay two events.
"""

from __future__ import annotations

import asyncio
import csv
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TextIO

from aiolimiter import AsyncLimiter

from reconciler.api.errors import ApiRejectedError, is_retryable
from reconciler.api.http import HttpCore, Json, retried
from reconciler.errors import InvalidInputError
from reconciler.model import canonical_json, digest
from reconciler.source.diagnostics import Diagnostic

MAX_BATCH = 100
MAX_PROPERTIES = 50
MAX_ID_LENGTH = 255
BURST_SECONDS = 0.5
DEFAULT_CONCURRENCY = 8
FileFormat = Literal["jsonl", "csv"]
WireEvent = dict[str, Any]

# Accepted names -> the wire's. `customer_id` and `idempotency_key` are the names of
# Alguna's usage-metering guide (the API reference names them `account` and `unique_id`).
_KEYS = {
    "unique_id": "unique_id",
    "idempotency_key": "unique_id",
    "account": "account",
    "customer": "account",
    "customer_id": "account",
    "event_name": "event_name",
    "event": "event_name",
    "timestamp": "timestamp",
    "properties": "properties",
}


class EventFileError(InvalidInputError):
    """The file cannot be read as events at all (unknown format, no CSV header, not UTF-8
    text): a user error like any other, with one diagnostic naming the file and, where
    known, the line (the CLI shows it and exits 1)."""

    def __init__(self, path: Path, code: str, message: str, line: int | None = None) -> None:
        where = Diagnostic(code=code, message=message, file=str(path), line=line)
        super().__init__([where], f"cannot read {path}")


def usage_event(
    *,
    account: str,
    event_name: str,
    properties: Mapping[str, Any] | None = None,
    unique_id: str,
    timestamp: str | None = None,
) -> WireEvent:
    """One event in the wire shape of `POST /events`; ValueError when it breaks the
    documented rules (flat properties of strings, numbers or booleans, at most 50;
    `unique_id` at most 255 characters)."""
    if not isinstance(account, str) or not account.strip():
        raise ValueError("customer (account) is required")
    if not isinstance(event_name, str) or not event_name.strip():
        raise ValueError("event_name is required")
    if not isinstance(unique_id, str) or not 1 <= len(unique_id) <= MAX_ID_LENGTH:
        raise ValueError(f"unique_id must be 1 to {MAX_ID_LENGTH} characters")
    props = dict(properties or {})
    if len(props) > MAX_PROPERTIES:
        raise ValueError(f"at most {MAX_PROPERTIES} properties, got {len(props)}")
    for key, value in props.items():
        if not isinstance(key, str) or not isinstance(value, str | int | float | bool):
            raise ValueError(f"property {key!r} must be a string, number or boolean")
    event: WireEvent = {
        "unique_id": unique_id,
        "account": account.strip(),
        "event_name": event_name.strip(),
        "properties": props,
    }
    if timestamp is not None:
        if not isinstance(timestamp, str):
            raise ValueError("timestamp must be an RFC 3339 string")
        event["timestamp"] = timestamp
    return event


def derived_unique_id(content: Mapping[str, Any], occurrence: int) -> str:
    """`evt_` + 32 hex digits of SHA-256 over the event's canonical JSON (without
    `unique_id`) and its occurrence number among identical events of the file."""
    canonical = canonical_json(content, ensure_ascii=False)
    return "evt_" + digest(f"{canonical}\x00{occurrence}", 32)


@dataclass(frozen=True)
class SourceLine:
    """One line (JSONL) or row (CSV) of an event file: an event, or why it is not one."""

    line: int
    event: WireEvent | None = None
    problem: str | None = None


def file_format(path: Path, given: FileFormat | None = None) -> FileFormat:
    """`given`, else from the extension (.jsonl/.ndjson/.json: JSONL, .csv: CSV)."""
    if given is not None:
        return given
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix == ".csv":
        return "csv"
    raise EventFileError(
        path, "events.format", f"cannot tell the format of {path.name}: use .jsonl or .csv"
    )


def _fields(raw: Mapping[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    unknown = [key for key in raw if key not in _KEYS]
    if unknown:
        raise ValueError(
            f"unknown field(s) {', '.join(sorted(unknown))}; use unique_id (or"
            " idempotency_key), customer (or customer_id, account), event_name (or event),"
            " timestamp, properties"
        )
    for key, value in raw.items():
        name = _KEYS[key]
        if name in found:
            raise ValueError(f"{name} given twice")
        found[name] = value
    return found


def _jsonl(lines: Iterable[str]) -> Iterator[tuple[int, dict[str, Any] | str]]:
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            raw = json.loads(text)
        except ValueError:
            yield number, "not valid JSON"
            continue
        yield number, raw if isinstance(raw, dict) else "not a JSON object"


def _csv(path: Path, lines: Iterable[str]) -> Iterator[tuple[int, dict[str, Any] | str]]:
    reader = csv.DictReader(lines)
    if not reader.fieldnames:
        raise EventFileError(path, "events.csv_header", "the CSV file has no header row", 1)
    for row in reader:
        number = reader.line_num
        if None in row:
            yield number, "more cells than header columns"
            continue
        raw: dict[str, Any] = {}
        props: dict[str, Any] = {}
        for column, cell in row.items():
            if cell is None or cell == "":
                continue
            if column == "properties":
                try:
                    loaded = json.loads(cell)
                except ValueError:
                    loaded = None
                if not isinstance(loaded, dict):
                    yield number, "the properties column must hold a JSON object"
                    break
                props.update(loaded)
            elif column in _KEYS:
                raw[column] = cell
            else:
                props[column] = cell  # every other column is a property, as text
        else:
            raw["properties"] = props
            yield number, raw


def read_event_file(path: Path, fmt: FileFormat | None = None) -> Iterator[SourceLine]:
    """The events of a JSONL or CSV file, one `SourceLine` per non-blank line or row,
    lazily (a file of any size is streamed). Each JSONL line is an object with
    `customer` (or `account`), `event_name` (or `event`), and optionally `unique_id`,
    `timestamp`, `properties`; CSV has those columns, a `properties` column of JSON,
    and any other column becomes a property (text)."""
    kind = file_format(path, fmt)
    seen: Counter[str] = Counter()
    with _text(path) as handle:
        rows = _jsonl(handle) if kind == "jsonl" else _csv(path, handle)
        for number, raw in rows:
            if isinstance(raw, str):
                yield SourceLine(number, problem=raw)
                continue
            try:
                fields = _fields(raw)
                unique_id = fields.pop("unique_id", None)
                content: dict[str, Any] = {
                    key: fields.get(key) for key in ("account", "event_name", "timestamp")
                }
                content["properties"] = fields.get("properties") or {}
                if not isinstance(content["properties"], dict):
                    raise ValueError("properties must be an object")
                if unique_id is None:
                    key = canonical_json(content)
                    seen[key] += 1
                    unique_id = derived_unique_id(content, seen[key])
                event = usage_event(
                    account=content["account"],
                    event_name=content["event_name"],
                    timestamp=content["timestamp"],
                    properties=content["properties"],
                    unique_id=unique_id,
                )
            except (TypeError, ValueError) as exc:
                yield SourceLine(number, problem=str(exc))
                continue
            yield SourceLine(number, event=event)


def count_event_lines(path: Path, fmt: FileFormat | None = None) -> int:
    """How many lines or rows `read_event_file` will yield (for a progress bar)."""
    kind = file_format(path, fmt)
    with _text(path) as handle:
        if kind == "jsonl":
            return sum(1 for text in handle if text.strip())
        return max(0, sum(1 for _ in csv.reader(handle)) - 1)


@contextmanager
def _text(path: Path) -> Iterator[TextIO]:
    """`path` open as UTF-8 text (lines as written); bytes that are not UTF-8 raise
    `EventFileError` with the first line that has them."""
    with path.open(encoding="utf-8", newline="") as handle:
        try:
            yield handle
        except UnicodeDecodeError:
            line = _undecodable_line(path)
            raise EventFileError(path, "file.encoding", "not UTF-8 text", line) from None


def _undecodable_line(path: Path) -> int | None:
    # Line by line in binary: a UTF-8 sequence never holds a newline byte.
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return None


@dataclass(frozen=True)
class BatchResult:
    """What the API said about one batch. `error` is set when it refused the whole batch
    (then every event of it is in `failed`). The answer (`{ingested, failed}`, the SDK's
    `IngestEventsResponse`) does not say which accepted events it already had, so
    neither does this."""

    events: tuple[WireEvent, ...]
    ingested: frozenset[str]
    failed: frozenset[str]
    error: str | None = None


@dataclass
class Totals:
    """Running totals over every batch sent."""

    sent: int = 0
    ingested: int = 0  # accepted by the API, new or already ingested (it does not say)
    failed: int = 0
    batches: int = 0
    refused_batches: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, result: BatchResult) -> None:
        self.batches += 1
        self.sent += len(result.events)
        for event in result.events:
            if event["unique_id"] in result.ingested:
                self.ingested += 1
            else:
                self.failed += 1
        if result.error is not None:
            self.refused_batches += 1
            if result.error not in self.errors:
                self.errors.append(result.error)


def _retryable(exc: BaseException) -> bool:
    """As for a keyed write: every event carries a `unique_id` the API dedupes on, which
    makes a repeated batch as safe as a repeated request with an idempotency key."""
    return is_retryable(exc, has_idempotency_key=True, is_read=False)


class EventSender:
    """Sends event batches through an `HttpCore`, paced and retried (see the module)."""

    def __init__(
        self,
        core: HttpCore,
        *,
        rate: float | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
    ) -> None:
        self._core = core
        self.rate = rate if rate is not None else core.connection.rate_limits.events
        if self.rate <= 0:
            raise ValueError("the events rate must be positive")
        capacity = max(float(MAX_BATCH), self.rate * BURST_SECONDS)
        self._bucket = AsyncLimiter(capacity, capacity / self.rate)
        self._concurrency = max(1, concurrency)

    async def send(self, events: Sequence[WireEvent]) -> BatchResult:
        """Send one batch (1 to 100 events, each with a `unique_id`)."""
        if not 1 <= len(events) <= MAX_BATCH:
            raise ValueError(f"a batch holds 1 to {MAX_BATCH} events, not {len(events)}")
        if any(not event.get("unique_id") for event in events):
            raise ValueError("every event needs a unique_id (it is what makes retries safe)")
        batch = tuple(events)

        async def attempt(number: int) -> Json:
            await self._bucket.acquire(len(batch))
            return await self._core.request("POST", "/events", body={"events": batch})

        try:
            body = await retried(self._core.connection.retry, _retryable, attempt)
        except ApiRejectedError as exc:
            ids = frozenset(event["unique_id"] for event in batch)
            return BatchResult(batch, frozenset(), ids, error=exc.detail)
        return _result(batch, body)

    async def send_all(
        self,
        batches: Iterable[Sequence[WireEvent]],
        on_result: Callable[[BatchResult], None] | None = None,
    ) -> Totals:
        """Send every batch, several at once (`concurrency`), within the rate; call
        `on_result` as each completes. A non-batch error (e.g. retries exhausted, 401)
        stops it and propagates once the batches in flight have finished."""
        totals = Totals()
        slots = asyncio.Semaphore(self._concurrency)
        tasks: set[asyncio.Task[None]] = set()
        failure: list[BaseException] = []

        async def one(batch: Sequence[WireEvent]) -> None:
            try:
                result = await self.send(batch)
                totals.add(result)
                if on_result is not None:
                    on_result(result)
            except BaseException as exc:
                failure.append(exc)
            finally:
                slots.release()

        for batch in batches:
            await slots.acquire()
            if failure:
                slots.release()
                break
            task = asyncio.create_task(one(batch))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        if tasks:
            await asyncio.gather(*tasks)
        if failure:
            raise failure[0]
        return totals


def _result(batch: tuple[WireEvent, ...], body: object) -> BatchResult:
    if not isinstance(body, dict):
        body = {}
    ingested = body.get("ingested")
    failed = body.get("failed")
    ids = {event["unique_id"] for event in batch}
    if not isinstance(ingested, list) or not isinstance(failed, list):
        return BatchResult(
            batch, frozenset(), frozenset(ids), error="the API's answer had no ingested/failed"
        )
    accepted = frozenset(str(i) for i in ingested) & ids
    return BatchResult(batch, accepted, frozenset(ids - accepted))


def batched(events: Iterable[WireEvent], size: int = MAX_BATCH) -> Iterator[list[WireEvent]]:
    """Group events into lists of at most `size` (and at most `MAX_BATCH`), lazily."""
    size = max(1, min(size, MAX_BATCH))
    batch: list[WireEvent] = []
    for event in events:
        batch.append(event)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
