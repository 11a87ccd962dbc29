"""`billing fmt` as the CLI runs it: which files, formatted, and whether that failed."""

from __future__ import annotations

from pathlib import Path

from reconciler.catalog import catalog_files
from reconciler.commands.fmt.files import FileOutcome, Status, format_files
from reconciler.commands.project import Project


def format_catalog(
    project: Project | None, paths: tuple[Path, ...], *, check: bool, sort_keys: bool
) -> list[FileOutcome]:
    """Format `paths` (files, and the catalog files under folders), shown relative to the
    working directory; without `paths`, every catalog file of `project` (shown relative
    to it). Writes the changed files unless `check`."""
    if paths:
        root = Path.cwd()
        targets: list[Path] = []
        for path in paths:
            targets.extend(catalog_files(path) if path.is_dir() else [path])
    else:
        if project is None:
            raise ValueError("format_catalog needs a project or paths")
        root = project.root
        targets = catalog_files(root / project.settings.catalog_dir)
    return format_files(root, targets, write=not check, sort_keys=sort_keys)


def format_failed(outcomes: list[FileOutcome], *, check: bool) -> bool:
    """A file is not TOML or cannot be read, or (with `check`) a file would change."""
    return any(o.status is Status.ERROR or (check and o.status is Status.CHANGED) for o in outcomes)
