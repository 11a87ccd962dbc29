"""A customer's credit: grants, what is left of them, drawing on them, and their events.

Owns the emulator's credit model (docs/api-compatibility.md, "Credits"):
- credit is a list of grants per customer (kind ``grant``, parented by the customer). A
  grant comes from a wallet (``wallet_grants.create``, ``wallets.credit``) or from a
  subscription (``subscriptions.create_credit_grant``); it has an ``amount``, a
  ``remaining`` and an optional ``expires_at``; a grant is live while it is approved, not
  expired and has something remaining;
- the customer's monetary ledger (``ldg_<customer id>``) is every live monetary grant; a
  wallet's balance is its own live grants. ``units`` grants are kept and reported but
  nothing draws on them (the emulator prices credit in money only);
- a draw takes from live grants soonest-expiring first (never-expiring last), then oldest
  first; a grant of a wallet restricted to ``product_ids`` only pays for those products;
  a draw is all or nothing;
- every grant emits ``account.credits.granted``; a draw that takes the monetary ledger from
  above zero to zero emits ``account.credits.balance_depleted`` (so exactly once per time
  the balance runs out: later refused draws find it at zero already, and only a new grant
  can make it run out again). Expiry does not emit it.
Must not price usage: the credits resource turns events into amounts.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..clock import format_ts, parse_ts
from ..ids import new_id
from ..runtime import Ctx
from ..store import Doc
from ..webhooks.events import emit

MONETARY = "monetary"


def ledger_id(customer_id: str) -> str:
    """The name of a customer's monetary ledger (assumed: one per customer)."""
    return f"ldg_{customer_id}"


def amount_text(value: Decimal) -> str:
    """A decimal as the API writes amounts: plain notation, no exponent."""
    return format(value.normalize(), "f") if value else "0"


def grants(ctx: Ctx, customer_id: str) -> list[Doc]:
    """Every grant of a customer, oldest first."""
    return ctx.store.list(ctx.account, "grant", parent=customer_id)


def is_live(grant: Doc, ctx: Ctx, at: str | None = None) -> bool:
    """Approved, made by and not expired at ``at`` (default now), and not used up."""
    moment = parse_ts(at) if at else ctx.clock.now()
    expires = grant.get("expires_at")
    return (
        grant["status"] == "approved"
        and parse_ts(grant["created_at"]) <= moment
        and (expires is None or parse_ts(expires) > moment)
        and Decimal(grant["remaining"]) > 0
    )


def available(ctx: Ctx, customer_id: str, *, at: str | None = None) -> Decimal:
    """What the customer's monetary ledger can still spend."""
    return sum(
        (
            Decimal(g["remaining"])
            for g in grants(ctx, customer_id)
            if g["credit_type"] == MONETARY and is_live(g, ctx, at)
        ),
        Decimal(0),
    )


def wallet_balance(ctx: Ctx, wallet: Doc) -> Decimal:
    """What is left of a wallet's live grants."""
    return sum(
        (
            Decimal(g["remaining"])
            for g in grants(ctx, wallet["customer_id"])
            if g.get("wallet_id") == wallet["id"] and is_live(g, ctx)
        ),
        Decimal(0),
    )


def add_grant(
    ctx: Ctx,
    *,
    customer_id: str,
    amount: Decimal,
    reason: str,
    description: str | None = None,
    credit_type: str = MONETARY,
    wallet_id: str | None = None,
    subscription_id: str | None = None,
    expires_at: str | None = None,
    payment_id: str | None = None,
) -> Doc:
    """Store an approved grant and emit ``account.credits.granted``."""
    now = ctx.now_ts()
    grant = {
        "id": new_id("grant"),
        "customer_id": customer_id,
        "wallet_id": wallet_id,
        "subscription_id": subscription_id,
        "amount": amount_text(amount),
        "remaining": amount_text(amount),
        "credit_type": credit_type,
        "reason": reason,
        "description": description,
        "status": "approved",
        "grant_type": "api",
        "expires_at": expires_at,
        "payment_id": payment_id,
        "invoice_id": None,
        "created_at": now,
        "updated_at": now,
    }
    ctx.store.insert(ctx.account, "grant", grant, parent=customer_id)
    emit(
        ctx,
        "account.credits.granted",
        {
            "accountId": customer_id,
            "amount": grant["amount"],
            "grantId": grant["id"],
            "reason": reason,
            "type": credit_type,
        },
    )
    return grant


@dataclass(frozen=True)
class Need:
    """An amount to draw, and the product it pays for (for wallets restricted to products)."""

    amount: Decimal
    product_id: str | None = None


def _usable(grant: Doc, need: Need, wallets: dict[str, Doc]) -> bool:
    wallet = wallets.get(grant.get("wallet_id") or "")
    allowed = (wallet or {}).get("product_ids") or []
    return not allowed or need.product_id in allowed


def _draw_order(grant: Doc) -> tuple[int, str]:
    expires = grant.get("expires_at")
    return (0, expires) if expires else (1, "")


def draw(ctx: Ctx, customer_id: str, needs: list[Need], *, wallet_id: str | None = None) -> bool:
    """Take every need from the customer's live monetary grants (only ``wallet_id``'s if
    given), all or nothing; True if drawn. Emits the depletion event when the ledger runs
    out. The caller holds the transaction."""
    before = available(ctx, customer_id)
    live = sorted(
        (
            g
            for g in grants(ctx, customer_id)
            if g["credit_type"] == MONETARY
            and is_live(g, ctx)
            and (wallet_id is None or g.get("wallet_id") == wallet_id)
        ),
        key=_draw_order,
    )
    wallets = {w["id"]: w for w in ctx.store.list(ctx.account, "wallet")}
    left = {g["id"]: Decimal(g["remaining"]) for g in live}
    for need in needs:
        owed = need.amount
        for grant in live:
            if owed <= 0:
                break
            if _usable(grant, need, wallets):
                taken = min(owed, left[grant["id"]])
                left[grant["id"]] -= taken
                owed -= taken
        if owed > 0:
            return False
    now = ctx.now_ts()
    for grant in live:
        if left[grant["id"]] != Decimal(grant["remaining"]):
            grant.update(remaining=amount_text(left[grant["id"]]), updated_at=now)
            ctx.store.replace(ctx.account, "grant", grant)
    if before > 0 and available(ctx, customer_id) == 0:
        data = {"accountId": customer_id, "amount": "0", "type": MONETARY}
        emit(ctx, "account.credits.balance_depleted", data)
    return True


def balance_entry(ctx: Ctx, customer_id: str, metric_ids: list[str]) -> dict[str, Any]:
    """The SDK's ``CreditBalance`` of the customer's monetary ledger for these metrics."""
    return {
        "available": amount_text(available(ctx, customer_id)),
        "credit_type": MONETARY,
        "filtered": True,
        "ledger_id": ledger_id(customer_id),
        "metric_ids": metric_ids,
        "scope": {"level": "account", "subscription_id": None, "filters": None},
    }


def as_of(value: str | None, ctx: Ctx) -> str:
    """An ``as_of`` query value as a timestamp, default now."""
    return format_ts(parse_ts(value)) if value else ctx.now_ts()
