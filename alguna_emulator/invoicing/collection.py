"""Collecting payment for issued invoices: test cards, auto-pay, paid and overdue invoices.

Owns the emulator's payment rules (docs/api-compatibility.md, "Payments"):
- a customer's payment methods are test cards, added through the control API (Alguna's
  come from a payment provider; the SDK only lists them): ``4242 4242 4242 4242`` always
  succeeds, ``4000 0000 0000 0002`` is always declined (the quick start's test cards); any
  other number is refused. The first card is the default;
- when an invoice is issued (the period close calls ``collect``) with something to pay, and its
  subscription auto-pays (``billing.auto_pay_invoices``, else ``payment_collection_method:
  autopay``, else its plan's ``invoice_settings.auto_pay_invoices``), the default card is
  charged at once: a payment is created (``payment.created``, status ``processing``) and
  settled (``payment.updated``): ``completed`` pays the invoice (``paid``, ``invoice.paid``),
  ``failed`` leaves it issued. Without a card nothing is charged. An invoice for nothing is
  paid as issued, with no payment;
- an issued invoice still unpaid after its due date (from the next day, UTC: an invoice due
  on receipt is not overdue the moment it is issued) becomes ``overdue`` with
  ``invoice.overdue``, when the period close next runs (``mark_overdue``: a clock move
  or an invoice read). There are no payment retries.
Must not price anything: invoices come from the period close.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..clock import format_ts, parse_ts
from ..ids import new_id
from ..runtime import Ctx
from ..store import Doc
from ..webhooks.events import emit
from .lifecycle import invoice_payload

TEST_CARDS = {
    "4242424242424242": ("visa", "completed"),
    "4000000000000002": ("visa", "failed"),
}


def card_number(raw: str) -> str:
    """A test card number without spaces or dashes; ValueError for any other card."""
    digits = raw.replace(" ", "").replace("-", "")
    if digits not in TEST_CARDS:
        raise ValueError(
            "use a test card: 4242 4242 4242 4242 (succeeds) or 4000 0000 0000 0002 (declined)"
        )
    return digits


def add_card(ctx: Ctx, customer_id: str, number: str, *, default: bool) -> Doc:
    """Store a test card as the customer's payment method; the first one is the default."""
    digits = card_number(number)
    existing = ctx.store.list(ctx.account, "payment_method", parent=customer_id)
    if default or not existing:
        for method in existing:
            if method["is_default"]:
                ctx.store.replace(ctx.account, "payment_method", {**method, "is_default": False})
    brand, _ = TEST_CARDS[digits]
    now = ctx.clock.now()
    card = {"brand": brand, "last4": digits[-4:], "exp_month": 12, "exp_year": now.year + 3}
    method = {
        "id": new_id("payment_method"),
        "customer_id": customer_id,
        "provider": "stripe",
        "type": "card",
        "is_default": default or not existing,
        "details": {"card": card, "bank_account": None},
        "test_card": digits,
        "created_at": format_ts(now),
    }
    return ctx.store.insert(ctx.account, "payment_method", method, parent=customer_id)


def _auto_pays(ctx: Ctx, sub: Doc) -> bool:
    billing = sub.get("billing") or {}
    if billing.get("auto_pay_invoices") is not None:
        return bool(billing["auto_pay_invoices"])
    if billing.get("payment_collection_method") is not None:
        return bool(billing["payment_collection_method"] == "autopay")
    plan = ctx.store.get(ctx.account, "plan", sub.get("plan_id") or "") or {}
    return bool((plan.get("invoice_settings") or {}).get("auto_pay_invoices"))


def _default_card(ctx: Ctx, customer_id: str) -> Doc | None:
    methods = ctx.store.list(ctx.account, "payment_method", parent=customer_id)
    return next((m for m in methods if m["is_default"]), None)


def payment_payload(payment: Doc) -> dict[str, Any]:
    """A payment as webhook payloads show it: the SDK's ``PaymentPayload`` (camelCase)."""
    return {
        "id": payment["id"],
        "accountId": payment["customer_id"],
        "amount": payment["amount"],
        "currency": payment["currency"],
        "status": payment["status"],
        "invoiceId": payment["invoice_id"],
        "allocations": [
            {"amount": a["amount"], "invoiceId": a["invoice_id"]} for a in payment["allocations"]
        ],
        "createdAt": payment["created_at"],
        "updatedAt": payment["updated_at"],
    }


def _mark_paid(ctx: Ctx, invoice: Doc) -> None:
    now = ctx.now_ts()
    invoice.update(
        status="paid",
        amount_paid=invoice["total"],
        amount_remaining=str(0 * Decimal(invoice["total"])),
        paid_date=now,
        updated_at=now,
    )
    ctx.store.replace(ctx.account, "invoice", invoice)
    emit(ctx, "invoice.paid", invoice_payload(invoice))


def charge(ctx: Ctx, invoice: Doc, card: Doc) -> Doc:
    """Charge what is left of ``invoice`` to ``card``: the payment, as settled."""
    now = ctx.now_ts()
    amount = invoice["amount_remaining"]
    payment = {
        "id": new_id("payment"),
        "customer_id": invoice["customer_id"],
        "invoice_id": invoice["id"],
        "payment_method_id": card["id"],
        "amount": amount,
        "currency": invoice["currency"],
        "status": "processing",
        "allocations": [
            {"amount": amount, "invoice_id": invoice["id"], "reversed": False, "status": "pending"}
        ],
        "amount_received": None,
        "amount_refunded": None,
        "external_id": None,
        "external_url": None,
        "paid_at": None,
        "failed_at": None,
        "created_at": now,
        "updated_at": now,
    }
    ctx.store.insert(ctx.account, "payment", payment, parent=invoice["customer_id"])
    emit(ctx, "payment.created", payment_payload(payment))
    _, outcome = TEST_CARDS[card["test_card"]]
    payment["status"] = outcome
    payment["allocations"][0]["status"] = outcome
    if outcome == "completed":
        payment.update(amount_received=amount, paid_at=now)
    else:
        payment["failed_at"] = now
    ctx.store.replace(ctx.account, "payment", payment)
    emit(ctx, "payment.updated", payment_payload(payment))
    if outcome == "completed":
        _mark_paid(ctx, invoice)
    return payment


def collect(ctx: Ctx, invoice: Doc, sub: Doc) -> None:
    """After an invoice is issued: pay an invoice for nothing, auto-pay the rest by card."""
    if Decimal(invoice["amount_remaining"]) == 0:
        _mark_paid(ctx, invoice)
        return
    if not _auto_pays(ctx, sub):
        return
    card = _default_card(ctx, invoice["customer_id"])
    if card is not None:
        charge(ctx, invoice, card)


def mark_overdue(ctx: Ctx) -> None:
    """After the period close of an account: issued invoices unpaid past their due date (a day after
    it, UTC) are overdue."""
    now = ctx.clock.now()
    for invoice in ctx.store.list(ctx.account, "invoice"):
        due = invoice.get("due_date")
        if invoice["status"] == "issued" and due and parse_ts(due).date() < now.date():
            invoice.update(status="overdue", updated_at=format_ts(now))
            ctx.store.replace(ctx.account, "invoice", invoice)
            emit(ctx, "invoice.overdue", invoice_payload(invoice))
