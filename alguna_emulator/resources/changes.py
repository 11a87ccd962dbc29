"""The Changes API: ``/subscriptions/{id}/changes`` and ``/changes/preview``.

Owns delta amendments (answered with the SDK's ``ChangeResponse``: the version written and
what was added, removed and updated): read the source version (the current one;
``source_version_id``, if given, must still be current or the request is refused with 409),
optionally swap in a plan's
items (``plan_id``), apply ``remove``, then ``update`` (``adjust`` merges into the existing
price; see :func:`merge_adjust`), then ``add``, and write a new version that is published
unless ``draft`` is true. Preview runs the same steps and writes nothing. Must not edit
existing versions.
"""

from __future__ import annotations

import copy
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, TypeAdapter, ValidationError, model_validator

from ..clock import format_ts, parse_ts
from ..errors import ApiError, validation_detail
from ..fields import Name, Ref, Strict, Text
from ..pricing import MODEL_FIELDS, Price
from ..routing import api_router
from ..runtime import Ctx, CtxDep
from ..store import Doc
from ..webhooks.events import emit_version
from .entitlements import EntitlementView, entitlement_view
from .items import Item, in_currency, item_documents
from .lookup import get_or_404
from .subscription_state import current_version, resolve_effective
from .versions import new_version

router = api_router("subscription changes")


class NewChild(Strict):
    product_id: Ref
    new_price: Price


class AddEntry(Strict):
    product_id: Ref | None = None
    new_price: Price | None = None
    bundle_id: Ref | None = None
    name: Name | None = None
    items: Annotated[list[NewChild], Field(max_length=200)] | None = None

    @model_validator(mode="after")
    def _shape(self) -> AddEntry:
        product = self.product_id is not None and self.new_price is not None
        bundle = self.bundle_id is not None and bool(self.items)
        if product == bundle or (product and self.bundle_id is not None):
            raise ValueError("add entries are {product_id, new_price} or {bundle_id, items}")
        return self


class ItemRef(Strict):
    product_id: Ref | None = None
    bundle_id: Ref | None = None

    @model_validator(mode="after")
    def _shape(self) -> ItemRef:
        if self.product_id is None and self.bundle_id is None:
            raise ValueError("name a product_id, a bundle_id, or both (a product in a bundle)")
        return self


class UpdateEntry(ItemRef):
    adjust: dict[str, Any] | None = None
    add_items: Annotated[list[NewChild], Field(max_length=200)] = Field(default_factory=list)
    remove_items: Annotated[list[ItemRef], Field(max_length=200)] = Field(default_factory=list)


class ChangeRequest(Strict):
    effective: Annotated[str, Field(min_length=1, max_length=40)] = "immediate"
    description: Text | None = None
    draft: bool = False
    source_version_id: Ref | None = None
    plan_id: Ref | None = None
    add: Annotated[list[AddEntry], Field(max_length=200)] = Field(default_factory=list)
    remove: Annotated[list[ItemRef], Field(max_length=200)] = Field(default_factory=list)
    update: Annotated[list[UpdateEntry], Field(max_length=200)] = Field(default_factory=list)


class ChangeRefs(BaseModel):
    added: list[dict[str, str]]
    removed: list[dict[str, str]]
    updated: list[dict[str, str]]


class ChangePreview(BaseModel):
    """The SDK's ``ChangePreviewResponse`` (``changes_applied``, ``effective_at``,
    ``source_version_id``) plus the version that would be written."""

    changes_applied: ChangeRefs
    subscription_id: str
    source_version_id: str
    status: Literal["draft", "published"]
    effective_at: str
    description: str | None = None
    items: list[Item]
    entitlements: list[EntitlementView]  # as in version responses (no version_id yet)


_ITEMS = TypeAdapter(list[Item])


def merge_adjust(price: Doc, adjust: dict[str, Any]) -> Doc:
    """Merge a partial price: objects merge one level deep, lists replace, null removes.

    Sending a ``*_pricing_model`` object drops the price's other model object, so ``adjust``
    can switch a price to another type in one step.
    """
    merged = copy.deepcopy(price)
    if any(key in MODEL_FIELDS for key in adjust):
        for key in MODEL_FIELDS:
            if key not in adjust:
                merged.pop(key, None)
    for key, value in adjust.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def _find(items: list[Doc], ref: ItemRef, where: str) -> tuple[list[Doc], int]:
    """The list holding the referenced item, and its index there."""
    if ref.bundle_id is not None:
        bundles = [i for i, item in enumerate(items) if item.get("bundle_id") == ref.bundle_id]
        if not bundles:
            raise ApiError(422, f"{where}: bundle {ref.bundle_id} is not in the source version")
        if ref.product_id is None:
            return items, bundles[0]
        items = items[bundles[0]]["items"]
    for index, item in enumerate(items):
        if item.get("product_id") == ref.product_id:
            return items, index
    raise ApiError(422, f"{where}: product {ref.product_id} is not in the source version")


def _child(entry: NewChild) -> Doc:
    return {"product_id": entry.product_id, "price": entry.new_price.model_dump(mode="json")}


