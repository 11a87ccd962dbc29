"""Saved plans: written readable by the owner only, read back with clear errors.

A plan file is the plan's JSON (DESIGN §4, `format_version` 1) and holds no secrets: it
is built only from the catalog and the live account. It is still commercial data (prices
of named customers), so it is created with mode 0600 (the umask cannot widen it), written
to a temporary file and renamed, so a crash never leaves half a plan behind.
"""

from __future__ import annotations

import os
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
