"""What every `billing` command shares: the context object, the error guard and options.

The guard is where user errors become exit code 1 with a message (and no traceback unless
`--debug`); commands never print errors themselves.

Imported by the top-level group (`Context`) before any command is chosen, so it imports
only click at module level: the project, the error tree and the renderers (pydantic
behind them) are imported when a command runs (see `reconciler.cli`, lazy loading).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

    from reconciler.commands.project import Project
    from reconciler.source.diagnostics import Diagnostic

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Context:
    project_dir: Path | None
    debug: bool

    def project(self) -> Project:
        from reconciler.commands.project import Project

        return Project.open(self.project_dir)


def stdout_color() -> bool:
    """Colour only for a terminal, and never when NO_COLOR is set (no-color.org)."""
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def fail(message: str, diagnostics: list[Diagnostic] | None = None) -> NoReturn:
    if diagnostics:
        from reconciler.report.diagnostics import diagnostics_text

        click.echo(diagnostics_text(diagnostics), err=True)
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def guarded(func: F) -> F:
    """Map library errors to exit 1 with a message; unexpected errors too, unless
    --debug asks for the traceback."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from reconciler.errors import BillingError, InvalidInputError

        ctx = click.get_current_context().find_object(Context)
        debug = ctx.debug if ctx is not None else False
        try:
            return func(*args, **kwargs)
        except InvalidInputError as exc:
            if debug:
                raise
            fail(str(exc), exc.diagnostics)
        except BillingError as exc:
            if debug:
                raise
            fail(str(exc))
        except (KeyboardInterrupt, click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as exc:
            if debug:
                raise
            fail(f"internal error: {type(exc).__name__}: {exc} (run with --debug for details)")

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper  # type: ignore[return-value]


def _completion_project(ctx: click.Context) -> Project | None:
    """The project a command line being completed is about (`--project`, else the one
    around the current folder); None when there is none or it does not load."""
    from reconciler.commands.project import Project
    from reconciler.errors import BillingError

    explicit = ctx.find_root().params.get("project_dir")
    try:
        return Project.open(explicit)
    except (BillingError, OSError):
        return None


def complete_environments(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """Shell completion of `--env`: the environments billing.toml declares."""
    from click.shell_completion import CompletionItem

    project = _completion_project(ctx)
    names = sorted(project.settings.environments) if project is not None else []
    return [CompletionItem(name) for name in names if name.startswith(incomplete)]


def complete_addresses(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """Shell completion of an address (`--target`, `--exclude`): `<kind>.<key>` of every
    resource the catalog declares for the environment given so far (or the default).
    A catalog that does not load completes nothing (never an error in the shell)."""
    from click.shell_completion import CompletionItem

    project = _completion_project(ctx)
    if project is None:
        return []
    try:
        env = project.environment(ctx.params.get("env"))
        state = project.load_desired(env).state
    except Exception:  # a completion must never print a traceback into the shell
        return []
    addresses = sorted(str(address) for address in state.resources()) if state else []
    return [CompletionItem(a) for a in addresses if a.startswith(incomplete)]


env_option = click.option(
    "--env",
    "env",
    envvar="BILLING_ENV",
    default=None,
    shell_complete=complete_environments,
    help="Environment from billing.toml (default: BILLING_ENV, then default_environment).",
)
