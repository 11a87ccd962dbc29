"""`ApiReader`: the read-only face of the API (list and get). The planner gets only this.

Lists page with `limit=100` and stop at the last page the API reports (`total_pages`), so
N objects cost ceil(N/100) requests (one for none); the first page gives that count, and
the other pages are then requested at once (the budget paces them). Objects created while
paging are neither missed nor counted twice: pages are read in creation order where the
endpoint sorts, results are deduplicated by id, and when the page count changes
mid-listing (pages are checked in order) the list is read again from the start, at most
`MAX_RELISTS` times: a list whose page count moves during every read is an error, as is
one announcing more than `MAX_PAGES` pages (a server whose `total_pages` keeps growing is
never followed). A response without the documented `data` list is an error, never an
empty account.
"""

from __future__ import annotations

from typing import Any, Protocol

from reconciler.api.errors import ApiProtocolError
from reconciler.api.http import HttpCore
from reconciler.api.tasks import all_of

PAGE_SIZE = 100
MAX_RELISTS = 3
# 1,000,000 objects of one kind: far beyond any catalog, far below "never stops".
MAX_PAGES = 10_000

# Endpoints whose list accepts `sort` (the official SDK's list operations: products and
# bundles take none; see docs/api-compatibility.md).
SORTABLE = frozenset({"/metrics", "/plans", "/customers", "/subscriptions"})

WireObject = dict[str, Any]


class ApiReader(Protocol):
    """What planning needs: reads only."""

    async def list_all(
        self, path: str, params: dict[str, str | int] | None = None
    ) -> list[WireObject]: ...

    async def get(self, path: str) -> WireObject: ...

    async def get_list(self, path: str) -> list[WireObject]: ...


class AlgunaReader:
    """`ApiReader` over an `HttpCore`."""

    def __init__(self, core: HttpCore) -> None:
        self._core = core

    async def get(self, path: str) -> WireObject:
        body = await self._core.request("GET", path)
        if not isinstance(body, dict):
            raise ApiProtocolError(
                method="GET", path=path, status=200, detail="expected a JSON object"
            )
        return body

    async def get_list(self, path: str) -> list[WireObject]:
        """An unpaginated list (`{data: [...]}`), e.g. a subscription's versions."""
        body = await self._core.request("GET", path)
        return _data(body, path)

    async def list_all(
        self, path: str, params: dict[str, str | int] | None = None
    ) -> list[WireObject]:
        merged: dict[str, WireObject] = {}
        moves: list[str] = []
        for _ in range(MAX_RELISTS + 1):
            items, moved = await self._list_once(path, params or {})
            for item in items:
                merged.setdefault(str(item.get("id")), item)
            if moved is None:
                return list(merged.values())
            moves.append(moved)
        raise ApiProtocolError(
            method="GET",
            path=path,
            status=200,
            detail=f"the page count changed during each of {len(moves)} reads"
            f" (last: {moves[-1]}); refusing a list that does not hold still",
        )

    async def _list_once(
        self, path: str, params: dict[str, str | int]
    ) -> tuple[list[WireObject], str | None]:
        """One read from the first page: the objects, and how `total_pages` moved (None
        when it held still, and the read is complete).

        The first page says how many there are; the others are then requested at once
        (`all_of`: the budget paces them, so a kind of 34 pages costs about one latency
        instead of 34) and checked in page order, as a read one after another would."""
        data, first = await self._page(path, params, 0)
        if first > MAX_PAGES:
            raise ApiProtocolError(
                method="GET",
                path=path,
                status=200,
                detail=f"the list announces {first} pages, more than the"
                f" {MAX_PAGES} a read follows; refusing it",
            )
        pages = [(data, first)]
        if len(data) == PAGE_SIZE and first > 1:
            pages += await all_of(self._page(path, params, n) for n in range(1, first))
        items: list[WireObject] = []
        for page, (data, total) in enumerate(pages, start=1):
            items.extend(data)
            if total != first:
                return items, f"{first} then {total} pages at page {page}"
            if len(data) < PAGE_SIZE and page < total:
                # A short page before the last one announced: objects are missing from
                # this read (the API has no deletes). Never plan from a partial list.
                raise ApiProtocolError(
                    method="GET",
                    path=path,
                    status=200,
                    detail=f"page {page} of {total} held {len(data)} of {PAGE_SIZE} objects;"
                    " refusing a partial list",
                )
            if len(data) < PAGE_SIZE:
                break
        return items, None

    async def _page(
        self, path: str, params: dict[str, str | int], page: int
    ) -> tuple[list[WireObject], int]:
        """Page `page` (from 0): its objects and the `total_pages` it announces."""
        query: dict[str, str | int] = {**params, "limit": PAGE_SIZE, "offset": page * PAGE_SIZE}
        if path in SORTABLE:
            query.setdefault("sort", "created_at:asc")
        body = await self._core.request("GET", path, params=query)
        return _data(body, path), _total_pages(body, path)


def _data(body: object, path: str) -> list[WireObject]:
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise ApiProtocolError(
            method="GET",
            path=path,
            status=200,
            detail="the list response has no `data` array; refusing to treat it as empty",
        )
    return data


def _total_pages(body: object, path: str) -> int:
    pagination = body.get("pagination") if isinstance(body, dict) else None
    total = pagination.get("total_pages") if isinstance(pagination, dict) else None
    if not isinstance(total, int) or total < 0:
        raise ApiProtocolError(
            method="GET",
            path=path,
            status=200,
            detail="the list response has no `pagination.total_pages`",
        )
    return total
