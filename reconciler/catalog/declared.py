"""`Declared`: the merged catalog as the rules see it.

Holds every declared resource, and the keys of every one, so that a reference to a
resource with its own problems is not reported a second time as unknown. A resource that
failed shape validation is held **partially** (see `reconciler.catalog.salvage`): the
parts that validated, None where a value failed (`holes`). The rules run on partial
resources too, so one run reports every mistake: they guard each field they read against
None, and ask `broken` where a None would otherwise mean "not set".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from reconciler.model import (
    TABLE_OF_KIND,
    Bundle,
    Customer,
    Kind,
    Metric,
    Plan,
    Product,
    Resource,
    Subscription,
)
from reconciler.source.toml_lines import Path


@dataclass
class Declared:
    metrics: dict[str, Metric] = field(default_factory=dict)
    products: dict[str, Product] = field(default_factory=dict)
    plans: dict[str, Plan] = field(default_factory=dict)
    bundles: dict[str, Bundle] = field(default_factory=dict)
    customers: dict[str, Customer] = field(default_factory=dict)
    subscriptions: dict[str, Subscription] = field(default_factory=dict)
    keys: dict[Kind, set[str]] = field(default_factory=dict)
    holes: dict[tuple[Kind, str], list[Path]] = field(default_factory=dict)

    def table(self, kind: Kind) -> dict[str, Resource]:
        """The (possibly partial) resources of one kind, by key."""
        table: dict[str, Resource] = getattr(self, TABLE_OF_KIND[kind])
        return table

    def has(self, kind: Kind, key: str | None) -> bool:
        return key is not None and key in self.keys.get(kind, set())

    def broken(self, kind: Kind, key: str, path: Path) -> bool:
        """Did the value at `path` (or a part of it) fail validation? Then it is None (or
        partial) in the resource, and its own diagnostic already says so."""
        return any(related(hole, path) for hole in self.holes.get((kind, key), ()))

    def partial(self, kind: Kind, key: str) -> bool:
        """Is the resource held partially (some value failed validation)?"""
        return bool(self.holes.get((kind, key)))

    @staticmethod
    def complete_items(items: Sequence[object | None] | None) -> bool:
        """Did every item of a list validate far enough to name its product or bundle?"""
        return items is not None and all(
            item is not None
            and (getattr(item, "product", None) or getattr(item, "bundle", None)) is not None
            for item in items
        )


def related(hole: Path, path: Path) -> bool:
    """Is one of the two paths inside (or equal to) the other?"""
    shorter = min(len(hole), len(path))
    return hole[:shorter] == path[:shorter]
