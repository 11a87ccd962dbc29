"""Opening an environment from the command line: the embedded emulator for `api =
"embedded"`, the network otherwise, and Ctrl-C handling for long runs.

The emulator is imported here lazily, only when an embedded environment is opened, so
commands against a remote API never load it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from reconciler.cli.sandbox_extra import require_sandbox
from reconciler.commands.project import Project

T = TypeVar("T")


def transport_for(project: Project, name: str) -> Any:
    """The in-process emulator transport of an embedded environment (data in its `db`,
    default `.billing/<env>.db`), else None (the network)."""
    settings = project.settings.environments[name]
    if not settings.embedded:
        return None
    require_sandbox(f"embedded environment {name!r}")
    from alguna_emulator import emulator_transport

    db = project.embedded_db(name)
    db.parent.mkdir(parents=True, exist_ok=True)
    return emulator_transport(db_path=str(db))


def run_interruptible(
    main: Callable[[asyncio.Event], Awaitable[T]], on_first_interrupt: Callable[[], None]
) -> T:
    """Run `main(stop)` to completion. The first Ctrl-C (SIGINT) sets `stop` and calls
    `on_first_interrupt`: work in flight finishes, nothing new starts. The second exits
    at once with status 130; a rerun picks up from there (idempotency keys and natural
    keys make that safe)."""

    async def runner() -> T:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()

        def interrupt() -> None:
            if stop.is_set():
                os._exit(130)
            stop.set()
            on_first_interrupt()

        # Not the main thread, or no signals on this platform: Ctrl-C stays Python's.
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signal.SIGINT, interrupt)
        try:
            return await main(stop)
        finally:
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(signal.SIGINT)

    return asyncio.run(runner())
