"""`billing import` as the CLI runs it: load the catalog (before any API call), open the
environment (the in-process emulator for an embedded one), import, return the result."""

from __future__ import annotations

import asyncio

from reconciler.commands.embedded import transport_for
from reconciler.commands.importing.run import ImportOptions, ImportResult, import_live
from reconciler.commands.project import Project
from reconciler.commands.workflow import load_catalog, open_target


def import_environment(project: Project, name: str, options: ImportOptions) -> ImportResult:
    """Write catalog files for the live objects of environment `name` that the catalog
    does not declare (`import_live`); `InvalidInputError` for a catalog with errors."""
    catalog = load_catalog(project, name)

    async def run() -> ImportResult:
        async with open_target(project, name, transport_for(project, name)) as target:
            return await import_live(project, catalog, target, options)

    return asyncio.run(run())