def _apply(items: list[Doc], body: ChangeRequest) -> list[Doc]:
    items = copy.deepcopy(items)
    for n, ref in enumerate(body.remove):
        holder, index = _find(items, ref, f"remove[{n}]")
        del holder[index]
    for n, entry in enumerate(body.update):
        where = f"update[{n}]"
        holder, index = _find(items, entry, where)
        target = holder[index]
        if entry.adjust is not None:
            if "price" not in target:
                raise ApiError(422, f"{where}: adjust needs a product_id (a bundle has no price)")
            target["price"] = merge_adjust(target["price"], entry.adjust)
        if entry.add_items or entry.remove_items:
            if "items" not in target:
                raise ApiError(422, f"{where}: add_items/remove_items need a bundle_id")
            for m, ref in enumerate(entry.remove_items):
                here = f"{where}.remove_items[{m}]"
                if ref.product_id is None:
                    raise ApiError(422, f"{here}: name the product_id to remove from the bundle")
                kids, kid = _find(target["items"], ItemRef(product_id=ref.product_id), here)
                del kids[kid]
            target["items"].extend(_child(c) for c in entry.add_items)
    for added in body.add:
        if added.bundle_id is not None:
            items.append(
                {
                    "bundle_id": added.bundle_id,
                    "name": added.name,
                    "items": [_child(c) for c in added.items or []],
                }
            )
        else:
            assert added.new_price is not None
            items.append(
                _child(NewChild(product_id=str(added.product_id), new_price=added.new_price))
            )
    return items


def _plan(ctx: Ctx, sub_id: str, body: ChangeRequest) -> tuple[Doc, Doc, list[Doc], str]:
    """Subscription, source version, resulting stored items and effective_at."""
    sub = get_or_404(ctx, "subscription", sub_id)
    if sub.get("cancellation"):
        raise ApiError(409, f"subscription {sub_id} is canceled")
    now = ctx.clock.now()
    versions = ctx.store.list(ctx.account, "version", parent=sub_id)
    current = current_version(versions, now)
    if body.source_version_id is not None:
        if body.source_version_id not in {v["id"] for v in versions}:
            raise ApiError(
                422,
                f"source_version_id {body.source_version_id} is not a version "
                f"of subscription {sub_id}",
            )
        if current is None or current["id"] != body.source_version_id:
            shown = "none" if current is None else current["id"]
            raise ApiError(
                409,
                f"source_version_id {body.source_version_id} is no longer the "
                f"current version of subscription {sub_id} (current: {shown})",
            )
    if current is None:
        raise ApiError(
            409, f"subscription {sub_id} has no current version to change (activate it first)"
        )
    base = current["items"]
    if body.plan_id is not None:
        plan = ctx.store.get(ctx.account, "plan", body.plan_id)
        if plan is None:
            raise ApiError(422, f"plan_id: plan {body.plan_id} does not exist")
        base = in_currency(plan["items"], sub["currency"])
    changed = _apply(base, body)
    if not changed:
        raise ApiError(422, "the change would leave the subscription without items")
    try:
        parsed = _ITEMS.validate_python(changed)
    except ValidationError as exc:
        raise ApiError(422, validation_detail(exc.errors())) from None
    stored = item_documents(ctx, parsed, sub["currency"], where="resulting items")
    effective = resolve_effective(sub, body.effective, now)
    if effective < parse_ts(current["effective_at"]):
        raise ApiError(
            422,
            f"effective {format_ts(effective)} is before the source version's "
            f"effective_at {current['effective_at']}",
        )
    return sub, current, stored, format_ts(effective)


class ChangeResult(BaseModel):
    """The SDK's ``ChangeResponse``: which version the change wrote, and a summary."""

    version_id: str
    version_status: Literal["draft", "published"]
    source_version_id: str
    is_new_version: bool
    effective_at: str
    end_date: str | None = None
    changes_applied: ChangeRefs


def _ref(entry: AddEntry | ItemRef) -> dict[str, str]:
    ref = {"product_id": entry.product_id, "bundle_id": entry.bundle_id}
    return {k: v for k, v in ref.items() if v is not None}


def _result(body: ChangeRequest, source: Doc, version: Doc) -> dict[str, Any]:
    return {
        "version_id": version["id"],
        "version_status": version["status"],
        "source_version_id": source["id"],
        "is_new_version": True,
        "effective_at": version["effective_at"],
        "end_date": None,
        "changes_applied": _applied(body),
    }


def _applied(body: ChangeRequest) -> dict[str, list[dict[str, str]]]:
    """What a change adds, removes and updates, by item reference."""
    return {
        "added": [_ref(e) for e in body.add],
        "removed": [_ref(e) for e in body.remove],
        "updated": [_ref(e) for e in body.update],
    }


@router.post(
    "/subscriptions/{subscription_id}/changes", status_code=201, response_model=ChangeResult
)
async def apply_changes(subscription_id: str, body: ChangeRequest, ctx: CtxDep) -> dict[str, Any]:
    with ctx.store.transaction():
        sub, source, items, effective_at = _plan(ctx, subscription_id, body)
        version = new_version(
            ctx,
            sub["id"],
            items=items,
            effective_at=effective_at,
            description=body.description,
            entitlements=source["entitlements"],
            status="draft" if body.draft else "published",
        )
        if body.plan_id is not None and not body.draft:
            sub["plan_id"] = body.plan_id
            sub["updated_at"] = ctx.now_ts()
            ctx.store.replace(ctx.account, "subscription", sub)
        emit_version(ctx, version)
        return _result(body, source, version)


@router.post("/subscriptions/{subscription_id}/changes/preview", response_model=ChangePreview)
async def preview_changes(subscription_id: str, body: ChangeRequest, ctx: CtxDep) -> dict[str, Any]:
    sub, source, items, effective_at = _plan(ctx, subscription_id, body)
    return {
        "subscription_id": sub["id"],
        "source_version_id": source["id"],
        "status": "draft" if body.draft else "published",
        "effective_at": effective_at,
        "description": body.description,
        "items": items,
        "entitlements": [entitlement_view(e, sub["id"], None) for e in source["entitlements"]],
        "changes_applied": _applied(body),
    }
