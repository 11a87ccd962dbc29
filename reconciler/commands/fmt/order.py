"""The canonical order of keys in catalog tables, read from the catalog models.

Where a table sits in a catalog file says which model it holds: the document is a
`CatalogFile`, `[plans.<key>]` a `Plan`, `[[plans.<key>.items]]` an `Item`, its
`[... .price]` one of the ten price models (chosen by its `type`), and so on down the
model annotations. `Node` walks that correspondence; `key_order` gives the order of a
model's fields as a reader expects them:

- a resource: its fields as declared (name first, items last), then `moved_from`;
- a price: `type`, the billing interval, then the fields of its pricing model, then the
  other common fields (the house style of the example catalog: what a price *is* first);
- anything else: its fields as declared.

Pure: no I/O. Used by `fmt` (to reorder) and by `importing` (to write in this order from
the start, so an imported file is already canonical).
"""

from __future__ import annotations

import types
from dataclasses import dataclass
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

from alguna_pricing.model.prices import PriceCommon
from reconciler.model import CatalogFile, Resource

_INTERVAL = ("billing_interval", "billing_interval_count", "billing_interval_unit")


def key_order(model: type[BaseModel]) -> list[str]:
    """The canonical order of `model`'s fields (module docstring)."""
    fields = list(model.model_fields)
    if issubclass(model, PriceCommon):
        common = list(PriceCommon.model_fields)
        own = [f for f in fields if f not in common and f != "type"]
        rest = [f for f in common if f not in _INTERVAL]
        return ["type", *_INTERVAL, *own, *rest]
    if issubclass(model, Resource):
        return [f for f in fields if f != "moved_from"] + ["moved_from"]
    return fields


@dataclass(frozen=True)
class Node:
    """What a table holds: one of `models` (several for a price: the union), or, when
    `entries` is set, a table of entries by key (`[plans.<key>]`), each an `entries`."""

    models: tuple[type[BaseModel], ...] = ()
    entries: Node | None = None

    @classmethod
    def document(cls) -> Node:
        return cls(models=(CatalogFile,))

    def child(self, name: str) -> Node | None:
        """The node of sub-table (or array of tables) `name`; None when unknown."""
        if self.entries is not None:
            return self.entries
        for model in self.models:
            field = model.model_fields.get(name)
            if field is not None:
                return _node(field.annotation)
        return None

    def model_for(self, values: dict[str, Any]) -> type[BaseModel] | None:
        """The model of a table with these values: the only one, or the price model its
        `type` names; None when it cannot be told."""
        if len(self.models) == 1:
            return self.models[0]
        wanted = values.get("type")
        for model in self.models:
            field = model.model_fields.get("type")
            if field is not None and wanted in get_args(field.annotation):
                return model
        return None


def _node(annotation: Any) -> Node | None:
    origin = get_origin(annotation)
    if origin is Annotated:
        return _node(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        models = tuple(
            model
            for arg in get_args(annotation)
            if (node := _node(arg)) is not None
            for model in node.models
        )
        return Node(models=models) if models else None
    if origin is tuple:
        args = [a for a in get_args(annotation) if a is not Ellipsis]
        return _node(args[0]) if args else None
    if origin is dict:
        value = _node(get_args(annotation)[1])
        return Node(entries=value) if value is not None else None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return Node(models=(annotation,))
    return None
