"""`all_of`: concurrent awaits that fail as one: the first error as it is, the rest
cancelled (what `asyncio.gather` does not do)."""

from __future__ import annotations

import asyncio

import pytest

from reconciler.api.errors import ApiProtocolError
from reconciler.api.tasks import all_of
from tests.virtual_clock import run_virtual


async def test_results_come_in_the_order_given() -> None:
    async def later(value: int) -> int:
        await asyncio.sleep(0.01 * (5 - value))
        return value

    assert await all_of(later(n) for n in range(5)) == [0, 1, 2, 3, 4]


def test_the_first_failure_is_raised_as_it_is_and_the_others_are_cancelled() -> None:
    """On the virtual clock (tests/virtual_clock.py): the failure at 0.01 s ends the
    whole at 0.01 s; waiting for the others would end it at 10 s."""
    cancelled: list[int] = []

    async def slow(n: int) -> int:
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.append(n)
            raise
        return n

    async def fails() -> int:
        await asyncio.sleep(0.01)
        raise ApiProtocolError(method="GET", path="/metrics", status=200, detail="broken")

    async def run() -> float:
        with pytest.raises(ApiProtocolError, match="broken"):
            await all_of([slow(1), fails(), slow(2)])
        return asyncio.get_running_loop().time()

    assert run_virtual(run()) == pytest.approx(0.01, abs=1e-6)
    assert sorted(cancelled) == [1, 2]
