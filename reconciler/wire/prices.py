"""Prices: a catalog `Price` <-> the wire price object.

To the wire (`price_to_wire`), for the price of product `product_key`:
- `fee_type` is the product's; `billing_frequency` is the product's for fixed products
  (`recurring` when it declares none) and `recurring` for metered ones.
- `billing_direction` is the price's, else the product's `payment_terms`.
- `metric_ids` are the ids of the price's `metrics`, else of the product's metrics.
- `trial_days` -> `trial_period_days`; money, rates, percentages as decimal strings;
  the model's fields go into `<type>_pricing_model`; keys whose value is None are omitted.
- `product_id` is not included (bundle prices add it; items carry it beside the price).

Back from the wire (`price_from_wire`): response-only keys (`id`, `currency`, timestamps,
`fixed_pricing_model.total`, `product`, `product_id`, `fee_type`, `billing_frequency`) are
ignored. Defaults are folded back: a `billing_direction` equal to the product's payment
terms and `metric_ids` equal to the product's metrics (same order) become None. Decimals
come back canonical (see `values`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import TypeAdapter

from alguna_pricing.model.prices import (
    ExpressionCharge,
    ExpressionPrice,
    FixedPrice,
    GraduatedPercentagePrice,
    GraduatedTieredPrice,
    MatrixPrice,
    PrepaidFixedTieredPrice,
    PrepaidTieredPrice,
    TieredPercentagePrice,
    TieredPrice,
    UnitPrice,
    VolumePercentagePrice,
)
from reconciler.model import Price, Product
from reconciler.wire.errors import InvalidWireObjectError, reading
from reconciler.wire.matrix import matrix_from_wire, matrix_to_wire
from reconciler.wire.refs import IdResolver, KeyResolver
from reconciler.wire.terms import (
    discount_from_wire,
    discount_to_wire,
    spend_from_wire,
    spend_to_wire,
)
from reconciler.wire.tiers import percentage_tiers_from_wire, tiers_to_wire, unit_tiers_from_wire
from reconciler.wire.values import WireObject, decimal_from_wire, decimal_to_wire, omit_none

PRICE_ADAPTER: TypeAdapter[Price] = TypeAdapter(Price)


def model_field(price_type: str) -> str:
    """The wire key holding a price type's model object, e.g. `tiered_pricing_model`."""
    return f"{price_type}_pricing_model"


def billing_frequency(product: Product) -> str:
    """The `billing_frequency` a price of `product` carries on the wire."""
    if product.fee_type == "metered":
        return "recurring"
    return product.billing_frequency or "recurring"


def price_to_wire(price: Price, product_key: str, ids: IdResolver) -> WireObject:
    product = ids.product(product_key)
    metrics = price.metrics if price.metrics is not None else product.metrics
    body: WireObject = {
        "type": price.type,
        "fee_type": product.fee_type,
        "billing_frequency": billing_frequency(product),
        "billing_direction": price.billing_direction or product.payment_terms,
        "billing_interval": price.billing_interval,
        "billing_interval_count": price.billing_interval_count,
        "billing_interval_unit": price.billing_interval_unit,
        "metric_ids": [ids.metric_id(key) for key in metrics],
        "display_order": price.display_order,
        "charge_on_contract_start": price.charge_on_contract_start,
        "trial_period_days": price.trial_days,
        "minimum_spend": spend_to_wire(price.minimum_spend),
        "maximum_spend": spend_to_wire(price.maximum_spend),
        "discount": discount_to_wire(price.discount),
        model_field(price.type): _model_to_wire(price),
    }
    return omit_none(body)


def _model_to_wire(price: Price) -> WireObject:
    match price:
        case UnitPrice():
            return {"price_per_unit": decimal_to_wire(price.price_per_unit)}
        case FixedPrice():
            return {"price_per_unit": decimal_to_wire(price.price_per_unit), "units": price.units}
        case TieredPrice() | TieredPercentagePrice() | GraduatedPercentagePrice():
            return {"tiers": tiers_to_wire(price.tiers)}
        case GraduatedTieredPrice():
            return omit_none({"tiers": tiers_to_wire(price.tiers), "units": price.units})
        case PrepaidTieredPrice():
            return {"prepaid_units": price.prepaid_units, "tiers": tiers_to_wire(price.tiers)}
        case PrepaidFixedTieredPrice():
            return {
                "prepaid_units": price.prepaid_units,
                "overages_charge_interval": price.overages_charge_interval,
                "tiers": tiers_to_wire(price.tiers),
            }
        case VolumePercentagePrice():
            return {
                "price_per_unit": decimal_to_wire(price.price_per_unit),
                "percentage": decimal_to_wire(price.percentage),
                "fixed_fee": decimal_to_wire(price.fixed_fee),
            }
        case ExpressionPrice():
            return {"charges": [_charge_to_wire(charge) for charge in price.charges]}
        case MatrixPrice():
            return matrix_to_wire(price)
    raise AssertionError(f"unhandled price type {price.type}")  # pragma: no cover


