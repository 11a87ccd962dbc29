"""An asyncio event loop on a virtual clock, for tests of pacing and deadlines.

`loop.time()` starts at 0 and moves only when the loop has nothing to run: then it jumps
to the next timer instead of sleeping. Everything the client paces or bounds with the
loop's clock (aiolimiter's buckets, `asyncio.sleep`, `asyncio.timeout`, the retry loop's
waits) then takes exactly the time its own arithmetic says, however slow or loaded the machine
is: a rate measured in loop time is the rate the code chose, never the CPU it was given.
A test on this clock runs in a fraction of the virtual time it measures.

The clock is exact only for work that stays on the loop: I/O and other threads are
waited for in real time, and a timer due meanwhile jumps ahead of them. So it runs the
client against `StubApi` (tests/api/stub.py, answers computed on the loop), not the
emulator (whose FastAPI dependencies run in a thread pool). Code that reads
`time.monotonic()` itself (the command deadline, the retry policy's total time) sees real
time, which here barely moves.
"""

from __future__ import annotations

import asyncio
import selectors
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


# A real clock moves between two turns of the loop; this one moves at least a tick when a
# timer is already due, or a callback that reschedules itself "now" (aiolimiter does, when
# float rounding leaves a bucket a hair short of the token it waited for) would spin.
TICK = 1e-9


class _Skipping(selectors.DefaultSelector):
    """Polls without blocking; when nothing is ready and the loop would sleep until its
    next timer, moves the clock to that timer instead."""

    def __init__(self, loop: VirtualClockLoop) -> None:
        super().__init__()
        self._loop = loop

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        if timeout is None:
            return super().select(None)  # no timer: wait for I/O or a thread for real
        ready = super().select(0)
        if not ready and timeout > 0:
            self._loop.advance(timeout)
        elif not ready and not getattr(self._loop, "_ready", True):
            self._loop.advance(TICK)  # nothing to run but a timer already due
        return ready


class VirtualClockLoop(asyncio.SelectorEventLoop):
    """A selector loop whose `time()` is virtual (see the module)."""

    def __init__(self) -> None:
        self._now = 0.0
        super().__init__(_Skipping(self))

    def time(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += seconds


def run_virtual(main: Coroutine[Any, Any, T]) -> T:
    """Run `main` to completion on a fresh `VirtualClockLoop`, then close it."""
    loop = VirtualClockLoop()
    try:
        return loop.run_until_complete(main)
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
