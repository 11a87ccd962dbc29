"""`all_of`: await several requests at once, as one: the results in order, or the first
failure with the others cancelled.

`asyncio.gather` leaves the other awaitables running after one fails (their requests go
on being sent, their errors are never retrieved); a `TaskGroup` cancels them, but raises
an `ExceptionGroup`, which callers that handle `ApiError` would not catch. `all_of` is the
`TaskGroup` with the error of the first failure re-raised as it is.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterable
from typing import Any, TypeVar

T = TypeVar("T")


async def all_of(coroutines: Iterable[Coroutine[Any, Any, T]]) -> list[T]:
    """The results of `coroutines`, run concurrently, in their order. When one raises,
    the others are cancelled and that exception propagates (not an `ExceptionGroup`)."""
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(coroutine) for coroutine in coroutines]
    except BaseExceptionGroup as failed:
        raise _first(failed) from None
    return [task.result() for task in tasks]


def _first(group: BaseExceptionGroup[BaseException]) -> BaseException:
    error: BaseException = group.exceptions[0]
    while isinstance(error, BaseExceptionGroup):
        error = error.exceptions[0]
    return error
