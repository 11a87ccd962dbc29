"""`billing import`: write catalog files for live objects the catalog does not declare.

Thin: `reconciler.commands.importing` opens the environment, decides and writes; this
parses options, prints what was imported, adopted and skipped, and exits 0 (imported, or
nothing to import) or 1 (an error, or an import whose files do not load cleanly).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import cast

import click

from reconciler.cli.common import Context, env_option, guarded
from reconciler.commands.importing import ImportOptions, import_environment
from reconciler.model import KINDS, Kind
from reconciler.report.import_output import import_text
from reconciler.source.diagnostics import Severity


@click.command("import")
@env_option
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the new files (default: the catalog folder, so `plan` sees them).",
)
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice(KINDS),
    help="Import only this kind (repeatable); what they refer to is pulled in.",
)
@click.option(
    "--name",
    "pattern",
    default=None,
    help="Only objects whose key, natural key or"
    " name matches this glob (case-insensitive), e.g. 'legacy*'.",
)
@click.option(
    "--per-resource",
    is_flag=True,
    help="One file per resource (<kind>s/<key>.toml) instead of one per kind.",
)
@click.option(
    "--adopt",
    is_flag=True,
    help="Write the natural key (product sku, customer alias, subscription billing_key) on"
    " live objects that have none, so the catalog can recognise them.",
)
@click.option("--dry-run", is_flag=True, help="Show what would be imported; write nothing.")
@click.pass_obj
@guarded
def import_command(
    obj: Context,
    env: str | None,
    out_dir: Path | None,
    kinds: tuple[str, ...],
    pattern: str | None,
    per_resource: bool,
    adopt: bool,
    dry_run: bool,
) -> None:
    """Write catalog files for live objects the catalog does not declare yet."""
    project = obj.project()
    name = project.environment(env)
    options = ImportOptions(
        out_dir=(out_dir or project.root / project.settings.catalog_dir).absolute(),
        kinds=tuple(cast(Kind, k) for k in kinds),
        pattern=pattern,
        layout="resource" if per_resource else "kind",
        adopt=adopt,
        dry_run=dry_run,
    )
    result = import_environment(project, name, options)
    click.echo(import_text(result), nl=False)
    errors = [d for d in result.diagnostics if d.severity is Severity.ERROR]
    sys.exit(1 if errors else 0)
