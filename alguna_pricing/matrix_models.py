"""`matrix`: usage routed by event properties to cells, each cell priced by its own model.

Routing (`route`), one usage group (`UsageGroup`: events sharing property values) at a
time, is the API's routing tree read from the catalog's flat cells (docs/pricing.md):

- the dimensions are read in their declared order; at each, the group follows the cells
  naming its exact value, else the cells naming `*` (if the group has the property);
- once followed there is no going back: when a later dimension finds no cell, the group
  is **unmatched**, not charged (the tree's inner nodes have no fallback);
- the `fallback` cell prices a group the *first* dimension routes nowhere (the property
  is absent, or no cell names its value nor `*`); without a fallback it is unmatched.

Charging (`matrix_lines`): the groups routed to one cell are added up (quantity, volume
and transactions) and priced once by the cell's model, so a tiered cell tiers over all
its usage; the cell's lines are its model's, described `<cell>: <line>`. A cell no group
routes to is not charged (a `fixed` cell's amount and a `volume_percentage` cell's base
fee are charged only in a period with a group routed to the cell). Each unmatched group
is one `unmatched` line of amount 0, so a quote shows the usage nothing priced. The
price's terms (trial, spend limits, discount) then apply to the matrix's subtotal, as for
any price (`charge.price_charge`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal

from pydantic import TypeAdapter

from alguna_pricing.model.matrix import WILDCARD, MatrixCell
from alguna_pricing.model.prices import MatrixPrice, Price
from alguna_pricing.quote import LineItem
from alguna_pricing.usage import Usage, UsageGroup

_PRICE: TypeAdapter[Price] = TypeAdapter(Price)

PriceLines = Callable[[Price, Usage], tuple[LineItem, ...]]


def route(price: MatrixPrice, properties: Mapping[str, str]) -> MatrixCell | None:
    """The cell that prices events with `properties`, or None (unmatched)."""
    candidates: Sequence[MatrixCell] = price.cells
    for depth, dimension in enumerate(price.dimensions):
        value = properties.get(dimension.key)
        chosen: list[MatrixCell] = []
        if value is not None:
            chosen = [c for c in candidates if _value(c, dimension.key) == value]
            chosen = chosen or [c for c in candidates if _value(c, dimension.key) == WILDCARD]
        if not chosen:
            return price.fallback if depth == 0 else None
        candidates = chosen
    return candidates[0]  # the catalog rules refuse two cells with one match


def _value(cell: MatrixCell, key: str) -> str | None:
    return None if cell.match is None else cell.match.get(key)


def cell_name(cell: MatrixCell) -> str:
    """How a line names its cell: the label, else the match (`region=eu, tier=*`), else
    `fallback`."""
    if cell.label:
        return cell.label
    if cell.match:
        return ", ".join(f"{key}={value}" for key, value in cell.match.items())
    return "fallback"


def cell_price(cell: MatrixCell, price: MatrixPrice) -> Price:
    """The cell's model as a price of its own (same billing interval, no terms): the
    engine's line functions price it."""
    fields = cell.model_dump(exclude={"label", "match"})
    return _PRICE.validate_python({**fields, "billing_interval": price.billing_interval})


def matrix_lines(price: MatrixPrice, usage: Usage, lines_of: PriceLines) -> tuple[LineItem, ...]:
    """The lines of `price` for `usage.groups` (module docstring). `lines_of` prices one
    cell's model (`charge.line_items`, passed in to keep the dispatch in one place)."""
    cells = [*price.cells, *([price.fallback] if price.fallback is not None else [])]
    routed: dict[int, list[UsageGroup]] = {}
    unmatched: list[UsageGroup] = []
    for group in usage.groups:
        cell = route(price, group.properties)
        if cell is None:
            unmatched.append(group)
        else:
            routed.setdefault(next(i for i, c in enumerate(cells) if c is cell), []).append(group)
    out: list[LineItem] = []
    for index, cell in enumerate(cells):
        groups = routed.get(index)
        if not groups:
            continue
        total = Usage(
            quantity=sum((g.quantity for g in groups), Decimal(0)),
            volume=sum((g.volume for g in groups), Decimal(0)),
            transactions=sum(g.transactions for g in groups),
            period_index=usage.period_index,
        )
        name = cell_name(cell)
        for line in lines_of(cell_price(cell, price), total):
            out.append(dataclasses.replace(line, description=f"{name}: {line.description}"))
    for group in unmatched:
        out.append(
            LineItem(
                kind="unmatched",
                description=f"unmatched ({group.describe()}): no cell, not charged",
                quantity=group.quantity,
                unit_amount=Decimal(0),
                amount=Decimal(0),
            )
        )
    return tuple(out)
