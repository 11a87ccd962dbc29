"""Where imported entries go, and writing them without ever overwriting a file.

Layouts: `kind` (default) puts each kind in `<out>/imported_<kind>s.toml`; `resource`
puts each resource in `<out>/<kind>s/<key>.toml`. A name that is taken gets the first
free suffix (`imported_plans_2.toml`, `growth_2.toml`): an import never replaces or
appends to an existing file, so nothing a person wrote is touched, and a second import
(of objects that appeared since) lands beside the first. Files are created with
exclusive creation (`x` mode), so a file that appears between the check and the write is
an error, not an overwrite.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from reconciler.commands.importing.emit import Block
from reconciler.errors import BillingError
from reconciler.model import KIND_OF_TABLE, Address

Layout = Literal["kind", "resource"]
Render = Callable[[Sequence[Block], Sequence[str]], str]


@dataclass(frozen=True)
class PlannedFile:
    """A file to write: absolute `path`, how to show it, its place relative to the
    catalog folder (for the validation copy), its text and the addresses it declares."""

    path: Path
    shown: str
    inside_catalog: str
    text: str
    addresses: tuple[Address, ...]


def plan_files(
    out_dir: Path,
    blocks: Sequence[Block],
    layout: Layout,
    header: Sequence[str],
    render: Render,
    project_root: Path,
    catalog_dir: str = "catalog",
) -> list[PlannedFile]:
    """The files for `blocks` (already in kind order), with free names."""
    groups: dict[Path, list[Block]] = {}
    taken: set[Path] = set()
    if layout == "kind":
        for block in blocks:
            wanted = out_dir / f"imported_{block.table}.toml"
            groups.setdefault(wanted, []).append(block)
    else:
        for block in blocks:
            groups[out_dir / block.table / f"{block.key}.toml"] = [block]
    planned: list[PlannedFile] = []
    catalog = (project_root / catalog_dir).resolve()
    for wanted, members in groups.items():
        path = _free(wanted, taken)
        taken.add(path)
        try:
            inside = path.resolve().relative_to(catalog).as_posix()
        except ValueError:
            inside = f"_imported_check/{path.name}"
        planned.append(
            PlannedFile(
                path=path,
                shown=_shown(path, project_root),
                inside_catalog=inside,
                text=render(members, header),
                addresses=tuple(Address(KIND_OF_TABLE[b.table], b.key) for b in members),
            )
        )
    return planned


def _free(wanted: Path, taken: set[Path]) -> Path:
    candidate, number = wanted, 2
    while candidate.exists() or candidate in taken:
        candidate = wanted.with_name(f"{wanted.stem}_{number}{wanted.suffix}")
        number += 1
    return candidate


def _shown(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def write_files(files: Sequence[PlannedFile]) -> tuple[PlannedFile, ...]:
    """Create every file (exclusively); `BillingError` if one appeared meanwhile."""
    written: list[PlannedFile] = []
    for planned in files:
        planned.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with planned.path.open("x", encoding="utf-8") as handle:
                handle.write(planned.text)
        except FileExistsError:
            raise BillingError(
                f"{planned.shown} appeared while importing; nothing was overwritten."
                f" Written so far: {', '.join(f.shown for f in written) or 'nothing'}"
            ) from None
        written.append(planned)
    return tuple(written)
