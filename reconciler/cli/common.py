"""What every `billing` command shares: the context object, the error guard and options.

The guard is where user errors become exit code 1 with a message (and no traceback unless
`--debug`); commands never print errors themselves.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from reconciler.commands.project import Project
from reconciler.errors import BillingError, InvalidInputError
from reconciler.report.diagnostics import diagnostics_text
from reconciler.source.diagnostics import Diagnostic

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Context:
    project_dir: Path | None
    debug: bool

    def project(self) -> Project:
        return Project.open(self.project_dir)


def stdout_color() -> bool:
    """Colour only for a terminal, and never when NO_COLOR is set (no-color.org)."""
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def fail(message: str, diagnostics: list[Diagnostic] | None = None) -> NoReturn:
    if diagnostics:
        click.echo(diagnostics_text(diagnostics), err=True)
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def guarded(func: F) -> F:
    """Map library errors to exit 1 with a message; unexpected errors too, unless
    --debug asks for the traceback."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
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


env_option = click.option(
    "--env",
    "env",
    envvar="BILLING_ENV",
    default=None,
    help="Environment from billing.toml (default: BILLING_ENV, then default_environment).",
)
