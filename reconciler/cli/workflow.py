"""`billing plan`, `billing apply`, `billing drift`: parse, call `commands.workflow`,
render, exit.

Exit codes (DESIGN §4): 0 success or nothing to do; 1 error (a catalog problem, a plan
with errors, a refused or failed apply); 2 changes present (`plan --detailed-exitcode`,
always for `drift`). Plans with changes are saved to `plans/<env>/<plan id>.json` (or
`--out`), mode 0600, so the reviewed plan is what `billing apply PLANFILE` applies.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from reconciler.apply.plan_files import (
    check_permissions,
    default_plan_path,
    read_plan,
    write_plan,
)
from reconciler.cli.common import (
    Context,
    complete_addresses,
    env_option,
    fail,
    guarded,
    stdout_color,
)
from reconciler.cli.targets import run_interruptible, transport_for
from reconciler.commands.project import Project
from reconciler.commands.workflow import (
    Catalog,
    Planned,
    apply_planned,
    apply_saved,
    load_catalog,
    open_target,
    plan_target,
)
from reconciler.errors import InvalidInputError
from reconciler.plan import ApplyResult, ApplyStatus, Plan
from reconciler.planning.targeting import Selection
from reconciler.report.apply_output import apply_json, apply_text
from reconciler.report.diagnostics import diagnostics_json, diagnostics_markdown
from reconciler.report.drift_output import drift_json, drift_markdown, drift_text
from reconciler.report.plan_output import plan_json, plan_markdown, plan_text
from reconciler.report.progress_output import ConsoleProgress
from reconciler.source.diagnostics import Severity

F = TypeVar("F", bound=Callable[..., Any])


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


async def _plan(
    project: Project,
    name: str,
    catalog: Catalog,
    selection: Selection | None = None,
    *,
    policies: bool = True,
) -> Planned:
    async with open_target(project, name, transport_for(project, name)) as target:
        return await plan_target(catalog, target, selection=selection, policies=policies)


def _has_errors(plan: Plan) -> bool:
    return any(d.severity is Severity.ERROR for d in plan.diagnostics)


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
    planned = asyncio.run(_plan(project, name, catalog, selection))
    emit_plan(project, planned.plan, out=out, no_save=no_save, fmt=fmt)
    sys.exit(plan_exit_code(planned.plan, detailed_exitcode))


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
    """Print `result` in `fmt` and save it when it has changes and no errors (mode 0600,
    `plans/<env>/<plan id>.json` unless `out`). Shared by `plan` and `promote`."""
    if fmt == "json":
        click.echo(plan_json(result), nl=False)
    elif fmt == "markdown":
        click.echo(plan_markdown(result), nl=False)
    else:
        click.echo(plan_text(result, color=stdout_color()), nl=False)
    if result.has_changes and not no_save and not _has_errors(result):
        path = write_plan(
            out or default_plan_path(project.root / project.settings.plans_dir, result),
            plan_json(result),
        )
        click.echo(
            f"Saved the plan to {_shown(path)}; apply exactly it with:"
            f" billing apply {_shown(path)}",
            err=True,
        )


def plan_exit_code(result: Plan, detailed_exitcode: bool) -> int:
    """1 with errors; 2 with changes under --detailed-exitcode; else 0."""
    if _has_errors(result):
        return 1
    return 2 if detailed_exitcode and result.has_changes else 0


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
        warning = check_permissions(planfile, _shown(planfile))
        if warning is not None:
            click.echo(f"Warning: {warning}", err=True)
        saved = read_plan(planfile, _shown(planfile))
        name = project.environment(env or saved.environment)
        catalog = load_catalog(project, name)
        if project.settings.environments[name].protected:
            click.echo(plan_text(saved, color=stdout_color()), nl=False, err=True)
            _confirm(saved, auto_approve)

        async def run_saved(stop: asyncio.Event) -> ApplyResult:
            async with open_target(project, name, transport_for(project, name)) as target:
                result, resumption = await apply_saved(
                    catalog,
                    target,
                    saved,
                    allow_replace=allow_replace,
                    progress=progress,
                    stop=stop,
                )
            if resumption.done:
                click.echo(
                    f"{len(resumption.done)} change(s) of this plan were already"
                    " applied (an earlier run); the rest were made now.",
                    err=True,
                )
            if resumption.outside:
                click.echo(
                    f"Note: {len(resumption.outside)} other difference(s) are not in"
                    " this plan and were left alone; run `billing plan` to see them.",
                    err=True,
                )
            return result

        _finish(run_interruptible(run_saved, progress.interrupted), saved, fmt)
        return
    name = project.environment(env)
    catalog = load_catalog(project, name)
    if project.settings.environments[name].protected:
        # Refused before reading the account: the plan would only be shown to be refused.
        fail(
            f"environment {name!r} is protected: it applies only a saved, reviewed plan"
            f" (billing plan --env {name} --out FILE, then billing apply FILE); nothing was"
            " read or written"
        )
    planned: list[Planned] = []

    async def run_fresh(stop: asyncio.Event) -> ApplyResult | None:
        async with open_target(project, name, transport_for(project, name)) as target:
            fresh = await plan_target(catalog, target, selection=selection)
            planned.append(fresh)
            click.echo(plan_text(fresh.plan, color=stdout_color()), nl=False, err=fmt == "json")
            if not fresh.plan.has_changes and not _has_errors(fresh.plan):
                return None
            if not _has_errors(fresh.plan) and not target.protected:
                _confirm(fresh.plan, auto_approve)
            return await apply_planned(
                fresh, target, allow_replace=allow_replace, progress=progress, stop=stop
            )

    result = run_interruptible(run_fresh, progress.interrupted)
    if result is None:
        sys.exit(0)
    _finish(result, planned[0].plan, fmt)


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
    result = asyncio.run(_plan(project, name, catalog, policies=False)).plan
    if fmt == "json":
        click.echo(drift_json(result), nl=False)
    elif fmt == "markdown":
        click.echo(drift_markdown(result), nl=False)
    else:
        click.echo(drift_text(result, color=stdout_color()), nl=False)
    if _has_errors(result):
        sys.exit(1)
    sys.exit(2 if result.has_changes or result.live_drift else 0)
