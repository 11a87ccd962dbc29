"""Field-level differences between two normalized resources, with human paths.

The only deepdiff user. Models are compared as their full JSON-mode dumps (decimals as
strings, dates ISO), so after normalization "10.00" and "10" are the same string and a
default is the same value on both sides. Before comparing, each dump is *shaped*, by field
name, anywhere in the tree:

- Keyed collections: compared by key, not position, and rendered `name[key]`:
  `items` (plan, bundle, version and bundle-override items, by product or bundle key: one
  price per product per owner), `contacts` (by email), `entitlements` (by key) and
  `metadata` (a mapping already), and a matrix price's `cells` (by their match:
  `cells[region=eu,gpu=*]`; routing does not depend on their order). Their order carries
  no meaning on the API.
- Sets: `aliases`, `metrics` (product and price metric lists), `email_preferences`,
  `filter_groups` and `filters` (conditions combined by and/or): order never matters, and a
  change is reported once, for the whole list (`aliases: [a, b] -> [a, c]`).
- Everything else is ordered and rendered `name[index]`: `tiers` (their order defines the
  bounds) and expression `charges` (their order is the invoice lines' order).

Paths: fields joined with `.`, keys and indexes in brackets:
`items[api].price.tiers[1].price_per_unit`, `contacts[ap@acme.com].first_name`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from deepdiff import DeepDiff
from deepdiff.helper import NotPresent
from pydantic import BaseModel, JsonValue

from reconciler.plan import FieldChange, JsonObject


def _item_key(item: Mapping[str, Any]) -> str:
    return str(item.get("product") or item.get("bundle"))


def _cell_key(cell: Mapping[str, Any]) -> str:
    match = cell.get("match")
    if not isinstance(match, Mapping):
        return "?"
    return ",".join(f"{key}={value}" for key, value in match.items())


KEYED: Mapping[str, Callable[[Mapping[str, Any]], str]] = {
    "items": _item_key,
    "contacts": lambda contact: str(contact.get("email")),
    "entitlements": lambda entitlement: str(entitlement.get("key")),
    "cells": _cell_key,
}
"""List fields compared by key: field name -> the key of an element."""

MAPPINGS = frozenset({"metadata"})
"""Dict fields whose keys are user data (rendered in brackets, like keyed collections)."""

SETS = frozenset({"aliases", "metrics", "email_preferences", "filter_groups", "filters"})
"""List fields whose order never matters; reported whole."""

Part = str | int


def dump(model: BaseModel) -> JsonObject:
    """`model` as a JSON-safe dict without defaults: the `before`/`after` of a change."""
    data: JsonObject = model.model_dump(mode="json", exclude_defaults=True)
    return data


def shape(value: Any, name: str | None = None) -> Any:
    """`value` (a JSON-mode dump) with keyed lists as dicts and sets sorted (see above)."""
    if isinstance(value, dict):
        return {k: shape(v, k) for k, v in value.items()}
    if not isinstance(value, list):
        return value
    children = [shape(v) for v in value]
    key_of = KEYED.get(name or "")
    if key_of is not None and all(isinstance(c, dict) for c in children):
        keyed: dict[str, Any] = {}
        for child in children:
            key = base = key_of(child)
            n = 2
            while key in keyed:  # duplicates are invalid in a catalog; keep both anyway
                key, n = f"{base}#{n}", n + 1
            keyed[key] = child
        return keyed
    if name in SETS:
        return sorted(children, key=lambda c: json.dumps(c, sort_keys=True))
    return children


def field_changes(
    before: BaseModel, after: BaseModel, immutable: frozenset[str] = frozenset()
) -> tuple[FieldChange, ...]:
    """Every difference between two models of one kind, sorted by path. A change
    whose top-level field is in `immutable` is marked `forces_replace`."""
    if before == after:  # the common case (a no-op plan), and far cheaper than DeepDiff
        return ()
    old = shape(before.model_dump(mode="json"))
    new = shape(after.model_dump(mode="json"))
    return changes_between(old, new, immutable)


def changes_between(
    old: Mapping[str, Any], new: Mapping[str, Any], immutable: frozenset[str] = frozenset()
) -> tuple[FieldChange, ...]:
    """`field_changes` on two shaped dumps."""
    found: dict[tuple[Part, ...], FieldChange] = {}
    tree = DeepDiff(old, new, view="tree")
    for levels in tree.values():
        for level in levels:
            parts = _collapse_sets(tuple(level.path(output_format="list")))
            if parts in found or not parts:
                continue
            found[parts] = FieldChange(
                path=render_path(parts),
                before=_json(_at(old, parts)),
                after=_json(_at(new, parts)),
                forces_replace=str(parts[0]) in immutable,
            )
    return tuple(found[parts] for parts in sorted(found, key=_path_order))


def render_path(parts: Sequence[Part]) -> str:
    """`['items', 'api', 'price', 'tiers', 1, 'x']` -> `items[api].price.tiers[1].x`."""
    out: list[str] = []
    expect_key = False
    for part in parts:
        if expect_key or isinstance(part, int):
            out.append(f"[{part}]")
            expect_key = False
        else:
            out.append(f".{part}" if out else part)
            expect_key = part in KEYED or part in MAPPINGS
    return "".join(out)


def _collapse_sets(parts: tuple[Part, ...]) -> tuple[Part, ...]:
    """A path into a set-like list stops at the list: the whole list is the change."""
    for index, part in enumerate(parts[:-1]):
        if part in SETS and isinstance(parts[index + 1], int):
            return parts[: index + 1]
    return parts


def _at(obj: Any, parts: Sequence[Part]) -> Any:
    for part in parts:
        in_dict = isinstance(obj, dict) and part in obj
        in_list = isinstance(obj, list) and isinstance(part, int) and 0 <= part < len(obj)
        if in_dict or in_list:
            obj = obj[part]
        else:
            return None
    return None if isinstance(obj, NotPresent) else obj


def _json(value: Any) -> JsonValue:
    result: JsonValue = value
    return result


def _path_order(parts: tuple[Part, ...]) -> tuple[tuple[int, int, str], ...]:
    return tuple((1, p, "") if isinstance(p, int) else (0, 0, p) for p in parts)
