"""Wallets and wallet grants: ``/wallets`` and ``/wallet-grants``, in the SDK's shapes.

Owns the wallet object (a customer's prepaid balance in one currency, optionally restricted
to products) and its operations: create, list, get, update, delete (only at a zero
balance, the SDK's rule), balance, credit (a new grant), debit (a draw, 422 when the balance
is short), and its grants. A wallet's balance is what is left of its live grants
(credit_ledger). Must not price usage.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import Query, Response
from pydantic import BaseModel, Field

from ..errors import ApiError, not_found
from ..fields import Currency, Money, Name, Ref, Strict, Text, Timestamp
from ..ids import new_id
from ..routing import ListParamsDep, Page, api_router, page
from ..runtime import Ctx, CtxDep
from ..store import Doc
from .credit_ledger import Need, add_grant, amount_text, draw, grants, wallet_balance
from .lookup import resolve_customer

router = api_router("wallets")

TransactionType = Literal["credit_grant", "payment", "refund", "manual_debit"]
GrantStatus = Literal["pending", "approved", "voided", "expired"]
ProductIds = Annotated[list[Ref], Field(max_length=200)]


class WalletCreate(Strict):
    currency: Currency
    customer_id: Ref
    name: Name
    product_ids: ProductIds | None = None


class WalletUpdate(Strict):
    active: bool | None = None
    currency: Currency | None = None
    name: Name | None = None
    product_ids: ProductIds | None = None


class Transaction(Strict):
    amount: Money
    reference_id: Ref
    transaction_type: TransactionType
    description: Text | None = None


class GrantCreate(Strict):
    amount: Money
    wallet_id: Ref
    description: Text | None = None
    expires_at: Timestamp | None = None
    payment_id: Ref | None = None


class Wallet(BaseModel):
    """The SDK's ``WalletResponse``."""

    id: str
    customer_id: str
    name: str
    currency: str
    active: bool
    current_balance: str
    product_ids: list[str] | None = None
    created_at: str
    updated_at: str


class WalletGrant(BaseModel):
    """The SDK's ``WalletGrantResponse``."""

    id: str
    wallet_id: str
    amount: str
    status: GrantStatus
    description: str | None = None
    expires_at: str | None = None
    payment_id: str | None = None
    invoice_id: str | None = None
    created_at: str
    updated_at: str


class Balance(BaseModel):
    balance: str


def _wallet_view(ctx: Ctx, wallet: Doc) -> Doc:
    return {**wallet, "current_balance": amount_text(wallet_balance(ctx, wallet))}


def _grant_view(ctx: Ctx, grant: Doc) -> Doc:
    """A wallet grant; ``expired`` once its expiry has passed (assumed)."""
    expires = grant.get("expires_at")
    status = grant["status"]
    if status == "approved" and expires and expires <= ctx.now_ts():
        status = "expired"
    return {**grant, "status": status}


def _wallet(ctx: Ctx, wallet_id: str) -> Doc:
    wallet = ctx.store.get(ctx.account, "wallet", wallet_id)
    if wallet is None:
        raise not_found("wallet", wallet_id)
    return wallet


def _wallet_grants(ctx: Ctx, wallet: Doc) -> list[Doc]:
    return [g for g in grants(ctx, wallet["customer_id"]) if g.get("wallet_id") == wallet["id"]]


@router.post("/wallets", status_code=201, response_model=Wallet)
async def create_wallet(body: WalletCreate, ctx: CtxDep) -> Doc:
    with ctx.store.transaction():
        customer = resolve_customer(ctx, body.customer_id)
        if customer is None:
            raise ApiError(422, f"customer_id: customer {body.customer_id} does not exist")
        now = ctx.now_ts()
        wallet = {
            **body.model_dump(mode="json"),
            "id": new_id("wallet"),
            "customer_id": customer["id"],
            "active": True,
            "created_at": now,
            "updated_at": now,
        }
        ctx.store.insert(ctx.account, "wallet", wallet)
        return _wallet_view(ctx, wallet)


@router.get("/wallets", response_model=Page[Wallet])
async def list_wallets(
    ctx: CtxDep,
    params: ListParamsDep,
    active: bool | None = None,
    customer_id: Annotated[str | None, Query(max_length=255)] = None,
) -> dict[str, Any]:
    wallets = ctx.store.list(ctx.account, "wallet")
    if customer_id is not None:
        customer = resolve_customer(ctx, customer_id)
        wallets = [w for w in wallets if customer and w["customer_id"] == customer["id"]]
    if active is not None:
        wallets = [w for w in wallets if w["active"] == active]
    listing = page(wallets, params)
    listing["data"] = [_wallet_view(ctx, w) for w in listing["data"]]
    return listing


@router.get("/wallets/{wallet_id}", response_model=Wallet)
async def get_wallet(wallet_id: str, ctx: CtxDep) -> Doc:
    return _wallet_view(ctx, _wallet(ctx, wallet_id))


