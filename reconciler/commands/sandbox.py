"""`billing sandbox serve|reset` as the CLI runs them: the local Alguna API emulator.

With `commands.embedded`, the only importer of the emulator, and only inside the
functions (after `require_sandbox`), so nothing else loads it. Checks the port and the
data file first, so that a busy port or a file that is not an emulator database is a
one-line `BillingError`, not a server crash. Never prints: `serve_emulator` tells the
caller where the data lives (`on_start`) before it blocks.
"""

from __future__ import annotations

import errno
import socket
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from reconciler.commands.embedded import require_sandbox
from reconciler.commands.project import Project
from reconciler.errors import BillingError
from reconciler.live import seen_path

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


def serve_emulator(
    *,
    host: str,
    port: int,
    db: Path | None,
    rate_limits: bool,
    latency_ms: float,
    on_start: Callable[[str], None],
) -> None:
    """Serve the emulator over HTTP until Ctrl-C; `on_start(where)` says where its data
    lives (a file, or in memory) once the checks pass, before it blocks."""
    require_sandbox()
    import alguna_emulator as emulator

    if db is not None:
        _check_emulator_db(db)
    _check_port(host, port)
    on_start(str(db.absolute()) if db is not None else "in memory (gone when the server stops)")
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


@dataclass(frozen=True)
class Reset:
    """The data file reset (`done`), or the embedded environment's file that does not
    exist yet (`done` False: nothing to reset)."""

    db: Path
    done: bool


def reset_emulator(db: Path | None, project: Callable[[], Project], env: str | None) -> Reset:
    """Delete every object the emulator stores in `db`, or (no `db`) in the data file of
    the project's embedded environment `env`, whose record of objects seen goes too.
    `project` is called only when `db` is None."""
    require_sandbox()
    import alguna_emulator as emulator

    record: Path | None = None
    if db is None:
        opened = project()
        name = opened.environment(env)
        if not opened.settings.environments[name].embedded:
            raise BillingError(
                f"environment {name!r} is not embedded, so it has no emulator data file;"
                " pass --db FILE"
            )
        db = opened.embedded_db(name)
        record = seen_path(opened.root, name)
        if not db.exists():
            return Reset(db=db, done=False)
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
    return Reset(db=db, done=True)
