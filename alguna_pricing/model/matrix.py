"""The parts of a `matrix` price: its dimensions and its cells (the price is in `prices`).

A matrix price routes each usage event by its properties to one cell and charges the
usage of each cell with the cell's own pricing model. The catalog writes it flat, for
review: the `dimensions` (event property keys, in routing order), the `cells`, each with a
`match` table naming a value for every dimension (`*`: any value that is present), and an
optional `fallback` cell. How an event is routed is stated in docs/pricing.md; the wire
form (a routing tree) is built and read in `reconciler.wire.matrix`.

A cell is priced by one of seven models, the usage models of a price without the prepaid
and expression ones: `unit`, `fixed`, `tiered`, `graduated_tiered`, `tiered_percentage`,
`graduated_percentage`, `volume_percentage` (the SDK's `MatrixPriceCell.type`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal, get_args

from pydantic import Field, StringConstraints

from alguna_pricing.model.tiers import PercentageTier, Tier
from alguna_pricing.model.values import Frozen, Money, Name, Percentage, PositiveCount

WILDCARD = "*"
"""The match value meaning "any value of this property, as long as the event has one"."""

PropertyKey = Annotated[
    str,
    StringConstraints(min_length=1, max_length=255),
    Field(description="An event property key, as events send it."),
]
PropertyValue = Annotated[
    str,
    StringConstraints(min_length=1, max_length=255),
    Field(description="An event property value, or * for any value."),
]
CellLabel = Annotated[
    str,
    StringConstraints(max_length=255),
    Field(description="The invoice line label of the cell (may be empty)."),
]


class MatrixDimension(Frozen):
    """One routing dimension: the event property it reads, a display label and, optionally,
    the values it offers (then cells may match only those, or `*`)."""

    key: PropertyKey
    label: Name
    values: tuple[PropertyValue, ...] | None = None


class _Cell(Frozen):
    """What every cell has: a label and the `match` that routes events to it (the
    fallback has no match; `catalog.price_rules` checks both)."""

    label: CellLabel | None = None
    match: dict[PropertyKey, PropertyValue] | None = Field(
        default=None, description="Dimension key -> value (or *) this cell prices."
    )


class UnitCell(_Cell):
    type: Literal["unit"]
    price_per_unit: Money


class FixedCell(_Cell):
    """A flat amount, charged in a period in which any usage routes to the cell."""

    type: Literal["fixed"]
    price_per_unit: Money
    units: PositiveCount = 1


class TieredCell(_Cell):
    type: Literal["tiered"]
    tiers: tuple[Tier, ...] = Field(min_length=1, max_length=100)


class GraduatedTieredCell(_Cell):
    type: Literal["graduated_tiered"]
    tiers: tuple[Tier, ...] = Field(min_length=1, max_length=100)


class TieredPercentageCell(_Cell):
    type: Literal["tiered_percentage"]
    tiers: tuple[PercentageTier, ...] = Field(min_length=1, max_length=100)


class GraduatedPercentageCell(_Cell):
    type: Literal["graduated_percentage"]
    tiers: tuple[PercentageTier, ...] = Field(min_length=1, max_length=100)


class VolumePercentageCell(_Cell):
    type: Literal["volume_percentage"]
    percentage: Percentage
    price_per_unit: Money = Decimal(0)
    fixed_fee: Money = Decimal(0)


MatrixCell = Annotated[
    UnitCell
    | FixedCell
    | TieredCell
    | GraduatedTieredCell
    | TieredPercentageCell
    | GraduatedPercentageCell
    | VolumePercentageCell,
    Field(discriminator="type"),
]

MATRIX_CELL_CLASSES: tuple[type[_Cell], ...] = get_args(get_args(MatrixCell)[0])
MATRIX_CELL_TYPES: tuple[str, ...] = tuple(
    get_args(cls.model_fields["type"].annotation)[0] for cls in MATRIX_CELL_CLASSES
)
