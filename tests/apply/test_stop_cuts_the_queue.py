"""A stop or a failure halfway through a large group leaves the rest pending: only the
lanes under way (`executor.LANES`, as many as the budget lets fly) finish their change.
Before, every lane of the group started at once and checked `stop` before waiting in the
budget's queue, so a stop after 3 of 400 creates still made all 400."""

from __future__ import annotations

import asyncio
from pathlib import Path

from reconciler.apply.executor import LANES
from reconciler.commands.workflow import apply_planned
from reconciler.plan import ApplyStatus
from tests.apply.harness import Recorder, duplicates, workspace

PRODUCTS = 400


def _catalog() -> dict[str, str]:
    return {
        "products.toml": "".join(
            f'[products.p{i:03d}]\nname = "Product {i}"\nfee_type = "fixed"\n'
            'payment_terms = "advance"\nbilling_frequency = "recurring"\n\n'
            for i in range(PRODUCTS)
        )
    }


async def test_a_stop_leaves_the_queued_creates_pending(tmp_path: Path) -> None:
    assert PRODUCTS > 3 + LANES  # else the bound below could not tell
    async with workspace(tmp_path / "project", catalog=_catalog()) as ws:
        planned = await ws.plan()
        stop = asyncio.Event()
        async with ws.target() as target:
            first = await apply_planned(
                planned, target, progress=Recorder(stop=stop, stop_after=3), stop=stop
            )
        assert first.status is ApplyStatus.PARTIAL
        assert 3 <= len(first.applied) <= 3 + LANES, len(first.applied)
        assert len(first.applied) + len(first.pending) == PRODUCTS
        assert len(await ws.control.objects("product")) == len(first.applied)

        async with ws.target() as target:  # and the next apply makes the rest, once each
            second = await apply_planned(await ws.plan(), target)
        assert second.status is ApplyStatus.SUCCESS
        assert len(second.applied) == len(first.pending)
        assert len(await ws.control.objects("product")) == PRODUCTS
        assert await duplicates(ws.control) == {}
