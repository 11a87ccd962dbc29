"""Identity rules: every resource must be findable in the live account by its natural key
(metric, plan and bundle `name`, product `sku`, customer aliases), so two resources may
not share one; and `moved_from` must name old keys, not current ones. A natural key that
failed validation (None in a partial resource) is nobody's.
"""

from __future__ import annotations

from collections.abc import Iterable

from reconciler.catalog.declared import Declared
from reconciler.catalog.findings import Finding, error
from reconciler.model import KIND_FACTS, KINDS, TABLE_OF_KIND, Kind
from reconciler.source.toml_lines import Path


def _duplicates(kind: Kind, entries: Iterable[tuple[str, Path, str | None]]) -> list[Finding]:
    """`entries` are (key, path, natural key); report every entry after the first."""
    what, table = KIND_FACTS[kind].natural_key, KIND_FACTS[kind].table
    first: dict[str, str] = {}
    found: list[Finding] = []
    for key, path, natural in entries:
        if natural is None:
            continue
        if natural in first and first[natural] != key:
            found.append(
                error(
                    kind,
                    key,
                    path,
                    "identity.duplicate",
                    f"{what} {natural!r} is also used by {table}.{first[natural]};"
                    f" {what}s identify {table} in Alguna",
                )
            )
        first.setdefault(natural, key)
    return found


def check_identity(declared: Declared) -> list[Finding]:
    found: list[Finding] = []
    found += _duplicates(
        "metric", ((k, ("name",), m.name) for k, m in sorted(declared.metrics.items()))
    )
    found += _duplicates(
        "plan", ((k, ("name",), p.name) for k, p in sorted(declared.plans.items()))
    )
    found += _duplicates(
        "bundle", ((k, ("name",), b.name) for k, b in sorted(declared.bundles.items()))
    )
    found += _duplicates(
        "product",
        (
            (k, ("sku",), None if declared.broken("product", k, ("sku",)) else p.sku or k)
            for k, p in sorted(declared.products.items())
        ),
    )
    aliases = (
        (key, ("aliases", index) if index >= 0 else (), alias)
        for key, customer in sorted(declared.customers.items())
        for index, alias in [(-1, key), *enumerate(customer.aliases or ())]
    )
    found += _duplicates("customer", aliases)
    for kind in KINDS:
        found += _check_moved_from(declared, kind)
    return found


def _check_moved_from(declared: Declared, kind: Kind) -> list[Finding]:
    resources, table = declared.table(kind), TABLE_OF_KIND[kind]
    claimed: dict[str, str] = {}
    found: list[Finding] = []
    for key, resource in sorted(resources.items()):
        for index, old in enumerate(resource.moved_from or ()):
            path: Path = ("moved_from", index)
            if old is None:
                continue
            if old == key:
                found.append(
                    error(
                        kind,
                        key,
                        path,
                        "moved_from.self",
                        "a resource cannot move from its own key",
                    )
                )
            elif declared.has(kind, old):
                cycle = key in (getattr(resources.get(old), "moved_from", None) or ())
                found.append(
                    error(
                        kind,
                        key,
                        path,
                        "ref.cycle" if cycle else "moved_from.declared",
                        f"`{old}` is still declared as {table}.{old}; moved_from"
                        " names keys that no longer exist",
                    )
                )
            elif old in claimed:
                found.append(
                    error(
                        kind,
                        key,
                        path,
                        "moved_from.duplicate",
                        f"`{old}` is already claimed by {table}.{claimed[old]}",
                    )
                )
            claimed.setdefault(old, key)
    return found
