"""``GET /invoices`` and ``GET /invoices/{id}``: the invoices the period close made.

Owns the SDK's response shapes (``InvoiceListItemResponse``, ``InvoiceResponse`` with
``LineItemResponse`` lines) and the list filters the SDK sends: ``customer_id`` (id or
alias), ``subscription_id``, ``status`` (comma list), the ``*_date_gte``/``*_date_lte``
ranges on invoicing, issue, due and paid dates, and ``sort``; other SDK filters
(``autopay``, ``reference``, ``external_reference``, ``tag_ids``,
``tax_calculation_id``) are accepted and match only what the emulator can hold (no invoice
has tags, references or tax calculations). Before answering, the account's ended cycles are
closed (`close.close_due`), so a read never lags the clock.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, get_args

from fastapi import Query
from pydantic import BaseModel

from ..clock import parse_ts
from ..errors import ApiError
from ..resources.lookup import resolve_customer
from ..routing import (
    ListParamsDep,
    Page,
    SortParam,
    api_router,
    csv_enum,
    csv_values,
    page,
    sort_docs,
)
from ..runtime import Ctx, CtxDep
from ..store import Doc
from .close import close_due

router = api_router("invoices")

InvoiceStatus = Literal[
    "draft", "upcoming", "pending_approval", "scheduled", "processing",
    "issued", "void", "paid", "canceled", "overdue",
]  # fmt: skip
_SORTABLE = ("created_at", "invoicing_date", "issue_date", "due_date", "paid_date", "status")
_DATES = ("invoicing_date", "issue_date", "due_date", "paid_date")
DateQuery = Annotated[str | None, Query(max_length=40)]


class LineItem(BaseModel):
    id: str
    description: str
    quantity: str
    unit_price: str
    amount_excluding_tax: str
    amount_including_tax: str
    total_price: str
    tax_amount: str | None = None
    tax_rate: str | None = None
    is_editable: bool
    product_id: str | None = None
    billing_period_start: str | None = None
    billing_period_end: str | None = None


class InvoiceListItem(BaseModel):
    id: str
    customer_id: str
    status: InvoiceStatus
    currency: str
    description: str
    billing_period: str
    billing_period_start: str | None = None
    billing_period_end: str | None = None
    total: str
    tax_calculation_id: str | None = None
    created_at: str
    updated_at: str


class Invoice(InvoiceListItem):
    line_items: list[LineItem]
    subtotal: str
    tax: str
    amount_paid: str
    amount_remaining: str
    invoicing_date: str | None = None
    issue_date: str | None = None
    due_date: str | None = None
    paid_date: str | None = None


def _in_range(doc: Doc, field: str, lower: datetime | None, upper: datetime | None) -> bool:
    if lower is None and upper is None:
        return True
    value = doc.get(field)
    if value is None:
        return False
    moment = parse_ts(value)
    return (lower is None or moment >= lower) and (upper is None or moment <= upper)


def _moment(raw: str | None, name: str) -> datetime | None:
    if raw is None:
        return None
    try:
        return parse_ts(raw)
    except ValueError as exc:
        raise ApiError(400, f"{name}: {exc}") from None


def invoices_of(ctx: Ctx) -> list[Doc]:
    """Every invoice of the account, after closing the cycles that have ended."""
    close_due(ctx.runtime, ctx.account)
    return ctx.store.list(ctx.account, "invoice")


@router.get("/invoices", response_model=Page[InvoiceListItem])
async def list_invoices(
    ctx: CtxDep,
    params: ListParamsDep,
    sort: SortParam = None,
    customer_id: Annotated[str | None, Query(max_length=1000)] = None,
    subscription_id: Annotated[str | None, Query(max_length=1000)] = None,
    status: Annotated[str | None, Query(max_length=1000)] = None,
    autopay: bool | None = None,
    reference: Annotated[str | None, Query(max_length=255)] = None,
    external_reference: Annotated[str | None, Query(max_length=255)] = None,
    tag_ids: Annotated[str | None, Query(max_length=1000)] = None,
    tax_calculation_id: Annotated[str | None, Query(max_length=255)] = None,
    invoicing_date_gte: DateQuery = None,
    invoicing_date_lte: DateQuery = None,
    issue_date_gte: DateQuery = None,
    issue_date_lte: DateQuery = None,
    due_date_gte: DateQuery = None,
    due_date_lte: DateQuery = None,
    paid_date_gte: DateQuery = None,
    paid_date_lte: DateQuery = None,
) -> dict[str, Any]:
    docs = invoices_of(ctx)
    if wanted := csv_values(customer_id):
        ids = {c["id"] for ref in wanted if (c := resolve_customer(ctx, ref)) is not None}
        docs = [d for d in docs if d["customer_id"] in ids]
    if wanted := csv_values(subscription_id):
        docs = [d for d in docs if d["subscription_id"] in wanted]
    if wanted := csv_enum(status, "status", get_args(InvoiceStatus)):
        docs = [d for d in docs if d["status"] in wanted]
    if autopay is not None:
        docs = [d for d in docs if bool(d.get("autopay")) == autopay]
    if reference is not None or external_reference is not None:
        wanted_refs = {r for r in (reference, external_reference) if r is not None}
        docs = [d for d in docs if d.get("external_reference") in wanted_refs]
    if csv_values(tag_ids) or tax_calculation_id is not None:
        docs = []  # no emulator invoice has tags or comes from a tax calculation
    ranges = {
        "invoicing_date": (invoicing_date_gte, invoicing_date_lte),
        "issue_date": (issue_date_gte, issue_date_lte),
        "due_date": (due_date_gte, due_date_lte),
        "paid_date": (paid_date_gte, paid_date_lte),
    }
    for field in _DATES:
        raw_lower, raw_upper = ranges[field]
        lower = _moment(raw_lower, f"{field}_gte")
        upper = _moment(raw_upper, f"{field}_lte")
        docs = [d for d in docs if _in_range(d, field, lower, upper)]
    return page(sort_docs(docs, sort, _SORTABLE), params)


@router.get("/invoices/{invoice_id}", response_model=Invoice)
async def get_invoice(invoice_id: str, ctx: CtxDep) -> dict[str, Any]:
    for doc in invoices_of(ctx):
        if doc["id"] == invoice_id:
            return doc
    raise ApiError(404, f"invoice {invoice_id} not found")
