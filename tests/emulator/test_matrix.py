"""Matrix prices in the emulator: accepted in the SDK's tree shape, validated, returned
with a `cell_key` on every cell and a fixed cell's `total`."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest
from alguna.types import MatrixPricingModelResponse

from tests.emulator.factory import created, metered_product, metric


def _cell(kind: str, model: dict[str, Any], label: str | None = None) -> dict[str, Any]:
    cell: dict[str, Any] = {"type": kind, f"{kind}_pricing_model": model}
    if label is not None:
        cell["label"] = label
    return cell


def matrix_price(metric_id: str) -> dict[str, Any]:
    return {
        "type": "matrix",
        "fee_type": "metered",
        "billing_direction": "arrears",
        "billing_interval": "monthly",
        "metric_ids": [metric_id],
        "matrix_pricing_model": {
            "dimensions": [
                {"key": "region", "label": "Region", "values": ["eu", "us"]},
                {"key": "tier", "label": "Tier"},
            ],
            "line_item_template": "{{region}}",
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
                                                {
                                                    "value": "gold",
                                                    "child": {
                                                        "leaf": _cell(
                                                            "unit",
                                                            {"price_per_unit": "0.10"},
                                                            "EU gold",
                                                        )
                                                    },
                                                }
                                            ],
                                            "wildcard": {
                                                "leaf": _cell(
                                                    "fixed", {"price_per_unit": "25.00", "units": 2}
                                                )
                                            },
                                        }
                                    ]
                                },
                            }
                        ],
                    }
                ],
                "fallback": {
                    "leaf": {
                        **_cell("volume_percentage", {"price_per_unit": "0", "percentage": "1.5"}),
                        "cell_key": "kept_1",
                    }
                },
            },
        },
    }


async def _bundle(client: httpx.AsyncClient, mutate: Any = None) -> httpx.Response:
    mtr = await metric(client)
    api = await metered_product(client, mtr["id"])
    price = matrix_price(mtr["id"])
    if mutate is not None:
        mutate(price["matrix_pricing_model"])
    body = {"name": "M", "prices": [{**price, "product_id": api["id"]}]}
    return await client.post("/bundles", json=body)


async def test_a_matrix_price_is_accepted_and_returned_in_the_sdk_shape(
    client: httpx.AsyncClient,
) -> None:
    bundle = await created(await _bundle(client))
    model = bundle["prices"][0]["matrix_pricing_model"]
    MatrixPricingModelResponse.model_validate(model)  # required fields, cell_key included
    eu = model["root"]["splits"][0]["branches"][0]["child"]["splits"][0]
    gold = eu["branches"][0]["child"]["leaf"]
    fixed = eu["wildcard"]["leaf"]
    assert gold["label"] == "EU gold" and gold["cell_key"].startswith("cell_")
    assert fixed["fixed_pricing_model"]["total"] == "50.00"
    assert fixed["cell_key"] != gold["cell_key"]
    assert model["root"]["fallback"]["leaf"]["cell_key"] == "kept_1"  # a sent key is kept
    assert model["dimensions"][1] == {"key": "tier", "label": "Tier"}  # no nulls
    assert (await client.get(f"/bundles/{bundle['id']}")).json() == bundle


def _root_split(model: dict[str, Any]) -> dict[str, Any]:
    return model["root"]["splits"][0]  # type: ignore[no-any-return]


REFUSED = [
    ("undeclared dimension", lambda m: _root_split(m).update(dimension_key="colour"),
     "dimension_key 'colour' is not declared"),
    ("a branch value twice",
     lambda m: _root_split(m)["branches"].append(copy.deepcopy(_root_split(m)["branches"][0])),
     "a branch value appears twice"),
    ("leaf beside splits", lambda m: m["root"].update(leaf=_cell("unit", {"price_per_unit": "1"})),
     "either a cell (leaf) or splits"),
    ("an empty node", lambda m: m.update(root={}), "needs a leaf, splits or a fallback"),
    ("a cell type outside the seven",
     lambda m: m["root"]["fallback"].update(leaf=_cell("expression", {"charges": []})),
     "root.fallback.leaf.type"),
    ("a cell model that is not its type",
     lambda m: m["root"]["fallback"].update(leaf={"type": "unit", "fixed_pricing_model": {}}),
     'a matrix cell of type "unit" needs exactly unit_pricing_model'),
    ("bad tiers inside a cell",
     lambda m: m["root"]["fallback"].update(leaf=_cell("tiered", {"tiers": [
         {"min_units": 5, "max_units": None, "price_per_unit": "1"}]})),
     "start at min_units 0"),
    ("no dimensions", lambda m: m.update(dimensions=[]), "dimensions"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("mutate", "needle"), [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED]
)
async def test_a_malformed_matrix_is_422(
    client: httpx.AsyncClient, mutate: Any, needle: str
) -> None:
    response = await _bundle(client, mutate)
    assert response.status_code == 422, response.text
    assert needle in response.json()["detail"]
