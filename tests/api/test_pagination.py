"""Listing while the account changes, and list responses without the documented shape."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from alguna_emulator import emulator_transport
from reconciler.api import AlgunaReader, HttpCore
from reconciler.api.errors import ApiProtocolError
from tests.api.emulated import Emulated, emulated
from tests.api.in_flight import InFlight


def metric(i: int) -> dict[str, object]:
    return {"name": f"m{i}", "event_name": "e", "aggregation": {"method": "count"}}


async def create(emu: Emulated, numbers: range) -> None:
    await asyncio.gather(*(emu.writer.create("/metrics", metric(i), key=f"m{i}") for i in numbers))


async def list_while_creating(
    emu: Emulated, numbers: range, hold_ms: float
) -> list[dict[str, object]]:
    """List /metrics; as soon as the emulator has answered the first page, create
    `numbers` while the second page request is held (a latency fault on the second GET),
    so the creates land between page 1 and page 2 (checked in the request log)."""
    await emu.clear_log()
    await emu.fault(kind="latency", method="GET", path="/metrics", latency_ms=0, count=1)
    await emu.fault(kind="latency", method="GET", path="/metrics", latency_ms=hold_ms, count=1)
    listing = asyncio.create_task(emu.reader.list_all("/metrics"))
    while not any(r["method"] == "GET" for r in await emu.requests()):
        await asyncio.sleep(0.002)
    await create(emu, numbers)
    listed = await listing
    log = await emu.requests()
    pages = [r["seq"] for r in log if r["method"] == "GET"]
    creates = [r["seq"] for r in log if r["method"] == "POST"]
    assert pages[0] < min(creates) and max(creates) < pages[1]  # between pages 1 and 2
    return listed


async def test_objects_created_between_pages_are_neither_missed_nor_doubled(
    emu: Emulated,
) -> None:
    await create(emu, range(150))
    listed = await list_while_creating(emu, range(150, 201), 1000)  # 2 pages become 3
    ids = [obj["id"] for obj in listed]
    assert len(ids) == len(set(ids)) == 201
    assert {obj["name"] for obj in listed} == {f"m{i}" for i in range(201)}
    # first pass: stops at page 2 (the page count changed under it), then a relist of 3
    assert await emu.count("GET", "/metrics") == 5


async def test_a_few_objects_created_between_pages_need_no_relist(emu: Emulated) -> None:
    await create(emu, range(101))
    listed = await list_while_creating(emu, range(101, 111), 400)  # still 2 pages
    assert len({obj["id"] for obj in listed}) == len(listed) == 111
    assert await emu.count("GET", "/metrics") == 2


async def test_a_list_response_without_data_is_a_protocol_error(emu: Emulated) -> None:
    """The emulator cannot be told to send a malformed list (its faults only answer
    4xx/5xx, and out-of-band edits change objects, not envelopes), so this reads a real
    200 response that has no `data`: a single object, where a list was expected."""
    created = await emu.writer.create("/metrics", metric(1), key="m1")
    await emu.clear_log()
    with pytest.raises(ApiProtocolError, match="no `data` array"):
        await emu.reader.list_all(f"/metrics/{created['id']}")
    with pytest.raises(ApiProtocolError, match="no `data` array"):
        await emu.reader.get_list(f"/metrics/{created['id']}")
    log = await emu.requests()
    assert [r["status"] for r in log] == [200, 200]  # answered, and not retried


class ShortFirstPage(httpx.AsyncBaseTransport):
    """Cuts the first page of every list to half, leaving its page count: a truncated
    answer, as a broken proxy or a faulty server could send."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.method != "GET" or request.url.params.get("offset") != "0":
            return response
        await response.aread()
        body = json.loads(response.content)
        return httpx.Response(200, json={**body, "data": body["data"][: len(body["data"]) // 2]})


async def test_a_short_page_before_the_last_is_refused_not_taken_as_the_list(
    emu: Emulated,
) -> None:
    await create(emu, range(150))
    transport = ShortFirstPage(emulator_transport(app=emu.app))
    async with HttpCore(emu.core.connection, transport) as core:
        with pytest.raises(ApiProtocolError, match="refusing a partial list"):
            await AlgunaReader(core).list_all("/metrics")


async def test_pages_after_the_first_are_read_at_once_within_the_budget() -> None:
    """Once the first page gives `total_pages`, the other pages are requested together:
    the five after the first are all in flight at once (the budget still paces them: its
    bucket and its bound on requests in flight both allow five here); the objects come
    in page order, each once. A count, not a duration: read one after another, at most
    one page would ever be in flight."""
    async with emulated(latency_ms=100) as emu:
        await create(emu, range(550))
        stored = [obj["id"] for obj in await emu.objects("metric")]
        await emu.clear_log()
        counted = InFlight(emulator_transport(app=emu.app))
        async with HttpCore(emu.core.connection, counted) as core:
            listed = await AlgunaReader(core).list_all("/metrics")
        assert await emu.count("GET", "/metrics") == 6
    assert [obj["id"] for obj in listed] == stored
    assert counted.peak == 5
