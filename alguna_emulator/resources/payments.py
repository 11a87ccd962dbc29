"""Payments and payment methods: ``GET /payments``, ``GET /payments/{id}``,
``GET /customers/{id}/payment-methods`` in the SDK's shapes, and the control API's
``POST /_emulator/customers/{id}/payment-methods`` that gives a customer a test card.

Owns the read side; charging happens when an invoice is issued (invoicing.collection).
Lists close the billing cycles that have ended first, as invoice reads do, so a payment
never lags the clock. Must not charge anything itself.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from ..errors import ERROR_RESPONSES, ApiError, not_found
from ..invoicing.close import close_due
from ..invoicing.collection import add_card
from ..pipeline.gate import account_of, bearer_key
from ..routing import ListParamsDep, Page, api_router, page
from ..runtime import Ctx, CtxDep, runtime_of
from ..store import Doc
from .lookup import resolve_customer

router = api_router("payments")
control_router = APIRouter(
    prefix="/_emulator", tags=["emulator payments"], responses=ERROR_RESPONSES
)


class Allocation(BaseModel):
    amount: str
    invoice_id: str
    reversed: bool
    status: str


class Payment(BaseModel):
    """The SDK's ``PaymentResponse``."""

    id: str
    customer_id: str
    invoice_id: str | None = None
    amount: str
    currency: str
    status: str
    allocations: list[Allocation]
    amount_received: str | None = None
    amount_refunded: str | None = None
    external_id: str | None = None
    external_url: str | None = None
    paid_at: str | None = None
    failed_at: str | None = None
    created_at: str
    updated_at: str


class Card(BaseModel):
    brand: str
    last4: str
    exp_month: int
    exp_year: int


class Details(BaseModel):
    card: Card | None = None
    bank_account: dict[str, Any] | None = None


class PaymentMethod(BaseModel):
    """The SDK's ``PaymentMethodResponse``."""

    id: str
    customer_id: str
    provider: str
    type: str
    is_default: bool
    details: Details
    created_at: str


class PaymentMethods(BaseModel):
    data: list[PaymentMethod]


class CardIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    card_number: Annotated[str, Field(min_length=12, max_length=30)]
    default: bool = False


def _customer(ctx: Ctx, ref: str) -> Doc:
    customer = resolve_customer(ctx, ref)
    if customer is None:
        raise not_found("customer", ref)
    return customer


@router.get("/payments", response_model=Page[Payment])
async def list_payments(
    ctx: CtxDep,
    params: ListParamsDep,
    customer_id: Annotated[str | None, Query(max_length=255)] = None,
    invoice_id: Annotated[str | None, Query(max_length=255)] = None,
) -> dict[str, Any]:
    close_due(ctx.runtime, ctx.account)
    payments = ctx.store.list(ctx.account, "payment")
    if customer_id is not None:
        customer = resolve_customer(ctx, customer_id)
        payments = [p for p in payments if customer and p["customer_id"] == customer["id"]]
    if invoice_id is not None:
        payments = [p for p in payments if p["invoice_id"] == invoice_id]
    return page(payments, params)


@router.get("/payments/{payment_id}", response_model=Payment)
async def get_payment(payment_id: str, ctx: CtxDep) -> Doc:
    payment = ctx.store.get(ctx.account, "payment", payment_id)
    if payment is None:
        raise not_found("payment", payment_id)
    return payment


@router.get("/customers/{customer_ref}/payment-methods", response_model=PaymentMethods)
async def list_payment_methods(customer_ref: str, ctx: CtxDep) -> dict[str, Any]:
    customer = _customer(ctx, customer_ref)
    return {"data": ctx.store.list(ctx.account, "payment_method", parent=customer["id"])}


@control_router.post(
    "/customers/{customer_ref}/payment-methods", status_code=201, response_model=PaymentMethod
)
async def add_payment_method(
    request: Request,
    customer_ref: str,
    body: CardIn,
    api_key: Annotated[str | None, Query(description="if no bearer key is sent")] = None,
) -> Doc:
    """Give a customer a test card (the dashboard's or checkout's job in Alguna)."""
    key = bearer_key(request.headers) or api_key
    if key is None:
        raise ApiError(400, "send a bearer API key or api_key: customers belong to an account")
    ctx = Ctx(runtime_of(request), account_of(key))
    with ctx.store.transaction():
        customer = _customer(ctx, customer_ref)
        try:
            return add_card(ctx, customer["id"], body.card_number, default=body.default)
        except ValueError as exc:
            raise ApiError(422, f"card_number: {exc}") from None
