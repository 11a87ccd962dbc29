"""Matrix prices: the catalog's flat cells <-> the API's routing tree (`matrix_pricing_model`).

To the wire (`matrix_to_wire`): `dimensions` as written; `line_item_template` if set; and
`root`, a tree with one level per dimension, in the declared order. A node at depth `d`
has exactly one split on dimension `d`: one exact `branch` per value the cells name there
(in the order the cells first name it) and a `wildcard` for the cells naming `*`; the node
at depth `len(dimensions)` is the cell's `leaf`. The fallback cell is the root's `fallback`
leaf. A cell is `{type, label?, <type>_pricing_model}`; `cell_key` is never sent (the API
assigns it to a new cell, and a changed price is created anew). A bundle price
(`PriceCreateRequest`) carries a fixed cell's `total`, as for a fixed price:
`with_cell_totals`.

Back from the wire (`matrix_from_wire`): the inverse, for exactly the trees the catalog can
write. Any other tree (several splits at one node, a split on another dimension than the
level's, a leaf above the last level, a fallback below the root or a fallback that is not
a leaf, an exact branch valued `*`, a value branched twice, a split that routes nowhere)
raises `InvalidWireObjectError`, naming the node and what the catalog cannot express:
such a price is reported, never silently rewritten. `cell_key` and any other
response-only key of a cell (a fixed model's `total`) are ignored. Cells come back in the
tree's depth-first order (branches in order, then the wildcard), which is the canonical
order of cells.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, localcontext
from typing import Any

from pydantic import TypeAdapter

from alguna_pricing.model.prices import MatrixPrice
from reconciler.model.matrix import (
    WILDCARD,
    FixedCell,
    MatrixCell,
    MatrixDimension,
    UnitCell,
    VolumePercentageCell,
)
from reconciler.wire.errors import InvalidWireObjectError
from reconciler.wire.tiers import percentage_tiers_from_wire, tiers_to_wire, unit_tiers_from_wire
from reconciler.wire.values import WireObject, decimal_from_wire, decimal_to_wire, omit_none

CELL_ADAPTER: TypeAdapter[MatrixCell] = TypeAdapter(MatrixCell)


def matrix_to_wire(price: MatrixPrice) -> WireObject:
    """The `matrix_pricing_model` object of `price` (module docstring)."""
    keys = [dimension.key for dimension in price.dimensions]
    root = _node(list(price.cells), keys, 0)
    if price.fallback is not None:
        root["fallback"] = {"leaf": cell_to_wire(price.fallback)}
    return omit_none(
        {
            "dimensions": [_dimension_to_wire(d) for d in price.dimensions],
            "line_item_template": price.line_item_template,
            "root": root,
        }
    )


def _dimension_to_wire(dimension: MatrixDimension) -> WireObject:
    values = None if dimension.values is None else list(dimension.values)
    return omit_none({"key": dimension.key, "label": dimension.label, "values": values})


def _node(cells: list[MatrixCell], keys: Sequence[str], depth: int) -> WireObject:
    if depth == len(keys):
        (cell,) = cells  # the catalog rules refuse two cells with one match
        return {"leaf": cell_to_wire(cell)}
    groups: dict[str, list[MatrixCell]] = {}
    for cell in cells:
        assert cell.match is not None  # the catalog rules require a full match
        groups.setdefault(cell.match[keys[depth]], []).append(cell)
    branches = [
        {"value": value, "child": _node(group, keys, depth + 1)}
        for value, group in groups.items()
        if value != WILDCARD
    ]
    split: WireObject = {"dimension_key": keys[depth], "branches": branches}
    if WILDCARD in groups:
        split["wildcard"] = _node(groups[WILDCARD], keys, depth + 1)
    return {"splits": [split]}


def cell_to_wire(cell: MatrixCell) -> WireObject:
    """One cell: its type, its label when it has one, its model object."""
    return omit_none(
        {"type": cell.type, "label": cell.label, f"{cell.type}_pricing_model": _cell_model(cell)}
    )


def _cell_model(cell: MatrixCell) -> WireObject:
    match cell:
        case UnitCell():
            return {"price_per_unit": decimal_to_wire(cell.price_per_unit)}
        case FixedCell():
            return {"price_per_unit": decimal_to_wire(cell.price_per_unit), "units": cell.units}
        case VolumePercentageCell():
            return {
                "price_per_unit": decimal_to_wire(cell.price_per_unit),
                "percentage": decimal_to_wire(cell.percentage),
                "fixed_fee": decimal_to_wire(cell.fixed_fee),
            }
        case _:
            return {"tiers": tiers_to_wire(cell.tiers)}


def with_cell_totals(model: WireObject) -> WireObject:
    """`model` (a `matrix_pricing_model`) with each fixed cell's `total` (price_per_unit x
    units), which the SDK's `PriceCreateRequest` (a bundle price) requires."""

    def visit(node: Any) -> None:
        if not isinstance(node, dict):
            return
        fixed = node.get("fixed_pricing_model")
        if isinstance(fixed, dict) and "price_per_unit" in fixed:
            with localcontext(prec=60):  # exact: at most 12 decimals, units <= 10^12
                total = Decimal(fixed["price_per_unit"]) * fixed["units"]
            fixed["total"] = decimal_to_wire(total)
        for value in node.values():
            for child in value if isinstance(value, list) else [value]:
                visit(child)

    visit(model["root"])
    return model


