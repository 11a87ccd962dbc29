"""`billing validate`: check billing.toml and the catalog (offline).

Exits 0 when the catalog is valid for the environment, 1 with every problem
(text on stderr, or every diagnostic as JSON on stdout with `--format json`, settings
problems included).
"""

from __future__ import annotations

import sys

import click

from reconciler.cli.common import Context, env_option, guarded
from reconciler.errors import EnvironmentSelectionError, InvalidInputError
from reconciler.report.diagnostics import diagnostics_json, diagnostics_text
from reconciler.settings import SETTINGS_FILE
from reconciler.source.diagnostics import Diagnostic


@click.command()
@env_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
@guarded
def validate(obj: Context, env: str | None, fmt: str) -> None:
    """Check billing.toml and the catalog; exit 0 if valid, 1 with every problem."""
    try:
        project = obj.project()
        name = project.environment(env)
    except (InvalidInputError, EnvironmentSelectionError) as exc:
        if fmt != "json":
            raise
        diagnostics = getattr(exc, "diagnostics", None) or [
            Diagnostic(code="settings.environment", message=str(exc), file=SETTINGS_FILE)
        ]
        click.echo(diagnostics_json(diagnostics, environment=env))
        sys.exit(1)
    result = project.load_desired(name)
    valid = result.state is not None
    if fmt == "json":
        click.echo(diagnostics_json(result.diagnostics, environment=name))
    elif result.diagnostics:
        click.echo(diagnostics_text(result.diagnostics), err=not valid)
    if valid and fmt == "text":
        state = result.state
        assert state is not None
        count = len(state.resources())
        click.echo(f"The catalog is valid for environment {name!r}: {count} resources.")
    sys.exit(0 if valid else 1)
