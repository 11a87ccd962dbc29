"""The `billing` command line: parse, call the library, render, exit.

Thin by design: no logic lives here. Exit codes everywhere: 0 success or nothing to do,
1 error, 2 changes present (with --detailed-exitcode, and always for drift). A user error
never shows a traceback; `--debug` shows one. The emulator is imported lazily, only by the
`sandbox` commands and the embedded environment.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from reconciler import __version__
from reconciler.diagnostics import Diagnostic
from reconciler.errors import BillingError, EnvironmentSelectionError, InvalidInputError
from reconciler.project import Project
from reconciler.report.diagnostics import diagnostics_json, diagnostics_text
from reconciler.report.schema import catalog_schema_json
from reconciler.settings import SETTINGS_FILE

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Context:
    project_dir: Path | None
    debug: bool

    def project(self) -> Project:
        return Project.open(self.project_dir)


def _fail(message: str, diagnostics: list[Diagnostic] | None = None) -> NoReturn:
    if diagnostics:
        click.echo(diagnostics_text(diagnostics), err=True)
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def _guarded(func: F) -> F:
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
            _fail(str(exc), exc.diagnostics)
        except BillingError as exc:
            if debug:
                raise
            _fail(str(exc))
        except (KeyboardInterrupt, click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as exc:
            if debug:
                raise
            _fail(f"internal error: {type(exc).__name__}: {exc} (run with --debug for details)")

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
@click.version_option(__version__, prog_name="billing")
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
@_guarded
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
    result = project.load_catalog(name)
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
@_guarded
def schema() -> None:
    """Print the JSON Schema of a catalog file (for editors and CI)."""
    click.echo(catalog_schema_json())


@main.group()
def sandbox() -> None:
    """Run the local Alguna API emulator."""


@sandbox.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8787, show_default=True, type=int)
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="SQLite file for the data (default: in memory, gone when the server stops).",
)
@_guarded
def serve(host: str, port: int, db: Path | None) -> None:
    """Serve the emulator over HTTP until Ctrl-C."""
    from reconciler import emulator

    emulator.serve(host=host, port=port, db_path=str(db) if db else None)


@sandbox.command()
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="SQLite file to reset (default: the project's embedded environment's file).",
)
@env_option
@click.pass_obj
@_guarded
def reset(obj: Context, db: Path | None, env: str | None) -> None:
    """Delete every object the emulator stores in a data file."""
    from reconciler import emulator

    if db is None:
        project = obj.project()
        name = project.environment(env)
        if not project.settings.environments[name].embedded:
            raise BillingError(f"environment {name!r} is not embedded; pass --db FILE")
        db = project.embedded_db(name)
    emulator.reset_database(str(db))
    click.echo(f"Reset {db}.")
