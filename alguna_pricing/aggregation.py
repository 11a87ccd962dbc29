"""Metric aggregation: which events a metric counts, and the value it aggregates them to.

Shared by the emulator (`GET /_emulator/usage` and the period close) and `billing invoice
preview` (which aggregates a usage file the same way), so both see the same usage. Pure:
events are mappings as `POST /events` stores them (`event_name`, `properties`); choosing the
customer, the period and deduplicating on `unique_id` are the caller's.

- `filter_groups` must all match (assumed: groups are ANDed); within a group, filters
  combine with the group's `and`/`or`; operators `equal`, `not_equal`, `contains`,
  `not_contains` compare the property's text (`true`/`false` for booleans); an absent
  property is not equal to and does not contain anything; another operator raises
  `UnsupportedFilterError`;
- `count` counts events; `count_unique` counts distinct values of `field` (events without
  it are skipped); `sum`, `average`, `min`, `max` use the numeric values of `field`
  (numbers or numeric strings, exactly, as decimals; other values are skipped). No values:
  `sum` is 0, the others None; `average` is computed to 28 significant digits;
- `grouped` splits a metric's events by a matrix price's dimension properties, one
  `UsageGroup` per combination of values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from alguna_pricing.errors import PricingError
from alguna_pricing.usage import UsageGroup

OPERATORS = ("equal", "not_equal", "contains", "not_contains")


class UnsupportedFilterError(PricingError):
    """A metric filter whose operator the aggregation does not know."""


def property_text(value: Any) -> str | None:
    """A property value as filters compare it (`true`/`false` for booleans)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def property_number(value: Any) -> Decimal | None:
    """A property value as an exact decimal, or None when it is not a finite number."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(repr(value) if isinstance(value, float) else str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _filter_matches(event: Mapping[str, Any], rule: Mapping[str, Any]) -> bool:
    operator = rule["operator"]
    if operator not in OPERATORS:
        raise UnsupportedFilterError(
            f"filter operator {operator!r} is not supported by the aggregation; "
            f"supported: {', '.join(OPERATORS)}"
        )
    actual = property_text((event.get("properties") or {}).get(rule["field"]))
    expected = str(rule["value"])
    if operator == "equal":
        return actual == expected
    if operator == "not_equal":
        return actual != expected
    if operator == "contains":
        return actual is not None and expected in actual
    return actual is None or expected not in actual


def matches(event: Mapping[str, Any], filter_groups: Sequence[Mapping[str, Any]]) -> bool:
    """Whether an event passes a metric's filters (every group; within one, and/or)."""
    for group in filter_groups:
        results = [_filter_matches(event, rule) for rule in group.get("filters") or []]
        if not results:
            continue
        if not (all(results) if group["operator"] == "and" else any(results)):
            return False
    return True


def selected(
    metric: Mapping[str, Any], events: Sequence[Mapping[str, Any]]
) -> list[Mapping[str, Any]]:
    """The events `metric` counts: its `event_name`, passing its `filter_groups`."""
    groups = metric.get("filter_groups") or []
    return [e for e in events if e["event_name"] == metric["event_name"] and matches(e, groups)]


def aggregate(
    aggregation: Mapping[str, Any], events: Sequence[Mapping[str, Any]]
) -> tuple[Decimal | None, int, int]:
    """(value, events counted, events skipped) of an aggregation (`{method, field?}`) over
    already-selected events."""
    method = aggregation["method"]
    field = aggregation.get("field")
    if method == "count":
        return Decimal(len(events)), len(events), 0
    raw = [(event.get("properties") or {}).get(field or "") for event in events]
    if method == "count_unique":
        present = [property_text(value) for value in raw if value is not None]
        return Decimal(len(set(present))), len(present), len(events) - len(present)
    numbers = [number for value in raw if (number := property_number(value)) is not None]
    skipped = len(events) - len(numbers)
    if method == "sum":
        return sum(numbers, Decimal(0)), len(numbers), skipped
    if not numbers:
        return None, 0, skipped
    if method == "average":
        return sum(numbers, Decimal(0)) / len(numbers), len(numbers), skipped
    chosen = min(numbers) if method == "min" else max(numbers)
    return chosen, len(numbers), skipped


def grouped(
    aggregation: Mapping[str, Any], events: Sequence[Mapping[str, Any]], keys: Sequence[str]
) -> tuple[UsageGroup, ...]:
    """The events split by their values of the properties `keys` (a matrix price's
    dimensions; a property an event lacks is left out of its group), each group aggregated
    on its own: its value is the group's `quantity` and `volume`, its counted events its
    `transactions`. Groups come in the order their first event came. An aggregation with
    no value (no numbers) gives 0; a negative one raises `InvalidUsageError`."""
    buckets: dict[tuple[tuple[str, str], ...], list[Mapping[str, Any]]] = {}
    for event in events:
        properties = event.get("properties") or {}
        values = ((key, property_text(properties.get(key))) for key in keys)
        bucket = tuple((key, text) for key, text in values if text is not None)
        buckets.setdefault(bucket, []).append(event)
    out: list[UsageGroup] = []
    for bucket, members in buckets.items():
        value, counted, _ = aggregate(aggregation, members)
        amount = value if value is not None else Decimal(0)
        out.append(UsageGroup(dict(bucket), quantity=amount, volume=amount, transactions=counted))
    return tuple(out)