def _charge_to_wire(charge: ExpressionCharge) -> WireObject:
    return {
        "billing_direction": charge.billing_direction,
        "description": charge.description,
        "quantity_expression": charge.quantity_expression,
        "unit_price_expression": charge.unit_price_expression,
    }


def price_from_wire(
    obj: Mapping[str, Any], product_key: str, keys: KeyResolver, where: str = "price"
) -> Price:
    product = keys.product(product_key)
    with reading(where):
        metric_keys = tuple(keys.metric_key(i) for i in obj.get("metric_ids") or ())
        price_type = obj["type"]
        if not isinstance(price_type, str) or price_type not in _MODEL_READERS:
            raise InvalidWireObjectError(where, f"unknown price type {price_type!r}")
        model = obj[model_field(price_type)]
        direction = obj.get("billing_direction")
        fields: dict[str, Any] = {
            "type": price_type,
            "billing_interval": _interval(obj),
            "billing_interval_count": obj.get("billing_interval_count"),
            "billing_interval_unit": obj.get("billing_interval_unit"),
            "billing_direction": None if direction == product.payment_terms else direction,
            "charge_on_contract_start": obj.get("charge_on_contract_start", False),
            "trial_days": obj.get("trial_period_days"),
            "minimum_spend": spend_from_wire(obj.get("minimum_spend")),
            "maximum_spend": spend_from_wire(obj.get("maximum_spend")),
            "discount": discount_from_wire(obj.get("discount")),
            "display_order": obj.get("display_order"),
            "metrics": None if metric_keys == product.metrics else metric_keys,
            **_MODEL_READERS[price_type](model, f"{where}.{model_field(price_type)}"),
        }
        return PRICE_ADAPTER.validate_python(omit_none(fields))


_NAMED_INTERVALS = {1: "monthly", 3: "quarterly", 6: "semi_annual", 12: "yearly"}


def _interval(obj: Mapping[str, Any]) -> Any:
    """`billing_interval`, which the SDK calls legacy and optional: when a price carries only
    `billing_interval_count` months, the named interval of that many months (else monthly;
    the count and unit, read beside it, then say how often the price bills)."""
    named = obj.get("billing_interval")
    if named is not None:
        return named
    count = obj.get("billing_interval_count")
    if obj.get("billing_interval_unit") == "month" and isinstance(count, int):
        return _NAMED_INTERVALS.get(count, "monthly")
    return "monthly"


def _unit(model: Any, where: str) -> dict[str, Any]:
    return {"price_per_unit": decimal_from_wire(model["price_per_unit"])}


def _fixed(model: Any, where: str) -> dict[str, Any]:
    return {"price_per_unit": decimal_from_wire(model["price_per_unit"]), "units": model["units"]}


def _unit_tiers(model: Any, where: str) -> dict[str, Any]:
    return {"tiers": unit_tiers_from_wire(model["tiers"], f"{where}.tiers")}


def _graduated(model: Any, where: str) -> dict[str, Any]:
    return {**_unit_tiers(model, where), "units": model.get("units")}


def _prepaid(model: Any, where: str) -> dict[str, Any]:
    return {**_unit_tiers(model, where), "prepaid_units": model["prepaid_units"]}


def _prepaid_fixed(model: Any, where: str) -> dict[str, Any]:
    interval = model.get("overages_charge_interval", "monthly")
    return {**_prepaid(model, where), "overages_charge_interval": interval}


def _percentage_tiers(model: Any, where: str) -> dict[str, Any]:
    return {"tiers": percentage_tiers_from_wire(model["tiers"], f"{where}.tiers")}


def _volume_percentage(model: Any, where: str) -> dict[str, Any]:
    return {
        "price_per_unit": decimal_from_wire(model.get("price_per_unit", "0")),
        "percentage": decimal_from_wire(model["percentage"]),
        "fixed_fee": decimal_from_wire(model.get("fixed_fee", "0")),
    }


def _expression(model: Any, where: str) -> dict[str, Any]:
    charges = [
        ExpressionCharge(
            billing_direction=charge.get("billing_direction", "arrears"),
            description=charge["description"],
            quantity_expression=charge["quantity_expression"],
            unit_price_expression=charge["unit_price_expression"],
        )
        for charge in model["charges"]
    ]
    return {"charges": tuple(charges)}


_MODEL_READERS = {
    "unit": _unit,
    "fixed": _fixed,
    "tiered": _unit_tiers,
    "graduated_tiered": _graduated,
    "prepaid_tiered": _prepaid,
    "prepaid_fixed_tiered": _prepaid_fixed,
    "tiered_percentage": _percentage_tiers,
    "graduated_percentage": _percentage_tiers,
    "volume_percentage": _volume_percentage,
    "expression": _expression,
    "matrix": matrix_from_wire,
}
