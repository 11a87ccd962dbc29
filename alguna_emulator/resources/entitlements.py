"""Entitlement reads: ``GET /customers/{id}/entitlements``, ``GET /subscriptions/{id}/entitlements``
and ``GET /subscriptions/{id}/entitlements/{key}``, in the official SDK's shapes.

Owns which entitlements are in force: those of the current published version of each active
subscription (the SDK's descriptions), one entry per entitlement, named by ``key`` and tagged
with the ``subscription_id`` and ``version_id`` it comes from. A subscription that is not
active, or has no current version, has none. Must not write: entitlements are set on plans
and versions.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from ..errors import not_found
from ..routing import api_router
from ..runtime import Ctx, CtxDep
from ..store import Doc
from .lookup import get_or_404, resolve_customer
from .subscription_state import current_version, status_of

router = api_router("entitlements")


class EntitlementView(BaseModel):
    """The SDK's ``EntitlementResponse``."""

    key: str | None = None
    type: str
    mode: str
    value: str | None = None
    allocation: dict[str, Any] | None = None
    timing: dict[str, Any] | None = None
    subscription_id: str | None = None
    version_id: str | None = None


class EntitlementList(BaseModel):
    data: list[EntitlementView]


def in_force(ctx: Ctx, sub: Doc) -> list[Doc]:
    """The entitlements of ``sub``'s current published version, if it is active."""
    now = ctx.clock.now()
    if status_of(sub, now) != "active":
        return []
    version = current_version(ctx.store.list(ctx.account, "version", parent=sub["id"]), now)
    if version is None:
        return []
    return [entitlement_view(e, sub["id"], version["id"]) for e in version.get("entitlements", [])]


def entitlement_view(stored: Doc, subscription_id: str | None, version_id: str | None) -> Doc:
    """A stored entitlement (as written: ``entitlement_key``) in the SDK's
    ``EntitlementResponse`` shape (``key``), tagged with where it comes from."""
    return {
        "key": stored.get("entitlement_key", stored.get("key")),
        "type": stored["type"],
        "mode": stored.get("mode") or "static",
        "value": stored.get("value"),
        "allocation": stored.get("allocation"),
        "timing": stored.get("timing"),
        "subscription_id": subscription_id,
        "version_id": version_id,
    }


@router.get("/customers/{customer_ref}/entitlements", response_model=EntitlementList)
async def customer_entitlements(customer_ref: str, ctx: CtxDep) -> dict[str, Any]:
    customer = resolve_customer(ctx, customer_ref)
    if customer is None:
        raise not_found("customer", customer_ref)
    subs = [
        s for s in ctx.store.list(ctx.account, "subscription") if s["customer_id"] == customer["id"]
    ]
    return {"data": [e for sub in subs for e in in_force(ctx, sub)]}


@router.get("/subscriptions/{subscription_id}/entitlements", response_model=EntitlementList)
async def subscription_entitlements(subscription_id: str, ctx: CtxDep) -> dict[str, Any]:
    return {"data": in_force(ctx, get_or_404(ctx, "subscription", subscription_id))}


@router.get("/subscriptions/{subscription_id}/entitlements/{key}", response_model=EntitlementView)
async def subscription_entitlement(subscription_id: str, key: str, ctx: CtxDep) -> Doc:
    for entitlement in in_force(ctx, get_or_404(ctx, "subscription", subscription_id)):
        if entitlement["key"] == key:
            return entitlement
    raise not_found("entitlement", f"{key} on subscription {subscription_id}")
