"""Commercial terms shared by plans and subscriptions: escalation, invoicing, entitlements.

Owns these small shapes so plans and subscriptions cannot drift apart. Must not hold items or
prices (see items and pricing).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from ..fields import Money, Name, Strict, Text


class PriceEscalation(Strict):
    enabled: bool
    type: Name | None = None
    percentage: Money | None = None
    interval_months: Annotated[int, Field(ge=1, le=600)] | None = None
    escalate_metered_unit_rates: bool | None = None


class InvoiceSettings(Strict):
    auto_issue_invoices: bool | None = None
    auto_pay_invoices: bool | None = None
    invoice_footer_text: Text | None = None
    invoice_memo_template: Text | None = None
    send_activation_email: bool | None = None
    send_invoices_to_customer: bool | None = None
    send_receipts_to_customer: bool | None = None


class Entitlement(Strict):
    """An entitlement as the SDK's ``EntitlementInput`` writes it (the SDK's ``type`` enum;
    docs/api-compatibility.md, "Fields and enums")."""

    entitlement_key: Name
    mode: Literal["static", "grant_based"] = "static"
    type: Literal["boolean", "number", "string", "credit_allocation"]  # the SDK's enum
    value: Annotated[str, Field(max_length=1000)] | None = None
    allocation: dict[str, Any] | None = None
    timing: dict[str, Any] | None = None


Entitlements = Annotated[list[Entitlement], Field(max_length=100)]
