"""Subscription versions: list, get, current, one item, create, replace (PUT) and delete drafts,
publish.

Owns the version object (``id, subscription_id, status, effective_at, description, items,
entitlements, created_at, updated_at``) and its lifecycle: drafts are replaceable (``PUT``,
the full item set, as the official SDK's ``replace``; there is no ``PATCH``) and deletable;
published versions are never edited or deleted (409). A create publishes at once unless
``draft`` is true (the SDK's default), except on a subscription not yet activated, where it
stays a draft until activation publishes it. Publishing needs an activated subscription and an
``effective_at`` not before the current version's. Creating, replacing and publishing emit
``subscription.version.updated`` (webhooks.events). Must not apply deltas: the changes
resource builds item sets and calls :func:`new_version`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Response
from pydantic import BaseModel, Field, model_validator

from ..clock import format_ts, parse_ts
from ..errors import ApiError, not_found
from ..fields import Strict, Text
from ..ids import new_id
from ..routing import api_router
from ..runtime import Ctx, CtxDep
from ..store import Doc
from ..webhooks.events import emit_version
from .entitlements import EntitlementView, entitlement_view
from .items import MAX_ITEMS, BundleItem, Item, ProductItem, item_documents
from .lookup import get_or_404
from .subscription_state import current_version, resolve_effective
from .terms import Entitlement, Entitlements

router = api_router("subscription versions")

NonEmptyItems = Annotated[list[Item], Field(min_length=1, max_length=MAX_ITEMS)]
Effective = Annotated[str, Field(min_length=1, max_length=40)]


class VersionCreate(Strict):
    items: NonEmptyItems
    effective_at: Effective = "immediate"
    description: Text | None = None
    draft: bool = False
    entitlements: Entitlements | None = None


class VersionReplace(Strict):
    """``PUT``: the complete item set; ``effective_at``/``entitlements`` kept when left out."""

    items: NonEmptyItems
    effective_at: Effective | None = None
    description: Text | None = None
    entitlements: Entitlements | None = None


class Version(BaseModel):
    id: str
    subscription_id: str
    status: Literal["draft", "published"]
    effective_at: str
    description: str | None = None
    items: list[Item]
    entitlements: list[EntitlementView]
    created_at: str
    updated_at: str

    @model_validator(mode="before")
    @classmethod
    def _entitlement_views(cls, data: Any) -> Any:
        """Stored entitlements (``entitlement_key``, as written) answer in the SDK's
        ``EntitlementResponse`` shape (``key``), tagged with this version."""
        if not isinstance(data, dict):
            return data
        views = [
            entitlement_view(e, data.get("subscription_id"), data.get("id"))
            for e in data.get("entitlements") or []
        ]
        return {**data, "entitlements": views}


class VersionList(BaseModel):
    data: list[Version]


def new_version(
    ctx: Ctx,
    subscription_id: str,
    *,
    items: list[Doc],
    effective_at: str,
    description: str | None,
    entitlements: list[Doc],
    status: Literal["draft", "published"] = "draft",
) -> Doc:
    """Store a new version of a subscription (items already in stored form)."""
    now = ctx.now_ts()
    doc: Doc = {
        "id": new_id("version"),
        "subscription_id": subscription_id,
        "status": "draft",
        "effective_at": effective_at,
        "description": description,
        "items": items,
        "entitlements": entitlements,
        "created_at": now,
        "updated_at": now,
    }
    ctx.store.insert(ctx.account, "version", doc, parent=subscription_id)
    return publish(ctx, doc) if status == "published" else doc


def publish(ctx: Ctx, version: Doc) -> Doc:
    """Publish a draft; it is ordered after every version published before it."""
    siblings = ctx.store.list(ctx.account, "version", parent=version["subscription_id"])
    version["status"] = "published"
    version["published_order"] = 1 + max((v.get("published_order", 0) for v in siblings), default=0)
    version["updated_at"] = ctx.now_ts()
    return ctx.store.replace(ctx.account, "version", version)


def _subscription(ctx: Ctx, subscription_id: str) -> Doc:
    return get_or_404(ctx, "subscription", subscription_id)


def _version(ctx: Ctx, sub: Doc, version_id: str) -> Doc:
    if version_id == "current":
        found = current_version(
            ctx.store.list(ctx.account, "version", parent=sub["id"]), ctx.clock.now()
        )
        if found is None:
            raise ApiError(404, f"subscription {sub['id']} has no current (published) version")
        return found
    doc = ctx.store.get(ctx.account, "version", version_id)
    if doc is None or doc["subscription_id"] != sub["id"]:
        raise not_found("subscription version", version_id)
    return doc


def _writable(sub: Doc) -> None:
    if sub.get("cancellation"):
        raise ApiError(409, f"subscription {sub['id']} is canceled; its versions cannot change")


def _draft(ctx: Ctx, sub: Doc, version_id: str) -> Doc:
    _writable(sub)
    version = _version(ctx, sub, version_id)
    if version["status"] != "draft":
        raise ApiError(
            409,
            f"version {version['id']} is published; published versions are "
            "never edited or deleted (create a new version instead)",
        )
    return version


@router.get("/subscriptions/{subscription_id}/versions", response_model=VersionList)
async def list_versions(subscription_id: str, ctx: CtxDep) -> dict[str, Any]:
    sub = _subscription(ctx, subscription_id)
    return {"data": ctx.store.list(ctx.account, "version", parent=sub["id"])}


@router.get("/subscriptions/{subscription_id}/versions/current", response_model=Version)
async def get_current_version(subscription_id: str, ctx: CtxDep) -> dict[str, Any]:
    return _version(ctx, _subscription(ctx, subscription_id), "current")


@router.get("/subscriptions/{subscription_id}/versions/{version_id}", response_model=Version)
async def get_version(subscription_id: str, version_id: str, ctx: CtxDep) -> dict[str, Any]:
    return _version(ctx, _subscription(ctx, subscription_id), version_id)


@router.get(
    "/subscriptions/{subscription_id}/versions/{version_id}/items/{item_ref}",
    response_model=ProductItem | BundleItem,
)
async def get_version_item(
    subscription_id: str, version_id: str, item_ref: str, ctx: CtxDep
) -> dict[str, Any]:
    version = _version(ctx, _subscription(ctx, subscription_id), version_id)
    for item in version["items"]:
        if item.get("product_id") == item_ref or item.get("bundle_id") == item_ref:
            return dict(item)
    for item in version["items"]:
        for child in item.get("items", []):
            if child["product_id"] == item_ref:
                return dict(child)
    raise not_found("item", f"{item_ref} in version {version['id']}")


@router.post("/subscriptions/{subscription_id}/versions", status_code=201, response_model=Version)
async def create_version(subscription_id: str, body: VersionCreate, ctx: CtxDep) -> dict[str, Any]:
    with ctx.store.transaction():
        sub = _subscription(ctx, subscription_id)
        _writable(sub)
        effective = resolve_effective(sub, body.effective_at, ctx.clock.now())
        versions = ctx.store.list(ctx.account, "version", parent=sub["id"])
        source = current_version(versions, ctx.clock.now()) or _latest_before(versions, effective)
        version = new_version(
            ctx,
            sub["id"],
            items=item_documents(ctx, body.items, sub["currency"]),
            effective_at=format_ts(effective),
            description=body.description,
            entitlements=_entitlements(body.entitlements, source),
        )
        if not body.draft and sub.get("activated_at"):
            version = _publish_checked(ctx, sub, version)
        emit_version(ctx, version)
        return version


@router.put("/subscriptions/{subscription_id}/versions/{version_id}", response_model=Version)
async def replace_version(
    subscription_id: str, version_id: str, body: VersionReplace, ctx: CtxDep
) -> dict[str, Any]:
    with ctx.store.transaction():
        sub = _subscription(ctx, subscription_id)
        version = _draft(ctx, sub, version_id)
        version["items"] = item_documents(ctx, body.items, sub["currency"])
        if body.effective_at is not None:
            moment = resolve_effective(sub, body.effective_at, ctx.clock.now())
            version["effective_at"] = format_ts(moment)
        version["description"] = body.description
        if body.entitlements is not None:
            version["entitlements"] = [e.model_dump(mode="json") for e in body.entitlements]
        version["updated_at"] = ctx.now_ts()
        version = ctx.store.replace(ctx.account, "version", version)
        emit_version(ctx, version)
        return version


@router.post(
    "/subscriptions/{subscription_id}/versions/{version_id}/publish", response_model=Version
)
async def publish_version(subscription_id: str, version_id: str, ctx: CtxDep) -> dict[str, Any]:
    with ctx.store.transaction():
        sub = _subscription(ctx, subscription_id)
        version = _version(ctx, sub, version_id)
        if version["status"] == "published":
            return version
        _writable(sub)
        if not sub.get("activated_at"):
            raise ApiError(
                409,
                f"subscription {sub['id']} is a draft: activate it, which "
                "publishes its draft versions",
            )
        version = _publish_checked(ctx, sub, version)
        emit_version(ctx, version)
        return version


def _publish_checked(ctx: Ctx, sub: Doc, version: Doc) -> Doc:
    """Publish a draft of an activated subscription, refusing one dated before the current."""
    now = ctx.clock.now()
    current = current_version(ctx.store.list(ctx.account, "version", parent=sub["id"]), now)
    if current is not None and parse_ts(version["effective_at"]) < parse_ts(
        current["effective_at"]
    ):
        raise ApiError(
            422,
            f"effective_at {version['effective_at']} is before the current "
            f"version's ({current['effective_at']})",
        )
    return publish(ctx, version)


def _latest_before(versions: list[Doc], effective: datetime) -> Doc | None:
    """Before activation nothing is published: the version that will precede the new one
    (the latest taking effect by then, drafts included) is what it carries on from."""
    earlier = [v for v in versions if parse_ts(v["effective_at"]) <= effective]
    return max(earlier, key=lambda v: parse_ts(v["effective_at"]), default=None)


def _entitlements(sent: list[Entitlement] | None, source: Doc | None) -> list[Doc]:
    """A new version's entitlements: those sent, else the current version's (before
    activation: the preceding version's, so the plan's carry on)."""
    if sent is not None:
        return [e.model_dump(mode="json") for e in sent]
    return [] if source is None else list(source["entitlements"])


@router.delete(
    "/subscriptions/{subscription_id}/versions/{version_id}",
    status_code=204,
    response_class=Response,
)
async def delete_version(subscription_id: str, version_id: str, ctx: CtxDep) -> Response:
    with ctx.store.transaction():
        version = _draft(ctx, _subscription(ctx, subscription_id), version_id)
        ctx.store.delete(ctx.account, "version", version["id"])
    return Response(status_code=204)
