"""Commercial terms shared by prices, plans and subscriptions: spends and discounts.

Wire shapes: spend `{amount, period}`; discount `{type, amount, duration_type?,
duration_unit?, duration_value?}` (amounts as decimal strings, None keys omitted). Back
from the wire a discount's type may also come as `discount_type` (the bundle examples in
alguna-api.md section 3.2 spell it so); a missing spend period reads as `monthly`.
"""

from __future__ import annotations

from typing import Any

from reconciler.model.prices import Discount, Spend
from reconciler.wire.values import WireObject, decimal_from_wire, decimal_to_wire, omit_none


def spend_to_wire(spend: Spend | None) -> WireObject | None:
    if spend is None:
        return None
    return {"amount": decimal_to_wire(spend.amount), "period": spend.period}


def spend_from_wire(obj: Any) -> Spend | None:
    if obj is None:
        return None
    return Spend(amount=decimal_from_wire(obj["amount"]), period=obj.get("period", "monthly"))


def discount_to_wire(discount: Discount | None) -> WireObject | None:
    if discount is None:
        return None
    return omit_none(
        {
            "type": discount.type,
            "amount": decimal_to_wire(discount.amount),
            "duration_type": discount.duration_type,
            "duration_unit": discount.duration_unit,
            "duration_value": discount.duration_value,
        }
    )


def discount_from_wire(obj: Any) -> Discount | None:
    if obj is None:
        return None
    return Discount.model_validate(
        omit_none(
            {
                "type": obj.get("type") or obj.get("discount_type") or "percentage",
                "amount": decimal_from_wire(obj["amount"]),
                "duration_type": obj.get("duration_type"),
                "duration_unit": obj.get("duration_unit"),
                "duration_value": obj.get("duration_value"),
            }
        )
    )