# ---- back from the wire --------------------------------------------------------------------


def matrix_from_wire(model: Mapping[str, Any], where: str) -> dict[str, Any]:
    """The fields of a `MatrixPrice` read from its `matrix_pricing_model` (module doc)."""
    dimensions = tuple(
        MatrixDimension(
            key=d["key"],
            label=d["label"],
            values=None if d.get("values") is None else tuple(d["values"]),
        )
        for d in model["dimensions"]
    )
    keys = [d.key for d in dimensions]
    root = model["root"]
    if not isinstance(root, Mapping):
        raise InvalidWireObjectError(f"{where}.root", "expected an object")
    cells: list[MatrixCell] = []
    _walk({k: v for k, v in root.items() if k != "fallback"}, keys, {}, cells, f"{where}.root")
    fallback = None
    if root.get("fallback") is not None:
        fallback = _leaf(root["fallback"], None, f"{where}.root.fallback")
    return {
        "dimensions": dimensions,
        "cells": tuple(cells),
        "fallback": fallback,
        "line_item_template": model.get("line_item_template"),
    }


def _cannot(where: str, why: str) -> InvalidWireObjectError:
    return InvalidWireObjectError(where, f"a matrix routing tree the catalog cannot write: {why}")


def _walk(
    node: Any, keys: Sequence[str], match: dict[str, str], out: list[MatrixCell], where: str
) -> None:
    depth = len(match)
    if not isinstance(node, Mapping):
        raise InvalidWireObjectError(where, "expected a matrix node object")
    if node.get("fallback") is not None:
        raise _cannot(where, "a fallback below the root")
    if depth == len(keys):
        out.append(_leaf(node, match, where))
        return
    if node.get("leaf") is not None:
        raise _cannot(where, f"a cell before the last dimension ({keys[depth]!r} is not read)")
    splits = node.get("splits") or []
    if len(splits) != 1:
        raise _cannot(where, f"{len(splits)} splits at one node (the catalog has exactly one)")
    split = splits[0]
    here = f"{where}.splits[0]"
    if split.get("dimension_key") != keys[depth]:
        raise _cannot(
            here, f"split on {split.get('dimension_key')!r} where {keys[depth]!r} comes next"
        )
    branches = split.get("branches") or []
    if not branches and split.get("wildcard") is None:
        raise _cannot(here, "a split with no branch and no wildcard")
    seen: set[str] = set()
    for index, branch in enumerate(branches):
        value = branch["value"]
        at = f"{here}.branches[{index}]"
        if value == WILDCARD or value in seen:
            why = "an exact branch valued '*'" if value == WILDCARD else f"{value!r} twice"
            raise _cannot(at, why)
        seen.add(value)
        _walk(branch["child"], keys, {**match, keys[depth]: value}, out, f"{at}.child")
    if split.get("wildcard") is not None:
        wildcard = split["wildcard"]
        _walk(wildcard, keys, {**match, keys[depth]: WILDCARD}, out, f"{here}.wildcard")


def _leaf(node: Any, match: dict[str, str] | None, where: str) -> MatrixCell:
    if not isinstance(node, Mapping) or node.get("leaf") is None:
        raise _cannot(where, "a node here must be a cell (`leaf`)")
    if node.get("splits") or node.get("fallback") is not None:
        raise _cannot(where, "a cell with splits or a fallback beside it")
    return cell_from_wire(node["leaf"], match, f"{where}.leaf")


def cell_from_wire(obj: Mapping[str, Any], match: dict[str, str] | None, where: str) -> MatrixCell:
    cell_type = obj["type"]
    if cell_type not in _CELL_READERS:
        raise InvalidWireObjectError(where, f"unknown matrix cell type {cell_type!r}")
    model = obj[f"{cell_type}_pricing_model"]
    fields = {
        "type": cell_type,
        "label": obj.get("label"),
        "match": match,
        **_CELL_READERS[cell_type](model, f"{where}.{cell_type}_pricing_model"),
    }
    return CELL_ADAPTER.validate_python(omit_none(fields))


def _unit(model: Any, where: str) -> dict[str, Any]:
    return {"price_per_unit": decimal_from_wire(model["price_per_unit"])}


def _fixed(model: Any, where: str) -> dict[str, Any]:
    return {"price_per_unit": decimal_from_wire(model["price_per_unit"]), "units": model["units"]}


def _unit_tiers(model: Any, where: str) -> dict[str, Any]:
    return {"tiers": unit_tiers_from_wire(model["tiers"], f"{where}.tiers")}


def _percentage_tiers(model: Any, where: str) -> dict[str, Any]:
    return {"tiers": percentage_tiers_from_wire(model["tiers"], f"{where}.tiers")}


def _volume_percentage(model: Any, where: str) -> dict[str, Any]:
    return {
        "price_per_unit": decimal_from_wire(model.get("price_per_unit", "0")),
        "percentage": decimal_from_wire(model["percentage"]),
        "fixed_fee": decimal_from_wire(model.get("fixed_fee", "0")),
    }


_CELL_READERS = {
    "unit": _unit,
    "fixed": _fixed,
    "tiered": _unit_tiers,
    "graduated_tiered": _unit_tiers,
    "tiered_percentage": _percentage_tiers,
    "graduated_percentage": _percentage_tiers,
    "volume_percentage": _volume_percentage,
}
