"""`Diagnostic`: one problem found in user input, with where it is and a stable code.

Diagnostics are data, never printed here (the report layer renders them). Every layer
that checks user input collects them into a list so that one run reports every problem.
Codes are stable identifiers (``toml.syntax``, ``ref.unknown``, ``price.tier_order``...)
that docs and CI scripts can rely on; messages are plain sentences and may change.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Diagnostic(BaseModel):
    """A problem in a user file. `file` is relative to the project; `line` is 1-based in
    the file the user wrote (the template, not its rendering), `None` when unknown."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    message: str
    file: str | None = None
    line: int | None = None
    field: str | None = None
    severity: Severity = Severity.ERROR

    @property
    def location(self) -> str:
        """`file:line` (or the part that is known), for humans."""
        where = self.file or "<project>"
        return f"{where}:{self.line}" if self.line is not None else where

    def __str__(self) -> str:
        field = f" [{self.field}]" if self.field else ""
        return f"{self.location}: {self.severity.value} {self.code}{field}: {self.message}"


def has_errors(diagnostics: list[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)


def sort_key(d: Diagnostic) -> tuple[str, int, str, str]:
    """Order diagnostics by file, then line, so reports read top to bottom."""
    return (d.file or "", d.line or 0, d.field or "", d.code)
