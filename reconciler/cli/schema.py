"""`billing schema`: the JSON Schema of a catalog file (for editors and CI)."""

from __future__ import annotations

import click

from reconciler.cli.common import guarded
from reconciler.report.schema import catalog_schema_json


@click.command()
@guarded
def schema() -> None:
    """Print the JSON Schema of a catalog file (for editors and CI)."""
    click.echo(catalog_schema_json())
