"""`format_files`: `format_toml` over files, reporting per file; writes only when asked.

A file is rewritten only when its canonical form differs, atomically (a temporary file
in the same folder, renamed over it, keeping its permissions), so an interrupted run
never leaves half a catalog file. Unreadable and non-UTF-8 files are errors, reported
with the others; nothing here raises for one bad file.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from reconciler.commands.fmt.toml_format import format_toml


class Status(StrEnum):
    UNCHANGED = "unchanged"
    CHANGED = "changed"  # reformatted (or, with write=False, would be)
    SKIPPED = "skipped"  # left alone on purpose: a warning
    ERROR = "error"  # not TOML, unreadable: exit 1


@dataclass(frozen=True)
class FileOutcome:
    """One file: `shown` is its path as the user should read it (project-relative);
    `message` says why it was skipped or is an error; `diff` is a unified diff of the
    change (empty unless changed)."""

    shown: str
    status: Status
    message: str = ""
    line: int | None = None
    diff: str = ""


def format_files(
    root: Path, files: list[Path], *, write: bool, sort_keys: bool = False
) -> list[FileOutcome]:
    """Format each of `files` (paths shown relative to `root` when inside it); rewrite
    the changed ones when `write`; reorder keys only with `sort_keys`."""
    return [_one(root, path, write=write, sort_keys=sort_keys) for path in files]


def _shown(root: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _one(root: Path, path: Path, *, write: bool, sort_keys: bool) -> FileOutcome:
    shown = _shown(root, path)
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        return FileOutcome(shown, Status.ERROR, f"cannot read it: {exc.strerror or exc}")
    except UnicodeDecodeError:
        return FileOutcome(shown, Status.ERROR, "not UTF-8 text")
    result = format_toml(text, sort_keys=sort_keys)
    if result.error is not None:
        return FileOutcome(shown, Status.ERROR, result.error, result.line)
    if result.skipped is not None:
        return FileOutcome(shown, Status.SKIPPED, result.skipped, result.line)
    if not result.changed:
        return FileOutcome(shown, Status.UNCHANGED)
    diff = "".join(
        difflib.unified_diff(
            text.splitlines(keepends=True),
            result.text.splitlines(keepends=True),
            fromfile=f"{shown} (before)",
            tofile=f"{shown} (formatted)",
        )
    )
    if write:
        _replace(path, result.text)
    return FileOutcome(shown, Status.CHANGED, diff=diff)


def _replace(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.fmt.tmp")
    mode = path.stat().st_mode & 0o7777
    try:
        with temporary.open("w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
