"""`Finding`: a problem a catalog rule found in a resource, before it has a file and line.

Rules are pure functions over validated models; they name the resource and the field path
inside it. The loader turns findings into diagnostics, since only it knows which file and
line each resource came from. A finding names the values it was decided on (`reads`) when
they are fewer than everything at and under its path, so that a value that failed
validation elsewhere in that part does not hide it (see `load._suppressed`).
"""

from __future__ import annotations

from dataclasses import dataclass

from reconciler.model import Kind
from reconciler.source.diagnostics import Severity
from reconciler.source.toml_lines import Path


@dataclass(frozen=True)
class Finding:
    kind: Kind
    key: str
    path: Path
    code: str
    message: str
    severity: Severity = Severity.ERROR
    reads: tuple[Path, ...] | None = None  # None: everything at and under `path`


def error(
    kind: Kind, key: str, path: Path, code: str, message: str, reads: tuple[Path, ...] | None = None
) -> Finding:
    return Finding(kind, key, path, code, message, reads=reads)


def warning(kind: Kind, key: str, path: Path, code: str, message: str) -> Finding:
    return Finding(kind, key, path, code, message, Severity.WARNING)
