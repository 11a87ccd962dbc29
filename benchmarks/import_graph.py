"""The import graph of the package, squashed to top-level units: how many units, edges
between them, and levels (the longest chain of units importing units).

A unit is a top-level module or package of `reconciler` (`reconciler.planning`,
`reconciler.errors`, ...) or the emulator package as one unit. Run from the repository
root (or with PYTHONPATH pointing at another checkout to measure it):

    python benchmarks/import_graph.py [--json]

grimp comes with import-linter (the `test` extra).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
from functools import cache
from pathlib import Path

import grimp


def _unit(module: str) -> str:
    parts = module.split(".")
    if parts[0] != "reconciler":
        return parts[0]
    if len(parts) >= 2 and parts[1] == "emulator":  # before it moved out
        return "reconciler.emulator"
    return ".".join(parts[:2])


def _beside_reconciler(name: str) -> bool:
    """Whether package `name` is in the same checkout as the `reconciler` measured."""
    spec, ours = importlib.util.find_spec(name), importlib.util.find_spec("reconciler")
    if spec is None or spec.origin is None or ours is None or ours.origin is None:
        return False
    return Path(spec.origin).parents[1] == Path(ours.origin).parents[1]


def measure() -> dict[str, object]:
    packages = ["reconciler"]
    if _beside_reconciler("alguna_emulator"):
        packages.append("alguna_emulator")
    graph = grimp.build_graph(*packages, cache_dir=None)
    units: set[str] = set()
    edges: set[tuple[str, str]] = set()
    for module in graph.modules:
        units.add(_unit(module))
        for imported in graph.find_modules_directly_imported_by(module):
            a, b = _unit(module), _unit(imported)
            if a != b:
                edges.add((a, b))
    units.discard("reconciler")  # the package's own __init__ counts once, as its face
    face_edges = {e for e in edges if "reconciler" in e}
    edges -= face_edges
    imports: dict[str, set[str]] = {u: set() for u in units}
    for a, b in edges:
        imports[a].add(b)

    @cache
    def level(unit: str) -> int:
        return 1 + max((level(b) for b in imports[unit]), default=0)

    levels = max(level(u) for u in units)
    return {
        "units": len(units),
        "edges": len(edges),
        "levels": levels,
        "by_level": {n: sorted(u for u in units if level(u) == n) for n in range(1, levels + 1)},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    figures = measure()
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(f"units {figures['units']}, levels {figures['levels']}, edges {figures['edges']}")
    for n, names in figures["by_level"].items():  # type: ignore[attr-defined]
        print(f"  level {n}: {', '.join(names)}")


if __name__ == "__main__":
    main()
