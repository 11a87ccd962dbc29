"""Billable metrics: ``/metrics`` create, list and get; no update (the official SDK has none,
so ``PATCH /metrics/{id}`` is a 405 like any method a route lacks: metrics are write-once).

Owns the metric shape and its rules (non-count aggregations need a ``field``). Must not deal
with usage events: those live in the events resource.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from fastapi import Query
from pydantic import Field, model_validator

from ..fields import Name, Ref, Strict, Text, TextOrEmpty
from ..ids import new_id
from ..routing import (
    ListParamsDep,
    Page,
    SortParam,
    api_router,
    csv_enum,
    csv_values,
    page,
    sort_docs,
    store_order,
    stored_page,
)
from ..runtime import CtxDep
from .lookup import get_or_404

router = api_router("metrics")

Method = Literal["count", "count_unique", "sum", "average", "min", "max"]
_SORTABLE = ("created_at", "updated_at", "name", "event_name")


class Aggregation(Strict):
    method: Method
    field: Name | None = None


class Filter(Strict):
    field: Name
    operator: Name
    value: Annotated[str, Field(max_length=1000)]


class FilterGroup(Strict):
    operator: Literal["and", "or"]
    filters: Annotated[list[Filter], Field(max_length=50)] = Field(default_factory=list)


def _check_aggregation(aggregation: Aggregation | None) -> None:
    if aggregation is not None and aggregation.method != "count" and not aggregation.field:
        raise ValueError(f"aggregation.field is required for method {aggregation.method!r}")


class MetricCreate(Strict):
    name: Name
    description: Text | None = None
    event_name: Name
    aggregation: Aggregation
    filter_groups: Annotated[list[FilterGroup], Field(max_length=20)] = Field(default_factory=list)
    tag_ids: Annotated[list[Ref], Field(max_length=50)] = Field(default_factory=list)

    @model_validator(mode="after")
    def _rules(self) -> MetricCreate:
        _check_aggregation(self.aggregation)
        return self


class AggregationOut(Aggregation):
    """The SDK's ``AggregationResponse``: ``field`` is always there, ``""`` for ``count``."""

    field: TextOrEmpty = ""


class Metric(MetricCreate):
    aggregation: AggregationOut
    id: str
    created_at: str
    updated_at: str


@router.post("/metrics", status_code=201, response_model=Metric)
async def create_metric(body: MetricCreate, ctx: CtxDep) -> dict[str, Any]:
    now = ctx.now_ts()
    doc = {"id": new_id("metric"), **body.model_dump(mode="json")}
    doc.update(created_at=now, updated_at=now)
    return ctx.store.insert(ctx.account, "metric", doc)


@router.get("/metrics", response_model=Page[Metric])
async def list_metrics(
    ctx: CtxDep,
    params: ListParamsDep,
    sort: SortParam = None,
    event_name: Annotated[str | None, Query(max_length=1000)] = None,
    aggregation_method: Annotated[str | None, Query(max_length=1000)] = None,
    aggregation_field: Annotated[str | None, Query(max_length=1000)] = None,
    tag_ids: Annotated[str | None, Query(max_length=1000)] = None,
) -> dict[str, Any]:
    stored, order = store_order(sort, _SORTABLE)
    if stored and (event_name, aggregation_method, aggregation_field, tag_ids) == (None,) * 4:
        return stored_page(ctx.store, ctx.account, "metric", params, order)
    docs = ctx.store.list(ctx.account, "metric")
    if wanted := csv_values(event_name):
        docs = [d for d in docs if d["event_name"] in wanted]
    if wanted := csv_enum(aggregation_method, "aggregation_method", get_args(Method)):
        docs = [d for d in docs if d["aggregation"]["method"] in wanted]
    if wanted := csv_values(aggregation_field):
        docs = [d for d in docs if d["aggregation"].get("field") in wanted]
    if wanted := csv_values(tag_ids):
        docs = [d for d in docs if set(wanted) & set(d.get("tag_ids", []))]
    return page(sort_docs(docs, sort, _SORTABLE), params)


@router.get("/metrics/{metric_id}", response_model=Metric)
async def get_metric(metric_id: str, ctx: CtxDep) -> dict[str, Any]:
    return get_or_404(ctx, "metric", metric_id)
