"""Ctrl-C for long runs (apply, listen): the first stops starting new work, the second
exits at once with status 130.

Used by the synchronous command functions that the CLI calls (`commands.plan_apply`,
`commands.listen`); a Python caller in its own event loop uses the async forms instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Awaitable, Callable
from typing import TypeVar

__all__ = ["run_interruptible"]

T = TypeVar("T")


def _exit_interrupted(signum: int, frame: object) -> None:
    os._exit(130)


def run_interruptible(
    main: Callable[[asyncio.Event], Awaitable[T]], on_first_interrupt: Callable[[], None]
) -> T:
    """Run `main(stop)` to completion. The first Ctrl-C (SIGINT) sets `stop` and calls
    `on_first_interrupt`: work in flight finishes, nothing new starts. The second exits
    at once with status 130; a rerun picks up from there (idempotency keys and natural
    keys make that safe).

    "The second" means any time after the first until the process ends, including after
    `main` has returned and while the caller prints its report: once `stop` is set, a
    handler that exits 130 stays installed (the event loop's own handler goes with the
    loop, and Python's default would raise `KeyboardInterrupt`, which the CLI reports as
    "Aborted!" with status 1); a `KeyboardInterrupt` that slips in while one handler
    replaces the other exits 130 too."""
    interrupted = False

    async def runner() -> T:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()

        def interrupt() -> None:
            nonlocal interrupted
            if stop.is_set():
                os._exit(130)
            interrupted = True
            stop.set()
            on_first_interrupt()

        # Not the main thread, or no signals on this platform: Ctrl-C stays Python's.
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signal.SIGINT, interrupt)
        return await main(stop)

    try:
        result = asyncio.run(runner())
        if interrupted:
            with contextlib.suppress(ValueError):  # not the main thread
                signal.signal(signal.SIGINT, _exit_interrupted)
    except KeyboardInterrupt:
        if interrupted:
            os._exit(130)
        raise
    return result
