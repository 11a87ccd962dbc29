"""The `billing` command line: parse, call the library, render, exit.

Thin by design: no logic lives here. Exit codes everywhere: 0 success or nothing to do,
1 error, 2 changes present (with --detailed-exitcode, and always for drift). A user error
never shows a traceback; `--debug` shows one. The emulator is imported lazily, only by the
`sandbox` commands and the embedded environment.
"""

from __future__ import annotations

import errno
import logging
import socket
import sqlite3
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


_SQLITE_HEADER = b"SQLite format 3\x00"


def _check_emulator_db(db: Path) -> None:
    """An existing --db must be an SQLite file (an empty file is a new database)."""
    if db.is_dir():
        raise BillingError(f"{db} is a folder, not an emulator database")
    try:
        with db.open("rb") as file:
            header = file.read(len(_SQLITE_HEADER))
    except FileNotFoundError:
        return
    except OSError as exc:
        raise BillingError(f"cannot read {db}: {exc.strerror}") from None
    if header and header != _SQLITE_HEADER:
        raise BillingError(f"{db} is not an emulator database")


def _check_port(host: str, port: int) -> None:
    """Fail before starting when the address cannot be listened on (uvicorn would log the
    error and exit 3). Same options as uvicorn's socket: SO_REUSEADDR, so a port left in
    TIME_WAIT by a stopped server is still usable."""
    if not 0 <= port <= 65535:
        raise BillingError(f"--port must be from 0 to 65535, not {port}")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        family, kind, proto, _, address = infos[0]
        with socket.socket(family, kind, proto) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(address)
    except OSError as exc:
        reason = (exc.strerror or str(exc)).lower()
        if exc.errno == errno.EADDRINUSE:
            reason += "; is another server running there? pick another --port"
        raise BillingError(f"cannot listen on {host}:{port}: {reason}") from None


@sandbox.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8787, show_default=True, type=int)
@click.option(
    "--db",
    type=click.Path(path_type=Path),  # a folder is reported by _check_emulator_db, exit 1
    default=None,
    help="SQLite file for the data, created if missing (default: in memory, gone when the"
    " server stops).",
)
@click.option(
    "--rate-limits",
    is_flag=True,
    help="Enforce the documented rate limits (per API key: 100 requests/s, 10/s for bulk"
    " subscription writes, 1000 events/s); over them: 429 with Retry-After.",
)
@click.option(
    "--latency-ms",
    type=click.FloatRange(0, 600_000),
    default=0.0,
    show_default=True,
    help="Artificial latency added to every API request, in milliseconds.",
)
@_guarded
def serve(host: str, port: int, db: Path | None, rate_limits: bool, latency_ms: float) -> None:
    """Serve the emulator over HTTP until Ctrl-C."""
    from reconciler import emulator

    if db is not None:
        _check_emulator_db(db)
    _check_port(host, port)
    where = str(db.absolute()) if db is not None else "in memory (gone when the server stops)"
    click.echo(f"Emulator data: {where}", err=True)
    try:
        emulator.serve(
            host=host,
            port=port,
            db_path=str(db) if db else None,
            rate_limits=rate_limits,
            latency_ms=latency_ms,
        )
    except SystemExit as exc:  # uvicorn exits 3 when it cannot start (e.g. a bind race)
        if exc.code in (0, None):
            raise
        raise BillingError(f"the emulator could not start on {host}:{port} (see above)") from None
    except sqlite3.OperationalError as exc:  # cannot open, read-only, locked...
        raise BillingError(f"cannot open {db}: {exc}") from None
    except sqlite3.DatabaseError:  # not a database, or a corrupt one
        raise BillingError(f"{db} is not an emulator database") from None
    except OSError as exc:  # e.g. its folder cannot be created
        raise BillingError(f"cannot open {db}: {exc.strerror or exc}") from None


@sandbox.command()
@click.option(
    "--db",
    type=click.Path(path_type=Path),  # a folder is reported by _check_emulator_db, exit 1
    default=None,
    help="SQLite file to reset; never created (default: the project's embedded environment's"
    " file).",
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
            raise BillingError(
                f"environment {name!r} is not embedded, so it has no emulator data file;"
                " pass --db FILE"
            )
        db = project.embedded_db(name)
        if not db.exists():
            click.echo(f"Nothing to reset: {db} does not exist yet.")
            return
    elif not db.exists():
        raise BillingError(f"{db}: no such file")
    _check_emulator_db(db)
    try:
        emulator.reset_database(str(db))
    except sqlite3.OperationalError as exc:  # locked, read-only, cannot open...
        raise BillingError(f"cannot reset {db}: {exc}") from None
    except sqlite3.DatabaseError:  # not a database, or a corrupt one
        raise BillingError(f"{db} is not an emulator database") from None
    except OSError as exc:
        raise BillingError(f"cannot reset {db}: {exc.strerror or exc}") from None
    click.echo(f"Reset {db}.")
