"""Merchants: ``/merchants`` create, list and get, in the official SDK's shapes.

Owns the merchant object (``id, display_name, external_id, support_email, logo_url,
avatar_url, archived_at, created_at, updated_at``). Merchants belong to the account (the
organization) of the key that created them, so ``GET /merchants/{id}`` answers 404 to a key of
any other account: the reconciler pins an environment to its account with that read
(docs/settings.md, ``account``). ``external_id`` is unique within an account (409). Update,
archive (``DELETE``) and unarchive are SDK operations the emulator does not serve (404/405).
Must not know other resources.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query
from pydantic import BaseModel, Field

from ..errors import ApiError
from ..fields import Name, Strict
from ..ids import new_id
from ..routing import ListParamsDep, Page, SortParam, api_router, csv_values, page, sort_docs
from ..runtime import CtxDep
from .lookup import get_or_404

router = api_router("merchants")

_SORTABLE = ("display_name", "external_id", "support_email", "created_at")


class MerchantCreate(Strict):
    display_name: Name
    external_id: Annotated[str, Field(min_length=1, max_length=255)]
    support_email: (
        Annotated[str, Field(min_length=3, max_length=255, pattern=r"^[^@\s]+@[^@\s]+$")] | None
    ) = None
    logo: dict[str, Any] | None = None
    avatar: dict[str, Any] | None = None


class Merchant(BaseModel):
    """The SDK's ``MerchantResponse``."""

    id: str
    display_name: str
    external_id: str
    support_email: str | None = None
    logo_url: str | None = None
    avatar_url: str | None = None
    archived_at: str | None = None
    created_at: str
    updated_at: str


@router.post("/merchants", status_code=201, response_model=Merchant)
async def create_merchant(body: MerchantCreate, ctx: CtxDep) -> dict[str, Any]:
    with ctx.store.transaction():
        taken = ctx.store.list(ctx.account, "merchant")
        if any(m["external_id"] == body.external_id for m in taken):
            raise ApiError(409, f"a merchant with external_id {body.external_id!r} exists")
        now = ctx.now_ts()
        doc = {
            "id": new_id("merchant"),
            "display_name": body.display_name,
            "external_id": body.external_id,
            "support_email": body.support_email,
            "logo_url": None,
            "avatar_url": None,
            "archived_at": None,
            "created_at": now,
            "updated_at": now,
        }
        return ctx.store.insert(ctx.account, "merchant", doc)


@router.get("/merchants", response_model=Page[Merchant])
async def list_merchants(
    ctx: CtxDep,
    params: ListParamsDep,
    sort: SortParam = None,
    display_name: Annotated[str | None, Query(max_length=1000)] = None,
    external_id: Annotated[str | None, Query(max_length=1000)] = None,
    include_archived: bool = False,
) -> dict[str, Any]:
    docs = ctx.store.list(ctx.account, "merchant")
    if not include_archived:
        docs = [d for d in docs if d.get("archived_at") is None]
    if wanted := csv_values(display_name):
        docs = [d for d in docs if d["display_name"] in wanted]
    if wanted := csv_values(external_id):
        docs = [d for d in docs if d["external_id"] in wanted]
    return page(sort_docs(docs, sort, _SORTABLE), params)


@router.get("/merchants/{merchant_id}", response_model=Merchant)
async def get_merchant(merchant_id: str, ctx: CtxDep) -> dict[str, Any]:
    return get_or_404(ctx, "merchant", merchant_id)
