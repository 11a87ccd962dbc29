"""Stored subscription items read as the shared pricing engine's input (`alguna_pricing`).

Owns the mapping from the API's price form (a ``*_pricing_model`` object, tiers as
``min_units``/``max_units``, ``trial_period_days``) to the engine's price models (tiers as
``up_to``), and from a version's items to `InvoiceItem`s keyed by metric id. Must not
compute any amount: that is the engine's, so the emulator and `billing invoice preview`
agree by construction.

Assumptions (docs/api-compatibility.md, "Invoices"): an expression price's ``usage.<name>``
reads the price's metric when it has exactly one (the API stores no metric keys), else
the metric whose name is ``<name>``; a ``matrix`` price's routing tree is read back as flat
cells (`_matrix`), so the engine routes usage as the tree does.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import TypeAdapter, ValidationError

from alguna_pricing.errors import PricingError
from alguna_pricing.invoice import InvoiceItem, Terms
from alguna_pricing.model.prices import Discount, Price, Spend

from ..store import Doc

PRICE_ADAPTER: TypeAdapter[Price] = TypeAdapter(Price)


class UnsupportedPriceError(PricingError):
    """A stored price the emulator's invoices cannot price (its reason in the message)."""


def _tiers(tiers: list[Doc], rate: str) -> list[dict[str, Any]]:
    return [
        {
            "up_to": tier.get("max_units"),
            rate: tier[rate],
            "fixed_fee": tier.get("fixed_fee") or "0",
        }
        for tier in tiers
    ]


def _model_fields(kind: str, model: Doc) -> dict[str, Any]:
    if kind == "unit":
        return {"price_per_unit": model["price_per_unit"]}
    if kind == "fixed":
        return {"price_per_unit": model["price_per_unit"], "units": model.get("units", 1)}
    if kind == "tiered":
        return {"tiers": _tiers(model["tiers"], "price_per_unit")}
    if kind == "graduated_tiered":
        return {"tiers": _tiers(model["tiers"], "price_per_unit"), "units": model.get("units")}
    if kind in ("prepaid_tiered", "prepaid_fixed_tiered"):
        fields = {
            "tiers": _tiers(model["tiers"], "price_per_unit"),
            "prepaid_units": model["prepaid_units"],
        }
        if kind == "prepaid_fixed_tiered":
            fields["overages_charge_interval"] = model.get("overages_charge_interval", "monthly")
        return fields
    if kind in ("tiered_percentage", "graduated_percentage"):
        return {"tiers": _tiers(model["tiers"], "percentage")}
    if kind == "volume_percentage":
        return {
            "percentage": model["percentage"],
            "price_per_unit": model.get("price_per_unit") or "0",
            "fixed_fee": model.get("fixed_fee") or "0",
        }
    if kind == "expression":
        charges = [
            {
                "description": charge.get("description") or f"charge {n + 1}",
                "quantity_expression": charge["quantity_expression"],
                "unit_price_expression": charge["unit_price_expression"],
                "billing_direction": charge.get("billing_direction", "arrears"),
            }
            for n, charge in enumerate(model["charges"])
        ]
        return {"charges": charges}
    if kind == "matrix":
        return _matrix(model)
    raise UnsupportedPriceError(f"{kind} prices are not invoiced by the emulator")


_CELL_TYPES = (
    "unit", "fixed", "tiered", "graduated_tiered",
    "tiered_percentage", "graduated_percentage", "volume_percentage",
)  # fmt: skip


def _cell(leaf: Doc, match: dict[str, str] | None) -> dict[str, Any]:
    kind = leaf["type"]
    if kind not in _CELL_TYPES:
        raise UnsupportedPriceError(f"a matrix cell of type {kind!r}")
    fields = _model_fields(kind, leaf[f"{kind}_pricing_model"])
    if kind == "graduated_tiered":
        fields.pop("units", None)  # a cell prices its usage: no declared units
    cell = {"type": kind, "label": leaf.get("label"), "match": match, **fields}
    return {k: v for k, v in cell.items() if v is not None}


