"""`billing show PLANFILE`: print a saved plan as `billing plan` printed it (offline)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from reconciler.cli.common import Context, guarded, stdout_color
from reconciler.commands.project import Project
from reconciler.commands.show import show_plan
from reconciler.errors import ProjectNotFoundError
from reconciler.report.plan_output import plan_json, plan_markdown, plan_text
from reconciler.source.diagnostics import Severity


def _project(obj: Context) -> Project | None:
    """The project (for its policies); None when there is none and none was named."""
    try:
        return obj.project()
    except ProjectNotFoundError:
        if obj.project_dir is not None:
            raise
        return None


@click.command()
@click.argument("planfile", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text")
@click.pass_obj
@guarded
def show(obj: Context, planfile: Path, fmt: str) -> None:
    """Show a saved plan exactly as `billing plan` showed it: offline, no API key.

    Policies (billing.toml [[policies]]) are checked again with today's rules, as
    `billing apply PLANFILE` will check them. Exit 1 if the plan has errors."""
    saved = show_plan(planfile, _project(obj), shown_as=str(planfile))
    if fmt == "json":
        click.echo(plan_json(saved), nl=False)
    elif fmt == "markdown":
        click.echo(plan_markdown(saved), nl=False)
    else:
        click.echo(plan_text(saved, color=stdout_color()), nl=False)
    sys.exit(1 if any(d.severity is Severity.ERROR for d in saved.diagnostics) else 0)
