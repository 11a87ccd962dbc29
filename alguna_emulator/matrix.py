"""The ``matrix`` pricing model: event-property dimensions and a routing tree of cells.

The shape is the SDK's ``MatrixPricingModelInput``/``MatrixPricingModelResponse``:
``dimensions`` (``key``, ``label``, optional ``values``), an optional
``line_item_template`` and ``root``, a node. A node is a cell (``leaf``), or ordered
``splits`` with an optional ``fallback``; a split names a declared ``dimension_key`` and has
exact-value ``branches`` (each a ``value`` and a ``child`` node) and an optional
``wildcard`` node. A cell has a ``type`` (one of seven models), its one
``<type>_pricing_model`` object, an optional ``label`` and a ``cell_key``: a cell sent
without one gets a fresh key (a response always carries it, the SDK requires it).

Validation here is the tree's shape; what a tree means for a charge is not the
emulator's concern (it does not invoice).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self, get_args

from pydantic import Field, model_validator

from .fields import Name, Strict, Text
from .ids import _base62

CellType = Literal[
    "unit",
    "fixed",
    "tiered",
    "graduated_tiered",
    "tiered_percentage",
    "graduated_percentage",
    "volume_percentage",
]
CELL_MODEL_FIELDS = tuple(f"{name}_pricing_model" for name in get_args(CellType))
_LEFT_OUT = Field(exclude_if=lambda value: value is None)
_MAX_DEPTH = 20


class Dimension(Strict):
    key: Annotated[str, Field(min_length=1, max_length=255)]
    label: Name
    values: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=255)]] | None, _LEFT_OUT
    ] = None


class Cell(Strict):
    """One priced cell; exactly one model object, the one its ``type`` names."""

    type: CellType
    label: Annotated[str | None, Field(max_length=255), _LEFT_OUT] = None
    cell_key: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    # The model objects are the price's own (``pricing``), validated in ``_one_model``.
    unit_pricing_model: Annotated[Any, _LEFT_OUT] = None
    fixed_pricing_model: Annotated[Any, _LEFT_OUT] = None
    tiered_pricing_model: Annotated[Any, _LEFT_OUT] = None
    graduated_tiered_pricing_model: Annotated[Any, _LEFT_OUT] = None
    tiered_percentage_pricing_model: Annotated[Any, _LEFT_OUT] = None
    graduated_percentage_pricing_model: Annotated[Any, _LEFT_OUT] = None
    volume_percentage_pricing_model: Annotated[Any, _LEFT_OUT] = None

    @model_validator(mode="after")
    def _one_model(self) -> Self:
        expected = f"{self.type}_pricing_model"
        present = [name for name in CELL_MODEL_FIELDS if getattr(self, name) is not None]
        if present != [expected]:
            raise ValueError(f'a matrix cell of type "{self.type}" needs exactly {expected}')
        model = _cell_models()[self.type].model_validate(getattr(self, expected))
        setattr(self, expected, model)
        if self.cell_key is None:
            self.cell_key = "cell_" + _base62(16)
        return self


class ExactMatch(Strict):
    value: Annotated[str, Field(min_length=1, max_length=255)]
    child: Node


class Split(Strict):
    dimension_key: Annotated[str, Field(min_length=1, max_length=255)]
    branches: list[ExactMatch]
    wildcard: Annotated[Node | None, _LEFT_OUT] = None


class Node(Strict):
    fallback: Annotated[Node | None, _LEFT_OUT] = None
    leaf: Annotated[Cell | None, _LEFT_OUT] = None
    splits: Annotated[list[Split] | None, _LEFT_OUT] = None

    @model_validator(mode="after")
    def _shape(self) -> Self:
        if self.leaf is not None and (self.splits or self.fallback is not None):
            raise ValueError("a matrix node is either a cell (leaf) or splits with a fallback")
        if self.leaf is None and not self.splits and self.fallback is None:
            raise ValueError("a matrix node needs a leaf, splits or a fallback")
        return self


class MatrixModel(Strict):
    dimensions: Annotated[list[Dimension], Field(min_length=1, max_length=10)]
    line_item_template: Annotated[Text | None, _LEFT_OUT] = None
    root: Node

    @model_validator(mode="after")
    def _declared(self) -> Self:
        keys = [d.key for d in self.dimensions]
        if len(set(keys)) != len(keys):
            raise ValueError("matrix dimensions: each key once")
        _check(self.root, set(keys), "root", 0)
        return self


def _check(node: Node, keys: set[str], where: str, depth: int) -> None:
    """Every split names a declared dimension; branch values are unique per split."""
    if depth > _MAX_DEPTH:
        raise ValueError(f"{where}: the matrix tree is deeper than {_MAX_DEPTH}")
    if node.fallback is not None:
        _check(node.fallback, keys, f"{where}.fallback", depth + 1)
    for index, split in enumerate(node.splits or ()):
        here = f"{where}.splits[{index}]"
        if split.dimension_key not in keys:
            raise ValueError(f"{here}: dimension_key {split.dimension_key!r} is not declared")
        values = [branch.value for branch in split.branches]
        if len(set(values)) != len(values):
            raise ValueError(f"{here}: a branch value appears twice")
        for number, branch in enumerate(split.branches):
            _check(branch.child, keys, f"{here}.branches[{number}].child", depth + 1)
        if split.wildcard is not None:
            _check(split.wildcard, keys, f"{here}.wildcard", depth + 1)


def _cell_models() -> dict[str, Any]:
    """The price's model class for each cell type. Imported here, when a cell is validated,
    because ``pricing`` imports this module for the price's ``matrix_pricing_model``."""
    from .pricing import (
        FixedModel,
        PercentTieredModel,
        TieredModel,
        UnitModel,
        VolumePercentageModel,
    )

    return {
        "unit": UnitModel,
        "fixed": FixedModel,
        "tiered": TieredModel,
        "graduated_tiered": TieredModel,
        "tiered_percentage": PercentTieredModel,
        "graduated_percentage": PercentTieredModel,
        "volume_percentage": VolumePercentageModel,
    }
