"""The webhook control API under ``/_emulator/webhooks`` (emulator only, never Alguna's).

Owns endpoint registration (the stand-in for the dashboard's Settings → Webhooks), the
message and delivery logs, on-demand delivery, test events for types the emulator does not
model, and the delivery settings. An endpoint, message or log query belongs to the account
of the ``Authorization: Bearer`` key if one is sent (what ``billing listen`` does), else of
the ``api_key`` given in the body or query; an endpoint registered with neither receives
every account's events. A secret is returned once, when the emulator generates it, and never
listed. Must not emit lifecycle events itself.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..errors import ERROR_RESPONSES, ApiError
from ..pipeline.gate import account_of, bearer_key
from ..runtime import Ctx, Runtime, runtime_of
from . import outbox
from .dispatcher import Attempt, DeliveryMode, WebhookSettings
from .events import emit
from .signing import check_secret, new_secret

router = APIRouter(
    prefix="/_emulator/webhooks", tags=["emulator webhooks"], responses=ERROR_RESPONSES
)

_URL = r"^https?://[^\s/]+(/\S*)?$"
_TYPE = re.compile(r"^[a-z*?_.\[\]-]{1,100}$")
Url = Annotated[str, Field(pattern=_URL, max_length=2000)]
Secret = Annotated[str, Field(min_length=1, max_length=500)]
EventTypes = Annotated[list[str], Field(min_length=1, max_length=100)]
ApiKeyQuery = Annotated[str | None, Query(description="the account, if no bearer key is sent")]


def _types(value: list[str] | None) -> list[str] | None:
    for event_type in value or []:
        if not _TYPE.match(event_type):
            raise ValueError(
                f"event type {event_type!r} is not a type name or pattern (e.g. subscription.*)"
            )
    return value


def _secret(value: str | None) -> str | None:
    return None if value is None else check_secret(value)


class EndpointIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Url
    secret: Secret | None = None
    event_types: EventTypes | None = None
    description: Annotated[str, Field(max_length=500)] | None = None

    @field_validator("event_types")
    @classmethod
    def _check_types(cls, value: list[str] | None) -> list[str] | None:
        return _types(value)

    @field_validator("secret")
    @classmethod
    def _check_secret(cls, value: str | None) -> str | None:
        return _secret(value)


class EndpointCreate(EndpointIn):
    api_key: Annotated[str, Field(min_length=1, max_length=500)] | None = None
    source: Annotated[str, Field(min_length=1, max_length=50)] | None = None


class Endpoint(BaseModel):
    id: str
    all_accounts: bool
    url: str
    event_types: list[str] | None
    source: str | None
    description: str | None
    created_at: str
    secrets: int = Field(description="how many secrets are valid (2 while rotating)")


class EndpointCreated(Endpoint):
    secret: str | None = Field(
        description="the signing secret, shown once when the emulator generated it"
    )


class EndpointSync(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: Annotated[str, Field(min_length=1, max_length=50)]
    endpoints: Annotated[list[EndpointIn], Field(max_length=100)]
    api_key: Annotated[str, Field(min_length=1, max_length=500)] | None = None

    @field_validator("endpoints")
    @classmethod
    def _secrets_given(cls, value: list[EndpointIn]) -> list[EndpointIn]:
        if any(entry.secret is None for entry in value):
            raise ValueError("every synced endpoint needs its secret")
        return value


class Rotate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    secret: Secret | None = None

    @field_validator("secret")
    @classmethod
    def _check_secret(cls, value: str | None) -> str | None:
        return _secret(value)


class Rotated(BaseModel):
    endpoint: Endpoint
    secret: str | None = Field(description="the new secret, if the emulator generated it")


class Trigger(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Annotated[str, Field(pattern=r"^[a-z][a-z_.]{0,99}$")]
    data: dict[str, Any] = Field(default_factory=lambda: {"test": True})
    api_key: Annotated[str, Field(min_length=1, max_length=500)] | None = None


class Triggered(BaseModel):
    id: str
    type: str


class Message(BaseModel):
    id: str
    type: str
    at: str
    payload: dict[str, Any]


class AttemptRecord(BaseModel):
    attempt: int
    at: str
    status: int | None
    error: str | None
    duration_ms: float
    response: str


class Delivery(BaseModel):
    id: str
    message_id: str
    endpoint_id: str
    type: str
    state: Literal["pending", "sending", "succeeded", "failed", "canceled"]
    attempts: list[AttemptRecord]
    next_attempt_at: str | None


class Round(BaseModel):
    attempts: list[Attempt]


class SettingsPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    delivery: DeliveryMode | None = None
    timeout_seconds: Annotated[float, Field(gt=0, le=120)] | None = None


def _account(request: Request, api_key: str | None) -> str | None:
    """The account a control request speaks for: its bearer key's, else ``api_key``'s."""
    key = bearer_key(request.headers) or api_key
    return None if key is None else account_of(key)


@router.post("/endpoints", status_code=201, response_model=EndpointCreated)
async def add_endpoint(request: Request, body: EndpointCreate) -> dict[str, Any]:
    runtime = runtime_of(request)
    secret = body.secret or new_secret()
    made = outbox.add_endpoint(
        runtime.store,
        account=_account(request, body.api_key),
        url=body.url,
        secret=secret,
        event_types=body.event_types,
        source=body.source,
        description=body.description,
        now=runtime.clock.now(),
    )
    return {**made, "secret": None if body.secret else secret}


@router.get("/endpoints", response_model=list[Endpoint])
async def list_endpoints(request: Request, api_key: ApiKeyQuery = None) -> list[dict[str, Any]]:
    return outbox.list_endpoints(runtime_of(request).store, _account(request, api_key))


@router.put("/endpoints", response_model=list[Endpoint])
async def sync_endpoints(request: Request, body: EndpointSync) -> list[dict[str, Any]]:
    runtime = runtime_of(request)
    return outbox.sync_endpoints(
        runtime.store,
        account=_account(request, body.api_key),
        source=body.source,
        wanted=[entry.model_dump() for entry in body.endpoints],
        now=runtime.clock.now(),
    )


@router.delete("/endpoints/{endpoint_id}", status_code=204, response_class=Response)
async def remove_endpoint(request: Request, endpoint_id: str) -> Response:
    if not outbox.remove_endpoint(runtime_of(request).store, endpoint_id):
        raise ApiError(404, f"webhook endpoint {endpoint_id} not found")
    return Response(status_code=204)


@router.post("/endpoints/{endpoint_id}/rotate", response_model=Rotated)
async def rotate_secret(
    request: Request, endpoint_id: str, body: Rotate | None = None
) -> dict[str, Any]:
    runtime = runtime_of(request)
    given = body.secret if body is not None else None
    secret = given or new_secret()
    endpoint = outbox.rotate_secret(runtime.store, endpoint_id, secret, runtime.clock.now())
    if endpoint is None:
        raise ApiError(404, f"webhook endpoint {endpoint_id} not found")
    return {"endpoint": endpoint, "secret": None if given else secret}


@router.post("/trigger", status_code=201, response_model=Triggered)
async def trigger(request: Request, body: Trigger) -> Triggered:
    runtime = runtime_of(request)
    account = _account(request, body.api_key)
    if account is None:
        raise ApiError(400, "send a bearer API key or api_key: events belong to an account")
    with runtime.store.transaction():
        message_id = emit(Ctx(runtime, account), body.type, body.data)
    return Triggered(id=message_id, type=body.type)


@router.post("/deliver", response_model=Round)
async def deliver(request: Request) -> Round:
    return Round(attempts=await runtime_of(request).webhooks.deliver_due())


@router.get("/messages", response_model=list[Message])
async def list_messages(
    request: Request,
    api_key: ApiKeyQuery = None,
    type: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> list[dict[str, Any]]:
    return outbox.list_messages(runtime_of(request).store, _account(request, api_key), type, limit)


@router.get("/deliveries", response_model=list[Delivery])
async def list_deliveries(
    request: Request,
    api_key: ApiKeyQuery = None,
    endpoint_id: Annotated[str | None, Query(max_length=100)] = None,
    message_id: Annotated[str | None, Query(max_length=100)] = None,
    state: Annotated[str | None, Query(max_length=20)] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> list[dict[str, Any]]:
    return outbox.list_deliveries(
        runtime_of(request).store,
        account=_account(request, api_key),
        endpoint_id=endpoint_id,
        message_id=message_id,
        state=state,
        limit=limit,
    )


def _settings(runtime: Runtime) -> WebhookSettings:
    return runtime.webhooks.settings


@router.get("/settings", response_model=WebhookSettings)
async def get_settings(request: Request) -> WebhookSettings:
    return _settings(runtime_of(request))


@router.patch("/settings", response_model=WebhookSettings)
async def update_settings(request: Request, body: SettingsPatch) -> WebhookSettings:
    runtime = runtime_of(request)
    runtime.webhooks.configure(delivery=body.delivery, timeout=body.timeout_seconds)
    return _settings(runtime)
