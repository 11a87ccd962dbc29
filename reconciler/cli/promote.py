"""`billing promote --from E1 --to E2`: plan E2 from the catalog once E1 is proven to match.

Thin: `reconciler.commands.promote` decides. Output and saving are `billing plan`'s (the result is
a plan for E2, saved to `plans/<E2>/<plan id>.json` or `--out`, applied with `billing
apply FILE`). A refusal prints the source's drift (as `billing drift` shows it) and
exits 1. Exit codes otherwise as for `plan`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from reconciler.cli.common import Context, guarded
from reconciler.cli.workflow import emit_plan, selection_options
from reconciler.commands.plan_apply import Selection, plan_exit_code
from reconciler.commands.promote import PromotionRefusedError, promote_environments
from reconciler.report.drift_output import drift_text


@click.command("promote")
@click.option("--from", "source", required=True, help="The environment that was tested.")
@click.option("--to", "target", required=True, help="The environment to bring to the catalog.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to save the plan (default: plans/<to>/<plan id>.json).",
)
@click.option("--no-save", is_flag=True, help="Do not save the plan.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text")
@click.option(
    "--detailed-exitcode", is_flag=True, help="Exit 2 when there are changes (0 none, 1 error)."
)
@selection_options
@click.pass_obj
@guarded
def promote_command(
    obj: Context,
    source: str,
    target: str,
    out: Path | None,
    no_save: bool,
    fmt: str,
    detailed_exitcode: bool,
    targets: tuple[str, ...],
    excludes: tuple[str, ...],
) -> None:
    """Plan --to from the catalog, after proving --from matches it (natural keys, not ids)."""
    project = obj.project()
    source = project.environment(source)
    target = project.environment(target)
    selection = Selection(targets=targets, excludes=excludes)
    try:
        promoted = promote_environments(project, source, target, selection)
    except PromotionRefusedError as exc:
        click.echo(drift_text(exc.source, color=False), nl=False, err=True)
        raise
    click.echo(
        f'"{source}" matches the catalog ({promoted.source.summary.unchanged} unchanged);'
        f' planning "{target}" from the same catalog.',
        err=True,
    )
    emit_plan(project, promoted.planned.plan, out=out, no_save=no_save, fmt=fmt)
    sys.exit(plan_exit_code(promoted.planned.plan, detailed_exitcode))
