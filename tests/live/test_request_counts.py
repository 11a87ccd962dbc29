"""What reading the live state costs, counted by the emulator (its request counters).

Reading N objects of a kind costs ceil(N/100) list requests (one when there are none);
the only detail reads are a managed subscription's versions, one GET each
(docs/api-client.md, "Reading the live state").
"""

from __future__ import annotations

import asyncio
import datetime as dt
import math
from collections.abc import AsyncIterator

import pytest

from reconciler.live import fetch_live
from reconciler.model import KINDS, PATH_OF_KIND, DesiredState, Metric, Subscription
from reconciler.model.resources import Aggregation, SubscriptionContract
from reconciler.settings import RateLimits
from reconciler.wire import MapResolver, to_wire
from tests.api.emulated import Emulated, emulated
from tests.live.seed import create_all
from tests.wire.catalog import CATALOG

SIZES = [0, 1, 100, 101, 250]


@pytest.fixture
async def emu() -> AsyncIterator[Emulated]:
    """No limit on this emulator, so none on the client: seeding 100 subscriptions at
    the bulk rate (10/s) would take 10 s and prove nothing about request counts."""
    roomy = RateLimits(standard=100_000, bulk=100_000, events=100_000)
    async with emulated(client_limits=roomy) as env:
        yield env


def lists(n: int) -> int:
    return max(1, math.ceil(n / 100))


async def create_metrics(emu: Emulated, n: int, prefix: str = "m") -> dict[str, Metric]:
    metrics = {
        f"{prefix}{i}": Metric(
            name=f"{prefix} {i}", event_name=f"e{i}", aggregation=Aggregation(method="count")
        )
        for i in range(n)
    }
    await asyncio.gather(
        *(
            emu.writer.create("/metrics", to_wire(m, key, MapResolver(CATALOG, {})), key=key)
            for key, m in metrics.items()
        )
    )
    return metrics


@pytest.mark.parametrize("n", SIZES)
async def test_listing_n_objects_costs_ceil_n_over_100_requests(emu: Emulated, n: int) -> None:
    await create_metrics(emu, n)
    await emu.clear_log()
    listed = await emu.reader.list_all("/metrics")
    assert len(listed) == n
    assert len({obj["id"] for obj in listed}) == n
    assert await emu.count("GET", "/metrics") == lists(n)
    assert await emu.total() == lists(n)


@pytest.mark.parametrize("n", [0, 101])
async def test_unsorted_endpoint_costs_the_same(emu: Emulated, n: int) -> None:
    """Products take no `sort`; paging them costs the same."""
    await asyncio.gather(
        *(
            emu.writer.create(
                "/products",
                {
                    "name": f"P{i}",
                    "fee_type": "fixed",
                    "payment_terms": "advance",
                    "billing_frequency": "recurring",
                    "sku": f"p{i}",
                },
                key=f"p{i}",
            )
            for i in range(n)
        )
    )
    await emu.clear_log()
    assert len(await emu.reader.list_all("/products")) == n
    assert await emu.total() == lists(n)


def subscription(i: int, customer: str = "acme") -> Subscription:
    return Subscription(
        customer=customer,
        plan="starter",
        contract=SubscriptionContract(start_date=dt.date(2026, 7, 1), duration_months=12),
        metadata={"n": str(i)},
    )


@pytest.mark.parametrize(("managed", "unmanaged"), [(0, 0), (1, 0), (100, 1), (101, 20)])
async def test_fetch_live_costs_lists_plus_one_versions_read_per_managed_subscription(
    emu: Emulated, managed: int, unmanaged: int
) -> None:
    ids = await create_all(emu.writer, CATALOG)  # 1 subscription of its own: acme_main
    resolver = MapResolver(CATALOG, ids)
    subs = {f"s{i}": subscription(i) for i in range(managed)}
    await asyncio.gather(
        *(
            emu.writer.create("/subscriptions", to_wire(sub, key, resolver), key=key)
            for key, sub in subs.items()
        )
    )
    # unmanaged: created by someone else, without our metadata
    foreign = {k: v for k, v in to_wire(subscription(0), "x", resolver).items() if k != "metadata"}
    await asyncio.gather(
        *(emu.writer.create("/subscriptions", foreign, key=f"foreign{i}") for i in range(unmanaged))
    )
    desired = CATALOG.model_copy(update={"subscriptions": {**CATALOG.subscriptions, **subs}})
    await emu.clear_log()
    live = await fetch_live(emu.reader, desired)

    assert live.problems == ()
    assert len(live.subscriptions) == managed + 1
    assert len([u for u in live.unmanaged if u.kind == "subscription"]) == unmanaged
    total_subs = managed + 1 + unmanaged
    for kind in KINDS:
        count = len(getattr(CATALOG, f"{kind}s")) if kind != "subscription" else total_subs
        assert await emu.count("GET", PATH_OF_KIND[kind]) == lists(count), kind
    versions = await emu.count("GET", "/subscriptions/{subscription_id}/versions")
    assert versions == managed + 1  # one per managed subscription, none for unmanaged
    assert await emu.total() == 5 + lists(total_subs) + managed + 1


async def test_fetch_live_of_some_kinds_reads_only_them_and_their_references(
    emu: Emulated,
) -> None:
    await create_all(emu.writer, CATALOG)
    await emu.clear_log()
    live = await fetch_live(emu.reader, CATALOG, ["product"])
    assert set(live.products) == set(CATALOG.products)
    routes = {(r["method"], r["route"]) for r in await emu.requests()}
    assert routes == {("GET", "/products"), ("GET", "/metrics")}
    assert await emu.total() == 2


async def test_an_empty_account_costs_one_request_per_kind(emu: Emulated) -> None:
    live = await fetch_live(emu.reader, DesiredState(environment="test"))
    assert live.unmanaged == ()
    assert await emu.total() == len(KINDS)
