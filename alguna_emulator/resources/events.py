"""Usage events: ``POST /events``.

Owns ingestion: at most 100 events per request (400 above), each addressed to a customer by
id or alias, deduplicated on ``unique_id`` per account. A re-sent ``unique_id`` is reported
as ingested and not stored twice (assumed: a client retrying a batch must not see failures);
the answer is the SDK's ``IngestEventsResponse``, ``{ingested, failed}`` and nothing else, so
it does not say which accepted events were already stored. An unknown ``account`` makes that
event fail. Within one batch the first event with a
``unique_id`` counts and later ones are dropped, so each ``unique_id`` is reported once. The
events class of the rate limiter counts events, not requests. Must not aggregate usage into metrics.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field

from ..errors import ApiError
from ..fields import Name, Strict, Timestamp
from ..routing import api_router
from ..runtime import CtxDep
from .lookup import resolve_customer

router = api_router("events")

MAX_EVENTS = 100
PropertyValue = Annotated[str, Field(max_length=1000)] | int | float | bool
Properties = Annotated[
    dict[Annotated[str, Field(max_length=255)], PropertyValue], Field(max_length=50)
]


class Event(Strict):
    unique_id: Annotated[str, Field(min_length=1, max_length=255)]
    account: Annotated[str, Field(min_length=1, max_length=255)]
    event_name: Name
    timestamp: Timestamp | None = None
    properties: Properties = Field(default_factory=dict)


class EventBatch(Strict):
    events: list[Event]


class IngestResult(BaseModel):
    ingested: list[str]
    failed: list[str]


@router.post("/events", response_model=IngestResult)
async def ingest_events(body: EventBatch, ctx: CtxDep) -> dict[str, Any]:
    if len(body.events) > MAX_EVENTS:
        raise ApiError(400, f"at most {MAX_EVENTS} events per request (got {len(body.events)})")
    runtime = ctx.runtime
    runtime.limiter.charge(runtime.settings.rate_limits, ctx.account, "events", len(body.events))
    ingested: list[str] = []
    failed: list[str] = []
    seen: set[str] = set()
    with ctx.store.transaction():
        for event in body.events:
            if event.unique_id in seen:  # the first event with a unique_id in a batch counts
                continue
            seen.add(event.unique_id)
            customer = resolve_customer(ctx, event.account)
            if customer is None:
                failed.append(event.unique_id)
                continue
            ingested.append(event.unique_id)
            if ctx.store.exists(ctx.account, "event", event.unique_id):
                continue
            doc = event.model_dump(mode="json")
            doc.update(
                id=event.unique_id,
                customer_id=customer["id"],
                timestamp=event.timestamp or ctx.now_ts(),
                received_at=ctx.now_ts(),
            )
            ctx.store.insert(ctx.account, "event", doc, parent=customer["id"])
    return {"ingested": ingested, "failed": failed}
