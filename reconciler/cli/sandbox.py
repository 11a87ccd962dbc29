"""`billing sandbox serve|reset`: the local Alguna API emulator from the command line.

The only CLI module that imports the emulator, and only inside the commands, so other
commands never load it. Checks the port and the data file first, so that a busy port or
a file that is not an emulator database is a one-line error, not a server crash.
"""

from __future__ import annotations

import errno
import socket
import sqlite3
from pathlib import Path

import click

from reconciler.cli.common import Context, env_option, guarded
from reconciler.commands.embedded import require_sandbox
from reconciler.errors import BillingError
from reconciler.live import seen_path


@click.group()
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
@guarded
def serve(host: str, port: int, db: Path | None, rate_limits: bool, latency_ms: float) -> None:
    """Serve the emulator over HTTP until Ctrl-C."""
    require_sandbox()
    import alguna_emulator as emulator

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
@guarded
def reset(obj: Context, db: Path | None, env: str | None) -> None:
    """Delete every object the emulator stores in a data file."""
    require_sandbox()
    import alguna_emulator as emulator

    record: Path | None = None
    if db is None:
        project = obj.project()
        name = project.environment(env)
        if not project.settings.environments[name].embedded:
            raise BillingError(
                f"environment {name!r} is not embedded, so it has no emulator data file;"
                " pass --db FILE"
            )
        db = project.embedded_db(name)
        record = seen_path(project.root, name)
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
    if record is not None:  # the account is empty now: its record of objects seen goes too
        record.unlink(missing_ok=True)
    click.echo(f"Reset {db}.")
