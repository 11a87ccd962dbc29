"""Matrix prices on the wire: the flat cells become the SDK's routing tree and back, and a
tree the catalog cannot write is refused with a protocol error naming the node."""

from __future__ import annotations

import copy
from decimal import Decimal as D
from typing import Any

import pytest

from alguna_pricing.model.prices import MatrixPrice
from reconciler.model.matrix import MatrixDimension, UnitCell
from reconciler.wire import price_from_wire, price_to_wire
from reconciler.wire.errors import InvalidWireObjectError
from tests.wire.catalog import RESOLVER, SAMPLE_PRICES

MATRIX = SAMPLE_PRICES["matrix"]


def _unit(label: str, price: str) -> dict[str, Any]:
    return {"type": "unit", "label": label, "unit_pricing_model": {"price_per_unit": price}}


EU_GOLD = _unit("eu gold", "0.10")


def test_the_tree_has_one_level_per_dimension_exact_branches_then_wildcard() -> None:
    price = MatrixPrice(
        type="matrix",
        billing_interval="monthly",
        dimensions=(MatrixDimension(key="region", label="Region"),
                    MatrixDimension(key="tier", label="Tier")),
        cells=(
            UnitCell(type="unit", label="eu gold", match={"region": "eu", "tier": "gold"},
                     price_per_unit=D("0.10")),
            UnitCell(type="unit", label="any gold", match={"region": "*", "tier": "gold"},
                     price_per_unit=D("0.30")),
            UnitCell(type="unit", label="eu any", match={"region": "eu", "tier": "*"},
                     price_per_unit=D("0.20")),
        ),
        fallback=UnitCell(type="unit", label="other", price_per_unit=D("1")),
    )  # fmt: skip
    body = price_to_wire(price, "api", RESOLVER)["matrix_pricing_model"]
    assert body == {
        "dimensions": [{"key": "region", "label": "Region"}, {"key": "tier", "label": "Tier"}],
        "root": {
            "splits": [
                {
                    "dimension_key": "region",
                    "branches": [
                        {
                            "value": "eu",
                            "child": {
                                "splits": [
                                    {
                                        "dimension_key": "tier",
                                        "branches": [
                                            {"value": "gold", "child": {"leaf": EU_GOLD}}
                                        ],
                                        "wildcard": {"leaf": _unit("eu any", "0.20")},
                                    }
                                ]
                            },
                        }
                    ],
                    "wildcard": {
                        "splits": [
                            {
                                "dimension_key": "tier",
                                "branches": [
                                    {"value": "gold", "child": {"leaf": _unit("any gold", "0.30")}}
                                ],
                            }
                        ]
                    },
                }
            ],
            "fallback": {"leaf": _unit("other", "1")},
        },
    }  # fmt: skip
    back = price_from_wire(price_to_wire(price, "api", RESOLVER), "api", RESOLVER)
    assert isinstance(back, MatrixPrice)
    # depth-first order: the eu cells (exact, then *), then the * region's
    assert [c.label for c in back.cells] == ["eu gold", "eu any", "any gold"]
    cells = price.cells
    assert back == price.model_copy(update={"cells": (cells[0], cells[2], cells[1])})


def test_the_sample_round_trips_with_cell_keys_and_totals_ignored() -> None:
    body = price_to_wire(MATRIX, "api", RESOLVER)
    served = copy.deepcopy(body)
    leaf = served["matrix_pricing_model"]["root"]["fallback"]["leaf"]
    leaf["cell_key"] = "cell_9"
    back = price_from_wire(served, "api", RESOLVER)
    assert back == MATRIX  # the sample is written in the canonical order
    assert price_from_wire(price_to_wire(back, "api", RESOLVER), "api", RESOLVER) == back


def _served(mutate: Any) -> dict[str, Any]:
    body = price_to_wire(MATRIX, "api", RESOLVER)
    mutate(body["matrix_pricing_model"])
    return body


def _region_split(model: dict[str, Any]) -> dict[str, Any]:
    return model["root"]["splits"][0]  # type: ignore[no-any-return]


def _first_child(model: dict[str, Any]) -> dict[str, Any]:
    return _region_split(model)["branches"][0]["child"]  # type: ignore[no-any-return]


CANNOT = [
    (
        "two splits at a node",
        lambda m: m["root"]["splits"].append(copy.deepcopy(_region_split(m))),
        "root",
        "2 splits at one node",
    ),
    (
        "a split on a later dimension first",
        lambda m: _region_split(m).update(dimension_key="plan_tier"),
        "root.splits[0]",
        "split on 'plan_tier' where 'region' comes next",
    ),
    (
        "a leaf above the last dimension",
        lambda m: _region_split(m)["branches"][0].update(child={"leaf": _unit("x", "1")}),
        "root.splits[0].branches[0].child",
        "a cell before the last dimension",
    ),
    (
        "a fallback below the root",
        lambda m: _first_child(m).update(fallback={"leaf": _unit("x", "1")}),
        "root.splits[0].branches[0].child",
        "a fallback below the root",
    ),
    (
        "a fallback that is a subtree",
        lambda m: m["root"].update(fallback=copy.deepcopy(_first_child(m))),
        "root.fallback",
        "must be a cell",
    ),
    (
        "an exact branch valued *",
        lambda m: _region_split(m)["branches"][0].update(value="*"),
        "root.splits[0].branches[0]",
        "an exact branch valued '*'",
    ),
    (
        "a value branched twice",
        lambda m: _region_split(m)["branches"][1].update(value="eu"),
        "root.splits[0].branches[1]",
        "'eu' twice",
    ),
    (
        "a split that routes nowhere",
        lambda m: m["root"].update(splits=[{"dimension_key": "region", "branches": []}]),
        "root.splits[0]",
        "no branch and no wildcard",
    ),
    (
        "a root that is a single cell",
        lambda m: m.update(root={"leaf": _unit("x", "1")}),
        "root",
        "a cell before the last dimension",
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("mutate", "where", "why"), [c[1:] for c in CANNOT], ids=[c[0] for c in CANNOT]
)
def test_a_tree_the_catalog_cannot_write_is_refused(mutate: Any, where: str, why: str) -> None:
    with pytest.raises(InvalidWireObjectError) as caught:
        price_from_wire(_served(mutate), "api", RESOLVER)
    assert caught.value.where == f"price.matrix_pricing_model.{where}"
    assert "a matrix routing tree the catalog cannot write" in caught.value.detail
    assert why in caught.value.detail


def test_an_unknown_cell_type_is_refused() -> None:
    def mutate(model: dict[str, Any]) -> None:
        leaf = model["root"]["fallback"]["leaf"]
        leaf["type"] = "prepaid_tiered"

    with pytest.raises(InvalidWireObjectError, match="unknown matrix cell type 'prepaid_tiered'"):
        price_from_wire(_served(mutate), "api", RESOLVER)
