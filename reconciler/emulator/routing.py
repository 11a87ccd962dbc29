"""How API resource routers are built, and the list-endpoint conventions they share.

Owns the router defaults every Alguna route has (documented error responses, the
``Alguna-Version`` header and bearer auth in the OpenAPI document, responses that omit fields
a stored object does not have) and pagination/sorting of lists. Enforcement of the headers
happens earlier, in the gate stage; the declarations here document them for clients and
schemathesis. Must not know any particular resource.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Generic, Literal, TypeVar

from fastapi import APIRouter, Depends, Header, Query
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from .errors import ERROR_RESPONSES, ApiError
from .store import Doc

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

    Responses leave out fields a stored object lacks (e.g. the nine unused pricing models),
    and writes other than ``POST /events`` document the ``Idempotency-Key`` header.
    """

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        kwargs["response_model_exclude_unset"] = True
        writes = set(kwargs.get("methods") or ()) & {"POST", "PATCH", "DELETE"}
        if writes and path != "/events":
            kwargs["dependencies"] = [
                *(kwargs.get("dependencies") or []),
                Depends(_documented_idempotency_key),
            ]
        super().__init__(path, endpoint, **kwargs)


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


class Page(BaseModel, Generic[T]):
    """A list response: one page of objects and how many pages there are."""

    data: list[T]
    pagination: Pagination
