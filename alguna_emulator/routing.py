"""How API resource routers are built, and the list-endpoint conventions they share.

Owns the router defaults every Alguna route has (documented error responses, the
``Alguna-Version`` header and bearer auth in the OpenAPI document, responses that carry
every field, ``null`` when unset) and pagination/sorting of lists. Enforcement of the headers
happens earlier, in the gate stage; the declarations here document them for clients and
schemathesis. Must not know any particular resource.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Coroutine, Sequence
from typing import Annotated, Any, Generic, Literal, TypeVar

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from .errors import ERROR_RESPONSES, ApiError
from .store import Doc, Store

API_VERSION = "2026-04-01"
T = TypeVar("T")
_bearer = HTTPBearer(auto_error=False, description="Any non-empty API key; one key = one account")


def _documented_idempotency_key(
    idempotency_key: Annotated[
        str | None, Header(alias="Idempotency-Key", min_length=1, max_length=255)
    ] = None,
) -> None:
    # Honoured by the idempotency stage; declared so the OpenAPI document shows it.
    del idempotency_key


class WireRoute(APIRoute):
    """Alguna's route conventions.

    Responses carry every field of their model, ``null`` when the stored object lacks it (so
    an out-of-band edit that deletes a field still shows it; only a price's nine unused
    ``*_pricing_model`` objects are left out, by the price model itself); writes other than
    ``POST /events`` document the ``Idempotency-Key`` header; on paginated lists, query
    parameters the route does not take are a 400, not ignored.
    """

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        writes = set(kwargs.get("methods") or ()) & {"POST", "PUT", "PATCH", "DELETE"}
        if writes and path != "/events":
            kwargs["dependencies"] = [
                *(kwargs.get("dependencies") or []),
                Depends(_documented_idempotency_key),
            ]
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """On list endpoints, refuse query parameters the route does not take (400) instead
        of ignoring them: a misspelt filter must not silently list everything."""
        handler = super().get_route_handler()
        known = _query_names(self.dependant)
        if "limit" not in known:  # not a paginated list: extra parameters stay ignored
            return handler
        where = f"{'/'.join(sorted(self.methods or ()))} {self.path}"

        async def checked(request: Request) -> Response:
            unknown = sorted(set(request.query_params) - known)
            if unknown:
                raise ApiError(400, _unknown_query_detail(unknown, known, where))
            return await handler(request)

        return checked


def _query_names(dependant: Dependant) -> set[str]:
    names = {field.alias for field in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def _unknown_query_detail(unknown: list[str], known: set[str], where: str) -> str:
    if "sort" in unknown:
        return f"sort is not supported on {where}"
    shown = ", ".join(sorted(known)) or "none"
    names = ", ".join(unknown)
    return f"unknown query parameter(s) {names} for {where} (accepted: {shown})"


def _documented_headers(
    alguna_version: Annotated[Literal["2026-04-01"], Header(alias="Alguna-Version")],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    # Checked (with the API's own status codes) by the gate stage before routing.
    del alguna_version, credentials


def api_router(tag: str) -> APIRouter:
    """A router for one Alguna resource."""
    return APIRouter(
        tags=[tag],
        route_class=WireRoute,
        responses=ERROR_RESPONSES,
        dependencies=[Depends(_documented_headers)],
    )


class Pagination(BaseModel):
    per_page: int
    total_pages: int


class ListParams(BaseModel):
    """``limit`` (1..100, default 20) and ``offset`` of a list request."""

    limit: int
    offset: int


def _list_params(
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> ListParams:
    return ListParams(limit=limit, offset=offset)


ListParamsDep = Annotated[ListParams, Depends(_list_params)]
SortParam = Annotated[str | None, Query(max_length=100, description="field:asc|desc")]


def csv_values(raw: str | None) -> list[str]:
    """Comma-separated filter values (``?status=active,draft`` means IN)."""
    if raw is None:
        return []
    return [part.strip() for part in raw.split(",") if part.strip()]


def csv_enum(raw: str | None, name: str, allowed: Sequence[str]) -> list[str]:
    """``csv_values`` of a filter over a closed set of values: an unknown value is a 400."""
    values = csv_values(raw)
    bad = [value for value in values if value not in allowed]
    if bad:
        raise ApiError(400, f"invalid {name} {', '.join(bad)}; use {', '.join(allowed)}")
    return values


def sort_docs(docs: list[Doc], sort: str | None, allowed: Sequence[str]) -> list[Doc]:
    """Apply ``sort=field:order``; without it keep creation order (stable, assumed)."""
    if sort is None:
        return docs
    field, _, order = sort.partition(":")
    order = order or "asc"
    if field not in allowed or order not in ("asc", "desc"):
        fields = ", ".join(allowed)
        raise ApiError(400, f"invalid sort {sort!r}; use one of {fields} with :asc or :desc")
    # Missing values sort first ascending; creation order breaks ties (Python's sort is stable).
    return sorted(
        docs,
        key=lambda doc: (doc.get(field) is not None, str(doc.get(field) or "")),
        reverse=order == "desc",
    )


def page(docs: list[Doc], params: ListParams) -> dict[str, Any]:
    """The ``{data, pagination}`` envelope of one page."""
    total_pages = math.ceil(len(docs) / params.limit)
    return {
        "data": docs[params.offset : params.offset + params.limit],
        "pagination": {"per_page": params.limit, "total_pages": total_pages},
    }


def store_order(sort: str | None, allowed: Sequence[str]) -> tuple[bool, str | None]:
    """Whether `Store.page` can serve `sort` (none, or by `created_at`), and the order to
    pass it. Raises the same 400 as `sort_docs` for a sort the route does not allow."""
    if sort is None:
        return True, None
    sort_docs([], sort, allowed)
    field, _, order = sort.partition(":")
    return field == "created_at", f"created_at:{order or 'asc'}"


def stored_page(
    store: Store, account: str, kind: str, params: ListParams, order: str | None = None
) -> dict[str, Any]:
    """The page `page(sort_docs(store.list(...)), params)` gives (`order` from
    `store_order`), read from the store with SQL `LIMIT`/`OFFSET`: only the page is
    decoded, so serving a page costs the page, not the kind."""
    docs, count = store.page(account, kind, params.offset, params.limit, order)
    return {
        "data": docs,
        "pagination": {"per_page": params.limit, "total_pages": math.ceil(count / params.limit)},
    }


class Page(BaseModel, Generic[T]):
    """A list response: one page of objects and how many pages there are."""

    data: list[T]
    pagination: Pagination
