"""Saved plans: written readable by the owner only, read back with clear errors.

A plan file is the plan's JSON (DESIGN §4, `format_version` 1) and holds no secrets: it
is built only from the catalog and the live account. It is still commercial data (prices
of named customers), so it is created with mode 0600 (the umask cannot widen it), written
to a temporary file and renamed, so a crash never leaves half a plan behind.

Applying one checks its permissions first (`check_permissions`, POSIX only): a plan file
that other users can write is refused, since whoever can edit it decides which
environment it is applied to when `--env` is not given (the catalog check limits what
it can change, not where); one that other users can read is applied with a warning
(commercial data, no secret: a CI artefact downloaded with mode 0644 is common).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from pydantic import ValidationError

from reconciler.errors import InvalidInputError
from reconciler.plan import Plan
from reconciler.source.diagnostics import Diagnostic


def default_plan_path(plans_dir: Path, plan: Plan) -> Path:
    """`<plans_dir>/<env>/<plan id>.json` (`plans_dir` is billing.toml's, default `plans`)."""
    return plans_dir / plan.environment / f"{plan.plan_id}.json"


def write_plan(path: Path, text: str) -> Path:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    os.replace(temporary, path)
    return path


def check_permissions(path: Path, shown_as: str | None = None) -> str | None:
    """None for a private plan file (or off POSIX, or a file that cannot be stat'ed:
    `read_plan` reports that); a warning when other users can read it. Raises
    `InvalidInputError` when users other than its owner can write it."""
    name = shown_as or str(path)
    if os.name != "posix":
        return None
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return None
    fix = f"check it, then `chmod 600 {name}`, or plan again"
    if mode & 0o022:
        raise InvalidInputError(
            [
                Diagnostic(
                    code="plan.permissions",
                    message=f"other users can change this plan file (mode {mode:04o}): whoever"
                    " can edit it decides which environment it is applied to. Apply only a"
                    f" plan file that only you can write: {fix}",
                    file=name,
                )
            ],
            "refusing a plan file that other users can write; nothing was read or written",
        )
    if mode & 0o044:
        return (
            f"{name} is readable by other users (mode {mode:04o}); plan files hold the"
            f" prices of named customers: `chmod 600 {name}`"
        )
    return None


def read_plan(path: Path, shown_as: str | None = None) -> Plan:
    """The plan in `path`; InvalidInputError naming the file if it is not one."""
    name = shown_as or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problem = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise InvalidInputError(
            [Diagnostic(code="plan.unreadable", message=str(problem), file=name)],
            "cannot read the plan file",
        ) from None
    try:
        return Plan.model_validate_json(text)
    except ValidationError as exc:
        diagnostics = [
            Diagnostic(
                code="plan.invalid",
                message=error["msg"],
                file=name,
                field=".".join(str(part) for part in error["loc"]) or None,
            )
            for error in exc.errors()[:20]
        ]
        raise InvalidInputError(diagnostics, "not a plan file this version can apply") from None
