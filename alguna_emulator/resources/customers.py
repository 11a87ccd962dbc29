"""Customers: ``/customers`` create, list, lookup (``/customers/lookup?alias=``), get (by id or
alias), update.

Owns the customer shape, contacts (each gets an 8-character id; a contact sent with a known
id keeps it), and aliases, which are unique within an account (409 on a clash, assumed) and
resolve wherever a customer id is accepted. Supplying ``contacts`` or ``aliases`` on update
replaces the whole list. Must not know subscriptions beyond the ``has_active_subscriptions``
filter.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query
from pydantic import BaseModel, Field

from ..errors import ApiError, not_found
from ..fields import Currency, Name, Ref, Strict
from ..ids import new_id
from ..routing import (
    ListParamsDep,
    Page,
    SortParam,
    api_router,
    csv_values,
    page,
    sort_docs,
    store_order,
    stored_page,
)
from ..runtime import Ctx, CtxDep
from ..store import AliasTaken, Doc
from .lookup import resolve_customer
from .patching import save_changes, sent_changes
from .subscription_state import status_of

router = api_router("customers")

_SORTABLE = ("created_at", "updated_at", "name")
Short = Annotated[str, Field(max_length=255)]


class Contact(Strict):
    id: Ref | None = None
    email: Annotated[str, Field(min_length=3, max_length=255, pattern=r"^[^@\s]+@[^@\s]+$")]
    first_name: Short | None = None
    last_name: Short | None = None
    is_primary: bool = False
    email_preferences: Annotated[list[Name], Field(max_length=10)] = Field(default_factory=list)


class Address(Strict):
    """The SDK's `AddressRequest`: every field but `line2` is required (may be "")."""

    line1: Short
    line2: Short | None = None
    city: Short
    state: Short
    postal_code: Short
    country: Short


Aliases = Annotated[list[Ref], Field(max_length=50)]
Contacts = Annotated[list[Contact], Field(max_length=50)]


class CustomerCreate(Strict):
    name: Name
    currency: Currency
    aliases: Aliases = Field(default_factory=list)
    contacts: Contacts = Field(default_factory=list)
    billing_address: Address | None = None


class CustomerUpdate(Strict):
    name: Name | None = None
    currency: Currency | None = None
    aliases: Aliases | None = None
    contacts: Contacts | None = None
    billing_address: Address | None = None


class Customer(CustomerCreate):
    id: str
    created_at: str
    updated_at: str


def _contacts(contacts: list[Contact], previous: list[Doc]) -> list[Doc]:
    known = {c["id"] for c in previous}
    docs = []
    for contact in contacts:
        doc = contact.model_dump(mode="json")
        if doc["id"] not in known:
            doc["id"] = new_id("contact")
        docs.append(doc)
    return docs


def _set_aliases(ctx: Ctx, customer_id: str, aliases: list[str]) -> list[str]:
    unique = list(dict.fromkeys(aliases))
    try:
        ctx.store.set_aliases(ctx.account, customer_id, unique)
    except AliasTaken as clash:
        raise ApiError(
            409, f"alias {clash.alias!r} already belongs to customer {clash.customer_id}"
        ) from None
    return unique


@router.post("/customers", status_code=201, response_model=Customer)
async def create_customer(body: CustomerCreate, ctx: CtxDep) -> dict[str, Any]:
    with ctx.store.transaction():
        now = ctx.now_ts()
        customer_id = new_id("customer")
        doc = body.model_dump(mode="json")
        doc.update(
            id=customer_id,
            aliases=_set_aliases(ctx, customer_id, body.aliases),
            contacts=_contacts(body.contacts, []),
            created_at=now,
            updated_at=now,
        )
        return ctx.store.insert(ctx.account, "customer", doc)


@router.get("/customers", response_model=Page[Customer])
async def list_customers(
    ctx: CtxDep,
    params: ListParamsDep,
    sort: SortParam = None,
    alias: Annotated[str | None, Query(max_length=1000)] = None,
    email: Annotated[str | None, Query(max_length=1000)] = None,
    has_active_subscriptions: bool | None = None,
    csm_id: Annotated[str | None, Query(max_length=1000)] = None,
    sales_owner_id: Annotated[str | None, Query(max_length=1000)] = None,
    integration_ids: Annotated[str | None, Query(max_length=1000)] = None,
    tag_ids: Annotated[str | None, Query(max_length=1000)] = None,
) -> dict[str, Any]:
    stored, order = store_order(sort, _SORTABLE)
    filters = (alias, email, has_active_subscriptions, csm_id, sales_owner_id, integration_ids)
    if stored and (*filters, tag_ids) == (None,) * 7:
        return stored_page(ctx.store, ctx.account, "customer", params, order)
    docs = ctx.store.list(ctx.account, "customer")
    # Emulated customers have no CSM, sales owner, integration or tag: those filters match none.
    if any(csv_values(v) for v in (csm_id, sales_owner_id, integration_ids, tag_ids)):
        docs = []
    if wanted := csv_values(alias):
        docs = [d for d in docs if set(wanted) & set(d["aliases"])]
    if wanted := csv_values(email):
        docs = [d for d in docs if {c["email"] for c in d["contacts"]} & set(wanted)]
    if has_active_subscriptions is not None:
        now = ctx.clock.now()
        active = {
            s["customer_id"]
            for s in ctx.store.list(ctx.account, "subscription")
            if status_of(s, now) == "active"
        }
        docs = [d for d in docs if (d["id"] in active) == has_active_subscriptions]
    return page(sort_docs(docs, sort, _SORTABLE), params)


class LookupResult(BaseModel):
    """The SDK's ``CustomerLookupResponse``."""

    customer_id: str


@router.get("/customers/lookup", response_model=LookupResult)
async def lookup_customer(
    ctx: CtxDep, alias: Annotated[str, Query(min_length=1, max_length=255)]
) -> dict[str, Any]:
    """An alias (or a customer id) to the customer's id; 404 when none matches."""
    doc = resolve_customer(ctx, alias)
    if doc is None:
        raise not_found("customer with alias", alias)
    return {"customer_id": doc["id"]}


@router.get("/customers/{customer_ref}", response_model=Customer)
async def get_customer(customer_ref: str, ctx: CtxDep) -> dict[str, Any]:
    doc = resolve_customer(ctx, customer_ref)
    if doc is None:
        raise not_found("customer", customer_ref)
    return doc


@router.patch("/customers/{customer_ref}", response_model=Customer)
async def update_customer(customer_ref: str, body: CustomerUpdate, ctx: CtxDep) -> dict[str, Any]:
    with ctx.store.transaction():
        doc = resolve_customer(ctx, customer_ref)
        if doc is None:
            raise not_found("customer", customer_ref)
        changes = sent_changes(body, ("name", "currency", "aliases", "contacts"))
        if body.aliases is not None:
            changes["aliases"] = _set_aliases(ctx, doc["id"], body.aliases)
        if body.contacts is not None:
            changes["contacts"] = _contacts(body.contacts, doc["contacts"])
        return save_changes(ctx, "customer", doc, changes)
