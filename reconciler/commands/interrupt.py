"""Ctrl-C for long runs (apply, listen): the first stops starting new work, the second
exits at once with status 130. And `run_sync`: `asyncio.run` without the repr of the
result.

Used by the synchronous command functions that the CLI calls (`commands.plan_apply`,
`commands.listen`, `commands.library`); a Python caller in its own event loop uses the
async forms instead.

Why `run_sync`: on the main thread, `asyncio.run` installs a SIGINT handler holding its
main task, and on the way out `signal.getsignal` fails to read that handler as a
`signal.Handlers` member (before Python 3.13, which checks its type first); the
ValueError it builds (and drops) has the handler's repr in its message, which includes
the finished task's, which includes `reprlib.repr` of its result, which calls the
result's full `repr` before cutting it. For a plan at 10,000 resources that is an
11.7 MB string built twice: 0.5 s of CPU and 27 MB at the end of `billing plan` (issue
19). `run_sync` returns the result inside a box whose repr is short.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

__all__ = ["run_interruptible", "run_sync"]

T = TypeVar("T")


class _Boxed(Generic[T]):
    """A result that `asyncio.run` may repr without walking it (module docstring)."""

    __slots__ = ("value",)

    def __init__(self, value: T) -> None:
        self.value = value

    def __repr__(self) -> str:
        return f"<{type(self.value).__name__}>"


async def _boxed(main: Awaitable[T]) -> _Boxed[T]:
    return _Boxed(await main)


def run_sync(main: Awaitable[T]) -> T:
    """`asyncio.run(main)`, without the full repr of its result on the way out."""
    return asyncio.run(_boxed(main)).value


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