def _walk(node: Doc, keys: list[str], match: dict[str, str], out: list[dict[str, Any]]) -> None:
    """The cells under `node` of a routing tree, each with the values that lead to it."""
    if node.get("leaf") is not None:
        out.append(_cell(node["leaf"], match))
    for split in node.get("splits") or []:
        key = split["dimension_key"]
        for branch in split.get("branches") or []:
            _walk(branch["child"], keys, {**match, key: branch["value"]}, out)
        if split.get("wildcard") is not None:
            _walk(split["wildcard"], keys, {**match, key: "*"}, out)


def _matrix(model: Doc) -> dict[str, Any]:
    """A routing tree (``root``: one split per dimension, cells as leaves, a fallback leaf
    at the root) read back as the engine's flat cells; the engine routes as the tree does
    (docs/pricing.md, "matrix")."""
    keys = [d["key"] for d in model["dimensions"]]
    cells: list[dict[str, Any]] = []
    root = model["root"]
    _walk({k: v for k, v in root.items() if k != "fallback"}, keys, {}, cells)
    fallback = root.get("fallback")
    return {
        "dimensions": [
            {k: d[k] for k in ("key", "label", "values") if d.get(k) is not None}
            for d in model["dimensions"]
        ],
        "cells": cells,
        "fallback": None if fallback is None else _cell(fallback["leaf"], None),
        "line_item_template": model.get("line_item_template"),
    }


def _spend(doc: Doc | None) -> Spend | None:
    if doc is None:
        return None
    return Spend(
        amount=doc["amount"],
        period=doc.get("period") or "monthly",
        billing_direction=doc.get("billing_direction"),
    )


def _discount(doc: Doc | None) -> Discount | None:
    if doc is None:
        return None
    fields = {
        "type": doc.get("type") or doc.get("discount_type") or "percentage",
        "amount": doc["amount"],
        "duration_type": doc.get("duration_type") or "monthly_rolling",
        "duration_unit": doc.get("duration_unit"),
        "duration_value": doc.get("duration_value"),
    }
    return Discount.model_validate({k: v for k, v in fields.items() if v is not None})


def engine_price(doc: Doc) -> Price:
    """A stored price as the engine's model; `UnsupportedPriceError` when it cannot be."""
    kind = doc["type"]
    fields: dict[str, Any] = {
        "type": kind,
        "billing_interval": doc.get("billing_interval") or "monthly",
        "billing_interval_count": doc.get("billing_interval_count"),
        "billing_interval_unit": doc.get("billing_interval_unit"),
        "charge_on_contract_start": bool(doc.get("charge_on_contract_start")),
        "trial_days": doc.get("trial_period_days"),
        "minimum_spend": _spend(doc.get("minimum_spend")),
        "maximum_spend": _spend(doc.get("maximum_spend")),
        "discount": _discount(doc.get("discount")),
        **_model_fields(kind, doc[f"{kind}_pricing_model"]),
    }
    try:
        return PRICE_ADAPTER.validate_python({k: v for k, v in fields.items() if v is not None})
    except ValidationError as exc:
        raise UnsupportedPriceError(f"a {kind} price the engine cannot read: {exc}") from None


def _product_items(items: list[Doc]) -> Iterator[Doc]:
    for item in items:
        if "bundle_id" in item:
            yield from item["items"]
        else:
            yield item


def invoice_items(items: list[Doc], products: dict[str, Doc]) -> tuple[InvoiceItem, ...]:
    """A version's stored items (bundles flattened) as the engine's items; lines are
    labelled with the product's name (else its id), usage is read by metric id."""
    out: list[InvoiceItem] = []
    for item in _product_items(items):
        price = item["price"]
        product = products.get(item["product_id"]) or {}
        out.append(
            InvoiceItem(
                product=str(product.get("name") or item["product_id"]),
                price=engine_price(price),
                metrics=tuple(price.get("metric_ids") or ()),
                one_off=price.get("billing_frequency") == "one-off",
            )
        )
    return tuple(out)


def subscription_terms(sub: Doc) -> Terms:
    """The subscription's own terms (a plan's were copied onto it at creation)."""
    return Terms(
        trial_days=sub.get("trial_period_days"),
        discount=_discount(sub.get("discount")),
        minimum_spend=_spend(sub.get("minimum_spend")),
        maximum_spend=_spend(sub.get("maximum_spend")),
    )
