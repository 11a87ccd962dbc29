"""`billing plan`, `billing apply`, `billing drift`: parse, call `commands.plan_apply`,
render, exit.

Exit codes (DESIGN §4): 0 success or nothing to do; 1 error (a catalog problem, a plan
with errors, a refused or failed apply); 2 changes present (`plan --detailed-exitcode`,
always for `drift`). Plans with changes are saved to `plans/<env>/<plan id>.json` (or
`--out`), mode 0600, so the reviewed plan is what `billing apply PLANFILE` applies.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from reconciler.cli.common import (
    Context,
    complete_addresses,
    env_option,
    fail,
    guarded,
    stdout_color,
)
from reconciler.commands.plan_apply import (
    ProtectedEnvironmentError,
    Review,
    Selection,
    apply_fresh,
    apply_plan_file,
    drift_environment,
    drift_exit_code,
    plan_environment,
    plan_exit_code,
    save_plan,
)
from reconciler.commands.project import Project
from reconciler.commands.workflow import Catalog, load_catalog
from reconciler.errors import InvalidInputError
from reconciler.plan import ApplyResult, ApplyStatus, Plan
from reconciler.report.apply_output import apply_json, apply_text, resumption_notes
from reconciler.report.diagnostics import diagnostics_json, diagnostics_markdown
from reconciler.report.drift_output import drift_json, drift_markdown, drift_text
from reconciler.report.plan_output import plan_json, plan_markdown, plan_text
from reconciler.report.progress_output import ConsoleProgress

F = TypeVar("F", bound=Callable[..., Any])

__all__ = ["apply", "drift", "emit_plan", "plan", "selection_options"]


def selection_options(func: F) -> F:
    """`--target ADDR` and `--exclude ADDR`, repeatable (a partial plan; `targeting`)."""
    func = click.option(
        "--exclude",
        "excludes",
        multiple=True,
        metavar="ADDR",
        shell_complete=complete_addresses,
        help="Leave out this resource (<kind>.<key>); repeatable. Refused if a selected"
        " change needs it.",
    )(func)
    return click.option(
        "--target",
        "targets",
        multiple=True,
        metavar="ADDR",
        shell_complete=complete_addresses,
        help="Plan only this resource (<kind>.<key>) and what it needs; repeatable.",
    )(func)


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


@click.command()
@env_option
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to save the plan (default: plans/<env>/<plan id>.json).",
)
@click.option("--no-save", is_flag=True, help="Do not save the plan.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text")
@click.option(
    "--detailed-exitcode", is_flag=True, help="Exit 2 when there are changes (0 none, 1 error)."
)
@selection_options
@click.pass_obj
@guarded
def plan(
    obj: Context,
    env: str | None,
    out: Path | None,
    no_save: bool,
    fmt: str,
    detailed_exitcode: bool,
    targets: tuple[str, ...],
    excludes: tuple[str, ...],
) -> None:
    """Show what apply would change in the live account, money first."""
    project = obj.project()
    name = project.environment(env)
    selection = Selection(targets=targets, excludes=excludes)
    catalog = _catalog_or_report(project, name, fmt, "plan")
    result = plan_environment(project, name, catalog, selection)
    emit_plan(project, result, out=out, no_save=no_save, fmt=fmt)
    sys.exit(plan_exit_code(result, detailed_exitcode))


def _catalog_or_report(project: Project, name: str, fmt: str, report: str) -> Catalog:
    """The catalog, or (when it has errors) its diagnostics printed on stdout in `fmt` and
    exit 1: a CI job that posts stdout as a comment gets every problem, not an empty body.
    Text keeps them on stderr (through the guard), as every command does."""
    try:
        return load_catalog(project, name)
    except InvalidInputError as exc:
        if fmt == "text":
            raise
        if fmt == "json":
            click.echo(diagnostics_json(exc.diagnostics, environment=name))
        else:
            click.echo(
                diagnostics_markdown(exc.diagnostics, report=report, environment=name), nl=False
            )
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)


def emit_plan(project: Project, result: Plan, *, out: Path | None, no_save: bool, fmt: str) -> None:
    """Print `result` in `fmt`, then save it (`commands.plan_apply.save_plan`: with
    changes and no errors) unless `no_save`. Shared by `plan` and `promote`."""
    if fmt == "json":
        click.echo(plan_json(result), nl=False)
    elif fmt == "markdown":
        click.echo(plan_markdown(result), nl=False)
    else:
        click.echo(plan_text(result, color=stdout_color()), nl=False)
    path = None if no_save else save_plan(project, result, plan_json(result), out)
    if path is not None:
        click.echo(
            f"Saved the plan to {_shown(path)}; apply exactly it with:"
            f" billing apply {_shown(path)}",
            err=True,
        )


def _confirm(plan_: Plan, auto_approve: bool) -> None:
    if auto_approve:
        return
    if not sys.stdin.isatty():
        fail(
            "refusing to apply without confirmation: no terminal to ask on; review the plan"
            " and pass --auto-approve"
        )
    answer = click.prompt(
        f"Apply these {plan_.summary.total} change(s) to {plan_.environment!r}?"
        " Only 'yes' is accepted",
        default="",
        show_default=False,
    )
    if answer.strip() != "yes":
        fail("apply cancelled; nothing was written")


def _finish(result: ApplyResult, plan_: Plan, fmt: str) -> None:
    click.echo(apply_json(result) if fmt == "json" else apply_text(result, plan_), nl=False)
    sys.exit(0 if result.status is ApplyStatus.SUCCESS else 1)


@click.command()
@click.argument("planfile", required=False, type=click.Path(dir_okay=False, path_type=Path))
@env_option
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation.")
@click.option(
    "--allow-replace",
    is_flag=True,
    help="Allow replacing resources whose immutable fields changed.",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@selection_options
@click.pass_obj
@guarded
def apply(
    obj: Context,
    planfile: Path | None,
    env: str | None,
    auto_approve: bool,
    allow_replace: bool,
    fmt: str,
    targets: tuple[str, ...],
    excludes: tuple[str, ...],
) -> None:
    """Make the live account match the catalog: a saved PLANFILE exactly, or a fresh plan."""
    project = obj.project()
    progress = ConsoleProgress(sys.stderr, tty=sys.stderr.isatty())
    selection = Selection(targets=targets, excludes=excludes)
    if planfile is not None and selection.active:
        fail(
            "--target and --exclude select what a fresh plan makes; a saved plan is applied"
            " exactly as reviewed. Make a partial plan with `billing plan --target ...`"
        )
    if planfile is not None:
        saved_review = Review(
            progress=progress,
            confirm=lambda saved: _confirm(saved, auto_approve),
            show=lambda saved: click.echo(
                plan_text(saved, color=stdout_color()), nl=False, err=True
            ),
            warn=lambda warning: click.echo(f"Warning: {warning}", err=True),
        )
        done = apply_plan_file(
            project,
            planfile,
            env,
            saved_review,
            shown_as=_shown(planfile),
            allow_replace=allow_replace,
        )
        resumption = done.resumption
        for note in resumption_notes(len(resumption.done), len(resumption.outside)):
            click.echo(note, err=True)
        _finish(done.result, done.plan, fmt)
        return
    name = project.environment(env)
    review = Review(
        progress=progress,
        confirm=lambda fresh: _confirm(fresh, auto_approve),
        show=lambda fresh: click.echo(
            plan_text(fresh, color=stdout_color()), nl=False, err=fmt == "json"
        ),
    )
    try:
        applied = apply_fresh(project, name, selection, review, allow_replace=allow_replace)
    except ProtectedEnvironmentError as exc:
        fail(str(exc))
    if applied.result is None:
        sys.exit(0)
    _finish(applied.result, applied.plan, fmt)


@click.command()
@env_option
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text")
@click.pass_obj
@guarded
def drift(obj: Context, env: str | None, fmt: str) -> None:
    """Show what changed in the live account outside the catalog; exit 2 on drift."""
    project = obj.project()
    name = project.environment(env)
    catalog = _catalog_or_report(project, name, fmt, "drift")
    result = drift_environment(project, name, catalog)
    if fmt == "json":
        click.echo(drift_json(result), nl=False)
    elif fmt == "markdown":
        click.echo(drift_markdown(result), nl=False)
    else:
        click.echo(drift_text(result, color=stdout_color()), nl=False)
    sys.exit(drift_exit_code(result))
