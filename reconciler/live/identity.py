"""Natural keys: how a live object is recognised as a declared resource (DESIGN §6).

The live API is the only state; there is no state file. Each kind has a natural key that
the tool writes and reads back: metric, plan and bundle `name`; product `sku` (the catalog
key unless declared); customer aliases (the catalog key is always one); subscription
`metadata.billing_key` (with `managed_by`). A declared `moved_from` key matches too, which
is how a rename becomes an update. For metrics, plans and bundles the name is the
identity, so renaming their catalog key needs no `moved_from`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from reconciler.model import KIND_FACTS, DesiredState, Kind

MANAGED_BY = "alguna-billing"


@dataclass(frozen=True)
class Match:
    key: str
    moved_from: str | None = None


def live_natural_keys(kind: Kind, obj: Mapping[str, Any]) -> list[str]:
    """The natural keys a live object shows; empty when it has none we manage by."""
    if KIND_FACTS[kind].natural_key == "name":
        return [str(obj.get("name", ""))]
    if kind == "product":
        return [str(obj["sku"])] if obj.get("sku") else []
    if kind == "customer":
        return [str(alias) for alias in obj.get("aliases") or []]
    metadata = obj.get("metadata") or {}
    if metadata.get("managed_by") == MANAGED_BY and metadata.get("billing_key"):
        return [str(metadata["billing_key"])]
    return []


class Matcher:
    """Maps natural keys to declared keys, for one desired state."""

    def __init__(self, desired: DesiredState) -> None:
        self._index: dict[Kind, dict[str, Match]] = {
            "metric": {m.name: Match(k) for k, m in desired.metrics.items()},
            "plan": {p.name: Match(k) for k, p in desired.plans.items()},
            "bundle": {b.name: Match(k) for k, b in desired.bundles.items()},
            "product": _with_moves(
                (
                    (k, [p.sku or k], p.moved_from if p.sku is None else ())
                    for k, p in desired.products.items()
                )
            ),
            "customer": _with_moves(
                ((k, [k, *c.aliases], c.moved_from) for k, c in desired.customers.items())
            ),
            "subscription": _with_moves(
                ((k, [k], s.moved_from) for k, s in desired.subscriptions.items())
            ),
        }

    def match(self, kind: Kind, obj: Mapping[str, Any]) -> Match | None:
        index = self._index[kind]
        found = [index[n] for n in live_natural_keys(kind, obj) if n in index]
        direct = [m for m in found if m.moved_from is None]
        best = direct or found
        return best[0] if best else None


def _with_moves(
    entries: Iterable[tuple[str, list[str], tuple[str, ...]]],
) -> dict[str, Match]:
    index: dict[str, Match] = {}
    for key, naturals, moved_from in entries:
        for natural in naturals:
            index.setdefault(natural, Match(key))
        for old in moved_from:
            index.setdefault(old, Match(key, moved_from=old))
    return index


class DerivedKeys:
    """Valid catalog keys for unmanaged objects, unique among `taken` (which they join).

    A natural key becomes its slug (`Test customer` -> `test_customer`); the second
    object with the same slug gets `_2`, the third `_3`, and so on. The next suffix to try
    is remembered per slug, so n objects sharing one name cost O(n) membership tests in
    all (each suffix is tried once), not O(n^2) as a search from `_2` every time would."""

    def __init__(self, taken: set[str]) -> None:
        self.taken = taken
        self._next: dict[str, int] = {}

    def key(self, natural: str) -> str:
        base = re.sub(r"[^a-z0-9]+", "_", natural.lower()).strip("_")[:56] or "object"
        if not base[0].isalpha():
            base = f"x_{base}"[:56]
        suffix = self._next.get(base, 2)
        key = base
        while key in self.taken:
            key, suffix = f"{base}_{suffix}", suffix + 1
        self._next[base] = suffix
        self.taken.add(key)
        return key


def derived_key(natural: str, taken: set[str]) -> str:
    """A valid catalog key for one unmanaged object, unique among `taken` (which it
    joins). For many objects use one `DerivedKeys`: this searches from `_2` each call."""
    return DerivedKeys(taken).key(natural)
