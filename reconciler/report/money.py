"""Which values are money, so that every output shows them first.

A reviewer must never scroll past a renamed description to find that a price moved: field
rows and create outlines put money first. A path is money when its last named segment
(brackets ignored) is one of `MONEY_FIELDS`.
"""

from __future__ import annotations

import re

from reconciler.plan import FieldChange

# Field names (the last named segment of a path) that hold money, a rate or what decides
# one. `items[x]` (an item appearing or disappearing) carries a whole price, so it counts.
MONEY_FIELDS = frozenset(
    {
        "price",
        "prices",
        "price_per_unit",
        "unit_price",
        "fixed_fee",
        "fee",
        "amount",
        "total",
        "spend",
        "minimum_spend",
        "maximum_spend",
        "discount",
        "percentage",
        "tiers",
        "prepaid_units",
        "units",
        "charges",
        "unit_price_expression",
        "quantity_expression",
        "items",
    }
)

_BRACKETS = re.compile(r"\[[^\]]*\]")


def is_money_path(path: str) -> bool:
    """Whether `path` (a `FieldChange.path`) ends in a money field, brackets ignored:
    `items[api].price.tiers[1].price_per_unit`, `minimum_spend`, `items[addons]`."""
    names = [name for name in _BRACKETS.sub("", path).split(".") if name]
    return bool(names) and names[-1] in MONEY_FIELDS


def money_first(fields: tuple[FieldChange, ...] | list[FieldChange]) -> list[FieldChange]:
    """`fields` with the money paths first; each group keeps its order (a stable sort)."""
    return sorted(fields, key=lambda f: not is_money_path(f.path))
