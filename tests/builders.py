"""Test projects, built one way: a folder with `billing.toml` and a catalog.

Tests that need a project on disk build it here instead of writing `billing.toml` and
catalog files inline, so there is one place that knows what a project folder holds:

- `copy_example(root)`: the repository's example project (`billing.toml`, `catalog/`), for
  tests of the example as shipped (change files after copying);
- `write_project(root, catalog, settings=...)`: a `billing.toml` (default: one embedded
  environment, `local`) and a catalog of the test's own;
- `write_catalog(root, catalog)`: replace an existing project's catalog;
- `example_state(env)`: the example catalog loaded for `env`, checked to have no error.

A catalog is a mapping (file name inside `catalog/` -> content) or a folder to copy.
Text is written as given (UTF-8, no newline translation); bytes are written as they are,
for tests of what a loader does with bytes that are not UTF-8 text.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path

from reconciler.commands.project import Project
from reconciler.model import DesiredState

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_SETTINGS = REPO / "billing.toml"
EXAMPLE_CATALOG = REPO / "catalog"

# The smallest project settings: one embedded environment, `local`, the default.
LOCAL_SETTINGS = 'default_environment = "local"\n\n[environments.local]\napi = "embedded"\n'

Content = str | bytes
Catalog = Mapping[str, Content] | Path


def copy_example(root: Path) -> Path:
    """The example project (billing.toml and catalog/) copied into `root`; returns `root`."""
    return write_project(root, EXAMPLE_CATALOG, settings=EXAMPLE_SETTINGS.read_bytes())


def write_project(
    root: Path, catalog: Catalog | None = None, *, settings: Content = LOCAL_SETTINGS
) -> Path:
    """A project at `root`: `settings` as billing.toml and exactly `catalog` in catalog/
    (an empty folder for None). Returns `root`."""
    root.mkdir(parents=True, exist_ok=True)
    _write(root / "billing.toml", settings)
    write_catalog(root, catalog or {})
    return root


def write_catalog(root: Path, catalog: Catalog) -> None:
    """Replace `root`'s catalog/ folder with `catalog` (a folder to copy, or file name
    inside catalog/ -> content; names may have subfolders)."""
    target = root / "catalog"
    shutil.rmtree(target, ignore_errors=True)
    if isinstance(catalog, Path):
        shutil.copytree(catalog, target)
        return
    target.mkdir(parents=True)
    for name, content in catalog.items():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        _write(path, content)


def example_state(env: str = "local") -> DesiredState:
    """The example catalog rendered and checked for `env` (the example's billing.toml
    variables); fails the test if it has an error."""
    result = Project.open(REPO).load_desired(env)
    assert result.state is not None, [str(d) for d in result.diagnostics]
    return result.state


def _write(path: Path, content: Content) -> None:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
