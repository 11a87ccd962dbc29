"""The control API under ``/_emulator/``: only the emulator serves it, no auth needed.

Owns test-and-demo controls: reset (all accounts or one API key's), the clock (get, set,
advance; moving it delivers the webhooks that came due, see webhooks.dispatcher), fault
rules, out-of-band edits of stored objects (a JSON merge patch, as a person in the
dashboard would make), the request log and counters, and runtime settings (rate limits,
latency). Webhooks and usage have their own routers (webhooks.routes, usage). Must not
emulate Alguna behaviour: these routes bypass every pipeline stage.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .clock import format_ts, parse_ts
from .config import RateLimits, Settings
from .errors import ERROR_RESPONSES, ApiError, validation_detail
from .invoicing.close import close_due
from .pipeline.faults import Fault, FaultSpec
from .pipeline.gate import account_of
from .pipeline.requestlog import Counter, LoggedRequest
from .resources.customers import Customer
from .resources.metrics import Metric
from .resources.plans import StoredPlan
from .resources.products import Product
from .resources.subscription_state import view
from .resources.subscriptions import Subscription
from .resources.versions import Version
from .runtime import Runtime, runtime_of
from .store import AliasTaken, Doc

router = APIRouter(prefix="/_emulator", tags=["emulator control"], responses=ERROR_RESPONSES)

Kind = Literal[
    "metric", "product", "plan", "bundle", "customer", "subscription", "version", "event"
]
ApiKey = Annotated[str | None, Query(description="select one account by its API key")]
_CHECKED: dict[str, type[BaseModel]] = {
    "metric": Metric,
    "product": Product,
    "plan": StoredPlan,
    "customer": Customer,
    "version": Version,
}


class ResetRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    api_key: str | None = None


class ResetResult(BaseModel):
    reset: Literal["all", "account"]


class ClockState(BaseModel):
    now: str
    frozen: bool


class ClockSet(BaseModel):
    model_config = ConfigDict(extra="forbid")
    now: str
    frozen: bool = True


class ClockAdvance(BaseModel):
    model_config = ConfigDict(extra="forbid")
    seconds: Annotated[float, Field(allow_inf_nan=False)] = 0
    days: Annotated[float, Field(allow_inf_nan=False)] = 0


class Listing(BaseModel):
    data: list[dict[str, Any]]


class SettingsPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rate_limits: dict[str, Any] | None = None
    latency_ms: Annotated[float, Field(ge=0, le=600_000)] | None = None


def _clock(runtime: Runtime) -> ClockState:
    return ClockState(now=format_ts(runtime.clock.now()), frozen=runtime.clock.frozen)


@router.post("/reset", response_model=ResetResult)
async def reset(request: Request, body: ResetRequest | None = None) -> ResetResult:
    runtime = runtime_of(request)
    if body is not None and body.api_key:
        runtime.store.reset(account_of(body.api_key))
        return ResetResult(reset="account")
    runtime.store.reset()
    runtime.limiter.reset()
    return ResetResult(reset="all")


@router.get("/clock", response_model=ClockState)
async def get_clock(request: Request) -> ClockState:
    return _clock(runtime_of(request))


@router.put("/clock", response_model=ClockState)
async def set_clock(request: Request, body: ClockSet) -> ClockState:
    try:
        moment = parse_ts(body.now)
    except ValueError as exc:
        raise ApiError(422, str(exc)) from None
    runtime = runtime_of(request)
    runtime.clock.set(moment, frozen=body.frozen)
    close_due(runtime)  # invoice the billing cycles that ended
    await runtime.webhooks.clock_moved()  # deliver (or wake the sender for) what is now due
    return _clock(runtime)


@router.post("/clock/advance", response_model=ClockState)
async def advance_clock(request: Request, body: ClockAdvance) -> ClockState:
    runtime = runtime_of(request)
    try:  # a huge step overflows timedelta or leaves datetime's years 1 to 9999
        runtime.clock.advance(timedelta(days=body.days, seconds=body.seconds))
    except (OverflowError, ValueError):
        raise ApiError(
            422, "the clock cannot move that far: it would leave the years 1 to 9999"
        ) from None
    close_due(runtime)  # invoice the billing cycles that ended
    await runtime.webhooks.clock_moved()  # deliver (or wake the sender for) what is now due
    return _clock(runtime)


@router.get("/faults", response_model=list[Fault])
async def list_faults(request: Request) -> list[Fault]:
    return runtime_of(request).faults.list()


@router.post("/faults", status_code=201, response_model=Fault)
async def add_fault(request: Request, body: FaultSpec) -> Fault:
    return runtime_of(request).faults.add(body)


@router.delete("/faults", status_code=204, response_class=Response)
async def clear_faults(request: Request) -> Response:
    runtime_of(request).faults.clear()
    return Response(status_code=204)


@router.delete("/faults/{fault_id}", status_code=204, response_class=Response)
async def remove_fault(request: Request, fault_id: int) -> Response:
    if not runtime_of(request).faults.remove(fault_id):
        raise ApiError(404, f"fault {fault_id} not found")
    return Response(status_code=204)


def _locate(runtime: Runtime, kind: str, obj_id: str, api_key: str | None) -> tuple[str, Doc]:
    if api_key is not None:
        account = account_of(api_key)
        doc = runtime.store.get(account, kind, obj_id)
        found = [] if doc is None else [(account, doc)]
    else:
        found = runtime.store.locate(kind, obj_id)
    if not found:
        raise ApiError(404, f"{kind} {obj_id} not found")
    if len(found) > 1:
        raise ApiError(409, f"{kind} {obj_id} exists in several accounts; pass api_key")
    return found[0]


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 JSON merge patch: objects merge recursively, null deletes, the rest replaces."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _check(runtime: Runtime, account: str, kind: str, doc: Doc) -> None:
    try:
        if kind in _CHECKED:
            _CHECKED[kind].model_validate(doc)
        elif kind == "subscription":
            Subscription.model_validate(view(runtime.store, account, doc, runtime.clock.now()))
    except ValidationError as exc:
        raise ApiError(
            422, "the edit would leave an unreadable object: " + validation_detail(exc.errors())
        ) from None


@router.get("/objects/{kind}", response_model=Listing)
async def list_objects(request: Request, kind: Kind, api_key: ApiKey = None) -> Listing:
    if api_key is None:
        raise ApiError(400, "api_key is required to list objects")
    return Listing(data=runtime_of(request).store.list(account_of(api_key), kind))


@router.get("/objects/{kind}/{obj_id}", response_model=dict[str, Any])
async def get_object(request: Request, kind: Kind, obj_id: str, api_key: ApiKey = None) -> Doc:
    return _locate(runtime_of(request), kind, obj_id, api_key)[1]


@router.patch("/objects/{kind}/{obj_id}", response_model=dict[str, Any])
async def edit_object(
    request: Request,
    kind: Kind,
    obj_id: str,
    patch: Annotated[dict[str, Any], Body()],
    api_key: ApiKey = None,
) -> Doc:
    runtime = runtime_of(request)
    with runtime.store.transaction():
        account, doc = _locate(runtime, kind, obj_id, api_key)
        if "id" in patch and patch["id"] != obj_id:
            raise ApiError(422, "id cannot be edited")
        edited = merge_patch(doc, patch)
        if "updated_at" in doc and "updated_at" not in patch:
            edited["updated_at"] = format_ts(runtime.clock.now())
        _check(runtime, account, kind, edited)
        if kind == "customer" and "aliases" in patch:
            try:
                runtime.store.set_aliases(account, obj_id, list(edited.get("aliases") or []))
            except AliasTaken as clash:
                raise ApiError(
                    409, f"alias {clash.alias!r} belongs to {clash.customer_id}"
                ) from None
        return runtime.store.replace(account, kind, edited)


@router.get("/requests", response_model=list[LoggedRequest])
async def request_log(
    request: Request, limit: Annotated[int, Query(ge=0, le=10_000)] = 1000
) -> list[LoggedRequest]:
    return runtime_of(request).log.entries(limit)


@router.delete("/requests", status_code=204, response_class=Response)
async def clear_request_log(request: Request) -> Response:
    runtime_of(request).log.clear()
    return Response(status_code=204)


@router.get("/counters", response_model=list[Counter])
async def counters(request: Request) -> list[Counter]:
    return runtime_of(request).log.counters()


@router.get("/settings", response_model=Settings)
async def get_settings(request: Request) -> Settings:
    return runtime_of(request).settings


@router.patch("/settings", response_model=Settings)
async def update_settings(request: Request, body: SettingsPatch) -> Settings:
    runtime = runtime_of(request)
    try:
        if body.rate_limits is not None:
            merged = {**runtime.settings.rate_limits.model_dump(), **body.rate_limits}
            runtime.settings.rate_limits = RateLimits.model_validate(merged)
            runtime.limiter.reset()
        if body.latency_ms is not None:
            runtime.settings.latency_ms = body.latency_ms
    except ValidationError as exc:
        raise ApiError(422, validation_detail(exc.errors())) from None
    return runtime.settings
