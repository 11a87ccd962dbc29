"""The `billing` command line: parse, call the library, render, exit.

Meant to hold click wiring only. Some commands still hold logic here (the apply sequence
in `workflow`, the HTTP clients of `events` and `listen`, the server of `listen`); phase 2
of issue 14 moves it to `reconciler.commands`. Exit codes everywhere: 0 success or nothing to do,
1 error, 2 changes present (with --detailed-exitcode, and always for drift). A user error
never shows a traceback; `--debug` shows one. The emulator is imported lazily, only by the
`sandbox` commands and the embedded environment.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from reconciler.cli.common import Context, env_option, guarded
from reconciler.cli.events import events
from reconciler.cli.fmt import fmt
from reconciler.cli.importing import import_command
from reconciler.cli.init import init_command
from reconciler.cli.listen import listen
from reconciler.cli.pricing import pricing_tests, quote
from reconciler.cli.promote import promote_command
from reconciler.cli.sandbox import sandbox
from reconciler.cli.show import show
from reconciler.cli.workflow import apply, drift, plan
from reconciler.errors import EnvironmentSelectionError, InvalidInputError
from reconciler.report.diagnostics import diagnostics_json, diagnostics_text
from reconciler.report.schema import catalog_schema_json
from reconciler.settings import SETTINGS_FILE
from reconciler.source.diagnostics import Diagnostic
from reconciler.version import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--project",
    "project_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Project folder (default: the nearest folder upwards with billing.toml).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks and log requests (no secrets).")
@click.option("-v", "--verbose", count=True, help="More log output (repeat for more).")
@click.version_option(__version__, prog_name="billing", message="%(prog)s %(version)s")
@click.pass_context
def main(ctx: click.Context, project_dir: Path | None, debug: bool, verbose: int) -> None:
    """Billing as code for Alguna: declare your catalog in TOML, plan and apply it."""
    level = logging.DEBUG if debug or verbose > 1 else logging.INFO if verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    ctx.obj = Context(project_dir=project_dir, debug=debug)


@main.command()
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


@main.command()
@guarded
def schema() -> None:
    """Print the JSON Schema of a catalog file (for editors and CI)."""
    click.echo(catalog_schema_json())


for command in (
    plan,
    apply,
    drift,
    sandbox,
    quote,
    pricing_tests,
    listen,
    events,
    import_command,
    promote_command,
    fmt,
    show,
    init_command,
):
    main.add_command(command)
