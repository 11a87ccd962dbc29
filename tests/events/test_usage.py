"""Usage aggregation in the emulator: ``GET /_emulator/usage`` per metric, with filters,
for a customer and a period."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from alguna_emulator import create_app, emulator_transport
from tests.emulator.clients import API_KEY, api_client, control_client
from tests.webhooks.conftest import BEARER, START

EVENTS = [
    # (event_name, timestamp, properties)
    ("api_call", "2026-04-01T10:00:00Z", {"region": "us-east-1", "ms": 120, "user": "u1"}),
    ("api_call", "2026-04-02T10:00:00Z", {"region": "us-east-1", "ms": "80.5", "user": "u2"}),
    ("api_call", "2026-04-03T10:00:00Z", {"region": "eu-west-1", "ms": 200, "user": "u1"}),
    ("api_call", "2026-04-04T10:00:00Z", {"region": "us-west-2", "ms": "n/a", "user": "u3"}),
    ("api_call", "2026-05-01T00:00:00Z", {"region": "us-east-1", "ms": 999, "user": "u9"}),
    ("storage", "2026-04-05T00:00:00Z", {"gb": 3.5}),
]


@pytest.fixture
async def usage() -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    app: FastAPI = create_app(clock_start=START)
    async with (
        api_client(emulator_transport(app)) as api,
        control_client(emulator_transport(app)) as control,
    ):
        await api.post("/customers", json={"name": "A", "currency": "USD", "aliases": ["acme"]})
        await api.post("/customers", json={"name": "B", "currency": "USD", "aliases": ["beta"]})
        batch = [
            {
                "unique_id": f"e{i}",
                "account": "acme",
                "event_name": name,
                "timestamp": ts,
                "properties": props,
            }
            for i, (name, ts, props) in enumerate(EVENTS)
        ]
        batch.append(
            {
                "unique_id": "other",
                "account": "beta",
                "event_name": "api_call",
                "timestamp": "2026-04-01T11:00:00Z",
                "properties": {"ms": 5},
            }
        )
        sent = await api.post("/events", json={"events": batch})
        assert sent.json()["failed"] == []
        yield api, control


async def _metric(
    api: httpx.AsyncClient, method: str, field: str | None = None, **extra: Any
) -> dict[str, Any]:
    aggregation = {"method": method} if field is None else {"method": method, "field": field}
    body = {
        "name": f"{method}-{field}-{len(extra)}",
        "event_name": "api_call",
        "aggregation": aggregation,
        **extra,
    }
    made = await api.post("/metrics", json=body)
    assert made.status_code == 201, made.text
    result: dict[str, Any] = made.json()
    return result


async def _value(control: httpx.AsyncClient, metric_id: str, **params: str) -> dict[str, Any]:
    response = await control.get(
        "/usage", params={"customer": "acme", "metric": metric_id, **params}, headers=BEARER
    )
    assert response.status_code == 200, response.text
    [row] = response.json()["data"]
    return dict(row)


@pytest.mark.parametrize(
    ("method", "field", "value", "counted", "skipped"),
    [
        ("count", None, "4", 4, 0),
        ("count_unique", "user", "3", 4, 0),
        ("sum", "ms", "400.5", 3, 1),
        ("average", "ms", "133.5", 3, 1),
        ("min", "ms", "80.5", 3, 1),
        ("max", "ms", "200", 3, 1),
    ],
)
async def test_each_aggregation_over_the_current_month(
    usage: tuple[httpx.AsyncClient, httpx.AsyncClient],
    method: str,
    field: str | None,
    value: str,
    counted: int,
    skipped: int,
) -> None:
    api, control = usage
    metric = await _metric(api, method, field)
    row = await _value(control, metric["id"])
    assert (row["value"], row["events"], row["skipped"]) == (value, counted, skipped)


async def test_filters_and_groups(usage: tuple[httpx.AsyncClient, httpx.AsyncClient]) -> None:
    api, control = usage
    us_east = await _metric(
        api,
        "count",
        filter_groups=[
            {
                "operator": "and",
                "filters": [{"field": "region", "operator": "equal", "value": "us-east-1"}],
            }
        ],
    )
    assert (await _value(control, us_east["id"]))["value"] == "2"
    us_any = await _metric(
        api,
        "sum",
        "ms",
        filter_groups=[
            {
                "operator": "or",
                "filters": [
                    {"field": "region", "operator": "contains", "value": "us-"},
                    {"field": "user", "operator": "equal", "value": "nobody"},
                ],
            }
        ],
    )
    assert (await _value(control, us_any["id"]))["value"] == "200.5"
    not_east = await _metric(
        api,
        "count",
        filter_groups=[
            {
                "operator": "and",
                "filters": [{"field": "region", "operator": "not_equal", "value": "us-east-1"}],
            },
            {
                "operator": "and",
                "filters": [{"field": "region", "operator": "not_contains", "value": "eu"}],
            },
        ],
    )
    assert (await _value(control, not_east["id"]))["value"] == "1"  # us-west-2 only


async def test_period_customer_alias_and_all_metrics(
    usage: tuple[httpx.AsyncClient, httpx.AsyncClient],
) -> None:
    api, control = usage
    count = await _metric(api, "count")
    may = await _value(control, count["id"], **{"from": "2026-05-01", "to": "2026-06-01"})
    assert may["value"] == "1"
    first_two_days = await _value(
        control, count["id"], **{"from": "2026-04-01T00:00:00Z", "to": "2026-04-02T10:00:00Z"}
    )
    assert first_two_days["value"] == "1"  # `to` is exclusive
    await api.post(
        "/metrics",
        json={
            "name": "Storage",
            "event_name": "storage",
            "aggregation": {"method": "max", "field": "gb"},
        },
    )
    by_query = await control.get("/usage", params={"customer": "acme", "api_key": API_KEY})
    response = await control.get("/usage", params={"customer": "acme"}, headers=BEARER)
    assert by_query.json() == response.json()  # the query form selects the same account
    body = response.json()
    assert (body["from"], body["to"]) == ("2026-04-01T00:00:00Z", "2026-05-01T00:00:00Z")
    assert {row["name"]: row["value"] for row in body["data"]} == {
        count["name"]: "4",
        "Storage": "3.5",
    }
    beta = await control.get(
        "/usage", params={"customer": "beta", "metric": count["id"]}, headers=BEARER
    )
    assert beta.json()["data"][0]["value"] == "1"


async def test_no_values_and_errors(usage: tuple[httpx.AsyncClient, httpx.AsyncClient]) -> None:
    api, control = usage
    missing = await _metric(api, "max", "nothing")
    row = await _value(control, missing["id"])
    assert (row["value"], row["skipped"]) == (None, 4)
    total = await _metric(api, "sum", "nothing")
    assert (await _value(control, total["id"]))["value"] == "0"
    odd = await _metric(
        api,
        "count",
        filter_groups=[
            {
                "operator": "and",
                "filters": [{"field": "ms", "operator": "greater_than", "value": "1"}],
            }
        ],
    )
    refused = await control.get(
        "/usage", params={"customer": "acme", "metric": odd["id"]}, headers=BEARER
    )
    assert refused.status_code == 422 and "supported: equal" in refused.json()["detail"]
    no_key = await control.get("/usage", params={"customer": "acme"})
    assert no_key.status_code == 400
    unknown = await control.get("/usage", params={"customer": "zzz"}, headers=BEARER)
    assert unknown.status_code == 404
    backwards = await control.get(
        "/usage",
        params={"customer": "acme", "from": "2026-05-01", "to": "2026-04-01"},
        headers=BEARER,
    )
    assert backwards.status_code == 400
