"""`ApiWriter`: the writing face of the API. Only apply holds one.

Every write takes an idempotency key: the caller derives it deterministically from the
plan and the change, so a retry, or a re-run after a crash, cannot execute twice within
the API's 24-hour key window. There is deliberately no way to write without a key.
"""

from __future__ import annotations

from typing import Any, Protocol

from reconciler.api.errors import ApiProtocolError
from reconciler.api.http import HttpCore, Outcome

WireObject = dict[str, Any]


class ApiWriter(Protocol):
    async def create(
        self, path: str, body: WireObject, *, key: str, outcome: Outcome | None = None
    ) -> WireObject: ...

    async def update(self, path: str, body: WireObject, *, key: str) -> WireObject: ...

    async def replace(self, path: str, body: WireObject, *, key: str) -> WireObject: ...

    async def action(
        self, path: str, body: WireObject | None = None, *, key: str
    ) -> WireObject: ...

    async def delete(self, path: str, *, key: str) -> None: ...


class AlgunaWriter:
    """`ApiWriter` over an `HttpCore`: create is POST to a collection, update is PATCH,
    replace is PUT (a whole object: a draft subscription version, the API's only PUT), an
    action is POST to a sub-path (activate, cancel, publish, changes)."""

    def __init__(self, core: HttpCore) -> None:
        self._core = core

    async def create(
        self, path: str, body: WireObject, *, key: str, outcome: Outcome | None = None
    ) -> WireObject:
        """POST `body` to the collection `path`. `outcome.replayed` says whether the API
        answered from its idempotency store (the object was made by an earlier request
        with this key, possibly by another process)."""
        answer = await self._core.request(
            "POST", path, body=body, idempotency_key=key, outcome=outcome
        )
        return _object(answer, "POST", path)

    async def update(self, path: str, body: WireObject, *, key: str) -> WireObject:
        return _object(
            await self._core.request("PATCH", path, body=body, idempotency_key=key), "PATCH", path
        )

    async def replace(self, path: str, body: WireObject, *, key: str) -> WireObject:
        return _object(
            await self._core.request("PUT", path, body=body, idempotency_key=key), "PUT", path
        )

    async def action(self, path: str, body: WireObject | None = None, *, key: str) -> WireObject:
        return _object(
            await self._core.request("POST", path, body=body or {}, idempotency_key=key),
            "POST",
            path,
        )

    async def delete(self, path: str, *, key: str) -> None:
        await self._core.request("DELETE", path, idempotency_key=key)


def _object(body: object, method: str, path: str) -> WireObject:
    if not isinstance(body, dict):
        raise ApiProtocolError(
            method=method, path=path, status=200, detail="expected a JSON object"
        )
    return body
