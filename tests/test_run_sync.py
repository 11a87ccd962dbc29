"""`commands.interrupt.run_sync`: `asyncio.run` without the full repr of the result, which
Python's SIGINT bookkeeping in `asyncio.run` builds on the way out (issue 19: 0.5 s and
27 MB at the end of `billing plan` at 10,000 resources)."""

from __future__ import annotations

import asyncio
import signal
import sys

from reconciler.commands.interrupt import run_sync


class Counted:
    """A result that counts how often its repr is built."""

    reprs = 0

    def __repr__(self) -> str:
        Counted.reprs += 1
        return "Counted()"


async def _result() -> Counted:
    await asyncio.sleep(0)
    return Counted()


def test_the_result_comes_back_without_its_repr() -> None:
    # asyncio.run installs its own SIGINT handler (the cause) only over the default one.
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    Counted.reprs = 0
    result = run_sync(_result())
    assert isinstance(result, Counted)
    assert Counted.reprs == 0
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_what_asyncio_run_does_without_it() -> None:
    """Why the box: before Python 3.13 (whose `signal.getsignal` checks the handler's
    type first) the plain call builds the repr, twice."""
    Counted.reprs = 0
    asyncio.run(_result())
    assert Counted.reprs == (0 if sys.version_info >= (3, 13) else 2)
