"""`billing sandbox serve|reset`: the local Alguna API emulator from the command line
(`reconciler.commands.sandbox` checks, serves and resets; this parses and prints).
"""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.cli.common import Context, env_option, guarded
from reconciler.commands.sandbox import reset_emulator, serve_emulator


@click.group()
def sandbox() -> None:
    """Run the local Alguna API emulator."""


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
@guarded
def serve(host: str, port: int, db: Path | None, rate_limits: bool, latency_ms: float) -> None:
    """Serve the emulator over HTTP until Ctrl-C."""
    serve_emulator(
        host=host,
        port=port,
        db=db,
        rate_limits=rate_limits,
        latency_ms=latency_ms,
        on_start=lambda where: click.echo(f"Emulator data: {where}", err=True),
    )


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
@guarded
def reset(obj: Context, db: Path | None, env: str | None) -> None:
    """Delete every object the emulator stores in a data file."""
    reset = reset_emulator(db, obj.project, env)
    if reset.done:
        click.echo(f"Reset {reset.db}.")
    else:
        click.echo(f"Nothing to reset: {reset.db} does not exist yet.")
