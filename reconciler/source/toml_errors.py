"""Reads the position out of a `tomllib.TOMLDecodeError` ("... (at line 3, column 5)"),
and decodes user files as UTF-8 text."""

from __future__ import annotations

import re
import tomllib

_AT_LINE = re.compile(r"\(at line (\d+), column \d+\)")
# tomllib raises a plain ValueError (not TOMLDecodeError) for an integer longer than
# Python converts (sys.get_int_max_str_digits(), 4300 by default).
_LONG_NUMBER = re.compile(r"[0-9][0-9_]{4000,}")


def toml_error_line(exc: ValueError, text: str = "") -> int | None:
    """The line of a `tomllib` error (or of the over-long number), None if unknown."""
    lineno = getattr(exc, "lineno", None)  # Python 3.14 adds it
    if isinstance(lineno, int):
        return lineno
    match = _AT_LINE.search(str(exc))
    if match:
        return int(match.group(1))
    number = _LONG_NUMBER.search(text)
    return text.count("\n", 0, number.start()) + 1 if number else None


def toml_error_message(exc: ValueError) -> str:
    """The message without its position (the diagnostic carries the mapped line)."""
    if not isinstance(exc, tomllib.TOMLDecodeError):
        return "a number has too many digits"
    return _AT_LINE.sub("", str(exc)).strip()


def decode_text(raw: bytes) -> str | int:
    """`raw` as UTF-8 text (a leading BOM dropped, newlines made \\n), or the 1-based
    line of the first byte that is not UTF-8."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return raw[: exc.start].count(b"\n") + 1
    return text.replace("\r\n", "\n").replace("\r", "\n")  # as Path.read_text does