@router.patch("/wallets/{wallet_id}", response_model=Wallet)
async def update_wallet(wallet_id: str, body: WalletUpdate, ctx: CtxDep) -> Doc:
    with ctx.store.transaction():
        wallet = _wallet(ctx, wallet_id)
        changes = body.model_dump(mode="json", exclude_unset=True)
        new_currency = changes.get("currency") or wallet["currency"]
        if new_currency != wallet["currency"] and wallet_balance(ctx, wallet):
            raise ApiError(409, "a wallet's currency can change only at a zero balance")
        wallet.update({k: v for k, v in changes.items() if v is not None or k == "product_ids"})
        wallet["updated_at"] = ctx.now_ts()
        ctx.store.replace(ctx.account, "wallet", wallet)
        return _wallet_view(ctx, wallet)


@router.delete("/wallets/{wallet_id}", status_code=204, response_class=Response)
async def delete_wallet(wallet_id: str, ctx: CtxDep) -> Response:
    with ctx.store.transaction():
        wallet = _wallet(ctx, wallet_id)
        if wallet_balance(ctx, wallet):
            raise ApiError(409, f"wallet {wallet_id} has a non-zero balance and cannot be deleted")
        ctx.store.delete(ctx.account, "wallet", wallet_id)
    return Response(status_code=204)


@router.get("/wallets/{wallet_id}/balance", response_model=Balance)
async def get_balance(wallet_id: str, ctx: CtxDep) -> dict[str, Any]:
    return {"balance": amount_text(wallet_balance(ctx, _wallet(ctx, wallet_id)))}


@router.get("/wallets/{wallet_id}/grants", response_model=Page[WalletGrant])
async def list_wallet_grants(wallet_id: str, ctx: CtxDep) -> dict[str, Any]:
    found = [_grant_view(ctx, g) for g in _wallet_grants(ctx, _wallet(ctx, wallet_id))]
    return {"data": found, "pagination": {"per_page": max(len(found), 1), "total_pages": 1}}


def _active(wallet: Doc) -> None:
    if not wallet["active"]:
        raise ApiError(409, f"wallet {wallet['id']} is inactive")


@router.post("/wallets/{wallet_id}/credit", response_model=Wallet)
async def credit_wallet(wallet_id: str, body: Transaction, ctx: CtxDep) -> Doc:
    with ctx.store.transaction():
        wallet = _wallet(ctx, wallet_id)
        _active(wallet)
        add_grant(
            ctx,
            customer_id=wallet["customer_id"],
            amount=Decimal(body.amount),
            reason=body.description or f"{body.transaction_type} {body.reference_id}",
            description=body.description,
            wallet_id=wallet["id"],
            payment_id=body.reference_id if body.transaction_type == "payment" else None,
        )
        return _wallet_view(ctx, wallet)


@router.post("/wallets/{wallet_id}/debit", response_model=Wallet)
async def debit_wallet(wallet_id: str, body: Transaction, ctx: CtxDep) -> Doc:
    with ctx.store.transaction():
        wallet = _wallet(ctx, wallet_id)
        _active(wallet)
        if not draw(ctx, wallet["customer_id"], [Need(Decimal(body.amount))], wallet_id=wallet_id):
            balance = amount_text(wallet_balance(ctx, wallet))
            raise ApiError(422, f"insufficient balance: {balance} left, {body.amount} asked")
        return _wallet_view(ctx, wallet)


@router.get("/wallet-grants", response_model=Page[WalletGrant])
async def list_grants(
    ctx: CtxDep,
    params: ListParamsDep,
    status: GrantStatus | None = None,
    wallet_id: Annotated[str | None, Query(max_length=255)] = None,
) -> dict[str, Any]:
    found = [
        _grant_view(ctx, g)
        for g in ctx.store.list(ctx.account, "grant")
        if g.get("wallet_id") and wallet_id in (None, g["wallet_id"])
    ]
    if status is not None:
        found = [g for g in found if g["status"] == status]
    return page(found, params)


@router.post("/wallet-grants", status_code=201, response_model=WalletGrant)
async def create_grant(body: GrantCreate, ctx: CtxDep) -> Doc:
    with ctx.store.transaction():
        wallet = ctx.store.get(ctx.account, "wallet", body.wallet_id)
        if wallet is None:
            raise ApiError(422, f"wallet_id: wallet {body.wallet_id} does not exist")
        _active(wallet)
        if body.expires_at is not None and body.expires_at <= ctx.now_ts():
            raise ApiError(422, "expires_at must be in the future")
        grant = add_grant(
            ctx,
            customer_id=wallet["customer_id"],
            amount=Decimal(body.amount),
            reason=body.description or "wallet grant",
            description=body.description,
            wallet_id=wallet["id"],
            expires_at=body.expires_at,
            payment_id=body.payment_id,
        )
        return _grant_view(ctx, grant)


@router.get("/wallet-grants/{grant_id}", response_model=WalletGrant)
async def get_grant(grant_id: str, ctx: CtxDep) -> Doc:
    grant = ctx.store.get(ctx.account, "grant", grant_id)
    if grant is None or not grant.get("wallet_id"):
        raise not_found("wallet grant", grant_id)
    return _grant_view(ctx, grant)
