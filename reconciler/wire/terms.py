"""Commercial terms shared by prices, plans and subscriptions: spends and discounts.

Wire shapes (the SDK's `SpendingThresholdInput` and `DiscountInput`): spend `{amount,
period, billing_direction?}`; discount `{type, amount, duration_type, duration_unit?,
duration_value?}` with `type` `percentage` or `fixed` (an amount off)
(amounts as decimal strings, None keys omitted; `duration_type` is required by the SDK, so
it is always sent). A price inside a bundle is the SDK's `PriceCreateRequest`, whose
discount is the SDK's `Discount` and names its type `discount_type` instead
(`bundle_discount_to_wire`). Back from the wire a discount's type may come under either
name; a missing `duration_type` reads as `monthly_rolling` and a missing spend period as
`monthly`.
"""

from __future__ import annotations

from typing import Any

from alguna_pricing.model.prices import Discount, Spend
from reconciler.wire.values import WireObject, decimal_from_wire, decimal_to_wire, omit_none


def spend_to_wire(spend: Spend | None) -> WireObject | None:
    if spend is None:
        return None
    return omit_none(
        {
            "amount": decimal_to_wire(spend.amount),
            "period": spend.period,
            "billing_direction": spend.billing_direction,
        }
    )


def spend_from_wire(obj: Any) -> Spend | None:
    if obj is None:
        return None
    return Spend(
        amount=decimal_from_wire(obj["amount"]),
        period=obj.get("period", "monthly"),
        billing_direction=obj.get("billing_direction"),
    )


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


def bundle_discount_to_wire(discount: Discount | None) -> WireObject | None:
    """The discount of a bundle price: the SDK's `Discount` spells `type` `discount_type`."""
    body = discount_to_wire(discount)
    if body is not None:
        body["discount_type"] = body.pop("type")
    return body


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
