"""Reads the position out of a `tomllib.TOMLDecodeError` ("... (at line 3, column 5)")."""

from __future__ import annotations

import re
import tomllib

_AT_LINE = re.compile(r"\(at line (\d+), column \d+\)")


def toml_error_line(exc: tomllib.TOMLDecodeError) -> int | None:
    lineno = getattr(exc, "lineno", None)  # Python 3.14 adds it
    if isinstance(lineno, int):
        return lineno
    match = _AT_LINE.search(str(exc))
    return int(match.group(1)) if match else None


def toml_error_message(exc: tomllib.TOMLDecodeError) -> str:
    """The message without its position (the diagnostic carries the mapped line)."""
    return _AT_LINE.sub("", str(exc)).strip()
