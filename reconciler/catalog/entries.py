"""One `[<table>.<key>]` entry of a catalog file: its key, its shape and its model.

Shared by resources (`load`) and pricing tests (`test_rules`), so every entry of every
table is checked and reported the same way. Must not know which table it reads: the
caller passes the model and decides what a valid entry joins.
"""

from __future__ import annotations

import re
from typing import Protocol, TypeVar

from pydantic import BaseModel, ValidationError

from alguna_pricing.model.values import KEY_PATTERN
from reconciler.source.diagnostics import Diagnostic
from reconciler.source.toml_lines import Path
from reconciler.source.validation_errors import diagnostics_from_error

M = TypeVar("M", bound=BaseModel)


class EntrySource(Protocol):
    """Where an entry was read: a parsed catalog file."""

    @property
    def path(self) -> str: ...
    def line_of(self, path: Path) -> int | None: ...
    def diagnostic(self, path: Path, code: str, message: str) -> Diagnostic: ...


def is_key(key: str) -> bool:
    return re.fullmatch(KEY_PATTERN, key) is not None


def validated_entry(
    file: EntrySource, path: Path, body: object, model: type[M]
) -> tuple[M | None, list[Diagnostic]]:
    """The entry at `path` (`(table, key)`) validated as `model`, and every problem: a key
    that is not a catalog key (`key.format`), a value that is not a table
    (`catalog.table`), field errors. The model is None when there is any problem."""
    table, key = str(path[0]), str(path[1])
    diagnostics: list[Diagnostic] = []
    if not is_key(key):
        diagnostics.append(
            file.diagnostic(
                path,
                "key.format",
                f"{key!r} is not a valid key: a lowercase letter, then lowercase"
                " letters, digits or _ (at most 64)",
            )
        )
    if not isinstance(body, dict):
        message = f"{table}.{key} must be a table of fields"
        return None, [*diagnostics, file.diagnostic(path, "catalog.table", message)]
    try:
        entry = model.model_validate(body)
    except ValidationError as exc:
        found = diagnostics_from_error(
            exc, file=file.path, prefix=path, find_line=file.line_of, model=model
        )
        return None, [*diagnostics, *found]
    return (None if diagnostics else entry), diagnostics
